"""GitLab issues: incidents (issue type `incident`, or by label) and labels (the labels API, else those on
issues; debt labels used)."""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.platforms.common import activity
from wafops.collectors.platforms.gitlab import mapping
from wafops.collectors.platforms.gitlab.run import GitLabRun
from wafops.scanner.core.model import Evidence


def incidents(run: GitLabRun) -> Iterator[Evidence]:
    issues = yield from run.result("issues")
    if issues is None:
        return
    incs = activity.in_window([i for i in issues.data or [] if isinstance(i, dict)
                               and mapping.is_incident(i, run.opts.get("incident_labels"))], run.start)
    typed = sum(1 for i in incs if str(i.get("issue_type") or i.get("type") or "").lower() == "incident")
    attrs = activity.incidents_attrs(incs, run.window, issues.complete, typed_incidents=typed)
    yield run.ev("scm.incidents", f"{run.web}/-/issues/?type[]=incident", attrs,
                 summary=f"{len(incs)} incident(s) in {run.window} days")


def labels(run: GitLabRun) -> Iterator[Evidence]:
    issues = run.res.get("issues")
    items = [i for i in issues.data or [] if isinstance(i, dict)] if issues is not None and issues.ok else None
    yield from activity.labels(run, run.res.get("labels"), items, f"{run.web}/-/labels", f"{run.web}/-/issues")
