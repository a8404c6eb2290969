"""Azure subscriptions scanned end to end: the real CLI, the real management SDK and credential plumbing,
against a fake Resource Manager endpoint over HTTPS on loopback (tests/fake_azure), pointed at with
--azure-url, AZURE_ACCESS_TOKEN and REQUESTS_CA_BUNDLE."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from wafops.collectors.translate import azure as tr
from wafops.scanner.cli import main

from tests.fake_azure import TOKEN, FakeArm, scenarios

FAST = ["--option", "azure_backoff=0.01", "--option", "azure_max_wait=0.2", "--option", "azure_retries=2"]


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Any:
    f = FakeArm(page_size=5).start(tmp_path_factory.mktemp("arm"))
    scenarios.level1(f)
    scenarios.level4(f)
    yield f
    f.stop()


def _fresh(tmp_path: Path, build: Any = scenarios.level4, page_size: int = 50) -> FakeArm:
    f = FakeArm(page_size=page_size).start(tmp_path)
    build(f)
    return f


def scan(fake: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *targets: str, extra: list[str] | None = None,
         ca: bool = True, token: str = TOKEN, url_from_env: bool = False) -> tuple[int, dict[str, Any], str]:
    monkeypatch.setenv("AZURE_ACCESS_TOKEN", token)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("AZURE_RESOURCE_MANAGER_URL", raising=False)
    if url_from_env:
        monkeypatch.setenv("AZURE_RESOURCE_MANAGER_URL", fake.url)
    if ca:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_file))
    else:
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    out = tmp_path / "result.json"
    url = [] if url_from_env else ["--azure-url", fake.url]
    args = ["scan", *targets, *url, "--format", "json", "--all-evidence", "-o", str(out), *FAST, *(extra or [])]
    res = CliRunner().invoke(main, args)
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, json.loads(out.read_text()) if out.exists() else {}, res.output


def subject(doc: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in doc["subjects"] if s["id"] == f"azure:{sid}")


def control(doc: dict[str, Any], sid: str, cid: str) -> dict[str, Any]:
    return next(c for c in subject(doc, sid)["controls"] if c["id"] == cid)


def criterion(doc: dict[str, Any], sid: str, crid: str) -> dict[str, Any]:
    return next(cr for c in subject(doc, sid)["controls"] for cr in c["criteria"] if cr["id"] == crid)


def evidence(doc: dict[str, Any], sid: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in doc["evidence"] if e["subject"] == f"azure:{sid}" and e["kind"] == kind]


@pytest.fixture(scope="module")
def both(fake: FakeArm, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    mp = pytest.MonkeyPatch()
    try:
        code, doc, _ = scan(fake, mp, tmp_path_factory.mktemp("out"), f"azure:{scenarios.LOW}", f"azure:{scenarios.HIGH}")
    finally:
        mp.undo()
    assert code == 0
    return doc


def test_subscription_near_level_1(both: dict[str, Any]) -> None:
    low = scenarios.LOW
    ops040 = control(both, low, "WAF-OPS-040")
    assert ops040["level"] == 1 and ops040["status"] == "assessed"
    assert "none has a notification target" in criterion(both, low, "ops040-alerting-configured")["reason"]
    # nothing in code or guarded, no continuous compliance: decided from the subscription alone
    assert criterion(both, low, "ops020-prod-in-code-or-guardrail")["status"] == "not_met"
    assert "0 %" in criterion(both, low, "ops020-prod-in-code-or-guardrail")["reason"]
    assert criterion(both, low, "ops090-compliance-service")["status"] == "not_met"
    assert criterion(both, low, "ops060-automation")["status"] != "met"
    changes = evidence(both, low, "cloud.changes")[0]["attributes"]
    assert changes["by_people"] == 10 and changes["via_portal"] == 10


def test_subscription_near_level_4(both: dict[str, Any]) -> None:
    high = scenarios.HIGH
    ops040 = control(both, high, "WAF-OPS-040")
    assert ops040["level"] == 4, [(c["id"], c["status"], c["reason"][:80]) for c in ops040["criteria"]]
    for crid in ("ops040-symptom-ratio", "ops040-runbook-links", "ops040-paging-integration", "ops040-burn-rate",
                 "ops040-error-budget-dashboard"):
        assert criterion(both, high, crid)["status"] == "met", crid
    # the live rules are not in any scanned repository: level 5's "alerts as code" is not met
    assert criterion(both, high, "ops040-alerts-as-code")["status"] == "not_met"
    ops030 = control(both, high, "WAF-OPS-030")
    assert ops030["level"] == 2 and ops030["status"] == "partially_assessed"  # level 3 needs the code (structured logs)
    for crid in ("ops030-central-telemetry", "ops030-log-retention", "ops030-sampling", "ops030-central-platform",
                 "ops020-prod-in-code-or-guardrail", "ops020-full-coverage", "ops020-self-healing",
                 "ops090-compliance-service", "ops090-guardrails-sensitive", "ops090-auto-remediation",
                 "ops060-automation", "ops080-safer-rollout", "ops080-progressive", "ops080-instant-rollback"):
        assert criterion(both, high, crid)["status"] == "met", crid
    assert control(both, high, "WAF-OPS-080")["level"] == 3
    auto = {e["attributes"].get("via", "account") for e in evidence(both, high, "doc.automation")}
    assert auto == {"account", "action-group"}  # published runbooks, and one an alert starts
    tools = {e["attributes"]["tool"] for e in evidence(both, high, "deploy.strategy")}
    assert tools == {"app-service-slots", "container-apps", "front-door"}
    policy = evidence(both, high, "drift.tool")
    assert any(p["attributes"].get("non_compliant_resources") == 2 for p in policy)  # compliance state (a POST query)
    # what only a repository can show stays not assessed, naming the repository
    assert "repo" in criterion(both, high, "ops030-structured-logging")["reason"]


def test_evidence_has_provenance(both: dict[str, Any]) -> None:
    items = [e for e in both["evidence"] if e["source"] == "azure"]
    assert len(items) > 20
    for e in items:
        assert e["locator"].startswith("/subscriptions/"), e
        assert e["collected_at"]
    rule = next(e for e in evidence(both, scenarios.HIGH, "alert.rule") if e["attributes"]["name"] == "shop-api-slo-burn")
    assert rule["locator"].endswith("/providers/Microsoft.Insights/scheduledQueryRules/shop-api-slo-burn")
    assert rule["attributes"]["burn_rate"] and rule["attributes"]["windows"] == ["5m", "1h"]
    assert rule["attributes"]["runbook"] == "https://runbooks.contoso.example/shop-api/slo-burn"
    # secrets never reach the output: the PagerDuty integration URL is searched, not kept
    assert "events.pagerduty.com" not in json.dumps(both)


def test_pagination_follows_next_link(fake: FakeArm, both: dict[str, Any]) -> None:
    inv = evidence(both, scenarios.HIGH, "cloud.inventory")[0]["attributes"]
    assert inv["resources"] == 16 and inv["groups"] == 2
    assert any("$skiptoken" in r.query for r in fake.requests if r.path.endswith("/resources"))


def test_every_request_is_a_read(fake: FakeArm, both: dict[str, Any]) -> None:
    """Every request is a GET, or the one POST query docs/azure.md lists (the policy compliance summary)."""
    from tests.fake_azure import READ_POST

    posts = [r for r in fake.requests if r.method != "GET"]
    assert fake.requests and all(r.method == "POST" and READ_POST.match(r.path.lower()) for r in posts), posts
    assert not fake.writes()
    assert all(r.authorized for r in fake.requests)
    paths = " ".join(r.path.lower() for r in fake.requests)
    assert "listkeys" not in paths and "appsettings" not in paths and "/register" not in paths


def test_a_write_never_leaves_the_process(fake: FakeArm, monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.core.rest import HttpRequest
    from wafops.collectors.cloud.azure.client import Arm, WriteRefused

    monkeypatch.setenv("AZURE_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_file))
    arm = Arm({"azure_url": fake.url}, scenarios.HIGH)
    before = len(fake.requests)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        with pytest.raises(WriteRefused):
            arm.sdk.send_request(HttpRequest(method, f"{fake.url}/subscriptions/{scenarios.HIGH}/providers/"
                                                     f"Microsoft.Web/register?api-version=2025-04-01"))
    assert len(fake.requests) == before


def test_unregistered_provider_is_not_registered_and_not_absence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = _fresh(tmp_path)
    f.fail(r"/providers/Microsoft\.App/containerApps$", 409, "MissingSubscriptionRegistration")
    f.fail(r"/providers/Microsoft\.Authorization/locks$", 409, "MissingSubscriptionRegistration")
    try:
        code, doc, _ = scan(f, monkeypatch, tmp_path, f"azure:{scenarios.HIGH}")
    finally:
        f.stop()
    assert not f.writes()  # read-only, whatever went wrong
    assert code == 0
    assert not f.writes(), [(r.method, r.path) for r in f.writes()]  # the SDK did not POST .../register
    un = [e["attributes"] for e in evidence(doc, scenarios.HIGH, "cloud.unreadable")]
    assert {u["what"] for u in un} >= {"container apps", "management locks"}
    assert all(u["error"] == "unregistered" for u in un)
    assert subject(doc, scenarios.HIGH)["sources"]
    # the lock guardrail could not be read: not absent, not assessed, with the reason
    g = criterion(doc, scenarios.HIGH, "ops090-guardrails-sensitive")
    assert g["status"] == "not_assessed" and "not registered" in g["reason"]


def test_denied_parts_leave_their_criteria_not_assessed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = _fresh(tmp_path, scenarios.level1)
    f.fail(r"/providers/Microsoft\.Authorization/(policyAssignments|locks)$", 403, "AuthorizationFailed")
    try:
        code, doc, _ = scan(f, monkeypatch, tmp_path, f"azure:{scenarios.LOW}")
    finally:
        f.stop()
    assert not f.writes()  # read-only, whatever went wrong
    assert code == 0
    low = scenarios.LOW
    comp = criterion(doc, low, "ops090-compliance-service")
    assert comp["status"] == "not_assessed" and "access denied" in comp["reason"] and "policy assignments" in comp["reason"]
    # what was readable still decides: the alerts notify nobody, coverage is 0 %
    assert control(doc, low, "WAF-OPS-040")["level"] == 1
    assert criterion(doc, low, "ops020-full-coverage")["status"] == "not_met"
    # coverage 0 % or a lock guardrail (unreadable): cannot tell
    assert criterion(doc, low, "ops020-prod-in-code-or-guardrail")["status"] == "not_assessed"
    st = next(s for s in subject(doc, low)["sources"] if s["source"] == "azure")
    assert st["status"] == "partial" and "policy assignments" in st["reason"]


def test_throttling_is_retried_after_retry_after_then_degrades(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = _fresh(tmp_path)
    f.fail(r"/providers/Microsoft\.Insights/metricAlerts$", 429, "TooManyRequests", {"Retry-After": "1"}, times=1)
    f.fail(r"/providers/Microsoft\.Insights/actionGroups$", 429, "SubscriptionRequestsThrottled", {"Retry-After": "30"})
    try:
        code, doc, _ = scan(f, monkeypatch, tmp_path, f"azure:{scenarios.HIGH}")
    finally:
        f.stop()
    assert not f.writes()  # read-only, whatever went wrong
    assert code == 0
    metric = [r for r in f.requests if r.path.endswith("/metricAlerts")]
    assert len(metric) == 2  # one 429, one retry that was answered
    assert any(e["attributes"]["name"] == "shop-api-5xx" for e in evidence(doc, scenarios.HIGH, "alert.rule"))
    groups = [r for r in f.requests if r.path.endswith("/actionGroups")]
    assert len(groups) == 3  # the first try and azure_retries=2, each wait capped by azure_max_wait
    un = [e["attributes"] for e in evidence(doc, scenarios.HIGH, "cloud.unreadable")]
    assert [u["error"] for u in un] == ["throttled"] and "429" in un[0]["reason"]


def test_server_errors_are_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = _fresh(tmp_path)
    f.fail(r"/resources$", 503, "ServiceUnavailable", times=1)
    try:
        code, doc, _ = scan(f, monkeypatch, tmp_path, f"azure:{scenarios.HIGH}")
    finally:
        f.stop()
    assert not f.writes()  # read-only, whatever went wrong
    assert code == 0
    assert control(doc, scenarios.HIGH, "WAF-OPS-040")["level"] == 4


def test_inventory_denied_means_nothing_is_concluded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = _fresh(tmp_path, scenarios.level1)
    f.fail(r"/resourcegroups$", 403, "AuthorizationFailed")
    try:
        code, doc, _ = scan(f, monkeypatch, tmp_path, f"azure:{scenarios.LOW}")
    finally:
        f.stop()
    assert not f.writes()  # read-only, whatever went wrong
    st = next(s for s in subject(doc, scenarios.LOW)["sources"] if s["source"] == "azure")
    assert st["status"] == "denied" and "AuthorizationFailed" in st["reason"]
    assert criterion(doc, scenarios.LOW, "ops090-compliance-service")["status"] == "not_assessed"
    assert code == 3  # no source of the subject could be read


def test_certificates_are_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = _fresh(tmp_path, scenarios.level1)
    try:
        code, doc, _ = scan(f, monkeypatch, tmp_path, f"azure:{scenarios.LOW}", ca=False)
    finally:
        f.stop()
    assert not f.writes()  # read-only, whatever went wrong
    st = next(s for s in subject(doc, scenarios.LOW)["sources"] if s["source"] == "azure")
    assert st["status"] == "error" and "certificate" in st["reason"].lower()
    assert not f.requests  # the TLS handshake failed: nothing was sent


def test_every_readable_subscription(fake: FakeArm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, doc, _ = scan(fake, monkeypatch, tmp_path, "azure:", extra=["--option", "azure_areas=alerting"], url_from_env=True)
    assert code == 0
    assert [s["id"] for s in doc["subjects"]] == [f"azure:{scenarios.LOW}", f"azure:{scenarios.HIGH}"]


def test_bad_target_and_refused_token(fake: FakeArm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, out = scan(fake, monkeypatch, tmp_path, "azure:not-a-guid")
    assert code == 2 and "not a subscription id" in out
    code, doc, _ = scan(fake, monkeypatch, tmp_path, f"azure:{scenarios.LOW}", token="wrong")
    st = next(s for s in subject(doc, scenarios.LOW)["sources"] if s["source"] == "azure")
    assert st["status"] == "denied"
    code, _, out = scan(fake, monkeypatch, tmp_path, "azure:", token="wrong")
    assert code == 2 and "token was refused" in out


def test_terraform_and_api_alert_are_the_same_evidence(tmp_path: Path) -> None:
    """`azurerm_monitor_metric_alert` in a repository and the metric alert read from the API: one translation."""
    from wafops.collectors.cloud.azure.alerting import _runbook
    from wafops.collectors.repo.alerting import AlertingCollector
    from wafops.collectors.translate.alerting import rule_attributes

    from tests.helpers import collect_with, write_tree

    write_tree(tmp_path, {"main.tf": '''
resource "azurerm_monitor_action_group" "oncall" {
  name = "ag-oncall"
  resource_group_name = "rg"
  short_name = "oncall"
  webhook_receiver {
    name = "pagerduty"
    service_uri = "https://events.pagerduty.com/integration/x/enqueue"
  }
}
resource "azurerm_monitor_metric_alert" "errors" {
  name = "shop-api-5xx"
  resource_group_name = "rg"
  scopes = [azurerm_linux_web_app.shop.id]
  description = "HTTP 5xx. Runbook: https://runbooks.contoso.example/shop-api/5xx"
  severity = 1
  window_size = "PT5M"
  criteria {
    metric_namespace = "Microsoft.Web/sites"
    metric_name = "Http5xx"
    aggregation = "Total"
    operator = "GreaterThan"
    threshold = 10
  }
  action { action_group_id = azurerm_monitor_action_group.oncall.id }
}
'''})
    ev, _ = collect_with(AlertingCollector(), tmp_path)
    tf_rule = next(e for e in ev if e.kind == "alert.rule").attributes
    tf_route = next(e for e in ev if e.kind == "alert.routing").attributes
    api = {"description": "HTTP 5xx. Runbook: https://runbooks.contoso.example/shop-api/5xx", "severity": 1, "enabled": True,
           "windowSize": "PT5M", "criteria": {"odata.type": "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                                              "allOf": [{"criterionType": "StaticThresholdCriterion", "metricName": "Http5xx",
                                                         "metricNamespace": "Microsoft.Web/sites"}]},
           "actions": [{"actionGroupId": "/subscriptions/s/resourceGroups/rg/providers/microsoft.insights/actionGroups/ag-oncall"}]}
    a = tr.metric_alert(api, "shop-api-5xx")
    api_rule = rule_attributes(origin=a["origin"], name=a["name"], expr=a["expr"], severity=a["severity"],
                               notifies=a["notifies"], paging_hint=a["paging_hint"], extra_windows=a["windows"],
                               runbook=_runbook(a["runbook"]))
    same = ("origin", "name", "expr", "signal", "paging", "severity", "runbook", "burn_rate", "windows", "notifies",
            "pager_target")
    assert {k: tf_rule[k] for k in same} == {k: api_rule[k] for k in same}
    receivers = tr.action_group_receivers({"enabled": True, "webhookReceivers": [
        {"name": "pagerduty", "serviceUri": "https://events.pagerduty.com/integration/x/enqueue"}]})
    assert tf_route["receivers"] == receivers == ["pagerduty", "webhook"]


def test_credential_is_the_token_as_is_else_default_azure_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.identity import DefaultAzureCredential
    from wafops.collectors.cloud.azure.client import StaticToken, credential

    monkeypatch.setenv("AZURE_ACCESS_TOKEN", "eyJ0eXAi.token")
    cred = credential()
    assert isinstance(cred, StaticToken) and cred.get_token("https://management.chinacloudapi.cn/.default").token == "eyJ0eXAi.token"
    monkeypatch.delenv("AZURE_ACCESS_TOKEN")
    assert isinstance(credential(), DefaultAzureCredential)  # built, not asked for a token


def test_translations() -> None:
    assert tr.iso_window("PT5M") == "5m" and tr.iso_window("PT1H") == "1h" and tr.iso_window("P1D") == "1d"
    assert tr.kql_windows("x | where t > ago(1h) | join (y | where t > ago(5m))") == ["1h", "5m"]
    assert tr.iac_owned({"managed-by": "Terraform"}) == "terraform" and tr.iac_owned({"owner": "team"}) is None
    assert tr.lock_facts({"level": "ReadOnly"}) == {"lock_level": "ReadOnly"}
    assert not tr.policy_assignment({"enforcementMode": "DoNotEnforce"})["enforce"]
    assert tr.action_group_receivers({"enabled": False, "emailReceivers": [{"name": "x"}]}) == []
    assert tr.container_app_strategy({"configuration": {"activeRevisionsMode": "Single"}}) is None
    # symptom or cause by Azure platform metric, where the name alone says nothing to the generic classifier
    assert tr.metric_signal(["requests/duration"]) == "symptom" and tr.metric_signal(["dtu_consumption_percent"]) == "cause"
    assert tr.metric_signal(["Http5xx", "Percentage CPU"]) is None
    assert not tr.weighted_routing("Microsoft.Cdn/profiles/originGroups", {"origins": [{"weight": 50}, {"weight": 50}]})


def test_workload_pools_a_repository_with_a_subscription(fake: FakeArm, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The repository keeps the runbooks, the subscription the alerts that link them: together they are more."""
    import subprocess

    repo = tmp_path / "shop"
    rb = repo / "docs" / "runbooks"
    rb.mkdir(parents=True)
    (repo / "README.md").write_text("# shop\n")
    (rb / "shop-api-5xx.md").write_text("# Shop API 5xx\n\n## Symptoms\n5xx above the SLO.\n\n## Diagnosis\n```\n"
                                        "az webapp log tail -n shop-api\n```\n\n## Remediation\nSwap the slot back.\n\n"
                                        "## Escalation\nPage the shop on-call.\n")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(tmp_path)}
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "runbooks"]):
        subprocess.run(["git", "-C", str(repo), *cmd], check=True, env=env, capture_output=True)
    cfg = tmp_path / "wafops.yml"
    cfg.write_text(f"workloads:\n  - name: shop\n    repositories: [{repo}]\n    azure_subscriptions: [\"{scenarios.HIGH}\"]\n")
    code, doc, out = scan(fake, monkeypatch, tmp_path, str(repo), extra=["--config", str(cfg), "--by", "both"])
    assert code == 0, out
    subs = {s["id"]: s for s in doc["subjects"]}
    assert set(subs) >= {"workload:shop", "local:shop", f"azure:{scenarios.HIGH}"}

    def level(sid: str, cid: str) -> int | None:
        return next(c for c in subs[sid]["controls"] if c["id"] == cid)["level"]

    def status(sid: str, crid: str) -> str:
        return next(cr for c in subs[sid]["controls"] for cr in c["criteria"] if cr["id"] == crid)["status"]

    pooled, alone, cloud = "workload:shop", "local:shop", f"azure:{scenarios.HIGH}"
    # runbooks (repository) linked from paging alerts (subscription): OPS-060 level 3 needs both
    assert status(pooled, "ops060-alerts-link-runbooks") == "met" and status(alone, "ops060-alerts-link-runbooks") == "not_met"
    assert level(pooled, "WAF-OPS-060") >= 3 > (level(alone, "WAF-OPS-060") or 1)
    assert level(cloud, "WAF-OPS-060") is None  # the subscription alone has no runbooks to judge
    # the alerting lives in the subscription: the repository alone is level 1, the workload level 4
    assert level(alone, "WAF-OPS-040") == 1 and level(pooled, "WAF-OPS-040") == 4
    members = {e["subject"] for e in doc["evidence"] if e["subject"] in (alone, cloud)}
    assert members == {alone, cloud}  # pooled evidence keeps its own subject and locator


def _with_state(f: FakeArm) -> None:
    b = scenarios.level1(f)
    st = b.rid("rg-app", "Microsoft.Storage/storageAccounts", "stlegacydata")
    state = {"version": 4, "terraform_version": "1.9.5", "resources": [
        {"mode": "managed", "type": t, "name": n, "provider": 'provider["registry.terraform.io/hashicorp/azurerm"]',
         "instances": [{"attributes": {"id": b.rid("rg-app", rt, n), "name": n}}]}
        for t, rt, n in (("azurerm_linux_virtual_machine", "Microsoft.Compute/virtualMachines", "vm-batch"),
                         ("azurerm_mssql_server", "Microsoft.Sql/servers", "sql-legacy"))]}
    endpoint = f.blob("stlegacydata", "tfstate", "prod.terraform.tfstate", json.dumps(state).encode())
    f.add(st + "/blobServices/default/containers", {"id": st + "/blobServices/default/containers/tfstate", "name": "tfstate"})
    f.put(st + "/blobServices/default", {"properties": {"isVersioningEnabled": False, "deleteRetentionPolicy": {"enabled": True}}})
    f.put(st, {"id": st, "name": "stlegacydata", "properties": {"primaryEndpoints": {"blob": endpoint}}})


def test_terraform_state_is_read_only_when_opted_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = _fresh(tmp_path, _with_state)
    try:
        _, plain, _ = scan(f, monkeypatch, tmp_path, f"azure:{scenarios.LOW}")
        assert not any(r.path.startswith("/blob/") for r in f.requests)  # not opted in: no blob is read
        _, no_token, _ = scan(f, monkeypatch, tmp_path, f"azure:{scenarios.LOW}", extra=["--option", "azure_read_state=true"])
        assert not any(r.path.startswith("/blob/") for r in f.requests)  # an ARM token is no storage token
        monkeypatch.setenv("AZURE_STORAGE_ACCESS_TOKEN", TOKEN)
        _, opted, _ = scan(f, monkeypatch, tmp_path, f"azure:{scenarios.LOW}", extra=["--option", "azure_read_state=true"])
    finally:
        f.stop()
    assert not f.writes()
    low = scenarios.LOW
    backend = evidence(plain, low, "iac.backend")[0]["attributes"]
    assert backend["containers"] == ["tfstate"] and not backend["versioning"] and backend["soft_delete"]
    assert evidence(plain, low, "iac.coverage")[0]["attributes"]["ratio"] == 0
    assert "AZURE_STORAGE_ACCESS_TOKEN" in evidence(no_token, low, "cloud.unreadable")[0]["attributes"]["reason"]
    cov = evidence(opted, low, "iac.coverage")[0]["attributes"]
    assert cov["ratio"] == 0.5 and cov["by"]["terraform_state"] == 2
    assert evidence(opted, low, "iac.backend")[0]["attributes"]["state_read"] is True
    assert "sql-legacy" not in json.dumps([e for e in opted["evidence"] if e["kind"] == "iac.backend"])  # ids counted, not kept


def test_a_failing_area_costs_only_its_conclusions(fake: FakeArm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wafops.collectors.cloud.azure import collector

    def broken(sub: Any) -> None:
        raise KeyError("properties")

    monkeypatch.setattr(collector, "AREAS", tuple((n, broken if n == "iac" else f) for n, f in collector.AREAS))
    code, doc, _ = scan(fake, monkeypatch, tmp_path, f"azure:{scenarios.LOW}")
    assert code == 0
    comp = criterion(doc, scenarios.LOW, "ops090-compliance-service")
    assert comp["status"] == "not_assessed" and "the iac area" in comp["reason"]
    assert control(doc, scenarios.LOW, "WAF-OPS-040")["level"] == 1  # the other areas still decide
    assert any("iac failed: KeyError" in w["message"] for w in doc["warnings"])


def test_slows_down_when_the_read_budget_runs_low(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wafops.collectors.base import CollectContext
    from wafops.collectors.cloud.azure.client import Arm
    from wafops.collectors.cloud.azure.collector import read_subscription
    from wafops.scanner.core.model import Subject

    f = _fresh(tmp_path, scenarios.level1)
    f.headers["x-ms-ratelimit-remaining-subscription-reads"] = "7"
    monkeypatch.setenv("AZURE_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(f.ca_file))
    opts = {"azure_url": f.url, "azure_read_pause": 0.02, "azure_areas": ["alerting"]}
    ctx = CollectContext(subject=Subject(id=f"azure:{scenarios.LOW}"), options=opts)
    try:
        arm = Arm(opts, scenarios.LOW)
        ev = read_subscription(ctx, arm, scenarios.LOW, {"alerting"})
    finally:
        f.stop()
    assert arm.budget.waited > 0 and len([e for e in ev if e.kind == "alert.rule"]) == 2
