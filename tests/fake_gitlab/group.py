"""A GitLab group with subgroups and projects at different maturity, on the fake API.

    acme/platform/payments            mature: protected main (push: No one), 2-approver rule, code-owner
                                      approval, protected production-tier environment with 2 approvals,
                                      15 production deployments, scheduled pipelines, incidents, freeze period
    acme/platform/infra/terraform-live  nested subgroup; protected main, nothing else
    acme/apps/webapp                  young: unprotected main, unprotected production environment
    acme/apps/legacy                  archived (excluded by default)
    acme/apps/webapp-fork             a fork (excluded by default)

Field names and types follow GitLab's published REST examples (see NOTICE.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fake_gitlab.server import FakeProject

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
GROUPS = ["acme", "acme/platform", "acme/platform/infra", "acme/apps"]


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def user(n: int, name: str) -> dict[str, Any]:
    return {"id": n, "name": name.title(), "username": name, "state": "active", "avatar_url": None,
            "web_url": f"https://gitlab.example.com/{name}"}


PAYMENTS_CI = """\
stages: [lint, test, security, deploy]
include:
  - template: Jobs/SAST.gitlab-ci.yml
  - template: Jobs/Secret-Detection.gitlab-ci.yml
lint:
  stage: lint
  script:
    - ruff check .
test:
  stage: test
  script:
    - pytest -q
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
deploy-production:
  stage: deploy
  script:
    - ./deploy.sh
  environment:
    name: customer-facing
    deployment_tier: production
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
"""

WEBAPP_CI = """\
stages: [test, deploy]
test:
  stage: test
  script:
    - npm test
deploy:
  stage: deploy
  script:
    - ./deploy.sh production
  environment:
    name: production
  only:
    - main
"""


def _protected(name: str, push: int, merge: int, code_owners: bool = False) -> dict[str, Any]:
    desc = {0: "No one", 30: "Developers + Maintainers", 40: "Maintainers"}
    return {"id": 1, "name": name,
            "push_access_levels": [{"id": 11, "access_level": push, "access_level_description": desc[push],
                                    "user_id": None, "group_id": None}],
            "merge_access_levels": [{"id": 12, "access_level": merge, "access_level_description": desc[merge],
                                     "user_id": None, "group_id": None}],
            "allow_force_push": False, "code_owner_approval_required": code_owners, "inherited": False}


def _env(i: int, name: str, tier: str) -> dict[str, Any]:
    return {"id": i, "name": name, "slug": f"{name}-{i:04x}", "external_url": f"https://{name}.example.com",
            "state": "available", "tier": tier, "created_at": "2025-01-10T10:00:00.000Z",
            "updated_at": "2026-11-20T10:00:00.000Z"}


def _deployment(i: int, env: dict[str, Any], at: datetime, status: str = "success", sha: str = "a" * 40) -> dict[str, Any]:
    return {
        "id": 1000 + i, "iid": i, "ref": "main", "sha": sha, "created_at": iso(at - timedelta(minutes=6)),
        "updated_at": iso(at), "status": status, "user": user(5, "deployer"),
        "deployable": {"id": 5000 + i, "status": "success" if status == "success" else "failed", "stage": "deploy",
                       "name": "deploy-production", "ref": "main", "tag": False, "coverage": None,
                       "created_at": iso(at - timedelta(minutes=7)), "started_at": iso(at - timedelta(minutes=6)),
                       "finished_at": iso(at), "duration": 360.0,
                       "pipeline": {"id": 700 + i, "sha": sha, "ref": "main", "status": status,
                                    "created_at": iso(at - timedelta(minutes=10)), "updated_at": iso(at),
                                    "web_url": f"https://gitlab.example.com/acme/platform/payments/-/pipelines/{700 + i}"}},
        "environment": {"id": env["id"], "name": env["name"], "external_url": env["external_url"]},
    }


def _pipeline(i: int, source: str, at: datetime, status: str = "success", ref: str = "main", minutes: int = 8) -> dict[str, Any]:
    return {"id": 900 + i, "iid": i, "project_id": 1, "status": status, "source": source, "ref": ref, "sha": "b" * 40,
            "name": None, "web_url": f"https://gitlab.example.com/acme/x/-/pipelines/{900 + i}",
            "created_at": iso(at), "updated_at": iso(at + timedelta(minutes=minutes))}


def _mr(i: int, merged: datetime, author: str = "dev") -> dict[str, Any]:
    return {"id": 3000 + i, "iid": i, "project_id": 1, "title": f"Change {i}", "state": "merged",
            "created_at": iso(merged - timedelta(hours=20)), "updated_at": iso(merged), "merged_at": iso(merged),
            "closed_at": None, "target_branch": "main", "source_branch": f"feature-{i}", "author": user(7, author),
            "merged_by": user(8, "maintainer"), "sha": "c" * 40, "merge_commit_sha": "d" * 40, "draft": False,
            "web_url": f"https://gitlab.example.com/acme/x/-/merge_requests/{i}"}


def _issue(i: int, created: datetime, closed: datetime | None, labels: list[str], issue_type: str = "issue") -> dict[str, Any]:
    return {"id": 4000 + i, "iid": i, "project_id": 1, "title": f"Issue {i}", "description": "",
            "state": "closed" if closed else "opened", "created_at": iso(created),
            "updated_at": iso(closed or created), "closed_at": iso(closed) if closed else None,
            "closed_by": user(8, "maintainer") if closed else None, "labels": labels, "milestone": None,
            "assignees": [], "author": user(7, "dev"), "type": issue_type.upper(), "issue_type": issue_type,
            "user_notes_count": 1, "merge_requests_count": 0, "upvotes": 0, "downvotes": 0, "confidential": False,
            "web_url": f"https://gitlab.example.com/acme/x/-/issues/{i}"}


def payments() -> FakeProject:
    prod, staging = _env(1, "customer-facing", "production"), _env(2, "staging", "staging")
    deploys = [_deployment(i, prod, NOW - timedelta(days=4 * i, hours=3)) for i in range(1, 16)]
    deploys.append(_deployment(20, staging, NOW - timedelta(days=1)))
    pipes = [_pipeline(i, "push", NOW - timedelta(days=i)) for i in range(1, 11)]
    pipes += [_pipeline(20 + i, "merge_request_event", NOW - timedelta(days=i, hours=2), ref="feature") for i in range(5)]
    pipes += [_pipeline(30, "schedule", NOW - timedelta(hours=20)), _pipeline(31, "schedule", NOW - timedelta(hours=44))]
    mrs = [_mr(i, NOW - timedelta(days=4 * i, hours=5)) for i in range(1, 13)]
    issues = [_issue(i, NOW - timedelta(days=10 * i), NOW - timedelta(days=10 * i) + timedelta(hours=2), ["incident::sev2"],
                     "incident") for i in range(1, 4)]
    issues.append(_issue(9, NOW - timedelta(days=30), None, ["tech-debt", "Change::Normal"]))
    return FakeProject(
        "payments", "acme/platform", sha="1" * 40, protected=True,
        files={".gitlab-ci.yml": PAYMENTS_CI, "README.md": "# payments\n", "CODEOWNERS": "* @acme/payments-team\n"},
        protected_branches=[_protected("main", 0, 40, code_owners=True), _protected("release/*", 40, 40)],
        approval_rules=[{
            "id": 1, "name": "Two reviewers", "rule_type": "regular",
            "eligible_approvers": [user(5, "jdoe"), user(6, "asmith")], "approvals_required": 2,
            "users": [user(5, "jdoe"), user(6, "asmith")], "groups": [], "contains_hidden_groups": False,
            "protected_branches": [], "applies_to_all_protected_branches": False,
        }],
        approvals={"approvals_before_merge": 0, "reset_approvals_on_push": True, "selective_code_owner_removals": False,
                   "disable_overriding_approvers_per_merge_request": True, "merge_requests_author_approval": False,
                   "merge_requests_disable_committers_approval": True, "require_password_to_approve": False},
        environments=[prod, staging],
        protected_environments=[{
            "name": "customer-facing",
            "deploy_access_levels": [{"id": 1, "access_level": 40, "access_level_description": "Maintainers",
                                      "user_id": None, "group_id": None, "group_inheritance_type": 0}],
            "required_approval_count": 0,
            "approval_rules": [{"id": 1, "user_id": None, "group_id": 9, "access_level": None,
                                "access_level_description": "release-managers", "required_approvals": 2,
                                "group_inheritance_type": 0}],
        }],
        deployments=deploys, pipelines=pipes, merge_requests=mrs, issues=issues,
        freeze_periods=[{"id": 1, "freeze_start": "0 23 * * 5", "freeze_end": "0 7 * * 1", "cron_timezone": "UTC",
                         "created_at": "2025-05-01T10:00:00.000Z", "updated_at": "2025-05-01T10:00:00.000Z"}],
        only_allow_merge_if_pipeline_succeeds=True,
    )


def webapp() -> FakeProject:
    prod = _env(3, "production", "production")
    return FakeProject(
        "webapp", "acme/apps", sha="2" * 40, protected=False,
        files={".gitlab-ci.yml": WEBAPP_CI, "README.md": "# webapp\n", "package.json": '{"name": "webapp"}\n'},
        environments=[prod], protected_environments=[],
        deployments=[_deployment(i, prod, NOW - timedelta(days=9 * i)) for i in range(1, 4)],
        pipelines=[_pipeline(i, "push", NOW - timedelta(days=2 * i), minutes=25) for i in range(1, 5)],
        merge_requests=[_mr(1, NOW - timedelta(days=3))],
    )


def terraform_live() -> FakeProject:
    return FakeProject("terraform-live", "acme/platform/infra", sha="3" * 40, protected=True,
                       files={"main.tf": 'terraform {\n  backend "http" {}\n}\n', "README.md": "# live\n"},
                       protected_branches=[_protected("main", 40, 40)])


def acme() -> list[FakeProject]:
    return [
        payments(), terraform_live(), webapp(),
        FakeProject("legacy", "acme/apps", sha="4" * 40, archived=True, files={"README.md": "old\n"}),
        FakeProject("webapp-fork", "acme/apps", sha="5" * 40, fork=True, files={"README.md": "fork\n"}),
    ]


def bulk(n: int) -> tuple[list[FakeProject], list[str]]:
    """n projects in nested subgroups (acme/unit-N/team-M[/svc]), alternating mature and young shapes."""
    projects, groups = [], {"acme"}
    for i in range(n):
        unit, team = f"acme/unit-{i % 10}", f"acme/unit-{i % 10}/team-{i % 7}"
        ns = team if i % 3 else f"{team}/svc"
        groups.update({unit, team, ns})
        if i % 2:
            p = payments()
        else:
            p = webapp()
        p.path, p.namespace, p.sha = f"p{i:04d}", ns, f"{i:040x}"
        projects.append(p)
    return projects, sorted(groups)
