"""What one alerting run shares between its detectors: the context, what was emitted, and the lookups of the
repository's own identity and folders that resolving runbook links needs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.model import Evidence, Strength, Subject


@dataclass
class AlertRun:
    """Per-subject state: one collector instance serves subjects on several threads."""

    ctx: CollectContext
    tree: RepoTree
    identity: str | None  # owner/name of the scanned repository, when known
    out: list[Evidence] = field(default_factory=list)
    seen: set[tuple[Any, ...]] = field(default_factory=set)
    dirs: set[str] | None = None  # folders of the tree, built on first need
    # per file: where each `alert:` key's value starts, grouped by its leading word (prometheus.alert_line)
    alert_keys: dict[str, dict[str, list[tuple[int, str, int]]]] = field(default_factory=dict)

    @classmethod
    def start(cls, ctx: CollectContext) -> AlertRun:
        assert ctx.tree is not None
        return cls(ctx, ctx.tree, repo_identity(ctx.subject))

    def emit(self, kind: str, path: str, attrs: dict[str, Any], *, line: int | None, strength: Strength,
             summary: str, key: Any) -> None:
        """One piece of evidence, once per (kind, path, key)."""
        k = (kind, path, key)
        if k in self.seen:
            return
        self.seen.add(k)
        self.out.append(self.ctx.file_evidence(kind, path, line=line, attributes=attrs, strength=strength, summary=summary))

    def exists(self, path: str) -> bool:
        """A file or a directory of the tree (a runbook link may point at a folder's README)."""
        path = path.strip("/")
        if self.tree.exists(path):
            return True
        if self.dirs is None:
            self.dirs = folders(self.tree.files)
        return path in self.dirs


def folders(files: list[str]) -> set[str]:
    """Every folder holding a file, at any depth: what splitting each path at each of its slashes gives, but a
    path's walk up stops at the first folder already listed (its parents are listed too), so the folders
    shared by thousands of files are not split out again for each."""
    out: set[str] = set()
    for f in files:
        d = f
        while "/" in d:
            d = d.rpartition("/")[0]
            if d in out:
                break
            out.add(d)
    return out


def repo_identity(subject: Subject) -> str | None:
    """owner/name of the scanned repository when known (platform scans); None for plain local checkouts."""
    for key in ("full_name", "repo", "project", "path_with_namespace"):
        v = subject.meta.get(key) if subject.meta else None
        if isinstance(v, str) and "/" in v:
            return v.lower().strip("/")
    if subject.permalink:
        m = re.match(r"https?://[^/]+/(.+?)/(?:-/)?(?:blob|tree)/", subject.permalink)
        if m:
            return m.group(1).lower()
    m = re.match(r"^(github|gitlab):(.+/.+)$", subject.id or "")
    return m.group(2).lower() if m else None
