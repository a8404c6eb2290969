"""The CI collector: every system's parser fills the shared pipeline model (`ci_model`), which becomes
`ci.pipeline` and `ci.job` evidence once for all systems."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.repo.ci import (
    atlantis,
    azure,
    bitbucket,
    buildkite,
    cdp,
    circleci,
    cloudbuild,
    codebuild,
    drone,
    github_actions,
    gitlab,
    jenkins,
    prow,
    shipit,
    tekton,
    terraform,
    travis,
    zuul,
)
from wafops.collectors.repo.ci_model import job_evidence, pipeline_evidence
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Evidence, Strength, Subject

# in this order (the evidence keeps it)
PARSERS = (
    github_actions.github_pipelines, gitlab.gitlab_pipelines, azure.azure_pipelines, jenkins.jenkins_pipelines,
    circleci.circleci_pipelines, bitbucket.bitbucket_pipelines, codebuild.codebuild_pipelines,
    cloudbuild.cloudbuild_pipelines, buildkite.buildkite_pipelines, drone.drone_pipelines,
    tekton.tekton_pipelines, prow.prow_pipelines, zuul.zuul_pipelines, travis.travis_pipelines,
    atlantis.atlantis_pipelines, terraform.terraform_pipelines, shipit.shipit_pipelines, cdp.cdp_pipelines,
)


class CiCollector(Collector):
    name = "ci"
    reads = ("tree",)  # see Collector.reads
    source = "repo"
    description = "CI/CD pipeline definitions: triggers, jobs, step classes, environments, manual gates"
    controls = ("WAF-OPS-010", "WAF-OPS-050", "WAF-OPS-080", "WAF-OPS-090")

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterator[Evidence]:
        for parse in PARSERS:
            try:
                pipes = list(parse(ctx))
            except Exception as err:  # one broken parser must not hide the other systems
                ctx.warn("repo", f"ci: {parse.__name__} failed: {type(err).__name__}: {err}")
                continue
            for pipe in pipes:
                yield pipeline_evidence(ctx, pipe)
                for job in pipe.jobs:
                    yield job_evidence(ctx, pipe, job)
        yield from external_ci(ctx)

    def hcl_blocks(self, subject: Subject, ctx: CollectContext) -> Iterable[tuple[str, Wanted]]:
        return terraform.hcl_blocks(ctx.tree) if ctx.tree is not None else []


# ==== CI defined outside the repository ========================================================

# Prow reads approvers from OWNERS files and runs the jobs a central config repository defines (kubernetes ->
# kubernetes/test-infra); OpenShift CI keeps them in openshift/release (`.ci-operator.yaml` points there).
_EXTERNAL_CI = (("prow", ("OWNERS", "OWNERS_ALIASES")), ("openshift-ci", (".ci-operator.yaml",)))


def external_ci(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    for system, names in _EXTERNAL_CI:
        found = sorted(f for f in tree.named(*names) if "/" not in f)  # at the top of the repository
        if found:
            yield ctx.file_evidence("ci.external", found[0], line=1, strength=Strength.WEAK,
                                    attributes={"system": system, "signal": found[0]},
                                    summary=f"{system} CI: jobs are defined in a central configuration repository")
