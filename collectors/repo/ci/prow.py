"""Prow jobs (Kubernetes ecosystem) declared in the repository."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text, uniq

_PROW_KINDS = {"presubmits": "pull_request", "postsubmits": "push", "periodics": "schedule"}


def prow_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    """In-repo Prow jobs (`.prow.yaml`, `.prow/*.yaml`): presubmits run on PRs, postsubmits on merges,
    periodics on a schedule. Their commands are the pod containers' `command` + `args`."""
    tree = ctx.tree
    assert tree is not None
    for path in tree.named(".prow.yaml", ".prow.yml") + tree.glob(".prow/*.yaml", ".prow/*.yml"):
        data = tree.yaml(path)
        if not isinstance(data, dict):
            continue
        pipe = Pipeline("prow", path, path, 1)
        for key, trigger in _PROW_KINDS.items():
            for pj in as_list(data.get(key)):
                if not isinstance(pj, dict) or not pj.get("name"):
                    continue
                name = str(pj["name"])
                spec = pj.get("spec") if isinstance(pj.get("spec"), dict) else {}
                text = "\n".join(" ".join(flatten_text(c.get(k)).replace("\n", " ") for k in ("command", "args"))
                                 for c in as_list(spec.get("containers")) if isinstance(c, dict))
                job = Job(name, line=tree.line_of(path, re.compile(r"name:\s*['\"]?" + re.escape(name))),
                          triggers=[trigger], steps=[Step(text)])
                job.branches = [str(b).strip("^$") for b in as_list(pj.get("branches"))]
                if trigger == "schedule":
                    cron = pj.get("cron")
                    if cron:
                        pipe.schedules.append(str(cron))
                pipe.jobs.append(job)
        if pipe.jobs:
            pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
            yield pipe
