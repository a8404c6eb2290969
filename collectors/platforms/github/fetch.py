"""Which API calls a repository costs, and running them concurrently.

Why a fixed plan: Scorecard and Legitify spend ~70 calls per repository; the cost of an org scan
is decided here. The default `standard` depth makes, per repository (the repo list is amortised
over 100 repositories a page):

  1 GET /repos/{o}/{r}/branches/{b}          HEAD sha + `protected` (in prepare)
  2 GET /repos/{o}/{r}/tarball/{sha}          the files (302 -> download; immutable, cached)
  3 GET /repos/{o}/{r}/rules/branches/{b}     rules of repo and org rulesets on the default branch
  4 GET /repos/{o}/{r}/environments           approval gates
  5 GET /repos/{o}/{r}/actions/runs           one page: PR runs, schedules, durations
  6 GET /repos/{o}/{r}/deployments            one page: DORA deployments
  7 GET /repos/{o}/{r}/issues?state=all       one page: incidents, debt labels AND merged PRs
                                              (issues carry `pull_request.merged_at`)
  + GET /repos/{o}/{r}/branches/{b}/protection only when the branch is `protected`
    (classic protection is the one thing nothing else shows)

`full` depth adds workflows, releases, labels, code scanning default setup, ruleset bypass
actors, pulls + reviews per merged PR, deployment statuses, and more pages. `minimal` keeps 1-4.
`--option github_calls=+releases,-runs` adds or removes single calls.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any
from urllib.parse import quote

from wafops.collectors.platforms.common import calls as _calls
from wafops.collectors.platforms.common.calls import CallResult
from wafops.collectors.platforms.github.client import GitHubClient

DEPTHS: dict[str, tuple[str, ...]] = {
    "minimal": ("rules", "environments", "classic"),
    "standard": ("rules", "environments", "classic", "runs", "deployments", "issues"),
    "full": (
        "rules", "environments", "classic", "runs", "deployments", "issues", "workflows", "releases", "labels",
        "code_scanning", "pulls", "rulesets", "deployment_statuses", "reviews",
    ),
}


def selected_calls(options: dict[str, Any]) -> set[str]:
    return _calls.selected(DEPTHS, options, "github")


def max_pages(options: dict[str, Any]) -> int:
    return _calls.max_pages(options, "github")


def enc(s: str) -> str:
    return quote(str(s), safe="")


def independent_calls(owner: str, repo: str, branch: str, options: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any], str | None]]:
    """name -> (path, params, list key) for the calls that need nothing but the repo and branch."""
    base = f"/repos/{enc(owner)}/{enc(repo)}"
    b = enc(branch)
    table: dict[str, tuple[str, dict[str, Any], str | None]] = {
        "rules": (f"{base}/rules/branches/{b}", {"per_page": 100}, None),
        "environments": (f"{base}/environments", {"per_page": 100}, "environments"),
        "runs": (f"{base}/actions/runs", {"per_page": 100}, "workflow_runs"),
        "deployments": (f"{base}/deployments", {"per_page": 100}, None),
        "issues": (f"{base}/issues", {"state": "all", "sort": "updated", "direction": "desc", "per_page": 100}, None),
        "workflows": (f"{base}/actions/workflows", {"per_page": 100}, "workflows"),
        "releases": (f"{base}/releases", {"per_page": 100}, None),
        "labels": (f"{base}/labels", {"per_page": 100}, None),
        "code_scanning": (f"{base}/code-scanning/default-setup", {}, None),
        "pulls": (f"{base}/pulls", {"state": "closed", "sort": "updated", "direction": "desc", "per_page": 100}, None),
    }
    wanted = selected_calls(options)
    return {k: v for k, v in table.items() if k in wanted}


SINGLE = {"code_scanning", "classic", "rulesets", "branch"}  # one object, not a list


def run_call(client: GitHubClient, name: str, path: str, params: dict[str, Any], key: str | None, pages: int) -> CallResult:
    return _calls.run_call(client, name, path, params, key, pages, single=name in SINGLE)


def start(client: GitHubClient, owner: str, repo: str, branch: str, options: dict[str, Any]) -> dict[str, Future[CallResult]]:
    """Submit the independent calls to the client's bounded pool; the collector collects them."""
    pages = max_pages(options)
    out: dict[str, Future[CallResult]] = {}
    for name, (path, params, key) in independent_calls(owner, repo, branch, options).items():
        n = max(pages, 3) if name == "rules" else pages  # rules are few and must be complete
        out[name] = client.pool.submit(run_call, client, name, path, params, key, n)
    return out
