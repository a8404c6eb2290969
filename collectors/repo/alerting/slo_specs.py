"""Sloth and Pyrra SLO specs: they generate multi-window burn-rate alerts at deploy time, so each spec stands
for the alerts it will generate."""

from __future__ import annotations

from typing import Any

from wafops.collectors.repo.alerting.record import rule, runbook_of
from wafops.collectors.repo.alerting.state import AlertRun


def sloth(run: AlertRun, path: str, body: dict[str, Any]) -> None:
    """A Sloth spec (`version: prometheus/v1` or a PrometheusServiceLevel CRD): a page and a ticket alert per SLO."""
    for slo in body.get("slos") or []:
        if not isinstance(slo, dict):
            continue
        alerting = slo.get("alerting") if isinstance(slo.get("alerting"), dict) else {}
        ann = alerting.get("annotations") if isinstance(alerting.get("annotations"), dict) else {}
        for which in ("page_alert", "ticket_alert"):
            a = alerting.get(which)
            if isinstance(a, dict) and a.get("disable") is True:
                continue
            if not alerting:
                continue
            labels = {**(alerting.get("labels") or {}), **((a or {}).get("labels") or {})} if isinstance(a, dict) else {}
            sev = str(labels.get("severity") or ("critical" if which == "page_alert" else "ticket"))
            rule(run, path, origin="sloth", name=f"{alerting.get('name') or slo.get('name')}:{which}",
                 expr=f"sloth slo {slo.get('name')} objective {slo.get('objective')} windows 5m,30m,1h,2h,6h,1d,3d",
                 severity=sev, runbook=runbook_of({**ann, **((a or {}).get('annotations') or {})} if isinstance(a, dict) else ann),
                 notifies=True, line=run.tree.line_of(path, str(slo.get("name"))), force_burn=True,
                 key=("sloth", slo.get("name"), which))


def pyrra(run: AlertRun, path: str, doc: dict[str, Any], spec: dict[str, Any]) -> None:
    """A Pyrra ServiceLevelObjective: one burn-rate alert unless its alerting is disabled."""
    name = str((doc.get("metadata") or {}).get("name") or "slo")
    if (spec.get("alerting") or {}).get("disabled") is not True if isinstance(spec.get("alerting"), dict) else True:
        rule(run, path, origin="pyrra", name=f"{name}:burnrate", expr=f"pyrra_burnrate objective {spec.get('target')} windows 5m,30m,1h,6h",
             severity="critical", notifies=True, line=run.tree.line_of(path, "ServiceLevelObjective"),
             force_burn=True, key=("pyrra", name))
