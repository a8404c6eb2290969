"""Zalando CDP (`delivery.yaml`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text, uniq
from wafops.collectors.repo.ci_steps import classes_from_name

# `delivery.yaml`: a `pipeline` list of steps with `id`, `type` (script, process, deploy), `when` (branches and
# events), `commands` (desc + cmd) or a process `desc`/`config`; `depends_on` orders them.
_CDP_EVENTS = {"pull_request": "pull_request", "push": "push", "tag": "tag", "schedule": "schedule"}


def cdp_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.named("delivery.yaml", "delivery.yml"):
        if "/" in path:
            continue
        data = tree.yaml(path)
        steps = data.get("pipeline") if isinstance(data, dict) else None
        if not isinstance(steps, list) or not any(isinstance(st, dict) and "id" in st and "type" in st for st in steps):
            continue
        pipe = Pipeline("cdp", path, path, 1)
        for st in steps:
            if not isinstance(st, dict) or not st.get("id"):
                continue
            name = str(st["id"])
            triggers: list[str] = []
            branches: list[str] = []
            for cond in as_list(st.get("when")):
                if not isinstance(cond, dict):
                    continue
                ev = cond.get("event")
                br = [str(b) for b in as_list(cond.get("branch"))]
                branches += br
                triggers.append(_CDP_EVENTS.get(str(ev), "other") if ev else "push")
            job = Job(name, line=tree.line_of(path, re.compile(r"-\s*id:\s*['\"]?" + re.escape(name))),
                      triggers=uniq(triggers) or ["push", "pull_request"], branches=uniq(branches))
            job.needs = [str(d) for d in as_list(st.get("depends_on"))]
            text = flatten_text([c.get("cmd") for c in as_list(st.get("commands")) if isinstance(c, dict)])
            desc = " ".join(str(x) for x in [st.get("desc")] + [c.get("desc") for c in as_list(st.get("commands"))
                                                                 if isinstance(c, dict)] if x)
            job.steps.append(Step(text))
            job.implied = classes_from_name(f"{name} {desc}".replace(" ", "-"), "CDP step")
            if str(st.get("type")) == "deploy":
                job.implied["deploy"] = f"CDP deploy step {name}"[:60]
            pipe.jobs.append(job)
        if pipe.jobs:
            pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
            yield pipe
