"""GitLab deployments and DORA.

Production deployments are those to an environment of the production tier (or matching
`production_pattern`); their outcome is the deployment's own status. DORA is computed by wafops
from deployments, merged MRs (`merge_requests.py`) and incidents; on Ultimate at full depth,
GitLab's own DORA API replaces the lead time, change failure rate and time to restore.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from wafops.collectors.platforms.common import activity, dora
from wafops.collectors.platforms.common.payloads import ts
from wafops.collectors.platforms.gitlab import fetch, mapping
from wafops.collectors.platforms.gitlab.run import GitLabRun
from wafops.scanner.core.model import Evidence

_API_NAMES = {"lead_time_hours_p50": "lead_time", "change_failure_rate": "change_failure_rate",
              "time_to_restore_hours_p50": "time_to_restore"}


def deployments_and_dora(run: GitLabRun) -> Generator[Evidence, None, None]:
    deps = yield from run.result("deployments")
    if deps is None:
        return
    items = [d for d in deps.data or [] if isinstance(d, dict)]
    out = _production(run, items)
    recent = activity.in_window(items, run.start)
    yield activity.deployments(run, f"{run.web}/-/environments", out, unknown_state=0, status_from="deployments",
                               environments=sorted({str(n) for d in recent if (n := mapping.deployment_env(d))}),
                               complete=deps.complete)
    yield from _dora(run, out)


def _production(run: GitLabRun, items: list[dict[str, Any]]) -> list[dora.Deploy]:
    """The production deployments of the window, with their outcome (skipped and future ones left out)."""
    start = run.start
    tiers = {str(e.get("name")): e.get("tier") for e in run.envs or []}
    out: list[dora.Deploy] = []
    for d in items:
        name = mapping.deployment_env(d)
        if not mapping.is_production_env(name, tiers.get(str(name)), run.pattern):
            continue
        created = ts(d.get("created_at"))
        if not created or created < start or created > run.now:
            continue
        state, at = mapping.deployment_state(d)
        if state == "skip":
            continue
        out.append(dora.Deploy(at or created, state, str(d.get("sha") or "")))
    return out


def _dora(run: GitLabRun, out: list[dora.Deploy]) -> Generator[Evidence, None, None]:
    issues = run.res.get("issues")
    incs = None
    if issues is not None and issues.ok:
        incs = [dora.Incident(c, ts(i.get("closed_at"))) for i in issues.data or []
                if isinstance(i, dict) and mapping.is_incident(i, run.opts.get("incident_labels"))
                and (c := ts(i.get("created_at")))]
    metrics = dora.from_platform(out, run.merged, incs, run.now, run.window, run.opts, "deployments")
    metrics["status_from"] = "deployments"
    metrics["computed_by"] = "wafops"
    metrics["tier"] = run.tier  # GitLab itself shows DORA charts on Ultimate only
    api = yield from dora_api(run)
    if api:
        metrics.update(api)
        metrics["insufficient"] = [m for m in metrics["insufficient"] if m not in {_API_NAMES[k] for k in api}]
        metrics["computed_by"] = "gitlab-dora-api"
    summary = dora.summary(metrics, run.window)
    yield run.ev("dora.metrics", f"{run.web}/-/pipelines/charts?chart=dora", metrics, summary=summary)


def dora_api(run: GitLabRun) -> Generator[Evidence, None, dict[str, Any]]:
    """GitLab's own DORA figures (Ultimate, full depth): lead time, CFR and time to restore over the window."""
    if not run.wanted("dora"):
        return {}
    url = run.c.url(f"{run.base}/dora/metrics")
    if fetch.tier_lacks("dora", run.tier):
        yield run.plan_limited("dora", url)
        return {}
    start = run.start.date().isoformat()
    out: dict[str, Any] = {}
    for metric, key, scale in (("lead_time_for_changes", "lead_time_hours_p50", 1 / 3600),
                               ("change_failure_rate", "change_failure_rate", 1.0),
                               ("time_to_restore_service", "time_to_restore_hours_p50", 1 / 3600)):
        r = run.get("dora", f"{run.base}/dora/metrics",
                    {"metric": metric, "start_date": start, "end_date": run.now.date().isoformat(), "interval": "all"},
                    single=True)
        if not r.ok:
            yield from run.unreadable("dora", r.error)
            return {}
        vals = [x.get("value") for x in r.data or [] if isinstance(x, dict) and x.get("value") is not None]
        if vals:
            out[key] = round(float(vals[-1]) * scale, 3)
    return out
