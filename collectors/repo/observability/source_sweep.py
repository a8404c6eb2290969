"""A *bounded* grep of source files (size and count capped) for what dependency lists cannot show: trace ids in
logger calls, JSON log handlers (Go `slog.NewJSONHandler`, logrus JSONFormatter), APM logs-in-context helpers,
OpenTelemetry log bridges, Sentry performance monitoring and explicit samplers."""

from __future__ import annotations

import re

from wafops.collectors.repo.observability.state import ObsRun
from wafops.collectors.repo.observability.values import keyword, to_float
from wafops.collectors.repo.observability_files import file_size, is_product_path
from wafops.collectors.repo.pattern_words import may_match, required_words
from wafops.scanner.core.model import Strength

TRACE_TOKEN = re.compile(
    r"(?i)(\btrace[_.]?id\b|\btraceid\b|otelTraceID|otelSpanID|dd\.trace_id|\bspan[_.]?id\b|AWS-XRAY-TRACE-ID|trace_flags)"
)
LOG_CONTEXT = re.compile(
    r"(?i)(\blog|logger|logging|slog\.|zap\.|zerolog|logrus|\bMDC\b|ThreadContext|structlog|\.bind\(|with_?fields|"
    r"WithField|Enrich|formatter|%\(|\bextra\s*=|LogContext|BeginScope|\.child\(|mixin|event_dict|\brecord\.|LogRecord)"
)
CODE_JSON_LOG = re.compile(
    r"NewJSONHandler|&logrus\.JSONFormatter|logrus\.JSONFormatter|zap\.NewProduction|zerolog\.New\(|serialize\s*=\s*True|"
    r"format\.json\(\)|JSONRenderer\(|jsonlogger\.JsonFormatter|AddJsonConsole|JsonConsoleFormatter|"
    r"new\s+JsonFormatter|CompactJsonFormatter|ecs_logging\.StdlibFormatter|NewRelicContextFormatter|"
    r"zapcore\.NewJSONEncoder|formatters\.JSON\{"  # zap's JSON encoder; mattermost/logr's JSON formatter
)
# a team's own JSON formatter: a Python `logging.Formatter` subclass in a file that serialises with json.dumps
# (the commonest home-grown shape: PII masking or request fields added before `return json.dumps(output)`)
CODE_FORMATTER_CLASS = re.compile(r"class\s+\w+\(\s*(logging\.)?Formatter\s*\)")
CODE_JSON_DUMPS = re.compile(r"\b(json|orjson|ujson)\.dumps\(")
# APM agents' logs-in-context helpers: the agent stamps trace.id/span.id into the record (New Relic
# `get_linking_metadata()` / `getLinkingMetadata()` / NewRelicContextFormatter, Datadog `patch(logging=True)`)
CODE_APM_LOG_CONTEXT = re.compile(
    r"get_linking_metadata\(|getLinkingMetadata\(|NewRelicContextFormatter|ddtrace[\w.]*\.patch\([^)]*logging\s*=\s*True|"
    # Datadog's tracer configured to inject trace ids into log records: Ruby `c.tracing.log_injection = enabled`,
    # Python `config.logs_injection = True`, Node `tracer.init({ logInjection: true })` (anything but false/nil)
    r"\blogs?_injection\s*=\s*(?!\s*(?:false|False|nil|None|0)\b)[\w\"'!(]|\blogInjection\s*:\s*(?!\s*false\b)[\w\"'!(]"
)
# OpenTelemetry log bridges wired in code: records go out as OTLP (structured, stamped with the active
# trace/span id) - .NET `builder.Logging.AddOpenTelemetry(...)`, Go `otelslog.NewLogger`, Java appender install,
# Python `LoggingHandler(logger_provider=...)`.
CODE_OTEL_LOGS = re.compile(
    r"Logging\.AddOpenTelemetry\(|\.AddOpenTelemetry\(\s*(logging|options|o|opt)\s*=>\s*\w*\.?(IncludeFormattedMessage|"
    r"SetResourceBuilder|AddOtlpExporter)|otelslog\.New(Logger|Handler)\(|OpenTelemetryAppender\.install\(|"
    r"LoggingHandler\(\s*(level\s*=\s*[\w.]+\s*,\s*)?logger_provider"
)
CODE_SAMPLER = re.compile(r"TraceIdRatioBased|TraceIDRatioBased|ParentBasedSampler|ParentBased\(|traceidratio|TraceIdRatioBasedSampler")
# Sentry performance monitoring switched on in code: `sentry_sdk.init(traces_sample_rate=0.2)`,
# `Sentry.init({ tracesSampleRate: 0.01 })`, a `traces_sampler`/`tracesSampler` callback, `enable_tracing=True`.
# With it the SDK records transactions and spans (distributed traces with sentry-trace propagation) and Sentry
# charts throughput, failure rate and latency per transaction - an APM, not only an error tracker. A rate of 0
# switches tracing off; a rate strictly between 0 and 1 or a sampler callback is an explicit sampling decision.
CODE_SENTRY_TRACING = re.compile(
    r"""\b(traces_sample_rate|tracesSampleRate)\b["']?\s*[:=]\s*([^,\s)}\]]+)|"""
    r"""\b(traces_sampler|tracesSampler)\b["']?\s*(\]\s*)?[:=]|\b(enable_tracing\s*=\s*True|enableTracing\s*:\s*true)\b"""
)

MAX_SOURCE_FILES = 1500
MAX_SOURCE_BYTES = 200_000
SOURCE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".go", ".java", ".kt", ".cs", ".rb", ".rs", ".scala")
PRIORITY = re.compile(r"(?i)(log|telemetry|otel|trac|observ|instrument|monitor|main|app|server|setup|config|bootstrap|init|index|"
                      r"sentry|sdk)")

PLUGIN_PARENTS = frozenset({"components", "integrations", "plugins", "providers", "extensions", "contrib", "connectors",
                            "addons", "exporters", "sinks", "backends"})


# words one of which every match of each costly pattern holds, case-folded, read from the pattern itself (see
# pattern_words): a file holding none of a pattern's words is not searched with it (most source files; the
# patterns' `\b` alternatives would otherwise be tried at every offset)
WORDS = {rx: required_words(rx) for rx in (TRACE_TOKEN, CODE_JSON_LOG, CODE_APM_LOG_CONTEXT, CODE_OTEL_LOGS, CODE_SAMPLER)}


def _search(rx: re.Pattern[str], text: str, folded: str) -> re.Match[str] | None:
    """rx.search(text), skipped when the case-folded text holds none of the words every match holds."""
    return rx.search(text) if may_match(WORDS[rx], folded) else None


def source_sweep(run: ObsRun) -> None:
    """Trace ids in logger calls, JSON log handlers, explicit samplers. Bounded: at most MAX_SOURCE_FILES
    files under MAX_SOURCE_BYTES each, files whose path suggests logging/telemetry/entry points first."""
    candidates = [p for p in run.tree.with_suffix(*SOURCE_SUFFIXES)
                  if is_product_path(p) and not re.search(r"(?i)(_test\.go|\.test\.|\.spec\.|test_[^/]*\.py|/tests?/)", p)]
    # `__init__.py` says "init" but is mostly imports: thousands of them must not crowd out the entry points
    candidates.sort(key=lambda p: (0 if PRIORITY.search(p.rsplit("/", 1)[-1]) and not p.endswith("__init__.py") else 1,
                                   p.count("/"), p))
    scanned = 0
    corr_found: set[str] = set()  # services whose log-trace correlation is already shown
    for path in candidates:
        if scanned >= MAX_SOURCE_FILES:
            break
        if file_size(run.tree, path) > MAX_SOURCE_BYTES:
            continue
        text = run.tree.text(path)
        scanned += 1
        if text:
            _scan_file(run, path, text, corr_found)
    if scanned >= MAX_SOURCE_FILES and len(candidates) > scanned:  # the cap was hit, not size skips
        run.ctx.warn("repo", f"observability: source grep capped at {MAX_SOURCE_FILES} of {len(candidates)} files")


def _line(text: str, m: re.Match[str]) -> int:
    return text.count("\n", 0, m.start()) + 1


def _scan_file(run: ObsRun, path: str, text: str, corr_found: set[str]) -> None:
    svc = run.service_of(path)
    folded = text.casefold()
    if svc not in corr_found and _search(TRACE_TOKEN, text, folded):
        _trace_ids_in_logs(run, path, text, svc, corr_found)
    _json_logs(run, path, text, svc, folded)
    m = _search(CODE_APM_LOG_CONTEXT, text, folded) if svc not in corr_found else None
    if m:
        run.emit("obs.log_correlation", path, {"mechanism": "code:apm-logs-in-context", "service": svc},
                 line=_line(text, m), strength=Strength.STRONG, key=("code",))
        corr_found.add(svc)
    m = _search(CODE_OTEL_LOGS, text, folded)
    if m:
        line = _line(text, m)
        run.emit("obs.structured_log", path, {"mechanism": "code:otel-log-bridge", "service": svc},
                 line=line, key=("code-otel", svc))
        if svc not in corr_found:
            run.emit("obs.log_correlation", path, {"mechanism": "code:otel-log-bridge", "service": svc},
                     line=line, strength=Strength.STRONG, key=("code-otel",))
            corr_found.add(svc)
    if "entry" in text and re.search(r"(?i)sentry", text) and not _vendor_plugin(path, "sentry"):
        _sentry_tracing(run, path, text, svc)
    m = _search(CODE_SAMPLER, text, folded)
    if m:
        run.emit("obs.sampling", path, {"mechanism": "code:" + keyword(m.group(0))}, line=_line(text, m), key=("code",))


def _trace_ids_in_logs(run: ObsRun, path: str, text: str, svc: str, corr_found: set[str]) -> None:
    """The first line that puts a trace id into a logger call (any trace id line, in a logging module)."""
    in_log_module = bool(re.search(r"(?i)log", path.rsplit("/", 1)[-1]))
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) < 400 and TRACE_TOKEN.search(line) and (LOG_CONTEXT.search(line) or in_log_module):
            run.emit("obs.log_correlation", path, {"mechanism": "code:trace-id-in-logs", "service": svc},
                     line=number, strength=Strength.STRONG, key=("code",))
            corr_found.add(svc)
            break


def _json_logs(run: ObsRun, path: str, text: str, svc: str, folded: str) -> None:
    """A JSON log handler or encoder, or a team's own Formatter that serialises with json.dumps."""
    m = _search(CODE_JSON_LOG, text, folded)
    if m:
        run.emit("obs.structured_log", path, {"mechanism": "code:" + keyword(m.group(0)), "service": svc},
                 line=_line(text, m), key=("code", svc))
    elif "Formatter" in text and CODE_JSON_DUMPS.search(text):
        m = CODE_FORMATTER_CLASS.search(text)
        if m:
            run.emit("obs.structured_log", path, {"mechanism": "code:custom-json-formatter", "service": svc},
                     line=_line(text, m), key=("code", svc))


def _sentry_tracing(run: ObsRun, path: str, text: str, svc: str) -> None:
    """Sentry SDK init with tracing on: tracing for the service, plus sampling when the rate is a fraction
    or a sampler callback decides it (a rate of 1.0 keeps every trace: no sampling decision)."""
    for m in CODE_SENTRY_TRACING.finditer(text):
        value = (m.group(2) or "").strip("\"'")
        rate = to_float(value) if value else None
        if m.group(1) and rate is not None and rate <= 0:
            continue  # tracing switched off
        line = _line(text, m)
        run.emit("obs.tracing", path, {"mechanism": "sentry-performance", "service": svc}, line=line,
                 key=("sentry", svc))
        if m.group(3) or (m.group(1) and (rate is None or rate < 1)):
            run.emit("obs.sampling", path, {"mechanism": "code:sentry-" + (m.group(3) or m.group(1))}, line=line,
                     key=("sentry",))
        return


def _vendor_plugin(path: str, vendor: str) -> bool:
    """The file is a product's plugin *for* that vendor (`homeassistant/components/sentry/__init__.py`,
    `plugins/datadog/...`): it initialises the vendor SDK with the end user's settings, which says nothing
    about the team's own telemetry."""
    parts = path.lower().split("/")[:-1]
    return any(parts[i - 1] in PLUGIN_PARENTS and vendor in parts[i] for i in range(1, len(parts)))
