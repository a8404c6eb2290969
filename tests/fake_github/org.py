"""The `acme` organisation of the fake: repositories at different maturity.

Payload shapes follow GitHub's API description (see /work/shared/api-examples/github/INDEX.md):
bare arrays for deployments/issues/rules, wrapped lists for environments and workflow runs,
`protection_rules` with `required_reviewers` / `wait_timer` / `branch_policy`, issue items of PRs
with `pull_request.merged_at` (a documented field of the issue schema), workflow run `path`
with an `@ref` suffix like GitHub sends it.

- platform: rulesets require 2 reviews + code owners + checks; production environment with
  required reviewers; daily deploys; schedules running; incidents; debt labels.
- webapp:   classic protection (1 review); production environment without reviewers; few deploys.
- legacy:   nothing protected, no environments, no deployments (proven absence).
- vault:    protected branch whose classic protection and environments the token cannot read.
- old-archive (archived) and forked-lib (fork): excluded by default.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fake_github.server import FakeRepo

NOW = datetime(2026, 11, 22, tzinfo=UTC)

CI_YML = """name: ci
on:
  pull_request:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pytest -q
"""
DEPLOY_YML = """name: deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - run: helm upgrade --install platform ./chart --namespace prod
"""
DRIFT_YML = """name: drift
on:
  schedule:
    - cron: "0 6 * * *"
jobs:
  plan:
    runs-on: ubuntu-latest
    steps:
      - run: terraform plan -detailed-exitcode
"""


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def sha(*parts: Any) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def user(login: str) -> dict[str, Any]:
    return {"login": login, "id": abs(hash(login)) % 10**6, "type": "User", "site_admin": False}


def label(name: str) -> dict[str, Any]:
    return {"id": abs(hash(name)) % 10**8, "name": name, "description": "", "color": "ededed", "default": False}


def environment(repo: str, name: str, reviewers: int = 0, wait: int = 0, branch_policy: str | None = None,
                prevent_self_review: bool = False, admins_bypass: bool = True) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    if wait:
        rules.append({"id": 1, "node_id": "GA_1", "type": "wait_timer", "wait_timer": wait})
    if reviewers:
        rules.append({"id": 2, "node_id": "GA_2", "type": "required_reviewers", "prevent_self_review": prevent_self_review,
                      "reviewers": [{"type": "User", "reviewer": user(f"lead{i}")} for i in range(reviewers)]})
    if branch_policy:
        rules.append({"id": 3, "node_id": "GA_3", "type": "branch_policy"})
    return {
        "id": abs(hash((repo, name))) % 10**8, "node_id": "EN_x", "name": name,
        "url": f"https://api.github.com/repos/acme/{repo}/environments/{name}",
        "html_url": f"https://github.com/acme/{repo}/deployments/activity_log?environments_filter={name}",
        "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
        "can_admins_bypass": admins_bypass,
        "protection_rules": rules,
        "deployment_branch_policy": None if not branch_policy else {
            "protected_branches": branch_policy == "protected", "custom_branch_policies": branch_policy == "custom"},
    }


def run(repo: str, n: int, event: str, path: str, started: datetime, minutes: float, conclusion: str = "success",
        head_sha: str | None = None, branch: str = "main") -> dict[str, Any]:
    return {
        "id": n, "name": path.rsplit("/", 1)[-1], "node_id": f"WFR_{n}", "head_branch": branch,
        "head_sha": head_sha or sha(repo, "run", n), "path": f"{path}@{branch}", "display_title": "change",
        "run_number": n, "event": event, "status": "completed", "conclusion": conclusion, "workflow_id": abs(hash(path)) % 10**6,
        "url": f"https://api.github.com/repos/acme/{repo}/actions/runs/{n}",
        "html_url": f"https://github.com/acme/{repo}/actions/runs/{n}",
        "pull_requests": [], "created_at": iso(started), "updated_at": iso(started + timedelta(minutes=minutes)),
        "run_attempt": 1, "run_started_at": iso(started), "actor": user("dev"), "triggering_actor": user("dev"),
    }


def deployment(repo: str, n: int, env: str, created: datetime, commit: str) -> dict[str, Any]:
    return {
        "url": f"https://api.github.com/repos/acme/{repo}/deployments/{n}", "id": n, "node_id": f"DE_{n}",
        "sha": commit, "ref": "main", "task": "deploy", "payload": {}, "original_environment": env,
        "environment": env, "description": "deploy", "creator": user("github-actions[bot]"),
        "created_at": iso(created), "updated_at": iso(created + timedelta(minutes=3)),
        "statuses_url": f"https://api.github.com/repos/acme/{repo}/deployments/{n}/statuses",
        "repository_url": f"https://api.github.com/repos/acme/{repo}",
        "transient_environment": False, "production_environment": env == "production",
    }


def issue(repo: str, n: int, title: str, created: datetime, closed: datetime | None, labels: list[str],
          merged: datetime | None = None, is_pr: bool = False, author: str = "dev") -> dict[str, Any]:
    item = {
        "id": n, "node_id": f"I_{n}", "url": f"https://api.github.com/repos/acme/{repo}/issues/{n}",
        "html_url": f"https://github.com/acme/{repo}/issues/{n}", "number": n, "state": "closed" if closed else "open",
        "title": title, "body": "", "user": user(author), "labels": [label(x) for x in labels], "assignee": None,
        "assignees": [], "milestone": None, "locked": False, "comments": 0,
        "closed_at": iso(closed) if closed else None, "created_at": iso(created),
        "updated_at": iso(closed or created), "author_association": "MEMBER", "state_reason": None,
    }
    if is_pr:
        item["pull_request"] = {"url": f"https://api.github.com/repos/acme/{repo}/pulls/{n}",
                                "html_url": f"https://github.com/acme/{repo}/pull/{n}",
                                "diff_url": f"https://github.com/acme/{repo}/pull/{n}.diff",
                                "patch_url": f"https://github.com/acme/{repo}/pull/{n}.patch",
                                "merged_at": iso(merged) if merged else None}
    return item


def ruleset_rules(reviews: int = 2) -> list[dict[str, Any]]:
    src = {"ruleset_source_type": "Organization", "ruleset_source": "acme", "ruleset_id": 73}
    return [
        {"type": "pull_request", **src, "parameters": {
            "required_approving_review_count": reviews, "dismiss_stale_reviews_on_push": True,
            "require_code_owner_review": True, "require_last_push_approval": True,
            "required_review_thread_resolution": False, "allowed_merge_methods": ["squash"]}},
        {"type": "required_status_checks", **src, "parameters": {
            "strict_required_status_checks_policy": True, "do_not_enforce_on_create": False,
            "required_status_checks": [{"context": "test"}]}},
        {"type": "non_fast_forward", **src},
        {"type": "deletion", **src},
    ]


def classic_protection(repo: str, reviews: int = 1) -> dict[str, Any]:
    base = f"https://api.github.com/repos/acme/{repo}/branches/main/protection"
    return {
        "url": base,
        "required_status_checks": {"url": base + "/required_status_checks", "strict": True, "contexts": ["ci"],
                                   "contexts_url": base + "/required_status_checks/contexts", "checks": [{"context": "ci", "app_id": None}]},
        "enforce_admins": {"url": base + "/enforce_admins", "enabled": False},
        "required_pull_request_reviews": {"url": base + "/required_pull_request_reviews", "dismiss_stale_reviews": False,
                                          "require_code_owner_reviews": False, "required_approving_review_count": reviews,
                                          "require_last_push_approval": False},
        "required_linear_history": {"enabled": False}, "allow_force_pushes": {"enabled": False},
        "allow_deletions": {"enabled": False}, "required_conversation_resolution": {"enabled": False},
    }


def platform(now: datetime = NOW, name: str = "platform") -> FakeRepo:
    head = sha(name, "head")
    r = FakeRepo(name, sha=head, topics=["service", "tier-1"], protected=True, rules=ruleset_rules(2),
                 files={".github/workflows/ci.yml": CI_YML, ".github/workflows/deploy.yml": DEPLOY_YML,
                        ".github/workflows/drift.yml": DRIFT_YML, ".github/CODEOWNERS": "* @acme/platform\n",
                        "README.md": "# platform\n"})
    r.classic = None  # protected only through the org ruleset
    r.rulesets = {73: {"id": 73, "name": "main", "target": "branch", "source_type": "Organization", "source": "acme",
                       "enforcement": "active", "bypass_actors": [], "rules": ruleset_rules(2)}}
    r.environments = [environment(name, "production", reviewers=2, branch_policy="protected", prevent_self_review=True,
                                  admins_bypass=False), environment(name, "staging")]
    n = 1
    runs, deps, statuses = [], [], {}
    for day in range(1, 61):  # a deploy every working day for 60 days
        t = now - timedelta(days=day, hours=-2)
        if t.weekday() >= 5:
            continue
        c = sha(name, "c", day)
        runs.append(run(name, n, "push", ".github/workflows/deploy.yml", t, 8, head_sha=c))
        deps.append(deployment(name, 5000 + n, "production", t + timedelta(minutes=4), c))
        statuses[5000 + n] = [{"id": n, "state": "success", "created_at": iso(t + timedelta(minutes=7)),
                               "environment": "production", "creator": user("github-actions[bot]")}]
        n += 1
    for h in (5, 29):
        runs.append(run(name, n, "schedule", ".github/workflows/drift.yml", now - timedelta(hours=h), 3))
        n += 1
    for i in range(10):
        runs.append(run(name, n, "pull_request", ".github/workflows/ci.yml", now - timedelta(days=i + 1), 5, branch=f"f{i}"))
        n += 1
    r.runs = sorted(runs, key=lambda x: x["created_at"], reverse=True)
    r.deployments = sorted(deps, key=lambda x: x["created_at"], reverse=True)
    r.statuses = statuses
    items = []
    for i in range(30):  # merged PRs: one a day, each approved by someone else
        m = now - timedelta(days=i + 1, hours=3)
        items.append(issue(name, 100 + i, f"change {i}", m - timedelta(hours=5), m, [], merged=m, is_pr=True, author=f"dev{i % 3}"))
        r.reviews[100 + i] = [{"id": i, "user": user("reviewer"), "state": "APPROVED", "submitted_at": iso(m - timedelta(hours=1))}]
    for i, d in enumerate((10, 25, 40, 70)):  # incidents, closed within hours
        c = now - timedelta(days=d)
        items.append(issue(name, 200 + i, f"outage {i}", c, c + timedelta(hours=2 + i), ["incident", "sev2"]))
    items.append(issue(name, 300, "remove manual cert rotation", now - timedelta(days=20), None, ["toil"]))
    r.issues = sorted(items, key=lambda x: x["updated_at"], reverse=True)
    r.pulls = [{"number": it["number"], "merged_at": it["pull_request"]["merged_at"], "user": it["user"],
                "state": "closed", "title": it["title"], "html_url": it["pull_request"]["html_url"]}
               for it in r.issues if "pull_request" in it]
    r.labels = [label(x) for x in ("bug", "incident", "sev2", "toil")]
    r.workflows = [{"id": k, "node_id": f"W_{k}", "name": p, "path": f".github/workflows/{p}.yml", "state": "active",
                    "html_url": f"https://github.com/acme/{name}/blob/main/.github/workflows/{p}.yml"}
                   for k, p in enumerate(("ci", "deploy", "drift"), 1)]
    r.releases = [{"id": 1, "tag_name": "v1.2.0", "name": "v1.2.0", "draft": False, "prerelease": False,
                   "created_at": iso(now - timedelta(days=3)), "published_at": iso(now - timedelta(days=3))}]
    r.code_scanning = {"state": "configured", "languages": ["python"], "query_suite": "default",
                       "updated_at": iso(now - timedelta(days=100)), "schedule": "weekly"}
    return r


def webapp(now: datetime = NOW, name: str = "webapp") -> FakeRepo:
    r = FakeRepo(name, sha=sha(name, "head"), protected=True, classic=classic_protection(name, 1),
                 files={".github/workflows/ci.yml": CI_YML, "README.md": "# webapp\n"})
    r.environments = [environment(name, "production", wait=10), environment(name, "staging")]
    c = sha(name, "c")
    t = now - timedelta(days=12)
    r.runs = [run(name, 1, "push", ".github/workflows/ci.yml", t, 20, head_sha=c)]
    r.deployments = [deployment(name, 7001, "production", t + timedelta(minutes=5), c)]
    r.issues = [issue(name, 5, "fix login", now - timedelta(days=13), now - timedelta(days=12, hours=20), [],
                      merged=now - timedelta(days=12, hours=20), is_pr=True)]
    return r


def legacy(now: datetime = NOW, name: str = "legacy") -> FakeRepo:
    return FakeRepo(name, sha=sha(name, "head"), files={"README.md": "# legacy\n", "deploy.sh": "scp app prod:/srv\n"})


def vault(now: datetime = NOW, name: str = "vault") -> FakeRepo:
    """Branch protected, but the fixture server denies classic protection and environments (see tests)."""
    r = FakeRepo(name, sha=sha(name, "head"), protected=True, classic=classic_protection(name, 2),
                 files={".github/workflows/ci.yml": CI_YML})
    r.environments = [environment(name, "production", reviewers=1)]
    return r


def acme(now: datetime = NOW) -> list[FakeRepo]:
    return [
        platform(now), webapp(now), legacy(now), vault(now),
        FakeRepo("old-archive", sha=sha("old", "head"), archived=True, files={"README.md": "old"}),
        FakeRepo("forked-lib", sha=sha("fork", "head"), fork=True, files={"README.md": "fork"}),
    ]


def bulk(n: int, now: datetime = NOW) -> list[FakeRepo]:
    """n repositories cycling through the maturity shapes (for the benchmark)."""
    makers = (platform, webapp, legacy)
    return [makers[i % 3](now, name=f"svc-{i:04d}") for i in range(n)]


DENY_VAULT = [
    (r"^/repos/acme/vault/branches/main/protection$", 404),  # no admin: GitHub answers 404 Not Found
    (r"^/repos/acme/vault/environments$", 403),
]
