"""Config-like files swept by text (never source code): environment variables, logger configs and agent flags
that switch on sampling, log-trace correlation, JSON logs, tracing agents and metrics scraping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.repo.observability.state import MAX_CONFIG_BYTES, ObsRun
from wafops.collectors.repo.observability.values import keyword
from wafops.collectors.repo.observability_files import file_size, is_product_path
from wafops.collectors.repo.pattern_words import may_match, required_words
from wafops.scanner.core.model import Strength

CONFIG_SAMPLING = re.compile(
    r"(?i)(OTEL_TRACES_SAMPLER\b|otel\.traces\.sampler|DD_TRACE_SAMPLE_RATE|DD_TRACE_SAMPLING_RULES|"
    r"tracing\.sampling\.probability|sampler[._]?(type|param|ratio|probability)|tail_sampling|probabilistic_sampler|"
    r"ELASTIC_APM_TRANSACTION_SAMPLE_RATE|transaction_sample_rate|parentbased_traceidratio|traceidratio)"
)
CONFIG_CORRELATION = re.compile(
    r"(?i)(OTEL_PYTHON_LOG_CORRELATION[\"'\s:=]+[\"']?true|DD_LOGS_INJECTION[\"'\s:=]+[\"']?true|"
    r"%X\{\s*(trace_id|traceId|trace\.id|dd\.trace_id|traceid|AWS-XRAY-TRACE-ID)|%mdc\{\s*trace|"
    r"logging\.pattern\.\w+.*trace_?id|otelTraceID|\{TraceId\}|WithSpan\(|Enrich\.WithSpan|"
    r"(pattern|format|layout)[\"']?\s*[:=].*\btrace_?id\b)"
)


class Alternation:
    """An alternation `a|b|c` searched as separate patterns, each tried only when the case-folded text holds
    one of the words every match of it holds (read from the pattern: see pattern_words).

    Why: one case-insensitive alternative that opens with `\\b` makes the engine try the whole alternation at
    every offset of the file, and these words are absent from most config files. Same answer as the joined
    pattern: that one returns the leftmost match, at equal offsets that of the earliest alternative, and so
    does `search`."""

    def __init__(self, *parts: re.Pattern[str]) -> None:
        self.parts = tuple((rx, required_words(rx)) for rx in parts)

    def search(self, text: str) -> re.Match[str] | None:
        folded = text.casefold()
        best: re.Match[str] | None = None
        for rx, words in self.parts:
            if not may_match(words, folded):
                continue
            m = rx.search(text)
            if m is not None and (best is None or m.start() < best.start()):  # a tie keeps the earlier part
                best = m
        return best


CONFIG_JSON_LOG = Alternation(
    re.compile(
        r"LogstashEncoder|ch\.qos\.logback\.classic\.encoder\.JsonEncoder|JsonTemplateLayout|<JsonLayout|EcsLayout|"
        r"EcsEncoder|CompactJsonFormatter|RenderedCompactJsonFormatter|ElasticsearchJsonFormatter|"
        r"\"FormatterName\"\s*:\s*\"json\"|logging\.structured\.format|pythonjsonlogger|jsonlogger\.JsonFormatter|"
        r"structlog\.processors\.JSONRenderer|structured\.format\.console"),
    # a log-format switch set to JSON in the app's own settings: `LOG_FORMAT=json`, `logFormat: json`,
    # `"log_format": "json"`, Mattermost's `"ConsoleJson": true` / `"FileJson": true`, `json_logs: true`
    re.compile(r"(?i:\b(log_?format|log[._]format|logging[._]format)[\"']?\s*[:=]\s*[\"']?json\b)"),
    re.compile(r"(?i:\b(console|file)_?json[\"']?\s*[:=]\s*[\"']?true\b)"),
    re.compile(r"(?i:\bjson_?logs?[\"']?\s*[:=]\s*[\"']?true\b)"),
    # a log format/pattern that writes a JSON object per record: Python fileConfig `format={"timestamp": ...}`,
    # a log4j2/logback PatternLayout `pattern='{"timestamp": "%d", "severity": "%level", ...}'`
    re.compile(r"(?i:\b(format|pattern|conversionPattern)[\"']?\s*[=:]\s*['\"]?\{\s*\\?[\"'](@?timestamp|time|ts|level|"
               r"severity|message|msg|log\.level)\\?[\"']\s*:)"),
)
CONFIG_TRACING = re.compile(
    r"(?i)(-javaagent:\S*(opentelemetry|dd-java-agent|newrelic|elastic-apm|applicationinsights|aws-opentelemetry)|"
    r"AWS_LAMBDA_EXEC_WRAPPER[\"'\s:=]+[\"']?/opt/otel|APPLICATIONINSIGHTS_CONNECTION_STRING|"
    r"instrumentation\.opentelemetry\.io/inject-|OTEL_EXPORTER_OTLP_(TRACES_)?ENDPOINT|aws-otel-collector|"
    r"aws-observability/aws-otel|amazon/aws-xray-daemon|opentelemetry-lambda|AWSOpenTelemetryDistro)"
)
CONFIG_METRICS = re.compile(r"(?i)prometheus\.io/scrape[\"']?\s*[:=]\s*[\"']?true")
# (pattern, evidence kind, lower-case words one of which every match contains)
CONFIG_SWEEP = (
    (CONFIG_SAMPLING, "obs.sampling", ("sampl", "traceidratio")),
    (CONFIG_CORRELATION, "obs.log_correlation", ("trace", "withspan")),
    (CONFIG_JSON_LOG, "obs.structured_log", ("json", "ecs", "structured", "logstash", '{"', "{\\\"")),
    (CONFIG_TRACING, "obs.tracing", ("javaagent", "otel", "applicationinsights", "xray", "opentelemetry")),
    (CONFIG_METRICS, "obs.metrics", ("prometheus.io/scrape",)),
)


def config_sweep(run: ObsRun) -> None:
    """Environment variables, logger configs and agent flags in config-like files (never source code)."""
    for path in config_candidates(run):
        text = run.tree.text(path)
        if not text:
            continue
        low = text.lower()
        name = path.lower().rsplit("/", 1)[-1]
        if name.endswith((".yml", ".yaml")) and name.startswith(("application", "bootstrap")) and \
                any(w in low for w in ("structured", "sampling", "pattern")):
            # Spring Boot keeps `logging.structured.format.console`, `management.tracing.sampling.probability`,
            # `logging.pattern.level` as nested YAML: sweep the dotted key paths as well
            text = text + "\n" + "\n".join(_dotted_lines(run.tree.yaml_docs(path) or []))
        for rx, kind, needles in CONFIG_SWEEP:
            # a cheap substring test first: most config files mention none of these words
            if not any(n in low for n in needles):
                continue
            m = rx.search(text)
            if m:
                _config_match(run, path, text, kind, m)


def _config_match(run: ObsRun, path: str, text: str, kind: str, m: re.Match[str]) -> None:
    strength = Strength.STRONG
    word = keyword(m.group(0))
    if kind == "obs.sampling" and re.search(r"(?i)OTEL_TRACES_SAMPLER[\"'\s:=]+[\"']?always_on", text) \
            and not re.search(r"(?i)ratio|probab|rate", text):
        return  # always_on is the default, not tuning
    line = text.count("\n", 0, m.start()) + 1
    if m.start() >= len(run.tree.text(path) or ""):  # matched a dotted key path: point at its last key
        leaf = m.group(0).split(":")[0].strip().rsplit(".", 1)[-1]
        line = run.tree.line_of(path, re.compile(rf"^\s*{re.escape(leaf)}\s*:", re.M)) or 1
    run.emit(kind, path, {"mechanism": word}, line=line, strength=strength, key=(word,),
             summary=f"{kind}: {word} in {path}")


def config_candidates(run: ObsRun) -> list[str]:
    """Config-like product files under MAX_CONFIG_BYTES (listed once per run: the correlation step asks again)."""
    if run.config_files is None:
        run.config_files = list(_config_candidates(run))
    return run.config_files


def _config_candidates(run: ObsRun) -> Iterator[str]:
    for path in run.tree.files:
        if not is_product_path(path):
            continue
        low = path.lower()
        name = low.rsplit("/", 1)[-1]
        if name.endswith(("package-lock.json", "yarn.lock", "pnpm-lock.yaml", ".min.js", "go.sum")):
            continue
        ok = (
            name.endswith((".yml", ".yaml", ".tf", ".properties", ".toml", ".ini", ".cfg", ".conf", ".env", ".hcl"))
            or name.startswith((".env", "dockerfile", "containerfile"))
            or (name.endswith(".xml") and re.search(r"logback|log4j|nlog", name) is not None)
            or (name.endswith(".json") and (name.startswith(("appsettings", "task", "taskdef", "config", "local.settings"))
                                            or "ecs" in low or "otel" in name))
            or name.endswith(".config") and name in ("web.config", "nlog.config", "app.config")
        )
        if ok and file_size(run.tree, path) <= MAX_CONFIG_BYTES:
            yield path


def _dotted_lines(docs: list[Any], limit: int = 2000) -> list[str]:
    """`a.b.c: value` for every scalar leaf of nested YAML mappings (Spring's application.yml)."""
    out: list[str] = []

    def walk_(node: Any, prefix: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk_(v, f"{prefix}.{k}" if prefix else str(k))
        elif not isinstance(node, list) and prefix:
            out.append(f"{prefix}: {node}")

    for doc in docs:
        walk_(doc, "")
    return out
