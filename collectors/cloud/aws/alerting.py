"""CloudWatch metric and composite alarms, SNS routing and Incident Manager -> alert.rule, alert.routing,
obs.anomaly, exactly as the repository collector writes them for `aws_cloudwatch_metric_alarm` /
`AWS::CloudWatch::Alarm` (one translation: collectors/translate/aws.py, one set of attributes:
collectors.translate.alerting.rule_attributes)."""

from __future__ import annotations

from wafops.collectors.cloud.aws.run import Area, AwsRun
from wafops.collectors.translate import aws as tr
from wafops.collectors.translate.alerting import PAGING_RECEIVERS, rule_attributes
from wafops.scanner.core.vocabulary import redact

ALARMS = Area("alarms", "CloudWatch alarms",
              ("alert_rules_notify", "alert_symptom_or_probe", "alert_symptom_ratio", "alert_runbook_links",
               "alert_burn_rate_multiwindow", "alert_anomaly", "obs_anomaly_detection", "alerts_as_code_ratio",
               "slo_alert_coverage"), ("WAF-OPS-040", "WAF-OPS-060", "WAF-OPS-030"))
ROUTING = Area("routing", "SNS topics/subscriptions and Incident Manager response plans",
               ("alert_paging_integration",), ("WAF-OPS-040",))


def collect(run: AwsRun) -> None:
    # routing first: an alarm whose topic reaches PagerDuty pages, whatever the topic is called
    run.each_region(ROUTING, lambda r: _routing(run, r))
    run.each_region(ALARMS, lambda r: _alarms(run, r))


def _routing(run: AwsRun, region: str) -> None:
    topics: dict[str, set[str]] = {}
    for sub in run.pages("sns", region, "ListSubscriptions", "Subscriptions"):
        receivers = tr.sns_subscription_receivers(sub.get("Protocol"), sub.get("Endpoint"))
        topics.setdefault(str(sub.get("TopicArn")), set()).update(receivers)
    for arn, receivers in sorted(topics.items()):
        if not receivers:
            continue
        run.ev("alert.routing", arn, {"receivers": sorted(receivers), "paging": bool(receivers & PAGING_RECEIVERS),
                                      "group_by": False, "inhibit": False},
               f"SNS topic {arn.rsplit(':', 1)[-1]} delivers to {', '.join(sorted(receivers))}")
    with run.lock:
        run.shared.setdefault("topic_receivers", {}).update(topics)
    plans = run.pages("ssm-incidents", region, "ListResponsePlans", "responsePlanSummaries")
    for p in plans:
        run.ev("alert.routing", str(p.get("arn")), {"receivers": ["incident-manager"], "paging": True,
                                                    "group_by": False, "inhibit": False},
               f"Incident Manager response plan {p.get('name')} engages responders")


def _alarms(run: AwsRun, region: str) -> None:
    receivers = run.shared.get("topic_receivers", {})
    metric: list[dict] = []
    composite: list[dict] = []
    c = run.reader.client("cloudwatch", region)
    try:
        for page in c.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm", "CompositeAlarm"]):
            metric.extend(page.get("MetricAlarms") or [])
            composite.extend(page.get("CompositeAlarms") or [])
    except Exception as err:
        from wafops.collectors.cloud.aws.session import classify

        raise classify(err, "cloudwatch:DescribeAlarms", region) from err
    for p, facts in [(a, tr.cloudwatch_alarm(a)) for a in metric] + [(a, tr.cloudwatch_composite_alarm(a)) for a in composite]:
        # where the actions go: the topics' subscriptions name the pager even when the topic name does not
        reach = sorted({x for a in facts["actions"] for x in receivers.get(a, ())})
        hint = " ".join([facts["paging_hint"], *reach]).strip()
        attrs = rule_attributes(origin="cloudwatch", name=facts["name"], expr=facts["expr"], severity=facts["severity"],
                                notifies=facts["notifies"], paging_hint=hint, extra_windows=facts["windows"],
                                runbook=(redact(facts["runbook"], 300) or None, None, None))
        attrs["region"] = region
        attrs["actions_reach"] = reach
        arn = str(p.get("AlarmArn") or run.arn("cloudwatch", region, f"alarm:{facts['name']}"))
        run.ev("alert.rule", arn, attrs,
               f"CloudWatch alarm '{facts['name'][:80]}' ({attrs['signal']}{', paging' if attrs['paging'] else ''})")
        if facts["anomaly"]:
            run.ev("obs.anomaly", arn, {"mechanism": "cloudwatch-anomaly-detection"},
                   f"anomaly band alarm {facts['name']}")
