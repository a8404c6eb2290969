"""Drone CI (`.drone.yml`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text, uniq
from wafops.scanner.core.vocabulary import is_production


def drone_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.named(".drone.yml", ".drone.yaml"):
        pipe = Pipeline("drone", path, path, 1)
        for doc in tree.yaml_docs(path):
            if not isinstance(doc, dict) or doc.get("kind") not in (None, "pipeline") or not isinstance(doc.get("steps"), list):
                continue
            trig = doc.get("trigger") if isinstance(doc.get("trigger"), dict) else {}
            events = [str(e) for e in as_list(trig.get("event"))] or ["push", "pull_request", "tag"]
            mapped = uniq([{"push": "push", "pull_request": "pull_request", "tag": "tag", "cron": "schedule", "promote": "manual",
                            "rollback": "manual", "custom": "manual"}.get(e, "other") for e in events])
            target = [str(t) for t in as_list(trig.get("target"))]
            name = str(doc.get("name") or "default")
            texts = [flatten_text(s.get("commands")) + "\n" + str(s.get("image") or "") for s in doc["steps"] if isinstance(s, dict)]
            job = Job(name, line=tree.line_of(path, re.compile(r"^name:\s*['\"]?" + re.escape(name))), triggers=mapped,
                      steps=[Step("\n".join(texts))])
            job.branches = [str(b) for b in as_list(trig.get("branch"))]
            prod = [t for t in target if is_production(t, ctx.options.get("production_pattern"))]
            if prod:
                job.environment = prod[0]
                job.manual_gate = "promote" in events
            job.needs = [str(d) for d in as_list(doc.get("depends_on"))]
            pipe.jobs.append(job)
        if pipe.jobs:
            pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
            yield pipe
