"""GitHub issues: incidents (by label) and labels (the labels API, else those on issues; debt labels used)."""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.platforms.common import activity
from wafops.collectors.platforms.github import mapping
from wafops.collectors.platforms.github.run import GitHubRun
from wafops.scanner.core.model import Evidence


def incidents(run: GitHubRun) -> Iterator[Evidence]:
    issues = yield from run.result("issues")
    if issues is None:
        return
    incs = activity.in_window(mapping.incidents(issues.data or [], run.opts.get("incident_labels")), run.start)
    attrs = activity.incidents_attrs(incs, run.window, issues.complete)
    yield run.ev("scm.incidents", f"{run.html}/issues", attrs, summary=f"{len(incs)} incident issue(s) in {run.window} days")


def labels(run: GitHubRun) -> Iterator[Evidence]:
    issues = run.res.get("issues")
    items = issues.data if issues is not None and issues.ok else None
    res = run.res.get("labels")
    yield from activity.labels(run, res, items, res.url if res is not None else "",
                               issues.url if issues is not None else "")
