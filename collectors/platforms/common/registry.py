"""One shared API client per (API, credential, cache folder), for every platform.

Why shared: the resolver and the collectors of all subjects must use the same client, so the call
budget, the rate-limit pauses and the requests in flight are counted once for the whole scan.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from wafops.collectors.platforms.common.http import truthy

C = TypeVar("C")


def cache_dir(options: dict[str, Any]) -> str | None:
    """The HTTP cache folder the options ask for, or None when `http_cache` is off."""
    if not truthy(options.get("http_cache"), True):
        return None
    return str(options.get("cache_dir") or os.environ.get("WAFOPS_CACHE_DIR") or "~/.cache/wafops/http")


class Clients(Generic[C]):
    def __init__(self) -> None:
        self._items: dict[tuple[str, ...], C] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...], make: Callable[[], C]) -> C:
        with self._lock:
            client = self._items.get(key)
            if client is None:
                client = self._items[key] = make()
            return client

    def reset(self) -> None:
        """Close and drop every client (tests and benchmarks between runs)."""
        with self._lock:
            for client in self._items.values():
                client.close()  # type: ignore[attr-defined]
            self._items.clear()
