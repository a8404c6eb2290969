"""Compare two JSON results: which (subject, control) levels went up or down.

Used by `wafops diff OLD NEW` and by `wafops scan --baseline OLD --fail-on-regression`, so a team
running the scan on a schedule can fail the job when a control regresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    subject: str
    control: str
    old: int | None
    new: int | None
    old_status: str
    new_status: str

    @property
    def kind(self) -> str:
        if self.old is not None and self.new is not None:
            return "up" if self.new > self.old else "down"
        if self.old is None and self.new is not None:
            return "now assessed"
        return "no longer assessed"

    @property
    def regression(self) -> bool:
        """A lower level. Losing the assessment (e.g. a token expired) is reported but is not a regression."""
        return self.kind == "down"

    def __str__(self) -> str:
        fmt = lambda lvl, st: "n/a" if lvl is None else f"{lvl}" + ("~" if st == "partially_assessed" else "")  # noqa: E731
        return f"{self.subject} {self.control}: {fmt(self.old, self.old_status)} -> {fmt(self.new, self.new_status)} ({self.kind})"


def _levels(doc: dict[str, Any]) -> dict[tuple[str, str], tuple[int | None, str]]:
    return {(s["id"], c["id"]): (c["level"], c["status"]) for s in doc["subjects"] for c in s["controls"]}


def compare(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[Change], list[str], list[str]]:
    """(changes, subjects only in old, subjects only in new)."""
    a, b = _levels(old), _levels(new)
    changes = [
        Change(sid, cid, a[(sid, cid)][0], b[(sid, cid)][0], a[(sid, cid)][1], b[(sid, cid)][1])
        for (sid, cid) in sorted(a.keys() & b.keys())
        if a[(sid, cid)][0] != b[(sid, cid)][0]
    ]
    old_subjects = {s["id"] for s in old["subjects"]}
    new_subjects = {s["id"] for s in new["subjects"]}
    return changes, sorted(old_subjects - new_subjects), sorted(new_subjects - old_subjects)


def render(changes: list[Change], gone: list[str], added: list[str]) -> str:
    lines = []
    if not (changes or gone or added):
        return "no level changed"
    for ch in changes:
        lines.append(("REGRESSION " if ch.regression else "") + str(ch))
    lines += [f"{s}: not in the new result" for s in gone]
    lines += [f"{s}: new subject" for s in added]
    return "\n".join(lines)
