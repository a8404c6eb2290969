"""Log shippers, telemetry agents and observability backends, recognised by container image, Helm chart or
their own config files (Fluent Bit, Fluentd, Vector, Promtail, Alloy, Filebeat, Datadog, CloudWatch agent)."""

from __future__ import annotations

import json
import re
from typing import Any

from wafops.collectors.repo.observability.state import ObsRun, YamlDoc
from wafops.collectors.repo.observability_files import is_product_path, s
from wafops.scanner.core.model import Strength

# images, chart names and config names of log shippers / agents / backends
AGENT_IMAGES: list[tuple[re.Pattern[str], str, str]] = [  # (rx, kind, tool)
    (re.compile(r"(?i)fluent-?bit"), "shipper", "fluent-bit"),
    (re.compile(r"(?i)fluentd"), "shipper", "fluentd"),
    (re.compile(r"(?i)(^|/)vector(:|$)|timberio/vector|vectordotdev"), "shipper", "vector"),
    (re.compile(r"(?i)promtail"), "shipper", "promtail"),
    (re.compile(r"(?i)grafana/alloy|(^|/)alloy(:|$)|grafana-agent"), "shipper", "alloy"),
    (re.compile(r"(?i)filebeat"), "shipper", "filebeat"),
    (re.compile(r"(?i)datadog/agent|datadoghq/agent|(^|/)datadog(:|$)|datadog-agent"), "shipper", "datadog-agent"),
    (re.compile(r"(?i)opentelemetry-collector|otel/opentelemetry-collector|otelcol|aws-otel-collector"), "collector", "otel-collector"),
    (re.compile(r"(?i)newrelic-infrastructure|nri-bundle|newrelic-bundle"), "shipper", "newrelic-agent"),
    (re.compile(r"(?i)cloudwatch-agent|amazon-cloudwatch"), "shipper", "cloudwatch-agent"),
    (re.compile(r"(?i)kube-prometheus-stack|prometheus-operator|(^|/)prometheus(:|$)|prom/prometheus"), "platform", "prometheus"),
    (re.compile(r"(?i)(^|/)loki(-stack|-distributed)?(:|$)|grafana/loki"), "platform", "loki"),
    (re.compile(r"(?i)(^|/)tempo(-distributed)?(:|$)|grafana/tempo"), "platform", "tempo"),
    (re.compile(r"(?i)jaegertracing|(^|/)jaeger(:|$)"), "platform", "jaeger"),
    (re.compile(r"(?i)(^|/)mimir(-distributed)?(:|$)|grafana/mimir"), "platform", "mimir"),
    (re.compile(r"(?i)(^|/)grafana(:|$)|grafana/grafana"), "platform", "grafana"),
    (re.compile(r"(?i)elasticsearch|opensearch|eck-stack"), "platform", "elasticsearch"),
    (re.compile(r"(?i)victoria-?metrics"), "platform", "victoriametrics"),
]
PLATFORM_SIGNALS = {
    "prometheus": ["metrics"], "loki": ["logs"], "tempo": ["traces"], "jaeger": ["traces"], "mimir": ["metrics"],
    "grafana": [], "elasticsearch": ["logs"], "victoriametrics": ["metrics"],
}
LOG_DRIVERS = {"awslogs": "awslogs", "awsfirelens": "firelens", "fluentd": "fluentd", "gelf": "gelf",
               "splunk": "splunk", "syslog": "syslog", "loki": "loki", "gcplogs": "gcplogs", "datadog": "datadog-agent"}


def agent_image(run: ObsRun, path: str, ref: str, origin: str = "") -> None:
    """A container image or chart name that is a known shipper, collector or backend."""
    for rx, kind, tool in AGENT_IMAGES:
        if rx.search(ref):
            if kind == "shipper":
                run.emit("obs.log_shipper", path, {"tool": tool, "logs": True}, pattern=(ref.split(":")[0][-40:]))
            elif kind == "collector":
                run.emit("obs.log_shipper", path, {"tool": tool, "logs": False}, pattern=(ref.split(":")[0][-40:]),
                         strength=Strength.WEAK)
                run.emit("obs.platform", path, {"tool": tool, "signals": ["traces", "metrics"]},
                         pattern=(ref.split(":")[0][-40:]), strength=Strength.WEAK)
            else:
                attrs: dict[str, Any] = {"tool": tool, "signals": PLATFORM_SIGNALS.get(tool, [])}
                if origin:
                    attrs["origin"] = origin
                run.emit("obs.platform", path, attrs, pattern=(ref.split(":")[0][-40:]))
            return


def chart_doc(run: ObsRun, y: YamlDoc) -> None:
    """Charts a Flux HelmRelease, an Argo CD Application or a Chart.yaml's dependencies install."""
    path, spec = y.path, y.spec
    if y.kind == "HelmRelease":
        chart = s(((spec.get("chart") or {}).get("spec") or {}).get("chart")) if isinstance(spec.get("chart"), dict) else ""
        if chart:
            agent_image(run, path, chart)
    if y.kind in ("Application",) and "argoproj.io" in y.api:
        src = spec.get("source") if isinstance(spec.get("source"), dict) else {}
        for src_item in [src] + [x for x in (spec.get("sources") or []) if isinstance(x, dict)]:
            if src_item.get("chart"):
                agent_image(run, path, str(src_item["chart"]))
    if y.name == "chart.yaml" and isinstance(y.doc.get("dependencies"), list):
        for dep in y.doc["dependencies"]:
            if isinstance(dep, dict) and dep.get("name"):
                agent_image(run, path, str(dep["name"]))


def shipper_doc(run: ObsRun, y: YamlDoc) -> None:
    """Shipper configs in YAML."""
    path, name, doc = y.path, y.name, y.doc
    if name.startswith(("fluent-bit", "fluentbit")) and isinstance(doc.get("pipeline"), dict):
        run.emit("obs.log_shipper", path, {"tool": "fluent-bit", "logs": True}, line=1, strength=Strength.DIRECT)
    if name.startswith("vector") and isinstance(doc.get("sinks"), dict):
        run.emit("obs.log_shipper", path, {"tool": "vector", "logs": True}, line=1, strength=Strength.DIRECT)
    if (name.startswith("promtail") or "promtail" in path.lower()) and isinstance(doc.get("clients"), list):
        run.emit("obs.log_shipper", path, {"tool": "promtail", "logs": True}, line=1, strength=Strength.DIRECT)
    if name.startswith("filebeat") and ("filebeat.inputs" in doc or isinstance(doc.get("filebeat"), dict)):
        run.emit("obs.log_shipper", path, {"tool": "filebeat", "logs": True}, line=1, strength=Strength.DIRECT)
    if name in ("datadog.yaml", "datadog.yml") or y.kind == "DatadogAgent":
        logs = bool(doc.get("logs_enabled")) or "logs" in json.dumps(doc.get("spec", {}))[:20000]
        run.emit("obs.log_shipper", path, {"tool": "datadog-agent", "logs": logs}, line=1)


def named_files(run: ObsRun) -> None:
    """Non-YAML shipper configs, found by name."""
    for path in run.tree.files:
        if not is_product_path(path):
            continue
        name = path.rsplit("/", 1)[-1].lower()
        if name.endswith(".conf") and ("fluent-bit" in name or "fluentbit" in name or "/fluent-bit/" in path.lower()):
            if run.has(path, r"(?im)^\s*\[OUTPUT\]"):
                run.emit("obs.log_shipper", path, {"tool": "fluent-bit", "logs": True}, pattern="[OUTPUT]",
                         strength=Strength.DIRECT)
        elif name in ("fluent.conf", "td-agent.conf") or (name.endswith(".conf") and "fluentd" in path.lower()):
            if run.has(path, r"<match\s"):
                run.emit("obs.log_shipper", path, {"tool": "fluentd", "logs": True}, pattern="<match", strength=Strength.DIRECT)
        elif name.endswith(".toml") and name.startswith("vector"):
            if run.has(path, r"(?m)^\s*\[sinks\."):
                run.emit("obs.log_shipper", path, {"tool": "vector", "logs": True}, pattern="[sinks.", strength=Strength.DIRECT)
        elif name.endswith((".alloy", ".river")):
            _alloy(run, path)
        elif name.endswith(".json") and ("cloudwatch-agent" in name or "cwagent" in name or "amazon-cloudwatch" in name):
            if run.has(path, r'"logs_collected"'):
                run.emit("obs.log_shipper", path, {"tool": "cloudwatch-agent", "logs": True}, pattern="logs_collected",
                         strength=Strength.DIRECT)
        elif name.endswith(".json") and ("task" in name or "taskdef" in name or "ecs" in path.lower()):
            _ecs_task_json(run, path, name)


def _alloy(run: ObsRun, path: str) -> None:
    text = run.tree.text(path) or ""
    if re.search(r"loki\.(write|source)|otelcol\.exporter|prometheus\.remote_write|pyroscope\.write", text):
        logs = "loki." in text or "otelcol.receiver" in text
        run.emit("obs.log_shipper", path, {"tool": "alloy", "logs": logs}, line=1, strength=Strength.DIRECT)
        if "otelcol.receiver.otlp" in text:
            run.emit("obs.otel_collector", path, {"receivers": ["otlp"], "pipelines": [], "processors": [],
                                                  "sampling": "otelcol.processor.tail_sampling" in text},
                     pattern="otelcol.receiver.otlp", strength=Strength.STRONG)


def _ecs_task_json(run: ObsRun, path: str, name: str) -> None:
    text = run.tree.text(path) or ""
    if '"containerDefinitions"' in text:
        m = re.search(r'"logDriver"\s*:\s*"(awslogs|awsfirelens|splunk|fluentd)"', text)
        if m:
            run.emit("obs.log_shipper", path, {"tool": LOG_DRIVERS.get(m.group(1), m.group(1)), "logs": True},
                     pattern=m.group(0), strength=Strength.DIRECT)
        run.emit("obs.service", path, {"name": name.rsplit(".", 1)[0], "origin": "ecs-task", "critical": None},
                 pattern="containerDefinitions", key=("svc", path))
