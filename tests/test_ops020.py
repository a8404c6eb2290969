"""WAF-OPS-020 levels for small synthetic repositories (IaC evidence collected from real files, CI
evidence built the way the CI collector reports it)."""

from __future__ import annotations

import shutil
from pathlib import Path

from wafops.collectors.repo.iac import IacCollector
from wafops.rules.catalog import CONTROLS_DIR, _load_control
from wafops.rules.probes import load_all
from wafops.scanner.assess.levels import evaluate_control
from wafops.scanner.core.model import ControlStatus, Evidence, Locator, Outcome, Strength

from tests.helpers import NOW, collect_with, evidence_set, write_tree

FIXTURES = Path(__file__).parent / "fixtures" / "terraform"


def control(name: str):
    load_all()
    return _load_control(CONTROLS_DIR / f"{name}.yaml")


def level(name: str, evidence: list[Evidence], **states: str):
    return evaluate_control(control(name), evidence_set(evidence, NOW, **(states or {"repo": "ok", "git": "ok"})))


def crit(result, cid: str):
    return next(c for c in result.criteria if c.id == cid)


def pipeline(path: str, interval: float | None = None, system: str = "github-actions", **attrs) -> Evidence:
    a = {"system": system, "name": path, "triggers": [], "schedule_interval_hours": interval, "jobs": 1}
    a.update(attrs)
    return Evidence("ci.pipeline", "local:test", "repo", Locator(path=path, line=1), a, Strength.DIRECT, NOW)


def job(name: str, pipe: str, triggers: list[str], steps: list[str], **attrs) -> Evidence:
    a = {"system": "github-actions", "pipeline": pipe, "name": name, "triggers": triggers, "steps": steps,
         "matched": {}, "plan_flags": [], "notifies_on_drift": False}
    a.update(attrs)
    return Evidence("ci.job", "local:test", "repo", Locator(path=pipe, line=5), a, Strength.DIRECT, NOW)


def iac(tmp_path: Path, files: dict[str, str] | None = None, copy: str | None = None) -> list[Evidence]:
    if copy:
        shutil.copytree(FIXTURES / copy, tmp_path / copy)
    write_tree(tmp_path, files or {})
    ev, _ = collect_with(IacCollector(), tmp_path)
    return ev


PR_PLAN = [pipeline(".github/workflows/plan.yml"),
           job("plan", ".github/workflows/plan.yml", ["pull_request"], ["lint", "plan"])]
APPLY = [pipeline(".github/workflows/apply.yml"),
         job("apply", ".github/workflows/apply.yml", ["push"], ["plan", "apply"], environment="production",
             production=True, matched={"apply": "terraform apply"})]
DRIFT_DAILY = [pipeline(".github/workflows/drift.yml", 24.0),
               job("drift", ".github/workflows/drift.yml", ["schedule", "manual"], ["plan", "notify"],
                   plan_flags=["detailed-exitcode"], notifies_on_drift=True, matched={"notify": "slackapi/slack-github-action"})]
POLICY = [job("policy", ".github/workflows/plan.yml", ["pull_request"], ["policy"], matched={"policy": "conftest"})]


def test_dockerfile_only_repo_is_level_1(tmp_path):
    ev = iac(tmp_path, {"Dockerfile": "FROM python:3.12\n", "app.py": "print(1)\n"})
    r = level("ops020", ev)
    assert (r.level, r.status) == (1, ControlStatus.ASSESSED)


def test_examples_only_is_level_1(tmp_path):
    ev = iac(tmp_path, {"examples/aws/main.tf": 'provider "aws" {}\nresource "aws_instance" "x" {}\n',
                        "src/lib.go": "package lib\n"})
    r = level("ops020", ev)
    assert (r.level, r.status) == (1, ControlStatus.ASSESSED)
    assert "only in examples" in crit(r, "ops020-iac-present").reason


def test_module_library_is_level_2(tmp_path):
    ev = iac(tmp_path, copy="module-lib")
    r = level("ops020", ev + PR_PLAN)
    assert (r.level, r.status) == (2, ControlStatus.ASSESSED)
    assert crit(r, "ops020-remote-state").status is Outcome.NOT_MET
    assert "library" in crit(r, "ops020-remote-state").reason


def test_local_state_root_is_level_2(tmp_path):
    ev = iac(tmp_path, {"infra/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n'
                                         'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n'})
    r = level("ops020", ev + PR_PLAN + APPLY)
    assert (r.level, r.status) == (2, ControlStatus.ASSESSED)


def test_unlocked_s3_backend_blocks_level_3(tmp_path):
    ev = iac(tmp_path, {"main.tf": 'terraform {\n  backend "s3" {\n    bucket = "b"\n    key = "k"\n  }\n}\n'
                                   'resource "aws_sqs_queue" "q" {}\n'})
    r = level("ops020", ev + PR_PLAN + APPLY)
    # the strict floor stays at 2; the estimate is 3 because one missing supporting item (locking) does not
    # sink a level whose defining criterion (applied from a pipeline) and most of its checklist hold
    assert r.confirmed_level == 2 and crit(r, "ops020-state-locking").status is Outcome.NOT_MET
    assert r.level == 3


def test_good_terraform_repo_local_scan_is_level_2_partially_assessed(tmp_path):
    """Remote locked state, PR plans and pipeline applies, but without a cloud scan nobody can say
    whether production is all in code or console writes are blocked: L3 cannot be confirmed."""
    ev = iac(tmp_path, {"infra/main.tf": 'terraform {\n  backend "s3" {\n    bucket = "b"\n    key = "k"\n'
                                         '    use_lockfile = true\n  }\n}\nresource "aws_sqs_queue" "q" {}\n'})
    r = level("ops020", ev + PR_PLAN + APPLY)
    # v2: level 3 is the estimate from what the repository shows; the strict floor stays 2 until a cloud scan
    # settles coverage/guardrails (listed as unverified)
    assert (r.level, r.confirmed_level) == (3, 2)
    for cid in ("ops020-remote-state", "ops020-state-locking", "ops020-changes-via-pr", "ops020-applied-from-pipeline"):
        assert crit(r, cid).status is Outcome.MET, cid
    g = crit(r, "ops020-prod-in-code-or-guardrail")
    assert g.status is Outcome.NOT_ASSESSED and "aws" in g.reason


def test_live_fixture_with_scp_reaches_level_4(tmp_path):
    ev = iac(tmp_path, copy="live")
    r = level("ops020", ev + PR_PLAN + APPLY + DRIFT_DAILY + POLICY)
    # L5 coverage needs a cloud scan: the strict floor is 4; the estimate is 5 because the defining
    # self-healing criterion and the assessed supporting one (multi-account) hold
    assert (r.confirmed_level, r.level) == (4, 5)
    assert crit(r, "ops020-shared-modules").status is Outcome.MET  # modules/service used by prod and staging
    assert crit(r, "ops020-multi-account").status is Outcome.MET
    assert crit(r, "ops020-self-healing").status is Outcome.MET  # AWS Config automatic remediation
    assert crit(r, "ops020-full-coverage").status is Outcome.NOT_ASSESSED


def test_live_fixture_with_cloud_coverage_reaches_level_5(tmp_path):
    ev = iac(tmp_path, copy="live")
    cov = Evidence("iac.coverage", "local:test", "aws", Locator(resource="arn:aws:::account/111111111111"),
                   {"scope": "111111111111", "ratio": 0.99}, Strength.DIRECT, NOW)
    r = level("ops020", ev + PR_PLAN + APPLY + DRIFT_DAILY + POLICY + [cov], repo="ok", git="ok", aws="ok")
    assert (r.level, r.status) == (5, ControlStatus.ASSESSED)


def test_no_policy_as_code_stops_at_level_3(tmp_path):
    ev = iac(tmp_path, copy="live")
    r = level("ops020", ev + PR_PLAN + APPLY + DRIFT_DAILY)
    # the strict floor stops at 3 without policy-as-code; the estimate goes on (drift checks, the defining
    # item of L4, hold, and the module library is the other half of its checklist)
    assert r.confirmed_level == 3 and r.level >= 4
    assert crit(r, "ops020-policy-as-code").status is Outcome.NOT_MET


def test_policy_config_without_ci_cannot_confirm_level_4(tmp_path):
    ev = iac(tmp_path, {".checkov.yml": "framework: terraform\n"}, copy="live")
    r = level("ops020", ev + PR_PLAN + APPLY + DRIFT_DAILY)
    c = crit(r, "ops020-policy-as-code")
    assert c.status is Outcome.NOT_ASSESSED and "weak" in c.reason
    assert r.confirmed_level == 3  # weak evidence never confirms; it still supports the estimate


def test_pr_only_apply_does_not_count_as_pipeline_apply(tmp_path):
    ev = iac(tmp_path, {"main.tf": 'terraform {\n  backend "gcs" {\n    bucket = "b"\n  }\n}\nresource "google_x" "y" {}\n'})
    pr_apply = [job("apply", ".github/workflows/plan.yml", ["pull_request"], ["apply"])]
    r = level("ops020", ev + PR_PLAN + pr_apply)
    assert crit(r, "ops020-applied-from-pipeline").status is Outcome.NOT_MET


def test_gitops_repo_local_scan(tmp_path):
    ev = iac(tmp_path, {
        "apps/shop.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n"
                          "spec:\n  syncPolicy:\n    automated:\n      selfHeal: true\n      prune: true\n",
        "manifests/shop/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec: {}\n",
    })
    r = level("ops020", ev)
    # the reconciler applies git and keeps the state: level 3 from the repository; whether changes are
    # reviewed needs the platform API, so the strict floor stays 2
    assert (r.level, r.confirmed_level) == (3, 2)
    assert crit(r, "ops020-applied-from-pipeline").status is Outcome.MET
    assert crit(r, "ops020-changes-via-pr").status is Outcome.NOT_ASSESSED  # needs the platform API


def test_not_assessed_without_repo():
    r = level("ops020", [], git="ok")
    assert r.status is ControlStatus.NOT_ASSESSED and r.level is None


def test_cloudfront_alias_is_not_multi_region(tmp_path):
    ev = iac(tmp_path, {"infra/providers.tf": 'provider "aws" {\n  region = "eu-central-1"\n}\n'
                                              'provider "aws" {\n  alias  = "us_east_1"\n  region = "us-east-1"\n}\n'})
    r = level("ops020", ev)
    assert crit(r, "ops020-multi-account").status is Outcome.NOT_MET


def test_gitops_does_not_hide_local_terraform_state(tmp_path):
    ev = iac(tmp_path, {
        "infra/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\nresource "aws_sqs_queue" "q" {}\n',
        "apps/a.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n"
                       "spec:\n  syncPolicy:\n    automated: {}\n",
    })
    r = level("ops020", ev + PR_PLAN + APPLY)
    assert crit(r, "ops020-remote-state").status is Outcome.NOT_MET
    assert crit(r, "ops020-state-locking").status is Outcome.NOT_MET  # local state cannot be locked
    assert r.level == 2


def test_registry_modules_of_a_load_test_cluster_are_no_module_library(tmp_path):
    # consul shape: test/load/terraform stands up a throwaway cluster with pinned registry modules
    ev = iac(tmp_path, {"test/load/terraform/main.tf":
                        'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.1.0"\n}\n'
                        'resource "aws_instance" "lt" {}\n'})
    r = level("ops020", ev)
    assert r.level == 1
    assert crit(r, "ops020-shared-modules").status is Outcome.NOT_MET


ANSIBLE_PLAY = """- import_playbook: include/virt-create.yml
- name: make proxy servers
  hosts: proxies:proxies_stg
  user: root
  roles:
  - base
  - httpd
  tasks:
  - name: ensure httpd runs
    service: name=httpd state=started
"""


def test_ansible_estate_is_configuration_management_iac(tmp_path):
    # fedora-infra/ansible shape: playbooks per host group, roles, an inventory; applied by admins from a
    # control host, so level 2 (no pipeline applies it), but there is no state file to keep remotely
    ev = iac(tmp_path, {
        "playbooks/groups/proxies.yml": ANSIBLE_PLAY,
        "roles/base/tasks/main.yml": "- name: pkgs\n  package: name=vim state=present\n",
        "roles/httpd/tasks/main.yml": "- name: httpd\n  package: name=httpd state=present\n",
        "roles/ipa/client/tasks/main.yml": "- name: ipa\n  package: name=ipa-client state=present\n",
        "inventory/inventory": "[proxies]\nproxy01\n",
        # not playbooks: a k8s object with hosts (Ingress), a compose file, a molecule scenario
        "k8s/ingress.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: x\nspec:\n"
                            "  tls:\n  - hosts:\n    - a.example.org\n",
        "roles/httpd/molecule/default/converge.yml": "- name: Converge\n  hosts: all\n  roles:\n  - httpd\n",
    })
    code = {(e.get("tool"), e.get("dir")): e for e in ev if e.kind == "iac.code"}
    assert code[("ansible", "playbooks/groups")].get("role") == "root"
    assert code[("ansible", "playbooks/groups")].get("resources") == 2
    assert code[("ansible", "roles")].get("files") == 3 and code[("ansible", "roles")].get("role") == "module"
    assert code[("ansible", "roles/httpd/molecule/default")].get("role") == "example"
    r = level("ops020", ev)
    assert crit(r, "ops020-iac-present").status is Outcome.MET
    assert crit(r, "ops020-remote-state").status is Outcome.MET
    assert crit(r, "ops020-applied-from-pipeline").status is Outcome.NOT_MET
    assert r.level == 2
    # a pipeline that runs the playbooks on merge applies the configuration
    apply = [pipeline(".github/workflows/ansible.yml"),
             job("run", ".github/workflows/ansible.yml", ["push"], ["deploy"], matched={"deploy": "ansible-playbook"})]
    assert crit(level("ops020", ev + apply), "ops020-applied-from-pipeline").status is Outcome.MET


def test_ansible_role_library_alone_has_no_deployable_state(tmp_path):
    ev = iac(tmp_path, {"tasks/main.yml": "- name: x\n  package: name=nginx\n", "meta/main.yml": "galaxy_info: {}\n",
                        "molecule/default/converge.yml": "- hosts: all\n  roles:\n  - me\n"})
    r = level("ops020", ev)
    assert crit(r, "ops020-iac-present").status is Outcome.MET
    assert crit(r, "ops020-remote-state").status is Outcome.NOT_MET
    assert r.level == 2


def test_puppet_salt_and_chef_trees(tmp_path):
    ev = iac(tmp_path, {
        "manifests/site.pp": "node 'web01.example.org' {\n  include role::web\n}\n",
        "modules/nginx/manifests/init.pp": "class nginx {\n  package { 'nginx': ensure => present }\n}\n",
        "modules/base/manifests/init.pp": "class base {\n  file { '/etc/motd': content => 'hi' }\n}\n",
        "salt/top.sls": "base:\n  '*':\n    - users\n",
        "salt/users/init.sls": "alice:\n  user.present\n",
        "cookbooks/web/metadata.rb": "name 'web'\n", "cookbooks/web/recipes/default.rb": "package 'nginx'\n",
    })
    code = {(e.get("tool"), e.get("dir")): e for e in ev if e.kind == "iac.code"}
    assert code[("puppet", "manifests")].get("role") == "root"
    assert code[("puppet", "modules")].get("files") == 2
    assert code[("salt", "salt")].get("files") == 2 and code[("salt", "salt")].get("role") == "root"
    assert code[("chef", "cookbooks")].get("role") == "module"
    assert crit(level("ops020", ev), "ops020-iac-present").status is Outcome.MET


ATMOS_COMPONENT = ('provider "aws" {\n  region = var.region\n}\n'
                   'module "vpc" {\n  source  = "cloudposse/vpc/aws"\n  version = "2.1.1"\n}\n'
                   'resource "aws_flow_log" "f" {\n  vpc_id = module.vpc.vpc_id\n}\n')


def test_atmos_stack_backend_is_remote_locked_state(tmp_path):
    """Atmos (Cloud Posse) components have no backend block: `terraform.backend_type/backend` in the
    stack YAML becomes backend.tf.json at run time. A component-level override without a bucket
    inherits the locked default; an atmos.yaml-less stacks/ folder is not read."""
    ev = iac(tmp_path, {
        "atmos.yaml": "base_path: ./\ncomponents:\n  terraform:\n    base_path: components/terraform\n"
                      "stacks:\n  base_path: stacks\n  name_pattern: '{tenant}-{environment}-{stage}'\n",
        "components/terraform/vpc/main.tf": ATMOS_COMPONENT,
        "components/terraform/vpc/variables.tf": 'variable "region" {\n  type = string\n}\n',
        "stacks/orgs/acme/_defaults.yaml": "terraform:\n  backend_type: s3\n  backend:\n    s3:\n"
                                           "      bucket: acme-core-tfstate\n      dynamodb_table: acme-core-tfstate-lock\n"
                                           "      encrypt: true\n",
        "stacks/orgs/acme/plat/prod/us-east-1.yaml": "import:\n  - orgs/acme/_defaults\nterraform:\n  backend:\n"
                                                     "    s3:\n      role_arn: null\ncomponents:\n  terraform:\n"
                                                     "    vpc:\n      vars:\n        ipv4_primary_cidr_block: 10.0.0.0/18\n",
    })
    backends = [e for e in ev if e.kind == "iac.backend"]
    assert {(b.attributes["tool"], b.attributes["lock"]) for b in backends} == {("atmos", "dynamodb_table"),
                                                                                ("atmos", "unknown")}
    r = level("ops020", ev + PR_PLAN + APPLY)
    assert crit(r, "ops020-remote-state").status is Outcome.MET
    assert crit(r, "ops020-state-locking").status is Outcome.MET
    # the same tree without atmos.yaml keeps local state
    (tmp_path / "atmos.yaml").unlink()
    r = level("ops020", iac(tmp_path) + PR_PLAN + APPLY)
    assert crit(r, "ops020-remote-state").status is Outcome.NOT_MET


def test_helm_chart_only_says_no_shared_state_without_blaming_terraform(tmp_path):
    ev = iac(tmp_path, {"charts/op/Chart.yaml": "apiVersion: v2\nname: op\nversion: 1.0.0\n",
                        "charts/op/values.yaml": "image:\n  tag: v1\n",
                        "manifests/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: op\n"
                                                     "spec:\n  template:\n    spec:\n      containers:\n      - name: op\n"
                                                     "        image: op:v1\n"})
    r = level("ops020", ev)
    c = crit(r, "ops020-remote-state")
    assert c.status is Outcome.NOT_MET and "Terraform" not in c.reason


# ---- configuration management converging on a schedule; Config Sync -----------------------------------

CHEF_REPO = {
    "cookbooks/chef/metadata.rb": 'name "chef"\n',
    "cookbooks/chef/recipes/default.rb": 'systemd_timer "cinc-client" do\n  on_active_sec 60\n'
                                         '  on_unit_inactive_sec 25 * 60\nend\n',
    "cookbooks/web/metadata.rb": 'name "web"\n',
    "cookbooks/web/recipes/default.rb": 'package "nginx"\n',
    "cookbooks/db/metadata.rb": 'name "db"\n',
    "cookbooks/db/recipes/default.rb": 'package "postgresql"\n',
    "roles/base.rb": 'name "base"\nrun_list(\n  "recipe[chef]",\n  "recipe[web]",\n  "recipe[db]"\n)\n',
    "roles/web.rb": 'name "web"\nrun_list(\n  "role[base]",\n  "recipe[web]"\n)\n',
    "roles/db.rb": 'name "db"\nrun_list(\n  "role[base]",\n  "recipe[db]"\n)\n',
}


def test_chef_client_converging_every_25_minutes_is_continuous_reconciliation(tmp_path):
    """Every node re-applies its roles every 25 minutes: the code is applied by a reconciler (L3), drift is
    checked continuously (L4 defining) and reverted (L5 defining); the cookbooks are a module library."""
    r = level("ops020", iac(tmp_path, CHEF_REPO))
    for cid in ("ops020-remote-state", "ops020-state-locking", "ops020-applied-from-pipeline", "ops020-drift-scheduled",
                "ops020-shared-modules", "ops020-self-healing"):
        assert crit(r, cid).status is Outcome.MET, (cid, crit(r, cid).reason)
    assert "25 min" in crit(r, "ops020-applied-from-pipeline").reason
    # L5: self-heal (defining) holds; the one assessed supporting item (several accounts/regions) is not met,
    # and a single missing supporting item never sinks a level; the strict floor shows what is unverified
    assert r.level == 5 and r.confirmed_level < 5


def test_chef_cookbooks_without_a_converging_client_are_not_applied(tmp_path):
    files = {k: v for k, v in CHEF_REPO.items() if k != "cookbooks/chef/recipes/default.rb"}
    files["cookbooks/chef/recipes/default.rb"] = 'package "cinc"\n'
    r = level("ops020", iac(tmp_path, files))
    assert crit(r, "ops020-applied-from-pipeline").status is Outcome.NOT_MET
    assert crit(r, "ops020-drift-scheduled").status is Outcome.NOT_MET
    assert r.level == 2


def test_an_agent_started_by_terraform_converges_someone_elses_code(tmp_path):
    # a Terraform repository whose instances run puppet from cron: that agent does not apply this repository
    r = level("ops020", iac(tmp_path, {
        "infra/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\nresource "aws_instance" "x" {}\n',
        "infra/files/cron.d/puppet": "*/30 * * * * root puppet agent --onetime --no-daemonize\n"}))
    assert crit(r, "ops020-applied-from-pipeline").status is Outcome.NOT_MET


def test_config_sync_declared_in_terraform_applies_from_git(tmp_path):
    tf = ('terraform {\n  backend "gcs" {\n    bucket = "b"\n  }\n}\nprovider "google" {}\n'
          'resource "google_container_cluster" "prod" {}\n'
          'resource "google_gke_hub_feature_membership" "prod" {\n  configmanagement {\n    config_sync {\n'
          '      git {\n        sync_repo = "https://github.com/o/r"\n        policy_dir = "acm/prod"\n      }\n'
          '    }\n  }\n}\n')
    r = level("ops020", iac(tmp_path, {"iac/main.tf": tf}))
    assert crit(r, "ops020-applied-from-pipeline").status is Outcome.MET
    assert r.level == 3
    # the reconciler watches the cluster only: Terraform itself has no drift check
    assert crit(r, "ops020-drift-scheduled").status is Outcome.NOT_MET


def test_readme_named_reconciler_applies_but_cannot_confirm_drift_checks(tmp_path):
    from tests.test_repo_iac import CFN_TEMPLATED, README_CLM

    r = level("ops020", iac(tmp_path, {"cluster/cluster.yaml": CFN_TEMPLATED, "README.rst": README_CLM}))
    applied = crit(r, "ops020-applied-from-pipeline")
    assert applied.status is Outcome.MET and "Cluster Lifecycle Manager" in applied.reason
    assert crit(r, "ops020-drift-scheduled").status is Outcome.NOT_ASSESSED  # weak: documented, not visible
    assert r.level == 3
