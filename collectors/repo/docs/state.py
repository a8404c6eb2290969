"""What one docs scan shares between its detectors."""

from __future__ import annotations

from dataclasses import dataclass, field

from wafops.collectors.base import CollectContext
from wafops.scanner.core.gitinfo import GitInfo
from wafops.scanner.core.model import Evidence


@dataclass
class DocsScan:
    """Per-subject state: one collector instance serves subjects on several threads."""

    ctx: CollectContext
    git: GitInfo | None  # full history only (None for a shallow clone or no git): dates come from here
    runbooks: list[Evidence] = field(default_factory=list)  # found by the runbook detector, for the automation one

    def changed(self, path: str) -> str | None:
        """The day a file last changed, from git."""
        d = self.git.last_changed(path) if self.git else None
        return d.date().isoformat() if d else None
