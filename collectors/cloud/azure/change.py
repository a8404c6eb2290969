"""Change: the activity log over a window (default 30 days, option `azure_activity_days`): successful
writes and deletes, and how many were made by people (a user principal) and through the portal, rather
than by pipelines (service principals, managed identities). Only counts are kept, never callers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from wafops.collectors.cloud.azure.common import Sub
from wafops.scanner.core.model import Strength

PORTAL_APP_IDS = {"c44b4083-3bb0-49c1-b47d-974e53cbdf3c"}  # the Azure portal's application id
CONTROLS = ("none",)  # informational: no probe reads cloud.changes yet


def collect(sub: Sub) -> None:
    days = int(sub.ctx.options.get("azure_activity_days") or 30)
    start = (sub.ctx.now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = sub.ctx.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    flt = f"eventTimestamp ge '{start}' and eventTimestamp le '{end}'"
    select = "operationName,status,caller,claims,eventTimestamp,resourceId"
    limit = int(sub.ctx.options.get("azure_max_activity_events") or 20000)
    events = sub.list("activity log", sub.scope + "/providers/Microsoft.Insights/eventtypes/management/values",
                      "activityLog", CONTROLS, params={"$filter": flt, "$select": select}, limit=limit)
    if events is None:
        return
    writes = [e for e in events if _is_write(e)]
    people = [e for e in writes if _by_person(e)]
    portal = [e for e in people if _via_portal(e)]
    sub.ev("cloud.changes", sub.scope,
           {"window_days": days, "events": len(events), "writes": len(writes), "by_people": len(people),
            "via_portal": len(portal), "by_automation": len(writes) - len(people),
            "people_share": round(len(people) / len(writes), 3) if writes else None,
            "complete": len(events) < limit},
           strength=Strength.STRONG,
           summary=f"{len(writes)} writes in {days} days: {len(people)} by people ({len(portal)} through the portal)")


def _value(v: Any) -> str:
    return str(v.get("value") if isinstance(v, dict) else v or "")


def _is_write(e: dict[str, Any]) -> bool:
    op = _value(e.get("operationName")).lower()
    return op.endswith(("/write", "/delete")) and _value(e.get("status")).lower() == "succeeded"


def _by_person(e: dict[str, Any]) -> bool:
    return "@" in str(e.get("caller") or "")


def _via_portal(e: dict[str, Any]) -> bool:
    claims = e.get("claims") if isinstance(e.get("claims"), dict) else {}
    return str(claims.get("appid") or "").lower() in PORTAL_APP_IDS
