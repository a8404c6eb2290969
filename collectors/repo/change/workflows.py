"""CI workflows that gate changes: risk gates demanding more approvals, and pull-request checks that fail
without a category label or a changelog entry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.repo.change.common import WORKFLOW_GLOBS, ChangeScan
from wafops.collectors.repo.ci_model import as_list, uniq
from wafops.scanner.core.model import Evidence, Strength

RISK_GATE_RX = re.compile(r"(?i)risk[:/_-](high|critical)|high[-_ ]risk")
# merge checks that demand a changelog entry per change: towncrier/changelog-enforcer style actions, or a PR job
# that looks for the PR in CHANGES.md/CHANGELOG/NEWS (or a changelog.d fragment) and fails without it
CHANGELOG_GATE_RX = re.compile(r"(?i)towncrier\b[^\n]*\bcheck\b|changelog[-_]?enforcer|changelog[-_]?check(?:er)?\b|"
                               r"check[-_]changelog|require[-_]changelog|changelog[-_]?required|newsfragment[-_ ]?check")
CHANGELOG_FILE_RX = re.compile(r"(?i)\b(?:CHANGES|CHANGELOG|NEWS|HISTORY)(?:\.(?:md|rst|txt))?\b|changelog\.d/|newsfragments?/")
FAIL_RX = re.compile(r"(?m)\bexit\s+1\b|core\.setFailed|::error")
PR_REF_RX = re.compile(r"github\.event\.pull_request\.number|git diff[^\n]*(?:base|origin)|pull_request\.base")
LABEL_ACTION_RX = re.compile(r"(?i)required[-_]labels|label[-_]checker|enforce[-_]label|require[-_]labels?|check[-_]labels")
LABEL_KEY_RX = re.compile(r"(?i)^(labels|one_of|any_of|all_of|required_labels(_any|_all)?|valid[-_]labels)$")


def risk_gates(scan: ChangeScan) -> Iterator[Evidence]:
    tree = scan.tree
    for path in tree.glob(*WORKFLOW_GLOBS, ".gitlab-ci.yml"):
        text = tree.text(path) or ""
        m = RISK_GATE_RX.search(text)
        if m and re.search(r"(?i)approv", text):
            n = re.search(r"(?i)\b(two|2|three|3)\s+approv|approv\w*[^\n]{0,40}(-ge|>=|at least)\s*(2|3)\b", text)
            need = 0 if n is None else (3 if "3" in n.group(0) or "three" in n.group(0).lower() else 2)
            yield scan.ctx.file_evidence(
                "change.risk_routing", path, line=tree.line_of(path, RISK_GATE_RX),
                attributes={"tool": "risk-gate-workflow", "min_approvals": need}, strength=Strength.STRONG,
                summary="a CI check demands more approvals for risky changes" + (f" ({need})" if need else ""),
            )


def pull_request_checks(scan: ChangeScan) -> Iterator[Evidence]:
    """Pull-request workflows that fail unless the change carries a category label or a changelog entry."""
    tree = scan.tree
    for path in tree.glob(*WORKFLOW_GLOBS):
        data = tree.yaml(path)
        on = data.get("on", data.get(True)) if isinstance(data, dict) else None
        events = set(on) if isinstance(on, dict | list) else {on} if isinstance(on, str) else set()
        if not events & {"pull_request", "pull_request_target"}:
            continue
        text = tree.text(path) or ""
        labels = required_labels(data)
        changelog = bool(CHANGELOG_GATE_RX.search(text) or (CHANGELOG_FILE_RX.search(text) and FAIL_RX.search(text)
                                                            and PR_REF_RX.search(text)))
        if not labels and not changelog:
            continue
        attrs = {"tool": "workflow", "min_approvals": 0, "required_labels": labels[:50], "requires_changelog": changelog}
        what = " and ".join(([f"one of {len(labels)} label(s)"] if labels else []) + (["a changelog entry"] if changelog else []))
        line = tree.line_of(path, CHANGELOG_GATE_RX if changelog and CHANGELOG_GATE_RX.search(text) else
                            CHANGELOG_FILE_RX if changelog else LABEL_ACTION_RX) or 1
        yield scan.ctx.file_evidence("change.merge_check", path, line=line, attributes=attrs, strength=Strength.STRONG,
                                     summary=f"a pull-request check fails changes without {what}")


def required_labels(data: Any) -> list[str]:
    """Labels a PR job demands (required-labels / label-checker actions: `labels`, `one_of`, `any_of`, ...)."""
    out: list[str] = []
    jobs = data.get("jobs") if isinstance(data, dict) and isinstance(data.get("jobs"), dict) else {}
    for body in jobs.values():
        for step in as_list(body.get("steps") if isinstance(body, dict) else None):
            if not isinstance(step, dict) or not LABEL_ACTION_RX.search(str(step.get("uses") or "")):
                continue
            with_ = step.get("with") if isinstance(step.get("with"), dict) else {}
            env = step.get("env") if isinstance(step.get("env"), dict) else {}
            for key, value in list(with_.items()) + list(env.items()):
                if LABEL_KEY_RX.search(str(key)):
                    out += [x.strip().strip("'\"") for x in re.split(r"[,\n]", str(value)) if x.strip()]
    return uniq(out)
