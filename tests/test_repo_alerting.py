"""Alerting collector: Prometheus rules by shape, CRDs, Helm templates, Grafana provisioning, Sloth/Pyrra,
Terraform alarms, routing, availability probes, runbook resolution, malformed files."""

from __future__ import annotations

from pathlib import Path

from wafops.collectors.repo.alerting import AlertingCollector
from wafops.collectors.translate.alerting import classify

from tests.helpers import collect_with, write_tree

RULES = """
groups:
  - name: api
    rules:
      - record: job:errors:rate5m
        expr: sum(rate(http_requests_total{code=~"5.."}[5m]))
      - alert: ApiHighErrorRate
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05
        labels: {severity: critical}
        annotations: {runbook_url: ../../docs/runbooks/api-errors.md#steps}
      - alert: NodeHighCPU
        expr: avg by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m])) > 0.9
        labels: {severity: warning}
        annotations: {runbook_url: ../docs/runbooks/missing.md}
      - alert: ApiErrorBudgetBurn
        expr: |
          (sum(rate(http_requests_total{code=~"5.."}[1h])) / sum(rate(http_requests_total[1h])) > (14.4 * (1 - 0.999)))
          and
          (sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > (14.4 * (1 - 0.999)))
        labels: {severity: page}
        annotations: {runbook_url: "https://github.com/acme/shop/blob/main/docs/runbooks/api-errors.md"}
      - alert: SloFastBurn
        expr: slo:sli_error:ratio_rate5m{sloth_id="x"} > (14.4 * 0.001) and slo:sli_error:ratio_rate1h{sloth_id="x"} > (14.4 * 0.001)
        labels: {severity: critical}
        annotations: {runbook_url: "https://wiki.example.com/{{ $labels.alertname }}"}
"""


def _kind(evidence, kind):
    return [e for e in evidence if e.kind == kind]


def _rule(evidence, name):
    return next(e for e in _kind(evidence, "alert.rule") if e.get("name") == name)


def test_prometheus_rules_found_by_shape_with_symptom_cause_burn_and_runbooks(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "ops/monitoring/api.yml": RULES,  # no "rules"/"alert" in the file name
        "docs/runbooks/api-errors.md": "# API errors\n",
    })
    evidence, ctx = collect_with(AlertingCollector(), root)
    rules = _kind(evidence, "alert.rule")
    assert len(rules) == 4  # the recording rule is not an alert

    err = _rule(evidence, "ApiHighErrorRate")
    assert err.get("signal") == "symptom" and err.get("paging") is True and err.get("notifies") is True
    assert err.get("runbook_local") == "docs/runbooks/api-errors.md" and err.get("runbook_exists") is True
    assert err.get("burn_rate") is False and err.get("windows") == ["5m"]
    assert err.locator.path == "ops/monitoring/api.yml" and err.locator.line == 7

    cpu = _rule(evidence, "NodeHighCPU")
    assert cpu.get("signal") == "cause" and cpu.get("paging") is False
    assert cpu.get("runbook_local") == "ops/docs/runbooks/missing.md" and cpu.get("runbook_exists") is False

    burn = _rule(evidence, "ApiErrorBudgetBurn")
    assert burn.get("burn_rate") is True and burn.get("windows") == ["5m", "1h"] and burn.get("paging") is True
    # repository identity unknown (local checkout), but the path exists here: taken as ours
    assert burn.get("runbook_local") == "docs/runbooks/api-errors.md" and burn.get("runbook_exists") is True

    sloth = _rule(evidence, "SloFastBurn")
    assert sloth.get("burn_rate") is True and sloth.get("windows") == ["5m", "1h"]
    assert sloth.get("runbook_local") is None and sloth.get("runbook_exists") is None  # templated external link
    assert not ctx.warnings and not ctx.tree.warnings


def test_repo_url_runbooks_with_known_identity(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "rules.yaml": """groups:
- name: g
  rules:
  - alert: A
    expr: probe_success == 0
    annotations: {runbook_url: "https://github.com/acme/shop/blob/main/docs/a.md"}
  - alert: B
    expr: probe_success == 0
    annotations: {runbook_url: "https://github.com/acme/shop/blob/main/docs/gone.md"}
  - alert: C
    expr: probe_success == 0
    annotations: {runbook_url: "https://github.com/other/repo/blob/main/docs/a.md"}
""",
        "docs/a.md": "# a\n",
    })
    evidence, _ = collect_with(AlertingCollector(), root, subject_id="github:acme/shop")
    got = {e.get("name"): (e.get("runbook_local"), e.get("runbook_exists")) for e in _kind(evidence, "alert.rule")}
    assert got == {"A": ("docs/a.md", True), "B": ("docs/gone.md", False), "C": (None, None)}
    assert [e.get("tool") for e in _kind(evidence, "alert.availability_probe")] == ["blackbox"]


def test_crd_helm_template_grafana_sloth_pyrra_and_routing(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "k8s/prometheusrule.yaml": """apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: api}
spec:
  groups:
  - name: api
    rules:
    - alert: ApiLatencyHigh
      expr: histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])) by (le)) > 1
      labels: {severity: critical}
      annotations: {runbook: https://runbooks.example.com/latency}
""",
        "chart/templates/rules.yaml": """{{- if .Values.rules.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ include "x.fullname" . }}
  labels:
{{ include "x.labels" . | indent 4 }}
spec:
  groups:
  - name: x
    rules:
    - alert: PodMemoryHigh
      expr: container_memory_working_set_bytes{namespace="{{ .Release.Namespace }}"} > 1e9
      labels:
        severity: {{ .Values.severity | default "warning" }}
{{- end }}
""",
        "chart/templates/broken.yaml": """{{- range .Values.groups }}
  - alert: {{ .name }}Down
      expr: up{job="{{ .job }}"} == 0
    labels:
      severity: critical
{{- end }}
""",
        "grafana/provisioning/alerting/rules.yaml": """apiVersion: 1
groups:
  - orgId: 1
    name: api
    folder: api
    interval: 1m
    rules:
      - uid: a1
        title: API 5xx ratio
        condition: C
        data:
          - refId: A
            model: {expr: 'sum(rate(http_requests_total{status=~"5.."}[5m]))'}
        labels: {severity: critical}
        annotations: {runbook_url: docs/runbooks/api.md}
contactPoints:
  - orgId: 1
    name: oncall
    receivers: [{uid: p, type: pagerduty}, {uid: s, type: slack}]
""",
        "slo/sloth.yml": """version: prometheus/v1
service: api
slos:
  - name: availability
    objective: 99.9
    alerting:
      name: ApiAvailability
      annotations: {runbook: docs/runbooks/api.md}
      page_alert: {labels: {severity: critical}}
      ticket_alert: {disable: true}
""",
        "slo/pyrra.yaml": "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: web}\n"
                          "spec: {target: '99.5', window: 4w}\n",
        "alertmanager/alertmanager.yml": """route:
  receiver: default
  group_by: [alertname]
receivers:
  - name: default
    slack_configs: [{channel: '#alerts'}]
  - name: pager
    pagerduty_configs: [{routing_key: abc}]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
""",
        "docs/runbooks/api.md": "# api\n",
    })
    evidence, ctx = collect_with(AlertingCollector(), root)
    rules = {e.get("name"): e for e in _kind(evidence, "alert.rule")}
    assert rules["ApiLatencyHigh"].get("origin") == "prometheus-crd"
    assert rules["ApiLatencyHigh"].get("signal") == "symptom"
    assert rules["ApiLatencyHigh"].get("runbook_exists") is None  # external wiki: cannot be checked
    assert rules["PodMemoryHigh"].get("signal") == "cause"  # parsed after blanking template directives
    assert rules["{{ .name }}Down"].get("paging") is True  # line-based fallback for an unparseable template
    graf = rules["API 5xx ratio"]
    assert graf.get("origin") == "grafana" and graf.get("signal") == "symptom"
    assert graf.get("runbook_local") == "docs/runbooks/api.md" and graf.get("runbook_exists") is True
    sloth = rules["ApiAvailability:page_alert"]
    assert sloth.get("origin") == "sloth" and sloth.get("burn_rate") is True and sloth.get("paging") is True
    assert sloth.get("runbook_exists") is True and "ApiAvailability:ticket_alert" not in rules
    assert rules["web:burnrate"].get("origin") == "pyrra"
    routing = _kind(evidence, "alert.routing")
    am = next(e for e in routing if e.locator.path == "alertmanager/alertmanager.yml")
    assert am.get("receivers") == ["pagerduty", "slack"] and am.get("paging") is True
    assert am.get("group_by") is True and am.get("inhibit") is True
    cp = next(e for e in routing if e.locator.path.startswith("grafana/"))
    assert cp.get("receivers") == ["pagerduty", "slack"]
    assert not any("templates" in (w.path or "") for w in ctx.tree.warnings)
    assert "abc" not in str([e.attributes for e in evidence])  # routing keys never copied


def test_terraform_alarms_cpu_cause_5xx_symptom_routing_and_probes(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "infra/alarms.tf": """
resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name    = "ecs-cpu-high"
  namespace     = "AWS/ECS"
  metric_name   = "CPUUtilization"
  alarm_actions = [aws_sns_topic.alerts.arn]
}
resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  alarm_name        = "alb-5xx"
  namespace         = "AWS/ApplicationELB"
  metric_name       = "HTTPCode_Target_5XX_Count"
  alarm_actions     = [aws_sns_topic.pagerduty_critical.arn]
  alarm_description = "5xx at the ALB. Runbook: docs/runbooks/alb-5xx.md"
}
resource "aws_cloudwatch_metric_alarm" "silent" {
  alarm_name  = "no-actions"
  metric_name = "Errors"
  namespace   = "AWS/Lambda"
}
resource "azurerm_monitor_metric_alert" "http" {
  name     = "app-5xx"
  severity = 0
  criteria {
    metric_namespace = "Microsoft.Web/sites"
    metric_name      = "Http5xx"
  }
  action { action_group_id = azurerm_monitor_action_group.ops.id }
}
resource "datadog_monitor" "lat" {
  name    = "p99 latency"
  type    = "metric alert"
  query   = "avg(last_5m):p99:trace.http.request.duration{service:api} > 1"
  message = "See https://github.com/acme/shop/blob/main/docs/runbooks/lat.md @pagerduty-api"
}
resource "google_monitoring_alert_policy" "mem" {
  display_name = "memory"
  conditions {
    display_name = "mem"
    condition_threshold { filter = "metric.type=\\"compute.googleapis.com/instance/memory/balloon/ram_used\\"" }
  }
}
resource "pagerduty_service" "api" {
  name = "api"
}
resource "aws_sns_topic_subscription" "pd" {
  topic_arn = "x"
  protocol  = "https"
  endpoint  = "https://events.pagerduty.com/integration/abc/enqueue"
}
resource "aws_route53_health_check" "api" {
  fqdn = "api.example.com"
  type = "HTTPS"
}
resource "datadog_synthetics_test" "home" {
  name = "home"
}
""",
        "infra/broken.tf": 'resource "aws_cloudwatch_metric_alarm" "x" {\n  alarm_name = \n',
        "docs/runbooks/alb-5xx.md": "# ALB 5xx\n",
    })
    evidence, ctx = collect_with(AlertingCollector(), root)
    rules = {e.get("name"): e for e in _kind(evidence, "alert.rule")}
    assert rules["ecs-cpu-high"].get("signal") == "cause" and rules["ecs-cpu-high"].get("notifies") is True
    assert rules["ecs-cpu-high"].get("paging") is False
    five = rules["alb-5xx"]
    assert five.get("signal") == "symptom" and five.get("paging") is True
    assert five.get("runbook_local") == "docs/runbooks/alb-5xx.md" and five.get("runbook_exists") is True
    assert five.locator.line == 8
    assert rules["no-actions"].get("notifies") is False
    assert rules["app-5xx"].get("signal") == "symptom" and rules["app-5xx"].get("paging") is True
    dd = rules["p99 latency"]
    assert dd.get("signal") == "symptom" and dd.get("paging") is True and dd.get("notifies") is True
    assert rules["memory"].get("signal") == "cause" and rules["memory"].get("notifies") is False
    receivers = sorted(r for e in _kind(evidence, "alert.routing") for r in e.get("receivers"))
    assert receivers == ["pagerduty", "pagerduty"]
    assert sorted(e.get("tool") for e in _kind(evidence, "alert.availability_probe")) == ["datadog-synthetics", "route53"]
    assert any(w.path == "infra/broken.tf" for w in ctx.tree.warnings)  # malformed: warned, the rest collected


def test_malformed_yaml_warns_and_others_still_collected(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "a/rules.yml": "groups:\n  - name: x\n    rules:\n      - alert: [unclosed\n",
        "b/rules.yml": "groups:\n- name: y\n  rules:\n  - alert: Up\n    expr: rate(errors_total[5m]) > 1\n",
        "c/binary.yaml": b"alert:\x00\x01\x02",
    })
    evidence, ctx = collect_with(AlertingCollector(), root)
    assert [e.get("name") for e in _kind(evidence, "alert.rule")] == ["Up"]
    assert {w.path for w in ctx.tree.warnings} >= {"a/rules.yml", "c/binary.yaml"}


def test_classify() -> None:
    assert classify('sum(rate(http_requests_total{code=~"5.."}[5m]))') == "symptom"
    assert classify("AWS/EC2 CPUUtilization") == "cause"
    assert classify("node_filesystem_avail_bytes < 1e9") == "cause"
    assert classify("up == 0", "TargetDown") == "unknown"
    assert classify("", "HighLatency") == "symptom"


def test_examples_and_fixtures_are_not_the_repository_alerting(tmp_path: Path) -> None:
    alarm = ('resource "aws_cloudwatch_metric_alarm" "e" {\n  alarm_name = "5xx"\n  metric_name = "HTTPCode_Target_5XX_Count"\n'
             '  alarm_actions = ["x"]\n}\n')
    root = write_tree(tmp_path, {"examples/complete/main.tf": alarm, "tests/fixtures/tf/main.tf": alarm,
                                 "test/e2e/rules.yml": "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n",
                                 "modules/alarms/main.tf": alarm})
    evidence, _ = collect_with(AlertingCollector(), root)
    assert [e.locator.path for e in _kind(evidence, "alert.rule")] == ["modules/alarms/main.tf"]


GENERATED_SLO_RULES = """
groups:
- name: service alerts
  rules:
  - alert: ApiServiceErrorSLOViolation
    expr: |
      (gitlab_component_errors:ratio_1h{type="api"} > (14.4 * 0.000500))
      and
      (gitlab_component_errors:ratio_5m{type="api"} > (14.4 * 0.000500))
    labels: {alert_type: symptom, pager: pagerduty, severity: s2}
    annotations: {runbook: docs/api/README.md}
  - alert: ApiServiceApdexSLOViolation
    expr: gitlab_component_apdex:ratio_6h{type="api"} < (1 - 6.00 * 0.005000) and gitlab_component_apdex:ratio_30m{type="api"} < (1 - 6.00 * 0.005000)
    labels: {alert_type: symptom, severity: s3}
  - alert: ApiTrafficCessation
    expr: gitlab_component_ops:rate_30m{type="api"} == 0
    labels: {alert_type: cause, severity: s1}
  - alert: ApiOpsAnomaly
    expr: (gitlab_service_ops:rate{type="api"} - gitlab_service_ops:rate:prediction{type="api"}) / gitlab_service_ops:rate:stddev_over_time_1w{type="api"} > 3
    labels: {severity: s4}
- name: slos
  rules:
  - record: slo:min:events:gitlab_service_apdex:ratio
    labels: {type: api}
    expr: "0.995"
  - record: slo:max:events:gitlab_service_errors:ratio
    labels: {type: api}
    expr: vector(0.0005)
  - record: slo:sli_error:ratio_rate5m
    expr: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))
"""


def test_generated_slo_rules_labels_and_jsonnet_alertmanager(tmp_path: Path) -> None:
    """GitLab-style generated rules: paging by `pager:` label / s1, the team's own `alert_type`, burn factors
    written as `14.4 * 0.0005`, windows in recording-rule names, SLO objectives as `slo:` recording rules,
    a z-score anomaly alert, and an Alertmanager config kept as jsonnet."""
    root = write_tree(tmp_path, {
        "mimir-rules/gprd/api/service-alerts.yml": GENERATED_SLO_RULES,
        "docs/api/README.md": "# API\n",
        "alertmanager/alertmanager.jsonnet": "local r(c) = { name: c.name, pagerduty_configs: [{ service_key: c.key }] };\n"
                                             "{ route: { group_by: ['env'] }, receivers: [r(c) for c in x] + "
                                             "[{ name: 's', slack_configs: [] }], inhibit_rules: [] }\n",
        "alertmanager/README.md": "pagerduty_configs are generated\n",
    })
    evidence, _ = collect_with(AlertingCollector(), root)
    err = _rule(evidence, "ApiServiceErrorSLOViolation")
    assert err.get("paging") is True and err.get("signal") == "symptom"
    assert err.get("burn_rate") is True and err.get("windows") == ["5m", "1h"]
    assert err.get("runbook_local") == "docs/api/README.md" and err.get("runbook_exists") is True
    apdex = _rule(evidence, "ApiServiceApdexSLOViolation")
    assert apdex.get("burn_rate") is True and apdex.get("windows") == ["30m", "6h"] and apdex.get("paging") is False
    cess = _rule(evidence, "ApiTrafficCessation")
    assert cess.get("signal") == "cause" and cess.get("paging") is True  # the team says cause; s1 pages
    anomaly = _kind(evidence, "obs.anomaly")
    assert [a.get("mechanism") for a in anomaly] == ["prometheus-zscore"] and anomaly[0].strength.value == "strong"
    slos = _kind(evidence, "obs.slo")
    assert sorted((e.get("service"), e.get("objective")) for e in slos) == [("api", "0.0005"), ("api", "0.995")]
    assert all(e.get("spec") == "prometheus-rules" for e in slos)  # the ratio_rate5m recording rule is not an objective
    routing = _kind(evidence, "alert.routing")
    assert len(routing) == 1 and routing[0].locator.path == "alertmanager/alertmanager.jsonnet"
    assert routing[0].get("receivers") == ["pagerduty", "slack"] and routing[0].get("paging") is True
    assert routing[0].get("group_by") is True and routing[0].strength.value == "strong"


def test_forecast_only_is_weak_anomaly_and_plain_thresholds_are_not_burn_rate(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"rules.yml": """groups:
- name: g
  rules:
  - alert: DiskWillFill
    expr: predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0
  - alert: QueueSlow
    expr: rate(jobs_total[5m]) > 3 * 0.05
    labels: {pager: slack, page: "false"}
"""})
    evidence, _ = collect_with(AlertingCollector(), root)
    assert [(a.get("mechanism"), a.strength.value) for a in _kind(evidence, "obs.anomaly")] == [("prometheus-forecast", "weak")]
    q = _rule(evidence, "QueueSlow")
    assert q.get("paging") is False and q.get("burn_rate") is False


def test_chart_rule_fragments_outside_templates_are_read(tmp_path) -> None:
    """CloudNativePG chart shape: one templated rule per file in `prometheus_rules/`, spliced into the
    PrometheusRule template with `tpl (.Files.Get ...)`; the alert name is a template variable."""
    frag = ('{{- $alert := "DbClusterOffline" -}}\n{{- if not (has $alert .excludeRules) -}}\nalert: {{ $alert }}\n'
            'annotations:\n  runbook_url: https://github.com/acme/charts/blob/main/charts/db/docs/runbooks/DbClusterOffline.md\n'
            'expr: |\n  (count(db_collector_up{namespace="{{ .namespace }}"}) OR on() vector(0)) == 0\nfor: 5m\n'
            'labels:\n  severity: critical\n{{- end -}}\n')
    root = write_tree(tmp_path, {
        "charts/db/Chart.yaml": "apiVersion: v2\nname: db\nversion: 0.1.0\n",
        "charts/db/prometheus_rules/offline.yaml": frag,
        "charts/db/templates/prometheus-rule.yaml": (
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n    - name: db\n      rules:\n"
            '        {{- range $path, $_ := .Files.Glob "prometheus_rules/**.yaml" }}\n        - {{ tpl ($.Files.Get $path) $ }}\n'
            "        {{- end }}\n"),
        "charts/db/docs/runbooks/DbClusterOffline.md": "# DbClusterOffline\n## Meaning\nNo instance is ready.\n",
        "notachart/rules.yaml": "alert: {{ $x }}\nexpr: up == 0\n",
    })
    ev, ctx = collect_with(AlertingCollector(), root)
    rules = [e for e in ev if e.kind == "alert.rule"]
    assert [(e.get("name"), e.get("signal"), e.get("paging"), e.get("runbook_exists")) for e in rules] == [
        ("DbClusterOffline", "symptom", True, True)]
    assert rules[0].locator.path == "charts/db/prometheus_rules/offline.yaml"
    assert not [w for w in ctx.warnings if (w.path or "").startswith("charts/")]  # templated: no parse warnings


def test_new_relic_conditions_by_name_and_legacy_term_priority(tmp_path: Path) -> None:
    """Calibration (New Relic as code): NRQL/APM vocabulary and spaced names are symptoms; a legacy
    `newrelic_alert_condition` whose term has priority critical pages like a NRQL `critical {}` block."""
    write_tree(tmp_path, {"infra/alarms.tf": """
resource "newrelic_nrql_alert_condition" "err" {
  name      = "API error rate too high"
  policy_id = 1
  nrql {
    query = "SELECT count(error.message) / uniqueCount(traceId) FROM Transaction, TransactionError"
  }
  critical {
    threshold = 10
  }
}
resource "newrelic_nrql_alert_condition" "p95" {
  name      = "GET claims slow"
  policy_id = 1
  nrql {
    query = "SELECT percentile(duration, 95) FROM Transaction WHERE request.uri LIKE '/v1/claims'"
  }
  critical {
    threshold = 2
  }
}
resource "newrelic_alert_condition" "rt" {
  name     = "API response time too high"
  type     = "apm_app_metric"
  metric   = "response_time_web"
  policy_id = 1
  term {
    priority  = "critical"
    threshold = 2.5
  }
}
resource "newrelic_nrql_alert_condition" "cpu" {
  name      = "RDS CPU too high"
  policy_id = 1
  nrql {
    query = "SELECT percentile(`provider.cpuUtilization.total`, 99) FROM DatastoreSample"
  }
  critical {
    threshold = 90
  }
}
"""})
    ev, _ = collect_with(AlertingCollector(), tmp_path)
    rules = {e.get("name"): e for e in _kind(ev, "alert.rule")}
    assert {n: r.get("signal") for n, r in rules.items()} == {
        "API error rate too high": "symptom", "GET claims slow": "symptom",
        "API response time too high": "symptom", "RDS CPU too high": "cause"}
    assert all(r.get("paging") for r in rules.values())
    assert classify("", "Checkout error rate high") == "symptom"
    assert classify("avg(last_5m):avg:trace.flask.request.duration{service:api} > 2") == "symptom"


def test_rules_and_alertmanager_config_inside_configmaps_and_dot_rules_files(tmp_path: Path) -> None:
    """Sock-shop shape: a ConfigMap carries the rule file (Prometheus 1.x `ALERT ... IF ...` syntax) and another one
    the Alertmanager config, both as strings under `data`; a compose setup mounts a YAML `alert.rules` file."""
    write_tree(tmp_path, {
        "k8s/monitoring/alertrules.yaml": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prometheus-alertrules\ndata:\n  alert.rules: |\n"
            "    ALERT ShopErrors\n      IF rate(request_duration_seconds_count{status_code=\"500\"}[5m]) > 1\n"
            "      FOR 5m\n      LABELS { severity = \"page\" }\n"
            "      ANNOTATIONS {\n        summary = \"High 500 rate\",\n        runbook = \"docs/runbooks/shop.md\",\n      }\n"
            "    ALERT NodeDiskFull\n      IF node_filesystem_avail_bytes < 1e9\n      FOR 10m\n"),
        "k8s/monitoring/alertmanager.yaml": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alertmanager\ndata:\n  config.yml: |-\n"
            "    route:\n      receiver: oncall\n    receivers:\n    - name: oncall\n      pagerduty_configs:\n"
            "      - routing_key: x\n"),
        "compose/alert.rules": "groups:\n- name: shop\n  rules:\n  - alert: CheckoutLatency\n"
                               "    expr: histogram_quantile(0.99, rate(request_duration_seconds_bucket[5m])) > 1\n",
        "docs/runbooks/shop.md": "# Shop\n",
        "k8s/app/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  note: \"the alert: text\"\n",
    })
    ev, _ = collect_with(AlertingCollector(), tmp_path)
    shop = _rule(ev, "ShopErrors")
    assert shop.locator.path == "k8s/monitoring/alertrules.yaml" and shop.locator.line == 7
    assert shop.get("paging") and shop.get("runbook_exists") is True and "request_duration" in shop.get("expr")
    assert _rule(ev, "NodeDiskFull").get("signal") != "symptom"
    assert _rule(ev, "CheckoutLatency").locator.path == "compose/alert.rules"
    assert any(e.locator.path == "k8s/monitoring/alertmanager.yaml" for e in _kind(ev, "alert.routing"))


def test_rule_templates_of_configuration_management_and_terraform_are_read(tmp_path: Path) -> None:
    """Prometheus rules kept as a Chef ERB template and as a Terraform `templatefile` (`%{ for }` loops, `${x}`):
    parsed with the directives stubbed, every `alert:` kept with its expression."""
    root = write_tree(tmp_path, {
        "cookbooks/prometheus/templates/default/alert_rules.yml.erb":
            "# maintained by Chef\ngroups:\n  - name: web\n    rules:\n      - alert: web error rate\n"
            '        expr: sum(rate(apache_http_responses_total{code=~"5.."}[5m])) / sum(rate(apache_http_responses_total[5m])) > 0.01\n'
            "        for: 5m\n        annotations:\n          status: \"{{ $value | humanizePercentage }}\"\n"
            "<% @disks.each do |disk| -%>\n      - alert: disk full <%= disk %>\n"
            "        expr: node_filesystem_avail_bytes{mountpoint=\"<%= disk %>\"} < 1e9\n<% end -%>\n",
        "cluster/config/prometheus/app_alert.rules.tmpl":
            "groups:\n- name: Container restarts\n  rules:\n%{ for instance in apps ~}\n"
            "  - alert: Restarts for ${instance.app_name}\n"
            "    expr: sum(increase(kube_pod_container_status_restarts_total{namespace=\"${instance.namespace}\"}[30m])) > 0\n"
            "    labels:\n      severity: high\n      %{ if instance.receiver != null }receiver: ${instance.receiver}%{ endif }\n"
            "%{ endfor ~}\n",
    })
    write_tree(root, {"cookbooks/prometheus/templates/default/alertmanager.yml.erb":
                      "route:\n  group_by: [alertgroup]\n  receiver: admins\ninhibit_rules:\nreceivers:\n  - name: admins\n"
                      "    email_configs:\n      - to: <%= @admins %>\n"})
    ev, ctx = collect_with(AlertingCollector(), root)
    routing = [e for e in ev if e.kind == "alert.routing"]
    assert len(routing) == 1 and routing[0].get("receivers") == ["email"] and routing[0].get("inhibit") is False
    rules = {e.get("name"): e for e in ev if e.kind == "alert.rule"}
    assert rules["web error rate"].get("signal") == "symptom"
    assert rules["disk full TEMPLATED"].get("signal") == "cause"
    assert rules["Restarts for TEMPLATED"].get("signal") == "cause" and rules["Restarts for TEMPLATED"].get("notifies")
    assert not ctx.warnings


def test_statuscake_checks_and_uptime_module_with_contacts_notify(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "cluster/statuscake.tf": 'resource "statuscake_uptime_check" "alert" {\n  name = "healthz"\n'
                                 '  contact_groups = [var.contact_group]\n  check_interval = 30\n}\n',
        "app/statuscake.tf": 'module "statuscake" {\n  count = var.enable_monitoring ? 1 : 0\n'
                             '  source = "./vendor/modules/aks//monitoring/statuscake"\n'
                             '  uptime_urls = [var.external_url]\n  contact_groups = var.statuscake_contact_groups\n}\n',
        "app/database.tf": 'module "postgres" {\n  source = "./vendor/modules/aks//aks/postgres"\n  server_version = 16\n}\n',
        "other/uptime.tf": 'module "uptime_checks" {\n  source = "git::https://example.com/modules.git//uptime-checks"\n'
                           '  urls = ["https://x.example.com"]\n}\n',
    })
    ev = [e for e in collect_with(AlertingCollector(), root)[0] if e.kind == "alert.availability_probe"]
    by_path = {e.locator.path: e for e in ev}
    assert set(by_path) == {"cluster/statuscake.tf", "app/statuscake.tf", "other/uptime.tf"}
    assert by_path["cluster/statuscake.tf"].get("notifies") is True
    assert by_path["app/statuscake.tf"].get("via") == "module" and by_path["app/statuscake.tf"].get("notifies") is True
    assert by_path["other/uptime.tf"].get("notifies") is False  # checks, but no contact passed in
