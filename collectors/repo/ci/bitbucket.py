"""Bitbucket Pipelines (`bitbucket-pipelines.yml`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text, key_line, uniq


def bitbucket_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.named("bitbucket-pipelines.yml", "bitbucket-pipelines.yaml"):
        data = tree.yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("pipelines"), dict):
            continue
        pipe = Pipeline("bitbucket", path, path, 1)
        sections = data["pipelines"]
        for section, spec in sections.items():
            section = str(section)
            if section == "default":
                groups = [("", "push", [], spec)]
            elif section in ("branches", "tags", "pull-requests", "custom") and isinstance(spec, dict):
                trig = {"branches": "push", "tags": "tag", "pull-requests": "pull_request", "custom": "manual"}[section]
                groups = [(str(k), trig, [str(k)] if section == "branches" else [], v) for k, v in spec.items()]
            else:
                continue
            for label, trig, branches, items in groups:
                _bb_items(ctx, pipe, section, label, trig, branches, items, None, False)
        pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
        yield pipe


def _bb_items(ctx: CollectContext, pipe: Pipeline, section: str, label: str, trig: str, branches: list[str], items: Any,
              deployment: str | None, manual: bool) -> None:
    for item in as_list(items):
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("parallel"), list | dict):
            par = item["parallel"]
            _bb_items(ctx, pipe, section, label, trig, branches, par.get("steps") if isinstance(par, dict) else par, deployment, manual)
        if isinstance(item.get("stage"), dict):
            st = item["stage"]
            _bb_items(ctx, pipe, section, label, trig, branches, st.get("steps"), st.get("deployment") or deployment,
                      manual or st.get("trigger") == "manual")
        step = item.get("step")
        if not isinstance(step, dict):
            continue
        name = str(step.get("name") or f"{section} {label}".strip())
        texts = []
        for line in as_list(step.get("script")) + as_list(step.get("after-script")):
            if isinstance(line, dict) and line.get("pipe"):
                texts.append(str(line["pipe"]))
            else:
                texts.append(flatten_text(line))
        assert ctx.tree is not None
        line_no = ctx.tree.line_of(pipe.path, re.compile(r"name:\s*['\"]?" + re.escape(name))) if step.get("name") else None
        job = Job(name, line=line_no or key_line(ctx, pipe.path, label or section), triggers=[trig], branches=branches)
        job.environment = str(step.get("deployment") or deployment) if (step.get("deployment") or deployment) else None
        job.manual_gate = manual or step.get("trigger") == "manual"
        job.steps.append(Step("\n".join(texts)))
        pipe.jobs.append(job)
