"""Bot configuration kept in the repository: dependency bots (Renovate, Dependabot), the path labeler,
policy-bot, and review bots whose merge check demands approvals or labels (Zappr, PullApprove, Mergeable)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.repo.change.common import ChangeScan
from wafops.collectors.repo.ci_model import as_list
from wafops.collectors.translate.scm import declared_int
from wafops.scanner.core.model import Evidence, Strength

RENOVATE_PATHS = (
    "renovate.json", "renovate.json5", ".github/renovate.json", ".github/renovate.json5",
    ".gitlab/renovate.json", ".gitlab/renovate.json5", ".renovaterc", ".renovaterc.json", ".renovaterc.json5",
)
DEPENDABOT_PATHS = (".github/dependabot.yml", ".github/dependabot.yaml")
REVIEW_BOT_PATHS = (".zappr.yaml", ".zappr.yml", ".github/mergeable.yml", ".github/mergeable.yaml",
                    ".pullapprove.yml", ".pullapprove.yaml")
RISKY_LABEL_RX = re.compile(r"(?i)risk|critical|infra|security|breaking|prod|database|migration|high")


# ---- dependency update bots -----------------------------------------------------------------------
def dependency_bots(scan: ChangeScan) -> Iterator[Evidence]:
    yield from _renovate(scan)
    yield from _dependabot(scan)


def _renovate(scan: ChangeScan) -> Iterator[Evidence]:
    tree = scan.tree
    for path in RENOVATE_PATHS:
        if tree.exists(path):
            data = tree.json(path) if path.endswith(".json") or path == ".renovaterc" else None
            managers = data.get("enabledManagers") if isinstance(data, dict) else None
            yield scan.ctx.file_evidence(
                "change.dependency_bot", path, line=1,
                attributes={"tool": "renovate", "ecosystems": list(managers) if isinstance(managers, list) else ["all"]},
                summary="Renovate configured",
            )
            return
    if tree.exists("package.json"):
        data = tree.json("package.json")
        if isinstance(data, dict) and "renovate" in data:
            yield scan.ctx.file_evidence(
                "change.dependency_bot", "package.json", line=tree.line_of("package.json", '"renovate"'),
                attributes={"tool": "renovate", "ecosystems": ["all"]}, summary="Renovate configured in package.json",
            )


def _dependabot(scan: ChangeScan) -> Iterator[Evidence]:
    tree = scan.tree
    for path in DEPENDABOT_PATHS:
        if not tree.exists(path):
            continue
        data = tree.yaml(path)
        updates = data.get("updates") if isinstance(data, dict) else None
        ecos = sorted({str(u.get("package-ecosystem")) for u in updates or [] if isinstance(u, dict) and u.get("package-ecosystem")})
        yield scan.ctx.file_evidence(
            "change.dependency_bot", path, line=1, attributes={"tool": "dependabot", "ecosystems": ecos},
            summary=f"Dependabot for {', '.join(ecos) or 'no ecosystem'}",
        )


# ---- risk routing by bots -------------------------------------------------------------------------
def labeler(scan: ChangeScan) -> Iterator[Evidence]:
    tree = scan.tree
    for path in (".github/labeler.yml", ".github/labeler.yaml"):
        if tree.exists(path):
            data = tree.yaml(path)
            labels = [str(k) for k in data] if isinstance(data, dict) else []
            risky = [lb for lb in labels if RISKY_LABEL_RX.search(lb)]
            yield scan.ctx.file_evidence(
                "change.risk_routing", path, line=1,
                attributes={"tool": "labeler", "risk_labels": bool(risky), "labels": labels[:50]},
                strength=Strength.WEAK, summary=f"path labeler ({len(labels)} label(s), {len(risky)} risk-like)",
            )


def policy_bot(scan: ChangeScan) -> Iterator[Evidence]:
    tree = scan.tree
    for path in (".policy.yml", ".policy.yaml"):
        if tree.exists(path):
            data = tree.yaml(path)
            if isinstance(data, dict) and ("policy" in data or "approval_rules" in data):
                yield scan.ctx.file_evidence("change.risk_routing", path, line=1, attributes={"tool": "policy-bot"},
                                             strength=Strength.STRONG, summary="policy-bot approval rules")


# ---- review bots' merge checks --------------------------------------------------------------------
def review_bots(scan: ChangeScan) -> Iterator[Evidence]:
    """Approval-count bots (Zappr, PullApprove, Mergeable): what their merge check demands of every change."""
    tree = scan.tree
    for path in REVIEW_BOT_PATHS:
        if not tree.exists(path):
            continue
        data = tree.yaml(path)
        if not isinstance(data, dict):
            continue
        tool = "zappr" if "zappr" in path else "mergeable" if "mergeable" in path else "pullapprove"
        approvals, labels = bot_policy(tool, data)
        if not approvals and not labels:
            continue
        attrs = {"tool": tool, "min_approvals": approvals, "required_labels": labels[:50], "requires_changelog": False}
        parts = ([f"{approvals} approval(s)"] if approvals else []) + ([f"one of {len(labels)} label(s)"] if labels else [])
        yield scan.ctx.file_evidence("change.merge_check", path, line=1, attributes=attrs, strength=Strength.STRONG,
                                     summary=f"{tool} merge check requires {' and '.join(parts)}")


def bot_policy(tool: str, data: dict[str, Any]) -> tuple[int, list[str]]:
    """(approvals every change needs, labels of which one is required) from a review bot's configuration."""
    if tool == "zappr":
        return _zappr(data)
    if tool == "pullapprove":
        return _pullapprove(data), []
    return _mergeable(data)


def _zappr(data: dict[str, Any]) -> tuple[int, list[str]]:
    appr = data.get("approvals") if isinstance(data.get("approvals"), dict) else {}
    approvals = declared_int(appr.get("minimum"), 0)
    groups = appr.get("groups") if isinstance(appr.get("groups"), dict) else {}
    approvals = max([approvals] + [declared_int(g.get("minimum"), 0) for g in groups.values() if isinstance(g, dict)])
    pr = data.get("pull-request") if isinstance(data.get("pull-request"), dict) else {}
    lab = pr.get("labels") if isinstance(pr.get("labels"), dict) else {}
    return approvals, [str(x) for x in as_list(lab.get("oneOf")) + as_list(lab.get("required"))]


def _pullapprove(data: dict[str, Any]) -> int:
    approvals = 0
    groups = data.get("groups") if isinstance(data.get("groups"), dict) else {}
    for g in groups.values():
        if isinstance(g, dict):
            reviews = g.get("reviews") if isinstance(g.get("reviews"), dict) else {}
            approvals = max(approvals, declared_int(reviews.get("required"), 1 if g.get("reviewers") else 0))
    return approvals


def _mergeable(data: dict[str, Any]) -> tuple[int, list[str]]:
    """mergeable: validate: [{do: approvals, min: {count: 2}}, {do: label, must_include: {regex: ...}}]"""
    approvals = 0
    labels: list[str] = []
    for rule in as_list(data.get("mergeable")):
        for v in as_list(rule.get("validate") if isinstance(rule, dict) else None):
            if not isinstance(v, dict):
                continue
            if v.get("do") == "approvals" and isinstance(v.get("min"), dict):
                approvals = max(approvals, declared_int(v["min"].get("count"), 0))
            if v.get("do") == "label" and isinstance(v.get("must_include"), dict):
                rx = str(v["must_include"].get("regex") or "")
                labels += [x.strip("^$() ") for x in rx.split("|") if x.strip("^$() ")]
    return approvals, labels
