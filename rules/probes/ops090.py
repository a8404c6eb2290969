"""Probes for WAF-OPS-090 (configuration drift detection and remediation).

Drift detection is a scheduled comparison of the live estate with the code: a CI job that runs
`terraform plan -detailed-exitcode` / `driftctl scan` on a cron (the `ci.job` evidence of the CI
collector, joined with its `ci.pipeline` for the schedule interval), a platform feature (HCP
Terraform health assessments, Spacelift/env0 drift detection) or a GitOps reconciler, which
compares continuously. A workflow file with a cron is not proof that it runs: GitHub disables
scheduled workflows in inactive repositories, so "running" needs the platform API.
"""

from __future__ import annotations

import re

from wafops.rules.probes import EvidenceSet, Finding, found, missing, probe, unreadable
from wafops.rules.probes.ops020 import (
    INFRA_TOOLS,
    PR_TRIGGERS,
    ci_jobs_with,
    convergence_loops,
    deployed_code,
    facts,
    iac_deploy_jobs,
    is_example_dir,
    pipeline_of,
    resources,
    triggers,
)
from wafops.scanner.core.model import Evidence, Strength

PLATFORM_DRIFT = {"hcp-assessments", "spacelift", "env0"}
RECONCILER_ALERT_RX = re.compile(
    r"(?i)out[\s_-]*of[\s_-]*sync|argocd_app_(?:info|sync)|gotk_reconcile|gotk_resource_info"
    r"|flux\w*\W+(?:\w+\W+){0,3}(?:reconcil\w*|suspended|not\s+ready)|config_?sync\w*\W+(?:\w+\W+){0,3}(?:error|fail)"
    r"|reconcil\w*\s+(?:fail|error|stuck)|(?:chef|cinc)[-_ ]client|puppet[-_ ](?:agent|report|run)|salt[-_ ](?:minion|highstate)")


def terraform_estate(ev: EvidenceSet) -> bool:
    """Whether the repository deploys Terraform/Terragrunt/Pulumi state (which GitOps does not watch)."""
    if any(not is_example_dir(str(b.get("dir"))) for b in ev.of("iac.backend")):
        return True
    return any(e.get("tool") in ("terraform", "terragrunt", "pulumi") and e.get("role") == "root"
               for e in deployed_code(ev))


def scheduled_drift_jobs(ev: EvidenceSet) -> list[tuple[Evidence, float | None]]:
    """(job, interval hours) of scheduled jobs that plan or scan for drift."""
    out = []
    for j in ci_jobs_with(ev, "plan", "drift"):
        if "schedule" not in triggers(j):
            continue
        pipe = pipeline_of(ev, j)
        out.append((j, pipe.get("schedule_interval_hours") if pipe else None))
    # a scheduled job calling a shared plan/drift action (classified by the action's name and inputs)
    seen = {(str(j.get("pipeline")), str(j.get("name"))) for j, _h in out}
    for d in ev.of("drift.tool", tool="scheduled-action"):
        if (str(d.get("pipeline")), str(d.get("job"))) not in seen:
            out.append((d, d.get("interval_hours")))
    return out


# ---- level 2 -------------------------------------------------------------------------------------------


@probe("plan_on_pr", text="A plan (diff against the live estate) runs on pull requests", sources=["repo"])
def plan_on_pr(ev: EvidenceSet) -> Finding:
    jobs = [j for j in ci_jobs_with(ev, "plan", "drift") if triggers(j) & PR_TRIGGERS]
    atlantis = ev.of("ci.pipeline", system="atlantis")
    vcs = [e for e in resources(ev, "tfe_workspace") if facts(e).get("vcs")] + resources(ev, "spacelift_stack")
    gitops = ev.of("gitops.app")
    items = jobs + atlantis + vcs + gitops
    if items:
        what = []
        if jobs:
            what.append(f"{len(jobs)} PR-triggered plan job(s)")
        if atlantis:
            what.append("Atlantis autoplan")
        if vcs:
            what.append(f"{len(vcs)} VCS-driven workspace/stack(s) with speculative plans")
        if gitops:
            what.append(f"{len(gitops)} GitOps app(s) whose diff the reconciler shows")
        return found(items, "; ".join(what))
    documented = ev.of("drift.tool", tool="documented-reconciler")
    if documented:
        return found(documented, _documented(documented) + ": it compares the code with the estate at each run",
                     Strength.WEAK)
    return missing(ev, "no plan runs on pull requests")


@probe("manual_plan_workflow", text="A plan can be run on demand (manual workflow, Makefile target)", sources=["repo"])
def manual_plan_workflow(ev: EvidenceSet) -> Finding:
    jobs = [j for j in ci_jobs_with(ev, "plan", "drift") if triggers(j) - PR_TRIGGERS]
    if jobs:
        return found(jobs, f"{len(jobs)} pipeline job(s) run a plan (manual, push or schedule)")
    targets = ev.of("iac.plan_target")
    if targets:
        return found(targets, f"{len(targets)} plan target(s)/script(s) for running a plan by hand", Strength.WEAK)
    return missing(ev, "no plan workflow or plan target")


# ---- level 3 -------------------------------------------------------------------------------------------


@probe("drift_job_scheduled", text="Drift is checked on a schedule (at most every max_hours)", sources=["repo"],
       max_hours=24)
def drift_job_scheduled(ev: EvidenceSet) -> Finding:
    limit = ev.p("max_hours")
    jobs = scheduled_drift_jobs(ev)
    ok = [j for j, h in jobs if h is not None and h <= limit]
    platform = [d for d in ev.of("drift.tool") if d.get("tool") in PLATFORM_DRIFT]
    gitops = ev.of("gitops.app")
    if gitops and not (ok or platform) and terraform_estate(ev):
        gitops = []  # the reconciler watches the cluster only; Terraform state has no scheduled check
    loops = [d for d in convergence_loops(ev) if d.get("interval_hours") is not None and d.get("interval_hours") <= limit]
    if ok or platform or gitops or loops:
        what = []
        if ok:
            what.append(f"{len(ok)} scheduled plan/drift job(s) every <= {limit} h")
        if platform:
            what.append(", ".join(sorted({str(d.get('tool')) for d in platform})) + " drift detection")
        if gitops:
            what.append(f"{len(gitops)} GitOps app(s) compared continuously by the reconciler")
        if loops:
            what.append(", ".join(sorted({f"{d.get('tool')} {d.get('schedule')}" for d in loops}))
                        + " re-converges every host (continuous reconciliation)")
        strength = Strength.DIRECT if platform or any(j.strength is Strength.DIRECT for j in ok + loops) else Strength.STRONG
        return found(ok + platform + gitops + loops, "; ".join(what), strength)
    unknown = [j for j, h in jobs if h is None]
    if unknown:
        return Finding(None, "not assessed, because the schedule of the drift job(s) is kept in the CI platform "
                       "(pipeline schedules), not in the repository", unknown)
    slow = [j for j, h in jobs if h is not None]
    if slow:
        return Finding(False, f"drift job(s) scheduled less often than every {limit} h", slow)
    documented = ev.of("drift.tool", tool="documented-reconciler")
    if documented:
        # a reconciler the README describes is continuous by its account only: weak, it cannot confirm a level
        return found(documented, _documented(documented) + "; its schedule and drift handling are not visible here",
                     Strength.WEAK)
    return missing(ev, "no scheduled plan or drift detection")


def _documented(items: list[Evidence]) -> str:
    return ("the README says " + ", ".join(sorted({str(d.get("reconciler")) for d in items}))
            + " applies " + ", ".join(sorted({p for d in items for p in d.get("paths") or []})[:4])
            + " automatically (outside the repository)")


@probe("drift_job_running", text="The scheduled drift job actually runs", sources=["repo", "scm"])
def drift_job_running(ev: EvidenceSet) -> Finding:
    platform = [d for d in ev.of("drift.tool") if d.get("tool") in PLATFORM_DRIFT] + convergence_loops(ev)
    if not platform and not terraform_estate(ev):
        platform = ev.of("gitops.app")
    jobs = [j for j, _h in scheduled_drift_jobs(ev)]
    runs = ev.of("scm.runs")
    if jobs and runs:
        running = {str(p) for r in runs for p in (r.get("scheduled_workflows_running") or [])}
        live = [j for j in jobs if str(j.get("pipeline")) in running]
        if live:
            return found(live + runs, f"{len(live)} scheduled drift job(s) ran recently")
    if platform:
        return found(platform, "drift detection is run by the platform (assessments / reconciler / agents on every host)",
                     Strength.STRONG)
    if not jobs:
        return missing(ev, "no scheduled drift job to run")
    if runs:
        return Finding(False, "the scheduled drift workflow has no recent scheduled runs", jobs + runs)
    return unreadable(ev, "workflow_runs") or missing(ev, "no recent runs of the scheduled drift job",
                                                     needs=("scm",))


@probe("drift_alert", text="Detected drift notifies the owning team", sources=["repo"])
def drift_alert(ev: EvidenceSet) -> Finding:
    jobs = [j for j in ev.of("ci.job") if j.get("notifies_on_drift")]
    jobs += [d for d in ev.of("drift.tool", tool="scheduled-action") if d.get("notifies")]
    tfe = [e for e in resources(ev, "tfe_notification_configuration") if facts(e).get("drift_trigger")
           and facts(e).get("enabled", True)]
    spacelift = [e for e in resources(ev, "spacelift_policy") if str(facts(e).get("type", "")).upper() == "NOTIFICATION"]
    gitops = [a for a in ev.of("gitops.app") if a.get("notifies")]
    # alert rules on the reconciler itself (Argo CD OutOfSync, Flux not ready, a Chef client that stopped
    # converging): the team hears when the estate is no longer kept equal to the code
    watched = ev.of("gitops.app") or convergence_loops(ev)
    rules = [a for a in ev.of("alert.rule") if RECONCILER_ALERT_RX.search(
        f"{a.get('name')} " + re.sub(r'\w+\s*![=~]\s*"[^"]*"', "", str(a.get("expr"))))] if watched else []
    items = jobs + tfe + spacelift + gitops + rules
    if items:
        return found(items, f"{len(items)} drift notification(s): "
                     + ", ".join(sorted({"CI job on exit code 2" if e.kind == "ci.job" else
                                         "scheduled drift action with a notification input" if e.get("tool") == "scheduled-action" else
                                         f"alert rule '{e.get('name')}' on the reconciler" if e.kind == "alert.rule" else
                                         str(e.get("type") or e.get("tool")) for e in items})))
    synced = _drift_synced(ev)
    if synced:
        # the platform notifies on drift only when its integration (Slack, email) is set up there
        return found(synced, "drift status is reported to " + ", ".join(sorted({str(j.get("drift_sync")) for j in synced}))
                     + "; its notifications are configured in that platform", Strength.WEAK)
    return missing(ev, "drift is not notified (no step on plan exit code 2, no assessment:drifted notification)")


def _drift_synced(ev: EvidenceSet) -> list[Evidence]:
    """Scheduled drift jobs that report drift to a drift-tracking platform (Terramate Cloud)."""
    return [j for j, _h in scheduled_drift_jobs(ev) if j.get("drift_sync")]


@probe("config_compliance_service", text="A cloud compliance service evaluates configuration continuously (AWS Config, Azure Policy)",
       sources=["repo", "cloud"])
def config_compliance_service(ev: EvidenceSet) -> Finding:
    recorders = ev.of("drift.tool", tool="aws-config")
    disabled = [e for e in resources(ev, "aws_config_configuration_recorder_status") if not facts(e).get("is_enabled")]
    rules = resources(ev, "aws_config_config_rule", "aws_config_conformance_pack", "aws_config_organization_managed_rule",
                      "aws_config_organization_conformance_pack", "aws_config_organization_custom_rule",
                      "AWS::Config::ConfigRule", "AWS::Config::ConformancePack",
                      "AWS::Config::OrganizationConformancePack")
    azure = [d for d in ev.of("drift.tool", tool="azure-policy")]
    aws_ok = (recorders and not disabled and rules) or any("organization" in str(r.get("type")).lower() for r in rules)
    if aws_ok or azure:
        items = (recorders + rules if aws_ok else []) + azure
        return found(items, ("AWS Config recorder and rules" if aws_ok else "")
                     + (" and " if aws_ok and azure else "") + ("Azure Policy assignments" if azure else "")
                     + " declared in code", Strength.STRONG)
    # A GitOps-only estate (a cluster config repo with no Terraform/CloudFormation/Bicep of its own): the
    # reconciler itself evaluates every object against git continuously and reverts what differs, which is
    # what AWS Config/Azure Policy do for a cloud account. Cloud accounts this repository declares are not
    # covered by it, so any declared cloud IaC keeps the criterion on the cloud scan.
    heal = [a for a in ev.of("gitops.app") if a.get("automated") and a.get("self_heal")]
    if heal and not terraform_estate(ev) and not [e for e in deployed_code(ev) if e.get("tool") in INFRA_TOOLS]:
        return found(heal, f"{len(heal)} self-healing GitOps app(s) evaluate the cluster configuration against git "
                     "continuously (no cloud infrastructure is declared in the repository)", Strength.STRONG)
    return missing(ev, "no AWS Config rules or Azure Policy assignments", needs=("cloud",))


# ---- level 4 -------------------------------------------------------------------------------------------


@probe("drift_log", text="Drift events are logged with open and resolve times", sources=["repo", "scm"])
def drift_log(ev: EvidenceSet) -> Finding:
    logs = [d for d in ev.of("drift.log") if (d.get("entries") or 0) > 0]
    issue_jobs = [j for j in ev.of("ci.job") if j.get("notifies_on_drift")
                  and "issue" in str((j.get("matched") or {}).get("notify", "")).lower()]
    if logs or issue_jobs:
        return found(logs + issue_jobs, (f"{len(logs)} drift log file(s)" if logs else "")
                     + ("; " if logs and issue_jobs else "")
                     + (f"{len(issue_jobs)} drift job(s) open issues" if issue_jobs else ""), Strength.STRONG)
    synced = _drift_synced(ev)
    if synced:
        return found(synced, "the scheduled drift job records drift per stack in "
                     + ", ".join(sorted({str(j.get("drift_sync")) for j in synced})) + " (detected and resolved times)",
                     Strength.STRONG)
    labels = [lb for lb in ev.of("scm.labels", "change.labels")
              if any("drift" in str(n).lower() for n in (lb.get("labels") or []))]
    if labels:
        return found(labels, "a 'drift' label exists (its use is not verified)", Strength.WEAK)
    return missing(ev, "no drift log (file, drift issues)", needs=("repo", "scm"))


@probe("drift_sla_policy", text="Drift SLAs by severity are documented", sources=["repo"])
def drift_sla_policy(ev: EvidenceSet) -> Finding:
    docs = ev.of("doc.policy", topic="drift-sla")
    if docs:
        return found(docs, "a drift SLA document exists")  # strength as the docs collector judged it
    return missing(ev, "no drift SLA document")


# ---- level 5 -------------------------------------------------------------------------------------------


@probe("drift_auto_remediation", text="Known drift is remediated automatically", sources=["repo", "cloud"])
def drift_auto_remediation(ev: EvidenceSet) -> Finding:
    loops = convergence_loops(ev)
    tools = [d for d in ev.of("drift.tool") if d.get("automated_remediation") and (not d.get("converges") or d in loops)]
    heal = [a for a in ev.of("gitops.app") if a.get("automated") and a.get("self_heal")]
    sched_apply = [j for j in iac_deploy_jobs(ev) if "schedule" in triggers(j)]
    items = tools + heal + sched_apply
    if items:
        return found(items, f"{len(items)} automatic remediation mechanism(s): "
                     + ", ".join(sorted({str(e.get("tool")) if e.kind != "ci.job" else "scheduled apply" for e in items})))
    return missing(ev, "no automatic drift remediation", needs=("repo", "cloud"))


@probe("drift_age_bounded", text="No production drift lives longer than max_hours", sources=["scm"], max_hours=48)
def drift_age_bounded(ev: EvidenceSet) -> Finding:
    ages = [a for a in ev.of("drift.age") if a.get("max_open_hours") is not None]
    if ages:
        worst = max(ages, key=lambda a: a.get("max_open_hours"))
        return Finding(worst.get("max_open_hours") <= ev.p("max_hours"),
                       f"oldest open drift {worst.get('max_open_hours')} h (limit {ev.p('max_hours')} h)", [worst])
    heal = [a for a in ev.of("gitops.app") if a.get("automated") and a.get("self_heal")]
    if heal and not terraform_estate(ev):
        return found(heal, "self-healing reconciler reverts drift within minutes", Strength.STRONG)
    loops = [d for d in convergence_loops(ev) if d.get("automated_remediation")
             and d.get("interval_hours") is not None and d.get("interval_hours") <= ev.p("max_hours")]
    if loops and not terraform_estate(ev):
        return found(loops, "configuration-management agents revert drift of declared resources at every run ("
                     + ", ".join(sorted({str(d.get("schedule")) for d in loops})) + ")", Strength.STRONG)
    return Finding(None, "not assessed, because drift age needs the drift issue history or HCP Terraform "
                   "assessment results, which no scanned source provided")
