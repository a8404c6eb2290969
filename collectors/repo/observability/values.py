"""Small value readers the observability detectors share: numbers and durations from config values,
directory arithmetic, and the canonical keyword reported for a matched config or code snippet."""

from __future__ import annotations

import re
from typing import Any

import yaml


def meta_labels(doc: dict[str, Any]) -> dict[str, Any]:
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    labels = meta.get("labels")
    return labels if isinstance(labels, dict) else {}


def to_int(v: Any) -> int | None:
    try:
        return int(str(v).strip()) if v is not None and str(v).strip() not in ("", "null") else None
    except ValueError:
        return None


def to_float(v: Any) -> float | None:
    try:
        return float(str(v).strip()) if v is not None else None
    except ValueError:
        return None


def duration_days(text: str) -> int | None:
    m = re.fullmatch(r"\s*(\d+)\s*([hdwy])\s*", text)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    return {"h": n // 24, "d": n, "w": n * 7, "y": n * 365}[unit]


def norm_dir(base: str, rel: str) -> str:
    parts = [] if base == "." else base.split("/")
    for piece in rel.replace("\\", "/").split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts:
                parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts) or "."


def safe_yaml(text: str) -> Any:
    """A YAML string nested in another document (a ConfigMap entry, a CRD's `config`); None when it does not parse."""
    try:
        return yaml.safe_load(text)
    except Exception:
        return None


def parent_dir(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else "."


_CANON = (
    "OTEL_TRACES_SAMPLER", "otel.traces.sampler", "DD_TRACE_SAMPLE_RATE", "DD_TRACE_SAMPLING_RULES", "sampling.probability",
    "tail_sampling", "probabilistic_sampler", "ELASTIC_APM_TRANSACTION_SAMPLE_RATE", "transaction_sample_rate",
    "parentbased_traceidratio", "traceidratio", "OTEL_PYTHON_LOG_CORRELATION", "DD_LOGS_INJECTION", "%X{", "%mdc{",
    "logging.pattern", "otelTraceID", "Enrich.WithSpan", "WithSpan", "{TraceId}", "javaagent", "AWS_LAMBDA_EXEC_WRAPPER",
    "APPLICATIONINSIGHTS_CONNECTION_STRING", "instrumentation.opentelemetry.io/inject", "OTEL_EXPORTER_OTLP",
    "aws-otel-collector", "aws-observability/aws-otel", "aws-xray-daemon", "opentelemetry-lambda", "AWSOpenTelemetryDistro",
    "prometheus.io/scrape", "LogstashEncoder", "JsonEncoder", "JsonTemplateLayout", "JsonLayout", "EcsLayout", "EcsEncoder",
    "RenderedCompactJsonFormatter", "CompactJsonFormatter", "ElasticsearchJsonFormatter", "FormatterName",
    "logging.structured.format", "structured.format.console", "pythonjsonlogger", "JsonFormatter", "JSONRenderer",
    "NewJSONHandler", "JSONFormatter", "zap.NewProduction", "zerolog.New", "serialize", "format.json()", "AddJsonConsole",
    "JsonConsoleFormatter", "StdlibFormatter", "NewRelicContextFormatter", "TraceIdRatioBased", "TraceIDRatioBased", "ParentBased", "sampler",
)


def keyword(matched: str) -> str:
    """A canonical keyword for what matched (never the matched line itself: it may hold values)."""
    low = matched.lower()
    if re.match(r"(?i)(format|pattern|conversionPattern)\W", matched) and "{" in matched:
        return "json-log-pattern"
    for token in _CANON:
        if token.lower() in low:
            return token
    return "trace-id-in-log-format" if "trace" in low else re.sub(r"[^A-Za-z0-9_.-]", "", matched)[:40]
