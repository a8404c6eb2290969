"""GitHub releases, deployments and DORA.

A production deployment's outcome comes from its statuses (full depth, one call per deployment up
to a cap), else from the workflow run of the same commit, else it is unknown. Without production
deployments, published releases stand in for them. DORA combines deployments, the merged PRs
(`pulls.py`) and incident issues.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from wafops.collectors.platforms.common import activity, dora
from wafops.collectors.platforms.common.calls import CallResult
from wafops.collectors.platforms.github import mapping
from wafops.collectors.platforms.github.run import GitHubRun
from wafops.scanner.core.model import Evidence, Strength


def releases(run: GitHubRun) -> Iterator[Evidence]:
    rel = yield from run.result("releases")
    if rel is None:
        return
    start = run.start
    pubs = sorted(t for r in rel.data or [] if isinstance(r, dict) and not r.get("draft")
                  and (t := mapping.ts(r.get("published_at"))))
    attrs = {"window_days": run.window, "count": sum(1 for t in pubs if t >= start),
             "last": pubs[-1].isoformat() if pubs else None}
    yield run.ev("scm.releases", f"{run.html}/releases", attrs)


def deployments_and_dora(run: GitHubRun) -> Iterator[Evidence]:
    deps = yield from run.result("deployments")
    if deps is None:
        return
    items = [d for d in deps.data or [] if isinstance(d, dict)]
    out: list[dora.Deploy] = []
    status_from = yield from _production(run, items, out)
    recent = activity.in_window(items, run.start)
    yield activity.deployments(run, f"{run.html}/deployments", out,
                               unknown_state=sum(1 for d in out if d.state == "unknown"), status_from=status_from,
                               environments=sorted({str(d.get("environment")) for d in recent if d.get("environment")}),
                               complete=deps.complete)
    yield _dora(run, out, status_from)


def _production(run: GitHubRun, items: list[dict[str, Any]],
                out: list[dora.Deploy]) -> Generator[Evidence, None, str]:
    """The production deployments of the window, with their outcome, into `out`; returns where outcomes came from."""
    start = run.start
    prod = [d for d in items if mapping.is_prod_deployment(d, run.pattern)]
    runs: CallResult | None = run.res.get("runs")
    run_items = runs.data if runs is not None and runs.ok else []
    use_statuses = "deployment_statuses" in run.calls
    cap = int(run.opts.get("github_max_deployment_statuses", 50))
    status_from = "statuses" if use_statuses else ("runs" if run_items else "none")
    for i, d in enumerate(prod):
        created = mapping.ts(d.get("created_at"))
        if not created or created < start:
            continue
        state, at = "unknown", None
        if use_statuses and i < cap:
            r = run.get("deployment_statuses", f"{run.base}/deployments/{d.get('id')}/statuses", {"per_page": 100})
            if r.ok:
                state, at = mapping.state_from_statuses(r.data or [])
            else:
                yield from run.unreadable("deployment_statuses", r.error)
                use_statuses = False
        if state == "unknown" and run_items:
            state, at = mapping.state_from_runs(d, run_items)
        out.append(dora.Deploy(at or created, state, str(d.get("sha") or "")))
    return status_from


def _dora(run: GitHubRun, out: list[dora.Deploy], status_from: str) -> Evidence:
    source = "deployments"
    rel, issues = run.res.get("releases"), run.res.get("issues")
    if not out and rel is not None and rel.ok:
        source = "releases"
        out = [dora.Deploy(t, "success") for r in rel.data or [] if isinstance(r, dict)
               and not r.get("draft") and not r.get("prerelease") and (t := mapping.ts(r.get("published_at")))]
    incs = None
    if issues is not None and issues.ok:
        incs = [dora.Incident(c, mapping.ts(i.get("closed_at")))
                for i in mapping.incidents(issues.data or [], run.opts.get("incident_labels"))
                if (c := mapping.ts(i.get("created_at")))]
    metrics = dora.from_platform(out, run.merged, incs, run.now, run.window, run.opts, source)
    metrics["status_from"] = status_from
    summary = dora.summary(metrics, run.window)
    return run.ev("dora.metrics", f"{run.html}/deployments", metrics, summary=summary,
                  strength=Strength.DIRECT if status_from == "statuses" else Strength.STRONG)
