"""YAML files: selected by a cheap text prefilter, parsed (templates after blanking their directives), and
every document handed to each format's reader in turn."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from wafops.collectors.repo.observability.backends import (
    backend_doc,
    monitor_doc,
    prometheus_server,
    prometheus_text,
)
from wafops.collectors.repo.observability.dashboards import configmap_dashboard, grafana_dashboard_doc
from wafops.collectors.repo.observability.otel import is_otel_config, otel_collector, otel_doc
from wafops.collectors.repo.observability.services import compose_doc, serverless_doc, workload_doc
from wafops.collectors.repo.observability.shippers import chart_doc, shipper_doc
from wafops.collectors.repo.observability.slo import slo_doc
from wafops.collectors.repo.observability.state import MAX_CONFIG_BYTES, ObsRun, YamlDoc
from wafops.collectors.repo.observability.values import safe_yaml
from wafops.collectors.repo.observability_files import (
    TEMPLATED_YAML_SUFFIXES,
    YAML_SUFFIXES,
    is_product_path,
    load_yaml_docs,
)

_YAML_HINT = re.compile(
    r"receivers:|apiVersion:|slos:|slo_name|kind:\s*(Deployment|StatefulSet|DaemonSet|Rollout|Component|ConfigMap|"
    r"HelmRelease|Application|ServiceMonitor|PodMonitor|Instrumentation|GrafanaDashboard|OpenTelemetryCollector|DatadogAgent)|"
    r"services:|functions:|pipeline:|sinks:|clients:|filebeat|limits_config|scrape_configs|datasources:|dependencies:|logs_enabled"
)

_SHIPPER_KEYS = (("fluent-bit", "fluent-bit"), ("fluentbit", "fluent-bit"), ("fluent.conf", "fluentd"),
                 ("fluentd", "fluentd"), ("vector", "vector"), ("promtail", "promtail"),
                 ("config.alloy", "alloy"), ("filebeat", "filebeat"))


def yaml_files(run: ObsRun) -> None:
    for path in run.tree.with_suffix(*YAML_SUFFIXES, *TEMPLATED_YAML_SUFFIXES):
        if not is_product_path(path):
            continue
        text = run.tree.text(path)
        if not text or len(text) > MAX_CONFIG_BYTES:
            continue
        name = path.rsplit("/", 1)[-1].lower()
        for ext in TEMPLATED_YAML_SUFFIXES:  # `prometheus.yml.erb` is read as `prometheus.yml`
            if name.endswith(ext):
                name = name[: -len(ext)] + "." + ext.split(".")[1]
                break
        if _YAML_HINT.search(text) is None:
            continue
        docs = load_yaml_docs(run.tree, path, text)
        for doc in docs:
            if isinstance(doc, dict):
                y = YamlDoc.of(path, name, doc)
                for reader in DOC_READERS:
                    reader(run, y)
        if not docs:
            prometheus_text(run, path, text)


def configmap_doc(run: ObsRun, y: YamlDoc) -> None:
    """A ConfigMap's entries: dashboards, Prometheus server configs, shipper and collector configs."""
    if y.kind == "ConfigMap" and isinstance(y.doc.get("data"), dict):
        for key, value in y.doc["data"].items():
            _configmap_entry(run, y.path, str(key), value)


def _configmap_entry(run: ObsRun, path: str, key: str, value: Any) -> None:
    k = key.lower()
    text = value if isinstance(value, str) else ""
    if not configmap_dashboard(run, path, key, text):
        return
    if "scrape_configs" in text:
        cfg = safe_yaml(text)
        if isinstance(cfg, dict) and isinstance(cfg.get("scrape_configs"), list):
            prometheus_server(run, path, cfg)
        elif cfg is None:
            prometheus_text(run, path, text)
    for prefix, tool in _SHIPPER_KEYS:
        if k.startswith(prefix) and text:
            run.emit("obs.log_shipper", path, {"tool": tool, "logs": True}, pattern=(key))
    if k in ("relay", "collector.yaml", "otel-collector-config.yaml", "config.yaml") and "receivers" in text and "exporters" in text:
        cfg = safe_yaml(text)
        if isinstance(cfg, dict) and is_otel_config(cfg):
            otel_collector(run, path, cfg)


# in this order: the first reader to emit a piece of evidence names its line and summary
DOC_READERS: tuple[Callable[[ObsRun, YamlDoc], None], ...] = (
    otel_doc, slo_doc, workload_doc, monitor_doc, grafana_dashboard_doc, configmap_doc, chart_doc, compose_doc,
    serverless_doc, shipper_doc, backend_doc,
)
