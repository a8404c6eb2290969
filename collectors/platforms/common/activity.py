"""Activity evidence GitHub and GitLab build alike: incidents, reviews, labels and production deployments.

Each platform reads its own payloads (issues or incident issues, pull or merge requests, deployments
with statuses or with their own state); the attribute sets they produce, and so what probes read,
are the same and are built here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from wafops.collectors.platforms.common import dora
from wafops.collectors.platforms.common.calls import CallResult
from wafops.collectors.platforms.common.payloads import debt_used, label_names, ts
from wafops.collectors.platforms.common.run import PlatformRun
from wafops.scanner.core.model import Evidence


def in_window(items: list[dict[str, Any]], start: datetime, field: str = "created_at") -> list[dict[str, Any]]:
    """The items whose `field` is in the window (an item without the time is kept)."""
    return [i for i in items if (ts(i.get(field)) or start) >= start]


def incidents_attrs(incs: list[dict[str, Any]], window: int, complete: bool, **extra: Any) -> dict[str, Any]:
    """`scm.incidents`: how many incidents in the window, how many closed, the median hours to close."""
    closed = [i for i in incs if i.get("closed_at")]
    hours = [(ts(i["closed_at"]) - ts(i["created_at"])).total_seconds() / 3600
             for i in closed if ts(i.get("closed_at")) and ts(i.get("created_at"))]
    return {
        "window_days": window,
        "count": len(incs),
        "closed": len(closed),
        "median_hours_to_close": dora.p50(hours),
        "labels": sorted({n for i in incs for n in label_names(i)}),
        **extra,
        "complete": complete,
    }


def runs_attrs(runs: list[dict[str, Any]], now: datetime, window_days: int, complete: bool, *, trigger: str,
               pr_triggers: tuple[str, ...], push_minutes: Callable[[dict[str, Any]], float | None],
               scheduled: Callable[[list[dict[str, Any]]], list[str]],
               failed: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
    """`scm.runs`: CI runs (workflow runs, pipelines) of the window by trigger, scheduled runs of the last 48 h,
    and the median duration of successful pushes to the default branch.

    `trigger`: the field that says what started a run; `push_minutes`: a run's minutes when it is a successful
    push to the default branch, else None; `scheduled`: what the scheduled runs ran (workflows, CI files);
    `failed`, when the platform says so: which runs failed (`failed_runs` of the window).
    """
    start = now - timedelta(days=window_days)
    recent = [r for r in runs if (ts(r.get("created_at")) or now) >= start]
    sched48 = [r for r in runs if r.get(trigger) == "schedule"
               and (ts(r.get("created_at")) or start) >= now - timedelta(hours=48)]
    durations = [m for r in recent if r.get(trigger) == "push" and (m := push_minutes(r)) is not None]
    oldest = min((t for r in runs if (t := ts(r.get("created_at")))), default=None)
    attrs: dict[str, Any] = {
        "window_days": window_days,
        "sample": len(runs),
        "complete": complete,
        "oldest": oldest.isoformat() if oldest else None,
        "pr_runs": sum(1 for r in recent if r.get(trigger) in pr_triggers),
        "push_runs": sum(1 for r in recent if r.get(trigger) == "push"),
        "schedule_runs_48h": len(sched48),
        "scheduled_workflows_running": scheduled(sched48),
        "p50_duration_min": dora.p50(durations),
        "p50_sample": len(durations),
    }
    if failed is not None:
        attrs["failed_runs"] = sum(1 for r in recent if failed(r))
    return attrs


def reviews(run: PlatformRun, url: str, noun: str, merged: int, checked: int, reviewed: int,
            complete: bool) -> Evidence:
    """`scm.reviews`: changes merged in the window; of those checked, how many someone else approved."""
    attrs = {
        "window_days": run.window,
        "merged": merged,
        "checked": checked,
        "reviewed": reviewed if checked else None,
        "ratio": round(reviewed / checked, 3) if checked else None,
        "complete": complete,
    }
    summary = f"{merged} {noun} merged in {run.window} days" + (
        f"; {reviewed}/{checked} approved by another person" if checked else "")
    return run.ev("scm.reviews", url, attrs, summary=summary)


def labels(run: PlatformRun, res: CallResult | None, items: list[dict[str, Any]] | None, api_url: str,
           issues_url: str) -> Iterator[Evidence]:
    """`scm.labels`: the label names (the labels API, else those on issues) and how often debt labels were used."""
    if res is not None and res.ok:
        names = sorted({lab.get("name") for lab in res.data or [] if isinstance(lab, dict) and lab.get("name")})
        origin, url = "labels-api", api_url
    elif res is not None:
        assert res.error is not None
        yield from run.unreadable("labels", res.error)
        return
    elif items is not None:
        names = sorted({n for i in items for n in label_names(i)})
        origin, url = "issues", issues_url
    else:
        return
    used = debt_used(items or [], run.now, 180, run.opts.get("debt_labels")) if items is not None else None
    yield run.ev("scm.labels", url, {"labels": names, "debt_used_180d": used, "origin": origin})


def deployments(run: PlatformRun, url: str, out: list[dora.Deploy], *, unknown_state: int, status_from: str,
                environments: list[str], complete: bool) -> Evidence:
    """`scm.deployments`: production deployments in the window, by outcome, and the environments deployed to."""
    attrs = {
        "window_days": run.window,
        "production": len(out),
        "successful": sum(1 for d in out if d.state == "success"),
        "failed": sum(1 for d in out if d.state == "failure"),
        "unknown_state": unknown_state,
        "status_from": status_from,
        "environments": environments,
        "complete": complete,
    }
    return run.ev("scm.deployments", url, attrs,
                  summary=f"{attrs['production']} production deployment(s) in {run.window} days")
