"""DORA metrics of one repository (GitHub) or project (GitLab) from production deployments, merged PRs/MRs and incidents.

Pure functions (no I/O), so every rule below is unit-tested without a server. Definitions, as DORA's own
reports use them: production deployments only (D-PROD), a window (default 90 days),
medians as headline figures, and "insufficient" instead of a number when the sample is too small
to mean anything (that is *unknown*, not zero).

- deployment frequency: successful (not failed) production deployments per working day;
  insufficient when there is no deployment record at all (the team may deploy without the
  Deployments API, so 0 would be a guess).
- lead time: merge -> deploy. Every PR merged between the previous production deploy and this one
  shipped with this one (no compare calls needed; GitLab's DORA API uses the same definition).
- change failure rate: failed deployments (status failure/error) plus successful ones followed by
  an incident opened within `link_hours` (default 24 h) and before the next deployment, divided by
  all production deployment attempts. An incident outside every window is linked to nothing.
- time to restore: median incident open -> close; plus the deployment flavour (failed deploy ->
  next successful deploy) as `failed_deploy_recovery_hours_p50`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Deploy:
    at: datetime  # success time when known, else creation time
    state: str  # success | failure | unknown
    sha: str = ""


@dataclass(frozen=True)
class Incident:
    created: datetime
    closed: datetime | None


def working_days(start: datetime, end: datetime) -> int:
    days, d = 0, start.date()
    while d <= end.date():
        if d.weekday() < 5:
            days += 1
        d += timedelta(days=1)
    return max(1, days)


def p50(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def compute(
    deploys: list[Deploy],
    merged: list[datetime],
    incidents: list[Incident],
    now: datetime,
    window_days: int = 90,
    *,
    link_hours: float = 24.0,
    min_deploys: int = 10,
    min_lead_samples: int = 5,
    min_incidents: int = 3,
    deploy_source: str = "deployments",
) -> dict[str, Any]:
    start = now - timedelta(days=window_days)
    ds = sorted((d for d in deploys if start <= d.at <= now), key=lambda d: d.at)
    ok = [d for d in ds if d.state != "failure"]
    failed = [d for d in ds if d.state == "failure"]
    insufficient: list[str] = []

    # deployment frequency
    if not ds:
        insufficient.append("deployment_frequency")
        per_day = None
    else:
        per_day = round(len(ok) / working_days(start, now), 3)

    leads = _lead_times(ok, merged, start)
    if len(leads) < min_lead_samples:
        insufficient.append("lead_time")

    failed_ids, linked = _failures(ds, ok, failed, incidents, start, now, link_hours)
    cfr = round(len(failed_ids) / len(ds), 3) if ds else None
    if len(ds) < min_deploys:
        insufficient.append("change_failure_rate")

    restores = _restores(incidents, start, now)
    if len(restores) < min_incidents:
        insufficient.append("time_to_restore")
    recov = _recoveries(ok, failed)

    return {
        "window_days": window_days,
        "deploy_source": deploy_source,
        "deploys": len(ok),
        "failed_deploys": len(failed),
        "deploys_per_working_day": None if "deployment_frequency" in insufficient else per_day,
        "lead_time_hours_p50": None if "lead_time" in insufficient else p50(leads),
        "lead_time_definition": "merge-to-deploy",
        "change_failure_rate": None if "change_failure_rate" in insufficient else cfr,
        "incidents_linked": linked,
        "link_hours": link_hours,
        "time_to_restore_hours_p50": None if "time_to_restore" in insufficient else p50(restores),
        "failed_deploy_recovery_hours_p50": p50(recov),
        "sample": {
            "deployment_frequency": len(ds),
            "lead_time": len(leads),
            "change_failure_rate": len(ds),
            "time_to_restore": len(restores),
        },
        "insufficient": insufficient,
    }


def _lead_times(ok: list[Deploy], merged: list[datetime], start: datetime) -> list[float]:
    """Hours merge -> deploy: every change merged since the previous successful deploy ships with this one."""
    leads: list[float] = []
    prev = start
    merged_sorted = sorted(m for m in merged if m >= start - timedelta(days=30))
    for d in ok:
        for m in merged_sorted:
            if prev < m <= d.at:
                leads.append((d.at - m).total_seconds() / 3600)
        prev = d.at
    return leads


def _failures(ds: list[Deploy], ok: list[Deploy], failed: list[Deploy], incidents: list[Incident],
              start: datetime, now: datetime, link_hours: float) -> tuple[set[int], int]:
    """The failed deployments (ids), plus successful ones an incident is linked to; and how many were linked.

    An incident is linked only within `link_hours` after a deploy and before the next one.
    """
    linked = 0
    failed_ids = {id(d) for d in failed}
    for inc in incidents:
        if not (start <= inc.created <= now):
            continue
        cands = [d for d in ok if d.at <= inc.created <= d.at + timedelta(hours=link_hours)]
        if cands:
            d = cands[-1]
            nxt = [x for x in ds if x.at > d.at]
            if not nxt or inc.created < nxt[0].at:
                if id(d) not in failed_ids:
                    failed_ids.add(id(d))
                    linked += 1
    return failed_ids, linked


def _restores(incidents: list[Incident], start: datetime, now: datetime) -> list[float]:
    """Hours incident open -> close, for incidents opened in the window."""
    return [
        (i.closed - i.created).total_seconds() / 3600
        for i in incidents
        if i.closed and start <= i.created <= now and i.closed >= i.created
    ]


def _recoveries(ok: list[Deploy], failed: list[Deploy]) -> list[float]:
    """Hours failed deploy -> next successful deploy."""
    recov: list[float] = []
    for f in failed:
        nxt_ok = [d for d in ok if d.at > f.at]
        if nxt_ok:
            recov.append((nxt_ok[0].at - f.at).total_seconds() / 3600)
    return recov


def from_platform(deploys: list[Deploy], merged: list[datetime] | None, incidents: list[Incident] | None,
                  now: datetime, window: int, opts: dict[str, Any], deploy_source: str) -> dict[str, Any]:
    """DORA metrics for a platform collector (GitHub, GitLab), with the scan's options.

    `incidents` None means the issue tracker could not be read, `merged` None that merged changes could
    not: the metrics they decide are then marked insufficient, never computed from an empty list (an
    unread tracker is not "no incidents").
    """
    metrics = compute(
        deploys, merged or [], incidents or [], now, window,
        link_hours=float(opts.get("incident_link_hours", 24)),
        min_deploys=int(opts.get("dora_min_deploys", 10)),
        min_incidents=int(opts.get("dora_min_incidents", 3)),
        deploy_source=deploy_source,
    )
    if incidents is None:
        for m in ("change_failure_rate", "time_to_restore"):
            if m not in metrics["insufficient"]:
                metrics["insufficient"].append(m)
        metrics["change_failure_rate"] = metrics["time_to_restore_hours_p50"] = None
    if merged is None:
        metrics["lead_time_hours_p50"] = None
        if "lead_time" not in metrics["insufficient"]:
            metrics["insufficient"].append("lead_time")
    return metrics


def summary(metrics: dict[str, Any], window: int) -> str:
    return f"DORA over {window} days: {metrics['deploys']} deploy(s)" + (
        f"; insufficient: {', '.join(metrics['insufficient'])}" if metrics["insufficient"] else "")
