"""Pure translations of GitHub API payloads into the attribute dicts of collectors/KINDS.md.

Kept apart from the HTTP code so each rule (which field means what) is tested on plain dicts.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from wafops.collectors.platforms.common import activity
from wafops.collectors.platforms.common.payloads import INCIDENT_LABELS, label_names, ts
from wafops.collectors.translate import scm
from wafops.scanner.core.vocabulary import is_production

PROTECTIVE_RULES = {"pull_request", "required_status_checks", "non_fast_forward", "deletion", "merge_queue",
                    "required_deployments", "required_linear_history", "required_signatures", "update"}


# ---- branch rules ------------------------------------------------------------------------------
def rules_for_branch(rules: list[dict[str, Any]], branch: str) -> dict[str, Any] | None:
    """GET /repos/{o}/{r}/rules/branches/{b}: the active rules of repo and org rulesets, merged.

    None when no rule protects the branch (e.g. only a commit message pattern).
    """
    rules = [r for r in rules if isinstance(r, dict)]
    types = {r.get("type") for r in rules}
    if not types & PROTECTIVE_RULES:
        return None
    prs = [r.get("parameters") or {} for r in rules if r.get("type") == "pull_request"]
    checks = [r.get("parameters") or {} for r in rules if r.get("type") == "required_status_checks"]
    return {
        "origin": "api-ruleset",
        "branch": branch,
        "requires_pr": bool(prs),
        "required_reviews": max((int(p.get("required_approving_review_count") or 0) for p in prs), default=0),
        "code_owner_review": any(bool(p.get("require_code_owner_review")) for p in prs),
        "status_checks": any(bool(p.get("required_status_checks")) for p in checks),
        "dismiss_stale": any(bool(p.get("dismiss_stale_reviews_on_push")) for p in prs),
        "last_push_approval": any(bool(p.get("require_last_push_approval")) for p in prs),
        "enforce_admins": None,  # only known from the rulesets' bypass_actors (full depth)
        "force_push_blocked": "non_fast_forward" in types,
        "deletion_blocked": "deletion" in types,
        "merge_queue": "merge_queue" in types,
        "rule_types": sorted(t for t in types if t),
        "rulesets": sorted({r.get("ruleset_id") for r in rules if r.get("ruleset_id") is not None}),
        "ruleset_sources": sorted({str(r.get("ruleset_source_type")) for r in rules if r.get("ruleset_source_type")}),
    }


def classic_protection(p: dict[str, Any], branch: str) -> dict[str, Any]:
    """GET /repos/{o}/{r}/branches/{b}/protection (the same translation reads Terraform and settings.yml)."""
    return scm.github_protection(p, branch, origin="api-classic")


# ---- environments -------------------------------------------------------------------------------
def environment(env: dict[str, Any], pattern: str | None = None) -> dict[str, Any]:
    rules = [r for r in env.get("protection_rules") or [] if isinstance(r, dict)]
    reviewers = sum(len(r.get("reviewers") or []) for r in rules if r.get("type") == "required_reviewers")
    wait = sum(int(r.get("wait_timer") or 0) for r in rules if r.get("type") == "wait_timer")
    policy = env.get("deployment_branch_policy")
    if not policy:
        branch_policy = "none"
    elif policy.get("protected_branches"):
        branch_policy = "protected"
    elif policy.get("custom_branch_policies"):
        branch_policy = "custom"
    else:
        branch_policy = "none"
    return {
        "origin": "api",
        "name": env.get("name"),
        "production": is_production(env.get("name"), pattern),
        "required_reviewers": reviewers,
        "prevent_self_review": any(bool(r.get("prevent_self_review")) for r in rules if r.get("type") == "required_reviewers"),
        "wait_timer": wait,
        "branch_policy": branch_policy,
        "admin_bypass": env.get("can_admins_bypass"),
        "custom_rules": sum(1 for r in rules if r.get("type") not in ("required_reviewers", "wait_timer", "branch_policy")),
    }


# ---- workflow runs ------------------------------------------------------------------------------
def workflow_path(run: dict[str, Any]) -> str:
    return str(run.get("path") or "").split("@", 1)[0]


def runs_summary(runs: list[dict[str, Any]], default_branch: str, now: datetime, window_days: int,
                 complete: bool) -> dict[str, Any]:
    def push_minutes(r: dict[str, Any]) -> float | None:
        if r.get("head_branch") != default_branch or r.get("conclusion") != "success":
            return None
        a, b = ts(r.get("run_started_at") or r.get("created_at")), ts(r.get("updated_at"))
        return (b - a).total_seconds() / 60 if a and b and b >= a else None

    return activity.runs_attrs(
        runs, now, window_days, complete, trigger="event",
        pr_triggers=("pull_request", "pull_request_target", "merge_group"), push_minutes=push_minutes,
        scheduled=lambda sched: sorted({p for r in sched if (p := workflow_path(r))}))


# ---- deployments --------------------------------------------------------------------------------
def is_prod_deployment(d: dict[str, Any], pattern: str | None) -> bool:
    return bool(d.get("production_environment")) or is_production(d.get("environment"), pattern)


def state_from_runs(d: dict[str, Any], runs: list[dict[str, Any]]) -> tuple[str, datetime | None]:
    """A deployment made by a workflow job: the run of the same sha spanning its creation decides.

    Used at standard depth instead of one statuses call per deployment.
    """
    created = ts(d.get("created_at"))
    if not created:
        return "unknown", None
    slack = timedelta(minutes=5)
    for r in runs:
        if r.get("head_sha") != d.get("sha"):
            continue
        a, b = ts(r.get("run_started_at") or r.get("created_at")), ts(r.get("updated_at"))
        if a and b and a - slack <= created <= b + slack:
            if r.get("conclusion") == "success":
                return "success", b
            if r.get("conclusion") in ("failure", "timed_out", "startup_failure"):
                return "failure", created
    return "unknown", None


def state_from_statuses(statuses: list[dict[str, Any]]) -> tuple[str, datetime | None]:
    ok = sorted(ts(s.get("created_at")) for s in statuses if s.get("state") == "success" and ts(s.get("created_at")))
    if ok:
        return "success", ok[0]
    if any(s.get("state") in ("failure", "error") for s in statuses):
        return "failure", None
    return "unknown", None


# ---- issues, PRs, labels ---------------------------------------------------------------------
def incidents(items: list[dict[str, Any]], pattern: str | None = None) -> list[dict[str, Any]]:
    rx = re.compile(pattern or INCIDENT_LABELS)
    return [i for i in items if "pull_request" not in i and any(rx.search(n) for n in label_names(i))]


def merged_prs_from_issues(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issues API items that are PRs and carry `pull_request.merged_at`."""
    out = []
    for i in items:
        pr = i.get("pull_request")
        if isinstance(pr, dict) and pr.get("merged_at"):
            out.append({"number": i.get("number"), "merged_at": pr["merged_at"], "user": (i.get("user") or {}).get("login")})
    return out
