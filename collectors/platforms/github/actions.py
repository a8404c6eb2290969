"""GitHub Actions: recent workflow runs (PR runs, schedules, durations) and the workflows themselves."""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.platforms.github import mapping
from wafops.collectors.platforms.github.run import GitHubRun
from wafops.scanner.core.model import Evidence


def runs(run: GitHubRun) -> Iterator[Evidence]:
    res = run.res.get("runs")
    if res is None:
        return
    if res.ok:
        attrs = mapping.runs_summary(res.data, run.branch, run.now, run.window, res.complete)
        yield run.ev("scm.runs", f"{run.html}/actions", attrs,
                     summary=f"{attrs['sample']} recent workflow runs; {attrs['schedule_runs_48h']} scheduled in 48 h")
    else:
        yield from run.unreadable("runs", res.error)


def workflows(run: GitHubRun) -> Iterator[Evidence]:
    wf = run.res.get("workflows")
    if wf is None:
        return
    if not wf.ok:
        yield from run.unreadable("workflows", wf.error)
        return
    for w in wf.data or []:
        if isinstance(w, dict) and w.get("path"):
            yield run.ev("scm.workflow", w.get("html_url") or w.get("url") or wf.url,
                         {"path": w["path"], "state": w.get("state"), "name": w.get("name")})
