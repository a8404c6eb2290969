"""Terraform alarms, monitors and alert policies of eight providers (AWS CloudWatch, Azure Monitor, Google Cloud
Monitoring, Datadog, Grafana, New Relic), each read into the same `alert.rule` attributes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from wafops.collectors.repo.alerting.record import rule, runbook_of
from wafops.collectors.repo.alerting.state import AlertRun
from wafops.collectors.repo.observability_files import TfResource, first, s
from wafops.collectors.translate import aws as translate_aws
from wafops.collectors.translate import azure as translate_azure
from wafops.collectors.translate.alerting import window_seconds
from wafops.collectors.translate.common import runbook_in_text


def tf_alarm(run: AlertRun, r: TfResource) -> None:
    """One alarm resource, through the reader of its provider."""
    origin, read = TF_ALARMS[r.type]
    read(run, r, origin)


def _cloudwatch(run: AlertRun, r: TfResource, origin: str) -> None:
    b, t = r.body, r.type
    tags = b.get("tags") if isinstance(b.get("tags"), dict) else {}
    a = (translate_aws.cloudwatch_alarm(translate_aws.metric_alarm_from_terraform(b), tags)
         if t == "aws_cloudwatch_metric_alarm" else
         translate_aws.cloudwatch_composite_alarm(translate_aws.composite_alarm_from_terraform(b), tags))
    rule(run, r.path, origin=origin, name=a["name"] or r.name, expr=a["expr"], severity=a["severity"],
         runbook=a["runbook"], notifies=a["notifies"], paging_hint=a["paging_hint"],
         extra_windows=a["windows"], line=r.line, key=(t, r.name))


def _azure_prometheus_group(run: AlertRun, r: TfResource, origin: str) -> None:
    b = r.body
    for i, item in enumerate(b.get("rule") or []):
        if isinstance(item, dict) and item.get("alert"):
            ann = item.get("annotations") if isinstance(item.get("annotations"), dict) else {}
            rule(run, r.path, origin=origin, name=s(item.get("alert")), expr=s(item.get("expression")),
                 severity=translate_azure._severity(item.get("severity")),  # Azure's 0-4, as read from Azure
                 runbook=runbook_of(ann), notifies=bool(item.get("action") or b.get("action")),
                 line=r.line, key=(r.type, r.name, i))


def _azure_monitor(run: AlertRun, r: TfResource, origin: str) -> None:
    # the same translation as a rule read from Azure Resource Manager (collectors/translate/azure.py)
    a = _azure_rule(r.type, r.body)
    if a is not None:
        rule(run, r.path, origin=origin, name=a["name"] or r.name, expr=a["expr"], severity=a["severity"],
             runbook=a["runbook"], notifies=a["notifies"], paging_hint=a["paging_hint"],
             extra_windows=a["windows"], labels=a["labels"], line=r.line, key=(r.type, r.name))


def _azure_rule(rtype: str, b: dict[str, Any]) -> dict[str, Any] | None:
    """An azurerm_monitor_* alert body through the Azure translation (None: not an alert rule it knows)."""
    az = translate_azure
    if rtype == "azurerm_monitor_metric_alert":
        return az.metric_alert(az.metric_alert_from_terraform(b))
    if rtype.startswith("azurerm_monitor_scheduled_query_rules_alert"):
        return az.scheduled_query_rule(az.scheduled_query_from_terraform(rtype, b))
    if rtype == "azurerm_monitor_activity_log_alert":
        return az.activity_log_alert(az.activity_log_alert_from_terraform(b))
    return None


def _google(run: AlertRun, r: TfResource, origin: str) -> None:
    b = r.body
    parts = []
    for c in b.get("conditions") or []:
        if not isinstance(c, dict):
            continue
        for key in ("condition_threshold", "condition_prometheus_query_language", "condition_monitoring_query_language",
                    "condition_absent", "condition_matched_log"):
            body = first(c.get(key))
            if isinstance(body, dict):
                parts.append(s(body.get("filter") or body.get("query")))
        parts.append(s(c.get("display_name")))
    doc = first(b.get("documentation"))
    content = s(doc.get("content")) if isinstance(doc, dict) else ""
    links = " ".join(s((first(x) or {}).get("url")) for x in [doc.get("links")] if isinstance(doc, dict) and x) if isinstance(doc, dict) else ""
    rule(run, r.path, origin=origin, name=s(b.get("display_name")) or r.name, expr=" ".join(parts),
         severity=s(b.get("severity")), runbook=runbook_in_text(content + " " + links),
         notifies=bool(b.get("notification_channels")), paging_hint=s(b.get("notification_channels")),
         line=r.line, key=(r.type, r.name))


def _datadog(run: AlertRun, r: TfResource, origin: str) -> None:
    b = r.body
    msg = s(b.get("message"))
    mtype = s(b.get("type"))
    query = s(b.get("query"))
    handles = " ".join(re.findall(r"@[\w.\-]+", msg))
    tags = " ".join(s(x) for x in (b.get("tags") or []) if not isinstance(x, (dict, list)))
    tag_sev = re.search(r"(?i)(?:^|\s)(?:severity|sev|priority|urgency):([\w-]+)", tags)
    # the notification target is often a variable (`${var.alert_notification}`): still someone is notified
    via_var = bool(re.search(r"\$\{\s*(var|local)\.[\w.]*(notif|alert|recipient|handle|channel)", msg))
    notifies = bool(handles) or via_var
    rule(run, r.path, origin=origin, name=s(b.get("name")) or r.name, expr=query,
         severity="critical" if s(b.get("priority")) in ("1",) else (tag_sev.group(1) if tag_sev else ""),
         runbook=runbook_in_text(msg), notifies=notifies, paging_hint=handles, line=r.line,
         force_burn=mtype == "slo alert" and "error_budget(" not in query or "burn_rate(" in query,
         extra_windows=datadog_burn_windows(query), target_unknown=via_var, key=(r.type, r.name))


def datadog_burn_windows(query: str) -> list[str]:
    """Windows of a Datadog SLO burn-rate monitor: `burn_rate("id").over("30d").long_window("1h").short_window("5m")`.

    Datadog always evaluates a burn-rate alert over a long and a short window (the short one defaults to
    1/12 of the long one), so such a monitor is multi-window by construction even when only one is written."""
    if "burn_rate(" not in query:
        return []
    long_w = re.search(r"long_window\(\s*\\?[\"']?(\d+[smhd])", query)
    short_w = re.search(r"short_window\(\s*\\?[\"']?(\d+[smhd])", query)
    windows = [m.group(1) for m in (long_w, short_w) if m]
    if long_w and not short_w:
        secs = window_seconds(long_w.group(1)) // 12
        windows.append(f"{secs // 60}m" if secs >= 60 else f"{secs}s")
    return windows


def _grafana(run: AlertRun, r: TfResource, origin: str) -> None:
    for i, item in enumerate(r.body.get("rule") or []):
        if not isinstance(item, dict):
            continue
        labels = item.get("labels") if isinstance(item.get("labels"), dict) else {}
        ann = item.get("annotations") if isinstance(item.get("annotations"), dict) else {}
        models = " ".join(s(d.get("model")) for d in (item.get("data") or []) if isinstance(d, dict))
        rule(run, r.path, origin=origin, name=s(item.get("name")) or f"{r.name}[{i}]", expr=models,
             severity=s(labels.get("severity")), runbook=runbook_of(ann), notifies=True,
             line=r.line, key=(r.type, r.name, i))


def _newrelic(run: AlertRun, r: TfResource, origin: str) -> None:
    b = r.body
    nrql = first(b.get("nrql"))
    expr = " ".join(x for x in [s(b.get("metric")), s(nrql.get("query")) if isinstance(nrql, dict) else ""] if x)
    # NRQL conditions have a `critical {}` block; the older APM conditions a `term { priority = "critical" }`
    critical = bool(b.get("critical")) or any(isinstance(t_, dict) and s(t_.get("priority")).lower() == "critical"
                                              for t_ in (b.get("term") or []))
    rule(run, r.path, origin=origin, name=s(b.get("name")) or r.name, expr=expr,
         severity="critical" if critical else "", runbook=s(b.get("runbook_url")) or None,
         notifies=True, line=r.line, key=(r.type, r.name))


_Reader = Callable[[AlertRun, TfResource, str], None]
# resource type -> (origin, reader of its provider)
TF_ALARMS: dict[str, tuple[str, _Reader]] = {
    "aws_cloudwatch_metric_alarm": ("cloudwatch", _cloudwatch),
    "aws_cloudwatch_composite_alarm": ("cloudwatch", _cloudwatch),
    "azurerm_monitor_metric_alert": ("azure-monitor", _azure_monitor),
    "azurerm_monitor_scheduled_query_rules_alert": ("azure-monitor", _azure_monitor),
    "azurerm_monitor_scheduled_query_rules_alert_v2": ("azure-monitor", _azure_monitor),
    "azurerm_monitor_activity_log_alert": ("azure-monitor", _azure_monitor),
    "azurerm_monitor_alert_prometheus_rule_group": ("azure-monitor", _azure_prometheus_group),
    "google_monitoring_alert_policy": ("google", _google), "datadog_monitor": ("datadog", _datadog),
    "grafana_rule_group": ("grafana", _grafana),
    "newrelic_alert_condition": ("newrelic", _newrelic), "newrelic_nrql_alert_condition": ("newrelic", _newrelic),
}
