"""YAML that holds alerting: found by *shape*, not by file name, then handed to the reader of each format.

`alert.rules` / `node.rules`: Prometheus rule files are often named for their content, not their format;
templates of them (`alert_rules.yml.erb`, `app_alert.rules.tmpl`) are parsed with the directives stubbed
out. One document may hold several formats (a chart's values with rule groups and an Alertmanager config)."""

from __future__ import annotations

import re
from typing import Any

import yaml
from wafops.collectors.repo.alerting import alertmanager, grafana, probes, prometheus, slo_specs
from wafops.collectors.repo.alerting.state import AlertRun
from wafops.collectors.repo.observability_files import (
    TEMPLATED_YAML_SUFFIXES,
    YAML_SUFFIXES,
    is_product_path,
    is_templated,
    load_yaml_docs,
    walk,
)
from wafops.collectors.repo.pattern_words import may_match, required_words

ALERT_HINT = re.compile(r"(?m)^[ \t]*ALERT[ \t]+\w+[ \t]*$|alert:|record:\s*['\"]?slo[:_]|grafana_alert|receivers:|slos:|pyrra\.dev|contactPoints:|prober:|kind:\s*Probe|"
                        r"AlertmanagerConfig|PrometheusServiceLevel|conditions:")
# words one of which every ALERT_HINT match holds, case-folded, read from the pattern itself (see pattern_words):
# a file holding none is not searched, as most YAML files of a repository hold none and the pattern, opening with
# a `^` alternative, would be tried at every offset
ALERT_HINT_WORDS = required_words(ALERT_HINT)
_TEMPLATED_RULE = re.compile(r"(?m)^\s*-\s*alert:")


def mentions_alerting(text: str) -> bool:
    """Whether ALERT_HINT matches the text, with the substring test first."""
    return may_match(ALERT_HINT_WORDS, text.casefold()) and ALERT_HINT.search(text) is not None


def yaml_files(run: AlertRun) -> None:
    """Detector: every YAML (or `.rules`) file of the product that mentions alerting."""
    tree = run.tree
    for path in tree.with_suffix(*YAML_SUFFIXES, ".rules", *TEMPLATED_YAML_SUFFIXES):
        if not is_product_path(path):
            continue
        text = tree.text(path)
        if not text or not mentions_alerting(text):
            continue
        if path.endswith(".rules") and prometheus.PROM1_ALERT.search(text):
            prometheus.prom1_rules(run, path, text)
            continue
        docs = load_yaml_docs(tree, path, text)
        found_before = len(run.out)
        for doc in docs:
            if isinstance(doc, dict):
                document(run, path, doc)
                prometheus.bare_rules(run, path, [doc] if "alert" in doc else doc.get("rules") if "groups" not in doc else None,
                                      text)
            elif isinstance(doc, list):
                prometheus.bare_rules(run, path, doc, text)
        templated = is_templated(path, text, tree)
        if not docs and templated and _TEMPLATED_RULE.search(text):
            prometheus.regex_rules(run, path, text)
        elif len(run.out) == found_before and templated and _TEMPLATED_RULE.search(text):
            prometheus.regex_rules(run, path, text)


def document(run: AlertRun, path: str, doc: dict[str, Any]) -> None:
    """One YAML document, through every format it may hold."""
    api = str(doc.get("apiVersion") or "")
    kind = str(doc.get("kind") or "")
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    origin = "prometheus-crd" if kind == "PrometheusRule" else "prometheus"
    if kind == "ConfigMap":
        configmap(run, path, doc)
    # rule groups anywhere in the document (plain rule file, CRD spec, chart values)
    for node in walk(doc):
        if isinstance(node, dict) and isinstance(node.get("groups"), list):
            prometheus.rule_groups(run, path, origin, node["groups"])
        if isinstance(node, dict) and isinstance(node.get("route"), dict) and isinstance(node.get("receivers"), list):
            alertmanager.alertmanager(run, path, node)
    if kind == "AlertmanagerConfig":
        alertmanager.alertmanager(run, path, spec)
    # Sloth / Pyrra specs generate multi-window burn-rate alerts
    if (str(doc.get("version", "")) == "prometheus/v1" and isinstance(doc.get("slos"), list)) or (
            kind == "PrometheusServiceLevel" and "sloth" in api):
        slo_specs.sloth(run, path, doc if "slos" in doc else spec)
    if "pyrra.dev" in api and kind == "ServiceLevelObjective":
        slo_specs.pyrra(run, path, doc, spec)
    grafana.contact_points(run, path, doc)
    probes.in_document(run, path, doc, api=api, kind=kind)


def configmap(run: AlertRun, path: str, doc: dict[str, Any]) -> None:
    """Rule files and Alertmanager config mounted from a ConfigMap: the payload is a string under `data`."""
    data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
    for key, value in data.items():
        if not isinstance(value, str) or not mentions_alerting(value):
            continue
        if prometheus.PROM1_ALERT.search(value):
            prometheus.prom1_rules(run, path, value)
            continue
        try:
            inner = list(yaml.safe_load_all(value))
        except Exception:
            run.ctx.warn("repo", f"ConfigMap key {key} does not parse as YAML", path)
            continue
        for d in inner:
            if isinstance(d, dict) and d.get("kind") != "ConfigMap":
                document(run, path, d)
