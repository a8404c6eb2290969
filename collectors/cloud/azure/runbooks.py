"""Runbooks and incidents: Automation accounts, their published runbooks and recent jobs (executable
runbooks, `doc.automation` like `azurerm_automation_runbook`). Service Health alerts are read with the
activity-log alerts (alerting.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from wafops.collectors.cloud.azure.client import ArmError
from wafops.collectors.cloud.azure.common import API, RUNBOOK_PROBES, Sub, props
from wafops.scanner.core.model import Strength

CONTROLS = RUNBOOK_PROBES


def collect(sub: Sub) -> None:
    accounts = sub.list("Automation accounts", sub.scope + "/providers/Microsoft.Automation/automationAccounts",
                        "automationAccounts", CONTROLS)
    if not accounts:
        return
    since = (sub.ctx.now - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    errors: list[ArmError] = []

    def read(acct: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        aid = str(acct.get("id"))
        try:
            books = list(sub.arm.pages(aid + "/runbooks", API["automationAccounts"]))
            jobs = list(sub.arm.pages(aid + "/jobs", API["automationAccounts"],
                                      {"$filter": f"properties/startTime ge {since}"}, limit=500)) if books else []
        except ArmError as err:
            errors.append(err)
            return acct, [], []
        return acct, books, jobs

    for acct, books, jobs in sub.map(read, accounts):
        published = [b for b in books if str(props(b).get("state", "")).lower() == "published"]
        if not published:
            continue
        ok = [j for j in jobs if str(props(j).get("status", "")).lower() == "completed"]
        sub.ev("doc.automation", str(acct.get("id") or ""),
               {"tool": "azure-automation", "account": acct.get("name"), "runbooks": len(published),
                "names": sorted(str(b.get("name")) for b in published)[:20], "jobs_90d": len(jobs),
                "completed_90d": len(ok)},
               strength=Strength.DIRECT if jobs else Strength.STRONG,
               summary=f"Automation account {acct.get('name')}: {len(published)} published runbook(s), "
                       f"{len(jobs)} job(s) in 90 days")
    if errors:
        sub.unreadable(f"runbooks of {len(errors)} Automation account(s)", errors[0], CONTROLS)
