"""End to end: the real CLI against the fake GitLab API over loopback HTTP (Premium and Free groups)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from wafops.collectors.platforms.gitlab import mapping
from wafops.collectors.platforms.gitlab.client import reset_clients
from wafops.scanner.cli import main

from tests.fake_gitlab import group
from tests.fake_gitlab.server import FakeGitLab

TOKEN = "glpat-WAFOPSdistinctiveGL4419qzX"
SCOPE_DENIED = {"error": "insufficient_scope",
                "error_description": "The request requires higher privileges than provided by the access token.",
                "scope": "api read_api"}


def _setup(mp: pytest.MonkeyPatch) -> None:
    """The token from the environment only; no GitLab CI variables leak in from the machine."""
    mp.setenv("GITLAB_TOKEN", TOKEN)
    for name in ("CI_JOB_TOKEN", "GITLAB_URL", "CI_SERVER_URL"):
        mp.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    _setup(monkeypatch)
    reset_clients()
    yield
    reset_clients()


@pytest.fixture(scope="module")
def premium_run(tmp_path_factory):
    """One scan of the Premium group, shared by the tests that only read its result."""
    with pytest.MonkeyPatch.context() as mp:
        _setup(mp)
        f = _fake("premium", list_page_size=2)
        try:
            code, _, doc = scan(f, tmp_path_factory.mktemp("gl") / "c")
            yield code, doc, list(f.log), f.methods()
        finally:
            f.stop()
            reset_clients()


def _fake(tier: str = "premium", **kw) -> FakeGitLab:
    return FakeGitLab(group.acme(), group.GROUPS, tier=tier, tokens={TOKEN}, **kw).start()


@pytest.fixture
def premium():
    f = _fake("premium", list_page_size=2)
    yield f
    f.stop()


@pytest.fixture
def free():
    f = _fake("free")
    yield f
    f.stop()


def scan(fake: FakeGitLab, cache: Path, *extra: str, fmt: str = "json", target: str = "gitlab:acme") -> tuple[int, str, dict | None]:
    reset_clients()
    args = ["scan", target, "--gitlab-url", fake.url, "--format", fmt, "--as-of", "2026-11-22",
            "--option", f"cache_dir={cache}", "--option", "gitlab_max_wait=2", "--option", "gitlab_backoff=0.01",
            *(["--all-evidence"] if fmt == "json" else []), *extra]
    r = CliRunner().invoke(main, args)
    if r.exception and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.output, (json.loads(r.output) if fmt == "json" and r.exit_code == 0 else None)


def render(doc: dict, tmp_path: Path, fmt: str) -> str:
    """The saved result in another format (`wafops report`), without scanning again."""
    path = tmp_path / "result.json"
    path.write_text(json.dumps(doc))
    r = CliRunner().invoke(main, ["report", str(path), "--format", fmt, "--details"])
    assert r.exit_code == 0, r.output
    return r.output


def ev(doc: dict, project: str, kind: str) -> list[dict]:
    return [e for e in doc["evidence"] if e["subject"] == f"gitlab:acme/{project}" and e["kind"] == kind]


def criterion(doc: dict, project: str, cid: str) -> dict:
    s = next(s for s in doc["subjects"] if s["id"] == f"gitlab:acme/{project}")
    return next(cr for c in s["controls"] for cr in c["criteria"] if cr["id"] == cid)


def source(doc: dict, project: str, name: str) -> dict:
    s = next(s for s in doc["subjects"] if s["id"] == f"gitlab:acme/{project}")
    return next(x for x in s["sources"] if x["source"] == name)


def test_group_scan_discovers_subgroups_paginates_and_only_reads(premium_run):
    code, doc, log, methods = premium_run
    assert code == 0
    assert [s["id"] for s in doc["subjects"]] == [
        "gitlab:acme/apps/webapp", "gitlab:acme/platform/infra/terraform-live", "gitlab:acme/platform/payments"]
    pages = [e["query"] for e in log if e["path"] == "/api/v4/groups/acme/projects"]
    assert len(pages) == 2 and "include_subgroups=true" in pages[0] and "page=2" in pages[1]  # Link rel="next"
    assert methods == {"GET"}  # never writes


def test_x_next_page_pagination_and_single_project(tmp_path):
    f = _fake("premium", list_page_size=1, pagination="x-next-page")
    try:
        code, _, doc = scan(f, tmp_path / "c")
        assert code == 0 and len(doc["subjects"]) == 3
        assert len([e for e in f.log if e["path"] == "/api/v4/groups/acme/projects"]) == 4  # 4 listed, 1 a page
        code, _, doc = scan(f, tmp_path / "c", target="gitlab:acme/apps/webapp")
        assert code == 0 and [s["id"] for s in doc["subjects"]] == ["gitlab:acme/apps/webapp"]
        code, _, doc = scan(f, tmp_path / "c", "--exclude", "*webapp*", target="gitlab:acme/platform")
        assert [s["id"] for s in doc["subjects"]] == ["gitlab:acme/platform/infra/terraform-live",
                                                      "gitlab:acme/platform/payments"]
    finally:
        f.stop()


def test_premium_settings_satisfy_gates(premium_run):
    doc = premium_run[1]
    # a protected environment of tier production (not named like production) with 2 required approvals
    (env,) = [e for e in ev(doc, "platform/payments", "scm.environment") if e["attributes"]["production"]]
    assert env["attributes"]["name"] == "customer-facing" and env["attributes"]["required_reviewers"] == 2
    gate = criterion(doc, "platform/payments", "ops010-prod-approval-gate")
    assert gate["status"] == "met" and "customer-facing" in gate["reason"]
    # an approval rule with two approvers on a branch nobody can push to
    (rules,) = ev(doc, "platform/payments", "scm.branch_rules")
    a = rules["attributes"]
    assert (a["requires_pr"], a["required_reviews"], a["code_owner_review"]) == (True, 2, True)
    assert a["force_push_blocked"] and a["status_checks"] and a["dismiss_stale"] is None  # settings: full depth
    assert criterion(doc, "platform/payments", "ops050-multi-approver")["status"] == "met"
    # a deploy freeze period
    (freeze,) = ev(doc, "platform/payments", "change.freeze")
    assert freeze["source"] == "gitlab" and freeze["attributes"]["freeze_start"] == "0 23 * * 5"
    assert criterion(doc, "platform/payments", "ops050-freeze")["status"] == "met"
    # the young project: unprotected, so these are not met (nothing hidden)
    assert criterion(doc, "apps/webapp", "ops010-prod-approval-gate")["status"] == "not_met"
    assert criterion(doc, "apps/webapp", "ops050-multi-approver")["status"] == "not_met"


def test_activity_and_dora(premium_run):
    doc = premium_run[1]
    (runs,) = ev(doc, "platform/payments", "scm.runs")
    assert runs["attributes"]["schedule_runs_48h"] == 2 and runs["attributes"]["p50_duration_min"] == 8.0
    assert runs["attributes"]["scheduled_workflows_running"] == [".gitlab-ci.yml"]
    (inc,) = ev(doc, "platform/payments", "scm.incidents")
    assert inc["attributes"]["count"] == 3 and inc["attributes"]["median_hours_to_close"] == 2.0
    (labels,) = ev(doc, "platform/payments", "scm.labels")
    assert labels["attributes"]["debt_used_180d"] == 1
    (dora,) = ev(doc, "platform/payments", "dora.metrics")
    d = dora["attributes"]
    assert d["deploys"] == 15 and d["time_to_restore_hours_p50"] == 2.0 and d["lead_time_hours_p50"] is not None
    (deps,) = ev(doc, "platform/payments", "scm.deployments")
    assert deps["attributes"]["production"] == 15 and deps["attributes"]["environments"] == ["customer-facing", "staging"]


def test_full_depth_reads_approval_settings_labels_schedules_and_mr_approvals(premium, tmp_path):
    premium.projects["acme/platform/payments"].mr_approvals = {1: {"approved": True, "approved_by": [{"user": {"username": "jdoe"}}]}}
    _, _, doc = scan(premium, tmp_path / "c", "--option", "gitlab_depth=full")
    (rules,) = ev(doc, "platform/payments", "scm.branch_rules")
    assert rules["attributes"]["dismiss_stale"] is True and rules["attributes"]["prevent_author_approval"] is True
    (reviews,) = ev(doc, "platform/payments", "scm.reviews")
    assert (reviews["attributes"]["checked"], reviews["attributes"]["reviewed"]) == (12, 1)
    (labels,) = ev(doc, "platform/payments", "scm.labels")
    assert labels["attributes"]["origin"] == "labels-api"
    (dora,) = ev(doc, "platform/payments", "dora.metrics")  # DORA API is Ultimate: computed, and said so
    assert dora["attributes"]["computed_by"] == "wafops"
    assert any(u["attributes"].get("plan_limitation") and u["attributes"]["what"] == "dora_api"
               for u in ev(doc, "platform/payments", "scm.unreadable"))


def test_ultimate_dora_api_and_call_budget(tmp_path):
    f = _fake("ultimate")
    f.projects["acme/platform/payments"].dora = {"lead_time_for_changes": 7200.0, "change_failure_rate": 0.04,
                                                 "time_to_restore_service": 1800.0}
    try:
        _, _, doc = scan(f, tmp_path / "c", "--option", "gitlab_calls=+dora", target="gitlab:acme/platform/payments")
        (dora,) = ev(doc, "platform/payments", "dora.metrics")
        d = dora["attributes"]
        assert (d["computed_by"], d["lead_time_hours_p50"], d["change_failure_rate"], d["time_to_restore_hours_p50"]) == (
            "gitlab-dora-api", 2.0, 0.04, 0.5)
        # a call budget spent half-way: what was not read is named, never read as absence
        _, _, doc = scan(f, tmp_path / "c2", "--option", "gitlab_max_calls=4", "--option", "http_cache=false",
                         target="gitlab:acme/platform/payments")
        st = source(doc, "platform/payments", "gitlab")
        assert st["status"] == "partial" and "call budget" in st["reason"]
        assert any("call budget" in u["attributes"]["reason"] for u in ev(doc, "platform/payments", "scm.unreadable"))
    finally:
        f.stop()


def test_file_evidence_from_archive_with_permalinks(premium_run):
    doc = premium_run[1]
    jobs = ev(doc, "platform/payments", "ci.job")
    assert jobs and all(j["locator"].startswith(
        "https://gitlab.example.com/acme/platform/payments/-/blob/" + "1" * 40 + "/.gitlab-ci.yml#L") for j in jobs)
    assert "GitLab archive" in source(doc, "platform/payments", "git")["reason"]


def test_free_tier_is_a_plan_limitation_in_every_format(free, tmp_path):
    _, _, doc = scan(free, tmp_path / "c")
    gate = criterion(doc, "platform/payments", "ops010-prod-approval-gate")
    assert gate["status"] == "not_met" and "plan limitation" in gate["reason"] and "GitLab Premium" in gate["reason"]
    multi = criterion(doc, "platform/payments", "ops050-multi-approver")
    assert multi["status"] == "not_met" and "plan limitation" in multi["reason"]
    assert criterion(doc, "platform/payments", "ops050-freeze")["status"] == "met"  # freeze periods are Free
    assert source(doc, "platform/payments", "gitlab")["status"] == "ok"  # nothing was hidden
    assert not [e for e in free.log if "approval_rules" in e["path"] or "protected_environments" in e["path"]]
    for fmt in ("markdown", "table"):
        assert "plan limitation" in render(doc, tmp_path, fmt)


def test_missing_scope_is_not_assessed_because(premium, tmp_path):
    premium.inject(r"/(protected_environments|approval_rules)$", 403, body=SCOPE_DENIED)
    _, _, doc = scan(premium, tmp_path / "c")
    gate = criterion(doc, "platform/payments", "ops010-prod-approval-gate")
    assert gate["status"] == "not_assessed" and gate["reason"].startswith("not assessed, because")
    assert "read_api scope" in gate["reason"] and "plan limitation" not in gate["reason"]
    multi = criterion(doc, "platform/payments", "ops050-multi-approver")
    assert multi["status"] == "not_assessed" and "insufficient_scope" in multi["reason"]
    st = source(doc, "platform/payments", "gitlab")
    assert st["status"] == "partial" and "read_api" in st["reason"]
    assert "not assessed, because" in render(doc, tmp_path, "markdown")


def test_unreadable_default_branch_leaves_files_and_protection_not_assessed(premium, tmp_path):
    premium.inject(r"^/api/v4/projects/\d+/repository/branches/main$", 403)
    _, _, doc = scan(premium, tmp_path / "c", target="gitlab:acme/apps/webapp")
    assert source(doc, "apps/webapp", "repo")["status"] == "error"
    (u,) = [u for u in ev(doc, "apps/webapp", "scm.unreadable") if u["attributes"]["what"] == "branch_protection"]
    assert "Reporter" in u["attributes"]["reason"]
    assert criterion(doc, "apps/webapp", "ops010-default-branch-pr")["status"] == "not_assessed"


def test_role_denied_on_unknown_tier_stays_not_assessed(tmp_path):
    f = FakeGitLab(group.acme(), group.GROUPS, tier="free", tokens={TOKEN}, show_plan=False).start()
    try:  # self-managed EE, tier not shown: a 404 on a Premium endpoint decides nothing
        _, _, doc = scan(f, tmp_path / "c")
        gate = criterion(doc, "platform/payments", "ops010-prod-approval-gate")
        assert gate["status"] == "not_assessed" and "gitlab_tier" in gate["reason"]
        _, _, doc = scan(f, tmp_path / "c", "--option", "gitlab_tier=free")
        assert "plan limitation" in criterion(doc, "platform/payments", "ops010-prod-approval-gate")["reason"]
    finally:
        f.stop()


def test_token_never_in_output_logs_or_cache(premium, tmp_path):
    cache = tmp_path / "c"
    premium.inject(r"/pipelines$", 403, times=1)
    code, out, doc = scan(premium, cache)
    outs = [out] + [render(doc, tmp_path, fmt) for fmt in ("markdown", "table", "sarif")]
    assert set(premium.credentials) == {TOKEN}  # sent, and only as the token header
    for text in outs:
        assert TOKEN not in text
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files
    for p in files:
        assert TOKEN.encode() not in p.read_bytes()


def test_second_run_is_answered_by_304s_and_cached_archives(premium, tmp_path):
    scan(premium, tmp_path / "c")
    premium.log.clear()
    code, _, doc = scan(premium, tmp_path / "c")
    assert code == 0
    api = [e for e in premium.log if "archive" not in e["path"]]
    assert not [e for e in premium.log if "archive" in e["path"]]  # archives come from the cache
    assert sum(1 for e in api if e["status"] == 304) / len(api) >= 0.9


def test_rate_limits_and_server_errors_are_retried(premium, tmp_path):
    premium.inject(r"/deployments$", 429, times=1, headers={"Retry-After": "0"})
    premium.inject(r"/issues$", 502, times=1)
    code, _, doc = scan(premium, tmp_path / "c")
    assert code == 0 and source(doc, "platform/payments", "gitlab")["status"] == "ok"
    premium.inject(r"/environments$", 429, headers={"Retry-After": "30"})  # longer than gitlab_max_wait
    _, _, doc = scan(premium, tmp_path / "c2")
    st = source(doc, "platform/payments", "gitlab")
    assert st["status"] == "rate_limited" and "rate limited" in st["reason"]


def test_bad_token_and_unknown_group_are_usage_errors(premium, tmp_path, monkeypatch):
    code, out, _ = scan(premium, tmp_path / "c", target="gitlab:nosuch")
    assert code == 2 and "no such group" in out
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-wrong")
    code, out, _ = scan(premium, tmp_path / "c")
    assert code == 2 and "refused" in out and "glpat-wrong" not in out


def test_mapping_rules():
    pb = {"name": "main", "push_access_levels": [{"access_level": 0}], "allow_force_push": False,
          "code_owner_approval_required": "false"}
    assert mapping.push_only_via_mr(pb) and not mapping.flag(pb["code_owner_approval_required"])
    assert not mapping.push_only_via_mr({"push_access_levels": [{"access_level": 0}, {"access_level": 40, "deploy_key_id": 1}]})
    assert mapping.protection_for([{"name": "release/*"}, {"name": "ma*"}], "main")["name"] == "ma*"
    rules = [{"rule_type": "regular", "approvals_required": 2, "protected_branches": [{"name": "develop"}]},
             {"rule_type": "regular", "approvals_required": 1, "applies_to_all_protected_branches": True},
             {"rule_type": "report_approver", "approvals_required": 3}]
    assert mapping.approvals_required(rules, "main", True) == 1
    assert mapping.approvals_required(rules, "develop", True) == 2
    assert mapping.is_production_env("eu-customer", "production", None) and mapping.is_production_env("prod-eu", None, None)
    assert mapping.required_approvals({"required_approval_count": 1, "approval_rules": [{"required_approvals": 2}]}) == 2
