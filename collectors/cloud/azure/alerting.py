"""Alerting: metric alerts, log search (scheduled query) alerts, activity-log and Service Health alerts,
smart detection, availability web tests, action groups and their receivers.

Each rule goes through the same translation as its Terraform equivalent (collectors/translate/azure.py)
and the same D-SYMPTOM/D-ALERT classification (`translate.alerting.rule_attributes`), so a live rule and an
`azurerm_monitor_*` block are the same `alert.rule`.
"""

from __future__ import annotations

from typing import Any

from wafops.collectors.cloud.azure.common import ALERT_PROBES, Sub, props
from wafops.collectors.translate import azure as tr
from wafops.collectors.translate.alerting import rule_attributes
from wafops.scanner.core.model import Strength
from wafops.scanner.core.vocabulary import redact

CONTROLS = ALERT_PROBES


def _runbook(raw: str | None) -> tuple[str | None, str | None, bool | None]:
    """A link outside any repository: kept, but whether it resolves cannot be checked here."""
    if not raw:
        return None, None, None
    return redact(raw, 300), None, None


def _emit_rule(sub: Sub, item: dict[str, Any], a: dict[str, Any], what: str) -> None:
    # a disabled rule stays an alert rule, one that notifies nobody (as `enabled = false` in Terraform)
    attrs = rule_attributes(origin=a["origin"], name=a["name"] or str(item.get("name") or ""), expr=a["expr"],
                            severity=a["severity"], notifies=a["notifies"], paging_hint=a["paging_hint"],
                            extra_windows=a["windows"], runbook=_runbook(a["runbook"]), labels=a["labels"])
    attrs["kind"] = what
    sub.ev("alert.rule", str(item.get("id") or ""), attrs,
           summary=f"{what} '{attrs['name'][:80]}' ({attrs['signal']}{', paging' if attrs['paging'] else ''})")
    if a.get("anomaly"):
        sub.ev("obs.anomaly", str(item.get("id") or ""), {"mechanism": "azure-dynamic-thresholds"},
               summary=f"dynamic-threshold metric alert {attrs['name'][:80]}")


def collect(sub: Sub) -> None:
    base = sub.scope + "/providers/Microsoft.Insights"
    for item in sub.list("metric alerts", f"{base}/metricAlerts", "metricAlerts", CONTROLS) or []:
        _emit_rule(sub, item, tr.metric_alert(props(item), str(item.get("name") or "")), "metric alert")
    for item in sub.list("log search alerts", f"{base}/scheduledQueryRules", "scheduledQueryRules", CONTROLS) or []:
        _emit_rule(sub, item, tr.scheduled_query_rule(props(item), str(item.get("name") or "")), "log search alert")
    for item in sub.list("activity log alerts", f"{base}/activityLogAlerts", "activityLogAlerts", CONTROLS) or []:
        p = props(item)
        kind = "service health alert" if tr.is_service_health_alert(p) else "activity log alert"
        _emit_rule(sub, item, tr.activity_log_alert(p, str(item.get("name") or "")), kind)
        if kind == "service health alert" and p.get("enabled", True) is not False:
            sub.ev("doc.incident_tooling", str(item.get("id") or ""), {"tool": "azure-service-health"}, strength=Strength.WEAK,
                   summary=f"Service Health alert {item.get('name')}")
    for item in sub.list("action groups", f"{base}/actionGroups", "actionGroups", CONTROLS) or []:
        receivers = tr.action_group_receivers(props(item))
        runbooks = [r for r in props(item).get("automationRunbookReceivers") or [] if isinstance(r, dict)]
        if runbooks and props(item).get("enabled", True) is not False:
            # an alert that starts an Automation runbook: a remediation step runs without a person
            sub.ev("doc.automation", str(item.get("id") or ""),
                   {"tool": "azure-automation", "via": "action-group", "runbooks": len(runbooks),
                    "names": sorted(str(r.get("runbookName") or r.get("name")) for r in runbooks)[:20]},
                   strength=Strength.STRONG, summary=f"action group {item.get('name')} starts {len(runbooks)} runbook(s)")
        if not receivers:
            continue
        paging = bool(set(receivers) & {"pagerduty", "opsgenie", "victorops", "incident-manager"})
        sub.ev("alert.routing", str(item.get("id") or ""),
               {"receivers": receivers, "paging": paging, "group_by": False, "inhibit": False, "name": item.get("name")},
               summary=f"action group {item.get('name')} -> {', '.join(receivers)}")
    smart = sub.list("smart detection rules", sub.scope + "/providers/Microsoft.AlertsManagement/smartDetectorAlertRules",
                     "smartDetectorAlertRules", ("alert_anomaly", "obs_anomaly_detection"))
    for item in smart or []:
        if str(props(item).get("state", "Enabled")).lower() == "enabled":
            sub.ev("obs.anomaly", str(item.get("id") or ""), {"mechanism": "azure-smart-detection"},
                   summary=f"smart detection rule {item.get('name')}")
    for item in sub.list("availability tests", f"{base}/webtests", "webtests", ("alert_symptom_or_probe",)) or []:
        if props(item).get("Enabled", props(item).get("enabled", True)) is not False:
            sub.ev("alert.availability_probe", str(item.get("id") or ""), {"tool": "webtest", "name": item.get("name")},
                   summary=f"availability test {item.get('name')}")
