"""Which GitLab API calls a project costs, and starting them concurrently.

At the default `standard` depth, per project (the project list is amortised over 100 projects a
page, the tier over a top-level group):

  1 GET /projects/:id/repository/branches/:b           HEAD sha + `protected` (in prepare)
  2 GET /projects/:id/repository/archive.tar.gz?sha=    the files (immutable per sha, cached)
  3 GET /projects/:id/environments                      names and tiers
  4 GET /projects/:id/deployments                       one page, updated in the window (DORA)
  5 GET /projects/:id/pipelines                         one page: MR/push/scheduled pipelines, durations
  6 GET /projects/:id/merge_requests?state=merged        one page: merged MRs (lead time, change records)
  7 GET /projects/:id/issues                            one page: incidents (type or label), debt labels
  8 GET /projects/:id/freeze_periods                    deploy freezes
  + only when the branch says `protected`:
                      GET /projects/:id/protected_branches, and (Premium) GET /projects/:id/approval_rules
                      (approval rules only bind merges; an unprotected branch takes direct pushes anyway)
  + only when a production environment exists (Premium):
                      GET /projects/:id/protected_environments

So a young project costs 9 calls, a mature one 11. Premium calls are not made on a Free group
(their absence is a plan limitation, known without a call). `full` depth adds the approval
settings (reset approvals on push, author approval; when a rule requires approvals), labels,
pipeline schedules, MR approvals per merged MR and the DORA API (Ultimate), and more pages;
`minimal` keeps branch rules and environments.
`--option gitlab_calls=+labels,-pipelines` adds or removes single calls.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from wafops.collectors.platforms.common import calls as _calls
from wafops.collectors.platforms.common.calls import CallResult
from wafops.collectors.platforms.gitlab.client import GitLabClient

DEPTHS: dict[str, tuple[str, ...]] = {
    "minimal": ("protected_branches", "approval_rules", "environments", "protected_environments"),
    "standard": ("protected_branches", "approval_rules", "environments", "protected_environments",
                 "deployments", "pipelines", "merge_requests", "issues", "freeze_periods"),
    "full": ("protected_branches", "approval_rules", "approvals", "environments", "protected_environments",
             "deployments", "pipelines", "merge_requests", "issues", "freeze_periods", "labels",
             "pipeline_schedules", "mr_approvals", "dora"),
}
# the tier a call needs (GitLab documents these endpoints for Premium / Ultimate only)
NEEDS_TIER = {"approval_rules": "premium", "approvals": "premium", "protected_environments": "premium",
              "mr_approvals": "premium", "dora": "ultimate"}
FEATURE = {
    "approval_rules": "merge request approval rules",
    "approvals": "merge request approval settings",
    "protected_environments": "protected environments and deployment approvals",
    "mr_approvals": "required merge request approvals",
    "dora": "DORA metrics from the API",
}
_RANK = {"free": 0, "premium": 1, "ultimate": 2}


def selected_calls(options: dict[str, Any]) -> set[str]:
    return _calls.selected(DEPTHS, options, "gitlab")


def max_pages(options: dict[str, Any]) -> int:
    return _calls.max_pages(options, "gitlab")


def tier_lacks(call: str, tier: str) -> bool:
    """True when the tier is known and lacks the call's feature (unknown tiers are tried)."""
    need = NEEDS_TIER.get(call)
    return bool(need) and tier in _RANK and _RANK[tier] < _RANK[need]


def independent_calls(pid: Any, options: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """name -> (path, params) for the calls that need nothing but the project.

    Lists are read newest first, one page each (like GitHub's); the window is applied to the items,
    so the same URL is asked on every scan and an unchanged project answers 304.
    """
    base = f"/projects/{pid}"
    table: dict[str, tuple[str, dict[str, Any]]] = {
        "approval_rules": (f"{base}/approval_rules", {"per_page": 100}),
        "environments": (f"{base}/environments", {"per_page": 100}),
        "deployments": (f"{base}/deployments", {"order_by": "created_at", "sort": "desc", "per_page": 100}),
        "pipelines": (f"{base}/pipelines", {"order_by": "id", "sort": "desc", "per_page": 100}),
        "merge_requests": (f"{base}/merge_requests", {"state": "merged", "order_by": "updated_at", "sort": "desc",
                                                      "per_page": 100}),
        "issues": (f"{base}/issues", {"scope": "all", "order_by": "updated_at", "sort": "desc", "per_page": 100}),
        "freeze_periods": (f"{base}/freeze_periods", {"per_page": 100}),
        "labels": (f"{base}/labels", {"include_ancestor_groups": "true", "per_page": 100}),
        "pipeline_schedules": (f"{base}/pipeline_schedules", {"per_page": 100}),
    }
    wanted = selected_calls(options)
    return {k: v for k, v in table.items() if k in wanted}


def start(client: GitLabClient, pid: Any, tier: str, options: dict[str, Any],
          protected: bool | None = None) -> dict[str, Future[CallResult]]:
    """Submit the independent calls the tier offers to the client's bounded pool.

    `protected`: what the default branch says; approval rules are read only for a protected branch.
    """
    pages = max_pages(options)
    out: dict[str, Future[CallResult]] = {}
    for name, (path, params) in independent_calls(pid, options).items():
        if tier_lacks(name, tier) or (name == "approval_rules" and protected is False):
            continue
        out[name] = client.pool.submit(_calls.run_call, client, name, path, params, None, pages)
    return out


def run(client: GitLabClient, name: str, path: str, params: dict[str, Any] | None = None, single: bool = False,
        pages: int = 1) -> CallResult:
    return _calls.run_call(client, name, path, params or {}, None, pages, single=single)
