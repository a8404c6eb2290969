"""Code-hosting settings as evidence: a branch rule is the same `scm.branch_rules` wherever it was read.

A GitHub branch protection reaches wafops from the REST API (GitHub collector), from Terraform's
`github_branch_protection` and from probot's `.github/settings.yml` (repository collector); a GitLab protected
branch from the REST API or from Terraform's `gitlab_branch_protection`. Each becomes `scm.branch_rules`
attributes through one function here, which takes the vendor's REST shape; the Terraform and settings.yml
readers map their field names onto it. Pure: no I/O, plain dicts in, attribute dicts out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from wafops.scanner.core.hcl import first

# every `scm.branch_rules` carries these; what a source does not say is off
RULE_DEFAULTS: dict[str, Any] = {
    "origin": "", "branch": "", "requires_pr": False, "required_reviews": 0, "code_owner_review": False,
    "status_checks": False, "dismiss_stale": False, "last_push_approval": False, "enforce_admins": False,
    "force_push_blocked": False, "deletion_blocked": False, "merge_queue": False,
}


def branch_rules(**attrs: Any) -> dict[str, Any]:
    """`scm.branch_rules` attributes: the defaults, overridden by what the source says."""
    return {**RULE_DEFAULTS, **attrs}


def rules_summary(a: Mapping[str, Any]) -> str:
    parts = []
    if a["requires_pr"]:
        parts.append("PR required")
    if a["required_reviews"]:
        parts.append(f"{a['required_reviews']} approval(s)")
    if a["code_owner_review"]:
        parts.append("code-owner review")
    return ", ".join(parts) or "no review requirement"


def declared_flag(v: Any, default: bool = False) -> bool:
    """A boolean as a declaration writes it (HCL, YAML): true/false, "true"/"yes"/"1", a one-item block list."""
    if isinstance(v, list):
        v = first(v)
    if v is None:
        return default
    if isinstance(v, bool):
        return v
    return str(v).strip().lower() in ("true", "1", "yes")


def declared_int(v: Any, default: int = 0) -> int:
    if isinstance(v, list):
        v = first(v)
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


# ---- GitHub -------------------------------------------------------------------------------------
def _api_setting(v: Any) -> bool:
    """A protection setting as the GET response writes it: `{"enabled": true}`."""
    return bool((v or {}).get("enabled"))


def github_protection(p: Mapping[str, Any], branch: str, *, origin: str = "api-classic",
                      declared: bool = False) -> dict[str, Any]:
    """A GitHub classic branch protection as `scm.branch_rules`.

    `p` has the REST shape (GET /repos/{o}/{r}/branches/{b}/protection): `required_pull_request_reviews`,
    `required_status_checks`, `enforce_admins`, `allow_force_pushes`, `allow_deletions`. A declaration
    (`declared=True`: Terraform's github_branch_protection, probot's settings.yml) writes these settings the
    way the PUT request does: plain booleans instead of `{"enabled": ...}`, a review block without a count
    means GitHub's default of one approval, and a status-check block turns checks on by being there (the API
    answer counts only when it names a check).
    """
    reviews = p.get("required_pull_request_reviews")
    reviews = reviews if isinstance(reviews, dict) else None
    r = reviews or {}
    flag: Callable[[Any], bool]  # a review setting
    setting: Callable[[Any], bool]  # a protection-wide setting
    if declared:
        approvals = declared_int(r.get("required_approving_review_count"), 1) if reviews else 0
        checks = p.get("required_status_checks") is not None
        flag = setting = declared_flag
    else:
        approvals = int(r.get("required_approving_review_count") or 0)
        c = p.get("required_status_checks") or {}
        checks = bool(c.get("contexts") or c.get("checks"))
        flag, setting = bool, _api_setting
    return branch_rules(
        origin=origin,
        branch=branch,
        requires_pr=reviews is not None,
        required_reviews=approvals,
        code_owner_review=flag(r.get("require_code_owner_reviews")),
        status_checks=checks,
        dismiss_stale=flag(r.get("dismiss_stale_reviews")),
        last_push_approval=flag(r.get("require_last_push_approval")),
        enforce_admins=setting(p.get("enforce_admins")),
        force_push_blocked=not setting(p.get("allow_force_pushes")),
        deletion_blocked=not setting(p.get("allow_deletions")),
    )


# ---- GitLab -------------------------------------------------------------------------------------
NO_ACCESS = 0  # access_level 0: "No one"


def gitlab_flag(v: Any) -> bool:
    """GitLab booleans, some documented as strings ("false")."""
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes")
    return bool(v)


def access_levels(items: Any) -> list[dict[str, Any]]:
    return [a for a in items or [] if isinstance(a, dict)]


def push_only_via_mr(pb: Mapping[str, Any]) -> bool:
    """Nobody may push to the branch (access level 0, no user/group/deploy-key exception): changes come by MR."""
    levels = access_levels(pb.get("push_access_levels"))
    return bool(levels) and all(a.get("access_level") == NO_ACCESS and not a.get("user_id") and not a.get("group_id")
                                and not a.get("deploy_key_id") for a in levels)


def gitlab_protected_branch(pb: Mapping[str, Any], branch: str, *, origin: str = "api-protected-branch",
                            **more: Any) -> dict[str, Any]:
    """A GitLab protected branch (GET /projects/:id/protected_branches entry) as `scm.branch_rules`: what the
    entry itself says. The API reader adds what it learns from the project, its approval rules and settings
    (`more`); a Terraform `gitlab_branch_protection` says nothing more."""
    return branch_rules(
        origin=origin,
        branch=branch,
        requires_pr=push_only_via_mr(pb),
        code_owner_review=gitlab_flag(pb.get("code_owner_approval_required")),
        force_push_blocked=not gitlab_flag(pb.get("allow_force_push")),
        deletion_blocked=True,  # a protected branch cannot be deleted by a push
        **more,
    )
