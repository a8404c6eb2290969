"""Deploy collector: rollout strategies, flags, lifecycle, experiments, rollback docs from real files."""

from __future__ import annotations

from wafops.collectors.repo.deploy import DeployCollector
from wafops.scanner.core.model import Strength

from tests.helpers import collect_with, write_tree

ROLLOUT = """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 3
  strategy:
    canary:
      analysis:
        templates:
          - templateName: success-rate
      steps:
        - setWeight: 20
        - pause: {duration: 5m}
        - setWeight: 50
        - pause: {}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: api
spec:
  strategy:
    blueGreen:
      activeService: api
      previewService: api-preview
      autoPromotionEnabled: true
      prePromotionAnalysis:
        templates: [{templateName: smoke}]
"""

FLAGGER = """apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: shop
spec:
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
    metrics:
      - name: request-success-rate
        thresholdRange: {min: 99}
      - name: request-duration
        thresholdRange: {max: 500}
"""

TF = """resource "aws_codedeploy_deployment_group" "api" {
  app_name               = "api"
  deployment_group_name  = "api"
  deployment_config_name = "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"
  deployment_style {
    deployment_type   = "BLUE_GREEN"
    deployment_option = "WITH_TRAFFIC_CONTROL"
  }
  auto_rollback_configuration {
    enabled = true
    events  = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
  }
  alarm_configuration {
    enabled = true
    alarms  = ["api-5xx"]
  }
  blue_green_deployment_config {
    deployment_ready_option {
      action_on_timeout = "STOP_DEPLOYMENT"
      wait_time_in_minutes = 30
    }
    terminate_blue_instances_on_deployment_success {
      action                           = "TERMINATE"
      termination_wait_time_in_minutes = 15
    }
  }
}

resource "aws_ecs_service" "worker" {
  name = "worker"
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}

resource "aws_ecs_service" "legacy" {
  name                               = "legacy"
  deployment_minimum_healthy_percent = 0
}

resource "aws_ecs_service" "module_style" {
  name = var.name
  deployment_controller {
    type = var.controller
  }
}

resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = "fn"
  function_version = "7"
  routing_config {
    additional_version_weights = { "8" = 0.1 }
  }
}

resource "azurerm_linux_web_app_slot" "staging" {
  name           = "staging"
  app_service_id = "x"
  site_config {
    health_check_path = "/healthz"
  }
}

resource "aws_appconfig_configuration_profile" "flags" {
  application_id = "x"
  name           = "flags"
  location_uri   = "hosted"
  type           = "AWS.AppConfig.FeatureFlags"
}

resource "launchdarkly_feature_flag" "checkout" {
  project_key = "shop"
  key         = "new-checkout"
  name        = "New checkout"
  variation_type = "boolean"
  temporary   = true
}

resource "launchdarkly_metric" "conversion" {
  project_key = "shop"
  key         = "conversion"
  kind        = "custom"
}
"""


def collect(tmp_path, files):
    write_tree(tmp_path, files)
    ev, ctx = collect_with(DeployCollector(), tmp_path)
    return ev, ctx


def by(ev, kind):
    return [e for e in ev if e.kind == kind]


def test_argo_rollouts_canary_and_blue_green(tmp_path):
    ev, _ = collect(tmp_path, {"deploy/k8s/rollout.yaml": ROLLOUT})
    s = {e.get("name"): e for e in by(ev, "deploy.strategy")}
    web, api = s["web"], s["api"]
    assert web.get("tool") == "argo-rollouts" and web.get("kind") == "canary"
    assert web.get("analysis") and web.get("auto_rollback") and web.get("manual_pause")
    assert web.locator.line == 4
    assert api.get("kind") == "blue-green" and api.get("analysis") and not api.get("manual_pause") and api.get("keeps_old")


def test_flagger_canary_with_metric_thresholds(tmp_path):
    ev, _ = collect(tmp_path, {"apps/shop/canary.yaml": FLAGGER})
    (s,) = by(ev, "deploy.strategy")
    assert (s.get("tool"), s.get("kind"), s.get("analysis"), s.get("auto_rollback")) == ("flagger", "canary", True, True)


def test_terraform_rollouts_flags_and_experiments(tmp_path):
    ev, _ = collect(tmp_path, {"infra/prod/deploy.tf": TF})
    s = {e.get("name"): e for e in by(ev, "deploy.strategy")}
    api = s["api"]
    assert api.get("kind") == "linear" and api.get("auto_rollback") and api.get("analysis")
    assert api.get("manual_pause") is True and api.get("keeps_old") is True and api.locator.line == 1
    assert s["worker"].get("kind") == "rolling" and s["worker"].get("auto_rollback") is True
    assert s["legacy"].get("kind") == "all-at-once"
    assert "module_style" not in s  # unresolved variables are capability, not practice
    assert s["live"].get("tool") == "lambda-alias" and s["live"].get("kind") == "canary"
    assert s["staging"].get("tool") == "app-service-slots" and s["staging"].get("health_gate") is True
    tools = {e.get("tool") for e in by(ev, "deploy.flag_service")}
    assert tools == {"appconfig", "launchdarkly"}
    assert [e.get("tool") for e in by(ev, "deploy.flag_lifecycle")] == ["launchdarkly-temporary"]
    assert [e.get("tool") for e in by(ev, "deploy.experiment")] == ["launchdarkly"]


def test_examples_and_tests_are_not_deployments(tmp_path):
    ev, _ = collect(tmp_path, {"examples/canary/rollout.yaml": ROLLOUT, "test/fixtures/main.tf": TF,
                               "docs/flagger.yaml": FLAGGER})
    assert by(ev, "deploy.strategy") == []


def test_sam_deployment_preference_and_appspec(tmp_path):
    sam = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms: [!Ref ErrorsAlarm]
        Hooks: {PreTraffic: !Ref PreHook}
"""
    appspec = """version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties: {TaskDefinition: x}
Hooks:
  - AfterAllowTestTraffic: CheckFn
"""
    ev, _ = collect(tmp_path, {"template.yaml": sam, "appspec.yml": appspec})
    s = {e.locator.path: e for e in by(ev, "deploy.strategy")}
    fn = s["template.yaml"]
    assert fn.get("kind") == "canary" and fn.get("analysis") and fn.get("auto_rollback") and fn.get("health_gate")
    assert s["appspec.yml"].get("kind") == "blue-green" and s["appspec.yml"].get("health_gate") is True


def test_helm_atomic_in_ci_and_flag_lifecycle_action(tmp_path):
    wf = """on: push
jobs:
  deploy:
    runs-on: x
    steps:
      - run: helm upgrade --install web ./chart --atomic --timeout 5m
  refs:
    runs-on: x
    steps:
      - uses: launchdarkly/find-code-references@v2
"""
    ev, _ = collect(tmp_path, {".github/workflows/cd.yml": wf})
    (s,) = by(ev, "deploy.strategy")
    assert s.get("tool") == "helm" and s.get("auto_rollback") and s.strength is Strength.STRONG and s.locator.line == 6
    assert [e.get("tool") for e in by(ev, "deploy.flag_lifecycle")] == ["launchdarkly-code-refs"]


def test_flagd_files_and_compose_flag_servers(tmp_path):
    flagd = '{"$schema": "https://flagd.dev/schema/v0/flags.json", "flags": {"new-ui": {"state": "ENABLED", ' \
            '"variants": {"on": true, "off": false}, "defaultVariant": "off"}}}'
    compose = "services:\n  unleash:\n    image: unleashorg/unleash-server:5\n  db:\n    image: postgres:16\n"
    ev, _ = collect(tmp_path, {"config/flags.flagd.json": flagd, "docker-compose.yml": compose,
                               "other/flags.json": '{"flags": {}}'})
    tools = sorted(e.get("tool") for e in by(ev, "deploy.flag_service"))
    assert tools == ["flagd", "unleash"]


def test_rollback_docs_strength(tmp_path):
    ev, _ = collect(tmp_path, {
        "docs/runbooks/deploy.md": "# Deploying\n\n## Rolling back\n\n1. Run\n```\nhelm rollback web\n```\n",
        "docs/features/rollback.md": "# Rollback feature\nThe product can roll back.\n",
        "CHANGELOG.md": "## Rollback fixes\n",
        "README.md": "# Project\n## Rollback\n",
    })
    docs = {e.locator.path: e for e in by(ev, "deploy.rollback_doc")}
    assert docs["docs/runbooks/deploy.md"].strength is Strength.STRONG
    assert docs["docs/runbooks/deploy.md"].get("title") == "Rolling back" and docs["docs/runbooks/deploy.md"].locator.line == 3
    assert docs["docs/features/rollback.md"].strength is Strength.WEAK
    assert "CHANGELOG.md" not in docs and "README.md" not in docs


def test_malformed_files_warn_and_do_not_stop(tmp_path):
    ev, ctx = collect(tmp_path, {"k8s/bad.yaml": "kind: Rollout\napiVersion: argoproj.io/v1alpha1\nspec: [\n",
                                 "infra/bad.tf": 'resource "aws_codedeploy_deployment_group" "x" {\n  name = \n',
                                 "k8s/good.yaml": FLAGGER})
    assert [e.get("tool") for e in by(ev, "deploy.strategy")] == ["flagger"]
    warned = {w.path for w in ctx.tree.warnings}
    assert {"k8s/bad.yaml", "infra/bad.tf"} <= warned


def test_inhouse_flag_modules_and_definition_files(tmp_path):
    """In-house flags: a module named for feature flags (weak), a GitLab-style definition catalogue (strong);
    CLI flag packages, tests and vendored code are not feature flags."""
    write_tree(tmp_path, {
        "packages/features/flags/config.ts": "export type AppFlags = { insights: boolean };\n",
        "packages/features/flags/features.repository.mock.ts": "export const m = 1;\n",
        "src/featureFlags.ts": "export const FLAGS = {};\n",
        "config/feature_flags/beta/new_nav.yml": "name: new_nav\ntype: beta\ndefault_enabled: false\n",
        "config/feature_flags/ops/kill_switch.yml": "name: kill_switch\ntype: ops\ndefault_enabled: true\n",
        "internal/command/flags/flags.go": "package flags\n",
        "cmd/flags.go": "package main\n",
        "tests/feature_flags/helper.py": "x = 1\n",
        "node_modules/x/feature-flags/index.js": "module.exports = {}\n",
    })
    ev, _ = collect_with(DeployCollector(), tmp_path)
    flags = {e.get("module"): e for e in ev if e.kind == "deploy.flag_service"}
    assert set(flags) == {"packages/features/flags", "src/featureFlags.ts", "config/feature_flags"}
    assert flags["config/feature_flags"].strength is Strength.STRONG and flags["config/feature_flags"].get("flags") == 2
    assert flags["packages/features/flags"].strength is Strength.WEAK
    assert flags["packages/features/flags"].locator.path == "packages/features/flags/config.ts"


def test_cloud_deploy_serial_pipelines_are_staged_promotion(tmp_path):
    tf = '''resource "google_clouddeploy_delivery_pipeline" "web" {
  name = "web"
  serial_pipeline {
    stages {
      target_id = "staging"
    }
    stages {
      target_id = "production"
      strategy {
        standard {
          verify = true
        }
      }
    }
  }
}
'''
    manifest = """apiVersion: deploy.cloud.google.com/v1
kind: DeliveryPipeline
metadata:
  name: api
serialPipeline:
  stages:
  - targetId: dev
  - targetId: prod
"""
    single = tf.replace('''    stages {
      target_id = "staging"
    }
''', "")
    write_tree(tmp_path, {"infra/pipeline.tf": tf, "deploy/clouddeploy.yaml": manifest, "other/one.tf": single})
    ev, _ = collect_with(DeployCollector(), tmp_path)
    promos = {e.locator.path: e for e in ev if e.kind == "deploy.promotion"}
    assert set(promos) == {"infra/pipeline.tf", "deploy/clouddeploy.yaml"}  # one target is no promotion
    assert promos["infra/pipeline.tf"].get("stages") == ["staging", "production"] and promos["infra/pipeline.tf"].get("checks")
    assert promos["deploy/clouddeploy.yaml"].get("stages") == ["dev", "prod"]
