"""Compare two JSON results: which (subject, control) levels went up or down.

Used by `wafops diff OLD NEW` and by `wafops scan --baseline OLD --fail-on-regression`, so a team
running the scan on a schedule can fail the job when a control regresses.

What counts as a regression (the gate): a lower level; a control that had a level and is now not
assessed (an outage week must not hide the next real drop); a subject of the baseline that is not in
the new result. The last two are waived by `--allow-missing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GONE = "gone"  # the status of a control whose subject (or the control itself) is not in the new result


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
        if self.new_status == GONE:
            return "missing"
        return "no longer assessed"

    @property
    def lost(self) -> bool:
        """The level is gone (not assessed, or not in the new result): waived by --allow-missing."""
        return self.old is not None and self.new is None

    def is_regression(self, allow_missing: bool = False) -> bool:
        return self.kind == "down" or (self.lost and not allow_missing)

    @property
    def regression(self) -> bool:
        return self.is_regression(False)

    def __str__(self) -> str:
        def fmt(lvl: int | None, st: str) -> str:
            if st == GONE:
                return "missing"
            return "n/a" if lvl is None else f"{lvl}" + ("~" if st == "partially_assessed" else "")

        return f"{self.subject} {self.control}: {fmt(self.old, self.old_status)} -> {fmt(self.new, self.new_status)} ({self.kind})"


def _levels(doc: dict[str, Any], field: str = "level") -> dict[tuple[str, str], tuple[int | None, str]]:
    return {(s["id"], c["id"]): (c.get(field, c["level"]), c["status"]) for s in doc["subjects"] for c in s["controls"]}


def compare(old: dict[str, Any], new: dict[str, Any], field: str = "level") -> tuple[list[Change], list[str], list[str]]:
    """(changes, subjects only in old, subjects only in new).

    `changes` also holds, for every subject or control only in `old` that had a level, a change to
    `missing`, so the gate sees it. `field` is the level compared (e.g. a confirmed level).
    """
    a, b = _levels(old, field), _levels(new, field)
    changes = [
        Change(sid, cid, a[(sid, cid)][0], b[(sid, cid)][0], a[(sid, cid)][1], b[(sid, cid)][1])
        for (sid, cid) in sorted(a.keys() & b.keys())
        if a[(sid, cid)][0] != b[(sid, cid)][0]
    ]
    changes += [
        Change(sid, cid, a[(sid, cid)][0], None, a[(sid, cid)][1], GONE)
        for (sid, cid) in sorted(a.keys() - b.keys())
        if a[(sid, cid)][0] is not None
    ]
    old_subjects = {s["id"] for s in old["subjects"]}
    new_subjects = {s["id"] for s in new["subjects"]}
    return changes, sorted(old_subjects - new_subjects), sorted(new_subjects - old_subjects)


def regressions(changes: list[Change], gone: list[str], allow_missing: bool = False) -> list[str]:
    """What the regression gate fails on, one line each: subject, control, from what to what."""
    out = [str(c) for c in changes if c.is_regression(allow_missing)]
    covered = {c.subject for c in changes if c.new_status == GONE}
    if not allow_missing:  # a subject that had no assessed control still disappeared
        out += [f"{s}: in the baseline, missing from this result" for s in gone if s not in covered]
    return out


def render(changes: list[Change], gone: list[str], added: list[str], allow_missing: bool = False) -> str:
    lines = []
    if not (changes or gone or added):
        return "no level changed"
    for ch in changes:
        lines.append(("REGRESSION " if ch.is_regression(allow_missing) else "") + str(ch))
    covered = {c.subject for c in changes if c.new_status == GONE}
    lines += [("REGRESSION " if not allow_missing and s not in covered else "") + f"{s}: not in the new result" for s in gone]
    lines += [f"{s}: new subject" for s in added]
    return "\n".join(lines)
