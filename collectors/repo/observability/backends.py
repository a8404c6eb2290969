"""Observability backends configured in the repository: Prometheus servers (scrape configs) and the
ServiceMonitors they read, Loki (with its log retention), Grafana datasources."""

from __future__ import annotations

import re
from typing import Any

from wafops.collectors.repo.observability.state import ObsRun, YamlDoc
from wafops.collectors.repo.observability.values import duration_days
from wafops.collectors.repo.observability_files import is_templated, looks_templated
from wafops.scanner.core.model import Strength


def prometheus_server(run: ObsRun, path: str, cfg: dict[str, Any]) -> None:
    """A Prometheus server's own configuration (scrape jobs, rule files, Alertmanagers): metrics from many
    targets land in one place, the central metrics store; `remote_write` forwards them further."""
    jobs = [j for j in cfg.get("scrape_configs") or [] if isinstance(j, dict)]
    rendered = is_templated(path, run.tree.text(path) or "", run.tree) or looks_templated(run.tree.text(path) or "")
    run.emit("obs.platform", path, {"tool": "prometheus", "signals": ["metrics"], "server": True,
                                    "scrape_jobs": len(jobs), "remote_write": bool(cfg.get("remote_write")),
                                    "provisioned": rendered},
             pattern="scrape_configs", key=("prom-server",))


def prometheus_text(run: ObsRun, path: str, text: str) -> None:
    """A Prometheus server config that is no YAML until rendered (placeholders such as `@@POD_NAME@@` that a
    start script replaces): read by its keys, the scrape jobs counted by `job_name:`."""
    if not re.search(r"(?m)^\s*scrape_configs:", text) or not re.search(r"(?m)^\s*(global|rule_files|alerting):", text):
        return
    jobs = [{}] * len(re.findall(r"(?m)^\s*-\s*job_name:", text))
    prometheus_server(run, path, {"scrape_configs": jobs,
                                  "remote_write": bool(re.search(r"(?m)^\s*remote_write:", text))})


def monitor_doc(run: ObsRun, y: YamlDoc) -> None:
    """The Prometheus operator's ServiceMonitor / PodMonitor: a service's metrics get scraped."""
    if y.kind in ("ServiceMonitor", "PodMonitor") and "monitoring.coreos.com" in y.api:
        run.emit("obs.metrics", y.path, {"mechanism": y.kind.lower()}, pattern=f"kind: {y.kind}")


def backend_doc(run: ObsRun, y: YamlDoc) -> None:
    """Loki / Prometheus / Grafana datasource configs (the backends themselves)."""
    path, doc = y.path, y.doc
    limits = doc.get("limits_config") if isinstance(doc.get("limits_config"), dict) else None
    if limits is not None and ("schema_config" in doc or "common" in doc or "ingester" in doc):
        run.emit("obs.platform", path, {"tool": "loki", "signals": ["logs"]}, line=1)
        if limits.get("retention_period"):
            days = duration_days(str(limits["retention_period"]))
            run.emit("obs.log_retention", path, {"tool": "loki", "resource": "limits_config", "name": "loki",
                                                 "days": days}, pattern="retention_period", strength=Strength.DIRECT)
    if isinstance(doc.get("scrape_configs"), list) and ("global" in doc or "rule_files" in doc or "alerting" in doc):
        prometheus_server(run, path, doc)
    if isinstance(doc.get("datasources"), list):
        signals = set()
        for ds in doc["datasources"]:
            t = str((ds or {}).get("type", "")).lower() if isinstance(ds, dict) else ""
            if t in ("loki", "elasticsearch", "cloudwatch", "grafana-azure-monitor-datasource"):
                signals.add("logs")
            if t in ("prometheus", "graphite", "influxdb", "cloudwatch", "mimir"):
                signals.add("metrics")
            if t in ("tempo", "jaeger", "zipkin", "grafana-x-ray-datasource"):
                signals.add("traces")
        if signals:
            run.emit("obs.platform", path, {"tool": "grafana", "signals": sorted(signals)}, line=1)
