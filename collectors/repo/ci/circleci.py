"""CircleCI (`.circleci/config.yml`): workflows, jobs, commands and approval jobs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text, key_line, uniq
from wafops.scanner.core.model import Strength
from wafops.scanner.core.vocabulary import is_production


def circleci_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob(".circleci/*.yml", ".circleci/*.yaml"):
        if path.count("/") != 1:
            continue
        data = tree.yaml(path)
        if not isinstance(data, dict) or not (isinstance(data.get("jobs"), dict) or isinstance(data.get("workflows"), dict)):
            continue
        yield _circleci(ctx, path, data)


def _circle_steps(step_list: Any, commands: dict[str, Any], depth: int = 0) -> list[str]:
    out: list[str] = []
    for st in as_list(step_list):
        if isinstance(st, str):
            out.append(st)
            if st in commands and depth < 4:
                out.extend(_circle_steps(commands[st].get("steps") if isinstance(commands[st], dict) else None, commands, depth + 1))
        elif isinstance(st, dict):
            for key, val in st.items():
                if key == "run":
                    out.append(flatten_text(val.get("command") if isinstance(val, dict) else val))
                else:
                    out.append(str(key))
                    if isinstance(val, dict):
                        out.extend(flatten_text(v) for k, v in val.items() if k in ("command", "args", "script"))
                    if key in commands and isinstance(commands[key], dict) and depth < 4:
                        out.extend(_circle_steps(commands[key].get("steps"), commands, depth + 1))
    return out


def _circleci(ctx: CollectContext, path: str, data: dict[str, Any]) -> Pipeline:
    pipe = Pipeline("circleci", path, path, 1)
    orbs = data.get("orbs") if isinstance(data.get("orbs"), dict) else {}
    pipe.templates = [str(v) for v in orbs.values() if isinstance(v, str)]
    jobs_def = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
    commands = data.get("commands") if isinstance(data.get("commands"), dict) else {}
    workflows = data.get("workflows") if isinstance(data.get("workflows"), dict) else {}
    wf_line = key_line(ctx, path, "workflows") or 1
    entries: list[tuple[str, str, dict[str, Any], list[str], list[str]]] = []
    for wf_name, wf in workflows.items():
        if not isinstance(wf, dict):
            continue
        wf_triggers = ["push"]
        crons = []
        for t in as_list(wf.get("triggers")):
            if isinstance(t, dict) and isinstance(t.get("schedule"), dict) and t["schedule"].get("cron"):
                crons.append(str(t["schedule"]["cron"]))
        if crons:
            wf_triggers = ["schedule"]
            pipe.schedules.extend(crons)
        if isinstance(wf.get("when"), str | dict) and "scheduled_pipeline" in str(wf.get("when")):
            wf_triggers = ["schedule"]
        for item in as_list(wf.get("jobs")):
            if isinstance(item, str):
                entries.append((str(wf_name), item, {}, list(wf_triggers), []))
            elif isinstance(item, dict):
                for ref, cfg in item.items():
                    cfg = cfg if isinstance(cfg, dict) else {}
                    trig, branches = list(wf_triggers), []
                    filters = cfg.get("filters") if isinstance(cfg.get("filters"), dict) else {}
                    br = filters.get("branches") if isinstance(filters.get("branches"), dict) else {}
                    tags = filters.get("tags") if isinstance(filters.get("tags"), dict) else {}
                    if br.get("only") is not None:
                        branches = [str(b) for b in as_list(br["only"])]
                    if tags.get("only") is not None:
                        trig = ["tag"] + ([] if str(br.get("ignore")) in ("/.*/", ".*") else ["push"])
                    entries.append((str(wf_name), str(ref), cfg, trig, branches))
    if not workflows:
        for name in jobs_def:
            entries.append(("", str(name), {}, ["push"], []))
    approvals = {str(cfg.get("name") or ref) for _, ref, cfg, _, _ in entries if cfg.get("type") == "approval"}
    requires = {str(cfg.get("name") or ref): [str(r) for r in as_list(cfg.get("requires"))] for _, ref, cfg, _, _ in entries}

    def gated(name: str, seen: set[str]) -> bool:
        for r in requires.get(name, []):
            if r in approvals or (r not in seen and gated(r, seen | {r})):
                return True
        return False

    for _wf, ref, cfg, trig, branches in entries:
        if cfg.get("type") == "approval":
            continue
        name = str(cfg.get("name") or ref)
        body = jobs_def.get(ref) if isinstance(jobs_def.get(ref), dict) else {}
        texts = [ref] + _circle_steps(body.get("steps"), commands)
        job = Job(name, line=key_line(ctx, path, ref, wf_line) or key_line(ctx, path, ref), triggers=trig, branches=branches)
        job.steps.append(Step("\n".join(texts)))
        job.needs = requires.get(name, [])
        job.manual_gate = gated(name, {name})
        if "/" in ref:
            job.template = ref
        for context in as_list(cfg.get("context")):
            if is_production(str(context), ctx.options.get("production_pattern")):
                job.environment, job.strength = str(context), Strength.STRONG
        pipe.jobs.append(job)
    pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
    return pipe
