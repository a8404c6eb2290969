"""CI/CD pipelines declared in Terraform (`aws_codepipeline`, `aws_codebuild_project`,
`azuredevops_build_definition`, `google_cloudbuild_trigger`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.hcl import blocks, first
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.vocabulary import is_production

_TF_PIPES = ("aws_codepipeline", "aws_codebuild_project", "azuredevops_build_definition", "google_cloudbuild_trigger")


WANTED = Wanted(resource_types=frozenset(_TF_PIPES))  # the blocks `terraform_pipelines` reads from a parse


def hcl_blocks(tree: RepoTree) -> list[tuple[str, Wanted]]:
    """The .tf files `terraform_pipelines` parses, and the blocks it reads."""
    return [(path, WANTED) for path in _paths(tree)]


def _paths(tree: RepoTree) -> list[str]:
    return [path for path, text in tree.iter_text(tree.with_suffix(".tf")) if any(f'"{t}"' in text for t in _TF_PIPES)]


def terraform_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in _paths(tree):
        for b in blocks(tree.hcl(path, WANTED)):
            if b.type != "resource" or len(b.labels) < 2 or b.labels[0] not in _TF_PIPES:
                continue
            rtype, rname = b.labels[0], b.labels[1]
            line = tree.line_of(path, re.compile(rf'resource\s+"{rtype}"\s+"{re.escape(rname)}"'))
            yield _tf_pipeline(ctx, path, line, rtype, rname, b.body)


def _tf_pipeline(ctx: CollectContext, path: str, line: int | None, rtype: str, rname: str, body: dict[str, Any]) -> Pipeline:
    system = {"aws_codepipeline": "aws-codepipeline", "aws_codebuild_project": "codebuild",
              "azuredevops_build_definition": "azuredevops", "google_cloudbuild_trigger": "google-cloudbuild"}[rtype]
    pipe = Pipeline(system, path, f"{rtype}.{rname}", line, triggers=["other"])
    if rtype == "aws_codepipeline":
        approved = False
        for stage in as_list(body.get("stage")):
            if not isinstance(stage, dict):
                continue
            sname = str(stage.get("name") or "stage")
            job = Job(sname, line=ctx.tree.line_of(path, re.compile(r"name\s*=\s*\"" + re.escape(sname) + '"'), line or 1)
                      if ctx.tree else line, triggers=["push"])
            for action in as_list(stage.get("action")):
                if not isinstance(action, dict):
                    continue
                cat = str(action.get("category") or "").lower()
                prov = str(action.get("provider") or "")
                if cat == "approval":
                    approved = True
                elif cat == "deploy":
                    job.implied.setdefault("deploy", f"CodePipeline {prov} deploy")
                elif cat == "build":
                    job.implied.setdefault("build", f"CodePipeline {prov} build")
                elif cat == "test":
                    job.implied.setdefault("test", f"CodePipeline {prov} test")
            job.manual_gate = approved and "deploy" in job.implied
            if is_production(sname, ctx.options.get("production_pattern")):
                job.environment = sname
            if job.implied or job.manual_gate:
                pipe.jobs.append(job)
            elif any(isinstance(a, dict) and str(a.get("category")).lower() == "source" for a in as_list(stage.get("action"))):
                continue
            else:
                pipe.jobs.append(job)
        pipe.triggers = ["push"]
    else:
        src = first(body.get("source"))
        text = flatten_text(src.get("buildspec")) if isinstance(src, dict) else ""
        trig = ["other"]
        gh = first(body.get("github"))
        if isinstance(gh, dict):
            trig = ["pull_request"] if gh.get("pull_request") else ["push"]
        ci = first(body.get("ci_trigger"))
        if isinstance(ci, dict):
            trig = ["push"]
        pipe.triggers = trig
        pipe.jobs.append(Job(rname, line=line, triggers=trig, steps=[Step(text)]))
    return pipe
