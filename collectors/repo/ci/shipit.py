"""Shipit (Shopify's deploy tool): deploy configuration kept in the repository."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, flatten_text, key_line, uniq
from wafops.scanner.core.model import Strength

# Shipit (Shopify's deploy tool): `shipit.yml` / `shipit.<stack>.yml` holds the deploy and rollback commands a stack
# runs; the stack (its environment) is chosen in Shipit and passed as $ENVIRONMENT. Deploys are started there
# (by a person or continuous delivery), so the trigger is `manual`.
_ENV_PATH = re.compile(r"([\w./-]+)/\$\{?ENVIRONMENT\}?\b")


def shipit_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob("shipit.yml", "shipit.*.yml", "shipit.yaml", "shipit.*.yaml"):
        if "/" in path:
            continue
        data = tree.yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("deploy"), dict):
            continue
        pipe = Pipeline("shipit", path, path, 1, triggers=["manual"])
        stack = posixpath.basename(path).split(".")[1] if path.count(".") >= 2 else ""
        for section in ("deploy", "rollback"):
            body = data.get(section)
            if not isinstance(body, dict):
                continue
            text = flatten_text(body.get("override") or body.get("pre") or body.get("post"))
            if not text:
                continue
            job = Job(section, line=key_line(ctx, path, section), triggers=["manual"], steps=[Step(text)])
            if section == "rollback":
                job.implied = {"rollback": "shipit rollback"}
            envs: list[str] = []
            for m in _ENV_PATH.finditer(text):
                prefix = m.group(1).strip("./") + "/"
                envs += [f[len(prefix):].split("/", 1)[0] for f in tree.files if f.startswith(prefix) and "/" in f[len(prefix):]]
            envs = uniq(envs)
            if stack:
                job.environment = stack
            elif envs:
                job.environment, job.env_candidates = "$ENVIRONMENT", envs
                job.strength = Strength.STRONG
            pipe.jobs.append(job)
        if pipe.jobs:
            yield pipe
