"""The IaC collector: backends and locking, partial config, Terragrunt, CloudFormation, modules,
Kubernetes, GitOps, drift tooling, policy files, bad input, secrets, and speed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from wafops.collectors.repo.iac import IacCollector
from wafops.collectors.repo.iac.hcl import block_text, module_source

from tests.helpers import collect_with, write_tree


def run(tmp_path: Path, files: dict[str, str]):
    write_tree(tmp_path, files)
    return collect_with(IacCollector(), tmp_path)


def kind(evidence, k):
    return [e for e in evidence if e.kind == k]


def backend_tf(btype: str, body: str) -> str:
    return f'terraform {{\n  backend "{btype}" {{\n{body}\n  }}\n}}\nresource "aws_s3_bucket" "b" {{ bucket = "x" }}\n'


@pytest.mark.parametrize(
    ("btype", "body", "locking", "lock"),
    [
        ("s3", '    bucket = "b"\n    key = "k"\n    use_lockfile = true', True, "use_lockfile"),
        ("s3", '    bucket = "b"\n    key = "k"\n    dynamodb_table = "locks"', True, "dynamodb_table"),
        ("s3", '    bucket = "b"\n    key = "k"\n    region = "eu-west-1"', False, "none"),
        ("s3", '    bucket = "b"\n    use_lockfile = false', False, "none"),
        ("azurerm", '    storage_account_name = "st"\n    container_name = "tf"\n    key = "k"', True, "native"),
        ("gcs", '    bucket = "b"\n    prefix = "p"', True, "native"),
        ("remote", '    organization = "acme"\n    workspaces {\n      name = "w"\n    }', True, "native"),
        ("http", '    address = "https://gitlab.example.com/api/v4/projects/1/terraform/state/p"\n'
                 '    lock_address = "https://gitlab.example.com/api/v4/projects/1/terraform/state/p/lock"', True, "lock_address"),
        ("http", '    address = "https://state.example.com/p"', False, "none"),
        ("local", '    path = "terraform.tfstate"', False, "none"),
        ("consul", '    address = "consul:8500"\n    path = "tf"', True, "native"),
    ],
)
def test_backend_types_and_locking(tmp_path, btype, body, locking, lock):
    ev, ctx = run(tmp_path, {"infra/main.tf": backend_tf(btype, body)})
    (b,) = kind(ev, "iac.backend")
    assert (b.get("type"), b.get("locking"), b.get("lock")) == (btype, locking, lock)
    assert b.locator.path == "infra/main.tf" and b.locator.line == 2
    code = kind(ev, "iac.code")[0]
    assert code.get("role") == "root" and code.get("resources") == 1


def test_cloud_block(tmp_path):
    ev, _ = run(tmp_path, {"main.tf": 'terraform {\n  cloud {\n    organization = "acme"\n    workspaces {\n'
                                      '      tags = ["app"]\n    }\n  }\n}\n'})
    (b,) = kind(ev, "iac.backend")
    assert (b.get("type"), b.get("locking"), b.get("organization")) == ("cloud", True, "acme")


def test_partial_backend_config_resolved_from_tfbackend(tmp_path):
    ev, _ = run(tmp_path, {
        "stacks/app/main.tf": backend_tf("s3", ""),
        "stacks/app/config/prod.s3.tfbackend": 'bucket = "b"\nkey = "k"\ndynamodb_table = "locks"\n',
    })
    (b,) = kind(ev, "iac.backend")
    assert b.get("partial") is True and b.get("locking") is True and b.get("lock") == "dynamodb_table"
    assert b.get("config_files") == ["stacks/app/config/prod.s3.tfbackend"]


def test_partial_backend_without_lock_in_config_and_without_config(tmp_path):
    ev, _ = run(tmp_path, {"a/main.tf": backend_tf("s3", ""), "a/backend.hcl": 'bucket = "b"\nkey = "k"\n'})
    assert kind(ev, "iac.backend")[0].get("locking") is False
    ev2, _ = run(tmp_path / "other", {"main.tf": backend_tf("s3", "")})
    b = kind(ev2, "iac.backend")[0]
    assert b.get("locking") is None and b.get("lock") == "unknown" and "init time" in b.summary


def test_gitlab_managed_http_backend(tmp_path):
    ev, _ = run(tmp_path, {
        "main.tf": backend_tf("http", ""),
        ".gitlab-ci.yml": "include:\n  - template: Terraform/Base.gitlab-ci.yml\n",
    })
    b = kind(ev, "iac.backend")[0]
    assert (b.get("locking"), b.get("lock")) == (True, "gitlab-managed")


def test_terragrunt_remote_state_include_dependency(tmp_path):
    root = (
        'remote_state {\n  backend = "s3"\n  generate = {\n    path = "backend.tf"\n    if_exists = "overwrite"\n  }\n'
        '  config = {\n    bucket = "acme-tf"\n    key = "${path_relative_to_include()}/terraform.tfstate"\n'
        '    region = "eu-central-1"\n    encrypt = true\n    dynamodb_table = "tf-locks"\n  }\n}\n'
    )
    leaf = (
        'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n\n'
        'terraform {\n  source = "git::git@github.com:acme/modules.git//vpc?ref=v1.4.0"\n}\n\n'
        'dependency "kms" {\n  config_path = "../kms"\n}\n\ninputs = {\n  cidr = "10.0.0.0/16"\n}\n'
    )
    ev, _ = run(tmp_path, {
        "live/root.hcl": root,
        "live/prod/account.hcl": 'locals {\n  account_id = "111111111111"\n}\n',
        "live/staging/account.hcl": 'locals {\n  account_id = "222222222222"\n}\n',
        "live/prod/eu-central-1/vpc/terragrunt.hcl": leaf,
        "live/staging/us-east-1/vpc/terragrunt.hcl": leaf,
    })
    (b,) = kind(ev, "iac.backend")
    assert (b.get("type"), b.get("locking"), b.get("lock"), b.get("tool")) == ("s3", True, "dynamodb_table", "terragrunt")
    units = {e.get("dir"): e for e in kind(ev, "iac.code") if e.get("tool") == "terragrunt"}
    prod = units["live/prod/eu-central-1/vpc"]
    assert (prod.get("includes"), prod.get("dependencies"), prod.get("modules")) == (1, 1, 1)
    assert (prod.get("region"), prod.get("account_dir")) == ("eu-central-1", "live/prod")
    mods = [m for m in kind(ev, "iac.module") if m.get("tool") == "terragrunt"]
    assert {(m.get("source_kind"), m.get("pinned")) for m in mods} == {("git", True)}


def test_terragrunt_generate_backend(tmp_path):
    text = ('generate "backend" {\n  path = "backend.tf"\n  if_exists = "overwrite_terragrunt"\n  contents = <<EOF\n'
            'terraform {\n  backend "gcs" {\n    bucket = "tf"\n  }\n}\nEOF\n}\n')
    ev, _ = run(tmp_path, {"terragrunt.hcl": text})
    (b,) = kind(ev, "iac.backend")
    assert (b.get("type"), b.get("locking")) == ("gcs", True)


@pytest.mark.parametrize(
    ("source", "version", "expected"),
    [
        ("./modules/vpc", None, ("local", True)),
        ("../shared", None, ("local", True)),
        ("terraform-aws-modules/vpc/aws", "5.1.0", ("registry", True)),
        ("terraform-aws-modules/vpc/aws", None, ("registry", False)),
        ("terraform-aws-modules/iam/aws//modules/iam-role", "~> 5.0", ("registry", True)),
        ("app.terraform.io/acme/vpc/aws", "1.2.0", ("private-registry", True)),
        ("git::https://github.com/acme/mods.git//vpc?ref=v1.2.0", None, ("git", True)),
        ("git::https://github.com/acme/mods.git//vpc?ref=main", None, ("git", False)),
        ("github.com/acme/terraform-mods", None, ("git", False)),
        ("git@github.com:acme/mods.git?ref=3f2a9c1", None, ("git", True)),
        ("s3::https://s3-eu-west-1.amazonaws.com/bucket/vpc.zip", None, ("s3", False)),
        ("https://example.com/vpc-module.zip", None, ("http", False)),
        ("tfr:///terraform-aws-modules/vpc/aws?version=5.0.0", None, ("registry", True)),
    ],
)
def test_module_source_kinds(source, version, expected):
    assert module_source(source, version) == expected


def test_module_blocks_in_tf(tmp_path):
    tf = ('module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.1.0"\n  tags = {\n'
          '    source = "not-this"\n  }\n}\n\nmodule "local" {\n  source = "./modules/x"\n}\n')
    ev, _ = run(tmp_path, {"main.tf": tf})
    mods = {m.get("name"): m for m in kind(ev, "iac.module")}
    assert mods["vpc"].get("source") == "terraform-aws-modules/vpc/aws" and mods["vpc"].get("pinned") is True
    assert mods["vpc"].locator.line == 1 and mods["local"].locator.line == 9
    assert kind(ev, "iac.code")[0].get("modules") == 2


def test_providers_alias_region_accounts(tmp_path):
    tf = ('provider "aws" {\n  region = var.region\n}\n\nprovider "aws" {\n  alias  = "dr"\n  region = "us-west-2"\n'
          '  assume_role {\n    role_arn = "arn:aws:iam::123456789012:role/tf"\n  }\n}\n\n'
          'provider "azurerm" {\n  features {}\n  subscription_id = "0b1f6471-1bf0-4dda-aec3-111122223333"\n}\n')
    ev, _ = run(tmp_path, {"providers.tf": tf})
    p = {(e.get("name"), e.get("alias")): e for e in kind(ev, "iac.provider")}
    assert p[("aws", None)].get("region") is None and p[("aws", None)].get("region_expr") == "var.region"
    assert p[("aws", "dr")].get("region") == "us-west-2" and p[("aws", "dr")].get("account_ids") == ["123456789012"]
    assert p[("aws", "dr")].get("assume_role") is True
    assert p[("azurerm", None)].get("account_ids") == ["0b1f6471-1bf0-4dda-aec3-111122223333"]


def test_cloudformation_and_sam_detection(tmp_path):
    cfn = ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
           "  Recorder:\n    Type: AWS::Config::ConfigurationRecorder\n    Properties:\n"
           "      RoleARN: !GetAtt ConfigRole.Arn\n  Alarm:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n"
           "      AlarmName: !Sub '${AWS::StackName}-errors'\n      Threshold: 1\n")
    sam = ("AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
           "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n")
    not_cfn = "Resources:\n  Foo: bar\nkind: thing\n"
    ev, _ = run(tmp_path, {"infra/stack.yaml": cfn, "sam/template.yaml": sam, "config/app.yaml": not_cfn,
                           "json/queue.template.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}'})
    code = {(e.get("tool"), e.get("dir")): e for e in kind(ev, "iac.code")}
    assert code[("cloudformation", "infra")].get("resources") == 3
    assert code[("sam", "sam")].get("resources") == 1
    assert code[("cloudformation", "json")].get("resources") == 1
    assert not any(d == "config" for _t, d in code)
    res = {e.get("type"): e for e in kind(ev, "iac.resource")}
    assert res["AWS::CloudWatch::Alarm"].get("tool") == "cloudformation"
    assert res["AWS::CloudWatch::Alarm"].locator.line == 9
    assert [d.get("tool") for d in kind(ev, "drift.tool")] == ["aws-config"]


def test_cdk_pulumi_bicep_serverless(tmp_path):
    ev, _ = run(tmp_path, {
        "cdk/cdk.json": '{"app": "npx ts-node bin/app.ts"}',
        "pulumi/Pulumi.yaml": "name: shop\nruntime: python\nbackend:\n  url: s3://acme-pulumi-state\n",
        "azure/main.bicep": "targetScope = 'subscription'\nresource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {\n"
                            "  name: 'rg'\n  location: 'westeurope'\n}\nresource pa 'Microsoft.Authorization/policyAssignments@2022-06-01' = {\n"
                            "  name: 'deny-public-ip'\n}\n",
        "svc/serverless.yml": "service: shop\nprovider:\n  name: aws\nfunctions:\n  hello:\n    handler: h.hello\n",
    })
    tools = {e.get("tool"): e for e in kind(ev, "iac.code")}
    assert set(tools) == {"cdk", "pulumi", "bicep", "serverless"}
    assert tools["bicep"].get("resources") == 2 and tools["serverless"].get("resources") == 1
    assert tools["cdk"].get("resources") is None
    assert kind(ev, "iac.backend")[0].get("type") == "s3"
    assert [d.get("tool") for d in kind(ev, "drift.tool")] == ["azure-policy"]


K8S_MULTI = """\
apiVersion: v1
kind: Service
metadata:
  name: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: web:1
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: api
spec:
  strategy:
    canary:
      steps: [{setWeight: 20}]
  template:
    spec:
      containers: [{name: api, image: api:1}]
---
# comment only document
"""


def test_k8s_multi_doc_and_helm_kustomize(tmp_path):
    ev, _ = run(tmp_path, {
        "deploy/k8s/app.yaml": K8S_MULTI,
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
        "charts/web/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n",
        "deploy/overlays/prod/kustomization.yaml": "resources:\n  - ../../k8s\npatches: []\n",
    })
    wl = {e.get("name"): e for e in kind(ev, "k8s.workload")}
    assert wl["web"].get("strategy") == "RollingUpdate" and wl["web"].get("readiness_probe") is True
    assert wl["web"].get("replicas") == 3 and wl["web"].locator.line == 7
    assert wl["api"].get("strategy") == "canary"
    code = {e.get("tool"): e for e in kind(ev, "iac.code")}
    assert code["kubernetes"].get("resources") == 3 and code["kubernetes"].get("dir") == "deploy/k8s"
    assert code["helm"].get("dir") == "charts/web" and code["helm"].get("resources") == 1
    assert code["kustomize"].get("resources") == 1
    assert set(code) == {"kubernetes", "helm", "kustomize"}  # the chart template was not parsed as YAML


ARGO = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: auto
  annotations:
    notifications.argoproj.io/subscribe.on-sync-failed.slack: ops
spec:
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: manual
spec:
  syncPolicy:
    syncOptions: [CreateNamespace=true]
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: auto-defaults
spec:
  syncPolicy:
    automated: {}
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: clusters
spec:
  template:
    spec:
      syncPolicy:
        automated:
          selfHeal: true
"""

FLUX = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
spec:
  interval: 10m
  prune: true
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: paused
spec:
  interval: 10m
  suspend: true
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: redis
spec:
  interval: 1h
  driftDetection:
    mode: enabled
---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata:
  name: ops
spec:
  providerRef: {name: slack}
"""


def test_argo_and_flux_automated_vs_manual(tmp_path):
    ev, _ = run(tmp_path, {"gitops/argo.yaml": ARGO, "clusters/prod/flux.yaml": FLUX})
    apps = {e.get("name"): e for e in kind(ev, "gitops.app")}
    assert (apps["auto"].get("automated"), apps["auto"].get("self_heal"), apps["auto"].get("prune")) == (True, True, True)
    assert apps["auto"].get("notifies") is True
    assert (apps["manual"].get("automated"), apps["manual"].get("self_heal")) == (False, False)
    assert (apps["auto-defaults"].get("automated"), apps["auto-defaults"].get("self_heal")) == (True, False)
    assert (apps["clusters"].get("kind"), apps["clusters"].get("self_heal")) == ("ApplicationSet", True)
    assert (apps["apps"].get("tool"), apps["apps"].get("automated"), apps["apps"].get("prune")) == ("flux", True, True)
    assert apps["apps"].get("interval") == "10m" and apps["apps"].get("notifies") is True
    assert (apps["paused"].get("automated"), apps["paused"].get("self_heal")) == (False, False)
    assert apps["redis"].get("self_heal") is True
    assert not kind(ev, "iac.code") or all(e.get("tool") != "kubernetes" for e in kind(ev, "iac.code"))


def test_drift_tools_from_terraform(tmp_path):
    tf = """\
resource "tfe_workspace" "app" {
  name                = "app"
  organization        = "acme"
  auto_apply          = true
  assessments_enabled = true
  vcs_repo {
    identifier     = "acme/app"
    oauth_token_id = "ot-abcdefghijkl"
  }
}

resource "tfe_notification_configuration" "drift" {
  name             = "drift"
  workspace_id     = tfe_workspace.app.id
  destination_type = "slack"
  url              = "https://hooks.slack.com/services/T000/B000/XXXXXXXX"
  triggers         = ["assessment:drifted", "assessment:failed"]
}

resource "spacelift_drift_detection" "core" {
  stack_id  = "core"
  reconcile = true
  schedule  = ["*/15 * * * *"]
}

resource "azurerm_subscription_policy_assignment" "tags" {
  name                 = "require-tags"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000000"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/x"
}
"""
    ev, _ = run(tmp_path, {"platform/main.tf": tf, ".driftignore": "aws_iam_user.*\n"})
    tools = {d.get("tool"): d for d in kind(ev, "drift.tool")}
    assert set(tools) == {"hcp-assessments", "spacelift", "azure-policy", "driftctl"}
    assert tools["spacelift"].get("automated_remediation") is True
    assert tools["spacelift"].get("schedule") == ["*/15 * * * *"]
    res = {e.get("type"): e for e in kind(ev, "iac.resource")}
    assert res["tfe_workspace"].get("facts") == {"auto_apply": True, "vcs": True, "assessments_enabled": True}
    assert res["tfe_notification_configuration"].get("facts")["drift_trigger"] is True
    # no secret-looking values in bodies
    body = str(res["tfe_workspace"].get("body")) + str(res["tfe_notification_configuration"].get("body"))
    assert "ot-abcdefghijkl" not in body and "oauth_token_id" not in body
    assert res["tfe_notification_configuration"].get("body")["url"] == "[redacted]"  # Slack webhook URLs are secrets
    assert "XXXXXXXX" not in str([e.to_json() for e in ev])


def test_body_is_small_and_secret_free(tmp_path):
    tf = ('resource "pagerduty_service" "api" {\n  name = "api"\n  api_key = "u+abcdefghijklmnopqrst"\n'
          '  description = "token: ghp_abcdefghijklmnopqrstuvwxyz0123456789"\n  tags = { a = "b" }\n}\n'
          'resource "aws_s3_bucket" "boring" {\n  bucket = "not-interesting"\n}\n')
    ev, _ = run(tmp_path, {"main.tf": tf})
    (r,) = kind(ev, "iac.resource")
    assert r.get("type") == "pagerduty_service"
    text = str(r.to_json())
    assert "u+abcdefghij" not in text and "ghp_abcdefghijklmnop" not in text and "api_key" not in text
    assert r.get("body")["name"] == "api" and "tags" not in r.get("body")


def test_policy_files_plan_targets_and_drift_log(tmp_path):
    ev, _ = run(tmp_path, {
        ".checkov.yml": "framework: terraform\n",
        "policy/terraform.rego": "package main\ndeny[msg] { false }\n",
        "policy/terraform_test.rego": "package main\n",
        ".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/antonbabenko/pre-commit-terraform\n"
                                   "    hooks:\n      - id: terraform_fmt\n      - id: terraform_tfsec\n",
        "Makefile": "init:\n\tterraform init\n\nplan: init\n\tterraform plan -detailed-exitcode -out tf.plan\n",
        "docs/drift-log.md": "| date | resource | resolved |\n|---|---|---|\n| 2026-01-02 | sg-1 | 2026-01-02 |\n"
                             "| 2026-02-03 | bucket | 2026-02-04 |\n",
    })
    pol = {e.get("tool"): e for e in kind(ev, "iac.policy")}
    assert {"checkov", "opa", "terraform_tfsec"} <= set(pol)
    assert pol["opa"].get("files") == 1 and pol["terraform_tfsec"].get("via") == "pre-commit"
    (t,) = kind(ev, "iac.plan_target")
    assert (t.get("target"), t.get("detailed_exitcode"), t.locator.line) == ("plan", True, 5)
    (log,) = kind(ev, "drift.log")
    assert log.get("entries") == 2


def test_malformed_hcl_warns_and_other_files_still_collected(tmp_path):
    ev, ctx = run(tmp_path, {
        "bad/main.tf": 'resource "aws_cloudwatch_metric_alarm" "x" {\n  alarm_name = "x"\n  = broken {{\n',
        "good/main.tf": backend_tf("s3", '    bucket = "b"\n    use_lockfile = true'),
        "bad.yaml": "apiVersion: v1\nkind: [unclosed\n",
        "good/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    })
    msgs = [(w.path, w.message) for w in ctx.tree.warnings]
    assert any(p == "bad/main.tf" and "HCL" in m for p, m in msgs)
    assert any(p == "bad.yaml" for p, _m in msgs)
    assert kind(ev, "iac.backend")[0].get("locking") is True
    alarms = kind(ev, "iac.resource")
    assert alarms and alarms[0].get("parsed") is False  # regex facts still work
    assert {e.get("dir") for e in kind(ev, "iac.code")} >= {"bad", "good"}


def test_examples_and_dot_terraform_ignored(tmp_path):
    ev, _ = run(tmp_path, {
        "examples/basic/main.tf": 'provider "aws" {}\nresource "aws_s3_bucket" "b" {}\n',
        ".terraform/modules/x/main.tf": 'resource "aws_s3_bucket" "b" {}\n',
        "test/fixtures/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    })
    roles = {e.get("dir"): e.get("role") for e in kind(ev, "iac.code")}
    assert roles == {"examples/basic": "example", "test/fixtures": "example"}


def test_block_text_skips_strings_heredocs_and_comments():
    text = ('module "a" {\n  source = "x"  # } not the end\n  s = "}"\n  h = <<EOT\n}\nEOT\n  /* } */\n'
            '  nested { x = 1 }\n}\nresource "b" "c" {}\n')
    body = block_text(text, 1)
    assert body.endswith("nested { x = 1 }\n}") and "resource" not in body


def test_speed_2000_tf_files(tmp_path):
    """2,000 .tf files (200 roots x 10 files) must be collected in well under a few seconds."""
    files = {}
    for r in range(200):
        base = f"envs/e{r}"
        files[f"{base}/backend.tf"] = backend_tf("s3", f'    bucket = "b"\n    key = "{r}"\n    use_lockfile = true')
        files[f"{base}/providers.tf"] = 'provider "aws" {\n  region = "eu-central-1"\n}\n'
        files[f"{base}/main.tf"] = ('module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n  version = "5.1.0"\n}\n'
                                    + "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "x{i}"\n  tags = {{ A = "b" }}\n}}\n'
                                              for i in range(10)))
        files[f"{base}/variables.tf"] = "".join(f'variable "v{i}" {{\n  type = string\n}}\n' for i in range(10))
        files[f"{base}/outputs.tf"] = 'output "o" {\n  value = 1\n}\n'
        for k in range(4):
            files[f"{base}/svc{k}.tf"] = "".join(
                f'resource "aws_iam_role" "r{k}{i}" {{\n  name = "r"\n  assume_role_policy = "{{}}"\n}}\n' for i in range(5))
        files[f"{base}/monitoring.tf"] = ('resource "aws_cloudwatch_metric_alarm" "a" {\n  alarm_name = "a"\n'
                                          '  threshold = 1\n}\n') if r % 10 == 0 else "locals {\n  x = 1\n}\n"
    write_tree(tmp_path, files)
    start = time.perf_counter()
    ev, _ = collect_with(IacCollector(), tmp_path)
    elapsed = time.perf_counter() - start
    assert len(kind(ev, "iac.code")) == 200 and len(kind(ev, "iac.backend")) == 200
    assert sum(e.get("resources") for e in kind(ev, "iac.code")) == 200 * 31 + 20  # backend_tf holds one bucket too
    print(f"iac collector: {elapsed:.2f} s for 2,000 .tf files")
    assert elapsed < 5.0, f"{elapsed:.2f} s for 2,000 .tf files"


def test_tfe_workspace_declared_through_a_wrapper_module(tmp_path):
    """HCP Terraform workspaces managed with a registry module (`<ns>/workspacer/tfe`) and a vcs_repo input."""
    tf = '''module "app-production" {
  source  = "acme/workspacer/tfe"
  version = "0.10.0"

  workspace_name = "app-production"
  auto_apply     = true
  assessments_enabled = true
  vcs_repo = {
    identifier = "acme/infra"
    branch     = "main"
  }
}

module "no-vcs" {
  source  = "acme/workspacer/tfe"
  version = "0.10.0"
  workspace_name = "cli-driven"
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
  vcs_repo = { identifier = "not/a/workspace" }
}
'''
    ev, _ = run(tmp_path, {"tfc/workspaces.tf": tf})
    (ws,) = [e for e in kind(ev, "iac.resource") if e.get("type") == "tfe_workspace"]
    assert ws.get("name") == "app-production" and ws.locator.line == 1 and ws.strength.value == "strong"
    assert ws.get("facts")["vcs"] is True and ws.get("facts")["auto_apply"] is True
    (drift,) = kind(ev, "drift.tool")
    assert drift.get("tool") == "hcp-assessments"


def test_sample_applications_in_docs_and_tests_are_not_reconcilers(tmp_path):
    """A product's docs/test manifests (sample Argo CD Applications, Kyverno policies, Deployments) are not its estate."""
    app = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
spec:
  syncPolicy:
    automated:
      selfHeal: true
"""
    dep = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        readinessProbe: {httpGet: {path: /, port: 80}}
"""
    pol = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: p\n"
    ev, _ = run(tmp_path, {"docs/operator-manual/application.yaml": app, "test/e2e/testdata/app/dep.yaml": dep,
                           "docs/policy.yaml": pol, "deploy/apps/guestbook.yaml": app})
    (gitops,) = kind(ev, "gitops.app")
    assert gitops.locator.path == "deploy/apps/guestbook.yaml"
    assert kind(ev, "k8s.workload") == [] and kind(ev, "iac.policy") == []
    roles = {c.get("dir"): c.get("role") for c in kind(ev, "iac.code")}
    assert roles["test/e2e/testdata/app"] == "example"


def test_terragrunt_source_from_shared_local_and_qa_environment(tmp_path):
    """Live repos keep the module URL in `_envcommon` and pin it per unit; `qa` nested under an account
    is an environment, not a test suite (a top-level `qa/` still is)."""
    common = 'locals {\n  base_source_url = "git::https://example.com/acme/modules.git//mysql"\n}\n'
    unit = ('include "envcommon" {\n  path = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/mysql.hcl"\n'
            '  expose = true\n}\nterraform {\n  source = "${include.envcommon.locals.base_source_url}?ref=v0.8.0"\n}\n')
    ev, _ = run(tmp_path, {
        "_envcommon/mysql.hcl": common,
        "non-prod/us-west-2/qa/mysql/terragrunt.hcl": unit,
        "prod/us-east-1/prod/mysql/terragrunt.hcl": unit.replace("v0.8.0", "main"),
        "qa/specs/terragrunt.hcl": unit,
    })
    mods = {m.get("dir"): m for m in kind(ev, "iac.module") if m.get("tool") == "terragrunt"}
    assert (mods["non-prod/us-west-2/qa/mysql"].get("source_kind"), mods["non-prod/us-west-2/qa/mysql"].get("pinned")) == ("git", True)
    assert "modules.git//mysql?ref=v0.8.0" in mods["non-prod/us-west-2/qa/mysql"].get("source")
    assert (mods["prod/us-east-1/prod/mysql"].get("source_kind"), mods["prod/us-east-1/prod/mysql"].get("pinned")) == ("git", False)
    roles = {e.get("dir"): e.get("role") for e in kind(ev, "iac.code") if e.get("tool") == "terragrunt"}
    assert roles["non-prod/us-west-2/qa/mysql"] == "root"
    assert roles["qa/specs"] == "example"


def test_terragrunt_unresolved_source_with_ref_is_a_git_module(tmp_path):
    unit = 'terraform {\n  source = "${local.modules_base}//vpc?ref=v2.1.0"\n}\n'
    ev, _ = run(tmp_path, {"live/prod/eu-west-1/vpc/terragrunt.hcl": unit})
    (m,) = [m for m in kind(ev, "iac.module") if m.get("tool") == "terragrunt"]
    assert (m.get("source_kind"), m.get("pinned")) == ("git", True)


# ---- configuration management converging on a schedule, shared drift actions, Config Sync, templates ----

CHEF_TIMER = '''systemd_service "cinc-client" do
  description "Cinc client"
  exec_start "/usr/bin/cinc-client"
end

systemd_timer "cinc-client" do
  description "Cinc client"
  on_active_sec 60
  on_unit_inactive_sec 25 * 60
  randomized_delay_sec 10 * 60
end
'''


def test_chef_client_timer_is_a_convergence_loop(tmp_path):
    ev, _ = run(tmp_path, {
        "cookbooks/chef/metadata.rb": 'name "chef"\n',
        "cookbooks/chef/recipes/default.rb": CHEF_TIMER,
        "cookbooks/web/metadata.rb": 'name "web"\n',
        "cookbooks/web/recipes/default.rb": 'package "nginx"\n',
        "roles/base.rb": 'name "base"\nrun_list(\n  "recipe[chef]",\n  "recipe[web]"\n)\n',
        "roles/frontend.rb": 'name "frontend"\nrun_list(\n  "role[base]",\n  "recipe[web::site]"\n)\n',
    })
    loops = [d for d in kind(ev, "drift.tool") if d.get("converges")]
    assert [(d.get("tool"), d.get("family"), d.get("interval_hours"), d.get("automated_remediation")) for d in loops] \
        == [("chef-client", "chef", round(25 / 60, 3), True)]
    assert loops[0].locator.path == "cookbooks/chef/recipes/default.rb" and loops[0].locator.line == 6
    roles = [c for c in kind(ev, "iac.code") if c.get("dir") == "roles"]
    assert roles and roles[0].get("role") == "root"
    used = {m.get("name"): m.get("used_by") for m in kind(ev, "iac.module") if m.get("tool") == "chef"}
    assert used == {"chef": 1, "web": 2}


def test_a_boot_only_timer_or_a_dry_run_is_no_remediation(tmp_path):
    ev, _ = run(tmp_path, {
        "cookbooks/chef/metadata.rb": 'name "chef"\n',
        "cookbooks/chef/recipes/default.rb": 'systemd_timer "chef-client" do\n  on_boot_sec 60\nend\n'
                                            'cron "chef-noop" do\n  minute "*/30"\n  command "chef-client --why-run"\nend\n',
        "cookbooks/base/metadata.rb": 'name "base"\n',
        "cookbooks/base/recipes/client.rb": 'cron_d "chef-client" do\n  minute "0"\n  hour "*/4"\n'
                                           '  command "/opt/chef/bin/chef-client -o role[base]"\nend\n',
    })
    loops = {d.get("via"): d for d in kind(ev, "drift.tool") if d.get("converges")}
    assert loops["systemd timer"].get("interval_hours") is None
    assert loops["cron"].get("interval_hours") == 0.5 and loops["cron"].get("automated_remediation") is False
    assert loops["cron d"].get("interval_hours") == 4.0 and loops["cron d"].get("automated_remediation") is True


def test_puppet_agent_salt_schedule_and_crontab_loops(tmp_path):
    ev, _ = run(tmp_path, {
        "site/profile/manifests/agent.pp": "class profile::agent {\n  service { 'puppet':\n    ensure => running,\n"
                                          "    enable => true,\n  }\n}\n",
        "data/common.yaml": "puppet::runinterval: 900\n",
        "data/nodes/db.yaml": "puppet::runmode: systemd.timer\n",
        "site/role/manifests/base.pp": "class role::base {\n  class { 'puppet':\n    runmode => 'cron',\n  }\n}\n",
        "salt/minion.d/schedule.conf": "schedule:\n  highstate:\n    function: state.apply\n    minutes: 60\n",
        "files/cron.d/ansible-pull": "*/15 * * * * root ansible-pull -U https://git.example.org/ops.git site.yml\n",
        "files/cron.d/backup": "0 3 * * * root /usr/local/bin/backup\n",
    })
    loops = sorted((d.get("tool"), d.get("interval_hours")) for d in kind(ev, "drift.tool") if d.get("converges"))
    assert loops == [("ansible-pull", 0.25), ("puppet-agent", 0.25), ("puppet-agent", 0.5), ("puppet-agent", 0.5),
                     ("puppet-agent", 0.5), ("salt-minion", 1.0)]


DRIFT_ACTION_WF = '''name: Validate Infra
on:
  schedule:
    - cron: "0 7 * * *"
  workflow_dispatch:
jobs:
  validate:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: example-org/github-actions/validate-infra@main
        with:
          azure-client-id: ${{ secrets.AZURE_CLIENT_ID }}
          environment: production
          terraform-base: terraform/aks
          teams-webhook-url: ${{ secrets.TEAMS_WEBHOOK }}
'''


def test_scheduled_shared_drift_action_by_name_and_inputs(tmp_path):
    ev, _ = run(tmp_path, {
        ".github/workflows/validate-infrastructure.yml": DRIFT_ACTION_WF,
        # a daily syntax check needs no environment or credentials: not a comparison with the live estate
        ".github/workflows/nightly-validate.yml": DRIFT_ACTION_WF.replace("    environment: production\n", "")
        .replace("          azure-client-id: ${{ secrets.AZURE_CLIENT_ID }}\n          environment: production\n", ""),
        # a plan without refresh compares the code with the state file only
        ".github/workflows/stats.yml": "on:\n  schedule:\n    - cron: '7 13 * * *'\njobs:\n  s:\n    runs-on: x\n"
                                       "    steps:\n      - uses: someone/terraform-plan-stats@v1\n        with:\n"
                                       "          add-args: -refresh=false\n",
        ".github/workflows/deploy.yml": "on:\n  push:\njobs:\n  d:\n    uses: example-org/wf/.github/workflows/terraform-plan.yml@v1\n",
    })
    acts = [d for d in kind(ev, "drift.tool") if d.get("tool") == "scheduled-action"]
    assert [(d.get("pipeline"), d.get("interval_hours"), d.get("notifies"), d.get("environment")) for d in acts] == [
        (".github/workflows/validate-infrastructure.yml", 24.0, True, "production")]
    assert acts[0].strength.value == "strong"


def test_config_sync_from_terraform_and_root_sync(tmp_path):
    ev, _ = run(tmp_path, {
        "iac/acm.tf": 'resource "google_gke_hub_feature_membership" "prod" {\n  feature = "configmanagement"\n'
                      '  configmanagement {\n    config_sync {\n      git {\n        sync_repo = "https://x/y.git"\n'
                      '        policy_dir = "acm/overlays/prod"\n      }\n    }\n  }\n}\n'
                      'resource "google_gke_hub_feature_membership" "off" {\n  configmanagement {\n'
                      '    config_sync {\n      enabled = false\n      git {\n        sync_repo = "z"\n      }\n    }\n  }\n}\n',
        "clusters/root-sync.yaml": "apiVersion: configsync.gke.io/v1beta1\nkind: RootSync\nmetadata:\n  name: root-sync\n"
                                   "spec:\n  sourceType: git\n  git:\n    repo: https://x/y.git\n",
    })
    apps = sorted((a.get("tool"), a.get("name"), a.get("self_heal")) for a in kind(ev, "gitops.app"))
    assert apps == [("config-sync", "prod", True), ("config-sync", "root-sync", True)]


def test_templated_manifests_are_parsed_tolerantly(tmp_path):
    ev, ctx = run(tmp_path, {
        # krane/ERB-rendered manifests per environment
        "config/deploy/production/web.yaml.erb": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                                                 "spec:\n  <% if environment == 'staging' %>\n  replicas: 3\n  <% end %>\n"
                                                 "  template:\n    metadata:\n      labels:\n        version: <%= current_sha %>\n"
                                                 "    spec:\n      containers:\n      - name: puma\n"
                                                 "        readinessProbe:\n          httpGet: {path: /, port: 3000}\n",
        # an app-of-apps Helm chart: its Applications are Go templates
        "apps/Chart.yaml": "apiVersion: v2\nname: apps\nversion: 1.0.0\n",
        "apps/templates/app.yaml": "{{- range .Values.apps }}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Application\n"
                                   "metadata:\n  name: {{ .name }}\n  namespace: argocd\nspec:\n  project: default\n"
                                   "  syncPolicy:\n    automated:\n      prune: true\n      selfHeal: true\n{{- end }}\n",
        "apps/templates/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    })
    wl = kind(ev, "k8s.workload")
    assert [(w.get("name"), w.get("readiness_probe")) for w in wl] == [("web", True)]  # chart workloads stay the chart's
    apps = kind(ev, "gitops.app")
    assert [(a.get("tool"), a.get("automated"), a.get("self_heal")) for a in apps] == [("argocd", True, True)]
    assert apps[0].locator.path == "apps/templates/app.yaml"
    k8s = [c for c in kind(ev, "iac.code") if c.get("tool") == "kubernetes"]
    assert [c.get("dir") for c in k8s] == ["config/deploy/production"]


CFN_TEMPLATED = """AWSTemplateFormatVersion: 2010-09-09
Description: cluster
Resources:
{{ if ne .Cluster.ConfigItems.delete_vpc "true" }}
  Ingress:
    Type: 'AWS::EC2::SecurityGroupIngress'
    Properties:
      GroupId: !ImportValue '{{.Cluster.ConfigItems.etcd_stack}}:sg'
      SourceSecurityGroupId: !Ref MasterSecurityGroup
{{ end }}
  MasterSecurityGroup:
    Type: 'AWS::EC2::SecurityGroup'
    Properties:
      GroupDescription: !Ref 'AWS::StackName'
"""

README_CLM = """# clusters
* Fully automated cluster updates via `Cluster Lifecycle Manager`_

## Layout
* cluster/cluster.yaml: CloudFormation template of the cluster (will be applied by `Cluster Lifecycle Manager`_)
* cluster/manifests: Kubernetes manifests for system components (will be applied by `Cluster Lifecycle Manager`_)
* docs/: built by Sphinx
* scripts/: run by hand, deployed by Terraform to nothing
"""


def test_go_templated_cloudformation_and_a_readme_named_reconciler(tmp_path):
    ev, _ = run(tmp_path, {
        "cluster/cluster.yaml": CFN_TEMPLATED,
        "cluster/manifests/dns/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dns\n"
                                                 "spec:\n  replicas: {{ .Cluster.ConfigItems.dns_replicas }}\n",
        "README.rst": README_CLM,
    })
    cfn = [c for c in kind(ev, "iac.code") if c.get("tool") == "cloudformation"]
    assert [(c.get("dir"), c.get("resources")) for c in cfn] == [("cluster", 2)]
    doc = [d for d in kind(ev, "drift.tool") if d.get("tool") == "documented-reconciler"]
    assert [(d.get("reconciler"), d.get("paths"), d.locator.line) for d in doc] == [
        ("Cluster Lifecycle Manager", ["cluster/cluster.yaml", "cluster/manifests"], 5)]


def test_a_readme_without_automation_or_naming_a_plain_tool_names_no_reconciler(tmp_path):
    files = {"infra/main.tf": 'terraform {\n  backend "s3" {}\n}\nresource "aws_sqs_queue" "q" {}\n'}
    ev, _ = run(tmp_path / "a", {**files, "README.md": "* infra/main.tf: applied by Terraform automatically\n"})
    assert not [d for d in kind(ev, "drift.tool") if d.get("tool") == "documented-reconciler"]
    ev, _ = run(tmp_path / "b", {**files, "README.md": "* infra/main.tf: applied by Ops Robot when someone asks\n"})
    assert not [d for d in kind(ev, "drift.tool") if d.get("tool") == "documented-reconciler"]


def test_module_library_vendored_at_init_by_git_clone(tmp_path):
    ev, _ = run(tmp_path, {
        "Makefile": "vendor-modules:\n\trm -rf terraform/aks/vendor/modules/aks\n"
                    "\tgit -c advice.detachedHead=false clone --depth=1 --single-branch --branch ${TERRAFORM_MODULES_TAG} "
                    "https://github.com/example/terraform-modules.git terraform/aks/vendor/modules/aks\n"
                    "vendor-dev:\n\tgit clone --branch main https://github.com/example/dev-modules.git terraform/dev/vendor/m\n",
        "terraform/aks/main.tf": 'module "app" {\n  source = "./vendor/modules/aks//aks/application"\n}\n',
        "terraform/dev/main.tf": 'module "d" {\n  source = "./vendor/m//x"\n}\n',
        "terraform/own/main.tf": 'module "net" {\n  source = "../modules/net"\n}\n',
        "terraform/modules/net/main.tf": 'resource "aws_vpc" "v" {}\n',
    })
    mods = {m.get("name"): (m.get("source_kind"), m.get("pinned"), m.get("vendored_from")) for m in kind(ev, "iac.module")}
    assert mods == {"app": ("git", True, "https://github.com/example/terraform-modules.git"),
                    "d": ("git", False, "https://github.com/example/dev-modules.git"),  # a moving branch is no pin
                    "net": ("local", True, None)}


def test_ansible_roles_applied_by_several_playbooks_are_modules(tmp_path):
    ev, _ = run(tmp_path, {
        "site.yml": "- hosts: web\n  roles:\n    - common\n    - nginx\n",
        "db.yml": "- hosts: db\n  roles:\n    - role: common\n    - {role: postgres, tags: db}\n",
        "roles/common/tasks/main.yml": "- name: ntp\n  package: {name: chrony}\n",
        "roles/nginx/tasks/main.yml": "- name: nginx\n  package: {name: nginx}\n",
        "roles/postgres/tasks/main.yml": "- name: pg\n  package: {name: postgresql}\n",
    })
    used = {m.get("name"): m.get("used_by") for m in kind(ev, "iac.module") if m.get("tool") == "ansible"}
    assert used == {"common": 2, "nginx": 1, "postgres": 1}
