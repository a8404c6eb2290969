"""Messages for the person waiting: progress and waits, on stderr, with or without a terminal.

Collectors and clients call `notice(...)` (a rate-limit wait says how long and why); the CLI
decides where it goes (`set_sink`). The same message repeated within a few seconds is shown once,
so forty threads waiting for one rate-limit reset print one line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

_sink: Callable[[str], None] | None = None
_last: dict[str, float] = {}
_lock = threading.Lock()
REPEAT_AFTER = 10.0


def set_sink(sink: Callable[[str], None] | None) -> None:
    global _sink
    _sink = sink
    _last.clear()


def notice(message: str) -> None:
    sink = _sink
    if sink is None:
        return
    now = time.monotonic()
    with _lock:
        if now - _last.get(message, -REPEAT_AFTER) < REPEAT_AFTER:
            return
        _last[message] = now
    try:
        sink(message)
    except Exception:  # a message must never break the scan
        pass
