"""CloudFormation and SAM: log groups (retention), dashboards, Lambda functions and ECS services (D-SVC),
active tracing, task definitions' log drivers, anomaly detectors, X-Ray sampling rules."""

from __future__ import annotations

import json
import re

from wafops.collectors.repo.observability.dashboards import dashboard
from wafops.collectors.repo.observability.shippers import LOG_DRIVERS
from wafops.collectors.repo.observability.state import ObsRun
from wafops.collectors.repo.observability_files import CfnResource, cfn_resources, s
from wafops.collectors.translate import aws as translate_aws
from wafops.scanner.core.model import Strength

CFN_TYPES = {"AWS::Logs::LogGroup", "AWS::CloudWatch::Dashboard", "AWS::Serverless::Function", "AWS::Lambda::Function",
             "AWS::ECS::TaskDefinition", "AWS::CloudWatch::AnomalyDetector", "AWS::XRay::SamplingRule",
             "AWS::ECS::Service"}


def cloudformation(run: ObsRun) -> None:
    for r in cfn_resources(run.tree, CFN_TYPES):
        _resource(run, r)
    for path in run.tree.named("template.yaml", "template.yml"):
        if run.has(path, r"(?m)^Globals:") and run.has(path, r"(?m)^\s+Tracing:\s*Active"):
            run.emit("obs.tracing", path, {"mechanism": "lambda-active-tracing"}, pattern="Tracing: Active",
                     strength=Strength.DIRECT, key=("lt",))


def _resource(run: ObsRun, r: CfnResource) -> None:
    p = r.props
    if r.type == "AWS::Logs::LogGroup":
        run.emit("obs.log_retention", r.path, {"tool": "cloudformation", "resource": r.type, "name": r.name,
                                               "days": translate_aws.log_group_retention(p)},
                 line=r.line, strength=Strength.DIRECT)
        run.emit("obs.log_shipper", r.path, {"tool": "cloudwatch-logs", "logs": True}, line=r.line, key=("cwl",))
    elif r.type == "AWS::CloudWatch::Dashboard":
        dashboard(run, r.path, "cloudwatch", s(p.get("DashboardName") or r.name), 0, json.dumps(p), line=r.line)
    elif r.type in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
        run.emit("obs.service", r.path, {"name": r.name, "origin": "serverless", "critical": None}, line=r.line,
                 key=("svc", r.name))
        run.emit("obs.log_shipper", r.path, {"tool": "cloudwatch-logs", "logs": True}, line=r.line, key=("cwl",))
        mode = p.get("Tracing") or (p.get("TracingConfig") or {}).get("Mode") if isinstance(p.get("TracingConfig") or {}, dict) else None
        if mode == "Active":
            run.emit("obs.tracing", r.path, {"mechanism": "lambda-active-tracing"}, line=r.line, strength=Strength.DIRECT,
                     key=("lt",))
    elif r.type == "AWS::ECS::TaskDefinition":
        m = re.search(r"'LogDriver': '(awslogs|awsfirelens|splunk|fluentd)'", str(p))
        if m:
            run.emit("obs.log_shipper", r.path, {"tool": LOG_DRIVERS[m.group(1)], "logs": True}, line=r.line,
                     strength=Strength.DIRECT, key=("ecs", m.group(1)))
    elif r.type == "AWS::ECS::Service":
        run.emit("obs.service", r.path, {"name": r.name, "origin": "cloudformation", "critical": None}, line=r.line,
                 key=("svc", r.name))
    elif r.type == "AWS::CloudWatch::AnomalyDetector":
        run.emit("obs.anomaly", r.path, {"mechanism": "cloudwatch-anomaly-detection"}, line=r.line,
                 strength=Strength.DIRECT, key=("cwad", r.name))
    elif r.type == "AWS::XRay::SamplingRule":
        run.emit("obs.sampling", r.path, {"mechanism": "xray-sampling-rule"}, line=r.line, strength=Strength.DIRECT)
