"""The normalized pipeline model (D-CI) that every CI parser fills, and how it becomes evidence.

Why a model between parsers and evidence: a dozen CI systems say the same few things (what
triggers a run, which jobs exist, what they execute, which environment they deploy to, whether a
human must approve). Parsers only translate syntax; classification (D-STEP), production detection
(D-PROD) and drift-notification logic live once, here and in `ci_steps`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_steps import classify, is_failure_condition, mentions_exit_code_2, plan_flags
from wafops.scanner.core.model import Evidence, Strength
from wafops.scanner.core.vocabulary import is_production, redact

TRIGGERS = ("push", "pull_request", "merge_group", "schedule", "manual", "tag", "release", "workflow_call", "other")

# A job whose name says production (when no environment key says it): `deploy-prod`, `Deploy to Production`.
_PROD_WORD = re.compile(r"(?i)(?:^|[\s_\-:/(.])(prod|production|prd|live)(?:$|[\s_\-:/).])")
_CHANNELS = {"alpha", "beta", "dev", "edge", "canary", "unstable", "nightly", "next", "testing"}
_NON_PROD_WORD = re.compile(r"(?i)\b(?:non[-_ ]?prod|pre[-_ ]?prod|preprod|staging|stage|dev|test|qa|uat|preview|sandbox)\b")


@dataclass
class Step:
    """One executable unit: the command/action text (never stored) and its run condition."""

    text: str
    cond: str = ""


@dataclass
class Job:
    name: str
    line: int | None = None
    path: str | None = None  # file that defines the job when it differs from the pipeline file
    triggers: list[str] = field(default_factory=list)
    branches: list[str] = field(default_factory=list)
    environment: str | None = None
    env_candidates: list[str] = field(default_factory=list)  # values an `${{ expr }}` environment can take
    tier: str | None = None  # GitLab deployment_tier
    manual_gate: bool = False
    needs: list[str] = field(default_factory=list)
    stage: str | None = None
    steps: list[Step] = field(default_factory=list)
    cond: str = ""  # job-level condition (`if:`)
    template: str | None = None
    freeze_check: bool = False
    implied: dict[str, str] = field(default_factory=dict)  # step classes implied by a template name
    shared_base: str | None = None  # GitLab: a hidden job it extends that only an external include defines
    strength: Strength | None = None  # weaker than the pipeline's when a fact is inferred (e.g. from a context name)
    env_hint: str | None = None  # target named outside an environment key (`env: ENVIRONMENT: production`, a step input)


@dataclass
class Pipeline:
    system: str
    path: str
    name: str
    line: int | None = 1
    triggers: list[str] = field(default_factory=list)
    branches: list[str] = field(default_factory=list)
    schedules: list[str] = field(default_factory=list)
    reusable: bool = False
    templates: list[str] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    strength: Strength = Strength.DIRECT


def uniq(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for i in items:
        if i not in out:
            out.append(i)
    return out


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def flatten_text(value: Any) -> str:
    """Scripts may be strings, lists or nested lists (GitLab `!reference`): one text, one line each."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(flatten_text(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(flatten_text(v) for v in value.values())
    return str(value)


def key_line(ctx: CollectContext, path: str, key: str, start: int = 1) -> int | None:
    """Line of a YAML mapping key (`  key:` or `"key":`), at or after `start`."""
    rx = re.compile(r"^\s*-?\s*['\"]?" + re.escape(str(key)) + r"['\"]?\s*:")
    assert ctx.tree is not None
    return ctx.tree.line_of(path, rx, start) or ctx.tree.line_of(path, rx)


# ---- evidence ---------------------------------------------------------------------------------


# A plan whose drift status is sent to a platform that records drift per stack (and notifies from there).
DRIFT_SYNC = [
    (re.compile(r"terramate\b[^\n]*(?:\\\s*\n[^\n]*){0,8}?--(?:cloud-)?sync-drift-status", re.I), "terramate-cloud"),
]


# A job that creates its own throwaway Kubernetes cluster deploys into it to test, never to serve users.
EPHEMERAL_CLUSTER = re.compile(
    r"helm/kind-action|engineerd/setup-kind|container-tools/kind-action|\bkind create cluster\b|\bk3d cluster create\b"
    r"|AbsaOSS/k3d-action|nolar/setup-k3d-k3s|\bminikube start\b|medyagh/setup-minikube|manusa/actions-setup-minikube"
    r"|\bctlptl create cluster\b", re.I)

# A job or workflow named for a benchmark or load test (prometheus' prombench `make deploy` into its test-infra
# cluster) deploys what it measures, not a release to users.
TEST_RIG_NAME = re.compile(
    r"(?i)(?:\b|_)(?:bench(?:mark(?:s|ing)?)?|prombench|load[-_ ]?tests?|perf(?:ormance)?[-_ ]?tests?|soak[-_ ]?tests?|stress[-_ ]?tests?)(?:\b|_)")


def job_evidence(ctx: CollectContext, pipe: Pipeline, job: Job) -> Evidence:
    matched, flags, notify_drift = _classify_steps(job)
    _drop_test_deploys(pipe, job, matched)
    # drift results reported to a drift-tracking platform, which keeps the history and sends the alerts
    drift_sync = next((name for st in job.steps for rx, name in DRIFT_SYNC if rx.search(st.text)), None)
    deploys = "deploy" in matched or "apply" in matched
    target = _target(pipe, job, deploys, ctx.options.get("production_pattern"))
    environment, production = target.environment, target.production
    steps = [c for c in ("lint", "test", "security", "build", "deploy", "plan", "apply", "smoke", "policy", "drift",
                         "notify", "rollback", "metrics", "release") if c in matched]
    # every environment the job may deploy to (its candidates: matrix values, inputs, branches, declared targets)
    envs = [e for e in [environment, *job.env_candidates, *target.branch_envs] if e and "$" not in str(e)]
    attrs = {
        "system": pipe.system,
        "pipeline": pipe.path,
        "name": job.name,
        "triggers": uniq(job.triggers),
        "environment": redact(environment, 80) if environment else None,
        "environments": uniq([redact(str(e), 80) for e in envs])[:20] if deploys else [],
        "production": production,
        "manual_gate": job.manual_gate,
        "needs": uniq([str(n) for n in job.needs]),
        "stage": job.stage,
        "steps": steps,
        "matched": {k: redact(v, 60) for k, v in matched.items()},
        "plan_flags": flags,
        "notifies_on_drift": notify_drift,
        "drift_sync": drift_sync,
        "template": redact(job.template, 200) if job.template else None,
        "branches": uniq([str(b) for b in job.branches]),
        "freeze_check": job.freeze_check,
        "shared_base": redact(job.shared_base, 120) if job.shared_base else None,
    }
    bits = ", ".join(steps) or "no classified steps"
    env = f" -> {attrs['environment']}{' (production)' if production else ''}" if environment else ""
    return ctx.file_evidence(
        "ci.job", job.path or pipe.path, line=job.line or pipe.line, attributes=attrs, strength=target.strength,
        summary=f"{pipe.system} job {job.name}{env}: {bits}",
    )


def _classify_steps(job: Job) -> tuple[dict[str, str], list[str], bool]:
    """(step classes with the keyword that matched, plan flags, whether drift gets notified) of a job."""
    matched: dict[str, str] = dict(job.implied)
    flags: list[str] = []
    notify_drift = False
    has_failure_notify = False
    for st in job.steps:
        classes = classify(st.text)
        for cls, kw in classes.items():
            matched.setdefault(cls, kw)
        flags.extend(plan_flags(st.text))
        if "notify" in classes:
            cond = f"{job.cond} {st.cond}"
            if mentions_exit_code_2(cond) or mentions_exit_code_2(st.text):
                notify_drift = True
            if is_failure_condition(cond):
                has_failure_notify = True
    flags = uniq(flags)
    if "notify" in matched and mentions_exit_code_2(job.cond):
        notify_drift = True
    if has_failure_notify and "detailed-exitcode" in flags:
        notify_drift = True  # exit code 2 fails the step, so a failure() notification fires on drift
    return matched, flags, notify_drift


def _drop_test_deploys(pipe: Pipeline, job: Job, matched: dict[str, str]) -> None:
    """Deploys that test rather than release: into a throwaway cluster the job creates, or for a benchmark rig."""
    ephemeral = next((m.group(0) for st in job.steps for m in [EPHEMERAL_CLUSTER.search(st.text or "")] if m), None)
    if ephemeral:
        # deploys into a throwaway cluster the job itself creates (kind, k3d, minikube) are end-to-end tests
        for cls in ("deploy", "apply", "rollback", "smoke"):
            matched.pop(cls, None)
        matched.setdefault("test", f"e2e on ephemeral cluster ({ephemeral})")
    elif "deploy" in matched and not job.environment:
        rig = TEST_RIG_NAME.search(job.name) or TEST_RIG_NAME.search(pipe.name) or TEST_RIG_NAME.search(pipe.path)
        if rig:
            for cls in ("deploy", "apply", "rollback", "smoke"):
                matched.pop(cls, None)
            matched.setdefault("test", f"deploy for a {rig.group(0).strip('_').lower()} run")


@dataclass
class _Target:
    """Where a job deploys (D-PROD), and how strong that conclusion is."""

    environment: str | None
    production: bool
    strength: Strength
    branch_envs: list[str] = field(default_factory=list)

    def production_named(self, environment: str) -> None:
        """Production by a name rather than a declared environment: strong at most."""
        self.environment, self.production, self.strength = environment, True, _weaker(self.strength, Strength.STRONG)


def _target(pipe: Pipeline, job: Job, deploys: bool, pattern: str | None) -> _Target:
    t = _Target(job.environment, False, _weaker(pipe.strength, job.strength) if job.strength else pipe.strength)
    if t.environment:
        _declared_target(t, job, deploys, pattern)
    if job.tier and job.tier.lower() == "production":
        t.production = True
    if not t.environment and deploys:
        _named_target(t, pipe, job, pattern)
    if not t.environment and deploys and job.branches:
        _branch_target(t, job, pattern)
    return t


def _declared_target(t: _Target, job: Job, deploys: bool, pattern: str | None) -> None:
    environment = t.environment or ""
    if "${{" in environment or ("$" in environment and job.env_candidates):
        prod = [c for c in job.env_candidates if is_production(c, pattern)]
        if prod:
            t.production_named(prod[0])
        return
    t.production = is_production(environment, pattern) or (job.tier or "").lower() == "production"
    if not t.production and deploys and not _NON_PROD_WORD.search(environment):
        # house names for production (GitLab's `gprd`): the job name says what the environment is
        m = _PROD_WORD.search(job.name)
        if m and not _NON_PROD_WORD.search(job.name):
            t.production, t.strength = True, _weaker(t.strength, Strength.STRONG)


def _named_target(t: _Target, pipe: Pipeline, job: Job, pattern: str | None) -> None:
    """Names are evidence: the job's name, a target variable or input (`ENVIRONMENT: production`), then the
    workflow's name or file name (`deploy-production.yml`), as long as none of them names a non-production stage."""
    wf_names = [pipe.name, posixpath.basename(pipe.path).rsplit(".", 1)[0]]
    tiers = [[job.name], [job.env_hint or "", job.name], wf_names + [job.name]]
    hint = None
    for names in tiers:
        m = _PROD_WORD.search(names[0]) or (len(names) > 2 and _PROD_WORD.search(names[1]))
        if m:
            hint = m if not any(_NON_PROD_WORD.search(n) for n in names) else None
            break
    if hint:
        t.production_named(hint.group(1).lower())
    elif job.env_hint and "$" not in job.env_hint:
        t.environment = job.env_hint  # a named target that is not production by name: kept as the environment
        t.production = is_production(t.environment, pattern)


def _branch_target(t: _Target, job: Job, pattern: str | None) -> None:
    """A deploy on pushes to a branch named for production (`production`, `live`), or to the `stable` channel of
    a set of release-channel branches (dev/alpha/beta/stable), deploys production from that branch."""
    lows = {b.lower(): b for b in job.branches if "*" not in b}
    prod_branch = next((b for b in lows.values() if is_production(b, pattern)), None)
    if prod_branch is None and "stable" in lows and set(lows) & _CHANNELS:
        prod_branch = lows["stable"]
    if prod_branch:
        t.production_named(prod_branch)
        t.branch_envs = list(lows.values())


def pipeline_evidence(ctx: CollectContext, pipe: Pipeline) -> Evidence:
    from wafops.collectors.repo.ci_steps import cron_interval_hours

    intervals = [i for i in (cron_interval_hours(c) for c in pipe.schedules) if i is not None]
    triggers = uniq(pipe.triggers + [t for j in pipe.jobs for t in j.triggers])
    if pipe.schedules and "schedule" not in triggers:
        triggers.append("schedule")
    attrs = {
        "system": pipe.system,
        "name": redact(pipe.name, 120),
        "triggers": [t for t in TRIGGERS if t in triggers],
        "schedules": uniq(pipe.schedules),
        "schedule_interval_hours": min(intervals) if intervals else None,
        "reusable": pipe.reusable,
        "templates": uniq([redact(t, 200) for t in pipe.templates]),
        "jobs": len(pipe.jobs),
    }
    return ctx.file_evidence(
        "ci.pipeline", pipe.path, line=pipe.line or 1, attributes=attrs, strength=pipe.strength,
        summary=f"{pipe.system} pipeline {attrs['name']} ({len(pipe.jobs)} jobs; triggers {', '.join(attrs['triggers']) or 'none'})",
    )


def _weaker(a: Strength, b: Strength) -> Strength:
    return a if a.rank <= b.rank else b
