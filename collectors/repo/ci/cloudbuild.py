"""Google Cloud Build (`cloudbuild.yaml`), with the Cloud Deploy targets a release goes to."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, flatten_text, key_line, uniq
from wafops.scanner.core.hcl import blocks, first
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Strength
from wafops.scanner.core.vocabulary import is_production


def cloudbuild_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob("*cloudbuild*.yml", "*cloudbuild*.yaml"):
        if not posixpath.basename(path).lower().startswith("cloudbuild"):
            continue
        data = tree.yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
            continue
        texts = []
        for st in data["steps"]:
            if isinstance(st, dict):
                parts = (flatten_text(st.get(k)).replace("\n", " ").strip() for k in ("name", "entrypoint", "args"))
                texts.append(" ".join(p for p in parts if p))
                texts.append(flatten_text(st.get("script")))
        job = Job(posixpath.basename(path), line=key_line(ctx, path, "steps"), triggers=["other"], steps=[Step("\n".join(texts))])
        if _CLOUD_DEPLOY_RELEASE.search(job.steps[0].text):
            _cloud_deploy_targets(ctx, job)
        yield Pipeline("cloudbuild", path, path, 1, triggers=["other"], jobs=[job])


# `gcloud deploy releases create --delivery-pipeline=x` hands the release to a Cloud Deploy delivery pipeline, which
# promotes it through its targets; the targets the repository declares (Terraform `google_clouddeploy_target`,
# or a `kind: Target` in Cloud Deploy YAML) are where the job's releases go.
_DEPLOY_TARGETS = Wanted(resource_types=frozenset({"google_clouddeploy_target"}))
_CLOUD_DEPLOY_RELEASE = re.compile(r"\bgcloud deploy releases create\b|--delivery-pipeline\b")


def _cloud_deploy_targets(ctx: CollectContext, job: Job) -> None:
    tree = ctx.tree
    assert tree is not None
    names: list[str] = []
    for path in tree.with_suffix(".tf"):
        text = tree.text(path) or ""
        if '"google_clouddeploy_target"' not in text:
            continue
        for b in blocks(tree.hcl(path, _DEPLOY_TARGETS)):
            if b.type == "resource" and len(b.labels) >= 2 and b.labels[0] == "google_clouddeploy_target":
                name = b.body.get("name")
                name = first(name) if isinstance(name, list) else name
                names.append(str(name) if isinstance(name, str) and "${" not in name else b.labels[1])
    for path in tree.glob("*clouddeploy*.yaml", "*clouddeploy*.yml", "*deploy*/*.yaml"):
        for doc in tree.yaml_docs(path):
            if isinstance(doc, dict) and doc.get("kind") == "Target" and "deploy.cloud.google.com" in str(doc.get("apiVersion")):
                meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
                if meta.get("name"):
                    names.append(str(meta["name"]))
    names = uniq(names)
    if not names:
        return
    prod = [n for n in names if is_production(n, ctx.options.get("production_pattern"))]
    job.environment = prod[0] if prod else names[-1]
    job.env_candidates = names
    job.strength = Strength.STRONG
