"""GitLab CI (`.gitlab-ci.yml`) with its local includes merged the way GitLab merges them, `extends:` and `!reference`, and
the jobs included templates add."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text, key_line, uniq

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
