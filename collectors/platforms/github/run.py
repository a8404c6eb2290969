"""One GitHub repository's collection: its state, and how a call that failed is reported.

The parts that read it, one module per part of the API: `settings.py` (branch, rulesets, classic
protection, environments, code scanning), `actions.py` (workflow runs, workflows), `issues.py`
(incidents, labels), `pulls.py` (merged pull requests and reviews), `deployments.py` (releases,
deployments, DORA). `collector.py` runs them in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.platforms.common import unreadable as unread
from wafops.collectors.platforms.common.calls import CallResult
from wafops.collectors.platforms.common.run import PlatformRun
from wafops.collectors.platforms.github import fetch
from wafops.collectors.platforms.github.client import ApiError, GitHubClient
from wafops.scanner.core.model import Evidence, Subject

# what each call needs (fine-grained permission names; see docs/github.md)
PERMISSION = {
    "branch": "Metadata: read",
    "rules": "Metadata: read",
    "classic": "Administration: read",
    "rulesets": "Metadata: read (bypass actors need repository admin)",
    "environments": "Actions: read",
    "runs": "Actions: read",
    "workflows": "Actions: read",
    "deployments": "Deployments: read",
    "deployment_statuses": "Deployments: read",
    "issues": "Issues: read",
    "labels": "Issues: read",
    "pulls": "Pull requests: read",
    "reviews": "Pull requests: read",
    "releases": "Contents: read",
    "code_scanning": "Administration: read or Code scanning alerts: read",
}
WHAT = {
    "branch": "branch_protection",
    "rules": "branch_rulesets",
    "classic": "branch_protection",
    "rulesets": "ruleset_bypass",
    "environments": "environments",
    "runs": "workflow_runs",
    "workflows": "workflows",
    "deployments": "deployments",
    "deployment_statuses": "deployment_statuses",
    "issues": "issues",
    "labels": "labels",
    "pulls": "pull_requests",
    "reviews": "reviews",
    "releases": "releases",
    "code_scanning": "code_scanning",
}


class GitHubRun(PlatformRun):
    """One repository's collection; holds the results so the parts can share them."""

    source = "github"

    def __init__(self, subject: Subject, ctx: CollectContext, client: GitHubClient) -> None:
        super().__init__(subject, ctx, fetch.selected_calls(ctx.options))
        self.c = client
        self.repo: dict[str, Any] = subject.meta["repo"]
        self.owner, self.name = self.repo["full_name"].split("/", 1)
        self.base = f"/repos/{fetch.enc(self.owner)}/{fetch.enc(self.name)}"
        self.html = (self.repo.get("html_url") or f"{client.html_base()}/{self.repo['full_name']}").rstrip("/")
        self.head: dict[str, Any] | None = None  # the default branch as GET .../branches/{b} shows it
        self.merged: list[datetime] = []  # merge times of the PRs merged in the window (for DORA)

    def unreadable(self, call: str, err: ApiError) -> Iterator[Evidence]:
        """Record a part we could not read, so nobody infers its absence (shared rules: platforms/common/unreadable.py)."""
        self.failures.append((call, err))
        yield unread.unreadable(self.ctx, "github", "GitHub", what=WHAT.get(call, call), call=call, err=err,
                                permission=PERMISSION.get(call, "read access"))

    def get(self, call: str, path: str, params: dict[str, Any] | None = None, key: str | None = None,
            pages: int = 1) -> CallResult:
        return fetch.run_call(self.c, call, path, params or {}, key, pages)
