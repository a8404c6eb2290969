"""Issue 8, platform answers: nothing but JSON is trusted, nothing hangs, invalid URLs never leave.

Fault injection against the fake GitHub server: hang, trickle, an HTML page on a 200, JSON cut short.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from wafops.collectors.platforms.github.client import reset_clients
from wafops.scanner.cli import main

from tests.fake_github import org
from tests.fake_github.server import FakeGitHub

TOKEN = "ghp_TRUSTdistinctiveTOKEN9931abcQWE"


@pytest.fixture(autouse=True)
def _clients():
    yield
    reset_clients()


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    f = FakeGitHub(org.acme(), tokens={TOKEN}).start()
    yield f
    f.stop()


def run(fake: FakeGitHub, cache: Path, *extra: str, target: str = "github:acme"):
    args = ["scan", target, "--github-url", fake.url, "--format", "json", "--as-of", "2026-11-22",
            "--option", f"cache_dir={cache}", "--option", "github_backoff=0.01", "--option", "github_max_wait=2", *extra]
    t = time.monotonic()
    r = CliRunner().invoke(main, args)
    if r.exception and not isinstance(r.exception, SystemExit):
        raise r.exception
    doc = json.loads(r.stdout) if r.stdout.strip().startswith("{") else None
    return r, doc, time.monotonic() - t


def unreadable(doc: dict, repo: str) -> dict[str, dict]:
    return {e["attributes"]["what"]: e["attributes"] for e in doc["evidence"]
            if e["subject"] == f"github:acme/{repo}" and e["kind"] == "scm.unreadable"}


def source(doc: dict, repo: str, name: str) -> dict:
    s = next(s for s in doc["subjects"] if s["id"] == f"github:acme/{repo}")
    return next(x for x in s["sources"] if x["source"] == name)


def test_html_repository_list_is_a_source_error_not_zero_repositories(fake, tmp_path):
    fake.fault(r"^/orgs/acme/repos$", "html")
    r, doc, _ = run(fake, tmp_path / "c", "--fail-under", "1")
    assert r.exit_code == 3, r.output
    assert "text/html instead of JSON" in r.stderr
    assert doc is not None and doc["subjects"] == [] and "text/html" in doc["warnings"][0]["message"]


def test_html_on_one_call_is_unreadable_never_absence(fake, tmp_path):
    fake.fault(r"^/repos/acme/platform/environments$", "html")
    r, doc, _ = run(fake, tmp_path / "c")
    assert r.exit_code == 0, r.output
    what = unreadable(doc, "platform")
    assert "environments" in what and "text/html" in what["environments"]["reason"]
    assert source(doc, "platform", "github")["status"] == "partial"
    assert not [e for e in doc["evidence"] if e["subject"] == "github:acme/platform" and e["kind"] == "scm.environment"
                and e["attributes"].get("origin") == "api"]
    assert sum(1 for e in fake.log if e["path"] == "/repos/acme/platform/environments") == 1  # not retried


def test_truncated_json_is_retried_then_unreadable(fake, tmp_path):
    fake.fault(r"^/repos/acme/platform/deployments$", "truncate", times=1)
    fake.fault(r"^/repos/acme/webapp/deployments$", "truncate")
    r, doc, _ = run(fake, tmp_path / "c")
    assert r.exit_code == 0, r.output
    assert "deployments" not in unreadable(doc, "platform")  # a second try got the whole answer
    assert "truncated JSON" in unreadable(doc, "webapp")["deployments"]["reason"]


def test_a_trickling_body_cannot_extend_the_request(fake, tmp_path):
    fake.fault(r"^/repos/acme/platform/issues$", "trickle", delay=0.5)
    r, doc, took = run(fake, tmp_path / "c", "--option", "github_timeout=2", "--option", "github_retries=1",
                       target="github:acme/platform")
    assert r.exit_code == 0, r.output
    assert "timed out" in unreadable(doc, "platform")["issues"]["reason"]
    assert took < 20, took  # 2 attempts x 2 s, not one byte every 0.5 s of a long body


def test_a_silent_server_costs_at_most_the_call_budget(fake, tmp_path):
    fake.fault(r"^/repos/acme/platform/releases$", "hang")
    fake.fault(r"^/repos/acme/platform/issues$", "hang")
    r, doc, took = run(fake, tmp_path / "c", "--option", "github_timeout=1", "--option", "github_retries=10",
                       "--option", "github_max_call_seconds=3", target="github:acme/platform")
    assert r.exit_code == 0, r.output
    assert "issues" in unreadable(doc, "platform")
    assert took < 20, took  # retries stop at the per-call budget (3 s), not 11 x 1 s each


def test_deadline_ends_a_hanging_scan_with_what_was_collected(fake, tmp_path):
    fake.fault(r"^/repos/acme/webapp/issues$", "hang")
    out = tmp_path / "r.json"
    r, _, took = run(fake, tmp_path / "c", "--option", "github_timeout=60", "--option", "github_concurrency=2",
                     "--deadline", "4", "-o", str(out), "-j", "1")
    assert took < 4 + 12, took
    doc = json.loads(out.read_text())
    assert doc["subjects"], "what was scanned before the deadline is kept"
    assert any("deadline" in w["message"] for w in doc["warnings"])
    assert r.exit_code in (0, 3)
    if r.exit_code == 3:
        assert doc["complete"] is False
    for s in doc["subjects"]:  # nothing the deadline cut short reads as "not met"
        for c in s["controls"]:
            for cr in c["criteria"]:
                if "deadline" in cr["reason"]:
                    assert cr["status"] == "not_assessed"


@pytest.mark.parametrize("url", ["htp:/nowhere", "ftp://ghe.example.com/api/v3", "https://", "not a url",
                                 "https://ghe.example.com:99999/api"])
def test_invalid_github_url_is_rejected_before_any_request(fake, url):
    t = time.monotonic()
    r = CliRunner().invoke(main, ["scan", "github:acme", "--github-url", url])
    assert r.exit_code == 2 and "github_url" in r.output, r.output
    assert time.monotonic() - t < 5 and not fake.log


def test_client_rejects_html_and_truncated_bodies_directly(fake):
    from wafops.collectors.platforms.common.http import ApiError
    from wafops.collectors.platforms.github.auth import Credentials
    from wafops.collectors.platforms.github.client import GitHubClient

    c = GitHubClient(fake.url, Credentials("token", TOKEN), retries=1, backoff=0.01)
    fake.fault(r"^/repos/acme/platform$", "html")
    with pytest.raises(ApiError, match="text/html instead of JSON"):
        c.get("/repos/acme/platform")
    fake.injections.clear()
    fake.fault(r"^/repos/acme/platform$", "truncate")
    with pytest.raises(ApiError, match="truncated JSON"):
        c.get("/repos/acme/platform")
    fake.injections.clear()
    assert c.get("/repos/acme/platform").data["name"] == "platform"
    c.close()


def test_fault_campaign_completes_in_time_loses_nothing_and_leaks_nothing(monkeypatch, tmp_path):
    """About 10 % of requests fail (429, 5xx, timeouts, HTML, truncated JSON) and one request hangs:
    the scan ends within its deadline, every subject is reported, what failed is not assessed (never
    "not met"), and the token appears nowhere."""
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    fake = FakeGitHub(org.bulk(12), tokens={TOKEN}).start()
    try:
        api = r"^/repos/acme/svc-\d+/(?!tarball)"
        fake.fault(r"^/repos/acme/svc-0004/issues$", "hang", times=1)
        fake.inject(api, 429, rate=0.02, headers={"Retry-After": "0"})
        fake.inject(api, 502, rate=0.02)
        fake.fault(api, "html", rate=0.02)
        fake.fault(api, "truncate", rate=0.02)
        fake.fault(api, "trickle", rate=0.02, delay=0.4)
        out = tmp_path / "r.json"
        r, _, took = run(fake, tmp_path / "c", "--option", "github_timeout=2", "--option", "github_retries=2",
                         "--option", "github_max_call_seconds=6", "--deadline", "90", "-o", str(out), "-j", "4")
        assert took < 90, took
        assert r.exit_code == 0, r.output
        doc = json.loads(out.read_text())
        assert len(doc["subjects"]) == 12 and doc["complete"] is True
        served = [m for m, _p in fake.faults_served]
        assert {"hang", "429", "502", "html", "truncate"} <= set(served), served
        unread = [e for e in doc["evidence"] if e["kind"] == "scm.unreadable"]
        assert unread, "some calls failed for good and are named"
        text = out.read_text() + r.output
        assert TOKEN not in text and TOKEN[4:20] not in text
        for s in doc["subjects"]:
            blind = {e["attributes"]["what"] for e in unread if e["subject"] == s["id"]}
            for c in s["controls"]:
                for cr in c["criteria"]:
                    if cr["status"] == "not_met":
                        assert not any(f"{w}:" in cr["reason"] for w in blind), (s["id"], cr)
        requests = len([e for e in fake.log if not e["path"].startswith("/_codeload")])
        print(f"fault campaign: {requests} API requests, faults {dict((m, served.count(m)) for m in set(served))}, "
              f"{len(unread)} calls unreadable, {took:.1f} s")
    finally:
        fake.stop()


def test_waits_and_progress_are_told_on_stderr_without_a_terminal(fake, tmp_path, monkeypatch):
    from wafops.scanner import cli

    monkeypatch.setattr(cli._PlainProgress, "EVERY", 0.0)  # a long scan's progress lines, at once
    fake.inject(r"^/repos/acme/platform/environments$", 429, times=1, headers={"Retry-After": "1"})
    r, doc, _ = run(fake, tmp_path / "c", "--option", "github_max_wait=5")
    assert r.exit_code == 0, r.output
    assert "rate limited (HTTP 429); waiting 1s before retrying /repos/acme/platform/environments" in r.stderr
    assert f"scanned {len(doc['subjects'])}/{len(doc['subjects'])} subject(s)" in r.stderr
    assert TOKEN not in r.stderr


def test_an_api_error_echoing_the_token_never_leaks(fake, tmp_path):
    """The token came back in an error message and reached two report fields that were never masked."""
    fake.inject(r"^/repos/acme/platform/environments$", 403, message=f"Bad credentials for token {TOKEN}")
    fake.inject(r"^/repos/acme/webapp/branches/main/protection$", 500, message=f"upstream said Authorization: token {TOKEN}")
    for fmt in ("json", "table", "markdown", "sarif", "html"):
        args = ["scan", "github:acme", "--github-url", fake.url, "--format", fmt, "--details", "--as-of", "2026-11-22",
                "--option", f"cache_dir={tmp_path / 'c'}", "--option", "github_backoff=0.01", "--option", "github_retries=0"]
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 0, r.output
        assert TOKEN not in r.output and TOKEN[4:20] not in r.output, fmt


def test_one_unanswerable_endpoint_costs_at_most_max_call_seconds(fake):
    """Retries of a silent endpoint end with the call budget even when one attempt alone may take longer."""
    from wafops.collectors.platforms.common.http import ApiError
    from wafops.collectors.platforms.github.auth import Credentials
    from wafops.collectors.platforms.github.client import GitHubClient

    fake.fault(r"^/repos/acme/platform$", "hang")
    c = GitHubClient(fake.url, Credentials("token", TOKEN), retries=3, backoff=0.01, timeout=30, max_call_seconds=3)
    t = time.monotonic()
    with pytest.raises(ApiError, match="timed out|no answer|Timeout"):
        c.get("/repos/acme/platform")
    assert time.monotonic() - t < 5
    c.close()


def test_a_list_call_answering_another_shape_is_an_error(fake):
    from wafops.collectors.platforms.common.http import ApiError
    from wafops.collectors.platforms.github.auth import Credentials
    from wafops.collectors.platforms.github.client import GitHubClient

    c = GitHubClient(fake.url, Credentials("token", TOKEN), retries=0)
    with pytest.raises(ApiError, match="dict where a list was expected"):
        c.pages("/repos/acme/platform")  # an object, where the caller asked for a list
    with pytest.raises(ApiError, match="where a list under 'workflow_runs' was expected"):
        c.pages("/repos/acme/platform", key="workflow_runs")
    items, _, complete = c.pages("/repos/acme/platform/environments", key="environments")
    assert isinstance(items, list) and complete
    c.close()
