"""Travis CI (`.travis.yml`)."""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text, key_line
from wafops.scanner.core.model import Strength


def travis_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    if not tree.exists(".travis.yml"):
        return
    data = tree.yaml(".travis.yml")
    if not isinstance(data, dict):
        return
    texts = [flatten_text(data.get(k)) for k in ("install", "before_script", "script", "after_success")]
    for d in as_list(data.get("deploy")):
        if isinstance(d, dict) and d.get("provider"):
            prov = str(d["provider"]).lower()
            texts.append({"pypi": "twine upload", "npm": "npm publish", "releases": "gh release create"}.get(prov, f"{prov} deploy"))
    triggers = ["push", "pull_request"]
    job = Job("travis", line=key_line(ctx, ".travis.yml", "script") or 1, triggers=triggers, steps=[Step("\n".join(texts))])
    yield Pipeline("travis", ".travis.yml", ".travis.yml", 1, triggers=triggers, jobs=[job], strength=Strength.STRONG)
