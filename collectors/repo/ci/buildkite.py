"""Buildkite pipelines."""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text


def buildkite_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob(".buildkite/*.yml", ".buildkite/*.yaml", "buildkite.yml", "buildkite.yaml"):
        data = tree.yaml(path)
        steps = data.get("steps") if isinstance(data, dict) else data if isinstance(data, list) else None
        if not isinstance(steps, list):
            continue
        pipe = Pipeline("buildkite", path, path, 1, triggers=["push"])
        blocked = False
        for i, st in enumerate(steps):
            if isinstance(st, dict) and ("block" in st or "input" in st):
                blocked = True
                continue
            items = st.get("group") and st.get("steps") if isinstance(st, dict) else None
            for sub in (items if isinstance(items, list) else [st]):
                if not isinstance(sub, dict) or not (sub.get("command") or sub.get("commands") or sub.get("plugins") or sub.get("trigger")):
                    continue
                name = str(sub.get("label") or sub.get("key") or sub.get("name") or f"step {i + 1}")
                text = flatten_text([sub.get("command"), sub.get("commands"), sub.get("trigger")])
                plugins = sub.get("plugins")
                text += "\n" + "\n".join(str(k) for p in as_list(plugins) for k in (p if isinstance(p, dict) else {p: None}))
                job = Job(name, line=ctx.tree.line_of(path, name), triggers=["push"], manual_gate=blocked, steps=[Step(text)])
                job.needs = [str(d) for d in as_list(sub.get("depends_on")) if isinstance(d, str)]
                if sub.get("branches"):
                    job.branches = str(sub["branches"]).split()
                pipe.jobs.append(job)
        yield pipe
