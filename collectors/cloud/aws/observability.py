"""CloudWatch Logs (retention, stored bytes, subscription filters), X-Ray sampling and groups, dashboards,
anomaly detectors and Application Signals SLOs -> the evidence kinds the repository collectors write
for the same resources in Terraform/CloudFormation (obs.log_retention, obs.log_shipper, obs.dashboard,
obs.sampling, obs.platform, obs.anomaly, obs.slo)."""

from __future__ import annotations

import json

from wafops.collectors.cloud.aws.run import Area, AwsRun
from wafops.collectors.translate import aws as tr
from wafops.collectors.translate.signals import DORA, ERROR_BUDGET, RED_DUR, RED_ERR, RED_RATE
from wafops.scanner.core.model import Strength

LOGS = Area("logs", "CloudWatch log groups",
            ("obs_central_telemetry", "obs_log_retention", "obs_central_platform"), ("WAF-OPS-030",))
TRACES = Area("xray", "X-Ray sampling rules and groups", ("obs_sampling_tuned", "obs_central_platform"), ("WAF-OPS-030",))
DASHBOARDS = Area("dashboards", "CloudWatch dashboards", ("obs_dashboards_as_code", "error_budget_dashboard"),
                  ("WAF-OPS-030", "WAF-OPS-040"))
ANOMALY = Area("anomaly", "CloudWatch anomaly detectors", ("obs_anomaly_detection", "alert_anomaly"),
               ("WAF-OPS-030", "WAF-OPS-040"))
SLOS = Area("slos", "Application Signals SLOs", ("slo_defined", "slo_alert_coverage"), ("WAF-OPS-040",))

MAX_DASHBOARD_BODIES = 25
MAX_FILTER_LOOKUPS = 20


def collect(run: AwsRun) -> None:
    run.each_region(LOGS, lambda r: _logs(run, r))
    run.each_region(TRACES, lambda r: _xray(run, r))
    run.each_region(DASHBOARDS, lambda r: _dashboards(run, r))
    run.each_region(ANOMALY, lambda r: _anomaly(run, r))
    if run.options.get("aws_application_signals", True):
        run.each_region(SLOS, lambda r: _slos(run, r))


def _logs(run: AwsRun, region: str) -> None:
    groups = run.pages("logs", region, "DescribeLogGroups", "logGroups")
    for g in groups:
        name = str(g.get("logGroupName"))
        days = tr.log_group_retention({"RetentionInDays": g.get("retentionInDays")})
        arn = str(g.get("arn") or run.arn("logs", region, f"log-group:{name}")).removesuffix(":*")
        run.ev("obs.log_retention", arn, {"tool": "cloudwatch", "resource": "log-group", "name": name, "days": days,
                                          "stored_bytes": g.get("storedBytes"), "region": region},
               f"log group {name} ({region}): retention {days or 'never expires'}")
    if not groups:
        return
    run.ev("obs.log_shipper", run.arn("logs", region, "log-group:*"), {"tool": "cloudwatch-logs", "logs": True,
                                                                       "log_groups": len(groups), "region": region},
           f"{len(groups)} CloudWatch log group(s) in {region}")
    # subscription filters forward logs to a central account/store; read for the largest groups only
    biggest = sorted(groups, key=lambda g: -(g.get("storedBytes") or 0))[:MAX_FILTER_LOOKUPS]
    for g in biggest:
        filters = run.pages("logs", region, "DescribeSubscriptionFilters", "subscriptionFilters",
                            logGroupName=g["logGroupName"])
        for f in filters:
            run.ev("obs.log_shipper", str(g.get("arn") or "").removesuffix(":*") or run.arn("logs", region, "log-group"),
                   {"tool": "cloudwatch-subscription", "logs": True, "destination": str(f.get("destinationArn") or "")[:200]},
                   f"subscription filter {f.get('filterName')} forwards {g['logGroupName']}")
    run.ev("obs.platform", run.arn("logs", region, "*"), {"tool": "cloudwatch", "signals": ["logs", "metrics"]},
           f"CloudWatch holds logs and metrics in {region}", Strength.STRONG)


def _xray(run: AwsRun, region: str) -> None:
    rules = run.pages("xray", region, "GetSamplingRules", "SamplingRuleRecords")
    custom = [r for r in rules if (r.get("SamplingRule") or {}).get("RuleName") != "Default"]
    for r in custom:
        rule = r.get("SamplingRule") or {}
        run.ev("obs.sampling", str(rule.get("RuleARN") or run.arn("xray", region, f"sampling-rule/{rule.get('RuleName')}")),
               {"mechanism": "xray-sampling-rule", "rate": rule.get("FixedRate")},
               f"X-Ray sampling rule {rule.get('RuleName')} ({region})")
    groups = [g for g in run.pages("xray", region, "GetGroups", "Groups") if g.get("GroupName") != "Default"]
    if custom or groups:
        run.ev("obs.platform", run.arn("xray", region, "group/*"), {"tool": "xray", "signals": ["traces"]},
               f"X-Ray in use in {region}: {len(custom)} sampling rule(s), {len(groups)} group(s)")


def _dashboards(run: AwsRun, region: str) -> None:
    entries = run.pages("cloudwatch", region, "ListDashboards", "DashboardEntries")
    for i, d in enumerate(entries):
        name = str(d.get("DashboardName"))
        body, panels = "", 0
        if i < MAX_DASHBOARD_BODIES:
            body = str(run.call("cloudwatch", region, "GetDashboard", DashboardName=name).get("DashboardBody") or "")
            try:
                panels = len(json.loads(body).get("widgets") or [])
            except (ValueError, AttributeError):
                panels = 0
        text = f"{name} {body}"
        run.ev("obs.dashboard", str(d.get("DashboardArn") or f"arn:aws:cloudwatch::{run.account}:dashboard/{name}"),
               {"tool": "cloudwatch", "title": name[:120], "panels": panels or (1 if not body else 0),
                "red": bool(RED_RATE.search(text) and RED_ERR.search(text) and RED_DUR.search(text)),
                "error_budget": bool(ERROR_BUDGET.search(text)), "dora": bool(DORA.search(text))},
               f"CloudWatch dashboard {name}")


def _anomaly(run: AwsRun, region: str) -> None:
    detectors = run.pages("cloudwatch", region, "DescribeAnomalyDetectors", "AnomalyDetectors")
    for d in detectors[:50]:
        metric = (d.get("SingleMetricAnomalyDetector") or {}).get("MetricName") or d.get("MetricName") or "metric"
        run.ev("obs.anomaly", run.arn("cloudwatch", region, f"anomaly-detector/{metric}"),
               {"mechanism": "cloudwatch-anomaly-detection"}, f"anomaly detector on {metric} ({region})")


def _slos(run: AwsRun, region: str) -> None:
    slos = run.pages("application-signals", region, "ListServiceLevelObjectives", "SloSummaries")
    for s in slos:
        run.ev("obs.slo", str(s.get("Arn")), {"spec": "application-signals", "name": str(s.get("Name")),
                                              "service": str((s.get("KeyAttributes") or {}).get("Name") or ""),
                                              "objective": None}, f"Application Signals SLO {s.get('Name')}")
