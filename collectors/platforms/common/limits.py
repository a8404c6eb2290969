"""When to wait and when to try again: rate limits and retries of a platform client.

- Primary limits: a response saying no requests are left (`X-RateLimit-Remaining: 0`, GitLab's
  `RateLimit-Remaining`) pauses every thread of the client until the reset time (`X-RateLimit-Reset`,
  `RateLimit-Reset`).
- Throttling answers (403/429, with `Retry-After` or a reset time, or a "rate limit" message) are
  waited out and retried; each wait is bounded by `max_wait`, and nothing waits past the scan
  deadline (`wafops.scanner.core.deadline`): a longer wait raises `RateLimited`.
- 5xx answers and connection errors are retried a few times with exponential backoff, and retries
  stop once one call has used `max_call_seconds`.
"""

from __future__ import annotations

import email.utils
import threading
import time
from typing import Any

from wafops.collectors.platforms.common.errors import RateLimited, safe_url
from wafops.collectors.platforms.common.wire import as_float, message
from wafops.scanner.core import deadline
from wafops.scanner.core.notices import notice


class RateLimits:
    """One pause shared by every thread of a client: when the platform says stop, all requests wait."""

    def __init__(self, platform: str, max_wait: float) -> None:
        self.platform = platform
        self.max_wait = max_wait
        self._until = 0.0
        self._why = ""
        self._lock = threading.Lock()

    def wait(self, url: str = "") -> None:
        """Sleep while the pause lasts; RateLimited when it would last past the scan deadline."""
        while True:
            with self._lock:
                delay = self._until - time.time()
            if delay <= 0:
                return
            left = deadline.remaining()
            if left is not None and delay >= left:
                raise RateLimited(0, safe_url(url), f"rate limited for {delay:.0f}s more, past the scan deadline")
            with self._lock:
                why = self._why
            notice(f"{self.platform}: waiting {delay:.0f}s for the rate limit ({why}); requests resume then")
            time.sleep(min(delay, 1.0))

    def pause(self, wait: float, why: str) -> None:
        """Hold every request for `wait` seconds from now (a longer pause already set stays)."""
        with self._lock:
            self._until = max(self._until, time.time() + wait)
            self._why = why

    @staticmethod
    def remaining(resp: Any) -> str | None:
        return resp.headers.get("X-RateLimit-Remaining") or resp.headers.get("RateLimit-Remaining")

    @staticmethod
    def reset(resp: Any) -> float | None:
        return as_float(resp.headers.get("X-RateLimit-Reset") or resp.headers.get("RateLimit-Reset"))

    def note(self, resp: Any) -> None:
        """A successful answer that spent the last request: pause until the limit resets."""
        if self.remaining(resp) == "0" and resp.status_code < 400:
            reset = self.reset(resp)
            if reset:
                wait = reset - time.time() + 1
                if 0 < wait <= self.max_wait:
                    self.pause(wait, "no requests left until the limit resets")

    def refusal_wait(self, resp: Any) -> float | None:
        """Seconds to wait when the response is a rate-limit refusal; None when it is not one."""
        if resp.status_code not in (403, 429):
            return None
        retry_after = resp.headers.get("Retry-After")
        if retry_after is not None:
            secs = as_float(retry_after)
            if secs is None:
                try:
                    secs = email.utils.parsedate_to_datetime(retry_after).timestamp() - time.time()
                except (TypeError, ValueError):
                    secs = 60.0
            return max(0.0, secs)
        if self.remaining(resp) == "0":
            reset = self.reset(resp)
            return max(0.0, (reset - time.time() + 1) if reset else 60.0)
        if resp.status_code == 429 or "rate limit" in message(resp).lower():
            return 60.0  # a limit without a hint: wait a minute
        return None


class Retries:
    """How many attempts a call gets, and how long it sleeps between them."""

    def __init__(self, retries: int, backoff: float, max_wait: float, max_call_seconds: float) -> None:
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.max_call_seconds = max_call_seconds

    def left(self, started: float) -> float:
        """Seconds this call (started at `started`, monotonic) may still take."""
        return self.max_call_seconds - (time.monotonic() - started)

    def time_for_retry(self, started: float) -> bool:
        """Another attempt fits in this call's `max_call_seconds` (and before the scan deadline)."""
        spent = time.monotonic() - started
        left = deadline.remaining()
        return spent + 0.5 < self.max_call_seconds and (left is None or left > 0)

    def sleep_backoff(self, attempt: int, started: float | None = None) -> None:
        if attempt < self.retries:
            delay = min(self.max_wait, self.backoff * (2**attempt))
            if started is not None:
                delay = min(delay, max(0.0, self.max_call_seconds - (time.monotonic() - started)))
            left = deadline.remaining()
            time.sleep(delay if left is None else min(delay, left))
