"""Azure Pipelines (`azure-pipelines*.yml`) with local templates."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text, uniq


def azure_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    cands = tree.glob("azure-pipelines*.yml", "azure-pipelines*.yaml", ".azure-pipelines/*.yml", ".azure-pipelines/*.yaml",
                      ".azuredevops/*.yml", ".azuredevops/*.yaml", ".pipelines/*.yml", ".pipelines/*.yaml",
                      "*/azure-pipelines*.yml", "*/azure-pipelines*.yaml", ".ado/*.yml", ".ado/*.yaml")
    parsed: dict[str, dict[str, Any]] = {}
    for path in uniq(cands):
        data = tree.yaml(path)
        if isinstance(data, dict) and any(k in data for k in ("steps", "jobs", "stages", "extends")):
            parsed[path] = data
    referenced: set[str] = set()
    for path, data in parsed.items():
        for ref in _az_template_refs(data):
            if "@" not in ref:
                referenced.add(_az_resolve(path, ref))
    for path, data in parsed.items():
        is_template = path in referenced or (
            "parameters" in data and not any(k in data for k in ("trigger", "pr", "schedules", "pool", "name", "resources")))
        yield _azure_pipeline(ctx, path, data, is_template)


def _az_template_refs(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for k, v in data.items():
            if k == "template" and isinstance(v, str):
                yield v
            else:
                yield from _az_template_refs(v)
    elif isinstance(data, list):
        for v in data:
            yield from _az_template_refs(v)


def _az_resolve(path: str, ref: str) -> str:
    if ref.startswith("/"):
        return posixpath.normpath(ref.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(path), ref))


def _az_triggers(data: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    triggers: list[str] = []
    branches: list[str] = []
    crons: list[str] = []
    trig = data.get("trigger", "__absent__")
    if trig == "__absent__" or (trig not in ("none", None, False) and trig != []):
        triggers.append("push")
        if isinstance(trig, list):
            branches.extend(str(b) for b in trig)
        elif isinstance(trig, dict):
            inc = trig.get("branches", {})
            if isinstance(inc, dict):
                branches.extend(str(b) for b in as_list(inc.get("include")))
            if trig.get("tags") and not inc:
                triggers = ["tag"]
            elif trig.get("tags"):
                triggers.append("tag")
    pr = data.get("pr", "__absent__")
    if pr == "__absent__" or (pr not in ("none", None, False) and pr != []):
        triggers.append("pull_request")
    for s in as_list(data.get("schedules")):
        if isinstance(s, dict) and s.get("cron"):
            crons.append(str(s["cron"]))
    return triggers, branches, crons


def _azure_pipeline(ctx: CollectContext, path: str, data: dict[str, Any], is_template: bool) -> Pipeline:
    triggers, branches, crons = ([], [], []) if is_template else _az_triggers(data)
    pipe = Pipeline("azure-pipelines", path, str(data.get("name") or path), 1, triggers=triggers, branches=branches,
                    schedules=crons, reusable=is_template)
    pipe.templates = [r for r in _az_template_refs(data) if "@" in r]
    ext = data.get("extends")
    if isinstance(ext, dict) and isinstance(ext.get("template"), str):
        pipe.templates.append(ext["template"])
    stages = as_list(data.get("stages"))
    if not stages:
        stages = [{"stage": None, "jobs": data.get("jobs") or [{"job": "default", "steps": data.get("steps") or []}]}]
    for stage in stages:
        if not isinstance(stage, dict):
            continue
        stage_name = stage.get("stage")
        stage_needs = [str(n) for n in as_list(stage.get("dependsOn"))]
        jobs = as_list(stage.get("jobs"))
        if "template" in stage and not jobs:
            jobs = [stage]
        for body in jobs:
            if not isinstance(body, dict):
                continue
            name = str(body.get("deployment") or body.get("job") or body.get("template") or stage_name or "job")
            job = Job(name, line=_az_line(ctx, path, body, name), stage=str(stage_name) if stage_name else None)
            job.triggers, job.branches = list(triggers), list(branches)
            cond = f"{stage.get('condition') or ''} {body.get('condition') or ''}"
            job.cond = cond
            if "'PullRequest'" in cond and re.search(r"ne\(\s*variables\[?'Build\.Reason'", cond):
                job.triggers = [t for t in job.triggers if t != "pull_request"]
            job.needs = [str(n) for n in as_list(body.get("dependsOn"))] or stage_needs
            env = body.get("environment")
            if isinstance(env, dict):
                env = env.get("name")
            if env:
                job.environment = str(env).split(".")[0]
            steps = list(as_list(body.get("steps")))
            strat = body.get("strategy")
            if isinstance(strat, dict):
                for phase in strat.values():
                    if isinstance(phase, dict):
                        for hook in phase.values():
                            if isinstance(hook, dict):
                                steps.extend(as_list(hook.get("steps")))
            if "template" in body and isinstance(body["template"], str):
                steps.append({"template": body["template"]})
                if "@" in body["template"]:
                    job.template = body["template"]
            for st in _az_expand(ctx, path, steps, 0):
                if isinstance(st, dict):
                    if str(st.get("task") or "").lower().startswith("manualvalidation"):
                        job.manual_gate = True
                    job.steps.append(Step(_az_step_text(st), str(st.get("condition") or "")))
            if str(body.get("pool") or "").lower() == "server" and job.manual_gate is False:
                job.manual_gate = any("manualvalidation" in s.text.lower() for s in job.steps)
            pipe.jobs.append(job)
    return pipe


def _az_expand(ctx: CollectContext, path: str, steps: list[Any], depth: int) -> Iterable[Any]:
    """Inline local step templates (`- template: steps/test.yml`)."""
    assert ctx.tree is not None
    for st in steps:
        if isinstance(st, dict) and isinstance(st.get("template"), str) and "@" not in st["template"] and depth < 4:
            target = _az_resolve(path, st["template"])
            data = ctx.tree.yaml(target) if ctx.tree.exists(target) else None
            if isinstance(data, dict):
                inner: list[Any] = list(as_list(data.get("steps")))
                for j in as_list(data.get("jobs")):
                    if isinstance(j, dict):
                        inner.extend(as_list(j.get("steps")))
                for s in as_list(data.get("stages")):
                    if isinstance(s, dict):
                        for j in as_list(s.get("jobs")):
                            if isinstance(j, dict):
                                inner.extend(as_list(j.get("steps")))
                yield from _az_expand(ctx, target, inner, depth + 1)
            continue
        yield st


def _az_step_text(st: dict[str, Any]) -> str:
    parts: list[str] = []
    for key in ("script", "bash", "pwsh", "powershell"):
        if st.get(key):
            parts.append(flatten_text(st[key]))
    task = st.get("task")
    if isinstance(task, str):
        inputs = st.get("inputs") if isinstance(st.get("inputs"), dict) else {}
        cmd = str(inputs.get("command") or inputs.get("action") or "")
        parts.append(f"{task}:{cmd}" if cmd else task)
        for key in ("inlineScript", "script", "arguments", "scriptArguments", "commandOptions"):
            if inputs.get(key):
                parts.append(flatten_text(inputs[key]))
    return "\n".join(parts)


def _az_line(ctx: CollectContext, path: str, body: dict[str, Any], name: str) -> int | None:
    assert ctx.tree is not None
    for key in ("deployment", "job"):
        if body.get(key):
            line = ctx.tree.line_of(path, re.compile(rf"^\s*-?\s*{key}:\s*['\"]?{re.escape(str(body[key]))}\b"))
            if line:
                return line
    return ctx.tree.line_of(path, name) or 1
