"""GitLab CI/CD: recent pipelines (MR, push and scheduled runs, durations), pipeline schedules, deploy freezes."""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.platforms.gitlab import mapping
from wafops.collectors.platforms.gitlab.run import GitLabRun
from wafops.scanner.core.model import Evidence, Strength


def pipelines(run: GitLabRun) -> Iterator[Evidence]:
    runs = yield from run.result("pipelines")
    if runs is None:
        return
    attrs = mapping.runs_summary([p for p in runs.data or [] if isinstance(p, dict)], run.branch, run.now,
                                 run.window, runs.complete, run.p.get("ci_config_path"))
    yield run.ev("scm.runs", f"{run.web}/-/pipelines", attrs,
                 summary=f"{attrs['sample']} recent pipelines; {attrs['schedule_runs_48h']} scheduled in 48 h")


def schedules(run: GitLabRun) -> Iterator[Evidence]:
    sch = yield from run.result("pipeline_schedules")
    if sch is None:
        return
    for s in sch.data or []:
        if isinstance(s, dict):
            yield run.ev("scm.schedule", f"{run.web}/-/pipeline_schedules", {
                "description": s.get("description"), "cron": s.get("cron"), "active": bool(s.get("active")),
                "ref": s.get("ref"), "next_run_at": s.get("next_run_at")})


def freezes(run: GitLabRun) -> Iterator[Evidence]:
    fp = yield from run.result("freeze_periods")
    if fp is None:
        return
    for f in fp.data or []:
        if not isinstance(f, dict):
            continue
        attrs = {"mechanism": "gitlab-freeze-period", "origin": "api", "freeze_start": f.get("freeze_start"),
                 "freeze_end": f.get("freeze_end"), "cron_timezone": f.get("cron_timezone")}
        # GitLab sets CI_DEPLOY_FREEZE during the period; deploy jobs are held when they check it
        yield run.ev("change.freeze", f"{run.web}/-/settings/ci_cd", attrs, strength=Strength.STRONG,
                     summary=f"deploy freeze period {f.get('freeze_start')} .. {f.get('freeze_end')} "
                     f"({f.get('cron_timezone') or 'UTC'})")
