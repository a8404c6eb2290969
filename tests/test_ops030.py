"""WAF-OPS-030 level pins for small synthetic repositories (collectors -> probes -> level)."""

from __future__ import annotations

import json
from pathlib import Path

from wafops.collectors.repo.alerting import AlertingCollector
from wafops.collectors.repo.observability import ObservabilityCollector
from wafops.scanner.core.model import ControlStatus, Outcome

from tests.helpers import collect_with, evaluate, write_tree


def _level(root: Path, **states: str):
    ev = collect_with(ObservabilityCollector(), root)[0] + collect_with(AlertingCollector(), root)[0]
    return evaluate("WAF-OPS-030", ev, **(states or {"repo": "ok", "git": "ok"}))


def _crit(result, cid):
    return next(c for c in result.criteria if c.id == cid)


DASH = json.dumps({"title": "API", "schemaVersion": 39, "panels": [
    {"type": "timeseries", "targets": [{"expr": 'sum(rate(http_requests_total{code=~"5.."}[5m]))'}]},
    {"type": "timeseries", "targets": [{"expr": "histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m]))"}]}]})

BURN = """groups:
- name: slo
  rules:
  - alert: ApiBurnFast
    expr: slo:sli_error:ratio_rate5m > (14.4 * 0.001) and slo:sli_error:ratio_rate1h > (14.4 * 0.001)
    labels: {severity: critical}
    annotations: {runbook_url: ../docs/runbooks/api.md}
"""

L3_FILES = {
    "api/requirements.txt": "structlog\nopentelemetry-distro\nopentelemetry-instrumentation-logging\nprometheus-client\n",
    "api/Dockerfile": "FROM python\n",
    "deploy/collector.yaml": "receivers: {otlp: {}}\nexporters: {otlphttp: {}}\nservice:\n  pipelines:\n"
                             "    logs: {receivers: [otlp], exporters: [otlphttp]}\n"
                             "    traces: {receivers: [otlp], exporters: [otlphttp]}\n",
    "dashboards/api.json": DASH,
    "infra/logs.tf": 'resource "aws_cloudwatch_log_group" "api" {\n  name = "/api"\n  retention_in_days = 30\n}\n',
}


def test_library_is_level_1(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "lib"\ndependencies = ["requests"]\n',
                                 "src/lib/core.py": "def f(): pass\n"})
    r = _level(root)
    assert r.level == 1 and r.status is ControlStatus.ASSESSED


def test_cloud_service_without_shipping_is_not_assessed_without_the_cloud(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"app/package.json": json.dumps({"dependencies": {"express": "4"}}),
                                 "infra/main.tf": 'resource "aws_ecs_service" "app" {\n  name = "app"\n}\n'})
    r = _level(root)
    assert r.level is None and r.status is ControlStatus.NOT_ASSESSED
    assert "aws" in _crit(r, "ops030-central-telemetry").reason
    # with the cloud scanned (and nothing found there either), absence is conclusive
    r2 = _level(root, repo="ok", git="ok", aws="ok")
    assert r2.level == 1 and r2.status is ControlStatus.ASSESSED


def test_shipping_and_dashboards_is_level_2(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"api/requirements.txt": "flask\n",
                                 "logging/fluent-bit.conf": "[INPUT]\n Name tail\n[OUTPUT]\n Name loki\n",
                                 "dashboards/api.json": DASH})
    r = _level(root)
    assert r.level == 2
    assert _crit(r, "ops030-structured-logging").status is Outcome.NOT_MET


def test_three_pillars_is_level_3(tmp_path: Path) -> None:
    r = _level(write_tree(tmp_path, L3_FILES))
    assert r.level == 3, [(c.id, c.status, c.reason) for c in r.criteria if c.level <= 4]
    # the repository declares AWS log groups: X-Ray sampling rules could live in that account
    assert _crit(r, "ops030-sampling").status is Outcome.NOT_ASSESSED and "aws" in _crit(r, "ops030-sampling").reason
    # no alert rules at all: the runbook-link criterion fails, but one missing supporting item does not rule out
    # level 4; burn-rate alerts could live in the declared AWS account, so level 4 stays open (a ceiling above 3)
    assert _crit(r, "ops030-alert-runbooks").status is Outcome.NOT_MET
    assert _crit(r, "ops030-slo-alerting").status is Outcome.NOT_ASSESSED
    assert r.status is ControlStatus.PARTIALLY_ASSESSED and r.ceiling > 3 and r.confirmed_level == 3


def test_tracing_coverage_below_80_percent_blocks_level_3(tmp_path: Path) -> None:
    files = dict(L3_FILES)
    for i in range(2):
        files[f"svc{i}/requirements.txt"] = "structlog\nprometheus-client\n"
        files[f"svc{i}/Dockerfile"] = "FROM python\n"
    r = _level(write_tree(tmp_path, files))
    assert r.level == 2
    crit = _crit(r, "ops030-tracing")
    assert crit.status is Outcome.NOT_MET and "1 of 3" in crit.reason


def test_slo_sampling_anomaly_runbooks_is_level_4(tmp_path: Path) -> None:
    files = dict(L3_FILES)
    files["deploy/collector.yaml"] = files["deploy/collector.yaml"].replace(
        "exporters: {otlphttp: {}}", "processors: {tail_sampling: {}}\nexporters: {otlphttp: {}}")
    files["alerts/slo.yml"] = BURN
    files["docs/runbooks/api.md"] = "# api\n"
    files["infra/anomaly.tf"] = ('resource "aws_cloudwatch_metric_alarm" "lat" {\n  alarm_name = "lat"\n'
                                 '  threshold_metric_id = "ad1"\n  alarm_actions = ["x"]\n'
                                 '  alarm_description = "runbook: docs/runbooks/api.md"\n}\n')
    r = _level(write_tree(tmp_path, files))
    # the strict floor is level 4: the central platform joining all three signals is not verified. The estimate
    # is level 5, WAF++ "OpenTelemetry": every service on an OTel SDK (defining), an OTLP collector and trace ids
    # in every service's logs (supporting, 2 of the 2 assessed)
    assert r.confirmed_level == 4, [(c.id, c.status, c.reason) for c in r.criteria if c.level <= 5]
    assert r.level == 5
    assert _crit(r, "ops030-otel-everywhere").status is Outcome.MET
    assert _crit(r, "ops030-central-platform").status is Outcome.NOT_ASSESSED
    r2 = _level(tmp_path, repo="ok", git="ok", azure="ok")
    assert _crit(r2, "ops030-central-platform").status is Outcome.NOT_MET
    assert r2.confirmed_level == 4 and r2.level == 5 and r2.status is ControlStatus.ASSESSED


CSPROJ_AI = """<Project Sdk="Microsoft.NET.Sdk.Web">
  <ItemGroup>
    <PackageReference Include="Microsoft.ApplicationInsights.AspNetCore" Version="2.22.0" />
    <PackageReference Include="Serilog.AspNetCore" Version="6.1.0" />
    <PackageReference Include="Serilog.Sinks.Seq" Version="5.2.3" />
  </ItemGroup>
</Project>
"""


def test_apm_agent_counts_as_metrics_and_red(tmp_path: Path) -> None:
    """eShopOnContainers shape: Application Insights in every service, no metrics library, no dashboards.
    The APM agent records request rate/failures/duration, so L2 metrics and L3 RED hold (level 2, not 1)."""
    root = write_tree(tmp_path, {"src/Orders.API/Orders.API.csproj": CSPROJ_AI, "src/Orders.API/Dockerfile": "FROM x\n",
                                 "src/Orders.API/appsettings.json": '{"ApplicationInsights": {"InstrumentationKey": ""}}'})
    r = _level(root)
    assert _crit(r, "ops030-dashboards-or-metrics").status is Outcome.MET
    assert _crit(r, "ops030-metrics-red").status is Outcome.MET
    # Serilog (JSON) and the Application Insights SDK (request/dependency tracing) in the one service make all
    # three pillars (level 3); trace ids in the logs are not shown, so the strict floor stays at level 2
    assert r.level == 3 and r.confirmed_level == 2
    assert _crit(r, "ops030-log-trace-correlation").status is Outcome.NOT_MET
    # Application Insights holds sampling/anomaly settings in Azure: their absence needs the subscription
    assert _crit(r, "ops030-anomaly").status is Outcome.NOT_ASSESSED


def test_monorepo_service_is_covered_by_its_shared_logging_package(tmp_path: Path) -> None:
    """n8n shape: the CLI service imports @acme/backend-common (winston) and the node library; Dockerfiles live
    elsewhere. The shared packages are libraries: one service, covered through its workspace dependency."""
    root = write_tree(tmp_path, {
        "packages/cli/package.json": json.dumps({"name": "acme", "bin": {"acme": "bin/acme"}, "dependencies": {
            "@acme/backend-common": "workspace:*", "acme-nodes": "workspace:*", "@opentelemetry/sdk-trace-node": "2",
            "@opentelemetry/exporter-trace-otlp-proto": "0.200", "prom-client": "15"}}),
        "packages/@acme/backend-common/package.json": json.dumps({"name": "@acme/backend-common",
                                                                 "dependencies": {"winston": "3"}}),
        "packages/nodes/package.json": json.dumps({"name": "acme-nodes", "dependencies": {"axios": "1"}}),
        "docker/images/acme/Dockerfile": "FROM node\n",
    })
    r = _level(root)
    s = _crit(r, "ops030-structured-logging")
    assert s.status is Outcome.MET and "1 of 1" in s.reason
    assert _crit(r, "ops030-tracing").status is Outcome.MET


def test_sentry_sdk_with_tracing_is_apm_and_sampling(tmp_path: Path) -> None:
    """Calibration (getsentry/sentry, supabase Studio shapes): a Sentry SDK initialised with a traces sample rate or
    a traces_sampler records transactions and spans and charts throughput/failures/latency - tracing, central
    telemetry and RED like an APM agent; a fractional rate or a sampler is explicit sampling. The same SDK with
    tracing off (rate 0) is an error tracker only and stays level 1."""
    root = write_tree(tmp_path / "on", {
        "requirements.txt": "sentry-sdk\nstatsd\n",
        "app/sdk.py": "import sentry_sdk\n\ndef traces_sampler(ctx):\n    return 0.1\n\n"
                      "def configure():\n    opts = {}\n    opts[\"traces_sampler\"] = traces_sampler\n"
                      "    sentry_sdk.init(**opts)\n",
    })
    res = _level(root)
    assert _crit(res, "ops030-central-telemetry").status is Outcome.MET
    assert _crit(res, "ops030-tracing").status is Outcome.MET
    assert _crit(res, "ops030-metrics-red").status is Outcome.MET
    assert _crit(res, "ops030-sampling").status is Outcome.MET
    assert res.level == 2
    ev = collect_with(ObservabilityCollector(), root)[0]
    [tr] = [e for e in ev if e.kind == "obs.tracing"]
    assert (tr.locator.path, tr.locator.line, tr.get("mechanism")) == ("app/sdk.py", 8, "sentry-performance")

    off = write_tree(tmp_path / "off", {
        "package.json": json.dumps({"name": "web", "dependencies": {"@sentry/nextjs": "8", "next": "14"}}),
        "sentry.server.config.ts": "import * as Sentry from '@sentry/nextjs'\nSentry.init({ dsn: process.env.DSN, "
                                   "tracesSampleRate: 0 })\n",
    })
    res = _level(off)
    assert _crit(res, "ops030-tracing").status is Outcome.NOT_MET
    assert _crit(res, "ops030-central-telemetry").status is Outcome.NOT_MET
    assert res.level == 1

    full = write_tree(tmp_path / "full", {
        "package.json": json.dumps({"name": "web", "dependencies": {"@sentry/nextjs": "8", "next": "14"}}),
        "sentry.server.config.ts": "import * as Sentry from '@sentry/nextjs'\nSentry.init({\n  tracesSampleRate: 1.0,\n})\n",
    })
    ev = collect_with(ObservabilityCollector(), full)[0]
    assert [e.get("mechanism") for e in ev if e.kind == "obs.tracing"] == ["sentry-performance"]
    assert not [e for e in ev if e.kind == "obs.sampling"]  # 100 % keeps every trace: no sampling decision


def test_product_integration_for_a_vendor_is_not_the_teams_telemetry(tmp_path: Path) -> None:
    """Calibration (home-assistant/core shape): the app's Sentry/Datadog/Prometheus *integrations* (plugin modules and
    their requirements under `# homeassistant.components.<x>` comments) are features for users, not the team's
    telemetry: level 1, and no SaaS backend that would make missing alerts unassessable."""
    root = write_tree(tmp_path, {
        "requirements.txt": "aiohttp==3.11\n",
        "requirements_all.txt": "-r requirements.txt\n\n# homeassistant.components.sentry\nsentry-sdk==1.45\n\n"
                                "# homeassistant.components.datadog\ndatadog==0.52\n",
        "homeassistant/components/sentry/__init__.py": "import sentry_sdk\n\ndef setup(entry):\n    sentry_sdk.init("
            "dsn=entry.dsn, traces_sample_rate=entry.options.get('rate'))\n",
    })
    res = _level(root)
    assert _crit(res, "ops030-tracing").status is Outcome.NOT_MET
    assert _crit(res, "ops030-dashboards-or-metrics").status is Outcome.NOT_MET
    assert res.level == 1
    ev = collect_with(ObservabilityCollector(), root)[0] + collect_with(AlertingCollector(), root)[0]
    assert evaluate("WAF-OPS-040", ev, repo="ok", git="ok").level == 1


def test_go_server_with_json_logger_library_module_and_browser_app(tmp_path: Path) -> None:
    """Mattermost shape: a Go server whose logger (a logr JSON formatter) and settings (`"ConsoleJson": true`) sit
    in a second Go module of the repository it requires, beside a React web app. The required module is a library
    of the server, and the browser app is no service for server logs and traces: coverage is 1 of 1, not 1 of 3."""
    write_tree(tmp_path, {
        "server/go.mod": "module example.com/chat/server/v8\n\ngo 1.21\n\nrequire (\n"
                         "\texample.com/chat/server/public v0.1.0\n\tgithub.com/uber/jaeger-client-go v2.30.0+incompatible\n"
                         "\tgithub.com/prometheus/client_golang v1.19.0\n)\n",
        "server/public/go.mod": "module example.com/chat/server/public\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n",
        "server/public/shared/mlog/default.go": "package mlog\n\nfunc def() {\n\tformatter := &formatters.JSON{}\n\t_ = formatter\n}\n",
        "server/config/config.json": '{"LogSettings": {"ConsoleJson": true, "FileJson": true}}\n',
        "webapp/channels/package.json": json.dumps({"name": "channels", "dependencies": {"react": "17", "redux": "4"}}),
    })
    ev = collect_with(ObservabilityCollector(), tmp_path)[0]
    man = {e.get("service"): e for e in ev if e.kind == "dep.manifest"}
    assert man["server/public"].get("library") and man["server"].get("local_deps") == ["server/public"]
    assert man["webapp/channels"].get("frontend") and not man["server"].get("frontend")
    mech = {e.get("mechanism") for e in ev if e.kind == "obs.structured_log"}
    assert "code:formatters.JSON" in mech and any("ConsoleJson" in str(m) for m in mech)
    result = _level(tmp_path)
    assert _crit(result, "ops030-structured-logging").status is Outcome.MET
    assert _crit(result, "ops030-tracing").status is Outcome.MET


def test_log_format_switch_set_to_json_is_structured_logging(tmp_path: Path) -> None:
    write_tree(tmp_path, {"api/package.json": json.dumps({"name": "api", "dependencies": {"express": "4"}}),
                          "api/.env.example": "PORT=8080\nLOG_FORMAT=json\n",
                          "web/.env.example": "LOG_FORMAT=text\n"})
    ev = collect_with(ObservabilityCollector(), tmp_path)[0]
    found = [e for e in ev if e.kind == "obs.structured_log"]
    assert [e.locator.path for e in found] == ["api/.env.example"]


def test_aspire_apphost_orchestrates_services_and_is_no_service_itself(tmp_path: Path) -> None:
    """eShop (.NET Aspire) shape: the AppHost references every service project to start them; that must not make
    the services libraries. Coverage is measured over the services, which get OTel from a shared defaults project."""
    ref = '<ProjectReference Include="..\\\\{0}\\\\{0}.csproj" />'
    write_tree(tmp_path, {
        "src/Defaults/Defaults.csproj": '<Project Sdk="Microsoft.NET.Sdk"><ItemGroup>'
                                        '<PackageReference Include="OpenTelemetry.Extensions.Hosting" />'
                                        '<PackageReference Include="OpenTelemetry.Exporter.OpenTelemetryProtocol" />'
                                        '</ItemGroup></Project>',
        "src/Defaults/Extensions.cs": "builder.Logging.AddOpenTelemetry(logging => { logging.IncludeScopes = true; });\n",
        "src/Api/Api.csproj": '<Project Sdk="Microsoft.NET.Sdk.Web"><ItemGroup><PackageReference Include="Npgsql" />'
                              f'</ItemGroup><ItemGroup>{ref.format("Defaults")}</ItemGroup></Project>',
        "src/Worker/Worker.csproj": '<Project Sdk="Microsoft.NET.Sdk.Worker"><ItemGroup><PackageReference Include="Polly" />'
                                    "</ItemGroup></Project>",
        "src/AppHost/AppHost.csproj": '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><IsAspireHost>true</IsAspireHost>'
                                      '</PropertyGroup><ItemGroup><PackageReference Include="Aspire.Hosting.AppHost" />'
                                      f'</ItemGroup><ItemGroup>{ref.format("Api")}{ref.format("Worker")}</ItemGroup></Project>',
    })
    ev = collect_with(ObservabilityCollector(), tmp_path)[0]
    man = {e.get("service"): e for e in ev if e.kind == "dep.manifest"}
    assert man["src/AppHost"].get("orchestrator") and not man["src/AppHost"].get("local_deps")
    assert not man["src/Api"].get("library") and not man["src/Worker"].get("library") and man["src/Defaults"].get("library")
    tracing = _crit(_level(tmp_path), "ops030-tracing-all")
    # Worker has no telemetry: 1 of 2 services, not "1 of 1" (AppHost reaching everything through its references);
    # half the services is the defining "most", not the checklist's "all services"
    assert tracing.status is Outcome.NOT_MET and "1 of 2" in tracing.reason
    assert _crit(_level(tmp_path), "ops030-tracing").status is Outcome.MET


PROM_ERB = ("global:\n  scrape_interval: 15s\nrule_files:\n  - /etc/prometheus/*_rules.yml\nscrape_configs:\n"
            "  - job_name: prometheus\n    static_configs:\n      - targets: [localhost:9090]\n"
            "<% @exporters.each do |name, targets| -%>\n  - job_name: <%= name %>\n    static_configs:\n"
            "      - targets: <%= targets.to_json %>\n<% end -%>\n")


def test_central_prometheus_run_by_configuration_management_is_level_2(tmp_path: Path) -> None:
    """A Chef-run Prometheus server scraping every host's exporters: telemetry is centralised (metrics), and its
    scrape jobs are metrics collection, although logs stay on the hosts. A Prometheus in a developer's
    docker-compose file is not a central store."""
    r = _level(write_tree(tmp_path / "a", {"cookbooks/prometheus/templates/default/prometheus.yml.erb": PROM_ERB,
                                           "cookbooks/prometheus/recipes/server.rb": "package 'prometheus'\n"}))
    assert r.level == 2, [(c.id, c.status, c.reason) for c in r.criteria]
    assert _crit(r, "ops030-dashboards-or-metrics").status is Outcome.MET
    r2 = _level(write_tree(tmp_path / "b", {"docker-compose.yml": "services:\n  prom:\n    image: prom/prometheus:v2\n",
                                            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask"]\n'}))
    assert r2.level == 1, [(c.id, c.status, c.reason) for c in r2.criteria]
    # Grafana datasources name where Grafana reads metrics from; they do not run a store
    r3 = _level(write_tree(tmp_path / "c", {
        "grafana/provisioning/datasources/ds.yaml": "apiVersion: 1\ndatasources:\n  - name: prom\n    type: prometheus\n"
                                                     "    url: http://prometheus:9090\n",
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask"]\n'}))
    assert _crit(r3, "ops030-central-telemetry").status is Outcome.NOT_MET


def test_coverage_leaves_out_ci_actions_and_load_generators_and_counts_platform_app_insights(tmp_path: Path) -> None:
    """Services: a Kotlin function app (JSON logs) and a Python admin function. Not services: a JavaScript action
    under .github/ and a Locust load generator. Application Insights enabled in the Function App's settings
    traces both apps. Logs in half the services meet the defining 'most', not the supporting 'all'."""
    root = write_tree(tmp_path, {
        ".github/actions/notify/package.json": json.dumps({"dependencies": {"@slack/bolt": "3"}}),
        ".github/actions/notify/Dockerfile": "FROM node\n",
        "loadgen/requirements.txt": "locust\n", "loadgen/Dockerfile": "FROM python\n",
        "router/build.gradle.kts": 'dependencies {\n  implementation("org.apache.logging.log4j:log4j-layout-template-json:2.22.0")\n'
                                   '  implementation("io.micrometer:micrometer-registry-prometheus:1.12.0")\n}\n',
        "router/host.json": "{}\n",
        "router/src/main/resources/log4j2.xml": '<Configuration><Appenders><Console name="c"><JsonTemplateLayout/>'
                                                "</Console></Appenders></Configuration>\n",
        "admin/requirements.txt": "azure-functions\n", "admin/host.json": "{}\n",
        "infra/function_app.tf": 'resource "azurerm_function_app" "fa" {\n  name = "fa"\n  app_settings = {\n'
                                 '    APPLICATIONINSIGHTS_CONNECTION_STRING = var.ai\n    APPLICATIONINSIGHTS_ENABLE_AGENT = "true"\n'
                                 '  }\n}\n',
    })
    r = _level(root, repo="ok", git="ok", azure="ok")
    assert "1 of 2" in _crit(r, "ops030-structured-logging").reason
    assert _crit(r, "ops030-structured-logging").status is Outcome.MET
    assert _crit(r, "ops030-structured-logging-all").status is Outcome.NOT_MET
    assert _crit(r, "ops030-tracing").status is Outcome.MET and "2 of 2" in _crit(r, "ops030-tracing").reason
    # the agent puts trace ids in the MDC, which the default JSON template writes
    assert _crit(r, "ops030-log-trace-correlation").status is Outcome.MET
    assert r.level == 3, [(c.id, c.status, c.reason) for c in r.criteria]


def test_metrics_stack_installed_as_a_helm_release_is_central_telemetry(tmp_path: Path) -> None:
    """kube-prometheus-stack installed by Terraform: the cluster's central metrics store, provisioned as code."""
    root = write_tree(tmp_path, {"infra/monitoring.tf": 'resource "helm_release" "kps" {\n  name = "kps"\n'
                                                        '  repository = "https://prometheus-community.github.io/helm-charts"\n'
                                                        '  chart = "kube-prometheus-stack"\n}\n',
                                 "pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask"]\n'})
    r = _level(root)
    c = _crit(r, "ops030-central-telemetry")
    assert c.status is Outcome.MET and "prometheus" in c.reason
