"""CI/CD pipeline definitions (D-CI) -> `ci.pipeline` and `ci.job` evidence.

Reads GitHub Actions, GitLab CI (with local includes), Azure Pipelines (with local templates) here,
and the other systems in `ci_systems` (Jenkins, CircleCI, Bitbucket, CodeBuild, Cloud Build,
Buildkite, Drone, Tekton, Travis, Atlantis, Terraform-declared pipelines). Parsers fill the model of
`ci_model`; classification and production detection happen there, once for all systems.

A malformed file yields a warning and the other pipelines are still collected.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.repo import ci_systems
from wafops.collectors.repo.ci_model import (
    Job,
    Pipeline,
    Step,
    as_list,
    flatten_text,
    job_evidence,
    key_line,
    pipeline_evidence,
    uniq,
)
from wafops.collectors.repo.ci_steps import classes_from_name
from wafops.scanner.core.model import Evidence, Strength, Subject


class CiCollector(Collector):
    name = "ci"
    source = "repo"
    description = "CI/CD pipeline definitions: triggers, jobs, step classes, environments, manual gates"
    controls = ("WAF-OPS-010", "WAF-OPS-050", "WAF-OPS-080", "WAF-OPS-090")

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterator[Evidence]:
        parsers = [
            github_pipelines, gitlab_pipelines, azure_pipelines, ci_systems.jenkins_pipelines,
            ci_systems.circleci_pipelines, ci_systems.bitbucket_pipelines, ci_systems.codebuild_pipelines,
            ci_systems.cloudbuild_pipelines, ci_systems.buildkite_pipelines, ci_systems.drone_pipelines,
            ci_systems.tekton_pipelines, ci_systems.prow_pipelines, ci_systems.zuul_pipelines, ci_systems.travis_pipelines, ci_systems.atlantis_pipelines,
            ci_systems.terraform_pipelines, ci_systems.shipit_pipelines, ci_systems.cdp_pipelines,
        ]
        for parse in parsers:
            try:
                pipes = list(parse(ctx))
            except Exception as err:  # one broken parser must not hide the other systems
                ctx.warn("repo", f"ci: {parse.__name__} failed: {type(err).__name__}: {err}")
                continue
            for pipe in pipes:
                yield pipeline_evidence(ctx, pipe)
                for job in pipe.jobs:
                    yield job_evidence(ctx, pipe, job)
        yield from external_ci(ctx)


# ==== CI defined outside the repository ========================================================

# Prow reads approvers from OWNERS files and runs the jobs a central config repository defines (kubernetes ->
# kubernetes/test-infra); OpenShift CI keeps them in openshift/release (`.ci-operator.yaml` points there).
_EXTERNAL_CI = (("prow", ("OWNERS", "OWNERS_ALIASES")), ("openshift-ci", (".ci-operator.yaml",)))


def external_ci(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    for system, names in _EXTERNAL_CI:
        found = sorted(f for f in tree.named(*names) if "/" not in f)  # at the top of the repository
        if found:
            yield ctx.file_evidence("ci.external", found[0], line=1, strength=Strength.WEAK,
                                    attributes={"system": system, "signal": found[0]},
                                    summary=f"{system} CI: jobs are defined in a central configuration repository")


# ==== GitHub Actions ===========================================================================

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


# ==== GitLab CI ================================================================================

GL_RESERVED = {"image", "services", "stages", "types", "before_script", "after_script", "variables", "cache",
               "include", "workflow", "default", "spec"}
GL_TEMPLATE_CLASSES = {
    "sast": {"security": "Security/SAST"}, "secret-detection": {"security": "Secret-Detection"},
    "dependency-scanning": {"security": "Dependency-Scanning"}, "container-scanning": {"security": "Container-Scanning"},
    "dast": {"security": "DAST"}, "license-scanning": {"security": "License-Scanning"},
    "code-quality": {"lint": "Code-Quality"}, "iac-sast": {"security": "SAST-IaC"}, "sast-iac": {"security": "SAST-IaC"},
}


def gitlab_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    roots = [p for p in tree.files if p.lower() == ".gitlab-ci.yml" or p.lower() == ".gitlab-ci.yaml"]
    seen: set[str] = set()
    queue = list(roots)
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        pipe, children = _gitlab_pipeline(ctx, path)
        if pipe is not None:
            yield pipe
        queue.extend(c for c in children if c not in seen)


def _gl_load(ctx: CollectContext, path: str, merged: dict[str, Any], origin: dict[str, str], templates: list[tuple[str, str, int | None]],
             seen: set[str], depth: int = 0) -> bool:
    """Merge `path` and its local includes into `merged` (later keys win, like GitLab). False if unreadable."""
    assert ctx.tree is not None
    if path in seen or depth > 8:
        return True
    seen.add(path)
    docs = ctx.tree.yaml_docs(path)
    config = [d for d in docs if isinstance(d, dict) and not (set(d) == {"spec"})]
    if not config:
        return False
    for doc in config:
        for inc in _gl_includes(doc.get("include")):
            kind, value = inc
            line = ctx.tree.line_of(path, str(value).split("/")[-1][:40]) if value else None
            if kind == "local":
                for local in _gl_local_paths(ctx, str(value)):
                    if not _gl_load(ctx, local, merged, origin, templates, seen, depth + 1):
                        ctx.warn("repo", "ci: GitLab include could not be read", local)
            else:
                templates.append((kind, str(value), line))
        for key, val in doc.items():
            if key == "include":
                continue
            merged[key] = val
            origin[str(key)] = path
    return True


def _gl_includes(inc: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for item in as_list(inc):
        if isinstance(item, str):
            out.append(("remote", item) if re.match(r"https?://", item) else ("local", item))
        elif isinstance(item, dict):
            if "local" in item:
                out.append(("local", str(item["local"])))
            elif "project" in item:
                for f in as_list(item.get("file")) or [""]:
                    out.append(("project", f"{item['project']}:{f}"))
            elif "component" in item:
                out.append(("component", str(item["component"])))
            elif "remote" in item:
                out.append(("remote", str(item["remote"])))
            elif "template" in item:
                out.append(("template", str(item["template"])))
    return out


def _gl_local_paths(ctx: CollectContext, value: str) -> list[str]:
    """Files a `local:` include names; GitLab's `*` stays inside one directory, `**` crosses them."""
    assert ctx.tree is not None
    rel = value.lstrip("/")
    if any(ch in rel for ch in "*?["):
        rx = re.compile("".join(".*" if part == "**" else "[^/]*" if part == "*" else "[^/]" if part == "?"
                                else re.escape(part) for part in re.split(r"(\*\*|\*|\?)", rel.lower())) + r"\Z")
        return [p for p in ctx.tree.glob(rel) if rx.match(p.lower())]
    return [rel] if ctx.tree.exists(rel) else []


@dataclass
class _GlConfig:
    """One GitLab pipeline file with its local includes merged, and what every job of it inherits."""

    path: str
    merged: dict[str, Any]
    origin: dict[str, str]  # top-level key -> file that defines it
    default: dict[str, Any]
    base_triggers: list[str]
    base_branches: list[str]
    freeze_wf: bool
    external: bool  # project/component/remote includes may define the hidden jobs local jobs extend


def _gitlab_pipeline(ctx: CollectContext, path: str) -> tuple[Pipeline | None, list[str]]:
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    templates: list[tuple[str, str, int | None]] = []
    if not _gl_load(ctx, path, merged, origin, templates, set()):
        return None, []
    pipe = Pipeline("gitlab-ci", path, path)
    pipe.templates = [f"{k}:{v}" if k in ("template",) else v for k, v, _ in templates if k != "local"]
    workflow = merged.get("workflow") if isinstance(merged.get("workflow"), dict) else {}
    base_triggers = ["push", "tag"]
    base_branches: list[str] = []
    freeze_wf = False
    if isinstance(workflow.get("rules"), list):
        wf = _gl_rules(workflow["rules"], base_triggers)
        base_triggers, base_branches, freeze_wf = wf[0], wf[1], wf[3]
    cfg = _GlConfig(path, merged, origin, merged.get("default") if isinstance(merged.get("default"), dict) else {},
                    base_triggers, base_branches, freeze_wf,
                    # project/component/remote includes (not GitLab's own `template:` files) may define the hidden
                    # jobs that local jobs extend: those jobs come from a shared pipeline library
                    any(k != "local" and k != "template" for k, _v, _l in templates))
    children: list[str] = []
    for name, body in merged.items():
        if not isinstance(body, dict) or str(name) in GL_RESERVED or str(name).startswith("."):
            continue
        job = _gl_job(ctx, cfg, name, body, children)
        if job is not None:
            pipe.jobs.append(job)
    pipe.jobs.extend(_gl_template_jobs(cfg, templates))
    pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
    return pipe, children


def _gl_job(ctx: CollectContext, cfg: _GlConfig, name: Any, body: dict[str, Any], children: list[str]) -> Job | None:
    """One job of the merged configuration (None for a job that runs nothing); child pipelines it triggers from
    local files are added to `children`."""
    merged, default = cfg.merged, cfg.default
    shared_base = _gl_external_base(merged, body) if cfg.external else None
    body = _gl_extends(merged, body)
    if not any(k in body for k in ("script", "trigger", "run")) and not shared_base:
        return None
    jpath = cfg.origin.get(str(name), cfg.path)
    job = Job(str(name), line=key_line(ctx, jpath, name), path=jpath if jpath != cfg.path else None,
              shared_base=shared_base)
    job.stage = str(body.get("stage") or "test")
    script = [_gl_deref(merged, body.get("before_script", default.get("before_script"))),
              _gl_deref(merged, body.get("script")), _gl_deref(merged, body.get("after_script", default.get("after_script")))]
    text = flatten_text(script)
    job.steps.append(Step(text))
    job.freeze_check = cfg.freeze_wf or "CI_DEPLOY_FREEZE" in text
    _gl_job_environment(job, body.get("environment"))
    _gl_job_rules(job, cfg, body)
    job.needs = [str(n.get("job")) if isinstance(n, dict) else str(n) for n in as_list(body.get("needs"))
                 if isinstance(n, str | dict)]
    trig = body.get("trigger")
    if trig is not None:
        if isinstance(trig, dict) and isinstance(trig.get("project"), str):
            job.template = str(trig["project"])
        for kind, value in _gl_includes(trig.get("include") if isinstance(trig, dict) else None):
            if kind == "local":
                children.extend(_gl_local_paths(ctx, value))
    return job


def _gl_job_environment(job: Job, env: Any) -> None:
    """`environment:` as a name or a mapping; stopping, accessing or verifying an environment deploys nothing."""
    if isinstance(env, dict):
        job.tier = str(env.get("deployment_tier")) if env.get("deployment_tier") else None
        if str(env.get("action") or "start") in ("stop", "access", "verify"):
            env_name = None
        else:
            env_name = env.get("name")
    else:
        env_name = env
    job.environment = str(env_name) if env_name else None


def _gl_job_rules(job: Job, cfg: _GlConfig, body: dict[str, Any]) -> None:
    """When the job runs: the workflow's triggers and branches, narrowed by its `rules:` or `only:`/`except:`."""
    job.triggers, job.branches = list(cfg.base_triggers), list(cfg.base_branches)
    if str(body.get("when") or "") == "manual":
        job.manual_gate = True
    if isinstance(body.get("rules"), list):
        trig, br, manual, freeze = _gl_rules(_gl_deref(cfg.merged, body["rules"]), cfg.base_triggers)
        job.triggers, job.branches = trig, br or cfg.base_branches
        job.manual_gate = job.manual_gate or manual
        job.freeze_check = job.freeze_check or freeze
    elif body.get("only") is not None or body.get("except") is not None:
        job.triggers, job.branches = _gl_only(body.get("only"), body.get("except"), cfg.base_triggers)


def _gl_template_jobs(cfg: _GlConfig, templates: list[tuple[str, str, int | None]]) -> Iterator[Job]:
    """Jobs that included templates add to the pipeline (SAST, secret detection, Auto DevOps, ...)."""
    for kind, value, line in templates:
        if kind == "local":
            continue
        low = value.lower()
        implied: dict[str, str] = {}
        for key, classes in GL_TEMPLATE_CLASSES.items():
            if key in low:
                implied.update(classes)
        env = None
        if "auto-devops" in low:
            implied.update({"test": "Auto-DevOps test", "security": "Auto-DevOps SAST", "deploy": "Auto-DevOps deploy"})
            env = "production"
        if implied:
            name = f"{posixpath.basename(value.split('@')[0]).replace('.gitlab-ci.yml', '')} (template)"
            yield Job(name, line=line, triggers=list(cfg.base_triggers), branches=list(cfg.base_branches),
                      environment=env, template=value, implied=implied)


def _gl_deref(merged: dict[str, Any], value: Any, depth: int = 0) -> Any:
    """Resolve GitLab `!reference [.job, key]` (the loader keeps it as a list of names)."""
    if depth > 5 or not isinstance(value, list):
        return value
    out: list[Any] = []
    for item in value:
        if (isinstance(item, list) and item and all(isinstance(x, str) for x in item)
                and isinstance(merged.get(item[0]), dict)):
            target: Any = merged
            for key in item:
                target = target.get(key) if isinstance(target, dict) else None
            target = _gl_deref(merged, target, depth + 1)
            out.extend(target if isinstance(target, list) else [target] if target is not None else [])
        else:
            out.append(item)
    return out


def _gl_external_base(merged: dict[str, Any], body: dict[str, Any], depth: int = 0) -> str | None:
    """The first `extends` parent (followed through local parents) that no local file defines."""
    if depth > 5:
        return None
    for parent in as_list(body.get("extends")):
        base = merged.get(str(parent))
        if base is None and str(parent).startswith("."):
            return str(parent)
        if isinstance(base, dict):
            found = _gl_external_base(merged, base, depth + 1)
            if found:
                return found
    return None


def _gl_extends(merged: dict[str, Any], body: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    ext = body.get("extends")
    if not ext or depth > 5:
        return body
    out: dict[str, Any] = {}
    for parent in as_list(ext):
        base = merged.get(str(parent))
        if isinstance(base, dict):
            out.update(_gl_extends(merged, base, depth + 1))
    out.update({k: v for k, v in body.items() if k != "extends"})
    return out


_GL_SOURCES = {"merge_request_event": "pull_request", "external_pull_request_event": "pull_request",
               "schedule": "schedule", "push": "push", "web": "manual", "api": "other", "trigger": "other",
               "pipeline": "other", "parent_pipeline": "other", "chat": "other"}


def _gl_rules(rules: list[Any], base: list[str]) -> tuple[list[str], list[str], bool, bool]:
    """(triggers, branch filters, manual, freeze check) from a `rules:` list."""
    triggers: list[str] = []
    branches: list[str] = []
    manual = freeze = False
    flat: list[Any] = []
    excluded: set[str] = set()  # sources a `when: never` rule turns away before any later rule sees them
    for r in rules:  # `!reference [.rules, x]` yields nested lists
        flat.extend(r if isinstance(r, list) else [r])
    for r in flat:
        if not isinstance(r, dict):
            continue
        cond = str(r.get("if") or "")
        if "CI_DEPLOY_FREEZE" in cond:
            freeze = True
        when = str(r.get("when") or "on_success")
        if when == "never":
            m = re.fullmatch(r"\s*\$CI_PIPELINE_SOURCE\s*==\s*['\"]?(\w+)['\"]?\s*", cond)
            if m and "changes" not in r and "exists" not in r:
                excluded.add(_GL_SOURCES.get(m.group(1), "other"))
            continue
        if when == "manual":
            manual = True
        if not cond:
            triggers.extend(t for t in base if t not in excluded)
            continue
        found: list[str] = []
        for src in re.findall(r"CI_PIPELINE_SOURCE\s*==\s*['\"]?(\w+)", cond):
            found.append(_GL_SOURCES.get(src, "other"))
        if re.search(r"CI_MERGE_REQUEST_(?:IID|ID|SOURCE|TARGET)", cond) and "!$CI_MERGE" not in cond.replace(" ", ""):
            found.append("pull_request")
        if re.search(r"(?<![!\w])\$CI_COMMIT_TAG\b(?!\s*==\s*null)", cond):
            found.append("tag")
        m = re.search(r"CI_COMMIT_(?:BRANCH|REF_NAME)\s*==\s*(\$CI_DEFAULT_BRANCH|['\"][^'\"]+['\"])", cond)
        if m:
            found.append("push")
            branches.append("$CI_DEFAULT_BRANCH" if m.group(1).startswith("$") else m.group(1).strip("'\""))
        elif re.search(r"\$CI_COMMIT_BRANCH\b", cond):
            found.append("push")
        elif re.search(r"\$CI_COMMIT_REF_NAME\s*=~", cond):
            found.append("push")  # a branch or tag name pattern: pipelines for pushed refs
        triggers.extend(found or [t for t in base if t not in excluded])
    return uniq(triggers), uniq(branches), manual, freeze


_GL_ONLY = {"branches": "push", "tags": "tag", "merge_requests": "pull_request", "schedules": "schedule",
            "web": "manual", "api": "other", "triggers": "other", "pipelines": "other", "external": "other",
            "pushes": "push", "chat": "other", "external_pull_requests": "pull_request"}


def _gl_only(only: Any, exc: Any, base: list[str]) -> tuple[list[str], list[str]]:
    refs = only.get("refs") if isinstance(only, dict) else only
    triggers: list[str] = []
    branches: list[str] = []
    for ref in as_list(refs):
        ref = str(ref)
        if ref in _GL_ONLY:
            triggers.append(_GL_ONLY[ref])
        else:
            triggers.append("push")
            branches.append(ref)
    if not as_list(refs):
        triggers = list(base)
    ex_refs = exc.get("refs") if isinstance(exc, dict) else exc
    removed = {_GL_ONLY[str(r)] for r in as_list(ex_refs) if str(r) in _GL_ONLY}
    triggers = [t for t in triggers if t not in removed]
    return uniq(triggers), branches


# ==== Azure Pipelines ==========================================================================

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
