"""The HTTP floor GitHub and GitLab share: pagination styles, call budget, limits, no credential in errors."""

from __future__ import annotations

import pytest
from wafops.collectors.platforms.common.cache import HttpCache
from wafops.collectors.platforms.common.http import BudgetExhausted, RateLimited, next_link, with_page
from wafops.collectors.platforms.github.auth import Credentials as GhCredentials
from wafops.collectors.platforms.github.client import GitHubClient
from wafops.collectors.platforms.gitlab.client import (
    Credentials,
    GitLabClient,
    credentials_from,
    host_url,
    tier_of_plan,
)

from tests.fake_github import org
from tests.fake_github.server import FakeGitHub
from tests.fake_gitlab import group
from tests.fake_gitlab.server import FakeGitLab


def test_next_page_from_link_or_x_next_page():
    url = "https://gl.example/api/v4/groups/a/projects?per_page=2&page=1"
    assert next_link(url, {"X-Next-Page": "2"}) == f'<{with_page(url, "2")}>; rel="next"'
    assert "page=2" in with_page(url, "2") and "page=1" not in with_page(url, "2")
    assert next_link(url, {"Link": '<https://x/n>; rel="next"', "X-Next-Page": "2"}) == '<https://x/n>; rel="next"'
    assert next_link(url, {"X-Next-Page": ""}) is None


def test_gitlab_host_credentials_and_tiers():
    assert host_url({}, {"CI_SERVER_URL": "https://gl.corp/"}) == "https://gl.corp"
    assert host_url({"gitlab_url": "https://gl.corp/api/v4"}, {}) == "https://gl.corp"
    assert host_url({}, {}) == "https://gitlab.com"
    assert credentials_from({"CI_JOB_TOKEN": "job-secret"}).headers() == {"JOB-TOKEN": "job-secret"}
    c = credentials_from({"GITLAB_TOKEN": "glpat-secret", "CI_JOB_TOKEN": "j"})
    assert c.headers() == {"PRIVATE-TOKEN": "glpat-secret"} and "secret" not in repr(c) and "secret" not in c.ident
    assert (tier_of_plan("gold"), tier_of_plan("default"), tier_of_plan("premium_trial"), tier_of_plan("x")) == (
        "ultimate", "free", "premium", None)


def test_call_budget_is_shared_by_both_platforms(tmp_path):
    with FakeGitHub(org.acme()) as gh:
        c = GitHubClient(gh.url, GhCredentials("anonymous"), None, max_calls=2)
        c.get("/repos/acme/platform")
        c.get("/repos/acme/platform")
        with pytest.raises(BudgetExhausted):
            c.get("/repos/acme/platform")
        assert c.stats["budget_refused"] == 1 and len(gh.log) == 2
    with FakeGitLab(group.acme(), group.GROUPS) as gl:
        c = GitLabClient(gl.url, Credentials("anonymous"), HttpCache(tmp_path), max_calls=3)
        items, _, complete = c.pages("/groups/acme/projects", {"include_subgroups": "true", "per_page": 2}, max_pages=10)
        assert complete and len(items) == 5
        with pytest.raises(BudgetExhausted):
            c.get("/groups/acme/projects")


def test_gitlab_ratelimit_reset_and_retry_after(tmp_path):
    with FakeGitLab(group.acme(), group.GROUPS) as gl:
        gl.inject(r"/projects$", 429, times=1, headers={"Retry-After": "0"})
        c = GitLabClient(gl.url, Credentials("anonymous"), None, max_wait=1, backoff=0.01)
        assert len(c.get("/groups/acme/projects", {"include_subgroups": "true"}).data) == 5 and c.stats["rate_limited"] == 1
        gl.inject(r"/projects$", 429, headers={"Retry-After": "120"})
        with pytest.raises(RateLimited):
            c.get("/groups/acme/projects", {"x": 1})
