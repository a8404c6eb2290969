"""Test helpers shared by the suite: build trees, run one collector, evaluate a control."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from wafops.collectors.base import CollectContext, Collector
from wafops.rules.catalog import get_control
from wafops.rules.probes import EvidenceSet
from wafops.scanner.assess.levels import evaluate_control
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.model import ControlResult, Evidence, SourceState, SourceStatus, Subject

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create files (parents included) below root; bytes are written as-is."""
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)
    return root


def collect_with(collector: Collector, root: Path, subject_id: str = "local:test", now: datetime = NOW,
                 options: dict | None = None) -> tuple[list[Evidence], CollectContext]:
    """Run one collector over a directory, the way the engine does."""
    subject = Subject(id=subject_id, workdir=str(root), commit="0" * 40)
    ctx = CollectContext(subject=subject, tree=RepoTree.scan(root), options=options or {}, now=now)
    evidence = list(collector.collect(subject, ctx)) if collector.applies(subject, ctx) else []
    return evidence, ctx


def sources(**states: str) -> dict[str, SourceStatus]:
    """sources(repo="ok", git="ok") -> statuses; unspecified sources are not_configured."""
    out = {}
    for name in ("repo", "git", "github", "gitlab", "aws", "azure"):
        st = SourceState(states.get(name, "not_configured"))
        out[name] = SourceStatus(name, st, "" if st is SourceState.OK else "not scanned in this test")
    return out


def evidence_set(evidence: list[Evidence], now: datetime = NOW, **states: str) -> EvidenceSet:
    states = states or {"repo": "ok", "git": "ok"}
    return EvidenceSet(evidence, sources(**states), now)


def evaluate(control_id: str, evidence: list[Evidence], now: datetime = NOW, **states: str) -> ControlResult:
    control = get_control(control_id)
    assert control is not None, control_id
    return evaluate_control(control, evidence_set(evidence, now, **states))


def install_plugin(site: Path, module: str, code: str, entry_points: str) -> Path:
    """A plugin the way pip would leave it: `module` (a package holding `code`) plus a dist-info whose
    entry_points.txt is `entry_points`. Put `site` on sys.path (monkeypatch.syspath_prepend) to use it."""
    (site / module).mkdir(parents=True)
    (site / module / "__init__.py").write_text(code)
    dist = site / f"{module}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(entry_points)
    return site
