"""Atlantis (`atlantis.yaml`): Terraform plan on pull requests, apply after approval."""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list
from wafops.scanner.core.vocabulary import is_production


def atlantis_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.named("atlantis.yaml", "atlantis.yml"):
        data = tree.yaml(path)
        if not isinstance(data, dict):
            continue
        pipe = Pipeline("atlantis", path, path, 1, triggers=["pull_request"])
        for proj in as_list(data.get("projects")):
            if not isinstance(proj, dict):
                continue
            name = str(proj.get("name") or proj.get("dir") or "project")
            reqs = [str(r) for r in as_list(proj.get("apply_requirements") or proj.get("plan_requirements"))]
            job = Job(name, line=tree.line_of(path, str(proj.get("name") or proj.get("dir") or "projects")), triggers=["pull_request"],
                      steps=[Step("terraform plan\nterraform apply")], manual_gate="approved" in reqs)
            ws = str(proj.get("workspace") or "")
            if is_production(ws, ctx.options.get("production_pattern")):
                job.environment = ws
            pipe.jobs.append(job)
        if pipe.jobs:
            yield pipe
