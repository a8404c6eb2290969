"""Alerting as code in a repository (WAF-OPS-040, inputs to 030 and 060).

D-ALERT: every alert rule found in the repository becomes one `alert.rule`, normalised to name,
expression, symptom/cause (D-SYMPTOM), paging, runbook link (resolved into the repository where it
points there), burn-rate shape and notification target. Sources:
- Prometheus rule files, found by *shape* (`groups[].rules[]` with `alert:`), not by file name;
  PrometheusRule CRDs; chart values that embed rule groups; Helm templates (parsed after blanking
  template directives; when that still fails, a line-based extractor reads `- alert:` blocks, quietly:
  a template that is not YAML before rendering is expected, not a defect worth a warning);
- Grafana alert provisioning/export files (`grafana_alert`, or `data` + `condition`);
- Sloth and Pyrra SLO specs (they generate multi-window burn-rate alerts at deploy time);
- Terraform and CloudFormation alarms, monitors and alert policies.
Notification routing (`alert.routing`) and synthetic checks (`alert.availability_probe`) come from
the same files.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable
from typing import Any

import yaml
from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.repo.observability_files import (
    TEMPLATED_YAML_SUFFIXES,
    YAML_SUFFIXES,
    cfn_resources,
    first,
    is_product_path,
    is_templated,
    load_yaml_docs,
    s,
    tf_resources,
    walk,
)
from wafops.collectors.translate import aws as translate_aws
from wafops.collectors.translate import azure as translate_azure
from wafops.collectors.translate.alerting import (
    PAGING_RECEIVERS,
    RECEIVER_TYPES,
    REPO_URL,
    RUNBOOK_KEYS,
    URL,
    rule_attributes,
    window_seconds,
)
from wafops.scanner.core.model import Evidence, Strength, Subject
from wafops.scanner.core.vocabulary import redact

TF_ALARMS = {"aws_cloudwatch_metric_alarm": "cloudwatch", "aws_cloudwatch_composite_alarm": "cloudwatch",
             "azurerm_monitor_metric_alert": "azure-monitor", "azurerm_monitor_scheduled_query_rules_alert": "azure-monitor",
             "azurerm_monitor_scheduled_query_rules_alert_v2": "azure-monitor",
             "azurerm_monitor_activity_log_alert": "azure-monitor",
             "azurerm_monitor_alert_prometheus_rule_group": "azure-monitor",
             "google_monitoring_alert_policy": "google", "datadog_monitor": "datadog", "grafana_rule_group": "grafana",
             "newrelic_alert_condition": "newrelic", "newrelic_nrql_alert_condition": "newrelic"}
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


class AlertingCollector(Collector):
    name = "alerting"
    source = "repo"
    description = ("Alerting as code: Prometheus/Grafana/Sloth/Pyrra rules, Terraform and CloudFormation alarms (D-ALERT, "
                   "D-SYMPTOM), notification routing, synthetic availability checks")
    controls = ("WAF-OPS-040", "WAF-OPS-030", "WAF-OPS-060")

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        run = _Run(ctx)
        ctx.run_detectors("alerting", (run.yaml_files, run.terraform, run.uptime_modules, run.cloudformation,
                                       run.named_files))
        return run.out


class _Run:
    def __init__(self, ctx: CollectContext) -> None:
        self.ctx = ctx
        self.tree = ctx.tree
        assert self.tree is not None
        self.out: list[Evidence] = []
        self._seen: set[tuple[Any, ...]] = set()
        self.identity = _repo_identity(ctx.subject)
        self._dirs: set[str] | None = None

    def emit(self, kind: str, path: str, attrs: dict[str, Any], *, line: int | None, strength: Strength,
             summary: str, key: Any) -> None:
        k = (kind, path, key)
        if k in self._seen:
            return
        self._seen.add(k)
        self.out.append(self.ctx.file_evidence(kind, path, line=line, attributes=attrs, strength=strength, summary=summary))

    # ---- alert rules ---------------------------------------------------------------------------------
    def rule(self, path: str, *, origin: str, name: str, expr: str, severity: str = "", labels_text: str = "",
             runbook: str | None = None, notifies: bool, paging_hint: str = "", line: int | None = None,
             strength: Strength = Strength.DIRECT, key: Any = None, extra_signal_text: str = "",
             force_burn: bool = False, labels: dict[str, Any] | None = None, extra_windows: list[str] | None = None,
             target_unknown: bool = False) -> None:
        link, local, exists = self.resolve_runbook(runbook, path)
        if line is None:
            line = self.tree.line_of(path, name) if name else None
        attrs = rule_attributes(origin=origin, name=name, expr=expr, severity=severity, labels=labels,
                                notifies=notifies, paging_hint=paging_hint, extra_signal_text=extra_signal_text,
                                force_burn=force_burn, extra_windows=extra_windows, target_unknown=target_unknown,
                                runbook=(link, local, exists))
        signal, paging = attrs["signal"], attrs["paging"]
        self.emit("alert.rule", path, attrs, line=line, strength=strength,
                  summary=f"{origin} alert '{name[:80]}' ({signal}{', paging' if paging else ''})",
                  key=key if key is not None else (origin, name, line))
        if "probe_success" in expr:
            self.emit("alert.availability_probe", path, {"tool": "blackbox"}, line=line, strength=Strength.DIRECT,
                      summary=f"probe_success alert in {path}", key=("blackbox-rule",))
        if re.search(r"predict_linear|holt_winters|stddev_over_time|stddev_|zscore|z_score", expr):
            # (value - mean) / stddev > n is anomaly detection proper; predict_linear is only a capacity forecast
            zscore = bool(re.search(r"(?i)/\s*\(?\s*[\w:{}=\",~.\s]*stddev|zscore|z_score", expr))
            self.emit("obs.anomaly", path, {"mechanism": "prometheus-zscore" if zscore else "prometheus-forecast"}, line=line,
                      strength=Strength.STRONG if zscore else Strength.WEAK,
                      summary=f"{'z-score' if zscore else 'forecast'} rule in {path}", key=("prom-anomaly", zscore))

    def resolve_runbook(self, raw: str | None, rule_path: str) -> tuple[str | None, str | None, bool | None]:
        """(link, repo path it resolves to, whether that path exists). None for exists when it cannot be checked."""
        if not raw or not str(raw).strip():
            return None, None, None
        text = str(raw).strip()
        m = URL.search(text)
        link = m.group(0).rstrip(".,;") if m else text.split()[0] if text.split() else text
        if "{{" in link or "$labels" in link or "$value" in link or "TEMPLATED" in link:
            return redact(link, 300), None, None
        if link.startswith(("http://", "https://")):
            rm = REPO_URL.match(link)
            if not rm:
                return redact(link, 300), None, None
            owner_repo, path = rm.group(2).lower(), rm.group(3).rstrip("/")
            present = self._exists(path)
            if self.identity is not None:
                if owner_repo == self.identity:
                    return redact(link, 300), path, present
                return redact(link, 300), None, None
            # unknown identity (a local checkout): a path that exists here is taken as ours; otherwise undecidable
            return (redact(link, 300), path, True) if present else (redact(link, 300), None, None)
        if " " in text and "/" not in text and "." not in text.split()[0]:
            return "inline", None, None  # runbook text written into the annotation
        rel = link.split("#", 1)[0].split("?", 1)[0]
        if not rel:
            return redact(link, 300), None, None
        base = rule_path.rsplit("/", 1)[0] if "/" in rule_path else ""
        candidates = [posixpath.normpath(rel.lstrip("/"))] if rel.startswith("/") else \
            [posixpath.normpath(posixpath.join(base, rel)), posixpath.normpath(rel)]
        candidates = [c for c in candidates if not c.startswith("..")]
        for c in candidates:
            if self._exists(c):
                return redact(link, 300), c, True
        return redact(link, 300), (candidates[0] if candidates else None), False

    def _exists(self, path: str) -> bool:
        """A file or a directory of the tree (a runbook link may point at a folder's README)."""
        path = path.strip("/")
        if self.tree.exists(path):
            return True
        if self._dirs is None:
            self._dirs = {f.rsplit("/", i)[0] for f in self.tree.files for i in range(1, f.count("/") + 1)}
        return path in self._dirs

    # ---- YAML ------------------------------------------------------------------------------------------
    def yaml_files(self) -> None:
        # `alert.rules` / `node.rules`: Prometheus rule files are often named for their content, not their format
        # templates of them (`alert_rules.yml.erb`, `app_alert.rules.tmpl`) are parsed with the directives stubbed out
        for path in self.tree.with_suffix(*YAML_SUFFIXES, ".rules", *TEMPLATED_YAML_SUFFIXES):
            if not is_product_path(path):
                continue
            text = self.tree.text(path)
            if not text or not _ALERT_HINT.search(text):
                continue
            if path.endswith(".rules") and PROM1_ALERT.search(text):
                self._prom1_rules(path, text)
                continue
            docs = load_yaml_docs(self.tree, path, text)
            found_before = len(self.out)
            for doc in docs:
                if isinstance(doc, dict):
                    self._doc(path, doc)
                    self._bare_rules(path, [doc] if "alert" in doc else doc.get("rules") if "groups" not in doc else None, text)
                elif isinstance(doc, list):
                    self._bare_rules(path, doc, text)
            templated = is_templated(path, text, self.tree)
            if not docs and templated and re.search(r"(?m)^\s*-\s*alert:", text):
                self._regex_rules(path, text)
            elif len(self.out) == found_before and templated and re.search(r"(?m)^\s*-\s*alert:", text):
                self._regex_rules(path, text)

    def _prom1_rules(self, path: str, text: str) -> None:
        """Prometheus 1.x rule syntax (`ALERT Name IF expr FOR 5m LABELS {..} ANNOTATIONS {..}`), still in older
        deployment repositories (Weaveworks' sock shop), in `.rules` files or ConfigMap data."""
        for m in PROM1_ALERT.finditer(text):
            name, body = m.group(1), m.group(2)
            expr = re.split(r"(?m)^\s*(FOR|LABELS|ANNOTATIONS)\b", body, maxsplit=1)[0].strip()
            labels_m = re.search(r"LABELS\s*\{([^}]*)\}", body)
            labels = dict(re.findall(r"(\w+)\s*=\s*\"([^\"]*)\"", labels_m.group(1))) if labels_m else {}
            ann_m = re.search(r"ANNOTATIONS\s*\{(.*?)\}\s*$", body, re.S)
            ann = dict(re.findall(r"(\w+)\s*=\s*\"([^\"]*)\"", ann_m.group(1))) if ann_m else {}
            self.rule(path, origin="prometheus", name=name, expr=expr, severity=str(labels.get("severity") or ""),
                      runbook=_runbook_of(ann), notifies=True, line=self.tree.line_of(path, re.compile(rf"ALERT\s+{name}\b")),
                      key=("prom1", name), labels=labels)

    def _configmap(self, path: str, doc: dict[str, Any]) -> None:
        """Rule files and Alertmanager config mounted from a ConfigMap: the payload is a string under `data`."""
        data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
        for key, value in data.items():
            if not isinstance(value, str) or not _ALERT_HINT.search(value):
                continue
            if PROM1_ALERT.search(value):
                self._prom1_rules(path, value)
                continue
            try:
                inner = list(yaml.safe_load_all(value))
            except Exception:
                self.ctx.warn("repo", f"ConfigMap key {key} does not parse as YAML", path)
                continue
            for d in inner:
                if isinstance(d, dict) and d.get("kind") != "ConfigMap":
                    self._doc(path, d)

    def _bare_rules(self, path: str, items: Any, text: str) -> None:
        """Alert rules outside a `groups:` list: one rule per file, or a plain list of rules.

        Charts keep rule fragments as files of their own and splice them into a PrometheusRule template
        (`tpl (.Files.Get "prometheus_rules/x.yaml")`); the alert name is then often a template variable
        (`{{- $alert := "CNPGClusterOffline" -}}` ... `alert: {{ $alert }}`)."""
        if not isinstance(items, list):
            return
        for i, r in enumerate(items):
            if not (isinstance(r, dict) and "alert" in r and ("expr" in r or "expression" in r)):
                continue
            if "TEMPLATED" in str(r.get("alert")):
                m = re.search(r"\$\w*alert\w*\s*:=\s*[\"']([^\"']+)[\"']", text, re.I)
                r = {**r, "alert": m.group(1) if m else path.rsplit("/", 1)[-1].rsplit(".", 1)[0]}
            self._rule_entry(path, "prometheus", "", i, r)

    def _doc(self, path: str, doc: dict[str, Any]) -> None:
        api = str(doc.get("apiVersion") or "")
        kind = str(doc.get("kind") or "")
        spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
        origin = "prometheus-crd" if kind == "PrometheusRule" else "prometheus"
        if kind == "ConfigMap":
            self._configmap(path, doc)
        # rule groups anywhere in the document (plain rule file, CRD spec, chart values)
        for node in walk(doc):
            if isinstance(node, dict) and isinstance(node.get("groups"), list):
                for gi, group in enumerate(node["groups"]):
                    if isinstance(group, dict) and isinstance(group.get("rules"), list):
                        for ri, r in enumerate(group["rules"]):
                            if isinstance(r, dict):
                                self._rule_entry(path, origin, str(group.get("name", gi)), ri, r)
            if isinstance(node, dict) and isinstance(node.get("route"), dict) and isinstance(node.get("receivers"), list):
                self._alertmanager(path, node)
        if kind == "AlertmanagerConfig":
            self._alertmanager(path, spec)
        # Sloth / Pyrra specs generate multi-window burn-rate alerts
        if (str(doc.get("version", "")) == "prometheus/v1" and isinstance(doc.get("slos"), list)) or (
                kind == "PrometheusServiceLevel" and "sloth" in api):
            body = doc if "slos" in doc else spec
            for slo in body.get("slos") or []:
                if not isinstance(slo, dict):
                    continue
                alerting = slo.get("alerting") if isinstance(slo.get("alerting"), dict) else {}
                ann = alerting.get("annotations") if isinstance(alerting.get("annotations"), dict) else {}
                for which in ("page_alert", "ticket_alert"):
                    a = alerting.get(which)
                    if isinstance(a, dict) and a.get("disable") is True:
                        continue
                    if not alerting:
                        continue
                    labels = {**(alerting.get("labels") or {}), **((a or {}).get("labels") or {})} if isinstance(a, dict) else {}
                    sev = str(labels.get("severity") or ("critical" if which == "page_alert" else "ticket"))
                    self.rule(path, origin="sloth", name=f"{alerting.get('name') or slo.get('name')}:{which}",
                              expr=f"sloth slo {slo.get('name')} objective {slo.get('objective')} windows 5m,30m,1h,2h,6h,1d,3d",
                              severity=sev, runbook=_runbook_of({**ann, **((a or {}).get('annotations') or {})} if isinstance(a, dict) else ann),
                              notifies=True, line=self.tree.line_of(path, str(slo.get("name"))), force_burn=True,
                              key=("sloth", slo.get("name"), which))
        if "pyrra.dev" in api and kind == "ServiceLevelObjective":
            name = str((doc.get("metadata") or {}).get("name") or "slo")
            if (spec.get("alerting") or {}).get("disabled") is not True if isinstance(spec.get("alerting"), dict) else True:
                self.rule(path, origin="pyrra", name=f"{name}:burnrate", expr=f"pyrra_burnrate objective {spec.get('target')} windows 5m,30m,1h,6h",
                          severity="critical", notifies=True, line=self.tree.line_of(path, "ServiceLevelObjective"),
                          force_burn=True, key=("pyrra", name))
        # Grafana contact points (provisioning)
        if isinstance(doc.get("contactPoints"), list):
            types = set()
            for cp in doc["contactPoints"]:
                for r in (cp or {}).get("receivers") or [] if isinstance(cp, dict) else []:
                    if isinstance(r, dict) and r.get("type"):
                        types.add(_receiver_name(str(r["type"])))
            if types:
                self._routing(path, sorted(types), group_by=False, inhibit=False, line=self.tree.line_of(path, "contactPoints"))
        # blackbox exporter config and Probe CRDs
        if isinstance(doc.get("modules"), dict) and any(isinstance(v, dict) and "prober" in v for v in doc["modules"].values()):
            self.emit("alert.availability_probe", path, {"tool": "blackbox"}, line=self.tree.line_of(path, "prober"),
                      strength=Strength.STRONG, summary=f"blackbox exporter modules in {path}", key=("blackbox",))
        if kind == "Probe" and "monitoring.coreos.com" in api:
            self.emit("alert.availability_probe", path, {"tool": "blackbox"}, line=self.tree.line_of(path, "kind: Probe"),
                      strength=Strength.DIRECT, summary=f"Probe CRD in {path}", key=("probe-crd", (doc.get("metadata") or {}).get("name")))
        if isinstance(doc.get("endpoints"), list) and any(isinstance(e, dict) and "conditions" in e for e in doc["endpoints"]):
            self.emit("alert.availability_probe", path, {"tool": "uptime"}, line=self.tree.line_of(path, "endpoints"),
                      strength=Strength.STRONG, summary=f"gatus endpoints in {path}", key=("gatus",))

    def _rule_entry(self, path: str, origin: str, group: str, index: int, r: dict[str, Any]) -> None:
        labels = r.get("labels") if isinstance(r.get("labels"), dict) else {}
        ann = r.get("annotations") if isinstance(r.get("annotations"), dict) else {}
        if "alert" in r and ("expr" in r or "expression" in r):
            name = str(r["alert"])
            self.rule(path, origin=origin, name=name, expr=s(r.get("expr") or r.get("expression")),
                      severity=s(labels.get("severity") or labels.get("priority")), runbook=_runbook_of(ann),
                      notifies=True, line=self.tree.line_of(path, re.compile(rf"alert:\s*['\"]?{re.escape(name)}\b")),
                      key=(origin, group, index, name), labels=labels)
        elif "record" in r and "expr" in r:
            self._slo_record(path, r, labels)
        elif "grafana_alert" in r or ("data" in r and ("condition" in r or "title" in r)):
            ga = r.get("grafana_alert") if isinstance(r.get("grafana_alert"), dict) else r
            name = str(ga.get("title") or r.get("title") or r.get("alert") or f"rule {index}")
            exprs = [s(((d or {}).get("model") or {}).get("expr") or ((d or {}).get("model") or {}).get("expression"))
                     for d in (ga.get("data") or []) if isinstance(d, dict) and isinstance(d.get("model"), dict)]
            self.rule(path, origin="grafana", name=name, expr=" ".join(e for e in exprs if e),
                      severity=s(labels.get("severity")), runbook=_runbook_of(ann), notifies=True,
                      line=self.tree.line_of(path, name), key=("grafana", group, index, name), labels=labels)

    def _slo_record(self, path: str, r: dict[str, Any], labels: dict[str, Any]) -> None:
        """An objective kept as a recording rule: `record: slo:...` whose expression is a constant.

        GitLab's metrics catalog renders `slo:min:events:gitlab_service_apdex:ratio` = 0.999 per
        service, Sloth renders `slo:objective:ratio` = vector(0.999): the SLO is defined as code even
        though no OpenSLO/Sloth spec file is in the repository."""
        name = str(r.get("record") or "")
        if not re.match(r"(?i)^slo[:_]", name):
            return
        m = re.fullmatch(r"\s*(?:vector\s*\(\s*)?(0?\.\d+|1(?:\.0+)?|\d{2}(?:\.\d+)?)\s*\)?\s*", s(r.get("expr")))
        if not m:
            return
        service = str(labels.get("sloth_service") or labels.get("service") or labels.get("type") or labels.get("job") or "")
        slo_name = str(labels.get("sloth_slo") or labels.get("slo") or name)
        self.emit("obs.slo", path, {"spec": "prometheus-rules", "service": service[:80], "name": slo_name[:120],
                                    "objective": m.group(1)},
                  line=self.tree.line_of(path, name), strength=Strength.DIRECT,
                  summary=f"SLO recording rule {name} for '{service or 'all services'}'", key=("slo-record", service, slo_name))

    def _regex_rules(self, path: str, text: str) -> None:
        """Line-based extraction for Helm templates that do not parse even after blanking directives."""
        lines = text.splitlines()
        starts = [i for i, line in enumerate(lines) if re.match(r"^\s*-\s*alert:\s*\S", line)]
        for n, i in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(lines)
            block = lines[i:end]
            name = re.sub(r"^\s*-\s*alert:\s*", "", block[0]).strip().strip("'\"")
            body = "\n".join(block)
            expr_m = re.search(r"(?ms)^\s*expr:\s*(?:[|>]-?\s*\n)?(.+?)(?=^\s*(for|labels|annotations|keep_firing_for):|\Z)", body)
            sev = re.search(r"(?m)^\s*severity:\s*['\"]?([\w-]+)", body)
            rb = re.search(r"(?m)^\s*(runbook_url|runbook|runbook_link):\s*['\"]?([^'\"\n]+)", body)
            self.rule(path, origin="prometheus", name=name, expr=(expr_m.group(1).strip() if expr_m else ""),
                      severity=sev.group(1) if sev else "", runbook=rb.group(2).strip() if rb else None, notifies=True,
                      line=i + 1, strength=Strength.STRONG, key=("regex", i))

    def _alertmanager(self, path: str, cfg: dict[str, Any]) -> None:
        receivers: set[str] = set()
        for r in cfg.get("receivers") or []:
            if not isinstance(r, dict):
                continue
            for key, value in r.items():
                if key in RECEIVER_TYPES and value:
                    rtype = RECEIVER_TYPES[key]
                    if rtype == "webhook" and re.search(r"pagerduty|opsgenie|victorops", json.dumps(value)):
                        rtype = "pagerduty" if "pagerduty" in json.dumps(value) else "opsgenie"
                    receivers.add(rtype)
        route = cfg.get("route") if isinstance(cfg.get("route"), dict) else {}
        group_by = bool(route.get("group_by") or route.get("groupBy"))
        inhibit = bool(cfg.get("inhibit_rules") or cfg.get("inhibitRules"))
        self._routing(path, sorted(receivers), group_by=group_by, inhibit=inhibit,
                      line=self.tree.line_of(path, "receivers"))

    def _routing(self, path: str, receivers: list[str], *, group_by: bool, inhibit: bool, line: int | None,
                 strength: Strength = Strength.DIRECT, key: Any = None) -> None:
        paging = bool(set(receivers) & PAGING_RECEIVERS)
        self.emit("alert.routing", path, {"receivers": receivers, "paging": paging, "group_by": group_by, "inhibit": inhibit},
                  line=line, strength=strength, summary=f"alert routing to {', '.join(receivers) or 'no receiver'} in {path}",
                  key=key if key is not None else ("routing", line))

    # ---- Terraform --------------------------------------------------------------------------------------
    def terraform(self) -> None:
        for r in tf_resources(self.tree, set(TF_ALARMS) | TF_ROUTING | set(TF_PROBES)):
            if r.type in TF_ALARMS:
                self._tf_alarm(r)
            elif r.type in TF_PROBES:
                notifies = any(r.body.get(k) for k in TF_PROBE_NOTIFY)
                self.emit("alert.availability_probe", r.path, {"tool": TF_PROBES[r.type], "notifies": notifies},
                          line=r.line, strength=Strength.DIRECT, summary=f"{r.type}.{r.name}", key=(r.type, r.name))
            else:
                self._tf_routing(r)

    def uptime_modules(self) -> None:
        """Uptime checks set up through a module: a `module` whose source or name is an uptime/synthetics module
        and which is given the URLs to check. It notifies when it is also given contact groups or alert targets."""
        for path in self.tree.with_suffix(".tf"):
            if not is_product_path(path):
                continue
            text = self.tree.text(path) or ""
            if "module" not in text or not UPTIME_MODULE.search(text):
                continue
            parsed = self.tree.hcl(path)
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
                    line = self.tree.line_of(path, re.compile(rf'^\s*module\s+"{re.escape(str(name))}"', re.M))
                    self.emit("alert.availability_probe", path, {"tool": "uptime", "via": "module", "notifies": notifies},
                              line=line, strength=Strength.STRONG, key=("module", name),
                              summary=f"uptime checks through module {name} ({source[-60:]})")

    def _tf_alarm(self, r: Any) -> None:
        b, t, origin = r.body, r.type, TF_ALARMS[r.type]
        tags = b.get("tags") if isinstance(b.get("tags"), dict) else {}
        if t in ("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"):
            a = (translate_aws.cloudwatch_alarm(translate_aws.metric_alarm_from_terraform(b), tags)
                 if t == "aws_cloudwatch_metric_alarm" else
                 translate_aws.cloudwatch_composite_alarm(translate_aws.composite_alarm_from_terraform(b), tags))
            self.rule(r.path, origin=origin, name=a["name"] or r.name, expr=a["expr"], severity=a["severity"],
                      runbook=a["runbook"], notifies=a["notifies"], paging_hint=a["paging_hint"],
                      extra_windows=a["windows"], line=r.line, key=(t, r.name))
        elif t == "azurerm_monitor_alert_prometheus_rule_group":
            for i, rule in enumerate(b.get("rule") or []):
                if isinstance(rule, dict) and rule.get("alert"):
                    ann = rule.get("annotations") if isinstance(rule.get("annotations"), dict) else {}
                    sev = _int(rule.get("severity"))
                    self.rule(r.path, origin=origin, name=s(rule.get("alert")), expr=s(rule.get("expression")),
                              severity="critical" if sev == 0 else str(sev if sev is not None else ""),
                              runbook=_runbook_of(ann), notifies=bool(rule.get("action") or b.get("action")),
                              line=r.line, key=(t, r.name, i))
        elif t.startswith("azurerm_monitor"):
            # the same translation as a rule read from Azure Resource Manager (collectors/translate/azure.py)
            a = _azure_rule(t, b)
            if a is not None:
                self.rule(r.path, origin=origin, name=a["name"] or r.name, expr=a["expr"], severity=a["severity"],
                          runbook=a["runbook"], notifies=a["notifies"], paging_hint=a["paging_hint"],
                          extra_windows=a["windows"], labels=a["labels"], line=r.line, key=(t, r.name))
        elif t == "google_monitoring_alert_policy":
            parts = []
            for c in b.get("conditions") or []:
                if not isinstance(c, dict):
                    continue
                for key in ("condition_threshold", "condition_prometheus_query_language", "condition_monitoring_query_language",
                            "condition_absent", "condition_matched_log"):
                    body = first(c.get(key))
                    if isinstance(body, dict):
                        parts.append(s(body.get("filter") or body.get("query")))
                parts.append(s(c.get("display_name")))
            doc = first(b.get("documentation"))
            content = s(doc.get("content")) if isinstance(doc, dict) else ""
            links = " ".join(s((first(x) or {}).get("url")) for x in [doc.get("links")] if isinstance(doc, dict) and x) if isinstance(doc, dict) else ""
            self.rule(r.path, origin=origin, name=s(b.get("display_name")) or r.name, expr=" ".join(parts),
                      severity=s(b.get("severity")), runbook=_runbook_in_text(content + " " + links),
                      notifies=bool(b.get("notification_channels")), paging_hint=s(b.get("notification_channels")),
                      line=r.line, key=(t, r.name))
        elif t == "datadog_monitor":
            msg = s(b.get("message"))
            mtype = s(b.get("type"))
            query = s(b.get("query"))
            handles = " ".join(re.findall(r"@[\w.\-]+", msg))
            tags = " ".join(s(x) for x in (b.get("tags") or []) if not isinstance(x, (dict, list)))
            tag_sev = re.search(r"(?i)(?:^|\s)(?:severity|sev|priority|urgency):([\w-]+)", tags)
            # the notification target is often a variable (`${var.alert_notification}`): still someone is notified
            via_var = bool(re.search(r"\$\{\s*(var|local)\.[\w.]*(notif|alert|recipient|handle|channel)", msg))
            notifies = bool(handles) or via_var
            self.rule(r.path, origin=origin, name=s(b.get("name")) or r.name, expr=query,
                      severity="critical" if s(b.get("priority")) in ("1",) else (tag_sev.group(1) if tag_sev else ""),
                      runbook=_runbook_in_text(msg), notifies=notifies, paging_hint=handles, line=r.line,
                      force_burn=mtype == "slo alert" and "error_budget(" not in query or "burn_rate(" in query,
                      extra_windows=_datadog_burn_windows(query), target_unknown=via_var, key=(t, r.name))
        elif t == "grafana_rule_group":
            for i, rule in enumerate(b.get("rule") or []):
                if not isinstance(rule, dict):
                    continue
                labels = rule.get("labels") if isinstance(rule.get("labels"), dict) else {}
                ann = rule.get("annotations") if isinstance(rule.get("annotations"), dict) else {}
                models = " ".join(s(d.get("model")) for d in (rule.get("data") or []) if isinstance(d, dict))
                self.rule(r.path, origin=origin, name=s(rule.get("name")) or f"{r.name}[{i}]", expr=models,
                          severity=s(labels.get("severity")), runbook=_runbook_of(ann), notifies=True,
                          line=r.line, key=(t, r.name, i))
        elif t.startswith("newrelic"):
            nrql = first(b.get("nrql"))
            expr = " ".join(x for x in [s(b.get("metric")), s(nrql.get("query")) if isinstance(nrql, dict) else ""] if x)
            # NRQL conditions have a `critical {}` block; the older APM conditions a `term { priority = "critical" }`
            critical = bool(b.get("critical")) or any(isinstance(t_, dict) and s(t_.get("priority")).lower() == "critical"
                                                      for t_ in (b.get("term") or []))
            self.rule(r.path, origin=origin, name=s(b.get("name")) or r.name, expr=expr,
                      severity="critical" if critical else "", runbook=s(b.get("runbook_url")) or None,
                      notifies=True, line=r.line, key=(t, r.name))

    def _tf_routing(self, r: Any) -> None:
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
            receivers = sorted({_receiver_name(k) for k in b if k in ("pagerduty", "opsgenie", "victorops", "slack", "email",
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
        self._routing(r.path, receivers, group_by=group_by, inhibit=False, line=r.line, key=(t, r.name))

    # ---- CloudFormation ---------------------------------------------------------------------------------
    def cloudformation(self) -> None:
        types = {"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm", "AWS::Synthetics::Canary",
                 "AWS::Route53::HealthCheck", "AWS::SNS::Subscription"}
        for r in cfn_resources(self.tree, types):
            p = r.props
            if r.type in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
                a = (translate_aws.cloudwatch_alarm(p) if r.type == "AWS::CloudWatch::Alarm"
                     else translate_aws.cloudwatch_composite_alarm(p))
                self.rule(r.path, origin="cloudwatch", name=a["name"] or r.name, expr=a["expr"], runbook=a["runbook"],
                          notifies=a["notifies"], paging_hint=json.dumps(p.get("AlarmActions") or []),
                          extra_windows=a["windows"], line=r.line, key=("cfn", r.name))
                if a["anomaly"]:
                    self.emit("obs.anomaly", r.path, {"mechanism": "cloudwatch-anomaly-detection"}, line=r.line,
                              strength=Strength.DIRECT, summary=f"anomaly band alarm {r.name}", key=("cfn-anomaly", r.name))
            elif r.type == "AWS::Synthetics::Canary":
                self.emit("alert.availability_probe", r.path, {"tool": "synthetics"}, line=r.line, strength=Strength.DIRECT,
                          summary=f"canary {r.name}", key=("cfn", r.name))
            elif r.type == "AWS::Route53::HealthCheck":
                self.emit("alert.availability_probe", r.path, {"tool": "route53"}, line=r.line, strength=Strength.DIRECT,
                          summary=f"health check {r.name}", key=("cfn", r.name))
            elif r.type == "AWS::SNS::Subscription":
                endpoint = s(p.get("Endpoint")).lower()
                for vendor in ("pagerduty", "opsgenie", "victorops"):
                    if vendor in endpoint:
                        self._routing(r.path, [vendor], group_by=False, inhibit=False, line=r.line, key=("cfn", r.name))

    # ---- other named files ------------------------------------------------------------------------------
    def named_files(self) -> None:
        for path in self.tree.named("checkly.config.ts", "checkly.config.js", ".upptimerc.yml"):
            self.emit("alert.availability_probe", path, {"tool": "uptime"}, line=1, strength=Strength.STRONG,
                      summary=f"uptime checks configured in {path}", key=("uptime",))
        self._generated_alertmanager()

    def _generated_alertmanager(self) -> None:
        """Alertmanager configs kept as a source that renders to YAML (jsonnet, ERB, Jinja, Go templates).

        Big operations repositories (GitLab's runbooks, kube-prometheus users) generate alertmanager.yml
        from jsonnet or a template and keep only the source in git: the receiver types are still plain
        to see (`pagerduty_configs: [...]`), so they are read by keyword. Strong, not direct: the
        rendered result is not parsed."""
        for path in self.tree.files:
            low = path.lower()
            name = low.rsplit("/", 1)[-1]
            if "alertmanager" not in name or not low.endswith(_TEMPLATED_CONFIG_EXT) or not is_product_path(path):
                continue
            if any(e.kind == "alert.routing" and e.locator.path == path for e in self.out):
                continue  # a YAML template already read with its directives stubbed out
            text = self.tree.text(path) or ""
            found = {RECEIVER_TYPES[k] for k in re.findall(r"\b(\w+_configs|\w+Configs)\b", text) if k in RECEIVER_TYPES}
            if not found:
                continue
            self._routing(path, sorted(found), group_by=bool(re.search(r"group_by|groupBy", text)),
                          inhibit=bool(re.search(r"inhibit_rules|inhibitRules", text)),
                          line=self.tree.line_of(path, re.compile(r"\w+_configs|\w+Configs")),
                          strength=Strength.STRONG, key=("generated-routing", path))


# ---- helpers --------------------------------------------------------------------------------------------

# Prometheus 1.x alerting rule: `ALERT Name` then `IF expr` on the next line(s), up to the next ALERT
PROM1_ALERT = re.compile(r"(?m)^[ \t]*ALERT[ \t]+(\w+)[ \t]*\n[ \t]*IF[ \t]+(.*?)(?=^[ \t]*ALERT[ \t]|\Z)", re.S)
_ALERT_HINT = re.compile(r"(?m)^[ \t]*ALERT[ \t]+\w+[ \t]*$|alert:|record:\s*['\"]?slo[:_]|grafana_alert|receivers:|slos:|pyrra\.dev|contactPoints:|prober:|kind:\s*Probe|"
                         r"AlertmanagerConfig|PrometheusServiceLevel|conditions:")


_TEMPLATED_CONFIG_EXT = (".jsonnet", ".libsonnet", ".erb", ".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".gotmpl")




def _azure_rule(rtype: str, b: dict[str, Any]) -> dict[str, Any] | None:
    """An azurerm_monitor_* alert body through the Azure translation (None: not an alert rule it knows)."""
    az = translate_azure
    if rtype == "azurerm_monitor_metric_alert":
        return az.metric_alert(az.metric_alert_from_terraform(b))
    if rtype.startswith("azurerm_monitor_scheduled_query_rules_alert"):
        return az.scheduled_query_rule(az.scheduled_query_from_terraform(rtype, b))
    if rtype == "azurerm_monitor_activity_log_alert":
        return az.activity_log_alert(az.activity_log_alert_from_terraform(b))
    return None








def _runbook_of(ann: Any) -> str | None:
    if not isinstance(ann, dict):
        return None
    for k in RUNBOOK_KEYS:
        if ann.get(k):
            return s(ann[k])
    for k, v in ann.items():
        if "runbook" in str(k).lower() and v:
            return s(v)
    return None


_runbook_in_text = translate_aws.runbook_in_text  # a runbook link in free text (alarm description, monitor message)


def _datadog_burn_windows(query: str) -> list[str]:
    """Windows of a Datadog SLO burn-rate monitor: `burn_rate("id").over("30d").long_window("1h").short_window("5m")`.

    Datadog always evaluates a burn-rate alert over a long and a short window (the short one defaults to
    1/12 of the long one), so such a monitor is multi-window by construction even when only one is written."""
    if "burn_rate(" not in query:
        return []
    long_w = re.search(r"long_window\(\s*\\?[\"']?(\d+[smhd])", query)
    short_w = re.search(r"short_window\(\s*\\?[\"']?(\d+[smhd])", query)
    windows = [m.group(1) for m in (long_w, short_w) if m]
    if long_w and not short_w:
        secs = window_seconds(long_w.group(1)) // 12
        windows.append(f"{secs // 60}m" if secs >= 60 else f"{secs}s")
    return windows


def _receiver_name(t: str) -> str:
    t = t.lower()
    for key in ("pagerduty", "opsgenie", "victorops", "slack", "email", "webhook", "teams", "sns"):
        if key in t:
            return key
    return "oncall" if "oncall" in t else "webhook"


def _repo_identity(subject: Subject) -> str | None:
    """owner/name of the scanned repository when known (platform scans); None for plain local checkouts."""
    for key in ("full_name", "repo", "project", "path_with_namespace"):
        v = subject.meta.get(key) if subject.meta else None
        if isinstance(v, str) and "/" in v:
            return v.lower().strip("/")
    if subject.permalink:
        m = re.match(r"https?://[^/]+/(.+?)/(?:-/)?(?:blob|tree)/", subject.permalink)
        if m:
            return m.group(1).lower()
    m = re.match(r"^(github|gitlab):(.+/.+)$", subject.id or "")
    return m.group(2).lower() if m else None




def _int(v: Any) -> int | None:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return None
