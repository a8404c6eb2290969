"""Observability: Log Analytics workspaces and their retention, diagnostic settings (central aggregation),
Application Insights components (workspace-based, sampling), workbooks and portal dashboards.

Diagnostic settings are per resource: they are read for the resource types that emit platform logs,
at most `azure_max_diagnostics` resources (default 500, spread over types: a sample, flagged `sampled`), with the collector's
concurrency; the subscription's own activity-log export is read too.
"""

from __future__ import annotations

import json
from typing import Any

from wafops.collectors.cloud.azure.client import ArmError
from wafops.collectors.cloud.azure.common import API, DASHBOARD_PROBES, OBS_PROBES, Sub, props
from wafops.collectors.translate import azure as tr
from wafops.collectors.translate.signals import DORA, ERROR_BUDGET, RED_DUR, RED_ERR, RED_RATE
from wafops.scanner.core.model import Strength

CONTROLS = OBS_PROBES
# resource types whose platform logs matter for operations (diagnostic settings are read for these)
DIAG_TYPES = {
    "microsoft.web/sites", "microsoft.app/containerapps", "microsoft.containerservice/managedclusters",
    "microsoft.sql/servers/databases", "microsoft.keyvault/vaults", "microsoft.network/applicationgateways",
    "microsoft.network/frontdoors", "microsoft.cdn/profiles", "microsoft.apimanagement/service",
    "microsoft.storage/storageaccounts", "microsoft.documentdb/databaseaccounts", "microsoft.servicebus/namespaces",
    "microsoft.eventhub/namespaces", "microsoft.logic/workflows", "microsoft.dbforpostgresql/flexibleservers",
    "microsoft.dbformysql/flexibleservers", "microsoft.cache/redis", "microsoft.network/azurefirewalls",
}


def collect(sub: Sub) -> None:
    workspaces = sub.list("Log Analytics workspaces", sub.scope + "/providers/Microsoft.OperationalInsights/workspaces",
                          "workspaces", CONTROLS)
    for w in workspaces or []:
        days = tr.workspace_retention(props(w))
        wid = str(w.get("id") or "")
        sub.ev("obs.log_retention", wid, {"tool": "azure", "resource": "Microsoft.OperationalInsights/workspaces",
                                          "name": w.get("name"), "days": days},
               summary=f"workspace {w.get('name')}: retention {days} days")
        sub.ev("obs.platform", wid, {"tool": "azure-monitor", "signals": ["logs", "metrics"]},
               summary=f"Log Analytics workspace {w.get('name')}")
    components = sub.list("Application Insights components", sub.scope + "/providers/Microsoft.Insights/components",
                          "components", CONTROLS)
    for c in components or []:
        a = tr.app_insights(props(c))
        cid = str(c.get("id") or "")
        sub.ev("obs.platform", cid, {"tool": "application-insights", "signals": ["traces", "metrics", "logs"],
                                     "workspace_based": a["workspace_based"]},
               summary=f"Application Insights {c.get('name')}" + (" (workspace-based)" if a["workspace_based"] else ""))
        if a["sampling"]:
            sub.ev("obs.sampling", cid, {"mechanism": "application-insights-sampling",
                                         "percentage": a["sampling_percentage"]},
                   summary=f"Application Insights {c.get('name')} samples {a['sampling_percentage']} %")
        if a["retention_days"] is not None and not a["workspace_based"]:
            sub.ev("obs.log_retention", cid, {"tool": "azure", "resource": "Microsoft.Insights/components",
                                              "name": c.get("name"), "days": a["retention_days"]})
    _diagnostics(sub)
    _dashboards(sub)


def _shipper(sub: Sub, rid: str, setting: dict[str, Any]) -> bool:
    d = tr.diagnostic_setting(props(setting))
    if not d["destinations"]:
        return False
    sub.ev("obs.log_shipper", rid, {**d, "name": setting.get("name")},
           summary=f"diagnostic setting {setting.get('name')} -> {', '.join(d['destinations'])}")
    return True


def _diagnostics(sub: Sub) -> None:
    try:
        sub_settings = list(sub.arm.pages(sub.scope + "/providers/Microsoft.Insights/diagnosticSettings",
                                          API["diagnosticSettings"]))
    except ArmError as err:
        sub.unreadable("activity log export (subscription diagnostic settings)", err, CONTROLS)
        sub_settings = []
    for s in sub_settings:
        _shipper(sub, str(s.get("id") or sub.scope), s)
    limit = int(sub.ctx.options.get("azure_max_diagnostics") or 500)
    cands = [r for r in sub.resources if str(r.get("type", "")).lower() in DIAG_TYPES]
    chosen = _spread(cands, limit)
    errors: list[ArmError] = []

    def read(r: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        rid = str(r.get("id"))
        try:
            return rid, list(sub.arm.pages(rid + "/providers/Microsoft.Insights/diagnosticSettings", API["diagnosticSettings"]))
        except ArmError as err:
            errors.append(err)
            return rid, []

    covered = 0
    for rid, settings in sub.map(read, chosen):
        shipped = [s for s in settings if _shipper(sub, rid, s)]
        covered += bool(shipped)
    if errors:
        sub.unreadable(f"diagnostic settings of {len(errors)} of {len(chosen)} resource(s)", errors[0], CONTROLS)
    if chosen:
        sub.ev("obs.diagnostics_coverage", sub.scope,
               {"resources": len(cands), "read": len(chosen) - len(errors), "covered": covered,
                "ratio": round(covered / max(len(chosen) - len(errors), 1), 3), "sampled": len(chosen) < len(cands)},
               strength=Strength.STRONG,
               summary=f"{covered} of {len(chosen) - len(errors)} resources send platform logs through diagnostic settings")


def _spread(items: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most `limit` items, taken round-robin over resource types (so no type is left out)."""
    if len(items) <= limit:
        return items
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in items:
        by_type.setdefault(str(r.get("type", "")).lower(), []).append(r)
    out: list[dict[str, Any]] = []
    queues = [list(v) for _, v in sorted(by_type.items())]
    while len(out) < limit and any(queues):
        for q in queues:
            if q and len(out) < limit:
                out.append(q.pop(0))
    return out


def _dashboards(sub: Sub) -> None:
    books = sub.list("workbooks", sub.scope + "/providers/Microsoft.Insights/workbooks", "workbooks", DASHBOARD_PROBES,
                     params={"category": "workbook", "canFetchContent": "true"})
    for b in books or []:
        p = props(b)
        text = str(p.get("serializedData") or "")
        try:
            items = json.loads(text).get("items") if text else []
        except (ValueError, AttributeError):
            items = []
        _dash(sub, str(b.get("id") or ""), str(p.get("displayName") or b.get("name")), len(items or []), text)
    boards = sub.list("portal dashboards", sub.scope + "/providers/Microsoft.Portal/dashboards", "dashboards",
                      DASHBOARD_PROBES)
    for d in boards or []:
        p = props(d)
        lenses = p.get("lenses")
        lens_list = list(lenses.values()) if isinstance(lenses, dict) else (lenses or [])
        parts = sum(len(x.get("parts") or []) for x in lens_list if isinstance(x, dict))
        title = str((d.get("tags") or {}).get("hidden-title") or d.get("name"))
        _dash(sub, str(d.get("id") or ""), title, parts, json.dumps(p)[:200_000])


def _dash(sub: Sub, rid: str, title: str, panels: int, text: str) -> None:
    red = bool(RED_RATE.search(text) and RED_ERR.search(text) and RED_DUR.search(text))
    sub.ev("obs.dashboard", rid, {"tool": "azure", "title": title[:120], "panels": panels, "red": red,
                                  "error_budget": bool(ERROR_BUDGET.search(text + " " + title)),
                                  "dora": bool(DORA.search(text + " " + title))},
           summary=f"Azure dashboard '{title[:80]}' ({panels} panels)")
