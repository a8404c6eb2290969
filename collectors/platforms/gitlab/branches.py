"""The default branch on GitLab: whether it is protected, its protected-branch settings and approval rules.

Absence is proven where GitLab allows it: the branch says `protected: false` -> no protection (and
approval rules, which only bind merges, are not read: an unprotected branch takes direct pushes anyway).
"""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.platforms.gitlab import fetch, mapping
from wafops.collectors.platforms.gitlab.client import enc
from wafops.collectors.platforms.gitlab.run import GitLabRun
from wafops.scanner.core.model import Evidence


def read_branch(run: GitLabRun) -> Iterator[Evidence]:
    """The default branch (`protected`, HEAD): from the resolver, else asked now (none in an empty project)."""
    branch = run.s.meta.get("branch")
    if branch is None and not run.s.meta.get("empty"):
        err = run.s.meta.get("branch_error")
        if err is None:
            r = run.get("branch", f"{run.base}/repository/branches/{enc(run.branch)}", single=True)
            err, branch = r.error, r.data if isinstance(r.data, dict) else None
        if err is not None:
            yield from run.unreadable("branch", err)
    run.head = branch
    run.protected = bool(branch.get("protected")) if isinstance(branch, dict) else None


def approval_rules(run: GitLabRun) -> Iterator[Evidence]:
    """Approval rules (Premium) into `run.rules`; None when not read. A Free group gets a plan limitation instead."""
    if not run.wanted("approval_rules") or run.protected is False:
        return
    if fetch.tier_lacks("approval_rules", run.tier):
        yield run.plan_limited("approval_rules", run.c.url(f"{run.base}/approval_rules"))
        return
    r = yield from run.result("approval_rules")
    if r is None:
        return
    run.rules = [x for x in r.data or [] if isinstance(x, dict)]


def branch_rules(run: GitLabRun) -> Iterator[Evidence]:
    branch, rules = run.head, run.rules
    if branch is None:
        return  # unreadable, already reported (or an empty repository)
    burl = run.s.meta.get("branch_url") or run.c.url(f"{run.base}/repository/branches/{enc(run.branch)}")
    if not branch.get("protected"):
        return  # absence proven by the branch itself
    if not run.wanted("protected_branches"):
        yield run.not_read("branch_protection", "protected branches skipped (gitlab_calls)", burl)
        return
    r = run.get("protected_branches", f"{run.base}/protected_branches", {"per_page": 100})
    if not r.ok:
        yield from run.unreadable("protected_branches", r.error)
        return
    pb = mapping.protection_for(r.data or [], run.branch)
    if pb is None:
        # protected by a group-level or inherited rule the project list does not show
        pb = {"name": run.branch, "push_access_levels": [], "merge_access_levels": [],
              "allow_force_push": False, "code_owner_approval_required": False}
        if not branch.get("developers_can_push") and branch.get("can_push") is False:
            pb["push_access_levels"] = [{"access_level": 0, "access_level_description": "No one"}]
    settings = None
    if rules and mapping.approvals_required(rules, run.branch, True) > 0 and run.wanted("approvals"):
        a = run.get("approvals", f"{run.base}/approvals", single=True)
        if a.ok and isinstance(a.data, dict):
            settings = a.data
        elif a.error is not None:
            yield from run.unreadable("approvals", a.error)
    attrs = mapping.branch_rules(pb, run.branch, run.p, rules, settings)
    n = attrs["required_reviews"]
    yield run.ev("scm.branch_rules", r.url, attrs,
                 summary=f"protected branch {run.branch}: push {', '.join(attrs['push_access']) or 'n/a'}, "
                 f"merge {', '.join(attrs['merge_access']) or 'n/a'}" + (f"; {n} approval(s) required" if n else ""))
