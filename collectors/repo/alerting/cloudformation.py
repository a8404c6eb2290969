"""Alerting in CloudFormation: CloudWatch alarms (with anomaly bands), canaries, Route 53 health checks and
SNS subscriptions to a pager."""

from __future__ import annotations

import json

from wafops.collectors.repo.alerting.record import routing, rule
from wafops.collectors.repo.alerting.state import AlertRun
from wafops.collectors.repo.observability_files import cfn_resources, s
from wafops.collectors.translate import aws as translate_aws
from wafops.scanner.core.model import Strength

_TYPES = {"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm", "AWS::Synthetics::Canary",
          "AWS::Route53::HealthCheck", "AWS::SNS::Subscription"}


def cloudformation(run: AlertRun) -> None:
    """Detector: the alerting resources of CloudFormation templates."""
    for r in cfn_resources(run.tree, _TYPES):
        p = r.props
        if r.type in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
            a = (translate_aws.cloudwatch_alarm(p) if r.type == "AWS::CloudWatch::Alarm"
                 else translate_aws.cloudwatch_composite_alarm(p))
            rule(run, r.path, origin="cloudwatch", name=a["name"] or r.name, expr=a["expr"], runbook=a["runbook"],
                 notifies=a["notifies"], paging_hint=json.dumps(p.get("AlarmActions") or []),
                 extra_windows=a["windows"], line=r.line, key=("cfn", r.name))
            if a["anomaly"]:
                run.emit("obs.anomaly", r.path, {"mechanism": "cloudwatch-anomaly-detection"}, line=r.line,
                         strength=Strength.DIRECT, summary=f"anomaly band alarm {r.name}", key=("cfn-anomaly", r.name))
        elif r.type == "AWS::Synthetics::Canary":
            run.emit("alert.availability_probe", r.path, {"tool": "synthetics"}, line=r.line, strength=Strength.DIRECT,
                     summary=f"canary {r.name}", key=("cfn", r.name))
        elif r.type == "AWS::Route53::HealthCheck":
            run.emit("alert.availability_probe", r.path, {"tool": "route53"}, line=r.line, strength=Strength.DIRECT,
                     summary=f"health check {r.name}", key=("cfn", r.name))
        elif r.type == "AWS::SNS::Subscription":
            endpoint = s(p.get("Endpoint")).lower()
            for vendor in ("pagerduty", "opsgenie", "victorops"):
                if vendor in endpoint:
                    routing(run, r.path, [vendor], group_by=False, inhibit=False, line=r.line, key=("cfn", r.name))
