"""AWS resources -> evidence attributes (pure functions; no I/O).

Shapes: the API/CloudFormation shape (`AlarmName`, `Metrics[].MetricStat.Metric.MetricName`, ...);
`*_from_terraform` adapters map a Terraform resource body onto it.
"""

from __future__ import annotations

from typing import Any

from wafops.collectors.translate.common import URL, _first, _s, runbook_in_text  # noqa: F401 (re-exported)


def window(seconds: Any) -> str | None:
    """A metric period as a window string (`300` -> `5m`, `3600` -> `1h`)."""
    try:
        n = int(seconds)
    except (TypeError, ValueError):
        return None
    if n <= 0:
        return None
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if n % size == 0:
            return f"{n // size}{unit}"
    return f"{n}s"


# ---- CloudWatch alarms (AWS::CloudWatch::Alarm, aws_cloudwatch_metric_alarm, DescribeAlarms MetricAlarms) ----

def cloudwatch_alarm(p: dict[str, Any], tags: dict[str, Any] | None = None) -> dict[str, Any]:
    """What an alert rule is made of: name, expression text, runbook link, actions, windows, anomaly band.

    `expr` joins namespace, metric names and metric-math expressions (what D-SYMPTOM classifies);
    `windows` are the distinct periods of a metric-math alarm's metrics (two or more make a
    multi-window burn-rate alarm when the expression is one)."""
    metrics = [m for m in (p.get("Metrics") or []) if isinstance(m, dict)]
    names, exprs, periods = [], [], []
    for m in metrics:
        stat = m.get("MetricStat") if isinstance(m.get("MetricStat"), dict) else {}
        metric = stat.get("Metric") if isinstance(stat.get("Metric"), dict) else {}
        if metric.get("MetricName"):
            names.append(_s(metric.get("MetricName")))
        if m.get("Expression"):
            exprs.append(_s(m.get("Expression")))
        w = window(stat.get("Period") or m.get("Period"))
        if w and w not in periods:
            periods.append(w)
    expr = " ".join(x for x in [_s(p.get("Namespace")), _s(p.get("MetricName")), *names, *exprs] if x.strip())
    actions = [str(a) for a in (p.get("AlarmActions") or []) if a]
    anomaly = bool(p.get("ThresholdMetricId")) or any("ANOMALY_DETECTION_BAND" in e for e in exprs)
    tags = tags or {}
    return {
        "origin": "cloudwatch",
        "name": _s(p.get("AlarmName")),
        "expr": expr,
        "severity": _s(tags.get("severity") or tags.get("Severity")),
        "runbook": runbook_in_text(_s(p.get("AlarmDescription"))),
        "notifies": bool(actions) or bool(p.get("AlarmActions")),
        "paging_hint": " ".join(actions) if actions else _s(p.get("AlarmActions")),
        "windows": periods if len(periods) >= 2 and exprs else [],
        "anomaly": anomaly,
        "actions": actions,
    }


def cloudwatch_composite_alarm(p: dict[str, Any], tags: dict[str, Any] | None = None) -> dict[str, Any]:
    """AWS::CloudWatch::CompositeAlarm / aws_cloudwatch_composite_alarm / DescribeAlarms CompositeAlarms."""
    actions = [str(a) for a in (p.get("AlarmActions") or []) if a]
    tags = tags or {}
    return {
        "origin": "cloudwatch",
        "name": _s(p.get("AlarmName")),
        "expr": _s(p.get("AlarmRule")),
        "severity": _s(tags.get("severity") or tags.get("Severity")),
        "runbook": runbook_in_text(_s(p.get("AlarmDescription"))),
        "notifies": bool(actions) or bool(p.get("AlarmActions")),
        "paging_hint": " ".join(actions) if actions else _s(p.get("AlarmActions")),
        "windows": [],
        "anomaly": False,
        "actions": actions,
    }


def metric_alarm_from_terraform(b: dict[str, Any]) -> dict[str, Any]:
    """aws_cloudwatch_metric_alarm body -> the API shape."""
    metrics = []
    for q in b.get("metric_query") or []:
        if not isinstance(q, dict):
            continue
        m = _first(q.get("metric"))
        item: dict[str, Any] = {"Id": q.get("id"), "Expression": q.get("expression")}
        if isinstance(m, dict):
            item["MetricStat"] = {"Metric": {"MetricName": m.get("metric_name"), "Namespace": m.get("namespace")},
                                  "Period": m.get("period")}
        metrics.append(item)
    return {"AlarmName": b.get("alarm_name"), "AlarmDescription": b.get("alarm_description"),
            "Namespace": b.get("namespace"), "MetricName": b.get("metric_name"), "Metrics": metrics,
            "AlarmActions": b.get("alarm_actions"), "ThresholdMetricId": b.get("threshold_metric_id")}


def composite_alarm_from_terraform(b: dict[str, Any]) -> dict[str, Any]:
    return {"AlarmName": b.get("alarm_name"), "AlarmDescription": b.get("alarm_description"),
            "AlarmRule": b.get("alarm_rule"), "AlarmActions": b.get("alarm_actions")}


# ---- SNS subscriptions (AWS::SNS::Subscription, aws_sns_topic_subscription, ListSubscriptions) ----------

def sns_subscription_receivers(protocol: Any, endpoint: Any) -> list[str]:
    """Receiver types an SNS subscription reaches (alert.routing `receivers`)."""
    endpoint, proto = _s(endpoint).lower(), _s(protocol).lower()
    if "pagerduty" in endpoint:
        return ["pagerduty"]
    if "opsgenie" in endpoint:
        return ["opsgenie"]
    if "victorops" in endpoint:
        return ["victorops"]
    if proto in ("email", "email-json"):
        return ["email"]
    if proto in ("https", "http", "lambda"):
        return ["webhook"]
    if proto == "sms":
        return ["sns"]
    return []


# ---- CloudWatch log groups (AWS::Logs::LogGroup, aws_cloudwatch_log_group, DescribeLogGroups) -------------

def log_group_retention(p: dict[str, Any]) -> int | None:
    """Retention in days; None means the logs never expire."""
    v = p.get("RetentionInDays", p.get("retention_in_days"))
    try:
        return int(v) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


# ---- deployments (ECS services, CodeDeploy deployment groups, Lambda aliases) -----------------------------

CODEDEPLOY_KINDS = {"TimeBasedCanary": "canary", "TimeBasedLinear": "linear", "AllAtOnce": "all-at-once"}


def codedeploy_config_kind(config_name: str) -> str | None:
    """The rollout kind a CodeDeploy deployment configuration name implies (predefined configurations)."""
    low = (config_name or "").lower()
    if "canary" in low:
        return "canary"
    if "linear" in low:
        return "linear"
    if "allatonce" in low:
        return "all-at-once"
    if "oneatatime" in low or "halfatatime" in low:
        return "rolling"
    return None


def ecs_service_strategy(p: dict[str, Any]) -> dict[str, Any] | None:
    """ECS service (DescribeServices / AWS::ECS::Service shape) -> deploy.strategy attributes, or None."""
    ctl = _s((p.get("deploymentController") or p.get("DeploymentController") or {}).get("type")
             or (p.get("deploymentController") or p.get("DeploymentController") or {}).get("Type"))
    cfg = p.get("deploymentConfiguration") or p.get("DeploymentConfiguration") or {}
    cb = cfg.get("deploymentCircuitBreaker") or cfg.get("DeploymentCircuitBreaker") or {}
    alarms = cfg.get("alarms") or cfg.get("Alarms") or {}
    cb_on = bool(cb.get("enable", cb.get("Enable")))
    cb_rb = cb_on and bool(cb.get("rollback", cb.get("Rollback")))
    al_on = bool(alarms.get("enable", alarms.get("Enable"))) and bool(alarms.get("alarmNames") or alarms.get("AlarmNames"))
    al_rb = al_on and bool(alarms.get("rollback", alarms.get("Rollback")))
    min_healthy = cfg.get("minimumHealthyPercent", cfg.get("MinimumHealthyPercent"))
    if ctl == "CODE_DEPLOY":
        return {"tool": "ecs", "kind": "blue-green", "health_gate": True, "keeps_old": True}
    if ctl == "EXTERNAL":
        return None
    if cb_on or al_on:
        return {"tool": "ecs", "kind": "rolling", "analysis": al_on, "health_gate": True, "auto_rollback": cb_rb or al_rb}
    if min_healthy == 0:
        return {"tool": "ecs", "kind": "all-at-once"}
    return None
