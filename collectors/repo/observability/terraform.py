"""Terraform resources: log groups and workspaces (retention), log sinks, Application Insights, ECS task
definitions, dashboards, SLOs, services (D-SVC), tracing and sampling switches, anomaly detection, Helm
releases of agents, cross-account observability; and app settings that switch on Application Insights."""

from __future__ import annotations

import re
from collections.abc import Callable

from wafops.collectors.repo.observability.dashboards import dashboard
from wafops.collectors.repo.observability.shippers import LOG_DRIVERS, agent_image
from wafops.collectors.repo.observability.state import ObsRun
from wafops.collectors.repo.observability.values import to_float, to_int
from wafops.collectors.repo.observability_files import (
    TfResource,
    first,
    is_product_path,
    s,
    tf_asks,
    tf_resources,
)
from wafops.collectors.translate import aws as translate_aws
from wafops.collectors.translate import azure as translate_azure
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Strength

TF_DASHBOARD_TYPES = {"aws_cloudwatch_dashboard": "cloudwatch", "grafana_dashboard": "grafana",
                      "datadog_dashboard": "datadog", "datadog_dashboard_json": "datadog",
                      "azurerm_portal_dashboard": "azure", "azurerm_dashboard": "azure",
                      "google_monitoring_dashboard": "google", "newrelic_one_dashboard": "newrelic"}
TF_SLO_TYPES = {"google_monitoring_slo", "datadog_service_level_objective", "grafana_slo", "newrelic_service_level",
                "nobl9_slo", "dynatrace_slo_v2", "dynatrace_slo", "awscc_applicationsignals_service_level_objective",
                "aws_applicationsignals_service_level_objective"}
TF_SERVICE_TYPES = {"aws_ecs_service", "aws_lambda_function", "azurerm_linux_web_app", "azurerm_windows_web_app",
                    "azurerm_container_app", "google_cloud_run_service", "google_cloud_run_v2_service",
                    "azurerm_linux_function_app", "azurerm_app_service", "aws_apprunner_service",
                    "azurerm_function_app", "azurerm_windows_function_app"}
AZURE_APP_HOSTS = ("azurerm_function_app", "azurerm_linux_function_app", "azurerm_windows_function_app",
                   "azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_app_service")
# Application Insights switched on in an App Service / Function App's settings: the codeless agent
# (`ApplicationInsightsAgent_EXTENSION_VERSION`, Java `APPLICATIONINSIGHTS_ENABLE_AGENT`) or, for Functions, the
# host's built-in integration (a connection string / instrumentation key) records every request and dependency
# call with W3C trace context - distributed tracing by the platform, for every app it hosts
AI_AGENT = re.compile(r"""(?i)["']?(APPLICATIONINSIGHTS_ENABLE_AGENT["']?\s*[=:]\s*["']?true|ApplicationInsightsAgent_EXTENSION_VERSION["']?\s*[=:]\s*["']?~\d)""")
AI_CONNECTION = re.compile(r"""["']?(APPLICATIONINSIGHTS_CONNECTION_STRING|APPINSIGHTS_INSTRUMENTATIONKEY)["']?\s*[=:]""")


def hcl_blocks(tree: RepoTree) -> list[tuple[str, Wanted]]:
    """The .tf files `terraform` parses, and the blocks it reads."""
    return tf_asks(tree, _HANDLERS)


def terraform(run: ObsRun) -> None:
    resources = tf_resources(run.tree, _HANDLERS)  # the types this collector reads: those it has a reader for
    _app_insights_agent(run, any(r.type in AZURE_APP_HOSTS and "function" in r.type for r in resources))
    for r in resources:
        _HANDLERS[r.type](run, r)


def _app_insights_agent(run: ObsRun, function_apps: bool) -> None:
    """App settings (Terraform) that switch on Application Insights for the apps an App Service plan hosts."""
    for path in run.tree.with_suffix(".tf"):
        if not is_product_path(path):
            continue
        text = run.tree.text(path) or ""
        if "APPLICATIONINSIGHTS" not in text.upper() and "APPINSIGHTS" not in text.upper():
            continue
        m = AI_AGENT.search(text) or (AI_CONNECTION.search(text) if function_apps else None)
        if m:
            run.emit("obs.tracing", path, {"mechanism": "azure-app-insights-agent"},
                     line=text.count("\n", 0, m.start()) + 1, strength=Strength.STRONG, key=("ai-agent",))


# ---- logs ------------------------------------------------------------------------------------------
def _log_group(run: ObsRun, r: TfResource) -> None:
    days = translate_aws.log_group_retention(r.body)
    run.emit("obs.log_retention", r.path, {"tool": "terraform", "resource": r.type, "name": r.name, "days": days},
             line=r.line, strength=Strength.DIRECT, summary=f"{r.type}.{r.name}: retention {days or 'never expires'}")
    run.emit("obs.log_shipper", r.path, {"tool": "cloudwatch-logs", "logs": True}, line=r.line, key=("cwl",))


def _log_workspace(run: ObsRun, r: TfResource) -> None:
    days = translate_azure.workspace_retention({"retentionInDays": r.body.get("retention_in_days")})
    run.emit("obs.log_retention", r.path, {"tool": "terraform", "resource": r.type, "name": r.name, "days": days},
             line=r.line, strength=Strength.DIRECT)
    run.emit("obs.log_shipper", r.path, {"tool": "log-analytics", "logs": True}, line=r.line, key=("law",))
    run.emit("obs.platform", r.path, {"tool": "azure-monitor", "signals": ["logs", "metrics"]}, line=r.line,
             key=("law-p",))


def _log_bucket(run: ObsRun, r: TfResource) -> None:
    run.emit("obs.log_retention", r.path, {"tool": "terraform", "resource": r.type, "name": r.name,
                                           "days": to_int(r.body.get("retention_days")) or 30},
             line=r.line, strength=Strength.DIRECT)


_SINK_TOOLS = {"azurerm_monitor_diagnostic_setting": "diagnostic-settings",
               "google_logging_project_sink": "gcp-log-sink",
               "aws_cloudwatch_log_subscription_filter": "cloudwatch-subscription"}


def _log_sink(run: ObsRun, r: TfResource) -> None:
    tool = _SINK_TOOLS[r.type]
    run.emit("obs.log_shipper", r.path, {"tool": tool, "logs": True}, line=r.line, strength=Strength.DIRECT,
             key=(tool,))


def _app_insights(run: ObsRun, r: TfResource) -> None:
    run.emit("obs.platform", r.path, {"tool": "application-insights", "signals": ["traces", "metrics", "logs"]},
             line=r.line, key=("ai", r.name))
    ai = translate_azure.app_insights(translate_azure.app_insights_from_terraform(r.body))  # as read from Azure
    if ai["sampling"]:
        run.emit("obs.sampling", r.path, {"mechanism": "application-insights-sampling"}, line=r.line,
                 strength=Strength.DIRECT)
    if ai["retention_days"] is not None:
        run.emit("obs.log_retention", r.path, {"tool": "terraform", "resource": r.type, "name": r.name,
                                               "days": ai["retention_days"]}, line=r.line,
                 strength=Strength.DIRECT)


def _ecs_task(run: ObsRun, r: TfResource) -> None:
    m = re.search(r"logDriver\"?\s*[:=]\s*\"(awslogs|awsfirelens|splunk|fluentd)\"", r.text)
    if m:
        run.emit("obs.log_shipper", r.path, {"tool": LOG_DRIVERS[m.group(1)], "logs": True}, line=r.line,
                 strength=Strength.DIRECT, key=("ecs", m.group(1)))
    if re.search(r"aws-otel-collector|aws-observability/aws-otel|xray-daemon|opentelemetry-collector", r.text):
        run.emit("obs.tracing", r.path, {"mechanism": "ecs-otel-sidecar"}, line=r.line)


# ---- dashboards, SLOs, services ------------------------------------------------------------------------
def _dashboard(run: ObsRun, r: TfResource) -> None:
    b = r.body
    dashboard(run, r.path, TF_DASHBOARD_TYPES[r.type], s(b.get("dashboard_name") or b.get("title") or b.get("name") or r.name),
              len(re.findall(r"(?i)\"type\"\s*[:=]|widget\s*\{|\btype\s*=", r.text)), r.text, line=r.line)


def _slo(run: ObsRun, r: TfResource) -> None:
    b = r.body
    addr = f"{r.type}.{r.name}"
    run.emit("obs.slo", r.path, {"spec": "terraform", "service": s(b.get("service") or b.get("guid") or ""),
                                 "name": s(b.get("name") or b.get("display_name") or r.name), "address": addr,
                                 "objective": to_float(b.get("goal") or b.get("target") or
                                                       (first(b.get("thresholds")) or {}).get("target")
                                                       if isinstance(first(b.get("thresholds")), dict) else None)},
             line=r.line, strength=Strength.DIRECT, key=("slo", addr))


def _service(run: ObsRun, r: TfResource) -> None:
    b = r.body
    run.emit("obs.service", r.path, {"name": r.name, "origin": "terraform", "critical": None}, line=r.line,
             key=("svc", f"{r.type}.{r.name}"))
    if r.type == "aws_lambda_function":
        tc = first(b.get("tracing_config"))
        if isinstance(tc, dict) and s(tc.get("mode")) == "Active":
            run.emit("obs.tracing", r.path, {"mechanism": "lambda-active-tracing"}, line=r.line,
                     strength=Strength.DIRECT, key=("lt",))
        if re.search(r"(?i)otel|opentelemetry|adot", s(b.get("layers"))):
            run.emit("obs.tracing", r.path, {"mechanism": "adot-layer"}, line=r.line, key=("adot",))
        run.emit("obs.log_shipper", r.path, {"tool": "cloudwatch-logs", "logs": True}, line=r.line, key=("cwl",))


# ---- tracing, sampling, anomaly detection, agents, cross-account -------------------------------------------
def _apigw_stage(run: ObsRun, r: TfResource) -> None:
    if str(r.body.get("xray_tracing_enabled")).lower() == "true":
        run.emit("obs.tracing", r.path, {"mechanism": "apigw-xray"}, line=r.line, strength=Strength.DIRECT, key=("apigw",))


def _xray_rule(run: ObsRun, r: TfResource) -> None:
    run.emit("obs.sampling", r.path, {"mechanism": "xray-sampling-rule"}, line=r.line, strength=Strength.DIRECT,
             key=("xray",))


def _anomaly(run: ObsRun, r: TfResource) -> None:
    t, b = r.type, r.body
    if t == "aws_devopsguru_resource_collection":
        run.emit("obs.anomaly", r.path, {"mechanism": "devops-guru"}, line=r.line, strength=Strength.DIRECT)
    elif t == "azurerm_monitor_smart_detector_alert_rule":
        run.emit("obs.anomaly", r.path, {"mechanism": "azure-smart-detection"}, line=r.line, strength=Strength.DIRECT)
    elif t == "aws_cloudwatch_metric_alarm":
        if b.get("threshold_metric_id") or "ANOMALY_DETECTION_BAND" in r.text:
            run.emit("obs.anomaly", r.path, {"mechanism": "cloudwatch-anomaly-detection"}, line=r.line,
                     strength=Strength.DIRECT, key=("cwad", r.name))
    elif t == "azurerm_monitor_metric_alert":
        if b.get("dynamic_criteria"):
            run.emit("obs.anomaly", r.path, {"mechanism": "azure-dynamic-thresholds"}, line=r.line,
                     strength=Strength.DIRECT, key=("dyn", r.name))
    elif t == "datadog_monitor":
        if re.search(r"anomalies\(|outliers\(|forecast\(", s(b.get("query"))) or s(b.get("type")) in ("anomaly", "outlier"):
            run.emit("obs.anomaly", r.path, {"mechanism": "datadog-anomalies"}, line=r.line, strength=Strength.DIRECT,
                     key=("dd", r.name))


def _helm_release(run: ObsRun, r: TfResource) -> None:
    agent_image(run, r.path, s(r.body.get("chart")))


def _oam(run: ObsRun, r: TfResource) -> None:
    run.emit("obs.platform", r.path, {"tool": "cloudwatch-cross-account", "signals": ["logs", "metrics", "traces"]},
             line=r.line, strength=Strength.DIRECT, key=("oam",))


# resource type -> its reader (each type named once)
_HANDLERS: dict[str, Callable[[ObsRun, TfResource], None]] = {t: fn for types, fn in (
    (("aws_cloudwatch_log_group",), _log_group),
    (("azurerm_log_analytics_workspace",), _log_workspace),
    (("google_logging_project_bucket_config",), _log_bucket),
    (tuple(_SINK_TOOLS), _log_sink),
    (("azurerm_application_insights",), _app_insights),
    (("aws_ecs_task_definition",), _ecs_task),
    (tuple(TF_DASHBOARD_TYPES), _dashboard),
    (tuple(TF_SLO_TYPES), _slo),
    (tuple(TF_SERVICE_TYPES), _service),
    (("aws_api_gateway_stage",), _apigw_stage),
    (("aws_xray_sampling_rule",), _xray_rule),
    (("aws_devopsguru_resource_collection", "azurerm_monitor_smart_detector_alert_rule", "aws_cloudwatch_metric_alarm",
      "azurerm_monitor_metric_alert", "datadog_monitor"), _anomaly),
    (("helm_release",), _helm_release),
    (("aws_oam_sink", "aws_oam_link"), _oam),
) for t in types}
