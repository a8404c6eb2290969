"""What a scan may still spend on a platform: its call budget (`max_calls`) and its deadline.

Every request of a client is counted here before it is sent; the counters (`stats`: requests,
statuses, refusals, retries by cause) are what the tests and benchmarks read.
"""

from __future__ import annotations

import threading
from collections import Counter

from wafops.collectors.platforms.common.errors import ApiError, BudgetExhausted, safe_url
from wafops.scanner.core import deadline


class CallBudget:
    """The requests of a whole scan, bounded by `max_calls` (None: unbounded), and the client's counters."""

    def __init__(self, max_calls: int | None) -> None:
        self.max_calls = max_calls if max_calls and max_calls > 0 else None
        self.stats: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.stats[key] += n

    def spend(self, url: str) -> None:
        """One request of the call budget, or BudgetExhausted."""
        with self._lock:
            if self.max_calls is not None and self.stats["requests"] >= self.max_calls:
                self.stats["budget_refused"] += 1
                raise BudgetExhausted(0, safe_url(url), f"call budget of {self.max_calls} requests spent")
            self.stats["requests"] += 1

    def check_deadline(self, url: str) -> None:
        """Nothing is requested once the scan deadline (--deadline) has passed."""
        if deadline.passed():
            self.count("deadline_refused")
            raise ApiError(0, safe_url(url), "not requested: the scan deadline (--deadline) passed")
