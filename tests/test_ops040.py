"""WAF-OPS-040 level pins for small synthetic repositories (collectors -> probes -> level)."""

from __future__ import annotations

import json
from pathlib import Path

from wafops.collectors.repo.alerting import AlertingCollector
from wafops.collectors.repo.observability import ObservabilityCollector
from wafops.scanner.core.model import ControlStatus, Outcome

from tests.helpers import collect_with, evaluate, write_tree


def _level(root: Path, **states: str):
    ev = collect_with(ObservabilityCollector(), root)[0] + collect_with(AlertingCollector(), root)[0]
    return evaluate("WAF-OPS-040", ev, **(states or {"repo": "ok", "git": "ok"}))


def _crit(result, cid):
    return next(c for c in result.criteria if c.id == cid)


def _rules(*alerts: tuple[str, str, str, str | None]) -> str:
    out = ["groups:", "- name: g", "  rules:"]
    for name, expr, sev, runbook in alerts:
        out += [f"  - alert: {name}", f"    expr: '{expr}'", f"    labels: {{severity: {sev}}}"]
        if runbook:
            out.append(f"    annotations: {{runbook_url: {runbook}}}")
    return "\n".join(out) + "\n"


ERR = 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05'
LAT = "histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])) by (le)) > 1"
CPU = "avg(rate(node_cpu_seconds_total[5m])) > 0.9"
MEM = "container_memory_working_set_bytes > 1e9"
AM = ("route: {receiver: pd, group_by: [alertname]}\nreceivers:\n- name: pd\n  pagerduty_configs: [{service_key: k}]\n")
SLOTH = """version: prometheus/v1
service: api
slos:
  - name: availability
    objective: 99.9
    alerting:
      name: ApiAvailability
      annotations: {runbook_url: docs/runbooks/api.md}
      page_alert: {labels: {severity: critical}}
      ticket_alert: {labels: {severity: warning}}
"""


def test_service_without_alerting_is_level_1(tmp_path: Path) -> None:
    r = _level(write_tree(tmp_path, {"package.json": json.dumps({"dependencies": {"express": "4"}}),
                                     "src/index.js": "console.log(1)\n"}))
    assert r.level == 1 and r.status is ControlStatus.ASSESSED


def test_saas_monitoring_without_alerts_is_not_assessed(tmp_path: Path) -> None:
    r = _level(write_tree(tmp_path, {"package.json": json.dumps({"dependencies": {"dd-trace": "5"}})}))
    assert r.level is None and r.status is ControlStatus.NOT_ASSESSED
    assert "datadog" in _crit(r, "ops040-alerting-configured").reason


def test_cause_only_alerting_is_level_1(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"alerts.yml": _rules(("HighCPU", CPU, "critical", None), ("HighMem", MEM, "warning", None))})
    r = _level(root)
    # notifying alerts are WAF++ level 2 "Basic alerting" even on causes; the missing symptom alert (the one
    # supporting item of level 2) keeps the strict floor at 1
    assert r.level == 2 and r.confirmed_level == 1
    assert _crit(r, "ops040-alerting-configured").status is Outcome.MET
    assert _crit(r, "ops040-symptom-alert").status is Outcome.NOT_MET
    assert _crit(r, "ops040-symptom-ratio").status is Outcome.NOT_MET


def test_terraform_cpu_alarm_only_is_level_1_and_5xx_makes_level_2(tmp_path: Path) -> None:
    cpu = ('resource "aws_cloudwatch_metric_alarm" "cpu" {\n  alarm_name = "cpu"\n  metric_name = "CPUUtilization"\n'
           '  alarm_actions = ["arn:aws:sns:x"]\n}\n')
    r = _level(write_tree(tmp_path / "a", {"main.tf": cpu}))
    # a CPU alarm that notifies is basic alerting (level 2); without a symptom alert the strict floor is 1
    assert r.level == 2 and r.confirmed_level == 1
    five = ('resource "aws_cloudwatch_metric_alarm" "e" {\n  alarm_name = "5xx"\n  metric_name = "HTTPCode_Target_5XX_Count"\n'
            '  alarm_actions = ["arn:aws:sns:x"]\n}\n')
    mem = cpu.replace('"cpu"', '"mem"').replace("CPUUtilization", "MemoryUtilization")
    r2 = _level(write_tree(tmp_path / "b", {"main.tf": cpu + mem + five}))
    assert r2.level == 2
    # 1 of 3 notifying alerts are symptoms: short of "most" (half, WAF++ level 3 "Symptom-based")
    assert _crit(r2, "ops040-symptom-ratio").status is Outcome.NOT_MET


def test_symptom_alerts_with_runbooks_slos_and_paging_is_level_3(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "monitoring/alerts.yml": _rules(("ApiErrors", ERR, "critical", "../docs/runbooks/api.md"),
                                        ("ApiLatency", LAT, "critical", "../docs/runbooks/api.md"),
                                        ("HighCPU", CPU, "warning", None)),
        "monitoring/alertmanager.yml": AM,
        "slo/openslo.yaml": "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: api}\nspec: {service: api}\n",
        "docs/runbooks/api.md": "# api\n",
    })
    r = _level(root)
    assert r.level == 3, [(c.id, c.status, c.reason) for c in r.criteria]
    assert _crit(r, "ops040-burn-rate").status is Outcome.NOT_MET


def test_missing_runbook_file_breaks_level_3(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "monitoring/alerts.yml": _rules(("ApiErrors", ERR, "critical", "../docs/runbooks/api.md"),
                                        ("ApiLatency", LAT, "critical", "../docs/runbooks/gone.md")),
        "monitoring/alertmanager.yml": AM,
        "slo/openslo.yaml": "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: api}\nspec: {service: api}\n",
        "docs/runbooks/api.md": "# api\n",
    })
    r = _level(root)
    # runbook links are a supporting item of level 3 (the checklist line is OPS-060's): the broken link keeps the
    # strict floor at 2; the estimate stays 3 (symptom alerts, paging through PagerDuty)
    assert r.confirmed_level == 2 and r.level == 3
    assert _crit(r, "ops040-runbook-links").status is Outcome.NOT_MET


def test_sloth_burn_rate_and_error_budget_dashboard_is_level_4(tmp_path: Path) -> None:
    dash = json.dumps({"title": "SLOs", "schemaVersion": 39,
                       "panels": [{"type": "stat", "title": "Error budget remaining", "targets": [{"expr": "slo:sli_error:ratio_rate30d"}]}]})
    root = write_tree(tmp_path, {
        "monitoring/alerts.yml": _rules(("ApiErrors", ERR, "critical", "../docs/runbooks/api.md")),
        "monitoring/alertmanager.yml": AM,
        "slo/sloth.yml": SLOTH,
        "dashboards/slo.json": dash,
        "docs/runbooks/api.md": "# api\n",
    })
    r = _level(root)
    assert r.level == 4, [(c.id, c.status, c.reason) for c in r.criteria]
    # level 5: the live side is unknown (no cloud), and no anomaly detection rules level 5 out anyway
    assert _crit(r, "ops040-anomaly-alerts").status is Outcome.NOT_MET
    assert r.status is ControlStatus.ASSESSED
    assert _crit(r, "ops040-alerts-as-code").status is Outcome.NOT_ASSESSED
    assert _crit(r, "ops040-slo-alert-coverage").status is Outcome.MET


def test_error_tracker_holds_alerts_so_absence_is_not_assessed(tmp_path: Path) -> None:
    """A web app reporting to Sentry has its error alerts in Sentry: no rules in the repository is not level 1."""
    r = _level(write_tree(tmp_path, {"package.json": json.dumps({"dependencies": {"@sentry/nextjs": "9", "next": "15"}})}))
    assert r.level is None and r.status is ControlStatus.NOT_ASSESSED
    assert "sentry" in _crit(r, "ops040-alerting-configured").reason
    # with symptom alerts as code the repository decides level 2 as before
    r2 = _level(write_tree(tmp_path / "b", {"package.json": json.dumps({"dependencies": {"@sentry/node": "9"}}),
                                            "rules.yml": _rules(("ApiErrors", ERR, "warning", None))}))
    # the repository decides: its one alert watches errors (level 3 "Symptom-based" by estimate; the runbook
    # link is missing, so the strict floor is 2)
    assert r2.level == 3 and r2.confirmed_level == 2


def test_cloud_providers_in_testdata_do_not_make_absence_unknown(tmp_path: Path) -> None:
    """Terraform's own testdata configuring an AWS provider is not this repository's cloud workload."""
    from wafops.collectors.repo.iac import IacCollector

    root = write_tree(tmp_path, {
        "go.mod": "module example.com/tool\n\ngo 1.22\n",
        "internal/backend/s3/testdata/main.tf": 'terraform {\n  backend "s3" {}\n}\nprovider "aws" {\n  region = "eu-west-1"\n}\n',
    })
    ev = (collect_with(IacCollector(), root)[0] + collect_with(ObservabilityCollector(), root)[0]
          + collect_with(AlertingCollector(), root)[0])
    r = evaluate("WAF-OPS-040", ev, repo="ok", git="ok")
    assert r.level == 1 and r.status is ControlStatus.ASSESSED


def test_application_insights_without_alert_rules_needs_azure(tmp_path: Path) -> None:
    """App Insights alerts (smart detection, metric/log alerts) live in the Azure resource, usually made in
    the portal: no alert rules in the repository is not level 1 unless Azure was scanned."""
    csproj = ('<Project Sdk="Microsoft.NET.Sdk.Web"><ItemGroup>'
              '<PackageReference Include="Microsoft.ApplicationInsights.AspNetCore" Version="2.22.0" />'
              '</ItemGroup></Project>')
    root = write_tree(tmp_path, {"Api/Api.csproj": csproj, "Api/Dockerfile": "FROM x\n"})
    r = _level(root)
    assert r.level is None and r.status is ControlStatus.NOT_ASSESSED
    assert "azure" in _crit(r, "ops040-alerting-configured").reason
    r = _level(root, repo="ok", git="ok", aws="not_configured", azure="ok")
    assert r.level == 1


DD_SLO = """
resource "datadog_service_level_objective" "availability" {
  name = "${var.service} availability"
  type = "metric"
  thresholds {
    timeframe = "30d"
    target    = 99.9
  }
}
"""


def _dd_burn(target: str) -> str:
    return f"""
resource "datadog_monitor" "fast_burn" {{
  name    = "[SLO burn] ${{var.service}} availability fast burn"
  type    = "slo alert"
  message = <<-EOT
    Budget burning fast.
    Runbook: docs/runbook.md
    {target}
  EOT
  query = "burn_rate(\\"${{datadog_service_level_objective.availability.id}}\\").over(\\"30d\\").long_window(\\"1h\\") > 14.4"
  tags  = ["severity:page"]
}}
"""


def test_datadog_burn_rate_monitor_covers_its_slo_by_reference(tmp_path: Path) -> None:
    """Calibration (Datadog monitors as code): a burn_rate() monitor is multi-window by construction (Datadog adds
    the 1/12 short window), it covers the SLO resource it references, and a severity:page tag makes it paging;
    a pager handle in the message routes it to PagerDuty, a variable target leaves routing not assessed."""
    write_tree(tmp_path, {"tf/slo.tf": DD_SLO, "tf/burn.tf": _dd_burn("@pagerduty-checkout"),
                          "docs/runbook.md": "# Runbook\n\n## Diagnosis\n`kubectl get pods`\n\n## Remediation\nRoll back.\n"})
    result = _level(tmp_path)
    for cid in ("ops040-runbook-links", "ops040-slo-definitions", "ops040-paging-integration", "ops040-burn-rate",
                "ops040-slo-alert-coverage"):
        assert _crit(result, cid).status == Outcome.MET, cid
    rule = next(e for e in collect_with(AlertingCollector(), tmp_path)[0] if e.kind == "alert.rule")
    assert (rule.get("windows"), rule.get("severity"), rule.get("paging"), rule.get("pager_target")) == (
        ["5m", "1h"], "page", True, True)

    write_tree(tmp_path, {"tf/burn.tf": _dd_burn("${var.alert_notification}")})
    result = _level(tmp_path)
    assert _crit(result, "ops040-paging-integration").status == Outcome.NOT_ASSESSED
    assert _crit(result, "ops040-alerting-configured").status == Outcome.MET


def test_uptime_checks_through_a_module_are_basic_alerting(tmp_path: Path) -> None:
    """A Rails app reporting to Sentry, with StatusCake uptime checks set up by a shared module that is given the
    URL and contact groups: basic alerting is in the repository (level 2), not 'not assessed'. Without the
    contact, the module only checks: the SaaS backend may still hold the alerts (not assessed)."""
    app = {"Gemfile": 'gem "rails"\ngem "sentry-rails"\n', "Dockerfile": "FROM ruby\n",
           "terraform/statuscake.tf": 'module "statuscake" {\n  source = "./vendor/modules/aks//monitoring/statuscake"\n'
                                      '  uptime_urls = [var.external_url]\n  contact_groups = var.statuscake_contact_groups\n}\n'}
    r = _level(write_tree(tmp_path / "a", app))
    assert r.level == 2, [(c.id, c.status, c.reason) for c in r.criteria]
    assert _crit(r, "ops040-alerting-configured").status is Outcome.MET
    assert _crit(r, "ops040-symptom-alert").status is Outcome.MET
    # an uptime check alone does not show what the alerting as a whole watches: level 3 cannot be confirmed
    assert _crit(r, "ops040-symptom-ratio").status is not Outcome.MET
    silent = dict(app, **{"terraform/statuscake.tf": app["terraform/statuscake.tf"].replace(
        "  contact_groups = var.statuscake_contact_groups\n", "")})
    r2 = _level(write_tree(tmp_path / "b", silent))
    assert _crit(r2, "ops040-alerting-configured").status is Outcome.NOT_ASSESSED


def test_cause_heavy_erb_rules_with_symptom_uptime_checks(tmp_path: Path) -> None:
    """Configuration-management rules (ERB) mostly on hardware causes, plus a 5xx ratio: basic alerting with a
    symptom alert (level 2); level 3 needs most notifying alerts to be symptoms."""
    rules = _rules(("web error rate", 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.01',
                    "", None),
                   ("disk full", "node_filesystem_avail_bytes < 1e9", "", None),
                   ("fan failed", "ipmi_fan_speed_state != 0 and node_hwmon_temp_celsius > 70 and cpu", "", None))
    root = write_tree(tmp_path, {"cookbooks/prometheus/templates/default/alert_rules.yml.erb": "<%# Chef %>\n" + rules})
    r = _level(root)
    assert r.level == 2, [(c.id, c.status, c.reason) for c in r.criteria]
    assert "1 of 3" in _crit(r, "ops040-symptom-ratio").reason
