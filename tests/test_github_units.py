"""Unit tests of the GitHub payload mapping, DORA computation and client edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from wafops.collectors.platforms.github import dora, mapping
from wafops.collectors.platforms.github.auth import AuthError, Credentials, credentials_from
from wafops.collectors.platforms.github.cache import HttpCache
from wafops.collectors.platforms.github.client import ApiError, GitHubClient, safe_url
from wafops.collectors.platforms.github.resolver import select_repos

from tests.fake_github import org
from tests.fake_github.server import FakeGitHub

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def test_rules_for_branch_merges_rulesets_and_ignores_non_protective_rules():
    assert mapping.rules_for_branch([{"type": "commit_message_pattern", "parameters": {}}], "main") is None
    a = mapping.rules_for_branch(org.ruleset_rules(1) + [{"type": "merge_queue", "ruleset_id": 9}], "main")
    assert a["required_reviews"] == 1 and a["merge_queue"] and a["rulesets"] == [9, 73]
    assert a["enforce_admins"] is None


def test_classic_protection_without_reviews_does_not_require_pr():
    p = org.classic_protection("x", 0)
    p["required_pull_request_reviews"] = None
    p["allow_force_pushes"] = {"enabled": True}
    a = mapping.classic_protection(p, "main")
    assert not a["requires_pr"] and a["required_reviews"] == 0 and not a["force_push_blocked"]


def test_environment_mapping_and_production_pattern():
    e = mapping.environment(org.environment("r", "prod-eu", reviewers=3, wait=5, branch_policy="custom"))
    assert (e["production"], e["required_reviewers"], e["wait_timer"], e["branch_policy"]) == (True, 3, 5, "custom")
    assert not mapping.environment(org.environment("r", "preview-123"))["production"]
    assert mapping.environment(org.environment("r", "main-site"), pattern=r"^main-")["production"]


def test_incidents_drop_pull_requests_and_match_labels():
    items = [
        org.issue("r", 1, "db down", NOW, None, ["type: incident"]),
        org.issue("r", 2, "fix", NOW, NOW, ["incident"], merged=NOW, is_pr=True),
        org.issue("r", 3, "sev", NOW, None, ["SEV1"]),
        org.issue("r", 4, "not", NOW, None, ["incidental-cleanup", "help01"]),
    ]
    assert [i["number"] for i in mapping.incidents(items)] == [1, 3]
    assert mapping.merged_prs_from_issues(items)[0]["number"] == 2


def test_deployment_state_from_runs():
    c = "abc"
    t = NOW - timedelta(days=1)
    d = org.deployment("r", 1, "production", t + timedelta(minutes=2), c)
    ok = org.run("r", 1, "push", ".github/workflows/d.yml", t, 10, head_sha=c)
    bad = dict(ok, conclusion="failure")
    assert mapping.state_from_runs(d, [ok])[0] == "success"
    assert mapping.state_from_runs(d, [bad])[0] == "failure"
    assert mapping.state_from_runs(d, [dict(ok, head_sha="other")])[0] == "unknown"


def test_dora_insufficient_and_incident_link_window():
    deploys = [dora.Deploy(NOW - timedelta(days=d), "success") for d in range(1, 13)]
    deploys.append(dora.Deploy(NOW - timedelta(days=30), "failure"))
    incidents = [
        dora.Incident(NOW - timedelta(days=5) + timedelta(hours=3), NOW - timedelta(days=5) + timedelta(hours=5)),  # linked
        dora.Incident(NOW - timedelta(days=60), NOW - timedelta(days=60) + timedelta(hours=1)),  # no deploy near: not linked
    ]
    merged = [NOW - timedelta(days=d, hours=4) for d in range(1, 8)]
    m = dora.compute(deploys, merged, incidents, NOW, 90)
    assert m["deploys"] == 12 and m["failed_deploys"] == 1 and m["incidents_linked"] == 1
    assert m["change_failure_rate"] == round(2 / 13, 3)
    assert m["lead_time_hours_p50"] == 4.0 and m["sample"]["lead_time"] == 7
    assert "time_to_restore" in m["insufficient"] and m["time_to_restore_hours_p50"] is None
    empty = dora.compute([], [], [], NOW, 90)
    assert set(empty["insufficient"]) == {"deployment_frequency", "lead_time", "change_failure_rate", "time_to_restore"}
    assert empty["deploys_per_working_day"] is None


def test_select_repos_globs_and_flags():
    repos = [{"name": n, "full_name": f"acme/{n}", "archived": n == "a", "fork": n == "f", "topics": ["t"] if n == "x" else []}
             for n in ("a", "f", "x", "y")]
    assert [r["name"] for r in select_repos(repos, {})] == ["x", "y"]
    assert [r["name"] for r in select_repos(repos, {"exclude": ["acme/y"]})] == ["x"]
    assert [r["name"] for r in select_repos(repos, {"topics": "t"})] == ["x"]


def test_credentials_never_show_the_secret(monkeypatch):
    c = credentials_from({}, "https://api.github.com", env={"GH_TOKEN": "ghp_secretsecretsecret"})
    assert c.kind == "token" and "secret" not in repr(c) and "secret" not in c.ident
    assert credentials_from({}, "x", env={}).kind == "anonymous"
    with pytest.raises(AuthError):
        credentials_from({"github_app_id": "1"}, "x", env={})
    assert safe_url("https://u:p@codeload.example/x.tgz?token=abc") == "https://codeload.example/x.tgz"


def test_client_ghes_html_base_and_5xx_exhaustion(tmp_path):
    assert GitHubClient("https://ghe.example.com/api/v3", Credentials("anonymous")).html_base() == "https://ghe.example.com"
    assert GitHubClient("https://api.github.com", Credentials("anonymous")).html_base() == "https://github.com"
    with FakeGitHub([org.legacy()]) as f:
        f.inject(r"/environments$", 503)
        f.inject(r"/deployments$", 429, headers={"Retry-After": "3600"})
        c = GitHubClient(f.url, Credentials("anonymous"), HttpCache(tmp_path), retries=2, backoff=0.01, max_wait=1)
        with pytest.raises(ApiError) as err:
            c.get("/repos/acme/legacy/environments")
        assert err.value.status == 503
        assert sum(1 for e in f.log if e["path"].endswith("/environments")) == 3
        with pytest.raises(ApiError) as err:
            c.get("/repos/acme/legacy/deployments")
        assert type(err.value).__name__ == "RateLimited"
        assert sum(1 for e in f.log if e["path"].endswith("/deployments")) == 1  # no pointless wait
        c.close()


def test_slow_responses_still_complete(tmp_path):
    with FakeGitHub([org.legacy()], latency=0.2) as f:
        c = GitHubClient(f.url, Credentials("anonymous"), None, timeout=5)
        assert c.get("/repos/acme/legacy/branches/main").data["protected"] is False
        c.close()
