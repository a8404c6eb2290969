"""One repository's (GitHub) or project's (GitLab) collection: what every part of it shares.

A platform collector reads its subject part by part (branch rules, environments, runs, issues,
reviews, deployments and DORA ...), each part a function `part(run) -> Iterator[Evidence]` in a
module of its own; `run_parts` runs them in order. The run holds the scan's options, the calls the
depth selected, the results of the planned calls (`res`) and whatever one part leaves for a later
one (merged changes for DORA, ...), and counts the failures so that a token refused everywhere
marks the source `denied`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.platforms.common import unreadable as unread
from wafops.collectors.platforms.common.calls import CallResult
from wafops.collectors.platforms.common.errors import ApiError
from wafops.scanner.core.model import Evidence, SourceState, Strength, Subject


class PlatformRun:
    """The shared state and helpers of one subject's collection on a platform (`source`: github, gitlab)."""

    source = "platform"

    def __init__(self, subject: Subject, ctx: CollectContext, calls: set[str]) -> None:
        self.s, self.ctx = subject, ctx
        self.branch: str = subject.meta.get("default_branch") or "main"
        self.opts = ctx.options
        self.window = int(self.opts.get("window_days", 90))
        self.pattern = self.opts.get("production_pattern") or None
        self.calls = calls
        self.failures: list[tuple[str, ApiError]] = []
        self.res: dict[str, CallResult] = {}  # the planned calls' results, once collected

    @property
    def now(self) -> datetime:
        return self.ctx.now

    @property
    def start(self) -> datetime:
        """The first moment of the window."""
        return self.now - timedelta(days=self.window)

    def wanted(self, call: str) -> bool:
        return call in self.calls

    def ev(self, kind: str, url: str, attrs: dict[str, Any], summary: str = "",
           strength: Strength = Strength.DIRECT) -> Evidence:
        return self.ctx.api_evidence(kind, self.source, url, attributes=attrs, summary=summary, strength=strength)

    def not_read(self, what: str, why: str, url: str) -> Evidence:
        """A part left out on purpose (cost budget, options): also recorded, so absence is not inferred."""
        return unread.not_read(self.ctx, self.source, what, why, url)

    def unreadable(self, call: str, err: ApiError) -> Iterator[Evidence]:
        """A call that failed: recorded (`failures`) and reported, so nobody infers absence. Per platform."""
        raise NotImplementedError

    def result(self, call: str) -> Generator[Evidence, None, CallResult | None]:
        """The planned call's answer (`res`); None when it was not made, or when it failed (then reported)."""
        r = self.res.get(call)
        if r is not None and not r.ok:
            assert r.error is not None
            yield from self.unreadable(call, r.error)
            return None
        return r

    def run_parts(self, parts: Iterable[Callable[[Any], Iterator[Evidence]]]) -> Iterator[Evidence]:
        """Each part's evidence in turn; then a token refused by every call (2 or more) makes the source denied."""
        for part in parts:
            yield from part(self)
        if self.failures and all(e.status == 401 for _, e in self.failures) and len(self.failures) >= 2:
            self.ctx.source_status(self.source, SourceState.DENIED, "the token was refused (HTTP 401)")
