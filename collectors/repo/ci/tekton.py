"""Tekton Pipelines as Code (`.tekton/`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text, uniq


def tekton_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob(".tekton/*.yml", ".tekton/*.yaml"):
        for doc in tree.yaml_docs(path):
            if not isinstance(doc, dict) or doc.get("kind") not in ("Pipeline", "PipelineRun"):
                continue
            meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
            ann = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
            on = str(ann.get("pipelinesascode.tekton.dev/on-event") or "")
            triggers = uniq(["pull_request" if "pull_request" in on else "", "push" if "push" in on else ""]) or ["other"]
            triggers = [t for t in triggers if t] or ["other"]
            spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
            pspec = spec.get("pipelineSpec") if isinstance(spec.get("pipelineSpec"), dict) else spec
            pipe = Pipeline("tekton", path, str(meta.get("name") or path), 1, triggers=triggers)
            for task in as_list(pspec.get("tasks")) + as_list(pspec.get("finally")):
                if not isinstance(task, dict):
                    continue
                name = str(task.get("name") or "task")
                ref = task.get("taskRef") if isinstance(task.get("taskRef"), dict) else {}
                tspec = task.get("taskSpec") if isinstance(task.get("taskSpec"), dict) else {}
                text = "\n".join([str(ref.get("name") or "")] + [flatten_text([s.get("script"), s.get("args"), s.get("command")])
                                                                   for s in as_list(tspec.get("steps")) if isinstance(s, dict)])
                job = Job(name, line=tree.line_of(path, re.compile(r"-\s*name:\s*['\"]?" + re.escape(name))), triggers=triggers,
                          steps=[Step(text)], needs=[str(x) for x in as_list(task.get("runAfter"))])
                pipe.jobs.append(job)
            if pipe.jobs:
                yield pipe
