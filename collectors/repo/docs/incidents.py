"""Incident process around the reviews: incident templates, trend reports, incident tooling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.repo.docs import markup
from wafops.collectors.repo.docs.markup import BLAMELESS_RX, DOC_EXT, EXCLUDE_RX, MONTH_IN_NAME
from wafops.collectors.repo.docs.postmortems import PM_SECTION_RX
from wafops.collectors.repo.docs.state import DocsScan
from wafops.scanner.core.model import Evidence, Strength

INCIDENT_TOOL_FILES = {
    ".firehydrant.yml": "firehydrant", "firehydrant.yml": "firehydrant", ".rootly.yml": "rootly", "rootly.yml": "rootly",
    ".incident.yml": "incident-io", "incident-io.yml": "incident-io",
}


def incident_templates(scan: DocsScan) -> Iterator[Evidence]:
    """Detector: incident issue and merge-request templates (doc.incident_template)."""
    ctx = scan.ctx
    tree = ctx.tree
    rx = re.compile(r"(?i)incident|post[-_ ]?mortem|outage|\bpir\b|\brca\b")
    for path in tree.glob(".github/ISSUE_TEMPLATE/*", ".gitlab/issue_templates/*", ".gitlab/merge_request_templates/*"):
        name = path.rsplit("/", 1)[-1]
        if not rx.search(name):
            continue
        text = tree.text(path) or ""
        if path.lower().endswith((".yml", ".yaml")):
            kind = "issue-form"
            data = tree.yaml(path)
            labels = form_labels(data)
        else:
            kind = "mr-template" if "merge_request" in path.lower() else "issue-template"
            labels = markup.headings(text, path)
        sections = [s for s, srx in PM_SECTION_RX.items() if any(srx.search(lb) for lb in labels)]
        yield ctx.file_evidence(
            "doc.incident_template", path, line=1,
            attributes={"kind": kind, "postmortem": bool(re.search(r"(?i)post[-_ ]?mortem|review|\bpir\b|\brca\b", name)) or len(sections) >= 3,
                        "sections": sections, "blameless": bool(BLAMELESS_RX.search(text))},
            summary=f"incident {kind} ({', '.join(sections) or 'no review sections'})",
        )


def incident_trends(scan: DocsScan) -> Iterator[Evidence]:
    """Detector: periodic incident trend reports (doc.incident_trend)."""
    ctx = scan.ctx
    rx = re.compile(r"(?i)(incident|postmortem|reliability|ops)[-_ ]?(trend|review|report)s?[-_ ]?(20\d\d[-_][01]\d)|"
                    r"(^|/)(incident-)?trends/[^/]*(20\d\d[-_][01]\d)")
    for path in ctx.tree.with_suffix(*DOC_EXT):
        if EXCLUDE_RX.search(path):
            continue
        m = rx.search(path)
        if m:
            period = MONTH_IN_NAME.search(path.rsplit("/", 1)[-1]) or MONTH_IN_NAME.search(path)
            yield ctx.file_evidence("doc.incident_trend", path, line=1,
                                    attributes={"period": f"{period.group(1)}-{period.group(2)}" if period else None},
                                    summary="incident trend report")


def incident_tooling(scan: DocsScan) -> Iterator[Evidence]:
    """Detector: incident-management tool configuration and workflows reacting to incident issues."""
    ctx = scan.ctx
    tree = ctx.tree
    for path in tree.named(*INCIDENT_TOOL_FILES):
        name = path.rsplit("/", 1)[-1].lower()
        if path.count("/") <= 1:
            yield ctx.file_evidence("doc.incident_tooling", path, line=1, attributes={"tool": INCIDENT_TOOL_FILES[name]},
                                    strength=Strength.WEAK, summary=f"{INCIDENT_TOOL_FILES[name]} configuration")
    for path in tree.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        text = tree.text(path) or ""
        if re.search(r"(?m)^\s*(issues|issue_comment)\s*:", text) and re.search(r"(?i)incident|post-?mortem", text):
            yield ctx.file_evidence("doc.incident_tooling", path, line=tree.line_of(path, re.compile(r"(?i)incident")),
                                    attributes={"tool": "issue-workflow"}, strength=Strength.WEAK,
                                    summary="workflow reacting to incident issues")


def form_labels(data: Any) -> list[str]:
    out: list[str] = []
    body = data.get("body") if isinstance(data, dict) else None
    for item in body if isinstance(body, list) else []:
        attrs = item.get("attributes") if isinstance(item, dict) else None
        if isinstance(attrs, dict):
            for key in ("label", "description"):
                if attrs.get(key):
                    out.append(str(attrs[key])[:200])
        if isinstance(item, dict) and item.get("id"):
            out.append(str(item["id"]).replace("_", " "))
    return out
