"""Observability collector: packages with categories, shippers, collectors, dashboards, SLOs, services,
correlation, sampling, anomaly detection, retention; malformed files become warnings."""

from __future__ import annotations

import json
from pathlib import Path

from wafops.collectors.repo.observability import ObservabilityCollector

from tests.helpers import collect_with, write_tree

DASHBOARD = {
    "title": "API RED", "schemaVersion": 39,
    "panels": [
        {"type": "timeseries", "title": "Requests", "targets": [{"expr": "sum(rate(http_requests_total[5m]))"}]},
        {"type": "timeseries", "title": "Errors", "targets": [{"expr": 'sum(rate(http_requests_total{code=~"5.."}[5m]))'}]},
        {"type": "timeseries", "title": "p99", "targets": [{"expr": "histogram_quantile(0.99, sum(rate(x_bucket[5m])) by (le))"}]},
        {"type": "stat", "title": "Error budget remaining"},
    ],
}

OTEL_COLLECTOR = """
receivers:
  otlp: {protocols: {grpc: {}}}
processors:
  tail_sampling: {policies: []}
  batch: {}
exporters:
  otlphttp: {endpoint: https://x}
service:
  pipelines:
    traces: {receivers: [otlp], processors: [tail_sampling, batch], exporters: [otlphttp]}
    logs: {receivers: [otlp], exporters: [otlphttp]}
    metrics/host: {receivers: [otlp], exporters: [otlphttp]}
"""


def _by_kind(evidence):
    out: dict[str, list] = {}
    for e in evidence:
        out.setdefault(e.kind, []).append(e)
    return out


def test_packages_shippers_dashboards_slos_services(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "services/api/requirements.txt": "structlog\nopentelemetry-distro\nprometheus-client\nlaunchdarkly-server-sdk\nflask\n",
        "services/api/requirements-dev.txt": "sentry-sdk\n",
        "services/api/Dockerfile": "FROM python\nENV OTEL_TRACES_SAMPLER=parentbased_traceidratio\n",
        "services/api/app/log.py": "import logging\nlogger.info('x', extra={'trace_id': format(ctx.trace_id, '032x')})\n",
        "services/web/package.json": json.dumps({"dependencies": {"pino": "8", "@growthbook/growthbook": "1"},
                                                 "devDependencies": {"dd-trace": "1"}}),
        "examples/demo/package.json": json.dumps({"dependencies": {"dd-trace": "1"}}),
        "deploy/otel-collector.yaml": OTEL_COLLECTOR,
        "deploy/fluent-bit.conf": "[INPUT]\n  Name tail\n[OUTPUT]\n  Name es\n",
        "dashboards/api.json": json.dumps(DASHBOARD),
        "dashboards/not-a-dashboard.json": json.dumps({"schemaVersion": 2, "panels": "n/a"}),
        "slo/openslo.yaml": "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: api-availability}\n"
                            "spec: {service: api, objectives: [{target: 0.999}]}\n",
        "slo/sloth.yml": "version: prometheus/v1\nservice: web\nslos:\n  - name: requests-availability\n    objective: 99.9\n",
        "catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: api, tags: [tier-1]}\n"
                             "spec: {type: service, lifecycle: production}\n",
        "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n"
                           "    spec: {containers: [{name: api, image: acme/api:1}]}\n---\n"
                           "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: api}\nspec: {}\n",
        "docker-compose.yml": "services:\n  web:\n    build: ./services/web\n  db:\n    image: postgres\n"
                              "  agent:\n    image: gcr.io/datadoghq/agent:7\n",
        "infra/logs.tf": 'resource "aws_cloudwatch_log_group" "a" {\n  name = "/a"\n  retention_in_days = 90\n}\n'
                         'resource "aws_cloudwatch_log_group" "b" {\n  name = "/b"\n}\n'
                         'resource "aws_cloudwatch_metric_alarm" "anom" {\n  alarm_name = "x"\n  threshold_metric_id = "ad1"\n}\n',
        "infra/other.tf": 'resource "aws_s3_bucket" "b" {}\n',
        "src/main/resources/logback-spring.xml": "<configuration><appender><encoder class=\"net.logstash.logback.encoder.LogstashEncoder\"/>"
                                                 "<pattern>%d %X{traceId} %msg</pattern></appender></configuration>",
    })
    evidence, ctx = collect_with(ObservabilityCollector(), root)
    k = _by_kind(evidence)

    pkgs = {(e.get("package"), tuple(e.get("categories"))) for e in k["dep.package"]}
    assert ("structlog", ("structured_logging",)) in pkgs
    assert ("opentelemetry-distro", ("otel", "tracing")) in pkgs
    assert ("launchdarkly-server-sdk", ("feature_flag",)) in pkgs
    assert ("@growthbook/growthbook", ("feature_flag", "experimentation")) in pkgs
    assert not any(e.get("package") in ("sentry-sdk", "dd-trace", "flask") for e in k["dep.package"])  # dev / irrelevant / examples
    api = next(e for e in k["dep.package"] if e.get("package") == "structlog")
    assert api.get("service") == "services/api" and api.locator.line == 1

    manifests = {e.get("service"): e for e in k["dep.manifest"]}
    assert manifests["services/api"].get("deployable") is True  # Dockerfile beside it
    assert manifests["services/web"].get("deployable") is True  # compose build context
    assert "examples/demo" not in manifests

    coll = k["obs.otel_collector"][0]
    assert coll.get("receivers") == ["otlp"] and coll.get("pipelines") == ["logs", "metrics", "traces"]
    assert coll.get("sampling") is True
    tools = {e.get("tool") for e in k["obs.log_shipper"]}
    assert {"otel-collector", "fluent-bit", "datadog-agent", "cloudwatch-logs"} <= tools

    dashes = k["obs.dashboard"]
    assert [d.get("title") for d in dashes] == ["API RED"]
    assert dashes[0].get("red") is True and dashes[0].get("error_budget") is True and dashes[0].get("panels") == 4

    slos = {(e.get("spec"), e.get("name")) for e in k["obs.slo"]}
    assert slos == {("openslo", "api-availability"), ("sloth", "requests-availability")}

    services = {(e.get("origin"), e.get("name"), e.get("critical")) for e in k["obs.service"]}
    assert {("backstage", "api", True), ("kubernetes", "api", None), ("compose", "web", None)} <= services
    assert not any(e.get("name") == "db" for e in k["obs.service"])

    assert {e.get("mechanism") for e in k["obs.metrics"]} == {"servicemonitor"}
    corr = {e.get("mechanism") for e in k["obs.log_correlation"]}
    assert "code:trace-id-in-logs" in corr and "%X{" in corr
    assert any(e.get("mechanism") == "LogstashEncoder" for e in k["obs.structured_log"])
    assert {"OTEL_TRACES_SAMPLER", "collector:tail_sampling"} <= {e.get("mechanism") for e in k["obs.sampling"]}
    assert {e.get("mechanism") for e in k["obs.anomaly"]} == {"cloudwatch-anomaly-detection"}
    retention = {e.get("name"): e.get("days") for e in k["obs.log_retention"]}
    assert retention == {"a": 90, "b": None}
    assert all(e.locator.line for e in evidence)
    assert not ctx.warnings


def test_helm_templated_yaml_is_quiet_and_malformed_files_warn(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "chart/templates/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
                                       "{{- if .Values.x }}\nspec:\n  template:\n    spec: {containers: []}\n{{- end }}\n",
        "bad/otel-collector.yaml": "receivers: [\n",
        "bad/dash.json": '{"schemaVersion": 1, "panels": [',
        "ok/requirements.txt": "prometheus-client\n",
        "Chart.yaml": "apiVersion: v2\nname: x\ndependencies:\n  - name: loki-stack\n  - name: kube-prometheus-stack\n",
    })
    evidence, ctx = collect_with(ObservabilityCollector(), root)
    k = _by_kind(evidence)
    assert [e.get("origin") for e in k["obs.service"]] == ["kubernetes"]
    warned = {w.path for w in ctx.tree.warnings}
    assert "bad/dash.json" in warned
    assert "chart/templates/deploy.yaml" not in warned
    assert {e.get("tool") for e in k["obs.platform"]} == {"loki", "prometheus"}
    assert k["dep.package"][0].get("package") == "prometheus-client"


def test_library_repo_yields_no_shipping_evidence(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "lib"\ndependencies = ["requests"]\n',
        "src/lib/__init__.py": "def trace_id(): return 1\n",
        "tests/test_x.py": "logger.info(trace_id)\n",
    })
    evidence, _ = collect_with(ObservabilityCollector(), root)
    assert {e.kind for e in evidence} == {"dep.manifest"}


def test_dashboards_built_from_a_local_jsonnet_library(tmp_path: Path) -> None:
    """GitLab-style `*.dashboard.jsonnet` / `dashboards/**/x.shared.jsonnet` import the repository's own library,
    not grafonnet; a plain libsonnet helper is not a dashboard."""
    root = write_tree(tmp_path, {
        "dashboards/api/main.dashboard.jsonnet": "local sd = import 'gitlab-dashboards/service_dashboard.libsonnet';\n"
                                                 "sd.overview('api')\n.overviewTrailer()\n",
        "dashboards/stage-groups/error-budget-detail.shared.jsonnet": "local s = import './sg.libsonnet';\n"
                                                                     "{ x: s.errorBudgetDetailDashboard(g) }\n",
        "dashboards/stage-groups/sg.libsonnet": "{ errorBudgetDetailDashboard(g):: {} }\n",
        "lib/config.jsonnet": "{ replicas: 3 }\n",
    })
    evidence, _ = collect_with(ObservabilityCollector(), root)
    dash = {e.locator.path: e for e in evidence if e.kind == "obs.dashboard"}
    assert set(dash) == {"dashboards/api/main.dashboard.jsonnet", "dashboards/stage-groups/error-budget-detail.shared.jsonnet"}
    assert dash["dashboards/stage-groups/error-budget-detail.shared.jsonnet"].get("error_budget") is True
    assert all(d.get("tool") == "grafonnet" and d.locator.line >= 1 for d in dash.values())


def test_dashboards_embedded_in_configmaps(tmp_path: Path) -> None:
    """The Grafana sidecar pattern: dashboard JSON as a ConfigMap string (kube-prometheus dashboardDefinitions)."""
    board = json.dumps({"title": "API server", "schemaVersion": 14, "panels": [
        {"type": "stat", "title": "ErrorBudget (30d)", "targets": [{"expr": "apiserver_request:availability30d"}]},
        {"type": "timeseries", "targets": [{"expr": "sum(rate(apiserver_request_total{code=~\"5..\"}[5m]))"}]},
        {"type": "timeseries", "targets": [{"expr": "histogram_quantile(0.99, apiserver_request_duration_seconds_bucket)"}]}]})
    cm = ("apiVersion: v1\nkind: ConfigMapList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n"
          "    name: grafana-dashboard-apiserver\n    labels: {grafana_dashboard: '1'}\n  data:\n    apiserver.json: |-\n      "
          + board + "\n")
    root = write_tree(tmp_path, {
        "manifests/grafana-dashboardDefinitions.yaml": cm,
        "examples/grafana-dashboard.yaml": cm,  # an example is not the repository's dashboard
        "manifests/other.yaml": "kind: ConfigMap\ndata:\n  note: 'schemaVersion and panels are words here'\n",
    })
    evidence, _ = collect_with(ObservabilityCollector(), root)
    dash = [e for e in evidence if e.kind == "obs.dashboard"]
    assert [d.locator.path for d in dash] == ["manifests/grafana-dashboardDefinitions.yaml"]
    assert dash[0].get("panels") == 3 and dash[0].get("red") is True and dash[0].get("error_budget") is True


def test_otel_log_bridges_are_structured_and_correlated(tmp_path: Path) -> None:
    """Calibration (opentelemetry-demo): OTel log bridges/appenders ship OTLP log records - structured and
    stamped with the trace id - from package lists or from the wiring in code; Grafana provisioning folders
    named like sample dirs ('demo') are still provisioned dashboards."""
    dash = dict(DASHBOARD, title="Spanmetrics")
    root = write_tree(tmp_path, {
        "src/checkout/go.mod": "module x\n\ngo 1.22\n\nrequire (\n\tgo.opentelemetry.io/contrib/bridges/otelslog v0.13.0\n"
                               "\tgo.opentelemetry.io/otel/sdk v1.38.0\n)\n",
        "src/checkout/Dockerfile": "FROM scratch\n",
        "src/payment/package.json": json.dumps({"dependencies": {"pino-opentelemetry-transport": "1", "@opentelemetry/sdk-node": "0.2"}}),
        "src/payment/Dockerfile": "FROM node\n",
        "src/cart/cart.csproj": '<Project><ItemGroup><PackageReference Include="OpenTelemetry.Extensions.Hosting" Version="1" />'
                                "</ItemGroup></Project>",
        "src/cart/Program.cs": "var builder = WebApplication.CreateBuilder(args);\n"
                               "builder.Logging.AddOpenTelemetry(options => options.AddOtlpExporter());\n",
        "src/grafana/provisioning/dashboards/demo/spanmetrics.json": json.dumps(dash),
        "tests/grafana/provisioning/dashboards/x.json": json.dumps(dash),
    })
    ev = _by_kind(collect_with(ObservabilityCollector(), root)[0])
    cats: dict[str, set[str]] = {}
    for e in ev["dep.package"]:
        cats.setdefault(e.attributes["service"], set()).update(e.attributes["categories"])
    assert {"structured_logging", "log_correlation"} <= cats["src/checkout"]
    assert {"structured_logging", "log_correlation"} <= cats["src/payment"]
    code = [e for e in ev["obs.structured_log"] if e.attributes["mechanism"] == "code:otel-log-bridge"]
    assert [e.attributes["service"] for e in code] == ["src/cart"]
    assert any(e.attributes["mechanism"] == "code:otel-log-bridge" for e in ev["obs.log_correlation"])
    assert [e.locator.path for e in ev["obs.dashboard"]] == ["src/grafana/provisioning/dashboards/demo/spanmetrics.json"]


def test_spring_nested_yaml_structured_logging_and_sampling(tmp_path: Path) -> None:
    """Calibration (Spring Boot service shape): `logging.structured.format.console` and
    `management.tracing.sampling.probability` written as nested YAML in application.yml; the locator points at
    the leaf key. A nested key elsewhere (not a Spring config file) is not swept this way."""
    root = write_tree(tmp_path, {
        "src/main/resources/application.yml": "spring:\n  application:\n    name: orders\nlogging:\n  structured:\n"
            "    format:\n      console: ecs\nmanagement:\n  tracing:\n    sampling:\n      probability: 0.1\n",
        "config/other.yml": "logging:\n  structured:\n    format:\n      console: ecs\n",
    })
    ev = _by_kind(collect_with(ObservabilityCollector(), root)[0])
    [slog] = ev["obs.structured_log"]
    assert (slog.locator.path, slog.locator.line, slog.attributes["mechanism"]) == (
        "src/main/resources/application.yml", 6, "logging.structured.format")
    [samp] = ev["obs.sampling"]
    assert (samp.locator.path, samp.locator.line) == ("src/main/resources/application.yml", 11)


def test_workspace_packages_and_project_references_link_manifests(tmp_path: Path) -> None:
    """Monorepos: a pnpm workspace package or a referenced .NET project is a library of the services that
    import it (local_deps / library), so its logger counts for them and it is no service of its own."""
    root = write_tree(tmp_path, {
        "packages/api/package.json": json.dumps({"name": "@acme/api", "dependencies": {
            "@acme/logging": "workspace:*", "express": "4"}, "devDependencies": {"@acme/testkit": "workspace:*"}}),
        "packages/logging/package.json": json.dumps({"name": "@acme/logging", "dependencies": {"winston": "3"}}),
        "packages/testkit/package.json": json.dumps({"name": "@acme/testkit", "dependencies": {"nock": "13"}}),
        "src/Orders.Api/Orders.Api.csproj": '<Project Sdk="Microsoft.NET.Sdk.Web"><ItemGroup>'
            '<ProjectReference Include="..\\Shared\\Shared.csproj" /></ItemGroup><ItemGroup>'
            '<PackageReference Include="Polly" Version="7" /></ItemGroup></Project>',
        "src/Orders.Api/Dockerfile": "FROM x\n",
        "src/Shared/Shared.csproj": '<Project Sdk="Microsoft.NET.Sdk"><ItemGroup>'
            '<PackageReference Include="Serilog" Version="3" /></ItemGroup></Project>',
    })
    ev, _ = collect_with(ObservabilityCollector(), root)
    m = {e.get("service"): e for e in ev if e.kind == "dep.manifest"}
    assert m["packages/api"].get("local_deps") == ["packages/logging"]
    assert m["packages/logging"].get("library") is True
    assert m["packages/testkit"].get("library") is False  # only a dev dependency of the api
    assert m["src/Orders.Api"].get("local_deps") == ["src/Shared"] and m["src/Orders.Api"].get("library") is False
    assert m["src/Shared"].get("library") is True


def test_home_grown_json_formatter_and_apm_logs_in_context(tmp_path: Path) -> None:
    """Calibration (PFML shape): a logging.Formatter subclass that returns json.dumps(...) is structured logging;
    New Relic's get_linking_metadata() merged into the record is log-trace correlation."""
    write_tree(tmp_path, {
        "api/pyproject.toml": '[tool.poetry]\nname = "api"\n[tool.poetry.dependencies]\npython = "^3.9"\nnewrelic = "^7"\nflask = "^2"\n',
        "api/Dockerfile": "FROM python:3.11\n",
        "api/app/util/logging/formatters.py": (
            "import json\nimport logging\nimport newrelic.api.time_trace\n\n\n"
            "class JsonFormatter(logging.Formatter):\n    def format(self, record):\n"
            "        out = dict(record.__dict__)\n        out.update(newrelic.api.time_trace.get_linking_metadata())\n"
            "        return json.dumps(out)\n"),
        "api/app/util/text.py": "import json\n\n\nclass Plain:\n    def dump(self, x):\n        return json.dumps(x)\n",
    })
    ev, _ = collect_with(ObservabilityCollector(), tmp_path)
    structured = [e for e in ev if e.kind == "obs.structured_log"]
    corr = [e for e in ev if e.kind == "obs.log_correlation"]
    assert [(e.get("mechanism"), e.get("service"), e.locator.line) for e in structured] == [
        ("code:custom-json-formatter", "api", 6)]
    assert [(e.get("mechanism"), e.locator.path) for e in corr] == [
        ("code:apm-logs-in-context", "api/app/util/logging/formatters.py")]


def test_nobl9_slo_specs(tmp_path: Path) -> None:
    """Calibration (Nobl9 as code): sloctl YAML (`apiVersion: n9/v1alpha`, kind SLO) is an SLO definition."""
    write_tree(tmp_path, {"slo/checkout.yaml": (
        "apiVersion: n9/v1alpha\nkind: SLO\nmetadata:\n  name: checkout-availability\n  project: shop\n"
        "spec:\n  service: checkout\n  budgetingMethod: Occurrences\n  objectives:\n    - displayName: ok\n"
        "      target: 0.999\n  alertPolicies:\n    - fast-burn\n")})
    ev, _ = collect_with(ObservabilityCollector(), tmp_path)
    slos = [(e.get("spec"), e.get("service"), e.get("name"), e.get("objective")) for e in ev if e.kind == "obs.slo"]
    assert slos == [("nobl9", "checkout", "checkout-availability", 0.999)]


def test_json_log_patterns_datadog_log_injection_and_gcp_trace_starter(tmp_path: Path) -> None:
    """JSON written by a plain log format (Python fileConfig, log4j2 PatternLayout) is structured logging; Datadog's
    tracer set to inject trace ids (`c.tracing.log_injection = enabled`) is log-trace correlation."""
    root = write_tree(tmp_path, {
        "frontend/pyproject.toml": '[project]\nname = "frontend"\ndependencies = ["flask"]\n',
        "frontend/logging.conf": "[formatters]\nkeys=generic\n\n[formatter_generic]\n"
                                 'format={"timestamp": "%(asctime)s", "message": "%(message)s", "severity": "%(levelname)s"}\n',
        "ledger/pom.xml": "<project><dependencies><dependency><groupId>com.google.cloud</groupId>"
                          "<artifactId>spring-cloud-gcp-starter-trace</artifactId></dependency></dependencies>"
                          "<build><plugins><plugin><artifactId>jib-maven-plugin</artifactId></plugin></plugins></build></project>",
        "ledger/src/main/resources/log4j2.xml": "<Configuration><Appenders><Console name=\"c\">\n"
            "<PatternLayout pattern='{\"timestamp\": \"%d\", \"message\": \"%msg\", \"severity\": \"%level\"}%n' />\n"
            "</Console></Appenders></Configuration>\n",
        "web/Gemfile": 'source "https://rubygems.org"\ngem "rails"\ngem "datadog"\n',
        "web/config/initializers/datadog.rb": "Datadog.configure do |c|\n  enabled = true\n  c.tracing.log_injection = enabled\nend\n",
        "plain/logging.conf": "[formatter_plain]\nformat=%(asctime)s %(levelname)s %(message)s\n",
    })
    ev = _by_kind(collect_with(ObservabilityCollector(), root)[0])
    slog = {e.locator.path for e in ev.get("obs.structured_log", [])}
    assert slog == {"frontend/logging.conf", "ledger/src/main/resources/log4j2.xml"}
    assert {e.get("mechanism") for e in ev["obs.structured_log"]} == {"json-log-pattern"}
    corr = [e for e in ev.get("obs.log_correlation", []) if e.locator.path == "web/config/initializers/datadog.rb"]
    assert corr and corr[0].get("service") == "web"
    pkgs = {e.get("package"): e.get("categories") for e in ev["dep.package"]}
    assert "tracing" in pkgs["com.google.cloud:spring-cloud-gcp-starter-trace"]
    # Jib builds the image from the pom: the Java service is deployable without a Dockerfile
    assert {e.get("service"): e.get("deployable") for e in ev["dep.manifest"]}["ledger"] is True


def test_datadog_log_injection_switched_off_is_no_correlation(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"Gemfile": 'gem "datadog"\n',
                                 "config/initializers/datadog.rb": "Datadog.configure do |c|\n  c.tracing.log_injection = false\nend\n"})
    ev = _by_kind(collect_with(ObservabilityCollector(), root)[0])
    assert not ev.get("obs.log_correlation")


def test_load_generator_is_flagged_and_app_insights_agent_in_function_app_settings(tmp_path: Path) -> None:
    """A Locust harness is marked load_test; App Insights switched on in a Function App's settings (Terraform
    locals) is platform tracing; with a JSON layout writing the MDC, the agent's trace ids reach the logs."""
    root = write_tree(tmp_path, {
        "loadgen/requirements.txt": "locust==2.20\n", "loadgen/Dockerfile": "FROM python\n",
        "router/build.gradle.kts": 'dependencies {\n  implementation("org.apache.logging.log4j:log4j-layout-template-json:2.22.0")\n}\n',
        "router/src/main/resources/log4j2.xml": '<Configuration><Appenders><Console name="c">\n'
            '<JsonTemplateLayout eventTemplateUri="classpath:jsonTemplate.json"/>\n</Console></Appenders></Configuration>\n',
        "router/src/main/resources/jsonTemplate.json": '{"mdc": {"$resolver": "mdc"}, "message": {"$resolver": "message"}}\n',
        "infra/modules/function_app/main.tf": 'resource "azurerm_function_app" "fa" {\n  name = "fa"\n'
                                              '  app_settings = local.app_settings\n}\n',
        "infra/modules/function_app/locals.tf": 'locals {\n  app_settings = {\n'
                                                '    "APPLICATIONINSIGHTS_CONNECTION_STRING" = var.ai\n'
                                                '    "APPLICATIONINSIGHTS_ENABLE_AGENT" = "true"\n  }\n}\n',
    })
    ev = _by_kind(collect_with(ObservabilityCollector(), root)[0])
    man = {e.get("service"): e for e in ev["dep.manifest"]}
    assert man["loadgen"].get("load_test") is True and not man["router"].get("load_test")
    agent = [e for e in ev["obs.tracing"] if e.get("mechanism") == "azure-app-insights-agent"]
    assert agent and agent[0].locator.path == "infra/modules/function_app/locals.tf"
    corr = [e for e in ev.get("obs.log_correlation", []) if e.get("mechanism") == "java-agent-mdc"]
    assert corr and corr[0].locator.path == "router/src/main/resources/log4j2.xml"


def test_json_template_without_mdc_gets_no_agent_correlation(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "router/src/main/resources/log4j2.xml": '<Configuration><Appenders><Console name="c">\n'
            '<JsonTemplateLayout eventTemplateUri="classpath:plain.json"/>\n</Console></Appenders></Configuration>\n',
        "router/src/main/resources/plain.json": '{"message": {"$resolver": "message"}}\n',
        "Dockerfile": "FROM eclipse-temurin\nENV JAVA_TOOL_OPTIONS=-javaagent:/app/opentelemetry-javaagent.jar\n",
    })
    ev = _by_kind(collect_with(ObservabilityCollector(), root)[0])
    assert ev.get("obs.structured_log") and not ev.get("obs.log_correlation")


def test_prometheus_server_in_erb_template_and_go_templated_configmap(tmp_path: Path) -> None:
    """A Prometheus server's config kept as a configuration-management template (ERB), and one in a cluster's
    Go-templated ConfigMap outside any chart: both are read, with scrape jobs and remote_write."""
    root = write_tree(tmp_path, {
        "cookbooks/prometheus/templates/default/prometheus.yml.erb":
            "# maintained by Chef\nglobal:\n  scrape_interval: 15s\nrule_files:\n  - /etc/prometheus/*_rules.yml\n"
            "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: [localhost:9090]\n"
            "<% @exporters.each do |name, targets| -%>\n  - job_name: <%= name %>\n    static_configs:\n"
            "      - targets: <%= targets.to_json %>\n<% end -%>\n",
        "cluster/manifests/prometheus/configmap.yaml":
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prometheus-conf\ndata:\n  prometheus.yml: |\n"
            "    global:\n      scrape_interval: 1m\n      external_labels:\n        replica: @@POD_NAME@@\n"
            "    scrape_configs:\n    - job_name: kubelet\n"
            "      kubernetes_sd_configs: [{role: node}]\n"
            "{{ if ne .Cluster.ConfigItems.prometheus_remote_write \"disabled\" }}\n"
            "    remote_write:\n    - url: {{ .Cluster.ConfigItems.prometheus_remote_write }}\n{{ end }}\n",
        "dev/docker-compose.yml": "services:\n  prom:\n    image: prom/prometheus:v2\n",
    })
    ev = _by_kind(collect_with(ObservabilityCollector(), root)[0])
    servers = {e.locator.path: e for e in ev["obs.platform"] if e.get("server")}
    erb = servers["cookbooks/prometheus/templates/default/prometheus.yml.erb"]
    assert erb.get("provisioned") is True and erb.get("scrape_jobs") >= 1
    # the placeholder a start script fills in (`@@POD_NAME@@`) is no YAML: the config is read by its keys
    cm = servers["cluster/manifests/prometheus/configmap.yaml"]
    assert cm.get("remote_write") is True and cm.get("scrape_jobs") == 1
    compose = [e for e in ev["obs.platform"] if e.locator.path == "dev/docker-compose.yml"]
    assert compose and compose[0].get("origin") == "compose"
