"""What a change must declare and how it is labelled: PR/MR templates and issue/MR templates' labels."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.repo.change.common import ChangeScan, label_names
from wafops.scanner.core.model import Evidence, Strength

PR_TEMPLATE_GLOBS = (
    "pull_request_template.md", ".github/pull_request_template.md", "docs/pull_request_template.md",
    ".github/PULL_REQUEST_TEMPLATE/*.md", "PULL_REQUEST_TEMPLATE/*.md", "docs/PULL_REQUEST_TEMPLATE/*.md",
    ".gitlab/merge_request_templates/*.md", ".azuredevops/pull_request_template.md",
    ".azuredevops/pull_request_template/*.md", ".vsts/pull_request_template.md",
)
TEMPLATE_LABEL_GLOBS = (".gitlab/issue_templates/*.md", ".gitlab/merge_request_templates/*.md",
                        ".github/ISSUE_TEMPLATE/*.md", ".github/ISSUE_TEMPLATE/*.yml", ".github/ISSUE_TEMPLATE/*.yaml")
# GitLab quick action on its own line: /label ~bug ~"Change::Emergency" ~CAB::to-review
QUICK_LABEL_RX = re.compile(r"(?m)^\s*/label\s+(.+)$")
QUICK_LABEL_TOKEN_RX = re.compile(r'~"([^"]+)"|~([^\s~"]+)')

FIELD_RX = {
    # a per-change security review (threats, STRIDE, "security-related subjects a reviewer should check") is a
    # risk assessment as much as a "Risk" heading is
    "risk": re.compile(r"(?i)\brisk|blast radius|impact (assessment|analysis)|\bthreats?\b|\bSTRIDE\b"
                       r"|security[- ](related|review|impact|implications|considerations)"),
    "rollback": re.compile(r"(?i)roll[- ]?back|revert (plan|strategy)|back[- ]?out|undo plan"),
    "testing": re.compile(r"(?i)\btest(s|ing|ed)?\b|\bQA\b|how (was|has) this been (tested|verified)|verification"),
    "category": re.compile(
        r"(?i)change (type|category|class)|type of change|kind of change|category|\b(standard|normal|emergency) change"
    ),
    "ticket": re.compile(r"(?i)ticket|\bjira\b|\bissues?\b|issue\(s\)|closes #|fixes #|change request|\bCHG\b"),
}
_HEADING = re.compile(r"^\s{0,3}(#{1,6}\s+.+|\*\*[^*]+\*\*|__[^_]+__|[-*]\s+\[[ xX]\]\s+.+|[A-Z][\w /&-]{1,40}:)")


def pr_templates(scan: ChangeScan) -> Iterator[Evidence]:
    for path in scan.tree.glob(*PR_TEMPLATE_GLOBS):
        text = scan.tree.text(path)
        if not text:
            continue
        fields = template_fields(text)
        yield scan.ctx.file_evidence(
            "change.pr_template", path, line=1, attributes={"fields": fields},
            summary="PR/MR template" + (f" asking for {', '.join(fields)}" if fields else ""),
        )


def template_fields(text: str) -> list[str]:
    """Which fields a PR/MR template asks for, from its headings, bold labels and checkboxes."""
    lines = [ln for ln in text.splitlines() if _HEADING.match(ln)]
    label_text = "\n".join(lines)
    fields = [f for f, rx in FIELD_RX.items() if rx.search(label_text)]
    if re.search(r"(?m)^\s*[-*]\s+\[[ xX]\]", text):
        fields.append("checklist")
    return fields


def template_labels(scan: ChangeScan) -> Iterator[Evidence]:
    """Labels that issue/MR templates put on what they open: GitLab quick actions (`/label ~"Change::Emergency"`
    outside HTML comments), GitHub issue-form `labels:` and markdown front matter `labels:`. A team whose change
    requests are GitLab issues opened from `Change Regular.md` / `Change Emergency.md` categorises every change
    that way (the labels exist and are applied by the form itself)."""
    tree = scan.tree
    names: list[str] = []
    first: tuple[str, int] | None = None
    for path in tree.glob(*TEMPLATE_LABEL_GLOBS):
        new = [n for n in _labels_of(scan, path) if n and n not in names]
        if new and first is None:
            first = (path, tree.line_of(path, re.compile(r"^(/label|labels:)", re.M)) or 1)
        names += new
    if names and first is not None:
        yield scan.ctx.file_evidence("change.labels", first[0], line=first[1],
                                     attributes={"labels": names[:300], "origin": "templates"}, strength=Strength.STRONG,
                                     summary=f"{len(names)} label(s) applied by issue/MR templates")


def _labels_of(scan: ChangeScan, path: str) -> list[str]:
    """The labels one template applies: an issue form's `labels:`, else front matter and `/label` quick actions."""
    text = scan.tree.text(path) or ""
    if path.lower().endswith((".yml", ".yaml")):
        data = scan.tree.yaml(path)
        raw = data.get("labels") if isinstance(data, dict) else None
        return [x.strip() for x in raw.split(",") if x.strip()] if isinstance(raw, str) else label_names(raw)
    found: list[str] = []
    fm = re.match(r"(?s)^---\n(.*?)\n---", text)
    if fm:
        m = re.search(r"(?m)^labels:\s*(.+)$", fm.group(1))
        if m:
            found = [x.strip().strip("'\"[]") for x in m.group(1).split(",") if x.strip().strip("'\"[]")]
    body = re.sub(r"(?s)<!--.*?-->", "", text)
    for m in QUICK_LABEL_RX.finditer(body):
        found += [a or b for a, b in QUICK_LABEL_TOKEN_RX.findall(m.group(1))]
    return found
