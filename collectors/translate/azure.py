"""Azure resources -> evidence attributes (pure functions; no I/O).

One translation per resource type, shared by the Terraform readers (azurerm_*) and the Azure collector
(the Resource Manager API). The canonical input is the API shape (`properties` of the resource as
Resource Manager returns it, camelCase); `*_from_terraform` adapters map an azurerm resource body onto
it, so `azurerm_monitor_metric_alert` and a metric alert read from the API become the same evidence.
"""

from __future__ import annotations

import re
from typing import Any

from wafops.collectors.translate.common import URL, _first, _s, runbook_in_text  # noqa: F401 (re-exported)

ISO_DURATION = re.compile(r"(?i)^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
KQL_WINDOW = re.compile(r"(?i)\bago\(\s*(\d+)\s*([smhd])\s*\)")
IAC_TAG_KEYS = re.compile(r"(?i)^(managed[-_ ]?by|managedby|iac|provisioner|provisioned[-_ ]?by|created[-_ ]?by|deployed[-_ ]?by|"
                          r"terraform|tf[-_]?workspace|tf[-_]?module|bicep|pulumi[-_:].*|hidden-link:.*arm-template)$")
IAC_TAG_VALUES = re.compile(r"(?i)\b(terraform|bicep|arm|pulumi|crossplane|opentofu|tofu|ansible|iac|azd)\b")






def _list(v: Any) -> list[Any]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _int(v: Any) -> int | None:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return None


def _float(v: Any) -> float | None:
    try:
        return float(str(v).strip())
    except (TypeError, ValueError):
        return None




def iso_window(value: Any) -> str | None:
    """An ISO 8601 duration as a window string: `PT5M` -> `5m`, `PT1H` -> `1h`, `P1D` -> `1d`."""
    m = ISO_DURATION.match(str(value or "").strip())
    if not m or not any(m.groups()):
        return None
    d, h, mi, sec = (int(x) if x else 0 for x in m.groups())
    seconds = d * 86400 + h * 3600 + mi * 60 + sec
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s" if seconds else None


def kql_windows(query: str) -> list[str]:
    """Look-back windows a log query names (`ago(1h)`, `ago(5m)`): two or more make a multi-window rule."""
    return sorted({f"{n}{u.lower()}" for n, u in KQL_WINDOW.findall(query or "")})


# Azure Monitor platform metrics: what users feel (symptom) or what a resource is short of (cause). The name
# decides for the metric alerts whose expression is only a metric name (D-SYMPTOM "by metric").
SYMPTOM_METRICS = re.compile(
    r"(?i)^(http5xx|httpresponsetime|averageresponsetime|responsetime|requests/failed|requests/duration|failedrequests|"
    r"servererrors|availability|availabilityresults/.*|successe2elatency|successserverlatency|totallatency|"
    r"backendresponselatency|percentage5xx|originhealthpercentage|backendhealthpercentage|unhealthyhostcount|"
    r"failedrequestscount|apimrequests|gatewayresponsecodes|http5xxpercentage)$")
CAUSE_METRICS = re.compile(
    r"(?i)^(percentage cpu|cpupercentage|cpu_percent|memorypercentage|memory_percent|available memory bytes|"
    r"dtu_consumption_percent|storage_percent|usedcapacity|disk .*|os disk .*|data disk .*|"
    r"node_cpu_usage_percentage|node_memory_working_set_percentage|node_disk_usage_percentage|deadlock|"
    r"serverload|usedmemorypercentage|cachemisses|throttledrequests|normalizedrucconsumption|connection_failed)$")


def metric_signal(metric_names: list[str]) -> str | None:
    """symptom/cause when every metric of a rule is a known Azure platform metric of one kind, else None."""
    names = [n.strip() for n in metric_names if n and n.strip()]
    if not names:
        return None
    if all(SYMPTOM_METRICS.match(n) for n in names):
        return "symptom"
    if all(CAUSE_METRICS.match(n) for n in names):
        return "cause"
    return None


def _severity(v: Any) -> str:
    sev = _int(v)
    return "critical" if sev == 0 else (str(sev) if sev is not None else "")


def _rule(name: str, expr: str, severity: Any, description: str, actions: list[str], enabled: Any,
          windows: list[str], anomaly: bool = False, signal: str | None = None) -> dict[str, Any]:
    on = enabled is not False and str(enabled).lower() != "false"
    return {
        "origin": "azure-monitor",
        "name": name,
        "expr": expr,
        "severity": _severity(severity),
        "runbook": runbook_in_text(description),
        "notifies": bool(actions) and on,
        "paging_hint": " ".join(actions),
        "windows": sorted(set(w for w in windows if w)),
        "anomaly": anomaly,
        "enabled": on,
        "actions": actions,
        "labels": {"signal": signal} if signal else {},  # the metric's known kind, as a team's own label would say
    }


# ---- metric alerts (Microsoft.Insights/metricAlerts, azurerm_monitor_metric_alert) --------------------------

def metric_alert(p: dict[str, Any], name: str = "") -> dict[str, Any]:
    """An alert rule's parts: name, expression text (metric names), severity, runbook, actions, windows."""
    crit = p.get("criteria") if isinstance(p.get("criteria"), dict) else {}
    items = [c for c in _list(crit.get("allOf")) if isinstance(c, dict)]
    expr = " ".join(_s(c.get("metricName") or c.get("metricNamespace")) for c in items)
    if "WebtestLocationAvailability" in _s(crit.get("odata.type")):
        expr = (expr + " availabilityResults").strip()
    dynamic = any("Dynamic" in _s(c.get("criterionType")) for c in items)
    actions = [_s(a.get("actionGroupId")) for a in _list(p.get("actions")) if isinstance(a, dict) and a.get("actionGroupId")]
    metrics = [_s(c.get("metricName")) for c in items]
    return _rule(name or _s(p.get("name")), expr, p.get("severity"), _s(p.get("description")), actions,
                 p.get("enabled", True), [iso_window(p.get("windowSize")) or ""], anomaly=dynamic,
                 signal=metric_signal(metrics) if all(metrics) else None)


def metric_alert_from_terraform(b: dict[str, Any]) -> dict[str, Any]:
    """azurerm_monitor_metric_alert body -> the API shape."""
    items = [{"criterionType": "StaticThresholdCriterion", "metricName": c.get("metric_name"),
              "metricNamespace": c.get("metric_namespace")} for c in _list(b.get("criteria")) if isinstance(c, dict)]
    items += [{"criterionType": "DynamicThresholdCriterion", "metricName": c.get("metric_name"),
               "metricNamespace": c.get("metric_namespace")} for c in _list(b.get("dynamic_criteria")) if isinstance(c, dict)]
    odata = "Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria"
    if b.get("application_insights_web_test_location_availability_criteria"):
        odata = "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria"
    return {"name": b.get("name"), "description": b.get("description"), "severity": b.get("severity", 3),
            "enabled": b.get("enabled", True), "windowSize": b.get("window_size"),
            "criteria": {"odata.type": odata, "allOf": items},
            "actions": [{"actionGroupId": _s(a.get("action_group_id"))} for a in _list(b.get("action")) if isinstance(a, dict)]}


# ---- log search alerts (Microsoft.Insights/scheduledQueryRules, azurerm_monitor_scheduled_query_rules_alert[_v2]) --

def scheduled_query_rule(p: dict[str, Any], name: str = "") -> dict[str, Any]:
    crit = p.get("criteria") if isinstance(p.get("criteria"), dict) else {}
    queries = [_s(c.get("query")) for c in _list(crit.get("allOf")) if isinstance(c, dict) and c.get("query")]
    expr = " ".join(queries)
    acts = p.get("actions") if isinstance(p.get("actions"), dict) else {}
    actions = [_s(a) for a in _list(acts.get("actionGroups")) if a]
    windows = kql_windows(expr) + [iso_window(p.get("windowSize")) or ""]
    return _rule(name or _s(p.get("displayName") or p.get("name")), expr, p.get("severity"), _s(p.get("description")),
                 actions, p.get("enabled", True), windows)


def scheduled_query_from_terraform(rtype: str, b: dict[str, Any]) -> dict[str, Any]:
    """azurerm_monitor_scheduled_query_rules_alert (v1) / _v2 body -> the API shape."""
    if rtype.endswith("_v2"):
        queries = [c.get("query") for c in _list(b.get("criteria")) if isinstance(c, dict)]
        groups = [g for a in _list(b.get("action")) if isinstance(a, dict) for g in _list(a.get("action_groups"))]
        window = b.get("window_duration")
    else:
        queries = [b.get("query")]
        groups = [g for a in _list(b.get("action")) if isinstance(a, dict) for g in _list(a.get("action_group"))]
        minutes = _int(b.get("time_window"))
        window = f"PT{minutes}M" if minutes else None
    return {"displayName": b.get("name"), "description": b.get("description"), "severity": b.get("severity", 3),
            "enabled": b.get("enabled", True), "windowSize": window,
            "criteria": {"allOf": [{"query": q} for q in queries if q]},
            "actions": {"actionGroups": [_s(g) for g in groups]}}


# ---- activity log alerts (Microsoft.Insights/activityLogAlerts, azurerm_monitor_activity_log_alert) --------

def activity_log_alert(p: dict[str, Any], name: str = "") -> dict[str, Any]:
    cond = p.get("condition") if isinstance(p.get("condition"), dict) else {}
    parts = []
    for c in _list(cond.get("allOf")):
        if isinstance(c, dict) and c.get("field"):
            value = c.get("equals") or ",".join(_s(x.get("equals")) for x in _list(c.get("anyOf")) if isinstance(x, dict))
            parts.append(f"{c.get('field')}={value}")
    acts = p.get("actions") if isinstance(p.get("actions"), dict) else {}
    actions = [_s(a.get("actionGroupId")) for a in _list(acts.get("actionGroups")) if isinstance(a, dict) and a.get("actionGroupId")]
    return _rule(name or _s(p.get("name")), " ".join(parts), None, _s(p.get("description")), actions,
                 p.get("enabled", True), [])


def activity_log_alert_from_terraform(b: dict[str, Any]) -> dict[str, Any]:
    crit = _first(b.get("criteria")) or {}
    crit = crit if isinstance(crit, dict) else {}
    fields = (("category", "category"), ("operation_name", "operationName"), ("resource_type", "resourceType"),
              ("level", "level"), ("status", "status"))
    cond = [{"field": api, "equals": crit.get(tf)} for tf, api in fields if crit.get(tf)]
    return {"name": b.get("name"), "description": b.get("description"), "enabled": b.get("enabled", True),
            "condition": {"allOf": cond},
            "actions": {"actionGroups": [{"actionGroupId": _s(a.get("action_group_id"))}
                                         for a in _list(b.get("action")) if isinstance(a, dict)]}}


def is_service_health_alert(p: dict[str, Any]) -> bool:
    cond = p.get("condition") if isinstance(p.get("condition"), dict) else {}
    return any(isinstance(c, dict) and str(c.get("field")).lower() == "category"
               and str(c.get("equals")).lower() in ("servicehealth", "resourcehealth") for c in _list(cond.get("allOf")))


# ---- action groups (Microsoft.Insights/actionGroups, azurerm_monitor_action_group) --------------------------

RECEIVER_KINDS = {"emailReceivers": "email", "webhookReceivers": "webhook", "smsReceivers": "sns",
                  "voiceReceivers": "pagerduty", "azureAppPushReceivers": "webhook", "logicAppReceivers": "webhook",
                  "azureFunctionReceivers": "webhook", "automationRunbookReceivers": "webhook", "itsmReceivers": "itsm",
                  "eventHubReceivers": "webhook", "armRoleReceivers": "email"}
TF_RECEIVERS = {"email_receiver": "emailReceivers", "webhook_receiver": "webhookReceivers", "sms_receiver": "smsReceivers",
                "voice_receiver": "voiceReceivers", "azure_app_push_receiver": "azureAppPushReceivers",
                "logic_app_receiver": "logicAppReceivers", "azure_function_receiver": "azureFunctionReceivers",
                "automation_runbook_receiver": "automationRunbookReceivers", "itsm_receiver": "itsmReceivers",
                "event_hub_receiver": "eventHubReceivers", "arm_role_receiver": "armRoleReceivers"}


def action_group_receivers(p: dict[str, Any], hint_text: str = "") -> list[str]:
    """Receiver types an action group reaches (alert.routing `receivers`); a disabled group reaches none.

    Pager services are recognised in the receivers' endpoints (a PagerDuty/Opsgenie webhook) or, for a
    Terraform body, anywhere in its text. Endpoints are only searched, never kept (they may hold keys)."""
    if p.get("enabled") is False:
        return []
    kinds = {v for k, v in RECEIVER_KINDS.items() if _list(p.get(k))}
    text = (hint_text + " " + " ".join(_s(r.get("serviceUri") or r.get("callbackUrl") or r.get("name"))
                                       for k in ("webhookReceivers", "logicAppReceivers", "azureFunctionReceivers")
                                       for r in _list(p.get(k)) if isinstance(r, dict))).lower()
    for vendor in ("pagerduty", "opsgenie", "victorops"):
        if vendor in text:
            kinds.add(vendor)
    return sorted(kinds)


def action_group_from_terraform(b: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"enabled": b.get("enabled", True)}
    for tf, api in TF_RECEIVERS.items():
        items = [r for r in _list(b.get(tf)) if isinstance(r, dict)]
        if items:
            out[api] = [{"name": r.get("name"), "serviceUri": r.get("service_uri") or r.get("callback_url")} for r in items]
    return out


# ---- observability ------------------------------------------------------------------------------------------

def diagnostic_setting(p: dict[str, Any]) -> dict[str, Any]:
    """A diagnostic setting: where logs/metrics go (central aggregation) - obs.log_shipper attributes."""
    logs = any(isinstance(x, dict) and x.get("enabled", True) for x in _list(p.get("logs")))
    metrics = any(isinstance(x, dict) and x.get("enabled", True) for x in _list(p.get("metrics")))
    dest = [k for k, key in (("log-analytics", "workspaceId"), ("event-hub", "eventHubAuthorizationRuleId"),
                             ("storage", "storageAccountId"), ("partner", "marketplacePartnerId")) if p.get(key)]
    return {"tool": "diagnostic-settings", "logs": logs, "metrics": metrics, "destinations": dest}


def diagnostic_setting_from_terraform(b: dict[str, Any]) -> dict[str, Any]:
    logs = [{"enabled": x.get("enabled", True)} for k in ("enabled_log", "log") for x in _list(b.get(k)) if isinstance(x, dict)]
    metrics = [{"enabled": x.get("enabled", True)} for k in ("metric", "enabled_metric") for x in _list(b.get(k)) if isinstance(x, dict)]
    return {"logs": logs or [{"enabled": True}], "metrics": metrics, "workspaceId": b.get("log_analytics_workspace_id"),
            "eventHubAuthorizationRuleId": b.get("eventhub_authorization_rule_id"),
            "storageAccountId": b.get("storage_account_id")}


def workspace_retention(p: dict[str, Any]) -> int:
    """Log Analytics workspace retention in days (the service default is 30)."""
    days = _int(p.get("retentionInDays"))
    return days if days is not None else 30


def app_insights(p: dict[str, Any]) -> dict[str, Any]:
    """Application Insights component: workspace-based, sampling below 100 %, retention."""
    pct = _float(p.get("SamplingPercentage") if "SamplingPercentage" in p else p.get("samplingPercentage"))
    return {"workspace_based": bool(p.get("WorkspaceResourceId") or p.get("workspaceResourceId")),
            "sampling": pct is not None and pct < 100, "sampling_percentage": pct,
            "retention_days": _int(p.get("RetentionInDays") if "RetentionInDays" in p else p.get("retentionInDays"))}


def app_insights_from_terraform(b: dict[str, Any]) -> dict[str, Any]:
    return {"SamplingPercentage": b.get("sampling_percentage"), "WorkspaceResourceId": b.get("workspace_id"),
            "RetentionInDays": b.get("retention_in_days")}


# ---- safe deployment ----------------------------------------------------------------------------------------

def slot_strategy(slot: dict[str, Any], site_config: dict[str, Any] | None = None) -> dict[str, Any]:
    """An App Service deployment slot: blue-green (swap and swap back); traffic routing makes it a canary."""
    cfg = site_config or {}
    health = bool(cfg.get("healthCheckPath"))
    ramp = [r for r in _list((cfg.get("experiments") or {}).get("rampUpRules")) if isinstance(r, dict)]
    kind = "canary" if any((_float(r.get("reroutePercentage")) or 0) > 0 for r in ramp) else "blue-green"
    auto = any(r.get("changeIntervalInMinutes") and r.get("maxReroutePercentage") for r in ramp)
    return {"tool": "app-service-slots", "kind": kind, "analysis": False, "health_gate": health, "auto_rollback": False,
            "manual_pause": False, "keeps_old": True, "name": _s(slot.get("name")), "ramp_up": auto}


def slot_from_terraform(rname: str, b: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    sc = _first(b.get("site_config"))
    return {"name": rname}, {"healthCheckPath": sc.get("health_check_path") if isinstance(sc, dict) else None}


def container_app_strategy(p: dict[str, Any], name: str = "") -> dict[str, Any] | None:
    """A Container App with several active revisions and weighted traffic: a canary."""
    cfg = p.get("configuration") if isinstance(p.get("configuration"), dict) else {}
    ingress = cfg.get("ingress") if isinstance(cfg.get("ingress"), dict) else {}
    traffic = [t for t in _list(ingress.get("traffic")) if isinstance(t, dict)]
    if str(cfg.get("activeRevisionsMode") or "").lower() == "multiple" and len(traffic) >= 2:
        return {"tool": "container-apps", "kind": "canary", "analysis": False, "health_gate": False, "auto_rollback": False,
                "manual_pause": False, "keeps_old": True, "name": name or _s(p.get("name"))}
    return None


def container_app_from_terraform(b: dict[str, Any]) -> dict[str, Any]:
    ingress = _first(b.get("ingress"))
    tw = [t for t in _list(ingress.get("traffic_weight")) if isinstance(t, dict)] if isinstance(ingress, dict) else []
    mode = b.get("revision_mode")
    return {"configuration": {"activeRevisionsMode": _s(_first(mode)) if mode is not None else "",
                              "ingress": {"traffic": [{"weight": t.get("percentage")} for t in tw]}}}


def weighted_routing(rtype: str, p: dict[str, Any]) -> bool:
    """Traffic shifted by weight between versions: Traffic Manager `Weighted` routing over >= 2 enabled endpoints
    with different weights; a Front Door origin group (or classic backend pool) whose enabled origins of the
    first priority carry different weights."""
    if rtype.lower() == "microsoft.network/trafficmanagerprofiles":
        eps = [e.get("properties") or e for e in _list(p.get("endpoints")) if isinstance(e, dict)]
        eps = [e for e in eps if str(e.get("endpointStatus", "Enabled")).lower() == "enabled"]
        return str(p.get("trafficRoutingMethod")).lower() == "weighted" and len({_int(e.get("weight")) for e in eps}) >= 2
    origins = [o.get("properties") or o for o in _list(p.get("origins") or p.get("backends")) if isinstance(o, dict)]
    origins = [o for o in origins if str(o.get("enabledState", "Enabled")).lower() == "enabled"]
    if len(origins) < 2:
        return False
    first = min(_int(o.get("priority")) or 1 for o in origins)
    weights = {_int(o.get("weight")) or 50 for o in origins if (_int(o.get("priority")) or 1) == first}
    return len(weights) >= 2


# ---- IaC, guardrails, policy --------------------------------------------------------------------------------

def lock_facts(p: dict[str, Any]) -> dict[str, Any]:
    """A management lock as `iac.resource` facts (the guardrail probes read `lock_level` ReadOnly)."""
    level = _s(p.get("level") or p.get("lock_level"))
    return {"lock_level": {"readonly": "ReadOnly", "cannotdelete": "CanNotDelete"}.get(level.lower(), level)}


def policy_assignment(p: dict[str, Any]) -> dict[str, Any]:
    """A policy assignment: continuous compliance (drift.tool azure-policy); enforced unless DoNotEnforce."""
    mode = _s(p.get("enforcementMode") or "Default")
    return {"tool": "azure-policy", "automated_remediation": False, "schedule": "continuous",
            "enforce": mode.lower() != "donotenforce"}


def policy_remediation(p: dict[str, Any]) -> dict[str, Any]:
    """A remediation task (Microsoft.PolicyInsights/remediations): known drift fixed by the platform."""
    return {"tool": "azure-policy", "automated_remediation": True, "schedule": "continuous",
            "state": _s(p.get("provisioningState")) or None}


def iac_owned(tags: dict[str, Any] | None) -> str | None:
    """The IaC tool a resource's tags name as its owner (`managed-by: terraform`, `azd-env-name`), or None."""
    for k, v in (tags or {}).items():
        key = str(k)
        if key.lower().startswith("azd-"):
            return "azd"
        if IAC_TAG_KEYS.match(key):
            m = IAC_TAG_VALUES.search(str(v))
            if m:
                return m.group(1).lower()
            if key.lower() in ("terraform", "bicep") and str(v).lower() in ("true", "yes", "1"):
                return key.lower()
    return None
