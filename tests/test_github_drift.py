"""Acceptance (issue: levels an expert would sign): on the fake GitHub organisation, a repository whose
daily drift job runs reaches WAF-OPS-090 level 3, read end to end through the real CLI."""

from __future__ import annotations

from tests.test_github_scan import _fresh_clients, fake, scan  # noqa: F401  (pytest fixtures)


def control(doc: dict, subject: str, cid: str) -> dict:
    s = next(s for s in doc["subjects"] if s["id"] == f"github:acme/{subject}")
    return next(c for c in s["controls"] if c["id"] == cid)


def test_daily_drift_job_that_runs_reaches_ops090_level_3(fake, tmp_path):  # noqa: F811
    code, _, doc = scan(fake, tmp_path / "c")
    assert code == 0 and doc is not None
    c = control(doc, "platform", "WAF-OPS-090")
    crit = {cr["id"]: cr for cr in c["criteria"]}
    assert c["level"] >= 3, [(cr["id"], cr["status"], cr["reason"]) for cr in c["criteria"]]
    assert crit["ops090-scheduled"]["status"] == "met"
    # "running" is decided by the scheduled runs read through the API (two in the last day and a half)
    assert crit["ops090-running"]["status"] == "met" and "ran recently" in crit["ops090-running"]["reason"]


def test_a_drift_workflow_that_never_runs_is_not_running(monkeypatch, tmp_path):
    """The same repository whose scheduled drift workflow has no runs (GitHub disables schedules in inactive
    repositories): what the API says counts against the running criterion."""
    from tests.fake_github import org
    from tests.fake_github.server import FakeGitHub
    from tests.test_github_scan import TOKEN

    repo = org.platform()
    repo.runs = [r for r in repo.runs if r.get("event") != "schedule"]
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    f = FakeGitHub([repo], tokens={TOKEN}).start()
    try:
        code, _, doc = scan(f, tmp_path / "c")
    finally:
        f.stop()
    assert code == 0 and doc is not None
    crit = {cr["id"]: cr for cr in control(doc, "platform", "WAF-OPS-090")["criteria"]}
    assert crit["ops090-scheduled"]["status"] == "met"
    assert crit["ops090-running"]["status"] == "not_met"
