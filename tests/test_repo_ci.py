"""CI collector (D-CI) and step classifier (D-STEP): real pipeline files in tmp_path."""

from __future__ import annotations

import pytest
from wafops.collectors.repo.ci import CiCollector
from wafops.collectors.repo.ci_steps import classify, cron_interval_hours, plan_flags
from wafops.scanner.core.model import Strength

from tests.helpers import collect_with, write_tree


def run(tmp_path, files, **options):
    write_tree(tmp_path, files)
    ev, ctx = collect_with(CiCollector(), tmp_path, options=options)
    pipes = {e.locator.path: e for e in ev if e.kind == "ci.pipeline"}
    jobs = {e.get("name"): e for e in ev if e.kind == "ci.job"}
    return pipes, jobs, ctx


def wf(on: str, jobs: str = "  t:\n    runs-on: x\n    steps:\n      - run: pytest\n") -> str:
    return f"name: w\non:{on}\njobs:\n{jobs}"


# ---- GitHub triggers in every form ----------------------------------------------------------

@pytest.mark.parametrize("on, expected", [
    (" push", ["push"]),
    (" [push, pull_request]", ["push", "pull_request"]),
    ("\n  pull_request_target:\n  merge_group:", ["pull_request", "merge_group"]),
    ("\n  push:\n    tags: ['v*']", ["tag"]),
    ("\n  push:\n    branches: [main]\n    tags: ['v*']", ["push", "tag"]),
    ("\n  workflow_dispatch:\n  release:\n    types: [published]", ["manual", "release"]),
    ("\n  workflow_call:\n    inputs: {}", ["workflow_call"]),
    ("\n  schedule:\n    - cron: '0 3 * * *'", ["schedule"]),
    (" issues", ["other"]),
])
def test_github_trigger_forms(tmp_path, on, expected):
    pipes, jobs, _ = run(tmp_path, {".github/workflows/w.yml": wf(on)})
    assert pipes[".github/workflows/w.yml"].get("triggers") == expected
    assert jobs["t"].get("steps") == ["test"]


def test_github_schedule_interval_branches_and_reusable(tmp_path):
    pipes, jobs, _ = run(tmp_path, {".github/workflows/w.yml": wf(
        "\n  push:\n    branches: [main, 'release/**']\n  schedule:\n    - cron: '0 */6 * * *'\n    - cron: '0 3 * * 1'"
        "\n  workflow_call:")})
    p = pipes[".github/workflows/w.yml"]
    assert p.get("schedules") == ["0 */6 * * *", "0 3 * * 1"]
    assert p.get("schedule_interval_hours") == 6.0
    assert p.get("reusable") is True
    assert jobs["t"].get("branches") == ["main", "release/**"]


def test_github_jobs_environment_needs_template_and_lines(tmp_path):
    text = """on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm test
      - uses: github/codeql-action/analyze@v3
  deploy-staging:
    needs: test
    environment: staging
    runs-on: ubuntu-latest
    steps:
      - run: kubectl apply -f k8s/
  deploy:
    if: github.event_name == 'push'
    needs: [test, deploy-staging]
    environment:
      name: production
      url: https://example.com
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/amazon-ecs-deploy-task-definition@v1
      - run: curl -fsS https://example.com/healthz
  shared:
    uses: acme/platform/.github/workflows/build.yml@v2
"""
    pipes, jobs, _ = run(tmp_path, {".github/workflows/cd.yml": text})
    assert jobs["test"].get("steps") == ["test", "security"]
    assert jobs["test"].locator.line == 6
    stg = jobs["deploy-staging"]
    assert stg.get("environment") == "staging" and stg.get("production") is False and stg.get("needs") == ["test"]
    prod = jobs["deploy"]
    assert prod.get("environment") == "production" and prod.get("production") is True
    assert prod.get("triggers") == ["push"]  # narrowed by `if: github.event_name == 'push'`
    assert prod.get("steps") == ["deploy", "smoke"]
    assert prod.get("needs") == ["test", "deploy-staging"]
    assert prod.locator.line == 18
    assert jobs["shared"].get("template") == "acme/platform/.github/workflows/build.yml@v2"
    assert pipes[".github/workflows/cd.yml"].get("templates") == ["acme/platform/.github/workflows/build.yml@v2"]


def test_github_local_reusable_workflow_and_composite_action(tmp_path):
    files = {
        ".github/workflows/release.yml": """on: {push: {tags: ['v*']}}
jobs:
  prod:
    uses: ./.github/workflows/deploy.yml
    with:
      environment: prod-eu
""",
        ".github/workflows/deploy.yml": """on:
  workflow_call:
    inputs:
      environment: {type: string}
jobs:
  run:
    environment: ${{ inputs.environment }}
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/helm
""",
        ".github/actions/helm/action.yml": """runs:
  using: composite
  steps:
    - run: helm upgrade --install web ./chart --atomic
      shell: bash
""",
    }
    pipes, jobs, _ = run(tmp_path, files)
    prod = jobs["prod"]
    assert prod.get("environment") == "prod-eu" and prod.get("production") is True
    assert "deploy" in prod.get("steps") and "rollback" in prod.get("steps")
    assert prod.get("triggers") == ["tag"]
    assert pipes[".github/workflows/deploy.yml"].get("reusable") is True


def test_github_dispatch_input_environment_is_production(tmp_path):
    text = """on:
  workflow_dispatch:
    inputs:
      env:
        type: choice
        options: [staging, production]
jobs:
  apply:
    environment: ${{ inputs.env }}
    runs-on: ubuntu-latest
    steps:
      - run: terraform apply -auto-approve
"""
    _, jobs, _ = run(tmp_path, {".github/workflows/apply.yml": text})
    job = jobs["apply"]
    assert job.get("production") is True and job.get("environment") == "production"
    assert job.strength is Strength.STRONG
    assert job.get("steps") == ["deploy", "apply"]


def test_github_drift_notification(tmp_path):
    text = """on:
  schedule: [{cron: '0 5 * * *'}]
jobs:
  drift:
    runs-on: ubuntu-latest
    steps:
      - id: plan
        run: terraform plan -detailed-exitcode -no-color
        continue-on-error: true
      - if: steps.plan.outputs.exitcode == '2'
        uses: slackapi/slack-github-action@v1
  other:
    runs-on: ubuntu-latest
    steps:
      - run: terraform plan -refresh-only -detailed-exitcode
      - if: failure()
        run: gh issue create --title drift
  shell:
    runs-on: ubuntu-latest
    steps:
      - run: |
          terraform plan -detailed-exitcode || rc=$?
          if [ "$rc" -eq 2 ]; then curl -X POST "$SLACK_WEBHOOK_URL" -d '{}'; fi
"""
    _, jobs, _ = run(tmp_path, {".github/workflows/drift.yml": text})
    assert jobs["drift"].get("notifies_on_drift") is True
    assert jobs["drift"].get("plan_flags") == ["detailed-exitcode"]
    assert set(jobs["drift"].get("steps")) >= {"plan", "drift", "notify"}
    assert jobs["other"].get("notifies_on_drift") is True
    assert jobs["other"].get("plan_flags") == ["refresh-only", "detailed-exitcode"] or \
        set(jobs["other"].get("plan_flags")) == {"refresh-only", "detailed-exitcode"}
    assert jobs["shell"].get("notifies_on_drift") is True


def test_malformed_workflow_warns_and_others_still_collected(tmp_path):
    pipes, jobs, ctx = run(tmp_path, {
        ".github/workflows/bad.yml": "on: [push\njobs: {",
        ".github/workflows/list.yml": "- just\n- a list\n",
        ".github/workflows/good.yml": wf(" pull_request"),
        ".gitlab-ci.yml": "test:\n  script: go test ./...\n",
    })
    assert ".github/workflows/good.yml" in pipes and ".gitlab-ci.yml" in pipes
    assert ".github/workflows/bad.yml" not in pipes
    warned = {w.path for w in ctx.warnings} | {w.path for w in ctx.tree.warnings}
    assert ".github/workflows/bad.yml" in warned and ".github/workflows/list.yml" in warned


# ---- GitLab -----------------------------------------------------------------------------------

def test_gitlab_local_includes_rules_environment_and_templates(tmp_path):
    files = {
        ".gitlab-ci.yml": """include:
  - local: /ci/test.yml
  - '/ci/deploy/*.yml'
  - template: Security/SAST.gitlab-ci.yml
  - project: acme/ci-templates
    file: /lint.yml
  - component: gitlab.com/components/secret-detection/secret-detection@1.0
stages: [test, deploy]
workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
""",
        "ci/test.yml": """.py:
  image: python:3.12
  before_script: [pip install -e .]
unit:
  extends: .py
  stage: test
  script:
    - pytest -q
lint:
  stage: test
  script: ruff check .
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
""",
        "ci/deploy/prod.yml": """deploy-live:
  stage: deploy
  script:
    - helm upgrade --install app chart/
  environment:
    name: live-eu
    deployment_tier: production
  needs: [unit]
  rules:
    - if: $CI_DEPLOY_FREEZE
      when: never
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      when: manual
nightly:
  script: terraform plan -detailed-exitcode
  only: [schedules]
review:
  script: kubectl apply -f review.yml
  environment: review/$CI_COMMIT_REF_SLUG
  except: [tags]
""",
    }
    pipes, jobs, ctx = run(tmp_path, files)
    p = pipes[".gitlab-ci.yml"]
    assert "acme/ci-templates:/lint.yml" in p.get("templates")
    assert "template:Security/SAST.gitlab-ci.yml" in p.get("templates")
    assert any("secret-detection" in t for t in p.get("templates"))
    unit = jobs["unit"]
    assert unit.get("steps") == ["test"] and unit.get("stage") == "test"
    assert set(unit.get("triggers")) == {"pull_request", "push"}  # inherited from workflow rules
    assert unit.locator.path == "ci/test.yml" and unit.locator.line == 4
    assert jobs["lint"].get("triggers") == ["pull_request"]
    live = jobs["deploy-live"]
    assert live.get("production") is True and live.get("manual_gate") is True and live.get("freeze_check") is True
    assert live.get("needs") == ["unit"] and live.get("branches") == ["$CI_DEFAULT_BRANCH"]
    assert jobs["nightly"].get("triggers") == ["schedule"]
    assert jobs["review"].get("production") is False
    assert "tag" not in jobs["review"].get("triggers")
    assert jobs["SAST (template)"].get("steps") == ["security"]
    assert jobs["secret-detection (template)"].get("steps") == ["security"]
    assert ".py" not in jobs


def test_gitlab_defaults_run_on_every_branch(tmp_path):
    _, jobs, _ = run(tmp_path, {".gitlab-ci.yml": "test:\n  script: [make test]\n"})
    assert jobs["test"].get("triggers") == ["push", "tag"] and jobs["test"].get("branches") == []


# ---- Azure, Jenkins, CircleCI, Bitbucket, others ------------------------------------------------

def test_azure_pipelines_stages_deployment_jobs_and_manual_validation(tmp_path):
    files = {
        "azure-pipelines.yml": """trigger:
  branches:
    include: [main]
pr: none
schedules:
  - cron: "0 2 * * *"
    branches: {include: [main]}
resources:
  repositories:
    - repository: templates
      type: git
      name: Platform/templates
stages:
  - stage: Build
    jobs:
      - job: test
        steps:
          - template: steps/test.yml
          - task: SonarCloudAnalyze@1
  - stage: Prod
    dependsOn: Build
    jobs:
      - job: approve
        pool: server
        steps:
          - task: ManualValidation@0
      - deployment: deploy_prod
        dependsOn: approve
        environment: production.web
        strategy:
          runOnce:
            deploy:
              steps:
                - task: AzureWebApp@1
                  inputs: {appName: web}
      - template: jobs/scan.yml@templates
""",
        "steps/test.yml": "steps:\n  - script: dotnet test\n",
    }
    pipes, jobs, _ = run(tmp_path, files)
    p = pipes["azure-pipelines.yml"]
    assert p.get("triggers") == ["push", "schedule"] and p.get("schedule_interval_hours") == 24.0
    assert "jobs/scan.yml@templates" in p.get("templates")
    assert jobs["test"].get("steps") == ["lint", "test"]
    assert jobs["approve"].get("manual_gate") is True
    dep = jobs["deploy_prod"]
    assert dep.get("environment") == "production" and dep.get("production") is True and "deploy" in dep.get("steps")
    assert dep.get("needs") == ["approve"] and dep.get("stage") == "Prod"
    assert ".azure-pipelines" not in "".join(pipes)  # the step template is not a pipeline of its own
    assert "steps/test.yml" not in pipes


def test_azure_pr_trigger_default_on(tmp_path):
    pipes, _, _ = run(tmp_path, {"azure-pipelines.yml": "steps:\n  - script: npm test\n"})
    assert pipes["azure-pipelines.yml"].get("triggers") == ["push", "pull_request"]


def test_jenkinsfile_stages_input_cron_and_change_request(tmp_path):
    text = """@Library('acme-shared') _
pipeline {
  agent any
  triggers { cron('H 2 * * *') }
  stages {
    stage('Test') {
      when { changeRequest() }
      steps { sh 'mvn -B verify' }
    }
    stage('Checks') {
      parallel {
        stage('Lint') { steps { sh "npm run lint" } }
        stage('Scan') { steps { sh 'trivy fs .' } }
      }
    }
    stage('Deploy to Production') {
      when { branch 'main' }
      steps {
        input message: 'Ship it?'
        sh 'kubectl apply -f k8s/' // apply {
      }
    }
  }
}
"""
    pipes, jobs, _ = run(tmp_path, {"Jenkinsfile": text})
    p = pipes["Jenkinsfile"]
    assert p.get("schedules") == ["H 2 * * *"] and p.get("schedule_interval_hours") == 24.0
    assert p.get("templates") == ["acme-shared"]
    assert jobs["Test"].get("triggers") == ["pull_request"] and jobs["Test"].get("steps") == ["test"]
    assert jobs["Lint"].get("steps") == ["lint"] and jobs["Scan"].get("steps") == ["security"]
    assert "Checks" not in jobs
    prod = jobs["Deploy to Production"]
    assert prod.get("manual_gate") is True and prod.get("production") is True and prod.strength is Strength.STRONG
    assert prod.get("branches") == ["main"] and prod.locator.line == 16


def test_circleci_orbs_approval_and_schedule(tmp_path):
    text = """version: 2.1
orbs:
  aws-ecs: circleci/aws-ecs@4.0.0
jobs:
  test:
    docker: [{image: cimg/python:3.12}]
    steps:
      - checkout
      - run: pytest
workflows:
  main:
    jobs:
      - test
      - hold:
          type: approval
          requires: [test]
      - aws-ecs/deploy-service-update:
          name: deploy-prod
          requires: [hold]
          context: production
          filters: {branches: {only: main}}
  nightly:
    triggers:
      - schedule:
          cron: "0 0 * * *"
          filters: {branches: {only: main}}
    jobs: [test]
"""
    pipes, jobs, _ = run(tmp_path, {".circleci/config.yml": text})
    p = pipes[".circleci/config.yml"]
    assert p.get("templates") == ["circleci/aws-ecs@4.0.0"] and p.get("schedules") == ["0 0 * * *"]
    dep = jobs["deploy-prod"]
    assert dep.get("manual_gate") is True and dep.get("production") is True and "deploy" in dep.get("steps")
    assert dep.get("template") == "aws-ecs/deploy-service-update" and dep.get("branches") == ["main"]
    assert "hold" not in jobs


def test_bitbucket_sections_deployment_and_manual(tmp_path):
    text = """pipelines:
  pull-requests:
    '**':
      - step:
          name: Unit tests
          script: [npm ci, npm test]
  branches:
    main:
      - step:
          name: Deploy production
          deployment: production
          trigger: manual
          script:
            - pipe: atlassian/aws-ecs-deploy:1.6.0
              variables: {CLUSTER: x}
  custom:
    rollback:
      - step:
          name: Roll back
          script: [helm rollback web]
"""
    _, jobs, _ = run(tmp_path, {"bitbucket-pipelines.yml": text})
    assert jobs["Unit tests"].get("triggers") == ["pull_request"] and jobs["Unit tests"].get("steps") == ["test"]
    dep = jobs["Deploy production"]
    assert dep.get("production") and dep.get("manual_gate") and dep.get("steps") == ["deploy"] and dep.get("branches") == ["main"]
    assert jobs["Roll back"].get("triggers") == ["manual"] and jobs["Roll back"].get("steps") == ["rollback"]


def test_buildspec_cloudbuild_drone_travis_and_terraform_pipelines(tmp_path):
    files = {
        "buildspec-prod.yml": "version: 0.2\nphases:\n  build:\n    commands: [cdk deploy --all]\n",
        "cloudbuild.yaml": "steps:\n  - name: gcr.io/cloud-builders/gcloud\n    args: [run, deploy, web]\n",
        ".drone.yml": "kind: pipeline\nname: default\ntrigger: {event: [pull_request]}\nsteps:\n  - name: t\n    commands: [go test ./...]\n",
        ".travis.yml": "language: python\nscript: pytest\n",
        "infra/pipeline.tf": """resource "aws_codepipeline" "app" {
  name = "app"
  stage {
    name = "Source"
    action {
      name = "src"
      category = "Source"
      owner = "AWS"
      provider = "CodeStarSourceConnection"
      version = "1"
    }
  }
  stage {
    name = "Approve"
    action {
      name = "ok"
      category = "Approval"
      owner = "AWS"
      provider = "Manual"
      version = "1"
    }
  }
  stage {
    name = "prod"
    action {
      name = "deploy"
      category = "Deploy"
      owner = "AWS"
      provider = "ECS"
      version = "1"
    }
  }
}
""",
    }
    pipes, jobs, _ = run(tmp_path, files)
    assert pipes["buildspec-prod.yml"].get("system") == "codebuild"
    assert jobs["buildspec-prod.yml"].get("production") is True  # name says prod, step deploys
    assert jobs["cloudbuild.yaml"].get("steps") == ["deploy"]
    assert jobs["default"].get("triggers") == ["pull_request"] and jobs["default"].get("steps") == ["test"]
    assert set(jobs["travis"].get("triggers")) == {"push", "pull_request"}
    tf = pipes["infra/pipeline.tf"]
    assert tf.get("system") == "aws-codepipeline" and tf.locator.line == 1
    assert jobs["prod"].get("production") and jobs["prod"].get("manual_gate") and jobs["prod"].get("steps") == ["deploy"]


def test_production_pattern_option(tmp_path):
    text = wf(" push", "  d:\n    environment: kunde-a\n    runs-on: x\n    steps:\n      - run: terraform apply\n")
    _, jobs, _ = run(tmp_path, {".github/workflows/w.yml": text})
    assert jobs["d"].get("production") is False
    _, jobs, _ = run(tmp_path, {".github/workflows/w.yml": text}, production_pattern=r"^kunde-")
    assert jobs["d"].get("production") is True


# ---- D-STEP and cron ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, cls", [
    ("pytest -q", "test"), ("go test ./...", "test"), ("./gradlew test", "test"), ("pnpm --filter web test", "test"),
    ("golangci-lint run", "lint"), ("terraform fmt -check -recursive", "lint"), ("pre-commit run --all-files", "lint"),
    ("aquasecurity/trivy-action@master", "security"), ("semgrep ci", "security"), ("gitleaks detect", "security"),
    ("k6 run smoke.js", "smoke"), ("curl -f https://x/healthz", "smoke"),
    ("helm upgrade --install a ./c", "deploy"), ("terraform -chdir=env/prod apply -auto-approve", "apply"),
    ("tofu plan -out p", "plan"), ("conftest test plan.json", "policy"), ("driftctl scan", "drift"),
    ("terraform plan -refresh-only", "drift"), ("slackapi/slack-github-action@v1", "notify"),
    ("aws sns publish --topic-arn x", "notify"), ("datadog-ci dora deployment --service web", "metrics"),
    ("helm upgrade web ./c --atomic", "rollback"), ("kubectl rollout undo deploy/web", "rollback"),
    ("docker build -t x .", "build"), ("twine upload dist/*", "release"),
    # monorepo/package-script lint shapes (backstage: `yarn backstage-cli repo lint`, `yarn prettier:check`, `yarn tsc:full`)
    ("yarn backstage-cli repo lint --since origin/master", "lint"), ("yarn prettier:check", "lint"),
    ("yarn tsc:full", "lint"), ("npx nx affected -t lint", "lint"),
    # the Maven wrapper (spring-petclinic: `./mvnw -B verify`) runs the same lifecycle as mvn
    ("./mvnw -B verify", "test"),
    # own lint scripts (terraform-google-modules: the CFT developer-tools image runs /usr/local/bin/test_lint.sh)
    ("docker run --rm -v $PWD:/workspace $IMG /usr/local/bin/test_lint.sh", "lint"), ("./scripts/lint.sh", "lint"), ("./mvnw -B package -DskipTests", "build"), ("mvnw deploy", "release"),
])
def test_step_classes(text, cls):
    assert cls in classify(text)


@pytest.mark.parametrize("text", ["echo 'run the tests and deploy'", "curl -fsSL https://get.example.sh | sh",
                                  "npm install test-lib", "terraform init",
                                  "npm run linter-free-build", "yarn run tscompile"])
def test_step_classifier_no_false_positives(text):
    assert classify(text) == {}


def test_matched_keyword_keeps_no_arguments():
    m = classify("terraform apply -var db_password=hunter2 -auto-approve")
    assert m["apply"] == "terraform apply" and "hunter2" not in str(m)
    assert plan_flags("terraform plan -detailed-exitcode") == ["detailed-exitcode"]


@pytest.mark.parametrize("expr, hours", [
    ("0 3 * * *", 24.0), ("*/15 * * * *", 0.25), ("0 */6 * * *", 6.0), ("0 9 * * 1-5", 24.0), ("0 0 * * 0", 168.0),
    ("@hourly", 1.0), ("H H/4 * * *", 4.0), ("0 8,20 * * *", 12.0), ("not a cron", None), ("61 * * * *", None),
])
def test_cron_interval(expr, hours):
    assert cron_interval_hours(expr) == hours


def test_jenkins_classic_polling_job_does_not_test_prs(tmp_path):
    text = "pipeline {\n  triggers { pollSCM('H/15 * * * *') }\n  stages {\n    stage('Unit') { steps { sh 'vendor/bin/phpunit' } }\n  }\n}\n"
    _, jobs, _ = run(tmp_path, {"Jenkinsfile": text})
    assert jobs["Unit"].get("steps") == ["test"] and jobs["Unit"].get("branches") == ["(branch configured in the Jenkins job)"]
    _, jobs, _ = run(tmp_path, {"Jenkinsfile": text.replace("  triggers { pollSCM('H/15 * * * *') }\n", "")})
    assert jobs["Unit"].get("branches") == []  # multibranch default: every branch and PR is built


@pytest.mark.parametrize("text, is_test", [
    ("make parallel_test_execute", True), ("make integration_test", True), ("make test-unit", True),
    ("make testdata", False), ("make update_feature_flags_docs", False),
    ("make release_s3", False),
])
def test_make_targets_named_for_tests(text, is_test):
    assert ("test" in classify(text)) is is_test


def test_gitlab_rule_never_for_merge_requests_is_respected(tmp_path):
    """`- if: $CI_PIPELINE_SOURCE == "merge_request_event"` + `when: never` turns MR pipelines away, so a
    later catch-all rule does not make the job run on merge requests; ref-name patterns are pushes."""
    ci = """workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
    - if: $CI_COMMIT_TAG
deploy trigger:
  stage: deploy
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      when: never
    - if: $CI_COMMIT_REF_NAME =~ /^v[0-9]+/
    - when: on_success
  trigger:
    project: acme/infra
unit:
  script: [make parallel_test_execute]
"""
    _, jobs, _ = run(tmp_path, {".gitlab-ci.yml": ci})
    assert "pull_request" not in jobs["deploy trigger"].get("triggers")
    assert "push" in jobs["deploy trigger"].get("triggers")
    assert "pull_request" in jobs["unit"].get("triggers") and "test" in jobs["unit"].get("steps")


@pytest.mark.parametrize("text, is_deploy", [
    ("./scripts/deploy-mimir-rules.sh", True), ("bin/deploy production", True), ("make deploy", True),
    ("./deploy.sh prod", True), ("echo deploy", False), ("cd deploy && ls", False), ("scripts/predeploy-check.sh", False),
])
def test_own_deploy_scripts_are_deploy_steps(text, is_deploy):
    assert ("deploy" in classify(text)) is is_deploy


def test_house_production_environment_name_with_production_job_name(tmp_path):
    """GitLab.com calls production `gprd`: a deploy job named for production into an unknown-looking
    environment is production (strong); a non-prod environment name never is."""
    ci = """deploy-rules-production:
  stage: deploy
  environment: gprd
  script: [./scripts/deploy-rules.sh]
  rules:
    - if: $CI_COMMIT_BRANCH == "master"
deploy-production-canary:
  stage: deploy
  environment: staging
  script: [./scripts/deploy-rules.sh]
validate:
  script: [promtool check rules rules/*.yml]
"""
    _, jobs, _ = run(tmp_path, {".gitlab-ci.yml": ci})
    prod = jobs["deploy-rules-production"]
    assert prod.get("production") is True and prod.get("environment") == "gprd" and prod.strength is Strength.STRONG
    assert jobs["deploy-production-canary"].get("production") is False
    assert "lint" in jobs["validate"].get("steps")


def test_terramate_drift_sync_is_recorded_on_the_job(tmp_path):
    wf = ("on:\n  schedule:\n    - cron: '0 */6 * * *'\njobs:\n  drift:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: |\n          terramate run \\\n            --cloud-sync-drift-status \\\n"
          "            -- terragrunt plan -out drift.tfplan -detailed-exitcode\n")
    write_tree(tmp_path, {".github/workflows/drift.yml": wf})
    ev, _ = collect_with(CiCollector(), tmp_path)
    (j,) = [e for e in ev if e.kind == "ci.job"]
    assert j.get("drift_sync") == "terramate-cloud"
    assert "plan" in j.get("steps")


def test_gitlab_local_include_star_stays_in_one_directory(tmp_path):
    """GitLab's `*` in `include: local:` does not cross `/` (`**` does): a child pipeline in a
    subfolder is not merged into the parent pipeline."""
    write_tree(tmp_path, {
        ".gitlab-ci.yml": "include:\n  - local: .gitlab/ci/*.gitlab-ci.yml\n",
        ".gitlab/ci/test.gitlab-ci.yml": "unit:\n  script: [make test]\n",
        ".gitlab/ci/child/main.gitlab-ci.yml": "deploy-thing:\n  script: [./deploy.sh]\n",
    })
    ev, _ = collect_with(CiCollector(), tmp_path)
    names = {e.get("name") for e in ev if e.kind == "ci.job" and e.get("pipeline") == ".gitlab-ci.yml"}
    assert names == {"unit"}


def test_gitops_validation_and_live_diffs_are_classified():
    assert classify("docker://ghcr.io/allenporter/flux-local:v7\ntest --all-namespaces").get("lint") == "flux-local"
    assert classify("flux diff kustomization apps --path ./kubernetes/apps").get("plan")
    assert classify("kubectl diff -k overlays/prod").get("plan")
    assert "plan" not in classify("git diff --name-only origin/main")


def test_deploys_into_a_throwaway_kind_cluster_are_e2e_tests(tmp_path):
    wf = """on:
  push:
    branches: ['*']
jobs:
  e2e:
    runs-on: ubuntu-latest
    steps:
      - uses: helm/kind-action@v1
      - run: kubectl apply -k ./clusters/dev && helm upgrade --install app ./chart --atomic
      - run: kubectl -n prod set image deployment/backend backend=podinfo:5.0.1
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install app ./chart
"""
    write_tree(tmp_path, {".github/workflows/e2e.yaml": wf})
    ev, _ = collect_with(CiCollector(), tmp_path)
    jobs = {e.get("name"): e for e in ev if e.kind == "ci.job"}
    assert "test" in jobs["e2e"].get("steps") and not {"deploy", "rollback"} & set(jobs["e2e"].get("steps"))
    assert "deploy" in jobs["deploy"].get("steps")


def test_deploy_handed_to_another_repository_is_a_deploy_step(tmp_path):
    """PostHog shape: main pushes dispatch the deploy to a charts/GitOps repository."""
    wf = """on:
  push:
    branches: [master]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: depot/build-push-action@v1
      - name: Trigger Cloud deployment from Charts
        uses: peter-evans/repository-dispatch@v3
        with:
          repository: org/charts
          event-type: commit_state_update
  docs:
    runs-on: ubuntu-latest
    steps:
      - name: Rebuild the docs site
        uses: peter-evans/repository-dispatch@v3
        with:
          repository: org/website
          event-type: docs_updated
"""
    write_tree(tmp_path, {".github/workflows/cd.yml": wf})
    ev, _ = collect_with(CiCollector(), tmp_path)
    jobs = {e.get("name"): e for e in ev if e.kind == "ci.job"}
    assert "deploy" in jobs["build"].get("steps")
    assert "deploy" not in jobs["docs"].get("steps")


def test_deploys_of_a_benchmark_rig_are_tests_not_releases(tmp_path):
    """prometheus prombench shape: `make deploy` starts a benchmark in a test cluster; a production env wins."""
    wf = """name: Prombench Workflow
on:
  repository_dispatch:
    types: [prombench_start]
jobs:
  benchmark_start:
    runs-on: ubuntu-latest
    steps:
      - run: make deploy
  deploy_dashboards:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: make deploy
"""
    load = """on: push
jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - run: ./scripts/deploy.sh loadtest
"""
    write_tree(tmp_path, {".github/workflows/prombench.yml": wf, ".github/workflows/load-test.yml": load,
                          ".github/workflows/release.yml": load})
    ev, _ = collect_with(CiCollector(), tmp_path)
    jobs = {(e.get("pipeline"), e.get("name")): e for e in ev if e.kind == "ci.job"}
    bench = jobs[(".github/workflows/prombench.yml", "benchmark_start")]
    assert "deploy" not in bench.get("steps") and "test" in bench.get("steps")
    assert "deploy" in jobs[(".github/workflows/prombench.yml", "deploy_dashboards")].get("steps")
    assert "deploy" not in jobs[(".github/workflows/load-test.yml", "run")].get("steps")
    assert "deploy" in jobs[(".github/workflows/release.yml", "run")].get("steps")


@pytest.mark.parametrize("cmd,cls", [
    ("ansible-playbook -i inventory site.yml", "deploy"),
    ("ansible-playbook site.yml --check --diff", "plan"),
    ("ansible-playbook --syntax-check site.yml", "lint"),
    ("ansible-lint playbooks/", "lint"),
    ("molecule test", "test"),
    ("puppet agent -t --noop", "plan"),
    ("salt '*' state.apply test=True", "plan"),
    ("salt-call state.highstate", "deploy"),
])
def test_configuration_management_commands(cmd, cls):
    got = classify(cmd)
    assert cls in got
    if cls != "deploy":
        assert "deploy" not in got
    assert "deploy" not in classify("/srv/ansible/scripts/ansible-playbook-check-diff")


def test_zuul_project_pipelines_local_and_library_jobs(tmp_path):
    zuul = """---
- job:
    name: widget-functional
    parent: tox
    run: playbooks/functional.yaml
- job:
    name: widget-deploy-prod
    run: playbooks/deploy.yaml
- project:
    templates:
      - openstack-python3-jobs
    check:
      jobs:
        - fi-ansible-lint-diff
        - widget-functional
    gate:
      jobs:
        - widget-functional
    periodic:
      jobs:
        - widget-functional
    promote:
      jobs:
        - widget-deploy-prod
"""
    write_tree(tmp_path, {".zuul.yaml": zuul, "playbooks/functional.yaml": "- hosts: all\n  tasks:\n  - command: tox -e functional\n",
                          "playbooks/deploy.yaml": "- hosts: all\n  tasks:\n  - command: ansible-playbook -i prod site.yml\n"})
    ev, _ = collect_with(CiCollector(), tmp_path)
    pipe = next(e for e in ev if e.kind == "ci.pipeline")
    assert pipe.get("system") == "zuul" and "zuul:openstack-python3-jobs" in pipe.get("templates")
    jobs = [e for e in ev if e.kind == "ci.job"]
    lint = next(j for j in jobs if j.get("name") == "fi-ansible-lint-diff")
    assert lint.get("triggers") == ["pull_request"] and "lint" in lint.get("steps")
    assert lint.get("template") == "zuul:fi-ansible-lint-diff" and lint.strength is Strength.STRONG
    func = [j for j in jobs if j.get("name") == "widget-functional"]
    assert sorted(t for j in func for t in j.get("triggers")) == ["pull_request", "pull_request", "schedule"]
    assert all("test" in j.get("steps") and j.get("template") == "zuul:tox" for j in func)
    deploy = next(j for j in jobs if j.get("name") == "widget-deploy-prod")
    assert deploy.get("triggers") == ["push"] and "deploy" in deploy.get("steps") and deploy.get("production")
    assert deploy.get("template") is None
    tmpl = next(j for j in jobs if j.get("name") == "openstack-python3-jobs (template)")
    assert "test" in tmpl.get("steps")


def test_external_reusable_workflows_by_name_inputs_and_environment(tmp_path):
    # hmpps shape: every job calls a shared workflow of another repository
    wf = """on:
  push:
    branches: ['**']
jobs:
  helm_lint:
    uses: org/shared-actions/.github/workflows/test_helm_lint.yml@v2
  verify:
    uses: org/shared-actions/.github/workflows/gradle_verify.yml@v2
    with:
      gradle-command: './gradlew assemble check'
  build:
    uses: org/shared-actions/.github/workflows/docker_build.yml@v2
  deploy_prod:
    name: Deploy to production environment
    needs: [build]
    uses: org/shared-actions/.github/workflows/deploy_env.yml@v2
    with:
      environment: 'prod'
  notes:
    uses: org/shared-actions/.github/workflows/changelog.yml@v2
    with:
      environment: 'prod'
"""
    write_tree(tmp_path, {".github/workflows/pipeline.yml": wf})
    ev, _ = collect_with(CiCollector(), tmp_path)
    jobs = {e.get("name"): e for e in ev if e.kind == "ci.job"}
    assert "lint" in jobs["helm_lint"].get("steps") and "test" not in jobs["helm_lint"].get("steps")
    assert "test" in jobs["verify"].get("steps") and jobs["verify"].strength is Strength.STRONG
    prod = jobs["deploy_prod"]
    assert "deploy" in prod.get("steps") and prod.get("environment") == "prod" and prod.get("production")
    assert prod.strength is Strength.STRONG
    assert not jobs["notes"].get("steps") and not jobs["notes"].get("environment")  # nothing to say it deploys


@pytest.mark.parametrize("text, classes", [
    ("atmos terraform deploy vpc -s plat-ue1-prod", {"deploy", "apply"}),
    ("cloudposse/github-action-atmos-terraform-drift-remediation@v2", {"deploy", "apply"}),
    ("cloudposse/github-action-atmos-terraform-plan@v4", {"plan"}),
    ("cloudposse/github-action-atmos-terraform-drift-detection@v2", {"drift"}),
    ("atmos describe affected --format=matrix", set()),
])
def test_atmos_commands_and_actions(text, classes):
    assert set(classify(text)) == classes


# ---- production named outside an environment key (names are evidence) -------------------------

def test_production_from_branch_variables_inputs_and_workflow_names(tmp_path):
    """Calibration (CDC prime-reportstream shape, issue 6): a deploy job whose environment is computed from the
    pushed branch deploys production on pushes to the `production` branch; a workflow-level `ENVIRONMENT:
    production`, a composite action told `environment: prod`, and a workflow file named for production name the
    target too. A computed environment with only non-production branches stays unnamed."""
    files = {
        ".github/workflows/release.yml": """name: Release
on:
  push:
    branches: [main, production, test]
jobs:
  vars:
    runs-on: ubuntu-latest
    outputs: {env_name: "${{ steps.v.outputs.env_name }}"}
    steps:
      - id: v
        uses: ./.github/actions/build-vars
  deploy_router:
    needs: [vars]
    environment: ${{ needs.vars.outputs.env_name }}
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/deploy-backend
        with:
          env-name: ${{ needs.vars.outputs.env_name }}
""",
        ".github/actions/deploy-backend/action.yml": """runs:
  using: composite
  steps:
    - shell: bash
      run: az webapp deploy -g rg -n app --src-path build.zip
""",
        ".github/workflows/ops.yml": """on:
  push:
    branches: [main]
env:
  ENVIRONMENT: production
  NODE_ENV: production
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - run: ./scripts/deploy.sh
""",
        ".github/workflows/infra.yml": """on:
  push:
    branches: [main]
jobs:
  infra:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/tf
        with:
          environment: prod
""",
        ".github/actions/tf/action.yml": "runs:\n  using: composite\n  steps:\n    - shell: bash\n      run: terraform apply -auto-approve\n",
        ".github/workflows/deploy-production.yml": """on:
  push:
    branches: [main]
jobs:
  rollout:
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install api ./chart
""",
        ".github/workflows/preview.yml": """on:
  push:
    branches: [main, develop]
jobs:
  preview:
    environment: ${{ github.ref_name }}
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install api ./chart
""",
    }
    _, jobs, _ = run(tmp_path, files)
    d = jobs["deploy_router"]
    assert d.get("production") and d.get("environment") == "production" and d.strength is Strength.STRONG
    assert "test" in d.get("environments")
    assert jobs["ship"].get("production")  # ENVIRONMENT: production (NODE_ENV is a build setting, not a target)
    assert jobs["infra"].get("production") and jobs["infra"].get("environment") == "prod"
    assert jobs["rollout"].get("production")  # deploy-production.yml
    assert not jobs["preview"].get("production")


def test_codeql_path_in_a_cleanup_step_is_no_security_scan():
    assert "security" not in classify("sudo rm -rf /usr/share/dotnet /opt/hostedtoolcache/CodeQL")
    assert classify("codeql database analyze db --format=sarif-latest")["security"] == "codeql database"
    assert "security" in classify("github/codeql-action/analyze@v3")


SHIPIT = """deploy:
  override:
    - krane render -f config/deploy/$ENVIRONMENT --current-sha=$REVISION | krane deploy app-$ENVIRONMENT ctx --stdin
rollback:
  override:
    - krane render -f config/deploy/$ENVIRONMENT --current-sha=$REVISION | krane deploy app-$ENVIRONMENT ctx --stdin
"""

CDP = """version: "2017-09-20"
pipeline:
- id: build
  when:
  - branch: dev
  - event: pull_request
  type: script
  commands:
  - desc: build and push
    cmd: make build.push
- id: e2e-tests
  when:
    event: pull_request
  depends_on: [build]
  type: process
  desc: "Kubernetes e2e tests"
  target: test-account
- id: deploy-event
  type: deploy
  target: team
  when:
    event: push
    branch: [dev, alpha, beta, stable]
"""


def test_deploy_tool_configs_shipit_cdp_and_cloud_deploy(tmp_path):
    """A deploy tool's configuration in the repository is a pipeline definition: Shipit's deploy/rollback commands
    (environments from the per-environment directories they render), a CDP `delivery.yaml` (PR e2e tests, a deploy
    step on the channel branches whose `stable` channel is production), and a Cloud Build file creating Cloud Deploy
    releases into a delivery pipeline whose declared targets include production."""
    files = {
        "shipit.yml": SHIPIT,
        "config/deploy/production/secrets.ejson": "{}",
        "config/deploy/staging/secrets.ejson": "{}",
        "config/deploy/web.yaml.erb": "kind: Deployment\n",
        "delivery.yaml": CDP,
        "src/api/cloudbuild.yaml": "steps:\n  - name: gcr.io/k8s-skaffold/skaffold\n    args: [skaffold, build]\n"
                                   "  - name: gcr.io/cloud-builders/gcloud\n    args: [deploy, releases, create, r1, "
                                   "--delivery-pipeline=api]\n",
        "iac/deploy.tf": 'resource "google_clouddeploy_target" "staging" {\n  name = "staging"\n}\n'
                         'resource "google_clouddeploy_target" "production" {\n  name = "production"\n}\n',
    }
    pipes, jobs, _ = run(tmp_path, files)
    ship = [e for e in jobs.values() if e.get("system") == "shipit"]
    deploy = next(j for j in ship if j.get("name") == "deploy")
    assert deploy.get("production") and set(deploy.get("environments")) == {"production", "staging"}
    assert deploy.get("triggers") == ["manual"] and "deploy" in deploy.get("steps")
    assert "rollback" in next(j for j in ship if j.get("name") == "rollback").get("steps")
    assert pipes["delivery.yaml"].get("system") == "cdp"
    assert "test" in jobs["e2e-tests"].get("steps") and jobs["e2e-tests"].get("triggers") == ["pull_request"]
    ev = jobs["deploy-event"]
    assert ev.get("production") and ev.get("environment") == "stable" and "deploy" in ev.get("steps")
    cb = jobs["cloudbuild.yaml"]
    assert cb.get("production") and "deploy" in cb.get("steps") and cb.get("environments") == ["production", "staging"]
    # a channel list without pre-release channels says nothing about production
    _, jobs, _ = run(tmp_path / "b", {"delivery.yaml": CDP.replace("[dev, alpha, beta, stable]", "[stable]")})
    assert not jobs["deploy-event"].get("production")
