"""CI/CD pipeline definitions (D-CI) -> `ci.pipeline` and `ci.job` evidence.

Reads GitHub Actions, GitLab CI (with local includes), Azure Pipelines (with local templates), Jenkins,
CircleCI, Bitbucket, CodeBuild, Cloud Build, Buildkite, Drone, Tekton, Prow, Zuul, Travis, Atlantis,
Shipit, Zalando CDP and Terraform-declared pipelines: one module per system. Parsers fill the model of
`ci_model`; classification and production detection happen there, once for all systems.

A malformed file yields a warning and the other pipelines are still collected.
"""

from wafops.collectors.repo.ci.collector import CiCollector

__all__ = ["CiCollector"]
