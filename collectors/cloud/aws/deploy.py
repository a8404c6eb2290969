"""CodePipeline, CodeDeploy, ECS, Lambda and AppConfig -> ci.pipeline / ci.job, deploy.strategy,
deploy.flag_service, obs.tracing and obs.service, as the repository collectors write them for the same
resources in Terraform/CloudFormation."""

from __future__ import annotations

import re

from wafops.collectors.cloud.aws.run import Area, AwsRun
from wafops.collectors.translate import aws as tr
from wafops.scanner.core.model import Strength

PIPELINES = Area("codepipeline", "CodePipeline pipelines", ("ci_pipeline_defined", "prod_deploy_in_pipeline", "prod_deploy_gate"), ("WAF-OPS-010",))
DEPLOYS = Area("deployments", "CodeDeploy deployment groups, ECS services and Lambda aliases",
               ("safer_rollout", "progressive_delivery", "health_gated_promotion", "auto_rollback", "metric_analysis",
                "instant_rollback", "rollback_or_flags"), ("WAF-OPS-080", "WAF-OPS-050"))
FLAGS = Area("appconfig", "AppConfig feature-flag profiles", ("flag_service_backed", "rollback_or_flags"), ("WAF-OPS-080",))
PROD = re.compile(r"(?i)^(prod|production|prd|live)([-_].*)?$")
STEP_OF = {"Build": "build", "Test": "test", "Deploy": "deploy", "Invoke": "deploy"}
MAX_ALIAS_LOOKUPS = 50


def collect(run: AwsRun) -> None:
    run.each_region(PIPELINES, lambda r: _pipelines(run, r))
    run.each_region(DEPLOYS, lambda r: _codedeploy(run, r))
    run.each_region(DEPLOYS, lambda r: _ecs(run, r))
    run.each_region(DEPLOYS, lambda r: _lambda(run, r))
    run.each_region(FLAGS, lambda r: _appconfig(run, r))


def _pipelines(run: AwsRun, region: str) -> None:
    prod = re.compile(run.options.get("production_pattern") or PROD.pattern)
    for summary in run.pages("codepipeline", region, "ListPipelines", "pipelines"):
        name = str(summary.get("name"))
        p = run.call("codepipeline", region, "GetPipeline", name=name).get("pipeline") or {}
        arn = run.arn("codepipeline", region, name)
        stages = p.get("stages") or []
        run.ev("ci.pipeline", arn, {"system": "aws-codepipeline", "name": name, "triggers": ["push"], "schedules": [],
                                    "schedule_interval_hours": None, "reusable": False, "templates": [], "jobs": len(stages)},
               f"CodePipeline {name} ({len(stages)} stage(s))")
        gated = False
        for st in stages:
            actions = st.get("actions") or []
            cats = {str((a.get("actionTypeId") or {}).get("category")) for a in actions}
            if "Approval" in cats:
                gated = True
            steps = sorted({STEP_OF[c] for c in cats if c in STEP_OF})
            env = str(st.get("name"))
            production = bool(prod.match(env)) and "deploy" in steps
            run.ev("ci.job", f"{arn}/{env}", {
                "system": "aws-codepipeline", "pipeline": name, "name": env, "triggers": ["push"], "environment": env,
                "production": production, "manual_gate": gated or "Approval" in cats, "needs": [], "stage": env,
                "steps": steps, "matched": {s: "codepipeline" for s in steps}, "plan_flags": [], "notifies_on_drift": False,
                "template": None, "branches": [], "freeze_check": False,
                "rollback_on_failure": str((st.get("onFailure") or {}).get("result") or "") == "ROLLBACK"},
                f"CodePipeline {name} stage {env}" + (" after a manual approval" if gated else ""))


def _codedeploy(run: AwsRun, region: str) -> None:
    for app in run.pages("codedeploy", region, "ListApplications", "applications"):
        names = run.pages("codedeploy", region, "ListDeploymentGroups", "deploymentGroups", applicationName=app)
        for group in names:
            g = run.call("codedeploy", region, "GetDeploymentGroup", applicationName=app,
                         deploymentGroupName=group).get("deploymentGroupInfo") or {}
            if g:
                cfg = str(g.get("deploymentConfigName") or "")
                style = g.get("deploymentStyle") or {}
                blue_green = style.get("deploymentType") == "BLUE_GREEN"
                kind = tr.codedeploy_config_kind(cfg) or ("blue-green" if blue_green else "rolling")
                rb = g.get("autoRollbackConfiguration") or {}
                alarms = g.get("alarmConfiguration") or {}
                name = str(g.get("deploymentGroupName"))
                run.ev("deploy.strategy", run.arn("codedeploy", region, f"deploymentgroup:{app}/{name}"), {
                    "tool": "codedeploy", "kind": kind, "analysis": bool(alarms.get("enabled") and alarms.get("alarms")),
                    "health_gate": True, "auto_rollback": bool(rb.get("enabled")), "manual_pause": False,
                    "keeps_old": blue_green, "name": name[:120]},
                    f"CodeDeploy group {app}/{name}: {cfg or kind}" + (", automatic rollback" if rb.get("enabled") else ""))


def _ecs(run: AwsRun, region: str) -> None:
    for cluster in run.pages("ecs", region, "ListClusters", "clusterArns"):
        arns = run.pages("ecs", region, "ListServices", "serviceArns", cluster=cluster)
        for i in range(0, len(arns), 10):
            for svc in run.call("ecs", region, "DescribeServices", cluster=cluster, services=arns[i:i + 10]).get("services") or []:
                name = str(svc.get("serviceName"))
                run.ev("obs.service", str(svc.get("serviceArn")), {"name": name, "origin": "aws-ecs", "critical": None},
                       f"ECS service {name}", Strength.STRONG)
                s = tr.ecs_service_strategy(svc)
                if s is None:
                    continue
                attrs = {"analysis": False, "health_gate": False, "auto_rollback": False, "manual_pause": False,
                         "keeps_old": False, **s, "name": name[:120]}
                run.ev("deploy.strategy", str(svc.get("serviceArn")), attrs,
                       f"ECS service {name}: {attrs['kind']}" + (" with automatic rollback" if attrs["auto_rollback"] else ""))


def _lambda(run: AwsRun, region: str) -> None:
    functions = run.pages("lambda", region, "ListFunctions", "Functions")
    for f in functions:
        if (f.get("TracingConfig") or {}).get("Mode") == "Active":
            run.ev("obs.tracing", str(f.get("FunctionArn")), {"mechanism": "lambda-active-tracing"},
                   f"Lambda {f.get('FunctionName')} has active tracing")
    for f in functions[:MAX_ALIAS_LOOKUPS]:
        for a in run.pages("lambda", region, "ListAliases", "Aliases", FunctionName=f["FunctionName"]):
            weights = (a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
            if weights:
                run.ev("deploy.strategy", str(a.get("AliasArn")), {
                    "tool": "lambda-alias", "kind": "canary", "analysis": False, "health_gate": False,
                    "auto_rollback": False, "manual_pause": False, "keeps_old": True, "name": str(a.get("Name"))[:120]},
                    f"Lambda alias {f['FunctionName']}:{a.get('Name')} shifts traffic to a new version")


def _appconfig(run: AwsRun, region: str) -> None:
    for app in run.pages("appconfig", region, "ListApplications", "Items"):
        profiles = run.pages("appconfig", region, "ListConfigurationProfiles", "Items", ApplicationId=app["Id"])
        for p in profiles:
            if p.get("Type") == "AWS.AppConfig.FeatureFlags":
                run.ev("deploy.flag_service", run.arn("appconfig", region, f"application/{app['Id']}/configurationprofile/{p.get('Id')}"),
                       {"tool": "appconfig"}, f"AppConfig feature-flag profile {app.get('Name')}/{p.get('Name')}")
