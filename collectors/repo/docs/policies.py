"""Operational policies (doc.policy): documents named for a topic (drift SLA, on-call, rollback, deployment,
incident process, toil OKRs, DORA review, alert review)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.repo.docs.markup import DOC_EXT, EXCLUDE_RX
from wafops.collectors.repo.docs.state import DocsScan
from wafops.scanner.core.model import Evidence, Strength

POLICY_TOPICS: list[tuple[str, re.Pattern[str]]] = [
    ("drift-sla", re.compile(r"(?i)drift[^/]*(sla|policy|process)[^/]*$")),
    ("oncall", re.compile(r"(?i)(on-?call|escalation)[^/]*$")),
    ("rollback", re.compile(r"(?i)roll-?back[^/]*$")),
    ("deployment", re.compile(r"(?i)deploy(ment)?[-_]?(process|policy|procedure|guide|checklist)[^/]*$|(^|/)deploy(ment|ing)?\.(md|adoc|rst)$")),
    ("incident-process", re.compile(r"(?i)incident[-_]?(response|process|management|handling|policy)[^/]*$")),
    ("toil-okr", re.compile(r"(?i)(toil|okr)[^/]*$")),
    ("dora-review", re.compile(r"(?i)(dora|delivery[-_]metrics)[^/]*$")),
    ("alert-review", re.compile(r"(?i)alert(ing)?[-_]?(review|policy|hygiene)[^/]*$")),
]


def policies(scan: DocsScan) -> Iterator[Evidence]:
    """Detector: operational policy documents at the top of the repository or its docs (doc.policy)."""
    ctx = scan.ctx
    for path in ctx.tree.with_suffix(*DOC_EXT):
        if EXCLUDE_RX.search(path):
            continue
        top = path.count("/") == 0 or path.lower().startswith(("docs/", "doc/", "ops/", "operations/", "runbooks/", "handbook/"))
        if not top:
            continue
        for topic, rx in POLICY_TOPICS:
            if rx.search(path.rsplit("/", 1)[-1]):
                yield ctx.file_evidence("doc.policy", path, line=1, attributes={"topic": topic},
                                        strength=Strength.WEAK, summary=f"{topic} document")
                break
