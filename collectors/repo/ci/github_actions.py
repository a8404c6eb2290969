"""GitHub Actions workflows (`.github/workflows/*.yml`), with local composite actions and reusable workflows."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text, key_line, uniq
from wafops.collectors.repo.ci_steps import classes_from_name
from wafops.scanner.core.model import Strength

GH_EVENTS = {
    "push": "push", "pull_request": "pull_request", "pull_request_target": "pull_request",
    "merge_group": "merge_group", "schedule": "schedule", "workflow_dispatch": "manual",
    "release": "release", "workflow_call": "workflow_call",
}
_DISPATCH_ACTION = re.compile(r"repository-dispatch|workflow-dispatch|trigger-workflow|dispatch-action", re.I)
_GH_WITH_KEYS = {"args", "command", "commands", "script", "run", "inlinescript", "arguments", "cmd", "entrypoint"}


def github_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        if path.count("/") != 2:
            continue
        data = tree.yaml(path)
        if data is None:
            continue  # empty or malformed (RepoTree already warned)
        if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict):
            ctx.warn("repo", "ci: GitHub workflow has no `jobs` mapping; skipped", path)
            continue
        yield _github_pipeline(ctx, path, data)


def _gh_triggers(on: Any) -> tuple[list[str], list[str], list[str], dict[str, Any]]:
    """(triggers, push branch filters, cron strings, workflow_dispatch inputs) from any form of `on:`."""
    triggers: list[str] = []
    branches: list[str] = []
    crons: list[str] = []
    inputs: dict[str, Any] = {}
    if isinstance(on, str):
        events: dict[str, Any] = {on: None}
    elif isinstance(on, list):
        events = {str(e): None for e in on}
    elif isinstance(on, dict):
        events = {str(k): v for k, v in on.items()}
    else:
        events = {}
    for name, cfg in events.items():
        trig = GH_EVENTS.get(name, "other")
        if name == "push" and isinstance(cfg, dict):
            has_branch = "branches" in cfg or "branches-ignore" in cfg
            if cfg.get("tags") is not None or cfg.get("tags-ignore") is not None:
                triggers.append("tag")
                if has_branch:
                    triggers.append("push")
            else:
                triggers.append("push")
            if "branches" in cfg:
                branches.extend(str(b) for b in as_list(cfg.get("branches")))
            continue
        if name == "schedule":
            for item in as_list(cfg):
                if isinstance(item, dict) and item.get("cron"):
                    crons.append(str(item["cron"]))
        if name == "workflow_dispatch" and isinstance(cfg, dict) and isinstance(cfg.get("inputs"), dict):
            inputs = cfg["inputs"]
        triggers.append(trig)
    return uniq(triggers), branches, crons, inputs


def _narrow(triggers: list[str], cond: str) -> list[str]:
    """Apply the common job `if:` shapes that limit which events run a job."""
    if not cond:
        return triggers
    out = list(triggers)
    wanted = {GH_EVENTS.get(ev, "other") for ev in re.findall(r"github\.event_name\s*==\s*['\"](\w+)['\"]", cond)}
    parts = cond.split("||")
    if wanted and all("github.event_name" in p and "==" in p for p in parts):
        out = [t for t in out if t in wanted] or sorted(wanted)
        if "push" in wanted and "tag" in out and "push" not in out:
            out.append("push")
    for ev in re.findall(r"github\.event_name\s*!=\s*['\"](\w+)['\"]", cond):
        out = [t for t in out if t != GH_EVENTS.get(ev, "other")]
    if re.search(r"startsWith\(\s*github\.ref\s*,\s*['\"]refs/tags/", cond):
        out = [t for t in out if t in ("tag", "release", "manual")] or ["tag"]
    return out


def _github_pipeline(ctx: CollectContext, path: str, data: dict[str, Any]) -> Pipeline:
    on = data.get("on", data.get(True))
    triggers, branches, crons, inputs = _gh_triggers(on)
    pipe = Pipeline("github-actions", path, str(data.get("name") or posixpath.basename(path)), 1,
                    triggers=triggers, branches=branches, schedules=crons)
    pipe.reusable = "workflow_call" in triggers
    input_values = _input_values(inputs)
    jobs_line = key_line(ctx, path, "jobs") or 1
    for name, body in data["jobs"].items():
        if not isinstance(body, dict):
            continue
        job = Job(str(name), line=key_line(ctx, path, name, jobs_line))
        cond = str(body.get("if") or "")
        job.cond = cond
        job.triggers = _narrow(list(triggers), cond)
        job.branches = list(branches)
        job.needs = [str(n) for n in as_list(body.get("needs"))]
        m = re.search(r"github\.ref\s*==\s*['\"]refs/heads/([^'\"]+)['\"]", cond)
        if m:
            job.branches = [m.group(1)]
        env = body.get("environment")
        if isinstance(env, dict):
            env = env.get("name")
        job.environment = str(env) if env else None
        job.env_candidates = input_values + _matrix_values(body.get("strategy"))
        if job.environment and "${{" in job.environment and not re.search(r"\b(?:matrix|inputs)\.", job.environment):
            # an environment computed from the ref (`${{ needs.vars.outputs.env_name }}`, `${{ github.ref_name }}`)
            # takes its value from the branch pushed: a branch named production deploys production
            job.env_candidates += [b for b in job.branches if "*" not in b]
        job.env_hint = _env_var_target(body.get("env")) or _env_var_target(data.get("env"))
        for step in as_list(body.get("steps")):
            if isinstance(step, dict):
                job.steps.append(Step(_gh_step_text(ctx, step), str(step.get("if") or "")))
                with_ = step.get("with")
                if isinstance(with_, dict) and isinstance(step.get("uses"), str):
                    # a deploy action or local composite action told where to deploy (`with: environment: prod`)
                    target = next((str(v) for k, v in with_.items() if _WITH_ENV_KEY.match(str(k))
                                   and isinstance(v, str | int) and "${{" not in str(v)), None)
                    job.env_hint = job.env_hint or target
        uses = body.get("uses")
        if isinstance(uses, str):
            job.template = uses
            if uses.startswith("./"):
                _inline_reusable(ctx, job, uses, body.get("with"))
            else:
                pipe.templates.append(uses)
                _external_reusable(job, uses, body.get("with"))
        pipe.jobs.append(job)
    return pipe


def _input_values(inputs: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for spec in inputs.values():
        if isinstance(spec, dict):
            out.extend(str(o) for o in as_list(spec.get("options")) if isinstance(o, str | int))
            if isinstance(spec.get("default"), str):
                out.append(spec["default"])
    return out


def _matrix_values(strategy: Any) -> list[str]:
    if not isinstance(strategy, dict) or not isinstance(strategy.get("matrix"), dict):
        return []
    out: list[str] = []
    for value in strategy["matrix"].values():
        for v in as_list(value):
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, dict):
                out.extend(str(x) for x in v.values() if isinstance(x, str))
    return out


def _gh_step_text(ctx: CollectContext, step: dict[str, Any], depth: int = 0) -> str:
    parts = []
    uses = step.get("uses")
    if isinstance(uses, str):
        parts.append(uses)
        if uses.startswith("./") and depth < 2:
            parts.append(_composite_text(ctx, uses, depth))
    if step.get("run") is not None:
        parts.append(flatten_text(step.get("run")))
    with_ = step.get("with")
    if isinstance(with_, dict):
        parts.extend(flatten_text(v) for k, v in with_.items() if str(k).lower() in _GH_WITH_KEYS)
        if isinstance(uses, str) and _DISPATCH_ACTION.search(uses):
            # a hand-off to another repository's pipeline: what it starts is only said by the step's
            # name and the event/workflow it sends ("Trigger Cloud deployment from Charts")
            parts.append(" ".join(str(x) for x in (step.get("name"), with_.get("event-type"), with_.get("event_type"),
                                                   with_.get("workflow")) if isinstance(x, str)))
    return "\n".join(p for p in parts if p)


def _composite_text(ctx: CollectContext, uses: str, depth: int) -> str:
    """A local composite action (`uses: ./.github/actions/x`): its steps run inside the job."""
    assert ctx.tree is not None
    base = posixpath.normpath(uses[2:])
    for cand in (f"{base}/action.yml", f"{base}/action.yaml"):
        if ctx.tree.exists(cand):
            data = ctx.tree.yaml(cand)
            runs = data.get("runs") if isinstance(data, dict) else None
            if isinstance(runs, dict):
                return "\n".join(_gh_step_text(ctx, s, depth + 1) for s in as_list(runs.get("steps")) if isinstance(s, dict))
    return ""


# variables that name the deploy target (`env: ENVIRONMENT: production`); build settings such as NODE_ENV or
# RAILS_ENV say how code is built, not where it goes
_ENV_VAR_KEY = re.compile(r"(?i)^(?:environment|env|env_name|environment_name|deploy_env(?:ironment)?|target_env(?:ironment)?"
                          r"|deployment_env(?:ironment)?|stage)$")


def _env_var_target(env: Any) -> str | None:
    if not isinstance(env, dict):
        return None
    return next((str(v) for k, v in env.items() if _ENV_VAR_KEY.match(str(k)) and isinstance(v, str) and v
                 and "${{" not in v), None)


# inputs of a shared workflow that carry the command it runs (`gradle-command: ./gradlew check`) or its target
_WITH_CMD_KEY = re.compile(r"(?i)(?:^|[-_])(?:command|commands|cmd|script|run|args)$")
_WITH_ENV_KEY = re.compile(r"(?i)^(?:environment|env|environment[-_]name|deploy[-_]env(?:ironment)?|target[-_]env(?:ironment)?|stage)$")


def _external_reusable(job: Job, uses: str, with_: Any) -> None:
    """A reusable workflow of another repository (`org/actions/.github/workflows/deploy_env.yml@v2`).

    Its steps are not in this repository, but organisations name their shared workflows for what they do
    and pass the command or the target environment as inputs (hmpps `gradle_verify.yml` with
    `gradle-command: ./gradlew check`, `deploy_env.yml` with `environment: prod`). Those facts are inferred,
    so the job is strong evidence, not direct."""
    with_ = with_ if isinstance(with_, dict) else {}
    for key, value in with_.items():
        if isinstance(value, str) and _WITH_CMD_KEY.search(str(key)):
            job.steps.append(Step(value))
    if "/.github/workflows/" in uses:
        base = posixpath.basename(uses.split("@", 1)[0]).rsplit(".", 1)[0]
        job.implied = {**classes_from_name(base, "reusable workflow"), **job.implied}
    env = next((v for k, v in with_.items() if _WITH_ENV_KEY.match(str(k)) and isinstance(v, str)), None)
    if env and not job.environment and ("deploy" in job.implied or re.search(r"(?i)deploy", job.name)):
        if "${{" in env:
            job.environment = job.environment or env
        else:
            job.environment = env
    job.strength = Strength.STRONG


def _inline_reusable(ctx: CollectContext, job: Job, uses: str, with_: Any) -> None:
    """A local reusable workflow: its jobs' steps and environment belong to the calling job."""
    assert ctx.tree is not None
    target = posixpath.normpath(uses[2:].split("@", 1)[0])
    data = ctx.tree.yaml(target) if ctx.tree.exists(target) else None
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict):
        return
    with_ = with_ if isinstance(with_, dict) else {}
    for body in data["jobs"].values():
        if not isinstance(body, dict):
            continue
        for step in as_list(body.get("steps")):
            if isinstance(step, dict):
                job.steps.append(Step(_gh_step_text(ctx, step), str(step.get("if") or "")))
        env = body.get("environment")
        if isinstance(env, dict):
            env = env.get("name")
        if not env:
            continue
        env = str(env)
        m = re.search(r"inputs\.([\w-]+)", env)
        if m and isinstance(with_.get(m.group(1)), str):
            value = with_[m.group(1)]
            if "${{" in value:
                job.environment = job.environment or value
            else:
                job.environment = value
        elif not job.environment:
            job.environment = env
    on = data.get("on")
    if isinstance(on, dict) and isinstance(on.get("workflow_call"), dict):
        for spec in (on["workflow_call"].get("inputs") or {}).values():
            if isinstance(spec, dict) and isinstance(spec.get("default"), str):
                job.env_candidates.append(spec["default"])
