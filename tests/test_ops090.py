"""WAF-OPS-090 levels for small synthetic repositories."""

from __future__ import annotations

from wafops.scanner.core.model import ControlStatus, Evidence, Locator, Outcome, Strength

from tests.helpers import NOW
from tests.test_ops020 import APPLY, DRIFT_DAILY, PR_PLAN, crit, iac, job, level, pipeline


def runs(*paths: str) -> Evidence:
    return Evidence("scm.runs", "local:test", "github", Locator(url="https://api.github.com/repos/o/r/actions/runs"),
                    {"window_days": 30, "scheduled_workflows_running": list(paths)}, Strength.DIRECT, NOW)


def doc(topic: str) -> Evidence:
    return Evidence("doc.policy", "local:test", "repo", Locator(path="docs/drift-sla.md", line=1), {"topic": topic},
                    Strength.WEAK, NOW)


TF = {"infra/main.tf": 'terraform {\n  backend "s3" {\n    bucket = "b"\n    key = "k"\n    use_lockfile = true\n'
                       '  }\n}\nresource "aws_sqs_queue" "q" {}\n'}
CONFIG = {"infra/config.tf": 'resource "aws_config_configuration_recorder" "r" {\n  role_arn = "x"\n}\n'
                             'resource "aws_config_configuration_recorder_status" "r" {\n  name = "r"\n  is_enabled = true\n}\n'
                             'resource "aws_config_config_rule" "v" {\n  name = "v"\n}\n'}
SCP = {"org/scp.tf": 'resource "aws_organizations_policy" "deny" {\n  name = "deny"\n  content = jsonencode({\n'
                     '    Statement = [{ Effect = "Deny", Action = "ec2:*", Resource = "*" }]\n  })\n}\n'}


def test_no_iac_is_level_1_assessed(tmp_path):
    ev = iac(tmp_path, {"README.md": "# lib\n", "src/x.py": "x = 1\n"})
    r = level("ops090", ev)
    assert (r.level, r.status) == (1, ControlStatus.ASSESSED)


def test_plan_on_pr_is_level_2(tmp_path):
    r = level("ops090", iac(tmp_path, TF) + PR_PLAN + APPLY)
    assert (r.level, r.status) == (2, ControlStatus.ASSESSED)
    assert crit(r, "ops090-scheduled").status is Outcome.NOT_MET


def test_makefile_plan_target_is_level_2(tmp_path):
    r = level("ops090", iac(tmp_path, {**TF, "Makefile": "plan:\n\tterraform plan\n"}))
    assert (r.level, r.status) == (2, ControlStatus.ASSESSED)


def test_weekly_drift_job_is_too_slow(tmp_path):
    weekly = [pipeline(".github/workflows/drift.yml", 168.0),
              job("drift", ".github/workflows/drift.yml", ["schedule"], ["plan"], notifies_on_drift=True)]
    r = level("ops090", iac(tmp_path, TF) + PR_PLAN + weekly)
    assert r.level == 2 and crit(r, "ops090-scheduled").status is Outcome.NOT_MET


def test_daily_drift_job_local_scan_is_partially_assessed(tmp_path):
    r = level("ops090", iac(tmp_path, {**TF, **CONFIG}) + PR_PLAN + DRIFT_DAILY)
    # a daily drift job with alerts is level 3 (WAF++ "Auto-detection"); whether it runs needs the GitHub
    # API, so the strict floor stays 2 and level 4 (drift SLA) is not assessed
    assert (r.level, r.confirmed_level, r.status) == (3, 2, ControlStatus.PARTIALLY_ASSESSED)
    assert crit(r, "ops090-scheduled").status is Outcome.MET
    assert crit(r, "ops090-alert").status is Outcome.MET
    assert crit(r, "ops090-compliance-service").status is Outcome.MET
    running = crit(r, "ops090-running")
    assert running.status is Outcome.NOT_ASSESSED and "github" in running.reason


def test_daily_drift_job_running_with_config_is_level_3(tmp_path):
    ev = iac(tmp_path, {**TF, **CONFIG}) + PR_PLAN + DRIFT_DAILY + [runs(".github/workflows/drift.yml")]
    r = level("ops090", ev, repo="ok", git="ok", github="ok")
    assert r.level == 3
    assert crit(r, "ops090-drift-log").status is Outcome.NOT_MET  # github read, no drift log anywhere
    # the missing drift log alone does not sink level 4; its defining drift bound (an SLA document or automatic
    # remediation) needs a cloud scan to be settled, so the level stops at 3 with a higher ceiling
    assert r.status is ControlStatus.PARTIALLY_ASSESSED and r.ceiling >= 4


def test_disabled_scheduled_workflow_fails_running(tmp_path):
    ev = iac(tmp_path, {**TF, **CONFIG}) + PR_PLAN + DRIFT_DAILY + [runs(".github/workflows/other.yml")]
    r = level("ops090", ev, repo="ok", git="ok", github="ok")
    # not running is a real gap on the strict floor; alerting and AWS Config carry the estimate of level 3
    assert r.confirmed_level == 2 and crit(r, "ops090-running").status is Outcome.NOT_MET
    assert r.level == 3


def test_no_compliance_service_needs_cloud_scan(tmp_path):
    ev = iac(tmp_path, TF) + PR_PLAN + DRIFT_DAILY + [runs(".github/workflows/drift.yml")]
    r = level("ops090", ev, repo="ok", git="ok", github="ok")
    # the compliance service is a supporting item only a cloud scan settles: it caps the strict floor, not the estimate
    assert (r.level, r.confirmed_level) == (3, 2)
    assert "aws" in crit(r, "ops090-compliance-service").reason


def test_level_4_needs_log_guardrail_and_sla_doc_is_weak(tmp_path):
    issue_job = job("drift", ".github/workflows/drift.yml", ["schedule"], ["plan", "notify"], notifies_on_drift=True,
                    matched={"notify": "gh issue create"})
    ev = iac(tmp_path, {**TF, **CONFIG, **SCP}) + PR_PLAN + [DRIFT_DAILY[0], issue_job] \
        + [runs(".github/workflows/drift.yml"), doc("drift-sla")]
    r = level("ops090", ev, repo="ok", git="ok", github="ok")
    assert crit(r, "ops090-drift-log").status is Outcome.MET
    assert crit(r, "ops090-guardrails-sensitive").status is Outcome.MET
    sla = crit(r, "ops090-drift-sla")
    assert sla.status is Outcome.NOT_ASSESSED and "weak" in sla.reason
    assert (r.level, r.status) == (3, ControlStatus.PARTIALLY_ASSESSED)


def test_hcp_assessments_with_drift_notification_and_auto_remediation(tmp_path):
    tf = {
        "hcp/main.tf": 'resource "tfe_workspace" "app" {\n  name = "app"\n  assessments_enabled = true\n'
                       '  auto_apply = true\n  vcs_repo {\n    identifier = "acme/app"\n  }\n}\n'
                       'resource "tfe_notification_configuration" "d" {\n  name = "d"\n'
                       '  triggers = ["assessment:drifted"]\n}\n',
        "gitops/app.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n"
                           "spec:\n  syncPolicy:\n    automated:\n      selfHeal: true\n",
    }
    ev = iac(tmp_path, {**tf, **CONFIG})
    r = level("ops090", ev)
    for cid in ("ops090-plan", "ops090-scheduled", "ops090-running", "ops090-alert", "ops090-compliance-service",
                "ops090-auto-remediation", "ops090-drift-age"):
        assert crit(r, cid).status is Outcome.MET, (cid, crit(r, cid).reason)
    # continuous self-heal satisfies the drift bound of L4 (WAF++ "SLA enforcement") and L5 by construction;
    # the drift log and guardrails are unverified without GitHub/cloud scans, so the strict floor stays 3
    assert (r.level, r.confirmed_level) == (5, 3)


def test_schedule_kept_in_gitlab_is_not_assessed(tmp_path):
    gl = [pipeline(".gitlab-ci.yml", None, system="gitlab-ci"),
          job("drift", ".gitlab-ci.yml", ["schedule"], ["plan"], system="gitlab-ci")]
    r = level("ops090", iac(tmp_path, TF) + PR_PLAN + gl)
    c = crit(r, "ops090-scheduled")
    assert c.status is Outcome.NOT_ASSESSED and "pipeline schedules" in c.reason


def test_gitops_reconciler_does_not_cover_terraform_drift(tmp_path):
    gitops = {"apps/a.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n"
                             "spec:\n  syncPolicy:\n    automated:\n      selfHeal: true\n"}
    r = level("ops090", iac(tmp_path, {**TF, **gitops}) + PR_PLAN)
    assert crit(r, "ops090-scheduled").status is Outcome.NOT_MET and r.level == 2
    r2 = level("ops090", iac(tmp_path / "k8s-only", gitops))
    assert crit(r2, "ops090-scheduled").status is Outcome.MET
    assert crit(r2, "ops090-running").status is Outcome.MET


def test_drift_synced_to_terramate_cloud_is_logged_but_alert_unconfirmed(tmp_path):
    """`terramate run --cloud-sync-drift-status` records drift per stack in Terramate Cloud (a drift log);
    whether anyone is notified is configured there, so the alert cannot be confirmed from the repository."""
    ev = iac(tmp_path, {"main.tf": 'terraform {\n  backend "s3" {\n    bucket = "b"\n    key = "k"\n'
                                   '    use_lockfile = true\n  }\n}\nresource "aws_s3_bucket" "b" {}\n'})
    ev += PR_PLAN + [pipeline(".github/workflows/drift.yml", 6.0),
                     job("drift", ".github/workflows/drift.yml", ["schedule"], ["plan", "drift"],
                         plan_flags=["detailed-exitcode"], drift_sync="terramate-cloud")]
    r = level("ops090", ev)
    assert crit(r, "ops090-alert").status is Outcome.NOT_ASSESSED
    assert "terramate-cloud" in crit(r, "ops090-alert").reason
    assert crit(r, "ops090-drift-log").status is Outcome.MET


FLUX_KS = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"
           "spec:\n  interval: 30m\n  path: ./kubernetes/apps\n  prune: true\n")
FLUX_ALERT = ("apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata:\n  name: am\n"
              "spec:\n  eventSeverity: error\n  eventSources: [{kind: Kustomization, name: '*'}]\n")


def test_gitops_only_cluster_repo_reaches_level_3_without_a_cloud_scan(tmp_path):
    """home-ops shape: Flux reconciles and reverts the whole cluster; no cloud IaC, so AWS Config is not the question."""
    files = {"kubernetes/flux/cluster/ks.yaml": FLUX_KS, "kubernetes/flux/components/alerts/alert.yaml": FLUX_ALERT}
    r = level("ops090", iac(tmp_path, files))
    assert crit(r, "ops090-compliance-service").status is Outcome.MET
    assert (r.confirmed_level, crit(r, "ops090-compliance-service").strength) == (3, Strength.STRONG)
    assert r.level == 5  # Flux self-heal remediates and bounds drift (L4/L5 defining); log and guardrails unverified
    # the same reconciler beside Terraform: the cloud estate still needs AWS Config / Azure Policy from a cloud scan
    r2 = level("ops090", iac(tmp_path / "with-tf", {**files, **TF}))
    assert crit(r2, "ops090-compliance-service").status is Outcome.NOT_ASSESSED


def test_archived_flux_objects_are_not_reconciled(tmp_path):
    r = level("ops090", iac(tmp_path, {".archive/kubernetes/apps/ks.yaml": FLUX_KS}))
    assert r.level == 1


def test_chef_client_converging_every_25_minutes_remediates_drift(tmp_path):
    from tests.test_ops020 import CHEF_REPO

    r = level("ops090", iac(tmp_path, CHEF_REPO))
    for cid in ("ops090-plan", "ops090-scheduled", "ops090-running", "ops090-drift-sla", "ops090-auto-remediation",
                "ops090-drift-age"):
        assert crit(r, cid).status is Outcome.MET, (cid, crit(r, cid).reason)
    assert r.level == 5 and r.confirmed_level == 2  # no drift notification; log and guardrails unverified


def test_a_daily_report_only_agent_detects_but_does_not_remediate(tmp_path):
    r = level("ops090", iac(tmp_path, {
        "site.pp": "node default {\n  include profile::base\n}\n",
        "modules/profile/manifests/base.pp": "class profile::base {\n  cron { 'puppet-noop':\n"
                                             "    command => '/opt/puppetlabs/bin/puppet agent --onetime --noop',\n"
                                             "    minute  => 0,\n    hour => 4,\n  }\n}\n"}))
    assert crit(r, "ops090-scheduled").status is Outcome.MET
    assert crit(r, "ops090-auto-remediation").status is not Outcome.MET
    assert r.level == 3


def test_scheduled_shared_drift_action_is_level_3(tmp_path):
    from tests.test_repo_iac import DRIFT_ACTION_WF

    r = level("ops090", iac(tmp_path, {**TF, ".github/workflows/validate-infrastructure.yml": DRIFT_ACTION_WF}))
    assert crit(r, "ops090-scheduled").status is Outcome.MET
    assert crit(r, "ops090-alert").status is Outcome.MET
    assert crit(r, "ops090-running").status is Outcome.NOT_ASSESSED  # runs need the GitHub API
    assert (r.level, r.confirmed_level) == (3, 2)


def test_readme_named_reconciler_is_occasional_drift_visibility_only(tmp_path):
    from tests.test_repo_iac import CFN_TEMPLATED, README_CLM

    r = level("ops090", iac(tmp_path, {"cluster/cluster.yaml": CFN_TEMPLATED, "README.rst": README_CLM}))
    assert crit(r, "ops090-plan").status is Outcome.MET
    assert crit(r, "ops090-scheduled").status is Outcome.NOT_ASSESSED  # cannot confirm from a README
    assert r.level == 2
    r2 = level("ops090", iac(tmp_path / "plain", {"cluster/cluster.yaml": CFN_TEMPLATED}))
    assert r2.level == 1


def alert_rule(name: str, expr: str) -> Evidence:
    return Evidence("alert.rule", "local:test", "repo", Locator(path="monitoring/rules.yml", line=3),
                    {"origin": "prometheus", "name": name, "expr": expr, "notifies": True}, Strength.DIRECT, NOW)


def test_alert_rules_on_the_reconciler_notify_drift(tmp_path):
    from tests.test_ops020 import CHEF_REPO

    chef = iac(tmp_path, CHEF_REPO)
    stopped = alert_rule("chef client not running",
                         'time() - node_systemd_timer_last_trigger_seconds{name="cinc-client.timer"} > 3600')
    other = alert_rule("systemd failed service", 'node_systemd_unit_state{state="failed",name!="cinc-client.service"} == 1')
    assert crit(level("ops090", chef + [other]), "ops090-alert").status is Outcome.NOT_MET  # excludes the client
    r = level("ops090", chef + [other, stopped])
    c = crit(r, "ops090-alert")
    assert c.status is Outcome.MET and "chef client not running" in c.reason and "systemd failed service" not in c.reason
    argo = iac(tmp_path / "argo", {"apps/a.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n"
                                                  "  name: a\nspec:\n  syncPolicy:\n    automated: {}\n"})
    out_of_sync = alert_rule("ArgoAppOutOfSync", 'argocd_app_info{sync_status="OutOfSync"} == 1')
    assert crit(level("ops090", argo + [out_of_sync]), "ops090-alert").status is Outcome.MET
    # without a reconciler in the repository, an alert rule naming one says nothing about this repository's drift
    assert crit(level("ops090", iac(tmp_path / "none", TF) + [out_of_sync]), "ops090-alert").status is Outcome.NOT_MET


def test_cloudformation_drift_detection_and_what_if_are_plan_steps():
    from wafops.collectors.repo.ci_steps import classify

    assert "drift" in classify("aws cloudformation detect-stack-drift --stack-name prod-network")
    assert "plan" in classify("az deployment group what-if --resource-group rg-prod --template-file main.bicep")
    assert "plan" in classify("New-AzResourceGroupDeployment -ResourceGroupName rg -TemplateFile main.json -WhatIf")
    assert classify("echo 'run what-if before merging'") == {}
