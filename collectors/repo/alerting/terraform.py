"""Alerting in Terraform: alarms (read in terraform_alarms), notification routing (PagerDuty, Opsgenie, SNS,
action groups, contact points), synthetic checks, and uptime checks set up through a module."""

from __future__ import annotations

import re

from wafops.collectors.repo.alerting.record import receiver_name, routing
from wafops.collectors.repo.alerting.state import AlertRun
from wafops.collectors.repo.alerting.terraform_alarms import TF_ALARMS, tf_alarm
from wafops.collectors.repo.observability_files import TfResource, is_product_path, s, tf_asks, tf_resources
from wafops.collectors.translate import aws as translate_aws
from wafops.collectors.translate import azure as translate_azure
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Strength

TF_ROUTING = {"pagerduty_service", "pagerduty_escalation_policy", "pagerduty_service_integration", "opsgenie_team",
              "opsgenie_api_integration", "opsgenie_escalation", "grafana_contact_point", "aws_sns_topic_subscription",
              "azurerm_monitor_action_group", "aws_ssmcontacts_contact", "aws_ssmincidents_response_plan",
              "datadog_integration_pagerduty", "datadog_integration_pagerduty_service_object", "datadog_integration_opsgenie_service_object",
              "newrelic_notification_destination", "grafana_notification_policy", "aws_chatbot_slack_channel_configuration"}
TF_PROBES = {"aws_synthetics_canary": "synthetics", "aws_route53_health_check": "route53",
             "azurerm_application_insights_standard_web_test": "webtest", "azurerm_application_insights_web_test": "webtest",
             "datadog_synthetics_test": "datadog-synthetics", "google_monitoring_uptime_check_config": "uptime",
             "newrelic_synthetics_monitor": "uptime", "newrelic_synthetics_script_monitor": "uptime",
             "grafana_synthetic_monitoring_check": "uptime", "pingdom_check": "uptime", "uptimerobot_monitor": "uptime",
             "checkly_check": "uptime", "betteruptime_monitor": "uptime", "statuscake_uptime_check": "uptime",
             "statuscake_test": "uptime", "site24x7_website_monitor": "uptime", "uptimerobot_monitor_v2": "uptime"}
# how each synthetic check says whom it tells when it fails
TF_PROBE_NOTIFY = ("contact_groups", "contact_group", "alert_contacts", "integrationids", "notification_channels",
                   "locations_alert", "alarm_actions", "alert_settings", "notifications", "action")
# a module that sets up uptime/synthetic checks (`monitoring/statuscake`, `modules/uptime-checks`, `pingdom`):
# the checks themselves are in the module, the URLs and contact groups are passed in
UPTIME_MODULE = re.compile(r"(?i)(statuscake|pingdom|uptime[-_ ]?(robot|check|monitor)s?|synthetics?|blackbox|healthcheck[-_]?monitor)")
UPTIME_INPUT = re.compile(r"(?i)(url|host|endpoint|domain|target)s?$")
NOTIFY_INPUT = re.compile(r"(?i)(contact|alert|notif|recipient|webhook|email|slack|teams|pagerduty|opsgenie|channel)")


def tf_types() -> set[str]:
    """The Terraform resource types this detector reads."""
    return set(TF_ALARMS) | TF_ROUTING | set(TF_PROBES)


UPTIME_WANTED = Wanted(blocks=frozenset({"module"}))


def hcl_blocks(tree: RepoTree) -> list[tuple[str, Wanted]]:
    """The .tf files `terraform` and `uptime_modules` parse, and the blocks they read."""
    return tf_asks(tree, tf_types()) + [(path, UPTIME_WANTED) for path in _uptime_paths(tree)]


def _uptime_paths(tree: RepoTree) -> list[str]:
    """The product .tf files that may call an uptime module."""
    out = []
    for path in tree.with_suffix(".tf"):
        if not is_product_path(path):
            continue
        text = tree.text(path) or ""
        if "module" in text and UPTIME_MODULE.search(text):
            out.append(path)
    return out


def terraform(run: AlertRun) -> None:
    """Detector: alarm, routing and synthetic-check resources."""
    for r in tf_resources(run.tree, tf_types()):
        if r.type in TF_ALARMS:
            tf_alarm(run, r)
        elif r.type in TF_PROBES:
            notifies = any(r.body.get(k) for k in TF_PROBE_NOTIFY)
            run.emit("alert.availability_probe", r.path, {"tool": TF_PROBES[r.type], "notifies": notifies},
                     line=r.line, strength=Strength.DIRECT, summary=f"{r.type}.{r.name}", key=(r.type, r.name))
        else:
            _tf_routing(run, r)


def _tf_routing(run: AlertRun, r: TfResource) -> None:
    t, b = r.type, r.body
    receivers: list[str] = []
    group_by = False
    if t.startswith("pagerduty_") or t.startswith("datadog_integration_pagerduty"):
        receivers = ["pagerduty"]
        group_by = bool(b.get("alert_grouping_parameters"))
    elif t.startswith("opsgenie_") or t == "datadog_integration_opsgenie_service_object":
        receivers = ["opsgenie"]
    elif t.startswith(("aws_ssmcontacts", "aws_ssmincidents")):
        receivers = ["incident-manager"]
    elif t == "aws_chatbot_slack_channel_configuration":
        receivers = ["slack"]
    elif t == "grafana_contact_point":
        receivers = sorted({receiver_name(k) for k in b if k in ("pagerduty", "opsgenie", "victorops", "slack", "email",
                                                                 "webhook", "teams", "sns", "oncall")})
    elif t == "grafana_notification_policy":
        receivers = []
        group_by = bool(b.get("group_by"))
    elif t == "aws_sns_topic_subscription":
        receivers = translate_aws.sns_subscription_receivers(b.get("protocol"), b.get("endpoint"))
    elif t == "azurerm_monitor_action_group":
        receivers = translate_azure.action_group_receivers(translate_azure.action_group_from_terraform(b), r.text)
    elif t == "newrelic_notification_destination":
        typ = s(b.get("type")).lower()
        receivers = ["pagerduty" if "pagerduty" in typ else "email" if "email" in typ else "webhook"]
    routing(run, r.path, receivers, group_by=group_by, inhibit=False, line=r.line, key=(t, r.name))


def uptime_modules(run: AlertRun) -> None:
    """Detector: uptime checks set up through a module: a `module` whose source or name is an uptime/synthetics
    module and which is given the URLs to check. It notifies when it is also given contact groups or alert targets."""
    tree = run.tree
    for path in _uptime_paths(tree):
        parsed = tree.hcl(path, UPTIME_WANTED)
        if not isinstance(parsed, dict):
            continue
        for block in parsed.get("module") or []:
            for name, body in (block.items() if isinstance(block, dict) else []):
                if not isinstance(body, dict):
                    continue
                source = s(body.get("source"))
                if not (UPTIME_MODULE.search(source.rsplit("//", 1)[-1]) or UPTIME_MODULE.search(str(name))):
                    continue
                if not any(UPTIME_INPUT.search(str(k)) for k in body):
                    continue
                notifies = any(NOTIFY_INPUT.search(str(k)) and body.get(k) for k in body if k != "source")
                line = tree.line_of(path, re.compile(rf'^\s*module\s+"{re.escape(str(name))}"', re.M))
                run.emit("alert.availability_probe", path, {"tool": "uptime", "via": "module", "notifies": notifies},
                         line=line, strength=Strength.STRONG, key=("module", name),
                         summary=f"uptime checks through module {name} ({source[-60:]})")
