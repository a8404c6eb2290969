"""AWS CodeBuild buildspecs."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, flatten_text, key_line


def codebuild_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob("*buildspec*.yml", "*buildspec*.yaml"):
        base = posixpath.basename(path).lower()
        if not base.startswith("buildspec"):
            continue
        data = tree.yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("phases"), dict):
            continue
        texts = [flatten_text(ph.get("commands")) for ph in data["phases"].values() if isinstance(ph, dict)]
        job = Job(posixpath.basename(path), line=key_line(ctx, path, "phases"), triggers=["other"], steps=[Step("\n".join(texts))])
        yield Pipeline("codebuild", path, path, 1, triggers=["other"], jobs=[job])
