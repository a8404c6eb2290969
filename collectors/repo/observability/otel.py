"""OpenTelemetry: collector configs (plain, in the operator's CRD, or nested in chart values) and the
operator's auto-instrumentation resources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wafops.collectors.repo.observability.state import ObsRun, YamlDoc
from wafops.collectors.repo.observability.values import safe_yaml
from wafops.scanner.core.model import Strength


def is_otel_config(d: Any) -> bool:
    return (isinstance(d, dict) and isinstance(d.get("receivers"), dict) and isinstance(d.get("exporters"), dict)
            and isinstance(d.get("service"), dict) and isinstance(d["service"].get("pipelines"), dict))


def _nested_dicts(d: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth <= 0 or not isinstance(d, dict):
        return
    for v in d.values():
        if isinstance(v, dict):
            yield v
            yield from _nested_dicts(v, depth - 1)


def otel_doc(run: ObsRun, y: YamlDoc) -> None:
    """OpenTelemetry collector: plain config, or the operator CRD, or chart values nesting a config; the
    operator's Instrumentation resource."""
    path, doc, spec = y.path, y.doc, y.spec
    if y.kind == "OpenTelemetryCollector":
        cfg = spec.get("config")
        if isinstance(cfg, str):
            cfg = safe_yaml(cfg)
        if isinstance(cfg, dict):
            otel_collector(run, path, cfg)
    elif is_otel_config(doc):
        otel_collector(run, path, doc)
    else:
        for sub in _nested_dicts(doc, 3):
            if is_otel_config(sub):
                otel_collector(run, path, sub)
                break
    if y.kind == "Instrumentation" and "opentelemetry.io" in y.api:
        run.emit("obs.tracing", path, {"mechanism": "otel-operator-instrumentation"}, pattern="Instrumentation")
        if isinstance(spec.get("sampler"), dict):
            run.emit("obs.sampling", path, {"mechanism": f"otel-operator:{spec['sampler'].get('type', 'sampler')}"},
                     pattern="sampler")


def otel_collector(run: ObsRun, path: str, cfg: dict[str, Any]) -> None:
    receivers = sorted(str(k) for k in (cfg.get("receivers") or {}) if isinstance(cfg.get("receivers"), dict))
    processors = sorted(str(k) for k in (cfg.get("processors") or {}) if isinstance(cfg.get("processors"), dict))
    pipes = ((cfg.get("service") or {}).get("pipelines") or {}) if isinstance(cfg.get("service"), dict) else {}
    pipelines = sorted({str(k).split("/")[0] for k in pipes} if isinstance(pipes, dict) else set())
    sampling = any(p.split("/")[0] in ("tail_sampling", "probabilistic_sampler") for p in processors)
    run.emit("obs.otel_collector", path, {"receivers": receivers, "pipelines": pipelines, "processors": processors,
                                          "sampling": sampling},
             pattern="receivers", strength=Strength.DIRECT, summary=f"OTel collector ({', '.join(pipelines)}) in {path}")
    if "logs" in pipelines:
        run.emit("obs.log_shipper", path, {"tool": "otel-collector", "logs": True}, pattern="logs", strength=Strength.DIRECT)
    if sampling:
        mech = next(p for p in processors if p.split("/")[0] in ("tail_sampling", "probabilistic_sampler"))
        run.emit("obs.sampling", path, {"mechanism": f"collector:{mech}"}, pattern=mech.split("/")[0],
                 strength=Strength.DIRECT)
