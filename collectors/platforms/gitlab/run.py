"""One GitLab project's collection: its state, and how a call that failed (or a plan lacks) is reported.

The parts that read it, one module per part of the API: `branches.py` (branch, approval rules,
protected branches), `environments.py` (environments, protected environments), `pipelines.py`
(pipelines, schedules, deploy freezes), `issues.py` (incidents, labels), `merge_requests.py`
(merged MRs and their approvals), `deployments.py` (deployments, DORA). `collector.py` runs them in order.

Tiers are not permissions: a feature the group's tier lacks (approval rules, protected
environments on Free) is a *plan limitation*: known absent, so criteria that need it are
*not met*, with "plan limitation" in the reason - not *not assessed*. When the tier is unknown
(self-managed EE without `gitlab_tier`) a 403/404 on a Premium endpoint stays *not assessed*.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.platforms.common import unreadable as unread
from wafops.collectors.platforms.common.calls import CallResult
from wafops.collectors.platforms.common.errors import error_code
from wafops.collectors.platforms.common.run import PlatformRun
from wafops.collectors.platforms.gitlab import fetch
from wafops.collectors.platforms.gitlab.client import ApiError, GitLabClient
from wafops.scanner.core.model import Evidence, Subject

# what each call needs: scope and role (see docs/gitlab.md)
PERMISSION = {
    "branch": "read_api scope and Reporter role",
    "protected_branches": "read_api scope and Maintainer role",
    "approval_rules": "read_api scope and Developer role",
    "approvals": "read_api scope and Developer role",
    "environments": "read_api scope and Reporter role",
    "protected_environments": "read_api scope and Maintainer role",
    "deployments": "read_api scope and Reporter role",
    "pipelines": "read_api scope and Reporter role",
    "pipeline_schedules": "read_api scope and Developer role",
    "merge_requests": "read_api scope and Reporter role",
    "mr_approvals": "read_api scope and Reporter role",
    "issues": "read_api scope and Guest role",
    "labels": "read_api scope and Guest role",
    "freeze_periods": "read_api scope and Developer role",
    "dora": "read_api scope and Reporter role",
}
# the part each call decides (the `what` probes check with wafops.rules.probes.unreadable)
WHAT = {
    "branch": "branch_protection",
    "protected_branches": "branch_protection",
    "approval_rules": "branch_rulesets",
    "approvals": "branch_rulesets",
    "environments": "environments",
    "protected_environments": "environments",
    "deployments": "deployments",
    "pipelines": "workflow_runs",
    "pipeline_schedules": "pipeline_schedules",
    "merge_requests": "pull_requests",
    "mr_approvals": "pull_requests",
    "issues": "issues",
    "labels": "labels",
    "freeze_periods": "freeze_periods",
    "dora": "dora_api",
}


class GitLabRun(PlatformRun):
    """One project's collection; holds the results so the parts can share them."""

    source = "gitlab"

    def __init__(self, subject: Subject, ctx: CollectContext, client: GitLabClient) -> None:
        super().__init__(subject, ctx, fetch.selected_calls(ctx.options))
        self.c = client
        self.p: dict[str, Any] = subject.meta["project"]
        self.pid = self.p["id"]
        self.base = f"/projects/{self.pid}"
        self.web = str(self.p.get("web_url") or f"{client.host}/{self.p['path_with_namespace']}").rstrip("/")
        ns = (self.p.get("namespace") or {}).get("full_path") or self.p["path_with_namespace"].rsplit("/", 1)[0]
        self.tier: str = subject.meta.get("tier") or client.tier(ns, self.opts.get("gitlab_tier"))
        self.pages = fetch.max_pages(self.opts)
        # what one part leaves for later ones
        self.head: dict[str, Any] | None = None  # the default branch as GET .../repository/branches/:b shows it
        self.protected: bool | None = None  # what the branch says (None: not read)
        self.rules: list[dict[str, Any]] | None = None  # approval rules (None: not read)
        self.envs: list[dict[str, Any]] = []  # the environments' attributes (for production tiers)
        self.merged: list[datetime] | None = None  # merge times of the MRs merged in the window

    def unreadable(self, call: str, err: ApiError) -> Iterator[Evidence]:
        """A denied/failed call: not assessed (or, for a Premium call on a Free group, a plan limitation)."""
        self.failures.append((call, err))
        what, perm = WHAT.get(call, call), PERMISSION.get(call, "read_api scope")
        need = fetch.NEEDS_TIER.get(call)
        if error_code(err) == "insufficient_scope":
            denied = "token lacks the read_api scope (insufficient_scope)"
        elif need and err.status in (403, 404) and fetch.tier_lacks(call, self.tier):
            yield self.plan_limited(call, err.url, err.status)
            return
        elif need and err.status in (403, 404) and self.tier == "unknown":
            denied = (f"the feature needs GitLab {need.title()} or the token lacks {perm}; the tier is unknown "
                      "(set --option gitlab_tier=free|premium|ultimate)")
        else:
            denied = None
        yield unread.unreadable(self.ctx, "gitlab", "GitLab", what=what, call=call, err=err, permission=perm,
                                denied=denied)

    def plan_limited(self, call: str, url: str, status: int | None = None) -> Evidence:
        need = fetch.NEEDS_TIER[call]
        return unread.plan_limited(self.ctx, "gitlab", what=WHAT.get(call, call), call=call,
                                   feature=fetch.FEATURE.get(call, call), needs=f"GitLab {need.title()}",
                                   tier=f"GitLab {self.tier.title()}", url=url, status=status)

    def get(self, call: str, path: str, params: dict[str, Any] | None = None, single: bool = False) -> CallResult:
        return fetch.run(self.c, call, path, params, single=single, pages=self.pages)
