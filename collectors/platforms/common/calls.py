"""Planned API calls of one repository/project, run on the client's bounded pool.

Shared by the GitHub and GitLab collectors: each platform plans its own calls (`fetch.py`), and
runs them through `run_call` so a failure becomes a `CallResult` with the error, never an
exception in the middle of a collector.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from wafops.collectors.platforms.common.errors import ApiError
from wafops.collectors.platforms.common.http import PlatformClient


@dataclass
class CallResult:
    """One planned call: its data, or the error that stopped it."""

    name: str
    url: str
    data: Any = None
    error: ApiError | None = None
    complete: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def run_call(client: PlatformClient, name: str, path: str, params: dict[str, Any], key: str | None, pages: int,
             single: bool = False) -> CallResult:
    """One object (`single`) or up to `pages` pages of a list."""
    url = client.url(path, params)
    try:
        if single:
            reply = client.get(path, params)
            return CallResult(name, url, reply.data)
        items, _first, complete = client.pages(path, params, max_pages=pages, key=key)
        return CallResult(name, url, items, complete=complete)
    except ApiError as err:
        return CallResult(name, url, error=err)


def results(futures: dict[str, Future[CallResult]] | None,
            fallback: Callable[[], dict[str, Future[CallResult]]]) -> dict[str, CallResult]:
    futures = futures if futures is not None else fallback()
    return {name: f.result() for name, f in futures.items()}


def selected(depths: dict[str, tuple[str, ...]], options: dict[str, Any], platform: str) -> set[str]:
    """The calls of the depth `<platform>_depth` (default standard), with `<platform>_calls` adjustments
    (`+call,-call`)."""
    calls = set(depths.get(str(options.get(f"{platform}_depth", "standard")).lower(), depths["standard"]))
    for item in str(options.get(f"{platform}_calls", "")).split(","):
        item = item.strip()
        if item.startswith("-"):
            calls.discard(item[1:])
        elif item:
            calls.add(item.lstrip("+"))
    return calls


def max_pages(options: dict[str, Any], platform: str) -> int:
    """Pages a list call may follow: `<platform>_max_pages`, by default 5 at full depth and 1 otherwise."""
    default = 5 if str(options.get(f"{platform}_depth", "standard")).lower() == "full" else 1
    return max(1, int(options.get(f"{platform}_max_pages", default)))
