"""GitHub Actions: recent workflow runs (PR runs, schedules, durations) and the workflows themselves."""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.platforms.github import mapping
from wafops.collectors.platforms.github.run import GitHubRun
from wafops.scanner.core.model import Evidence


def runs(run: GitHubRun) -> Iterator[Evidence]:
    res = yield from run.result("runs")
    if res is None:
        return
    attrs = mapping.runs_summary(res.data, run.branch, run.now, run.window, res.complete)
    yield run.ev("scm.runs", f"{run.html}/actions", attrs,
                 summary=f"{attrs['sample']} recent workflow runs; {attrs['schedule_runs_48h']} scheduled in 48 h")


def workflows(run: GitHubRun) -> Iterator[Evidence]:
    wf = yield from run.result("workflows")
    if wf is None:
        return
    for w in wf.data or []:
        if isinstance(w, dict) and w.get("path"):
            yield run.ev("scm.workflow", w.get("html_url") or w.get("url") or wf.url,
                         {"path": w["path"], "state": w.get("state"), "name": w.get("name")})
