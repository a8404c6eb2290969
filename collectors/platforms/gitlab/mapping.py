"""Pure translations of GitLab API payloads into the attribute dicts of collectors/KINDS.md.

The attribute names are those the GitHub collector writes (probes read one vocabulary, whatever the
platform); GitLab-only facts are added beside them. Field names follow GitLab's REST reference.
"""

from __future__ import annotations

import fnmatch
from datetime import datetime
from typing import Any

from wafops.collectors.platforms.common import activity
from wafops.collectors.platforms.common.payloads import INCIDENT_LABELS, has_label, ts
from wafops.collectors.translate import scm
from wafops.collectors.translate.scm import NO_ACCESS, push_only_via_mr  # noqa: F401  (re-exported)
from wafops.collectors.translate.scm import access_levels as _levels
from wafops.collectors.translate.scm import gitlab_flag as flag  # GitLab booleans, some documented as strings
from wafops.scanner.core.vocabulary import is_production


def _describe(items: Any) -> list[str]:
    out = []
    for a in _levels(items):
        if a.get("deploy_key_id"):
            out.append("deploy key")
        elif a.get("user_id"):
            out.append("user")
        elif a.get("group_id"):
            out.append("group")
        else:
            out.append(str(a.get("access_level_description") or access_level_name(a.get("access_level"))))
    return out


def access_level_name(level: Any) -> str:
    """GitLab's name for a numeric access level (40 -> "Maintainers"), from python-gitlab's constants.

    Imported here, not at module level: python-gitlab loads an HTTP client, which a local scan must not.
    """
    from gitlab.const import AccessLevel

    try:
        name = AccessLevel(int(level)).name
    except (TypeError, ValueError):
        return str(level)
    return "No one" if name == "NO_ACCESS" else name.replace("_", " ").capitalize() + "s"


def protection_for(protected: list[dict[str, Any]], branch: str) -> dict[str, Any] | None:
    """The protected-branch entry covering `branch`: exact name first, else a wildcard (`release/*`)."""
    items = [p for p in protected if isinstance(p, dict) and p.get("name")]
    for p in items:
        if p["name"] == branch:
            return p
    for p in items:
        if "*" in p["name"] and fnmatch.fnmatchcase(branch, p["name"]):
            return p
    return None


def rule_applies(rule: dict[str, Any], branch: str, branch_protected: bool) -> bool:
    """An approval rule covers the branch: all branches (no protected_branches), all protected ones, or named."""
    if rule.get("rule_type") not in (None, "regular", "any_approver", "code_owner"):
        return False  # report_approver rules (security) apply to findings, not every change
    if rule.get("applies_to_all_protected_branches"):
        return branch_protected
    names = [b.get("name") for b in rule.get("protected_branches") or [] if isinstance(b, dict)]
    return not names or any(n == branch or ("*" in str(n) and fnmatch.fnmatchcase(branch, str(n))) for n in names)


def approvals_required(rules: list[dict[str, Any]] | None, branch: str, branch_protected: bool) -> int:
    return max((int(r.get("approvals_required") or 0) for r in rules or []
                if isinstance(r, dict) and rule_applies(r, branch, branch_protected)), default=0)


def branch_rules(pb: dict[str, Any], branch: str, project: dict[str, Any], rules: list[dict[str, Any]] | None,
                 settings: dict[str, Any] | None) -> dict[str, Any]:
    """GET /projects/:id/protected_branches (entry of the default branch) + approval rules and settings."""
    required = approvals_required(rules, branch, True)
    settings = settings or {}
    return scm.gitlab_protected_branch(
        pb, branch, origin="api-protected-branch",
        protected_name=pb.get("name"),
        required_reviews=required,
        status_checks=flag(project.get("only_allow_merge_if_pipeline_succeeds")),
        dismiss_stale=flag(settings.get("reset_approvals_on_push")) if settings else None,
        last_push_approval=flag(settings.get("merge_requests_disable_committers_approval")) if settings else None,
        prevent_author_approval=(not flag(settings.get("merge_requests_author_approval"))) if settings else None,
        enforce_admins=None,
        merge_queue=flag(project.get("merge_trains_enabled")),
        push_access=_describe(pb.get("push_access_levels")),
        merge_access=_describe(pb.get("merge_access_levels")),
        approval_rules=sum(1 for r in rules or [] if isinstance(r, dict) and rule_applies(r, branch, True)),
        approval_rules_read=rules is not None,
    )


# ---- environments -------------------------------------------------------------------------------
def is_production_env(name: Any, tier: Any, pattern: str | None) -> bool:
    """D-PROD: the name pattern, or GitLab's `tier: production`."""
    return str(tier or "").lower() == "production" or is_production(name, pattern)


def required_approvals(pe: dict[str, Any] | None) -> int:
    """Approvals a protected environment requires: its approval rules, else the legacy count."""
    if not pe:
        return 0
    rules = [r for r in pe.get("approval_rules") or [] if isinstance(r, dict)]
    by_rules = sum(int(r.get("required_approvals") or 0) for r in rules)
    return max(by_rules, int(pe.get("required_approval_count") or 0))


def environment(env: dict[str, Any], pe: dict[str, Any] | None, pattern: str | None,
                protection_read: bool) -> dict[str, Any]:
    name, tier = env.get("name"), env.get("tier")
    return {
        "origin": "api",
        "name": name,
        "tier": tier,
        "production": is_production_env(name, tier, pattern),
        "required_reviewers": required_approvals(pe),
        "prevent_self_review": None,
        "wait_timer": 0,
        "branch_policy": "none",
        "admin_bypass": None,
        "custom_rules": 0,
        "protected": bool(pe) if protection_read else None,
        "deployers": _describe((pe or {}).get("deploy_access_levels")),
        "state": env.get("state"),
    }


# ---- pipelines ----------------------------------------------------------------------------------
def runs_summary(pipes: list[dict[str, Any]], default_branch: str, now: datetime, window_days: int, complete: bool,
                 ci_config_path: str | None) -> dict[str, Any]:
    def push_minutes(p: dict[str, Any]) -> float | None:
        if p.get("ref") != default_branch or p.get("status") != "success":
            return None
        if p.get("duration") is not None:
            return float(p["duration"]) / 60
        a, b = ts(p.get("started_at") or p.get("created_at")), ts(p.get("finished_at") or p.get("updated_at"))
        return (b - a).total_seconds() / 60 if a and b and b >= a else None

    path = ci_config_path or ".gitlab-ci.yml"
    return activity.runs_attrs(
        pipes, now, window_days, complete, trigger="source",
        pr_triggers=("merge_request_event", "external_pull_request_event"), push_minutes=push_minutes,
        scheduled=lambda sched: [path] if sched else [], failed=lambda p: p.get("status") == "failed")


# ---- deployments --------------------------------------------------------------------------------
def deployment_env(d: dict[str, Any]) -> str | None:
    env = d.get("environment")
    return env.get("name") if isinstance(env, dict) else (env if isinstance(env, str) else None)


def deployment_state(d: dict[str, Any]) -> tuple[str, datetime | None]:
    """success (with finish time) | failure | skip (canceled, still running, waiting) ."""
    status = str(d.get("status") or "")
    job = d.get("deployable") if isinstance(d.get("deployable"), dict) else {}
    if status == "success":
        return "success", ts(job.get("finished_at")) or ts(d.get("finished_at")) or ts(d.get("updated_at")) or ts(d.get("created_at"))
    if status == "failed":
        return "failure", ts(d.get("created_at"))
    return "skip", None


# ---- issues -------------------------------------------------------------------------------------
def is_incident(issue: dict[str, Any], pattern: str | None = None) -> bool:
    kind = str(issue.get("issue_type") or issue.get("type") or "").lower()
    return kind == "incident" or has_label(issue, pattern, INCIDENT_LABELS)
