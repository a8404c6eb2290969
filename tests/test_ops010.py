"""WAF-OPS-010 level pins on small synthetic repositories (real files through the collectors)."""

from __future__ import annotations

from wafops.collectors.repo.ci import CiCollector
from wafops.collectors.repo.deploy import DeployCollector
from wafops.scanner.core.model import ControlStatus, Evidence, Locator, Outcome, Strength

from tests.helpers import collect_with, evaluate, write_tree

LIB_CI = """name: ci
on:
  pull_request:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e .[test]
      - run: pytest
"""
LIB_RELEASE = """on:
  push:
    tags: ['v*']
jobs:
  publish:
    environment: pypi
    runs-on: ubuntu-latest
    steps:
      - run: python -m build
      - uses: pypa/gh-action-pypi-publish@release/v1
"""
SERVICE_CI = """on:
  pull_request:
  push:
    branches: [main]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: golangci-lint run
  test:
    runs-on: ubuntu-latest
    steps:
      - run: go test ./...
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: aquasecurity/trivy-action@0.24.0
  deploy:
    if: github.event_name == 'push'
    needs: [lint, test, scan]
    environment: production
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install api ./chart --atomic
      - run: datadog-ci dora deployment --service api
"""
ROLLOUT = """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: api}
spec:
  strategy:
    canary:
      analysis: {templates: [{templateName: errors}]}
      steps: [{setWeight: 10}, {pause: {duration: 2m}}, {setWeight: 50}]
"""


def repo_evidence(tmp_path, files):
    write_tree(tmp_path, files)
    ev = []
    for c in (CiCollector(), DeployCollector()):
        ev += collect_with(c, tmp_path)[0]
    return ev


def platform(kind, source="github", **attrs):
    return Evidence(kind, "local:test", source, Locator(url=f"https://api.github.com/x/{kind}"), attrs)


def crit(result, cid):
    return next(c for c in result.criteria if c.id == cid)


def test_empty_repo_is_level_1_assessed(tmp_path):
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path, {"README.md": "# x\n"}))
    assert (r.level, r.status) == (1, ControlStatus.ASSESSED)
    assert crit(r, "ops010-pipeline-defined").status is Outcome.NOT_MET


def test_no_repo_scanned_is_not_assessed():
    r = evaluate("WAF-OPS-010", [], github="ok")
    assert r.status is ControlStatus.NOT_ASSESSED and r.level is None


def test_library_with_pr_tests_is_level_2(tmp_path):
    ev = repo_evidence(tmp_path, {".github/workflows/ci.yml": LIB_CI, ".github/workflows/release.yml": LIB_RELEASE})
    r = evaluate("WAF-OPS-010", ev)
    assert (r.level, r.status) == (2, ControlStatus.ASSESSED)
    # a package that deploys nothing delivers by publishing: the tag-triggered PyPI publish is its production
    # delivery (calibration: a library's release environment is its production); level 3 still fails on the
    # missing lint and security stages
    prod = crit(r, "ops010-prod-deploy-automated")
    assert prod.status is Outcome.MET and "publish" in prod.reason
    assert crit(r, "ops010-quality-stages").status is Outcome.NOT_MET


def test_tests_only_on_main_is_level_1(tmp_path):
    wf = LIB_CI.replace("  pull_request:\n", "")
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path, {".github/workflows/ci.yml": wf}))
    assert r.level == 1 and crit(r, "ops010-tests-on-pr").status is Outcome.NOT_MET
    assert "none on pull/merge requests" in crit(r, "ops010-tests-on-pr").reason


def test_gitlab_branch_pipelines_count_as_pr_testing(tmp_path):
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path, {".gitlab-ci.yml": "test:\n  script: [npm ci, npm test]\n"}))
    assert r.level == 2
    assert crit(r, "ops010-tests-on-pr").strength is Strength.STRONG


def test_service_without_github_source_is_level_3_unconfirmed_naming_github(tmp_path):
    ev = repo_evidence(tmp_path, {".github/workflows/cd.yml": SERVICE_CI})
    r = evaluate("WAF-OPS-010", ev)
    # v2: the pipeline deploys production (defining) and runs lint, tests and a scan; the approval gate and the
    # branch rule live in GitHub and were not read, so they neither count for nor against level 3: the estimate
    # is 3, the strict floor (every criterion met) stays 2 until GitHub is read
    assert (r.level, r.confirmed_level) == (3, 2)
    assert {p["criterion"] for p in r.pending} >= {"ops010-prod-approval-gate", "ops010-default-branch-pr"}
    assert crit(r, "ops010-prod-deploy-automated").status is Outcome.MET
    assert crit(r, "ops010-quality-stages").status is Outcome.MET
    gate = crit(r, "ops010-prod-approval-gate")
    assert gate.status is Outcome.NOT_ASSESSED and "github" in gate.reason
    assert crit(r, "ops010-default-branch-pr").status is Outcome.NOT_ASSESSED
    assert "github" in r.missing_sources


def test_service_with_platform_settings_reaches_level_3(tmp_path):
    ev = repo_evidence(tmp_path, {".github/workflows/cd.yml": SERVICE_CI})
    ev += [platform("scm.environment", name="production", production=True, required_reviewers=1),
           platform("scm.branch_rules", branch="main", requires_pr=True, required_reviews=1)]
    r = evaluate("WAF-OPS-010", ev, repo="ok", git="ok", github="ok")
    assert r.level == 3
    # helm --atomic rolls back, datadog-ci sends DORA events, but nothing rolls out progressively
    assert crit(r, "ops010-auto-rollback").status is Outcome.MET
    assert crit(r, "ops010-delivery-metrics").status is Outcome.MET
    assert crit(r, "ops010-progressive-delivery").status is Outcome.NOT_MET
    assert crit(r, "ops010-pipeline-fast").status is Outcome.NOT_MET  # github read, no run durations
    assert r.status is ControlStatus.ASSESSED


def test_missing_platform_settings_are_not_met_when_github_was_read(tmp_path):
    ev = repo_evidence(tmp_path, {".github/workflows/cd.yml": SERVICE_CI})
    r = evaluate("WAF-OPS-010", ev, repo="ok", git="ok", github="ok")
    assert (r.level, r.status) == (2, ControlStatus.ASSESSED)
    assert crit(r, "ops010-prod-approval-gate").status is Outcome.NOT_MET


def test_unreadable_environments_stay_not_assessed(tmp_path):
    ev = repo_evidence(tmp_path, {".github/workflows/cd.yml": SERVICE_CI})
    ev.append(platform("scm.unreadable", what="environments", reason="token lacks Environments:read"))
    r = evaluate("WAF-OPS-010", ev, repo="ok", git="ok", github="partial")
    gate = crit(r, "ops010-prod-approval-gate")
    assert gate.status is Outcome.NOT_ASSESSED and "Environments:read" in gate.reason


def test_gitlab_manual_production_job_is_an_approval_gate(tmp_path):
    ci = """stages: [test, deploy]
lint:
  script: [yamllint .]
test:
  script: [pytest]
include:
  - template: Jobs/SAST.gitlab-ci.yml
deploy:
  stage: deploy
  script: [terraform apply -auto-approve]
  environment: {name: production}
  when: manual
  only: [main]
"""
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path, {".gitlab-ci.yml": ci}))
    gate = crit(r, "ops010-prod-approval-gate")
    assert gate.status is Outcome.MET and gate.strength is Strength.STRONG
    assert crit(r, "ops010-quality-stages").status is Outcome.MET
    # the branch rule still needs the platform: level 3 is the estimate, 2 the confirmed floor
    assert crit(r, "ops010-default-branch-pr").status is Outcome.NOT_ASSESSED
    assert (r.level, r.confirmed_level) == (3, 2)


def test_unnamed_deploy_job_cannot_confirm_production(tmp_path):
    wf = SERVICE_CI.replace("    environment: production\n", "")
    ev = repo_evidence(tmp_path, {".github/workflows/cd.yml": wf})
    r = evaluate("WAF-OPS-010", ev, repo="ok", git="ok", github="ok")
    c = crit(r, "ops010-prod-deploy-automated")
    assert c.status is Outcome.NOT_ASSESSED and "cannot confirm" in c.reason


def test_continuous_deployment_reaches_level_5(tmp_path):
    ci = SERVICE_CI + """  shared-build:
    uses: acme/platform/.github/workflows/go-build.yml@v3
  shared-scan:
    uses: acme/platform/.github/workflows/scan.yml@v3
  shared-release:
    uses: acme/platform/.github/workflows/release.yml@v3
  shared-docs:
    uses: acme/platform/.github/workflows/docs.yml@v3
  shared-sbom:
    uses: acme/platform/.github/workflows/sbom.yml@v3
"""
    ev = repo_evidence(tmp_path, {".github/workflows/cd.yml": ci, "deploy/rollout.yaml": ROLLOUT})
    ev += [platform("scm.environment", name="production", production=True, required_reviewers=1),
           platform("scm.branch_rules", branch="main", requires_pr=True),
           platform("scm.runs", window_days=30, p50_duration_min=8.5),
           platform("dora.metrics", window_days=90, deploys=190, deploys_per_working_day=3.0,
                    change_failure_rate=0.03, sample={"deployment_frequency": 195}, insufficient=[]),
           Evidence("deploy.flag_service", "local:test", "repo", Locator(path="infra/flags.tf", line=1), {"tool": "appconfig"})]
    r = evaluate("WAF-OPS-010", ev, repo="ok", git="ok", github="ok")
    assert r.level == 5 and r.status is ControlStatus.ASSESSED


def test_slow_pipeline_and_rare_deploys_block_levels_4_and_5(tmp_path):
    ev = repo_evidence(tmp_path, {".github/workflows/cd.yml": SERVICE_CI, "deploy/rollout.yaml": ROLLOUT})
    ev += [platform("scm.environment", name="production", production=True, required_reviewers=2),
           platform("scm.branch_rules", branch="main", requires_pr=True),
           platform("scm.runs", window_days=30, p50_duration_min=22.0)]
    r = evaluate("WAF-OPS-010", ev, repo="ok", git="ok", github="ok")
    # v2: a slow pipeline is a supporting L4 item; canary and delivery metrics (defining) hold with automatic
    # rollback, so the estimate is 4 while the strict floor stays 3
    assert r.level == 4 and r.confirmed_level < 4 and crit(r, "ops010-pipeline-fast").status is Outcome.NOT_MET
    ev[-1] = platform("scm.runs", window_days=30, p50_duration_min=9.0)
    ev.append(platform("dora.metrics", window_days=90, deploys=12, deploys_per_working_day=0.2,
                       sample={"deployment_frequency": 12}, insufficient=[]))
    r = evaluate("WAF-OPS-010", ev, repo="ok", git="ok", github="ok")
    assert r.level == 4 and crit(r, "ops010-deploy-frequency").status is Outcome.NOT_MET


def test_build_only_jenkins_polling_master_is_level_1():
    from pathlib import Path
    root = Path(__file__).resolve().parents[1] / "examples" / "repos" / "legacy-billing"
    ev = []
    for c in (CiCollector(), DeployCollector()):
        ev += collect_with(c, root)[0]
    r = evaluate("WAF-OPS-010", ev)
    assert (r.level, r.status) == (1, ControlStatus.ASSESSED)
    r = evaluate("WAF-OPS-080", ev)
    assert (r.level, r.status) == (1, ControlStatus.ASSESSED)


def test_terraform_module_validated_on_pr_is_level_2(tmp_path):
    wf = """on: pull_request
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - run: terraform init -backend=false && terraform validate
      - run: tflint
"""
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path, {".github/workflows/pr.yml": wf}))
    assert r.level == 2 and crit(r, "ops010-tests-on-pr").strength is Strength.STRONG


def test_gitlab_reference_rules_are_flattened(tmp_path):
    ci = """.mr-rules:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
test:
  script: [go test ./...]
  rules:
    - !reference [.mr-rules, rules]
"""
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path, {".gitlab-ci.yml": ci}))
    assert r.level == 2 and crit(r, "ops010-tests-on-pr").strength is Strength.DIRECT


def test_terraform_validated_on_every_branch_push_is_level_2(tmp_path):
    """A push trigger without a branch filter runs for PR branches too (a common infra-repo shape)."""
    wf = """on:
  push:
    paths: ['**/*.tf']
jobs:
  tflint:
    runs-on: ubuntu-latest
    steps:
      - run: terraform validate
      - run: tflint --recursive
"""
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path, {".github/workflows/tf.yml": wf}))
    assert r.level == 2 and crit(r, "ops010-tests-on-pr").strength is Strength.STRONG
    main_only = wf.replace("  push:\n", "  push:\n    branches: [main]\n")
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path / "b", {".github/workflows/tf.yml": main_only}))
    assert r.level == 1


def test_gitlab_vendor_security_templates_are_not_shared_pipeline_templates(tmp_path):
    ci = """include:
  - template: Security/SAST.gitlab-ci.yml
  - template: Security/Secret-Detection.gitlab-ci.yml
unit:
  script: [go test ./...]
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
downstream:
  trigger:
    project: acme/ci-tests
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
"""
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path, {".gitlab-ci.yml": ci}))
    assert crit(r, "ops010-shared-templates").status is Outcome.NOT_MET
    tests = crit(r, "ops010-tests-on-pr")
    assert tests.strength is Strength.DIRECT and "template" not in tests.reason
    # one shared include next to the repository's own jobs does not make those jobs shared (gitlabhq shape)
    own = ci.replace("  - template: Security/SAST.gitlab-ci.yml", "  - project: acme/ci-templates\n    file: danger.yml") \
        + "".join(f"job{i}:\n  script: [make check{i}]\n" for i in range(4))
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path / "b", {".gitlab-ci.yml": own}))
    assert crit(r, "ops010-shared-templates").status is Outcome.NOT_MET
    # jobs that extend hidden jobs of the shared library, or a pipeline that is only includes, are shared
    shared = ("include:\n  - project: acme/ci-templates\n    file: go.yml\n"
              "unit:\n  extends: .go-test\nlint:\n  extends: .go-lint\n  stage: lint\n")
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path / "c", {".gitlab-ci.yml": shared}))
    assert crit(r, "ops010-shared-templates").status is Outcome.MET
    only = "include:\n  - component: gitlab.example.com/acme/components/go-pipeline@2.1.0\n"
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path / "d", {".gitlab-ci.yml": only}))
    assert crit(r, "ops010-shared-templates").status is Outcome.MET


def test_flux_repo_rendering_manifests_on_pr_is_level_2(tmp_path):
    """home-ops shape: flux-local renders and tests every Kustomization/HelmRelease on PRs (manifest validation)."""
    wf = """on:
  pull_request:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker://ghcr.io/allenporter/flux-local:v7
        with:
          args: test --all-namespaces --enable-helm --path /github/workspace/kubernetes/flux/cluster
"""
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path, {".github/workflows/flux-local.yaml": wf}))
    assert r.level == 2 and crit(r, "ops010-tests-on-pr").strength is Strength.STRONG


def test_azure_devops_environment_approvals_are_not_assessed_from_yaml(tmp_path):
    """Azure estate shape: a deployment job into ADO environment 'production'; its approvals live in Azure DevOps."""
    ado = """trigger: [main]
pr: [main]
stages:
  - stage: Plan
    jobs:
      - job: Plan
        steps:
          - task: TerraformTaskV4@4
            inputs: {provider: azurerm, command: validate}
          - task: TerraformTaskV4@4
            inputs: {provider: azurerm, command: plan}
  - stage: Apply
    jobs:
      - deployment: Apply
        environment: production
        strategy:
          runOnce:
            deploy:
              steps:
                - task: TerraformTaskV4@4
                  inputs: {provider: azurerm, command: apply}
"""
    ev = repo_evidence(tmp_path, {"azure-pipelines.yml": ado})
    r = evaluate("WAF-OPS-010", ev)
    gate = crit(r, "ops010-prod-approval-gate")
    assert gate.status is Outcome.NOT_ASSESSED and "Azure DevOps" in gate.reason
    assert crit(r, "ops010-prod-deploy-automated").status is Outcome.MET
    plan = next(e for e in ev if e.kind == "ci.job" and e.get("name") == "Plan")
    assert "lint" in plan.get("steps")  # TerraformTaskV4 validate is config validation
    # with the GitHub API read and no reviewers, a GitHub Actions production deploy is a real gap, ADO still is not
    r2 = evaluate("WAF-OPS-010", ev, repo="ok", git="ok", github="ok")
    assert crit(r2, "ops010-prod-approval-gate").status is Outcome.NOT_ASSESSED


def test_prow_repo_whose_jobs_live_in_a_central_config_repo_has_basic_ci_but_no_more(tmp_path):
    """kubernetes shape: OWNERS/OWNERS_ALIASES at the top, no pipeline file; Prow jobs are in test-infra.

    Prow gates every pull request on presubmits, so level 2 holds on weak evidence; what the jobs run
    (lint, security) is in the unscanned config repository, so those criteria stay not assessed."""
    files = {"OWNERS": "approvers:\n  - sig-testing-leads\n", "OWNERS_ALIASES": "aliases:\n  sig-testing-leads: [a]\n",
             "hack/verify-golangci-lint.sh": "#!/bin/bash\ngolangci-lint run ./...\n", "go.mod": "module k8s.io/x\n"}
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path, files))
    assert r.level == 2
    for cid in ("ops010-pipeline-defined", "ops010-tests-on-pr"):
        c = crit(r, cid)
        assert c.status is Outcome.MET and c.strength is Strength.WEAK and "prow" in c.reason
    quality = crit(r, "ops010-quality-stages")
    assert quality.status is Outcome.NOT_ASSESSED and "prow" in quality.reason


def test_in_repo_prow_presubmits_are_pull_request_tests(tmp_path):
    prow = """presubmits:
  - name: pull-widget-unit
    always_run: true
    decorate: true
    spec:
      containers:
        - image: golang:1.23
          command: [make]
          args: [test]
postsubmits:
  - name: post-widget-push-image
    branches: [^main$]
    spec:
      containers:
        - image: gcr.io/k8s-testimages/gcb-docker-gcloud
          command: [/run.sh]
periodics:
  - name: periodic-widget-e2e
    cron: "0 */6 * * *"
    spec:
      containers:
        - image: golang:1.23
          command: [go, test, ./e2e/...]
"""
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path, {".prow.yaml": prow, "OWNERS": "approvers: [a]\n"}))
    assert crit(r, "ops010-pipeline-defined").status is Outcome.MET
    assert crit(r, "ops010-tests-on-pr").status is Outcome.MET
    assert r.level == 2


def test_zuul_lint_on_every_change_of_a_config_management_repo_is_basic_ci(tmp_path):
    # fedora-infra/ansible shape: Zuul's check pipeline runs library lint jobs on every PR of an Ansible estate
    files = {".zuul.yaml": "- project:\n    check:\n      jobs:\n        - fi-ansible-lint-diff\n        - fi-yamllint-diff\n",
             "playbooks/web.yml": "- hosts: web\n  roles:\n  - base\n"}
    from wafops.collectors.repo.iac import IacCollector
    write_tree(tmp_path, files)
    ev = collect_with(CiCollector(), tmp_path)[0] + collect_with(IacCollector(), tmp_path)[0]
    r = evaluate("WAF-OPS-010", ev)
    assert crit(r, "ops010-tests-on-pr").status is Outcome.MET
    assert r.level == 2


LINT_ONLY = """name: lint
on:
  pull_request:
  push:
    branches: [main]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: ruff check .
      - run: mypy src
"""


def test_lint_and_type_checks_on_prs_are_basic_ci(tmp_path):
    """Calibration (an infrastructure repository with ruff/mypy and terraform fmt on PRs, no tests): automated checks
    on every PR are the "basic CI" of WAF++ L2 (weak evidence for the tests-on-PR item); checks only on main are not."""
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path / "a", {".github/workflows/lint.yml": LINT_ONLY}))
    c = crit(r, "ops010-tests-on-pr")
    assert r.level == 2 and c.strength is Strength.WEAK and "no test step" in c.reason
    main_only = LINT_ONLY.replace("  pull_request:\n", "")
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path / "b", {".github/workflows/lint.yml": main_only}))
    assert r.level == 1


SERVICE_WITH_SDK = SERVICE_CI + """  publish-sdk:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    steps:
      - run: npm publish ./sdk
"""


def test_a_library_publish_is_its_production_delivery_but_not_a_services(tmp_path):
    """A package that deploys nothing delivers by publishing to its registry (calibration: a formatter publishing to
    PyPI through a `release` environment on GitHub releases is level 3); a service that also publishes an SDK is
    judged on its deploys, so the publish does not stand in for an unnamed deploy."""
    lib_ci = LIB_CI.replace("      - run: pytest\n", "      - run: pytest\n      - run: ruff check .\n      - uses: github/codeql-action/analyze@v3\n")
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path / "lib", {".github/workflows/ci.yml": lib_ci,
                                                                 ".github/workflows/release.yml": LIB_RELEASE}))
    assert crit(r, "ops010-prod-deploy-automated").status is Outcome.MET
    assert crit(r, "ops010-every-environment").status is Outcome.NOT_MET  # a library has no staging
    assert r.level == 3  # quality stages met, approval gate and branch rule not visible
    svc = SERVICE_WITH_SDK.replace("    environment: production\n", "")
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path / "svc", {".github/workflows/cd.yml": svc}))
    prod = crit(r, "ops010-prod-deploy-automated")
    assert prod.status is Outcome.NOT_ASSESSED and "publish" not in prod.reason
    # a service deployed by hand from its own Terraform that publishes a client package has not automated production
    from wafops.collectors.repo.iac import IacCollector
    files = {".github/workflows/ci.yml": lib_ci, ".github/workflows/release.yml": LIB_RELEASE,
             "terraform/main.tf": 'terraform {\n  backend "s3" {}\n}\nprovider "aws" {\n  region = "eu-west-1"\n}\n'
                                  'resource "aws_ecs_service" "api" {\n  name = "api"\n}\n'}
    ev = repo_evidence(tmp_path / "svc2", files) + collect_with(IacCollector(), tmp_path / "svc2")[0]
    assert crit(evaluate("WAF-OPS-010", ev), "ops010-prod-deploy-automated").status is Outcome.NOT_MET


STAGED = SERVICE_CI.replace("""  deploy:
    if: github.event_name == 'push'
    needs: [lint, test, scan]
    environment: production""", """  deploy-staging:
    if: github.event_name == 'push'
    needs: [lint, test, scan]
    environment: staging
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install api ./chart
  deploy:
    if: github.event_name == 'push'
    needs: [deploy-staging]
    environment: production""")


def test_pipeline_deploying_every_environment(tmp_path):
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path / "a", {".github/workflows/cd.yml": STAGED}))
    c = crit(r, "ops010-every-environment")
    assert c.status is Outcome.MET and "staging" in c.reason
    r = evaluate("WAF-OPS-010", repo_evidence(tmp_path / "b", {".github/workflows/cd.yml": SERVICE_CI}))
    assert crit(r, "ops010-every-environment").status is Outcome.NOT_MET
