"""The whole-scan deadline (`wafops scan --deadline SECONDS`), shared by the engine and the HTTP clients.

The engine starts it; a platform client asks `remaining()` before each request and never waits
(rate limits, backoff, a slow body) past it, so a scan ends on time with what it collected and
the calls it could not make marked unreadable (criteria not assessed, never "not met").
"""

from __future__ import annotations

import time

_at: float | None = None


def start(seconds: float | None) -> None:
    global _at
    _at = time.monotonic() + seconds if seconds else None


def clear() -> None:
    global _at
    _at = None


def remaining() -> float | None:
    """Seconds left (never negative), or None when no deadline was set."""
    return None if _at is None else max(0.0, _at - time.monotonic())


def passed() -> bool:
    left = remaining()
    return left is not None and left <= 0
