"""Observability configuration in a repository (WAF-OPS-030, inputs to 040 and 080).

What it reads, and why in this order:
1. dependency manifests (collectors/repo/manifests.py): which services pull in OpenTelemetry, tracing,
   JSON logging, metrics, APM, error tracking, log correlation and feature-flag SDKs. Only runtime
   dependencies of product code count (not devDependencies, not examples/ or tests/);
2. YAML/JSON/config files selected by name and a cheap text prefilter, parsed only when they look
   like a shipper, collector, dashboard, SLO, service or sampling config;
3. Terraform (only files whose block headers name a wanted resource type) and CloudFormation;
4. a *bounded* grep of source files (size and count capped) for trace ids in logger calls and JSON
   log handlers, which dependency lists cannot show (Go `slog.NewJSONHandler`, logrus JSONFormatter).

Everything is an observation of the repository at one commit: strength is `strong` for
packages/config that very likely mean the practice, `direct` where the object is the practice
(an SLO spec, a dashboard), `weak` for correlated hints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.repo.manifests import (
    is_aspire_host,
    is_product_manifest,
    local_links,
    manifest_paths,
    parse_manifest,
)
from wafops.collectors.repo.observability_files import (
    TEMPLATED_YAML_SUFFIXES,
    YAML_SUFFIXES,
    cfn_resources,
    file_size,
    first,
    is_product_path,
    is_templated,
    load_yaml_docs,
    looks_templated,
    s,
    tf_resources,
    walk,
)
from wafops.collectors.translate import aws as translate_aws
from wafops.collectors.translate import azure as translate_azure
from wafops.collectors.translate.signals import DORA, ERROR_BUDGET, RED_DUR, RED_ERR, RED_RATE
from wafops.scanner.core.model import Evidence, Strength, Subject
from wafops.scanner.core.vendors import categories

# ---- patterns ---------------------------------------------------------------------------------------

DASHBOARD_JSONNET_NAME = re.compile(r"(?i)(^|/)[^/]+[.-]dashboard\.jsonnet$|(^|/)dashboards?/([^/]+/)*[^/]+\.shared\.jsonnet$")

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
CONFIG_JSON_LOG = re.compile(
    r"(LogstashEncoder|ch\.qos\.logback\.classic\.encoder\.JsonEncoder|JsonTemplateLayout|<JsonLayout|EcsLayout|EcsEncoder|"
    r"CompactJsonFormatter|RenderedCompactJsonFormatter|ElasticsearchJsonFormatter|\"FormatterName\"\s*:\s*\"json\"|"
    r"logging\.structured\.format|pythonjsonlogger|jsonlogger\.JsonFormatter|structlog\.processors\.JSONRenderer|"
    r"structured\.format\.console|"
    # a log-format switch set to JSON in the app's own settings: `LOG_FORMAT=json`, `logFormat: json`,
    # `"log_format": "json"`, Mattermost's `"ConsoleJson": true` / `"FileJson": true`, `json_logs: true`
    r"(?i:\b(log_?format|log[._]format|logging[._]format)[\"']?\s*[:=]\s*[\"']?json\b)|"
    r"(?i:\b(console|file)_?json[\"']?\s*[:=]\s*[\"']?true\b)|(?i:\bjson_?logs?[\"']?\s*[:=]\s*[\"']?true\b)|"
    # a log format/pattern that writes a JSON object per record: Python fileConfig `format={"timestamp": ...}`,
    # a log4j2/logback PatternLayout `pattern='{"timestamp": "%d", "severity": "%level", ...}'`
    r"(?i:\b(format|pattern|conversionPattern)[\"']?\s*[=:]\s*['\"]?\{\s*\\?[\"'](@?timestamp|time|ts|level|severity|"
    r"message|msg|log\.level)\\?[\"']\s*:))"
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

# terraform types this collector reads
TF_LOG_TYPES = {"aws_cloudwatch_log_group", "azurerm_log_analytics_workspace", "azurerm_monitor_diagnostic_setting",
                "google_logging_project_sink", "aws_cloudwatch_log_subscription_filter", "azurerm_application_insights",
                "aws_ecs_task_definition", "google_logging_project_bucket_config"}
TF_DASHBOARD_TYPES = {"aws_cloudwatch_dashboard": "cloudwatch", "grafana_dashboard": "grafana",
                      "datadog_dashboard": "datadog", "datadog_dashboard_json": "datadog",
                      "azurerm_portal_dashboard": "azure", "azurerm_dashboard": "azure",
                      "google_monitoring_dashboard": "google", "newrelic_one_dashboard": "newrelic"}
TF_SLO_TYPES = {"google_monitoring_slo", "datadog_service_level_objective", "grafana_slo", "newrelic_service_level",
                "nobl9_slo", "dynatrace_slo_v2", "dynatrace_slo", "awscc_applicationsignals_service_level_objective",
                "aws_applicationsignals_service_level_objective"}
TF_SERVICE_TYPES = {"aws_ecs_service", "aws_lambda_function", "azurerm_linux_web_app", "azurerm_windows_web_app",
                    "azurerm_container_app", "google_cloud_run_service", "google_cloud_run_v2_service",
                    "azurerm_linux_function_app", "azurerm_app_service", "aws_apprunner_service",
                    "azurerm_function_app", "azurerm_windows_function_app"}
AZURE_APP_HOSTS = ("azurerm_function_app", "azurerm_linux_function_app", "azurerm_windows_function_app",
                   "azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_app_service")
# Application Insights switched on in an App Service / Function App's settings: the codeless agent
# (`ApplicationInsightsAgent_EXTENSION_VERSION`, Java `APPLICATIONINSIGHTS_ENABLE_AGENT`) or, for Functions, the
# host's built-in integration (a connection string / instrumentation key) records every request and dependency
# call with W3C trace context - distributed tracing by the platform, for every app it hosts
AI_AGENT = re.compile(r"""(?i)["']?(APPLICATIONINSIGHTS_ENABLE_AGENT["']?\s*[=:]\s*["']?true|ApplicationInsightsAgent_EXTENSION_VERSION["']?\s*[=:]\s*["']?~\d)""")
JAVA_MDC_AGENT = re.compile(r"-javaagent:\S*(opentelemetry-javaagent|aws-opentelemetry-agent|applicationinsights-agent)")
AI_CONNECTION = re.compile(r"""["']?(APPLICATIONINSIGHTS_CONNECTION_STRING|APPINSIGHTS_INSTRUMENTATIONKEY)["']?\s*[=:]""")
TF_MISC_TYPES = {"aws_xray_sampling_rule", "aws_devopsguru_resource_collection", "azurerm_monitor_smart_detector_alert_rule",
                 "aws_cloudwatch_metric_alarm", "azurerm_monitor_metric_alert", "datadog_monitor", "helm_release",
                 "aws_api_gateway_stage", "aws_oam_sink", "aws_oam_link"}

# a build that makes the container image itself, without a Dockerfile: Jib (Maven/Gradle), Spring Boot's
# build-image, ko for Go, Quarkus container-image extensions
IMAGE_BUILD = re.compile(r"jib-maven-plugin|com\.google\.cloud\.tools\.jib|\bid\s*\(?\s*[\"']com\.google\.cloud\.tools\.jib|"
                         r"spring-boot:build-image|bootBuildImage|quarkus-container-image-")
# load-testing frameworks: a manifest whose runtime dependencies hold one generates test traffic (a Locust
# load generator deployed beside the services); it serves no users, so it is no service for telemetry coverage
LOAD_TEST_PACKAGES = frozenset({"locust", "locustio", "artillery", "k6", "autocannon", "loadtest", "vegeta",
                                "github.com/tsenart/vegeta", "github.com/tsenart/vegeta/v12",
                                "io.gatling.highcharts:gatling-charts-highcharts", "io.gatling:gatling-core",
                                "io.gatling:gatling-app", "molotov", "bombardier"})

DEPLOYABLE_MARKERS = ("dockerfile", "containerfile", "procfile", "fly.toml", "app.yaml", "serverless.yml",
                      "serverless.yaml", "host.json", "template.yaml", "template.yml", "apprunner.yaml", "vercel.json")

# A browser app's manifest (a React/Vue/Angular/Svelte bundle with no server framework) describes code that runs
# in users' browsers: it writes no server logs and starts no server spans, so it is no service for log/trace
# coverage (mattermost's webapp/channels next to its Go server).
UI_FRAMEWORKS = frozenset({"react", "react-dom", "vue", "@angular/core", "svelte", "preact", "solid-js", "lit"})
SERVER_FRAMEWORKS = re.compile(
    r"^(express|fastify|koa|@nestjs/core|next|nuxt|@remix-run/(node|serve|express)|@hapi/hapi|hapi|"
    r"apollo-server.*|@apollo/server|@sveltejs/kit|astro|hono|restify|sails|@feathersjs/feathers|"
    r"@adonisjs/core|loopback|@loopback/core|@trpc/server|socket\.io|ws|pg|mysql2?|mongoose|mongodb|prisma|"
    r"@prisma/client|typeorm|sequelize|knex|ioredis|redis)$"
)


def is_browser_app(packages: set[str]) -> bool:
    """A node manifest whose runtime dependencies hold a UI framework and nothing that runs a server or talks to a
    database directly."""
    return bool(packages & UI_FRAMEWORKS) and not any(SERVER_FRAMEWORKS.match(p) for p in packages)


MAX_SOURCE_FILES = 1500
MAX_SOURCE_BYTES = 200_000
MAX_CONFIG_BYTES = 512_000
SOURCE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".go", ".java", ".kt", ".cs", ".rb", ".rs", ".scala")
PRIORITY = re.compile(r"(?i)(log|telemetry|otel|trac|observ|instrument|monitor|main|app|server|setup|config|bootstrap|init|index|"
                      r"sentry|sdk)")


class ObservabilityCollector(Collector):
    name = "observability"
    source = "repo"
    description = ("Observability as code: telemetry SDKs in manifests, log shippers, OTel collectors, dashboards, "
                   "SLO specs, log-trace correlation, sampling, services (D-SVC), anomaly detection, log retention")
    controls = ("WAF-OPS-030", "WAF-OPS-040", "WAF-OPS-080")

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        run = _Run(ctx)
        ctx.run_detectors("observability", (
            run.dependencies, run.yaml_files, run.named_files, run.dashboards_json, run.dashboards_in_yaml, run.grafonnet,
            run.terraform, run.cloudformation, run.config_sweep, run.source_sweep))
        run.finish_manifests()
        run.agent_mdc_correlation()
        return run.out


class _Run:
    """State of one collection: evidence so far and dedupe keys."""

    def __init__(self, ctx: CollectContext) -> None:
        self.ctx = ctx
        self.tree = ctx.tree
        assert self.tree is not None
        self.out: list[Evidence] = []
        self._seen: set[tuple[Any, ...]] = set()
        self._manifests: list[tuple[str, str, int]] = []  # (path, ecosystem, runtime deps)
        self._frontends: set[str] = set()  # manifests of browser apps (UI framework, no server framework)
        self._load_tests: set[str] = set()  # manifests of load generators (a load-testing framework at runtime)
        self.service_dirs: set[str] = set()

    # ---- emit ------------------------------------------------------------------------------------
    def emit(self, kind: str, path: str, attrs: dict[str, Any], *, line: int | None = None, pattern: str | re.Pattern[str] | None = None,
             strength: Strength = Strength.STRONG, summary: str = "", key: Any = None) -> None:
        k = (kind, path, key if key is not None else json.dumps(attrs, sort_keys=True, default=str))
        if k in self._seen:
            return
        self._seen.add(k)
        if line is None and pattern:
            line = self.tree.line_of(path, pattern)
        self.out.append(self.ctx.file_evidence(kind, path, line=line, attributes=attrs, strength=strength,
                                               summary=summary or f"{kind} in {path}"))

    def warn(self, path: str, message: str) -> None:
        self.ctx.warn("repo", message, path)

    # ---- 1. dependencies ---------------------------------------------------------------------------
    def dependencies(self) -> None:
        for path in manifest_paths(self.tree):
            if not is_product_manifest(path):
                continue
            deps = parse_manifest(self.tree, path, self.warn)
            runtime = [d for d in deps if not d.is_dev]
            if not deps:
                continue
            eco = deps[0].ecosystem
            self._manifests.append((path, eco, len(runtime)))
            if eco == "node" and is_browser_app({d.package.lower() for d in runtime}):
                self._frontends.add(path)
            if any(d.package.lower() in LOAD_TEST_PACKAGES for d in runtime):
                self._load_tests.add(path)
            service = path.rsplit("/", 1)[0] if "/" in path else "."
            for d in runtime:
                cats = categories(d.ecosystem, d.package)
                if not cats:
                    continue
                self.emit("dep.package", path,
                          {"ecosystem": d.ecosystem, "manifest": path, "package": d.package, "categories": list(cats),
                           "service": service},
                          pattern=d.package.rsplit(":", 1)[-1], summary=f"{d.package} ({', '.join(cats)}) in {path}")

    def finish_manifests(self) -> None:
        files_by_dir: dict[str, set[str]] = {}
        for f in self.tree.files:
            d, _, name = f.rpartition("/")
            files_by_dir.setdefault(d or ".", set()).add(name.lower())
        links = local_links(self.tree, [m[0] for m in self._manifests])
        consumed = {t for targets in links.values() for t in targets}
        for path, eco, runtime in self._manifests:
            d = path.rsplit("/", 1)[0] if "/" in path else "."
            names = files_by_dir.get(d, set())
            deployable = d in self.service_dirs or any(
                n.startswith(("dockerfile", "containerfile")) or n in DEPLOYABLE_MARKERS for n in names) or (
                eco == "java" and bool(IMAGE_BUILD.search(self.tree.text(path) or "")))
            self.emit("dep.manifest", path, {"ecosystem": eco, "service": d, "runtime_packages": runtime,
                                             "deployable": bool(deployable),
                                             "local_deps": sorted(links.get(d, ())),
                                             "library": d in consumed and not deployable,
                                             "frontend": path in self._frontends,
                                             "load_test": path in self._load_tests,
                                             "orchestrator": path.lower().endswith("proj")
                                             and is_aspire_host(self.tree.text(path) or "")}, line=1,
                      summary=f"{eco} manifest {path} ({runtime} runtime dependencies)")

    def agent_mdc_correlation(self) -> None:
        """A Java JSON layout that writes the MDC, in a repository that attaches the OpenTelemetry or Application
        Insights (3.x) Java agent: these agents put trace_id/span_id into the MDC of every log record, so the
        JSON records carry the trace id without any code (LogstashEncoder and EcsLayout write the MDC by default,
        JsonTemplateLayout when its event template has an `mdc` resolver)."""
        layouts = [e for e in self.out if e.kind == "obs.structured_log"
                   and e.get("mechanism") in ("JsonTemplateLayout", "LogstashEncoder", "EcsLayout", "EcsEncoder")]
        if not layouts:
            return
        agent = any(e.kind == "obs.tracing" and e.get("mechanism") == "azure-app-insights-agent" for e in self.out) or any(
            e.kind == "dep.package" and re.search(r"applicationinsights-(runtime-attach|agent)|opentelemetry\.javaagent",
                                                  str(e.get("package") or "")) for e in self.out)
        if not agent:
            for path in self._config_candidates():
                text = self.tree.text(path) or ""
                if "javaagent" in text and JAVA_MDC_AGENT.search(text):
                    agent = True
                    break
        if not agent:
            return
        for e in layouts:
            path = e.locator.path or ""
            text = self.tree.text(path) or ""
            uri = re.search(r"eventTemplateUri\s*=\s*[\"'](?:classpath:)?([^\"']+)[\"']", text)
            if e.get("mechanism") == "JsonTemplateLayout" and uri:
                name = uri.group(1).rsplit("/", 1)[-1]
                templates = [f for f in self.tree.files if f.rsplit("/", 1)[-1] == name]
                if not templates or not any(re.search(r"\"\$resolver\"\s*:\s*\"mdc\"", self.tree.text(f) or "")
                                            for f in templates):
                    continue
            self.emit("obs.log_correlation", path, {"mechanism": "java-agent-mdc", "service": self._service_of(path)},
                      line=e.locator.line, strength=Strength.STRONG, key=("agent-mdc",),
                      summary=f"JSON log layout writing the MDC, where the Java agent puts trace ids, in {path}")

    # ---- 2. YAML ---------------------------------------------------------------------------------
    def yaml_files(self) -> None:
        for path in self.tree.with_suffix(*YAML_SUFFIXES, *TEMPLATED_YAML_SUFFIXES):
            if not is_product_path(path):
                continue
            text = self.tree.text(path)
            if not text or len(text) > MAX_CONFIG_BYTES:
                continue
            name = path.rsplit("/", 1)[-1].lower()
            for ext in TEMPLATED_YAML_SUFFIXES:  # `prometheus.yml.erb` is read as `prometheus.yml`
                if name.endswith(ext):
                    name = name[: -len(ext)] + "." + ext.split(".")[1]
                    break
            if not _yaml_interesting(name, text):
                continue
            docs = load_yaml_docs(self.tree, path, text)
            for doc in docs:
                if isinstance(doc, dict):
                    self._yaml_doc(path, name, doc)
            if not docs:
                self._prometheus_text(path, text)

    def _yaml_doc(self, path: str, name: str, doc: dict[str, Any]) -> None:
        api = str(doc.get("apiVersion") or "")
        kind = str(doc.get("kind") or "")
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
        mname = str(meta.get("name") or "")

        # OpenTelemetry collector: plain config, or the operator CRD, or chart values nesting a config
        if kind == "OpenTelemetryCollector":
            cfg = spec.get("config")
            if isinstance(cfg, str):
                try:
                    import yaml as _y

                    cfg = _y.safe_load(cfg)
                except Exception:
                    cfg = None
            if isinstance(cfg, dict):
                self._otel_collector(path, cfg)
        elif _is_otel_config(doc):
            self._otel_collector(path, doc)
        else:
            for sub in _nested_dicts(doc, 3):
                if _is_otel_config(sub):
                    self._otel_collector(path, sub)
                    break
        if kind == "Instrumentation" and "opentelemetry.io" in api:
            self.emit("obs.tracing", path, {"mechanism": "otel-operator-instrumentation"}, pattern="Instrumentation")
            if isinstance(spec.get("sampler"), dict):
                self.emit("obs.sampling", path, {"mechanism": f"otel-operator:{spec['sampler'].get('type', 'sampler')}"},
                          pattern="sampler")

        # SLO specs
        self._slo_doc(path, name, api, kind, spec, mname, doc)

        # services (D-SVC)
        if "backstage.io" in api and kind == "Component" and str(spec.get("type", "")).lower() == "service":
            tags = " ".join(str(t) for t in (meta.get("tags") or [])) + " " + json.dumps(meta.get("annotations") or {})
            critical = True if re.search(r"(?i)tier[-_ ]?(1|0|one)|critical|mission", tags) else None
            self.emit("obs.service", path, {"name": mname, "origin": "backstage", "critical": critical},
                      pattern=(mname) if mname else None, key=("svc", mname))
        if kind in ("Deployment", "StatefulSet", "Rollout") and isinstance(spec.get("template"), dict):
            self.emit("obs.service", path, {"name": mname, "origin": "kubernetes", "critical": None},
                      pattern=f"kind: {kind}", key=("svc", mname))
            self.service_dirs.add(path.rsplit("/", 1)[0] if "/" in path else ".")
        if kind in ("DaemonSet", "Deployment", "StatefulSet"):
            for image in _images(spec):
                self._agent_image(path, image)
        if kind in ("ServiceMonitor", "PodMonitor") and "monitoring.coreos.com" in api:
            self.emit("obs.metrics", path, {"mechanism": kind.lower()}, pattern=f"kind: {kind}")
        if kind == "GrafanaDashboard":
            body = spec.get("json")
            title = mname
            panels = 0
            text = self.tree.text(path) or ""
            if isinstance(body, str):
                try:
                    dj = json.loads(body)
                    title = str(dj.get("title") or mname)
                    panels = _count_panels(dj)
                except ValueError:
                    pass
            self._dashboard(path, "grafana", title, panels, text, line=self.tree.line_of(path, "GrafanaDashboard"))
        if kind == "ConfigMap" and isinstance(doc.get("data"), dict):
            for key, value in doc["data"].items():
                self._configmap_entry(path, str(key), value)
        if kind == "HelmRelease":
            chart = s(((spec.get("chart") or {}).get("spec") or {}).get("chart")) if isinstance(spec.get("chart"), dict) else ""
            if chart:
                self._agent_image(path, chart)
        if kind in ("Application",) and "argoproj.io" in api:
            src = spec.get("source") if isinstance(spec.get("source"), dict) else {}
            for src_item in [src] + [x for x in (spec.get("sources") or []) if isinstance(x, dict)]:
                if src_item.get("chart"):
                    self._agent_image(path, str(src_item["chart"]))
        if kind == "Probe" and "monitoring.coreos.com" in api:
            pass  # availability probes belong to the alerting collector

        # Helm chart dependencies
        if name == "chart.yaml" and isinstance(doc.get("dependencies"), list):
            for dep in doc["dependencies"]:
                if isinstance(dep, dict) and dep.get("name"):
                    self._agent_image(path, str(dep["name"]))

        # docker-compose
        if isinstance(doc.get("services"), dict) and (name.startswith(("docker-compose", "compose")) or "version" in doc):
            self._compose(path, doc["services"])

        # serverless framework
        if name.startswith("serverless.") and isinstance(doc.get("functions"), dict):
            self._serverless(path, doc)

        # shipper configs in YAML
        if name.startswith(("fluent-bit", "fluentbit")) and isinstance(doc.get("pipeline"), dict):
            self.emit("obs.log_shipper", path, {"tool": "fluent-bit", "logs": True}, line=1, strength=Strength.DIRECT)
        if name.startswith("vector") and isinstance(doc.get("sinks"), dict):
            self.emit("obs.log_shipper", path, {"tool": "vector", "logs": True}, line=1, strength=Strength.DIRECT)
        if (name.startswith("promtail") or "promtail" in path.lower()) and isinstance(doc.get("clients"), list):
            self.emit("obs.log_shipper", path, {"tool": "promtail", "logs": True}, line=1, strength=Strength.DIRECT)
        if name.startswith("filebeat") and ("filebeat.inputs" in doc or isinstance(doc.get("filebeat"), dict)):
            self.emit("obs.log_shipper", path, {"tool": "filebeat", "logs": True}, line=1, strength=Strength.DIRECT)
        if name in ("datadog.yaml", "datadog.yml") or kind == "DatadogAgent":
            logs = bool(doc.get("logs_enabled")) or "logs" in json.dumps(doc.get("spec", {}))[:20000]
            self.emit("obs.log_shipper", path, {"tool": "datadog-agent", "logs": logs}, line=1)

        # Loki / Prometheus / Grafana datasource configs (the backends themselves)
        limits = doc.get("limits_config") if isinstance(doc.get("limits_config"), dict) else None
        if limits is not None and ("schema_config" in doc or "common" in doc or "ingester" in doc):
            self.emit("obs.platform", path, {"tool": "loki", "signals": ["logs"]}, line=1)
            if limits.get("retention_period"):
                days = _duration_days(str(limits["retention_period"]))
                self.emit("obs.log_retention", path, {"tool": "loki", "resource": "limits_config", "name": "loki",
                                                      "days": days}, pattern="retention_period", strength=Strength.DIRECT)
        if isinstance(doc.get("scrape_configs"), list) and ("global" in doc or "rule_files" in doc or "alerting" in doc):
            self._prometheus_server(path, doc)
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
                self.emit("obs.platform", path, {"tool": "grafana", "signals": sorted(signals)}, line=1)

    def _slo_doc(self, path: str, name: str, api: str, kind: str, spec: dict, mname: str, doc: dict) -> None:
        if (api.startswith("openslo/") or api.startswith("n9/")) and kind == "SLO":
            # OpenSLO, and Nobl9's sloctl format (`apiVersion: n9/v1alpha`), which OpenSLO grew out of
            obj = first(spec.get("objectives")) or {}
            self.emit("obs.slo", path, {"spec": "openslo" if api.startswith("openslo/") else "nobl9", "service": s(spec.get("service")), "name": mname,
                                        "objective": (obj or {}).get("target") if isinstance(obj, dict) else None},
                      pattern=(mname) if mname else "kind: SLO", strength=Strength.DIRECT, key=("slo", mname))
        elif (str(doc.get("version", "")) == "prometheus/v1" and isinstance(doc.get("slos"), list)) or (
                kind == "PrometheusServiceLevel" and "sloth" in api):
            body = doc if "slos" in doc else spec
            for slo in body.get("slos") or []:
                if isinstance(slo, dict):
                    self.emit("obs.slo", path, {"spec": "sloth", "service": s(body.get("service")),
                                                "name": s(slo.get("name")), "objective": slo.get("objective")},
                              pattern=(s(slo.get("name"))) or "slos", strength=Strength.DIRECT,
                              key=("slo", s(slo.get("name"))))
        elif "pyrra.dev" in api and kind == "ServiceLevelObjective":
            self.emit("obs.slo", path, {"spec": "pyrra", "service": s((meta_labels(doc)).get("service") or mname),
                                        "name": mname, "objective": _float(spec.get("target"))},
                      pattern="ServiceLevelObjective", strength=Strength.DIRECT, key=("slo", mname))
        elif api.startswith("sre.google.com/") and kind == "ServiceLevelObjective":
            self.emit("obs.slo", path, {"spec": "slo-generator", "service": s(spec.get("service_name") or mname),
                                        "name": mname, "objective": _float(spec.get("goal"))},
                      pattern="ServiceLevelObjective", strength=Strength.DIRECT, key=("slo", mname))
        elif "slo_name" in doc and ("slo_target" in doc or "goal" in doc):
            self.emit("obs.slo", path, {"spec": "slo-generator", "service": s(doc.get("service_name")),
                                        "name": s(doc.get("slo_name")), "objective": _float(doc.get("slo_target") or doc.get("goal"))},
                      pattern="slo_name", strength=Strength.DIRECT)
        elif name.startswith("slo") and isinstance(doc.get("services"), dict):
            for svc, body in doc["services"].items():
                for slo in (body or {}).get("slos") or [] if isinstance(body, dict) else []:
                    if isinstance(slo, dict):
                        self.emit("obs.slo", path, {"spec": "wafpp", "service": str(svc), "name": s(slo.get("name")),
                                                    "objective": _float(slo.get("target"))},
                                  pattern=(s(slo.get("name"))) or "slos", strength=Strength.DIRECT,
                                  key=("slo", svc, s(slo.get("name"))))

    def _otel_collector(self, path: str, cfg: dict[str, Any]) -> None:
        receivers = sorted(str(k) for k in (cfg.get("receivers") or {}) if isinstance(cfg.get("receivers"), dict))
        processors = sorted(str(k) for k in (cfg.get("processors") or {}) if isinstance(cfg.get("processors"), dict))
        pipes = ((cfg.get("service") or {}).get("pipelines") or {}) if isinstance(cfg.get("service"), dict) else {}
        pipelines = sorted({str(k).split("/")[0] for k in pipes} if isinstance(pipes, dict) else set())
        sampling = any(p.split("/")[0] in ("tail_sampling", "probabilistic_sampler") for p in processors)
        self.emit("obs.otel_collector", path, {"receivers": receivers, "pipelines": pipelines, "processors": processors,
                                               "sampling": sampling},
                  pattern="receivers", strength=Strength.DIRECT, summary=f"OTel collector ({', '.join(pipelines)}) in {path}")
        if "logs" in pipelines:
            self.emit("obs.log_shipper", path, {"tool": "otel-collector", "logs": True}, pattern="logs", strength=Strength.DIRECT)
        if sampling:
            mech = next(p for p in processors if p.split("/")[0] in ("tail_sampling", "probabilistic_sampler"))
            self.emit("obs.sampling", path, {"mechanism": f"collector:{mech}"}, pattern=mech.split("/")[0],
                      strength=Strength.DIRECT)

    def _configmap_entry(self, path: str, key: str, value: Any) -> None:
        k = key.lower()
        text = value if isinstance(value, str) else ""
        if k.endswith(".json") and "schemaVersion" in text and "panels" in text:
            try:
                dj = json.loads(text)
            except ValueError:
                return
            if _is_dashboard(dj):
                self._dashboard(path, "grafana", str(dj.get("title") or key), _count_panels(dj), text,
                                line=self.tree.line_of(path, key))
        if "scrape_configs" in text:
            try:
                import yaml as _y

                cfg = _y.safe_load(text)
            except Exception:
                cfg = None
            if isinstance(cfg, dict) and isinstance(cfg.get("scrape_configs"), list):
                self._prometheus_server(path, cfg)
            elif cfg is None:
                self._prometheus_text(path, text)
        for prefix, tool in (("fluent-bit", "fluent-bit"), ("fluentbit", "fluent-bit"), ("fluent.conf", "fluentd"),
                             ("fluentd", "fluentd"), ("vector", "vector"), ("promtail", "promtail"),
                             ("config.alloy", "alloy"), ("filebeat", "filebeat")):
            if k.startswith(prefix) and text:
                self.emit("obs.log_shipper", path, {"tool": tool, "logs": True}, pattern=(key))
        if k in ("relay", "collector.yaml", "otel-collector-config.yaml", "config.yaml") and "receivers" in text and "exporters" in text:
            try:
                import yaml as _y

                cfg = _y.safe_load(text)
            except Exception:
                cfg = None
            if isinstance(cfg, dict) and _is_otel_config(cfg):
                self._otel_collector(path, cfg)

    def _prometheus_server(self, path: str, cfg: dict[str, Any]) -> None:
        """A Prometheus server's own configuration (scrape jobs, rule files, Alertmanagers): metrics from many
        targets land in one place, the central metrics store; `remote_write` forwards them further."""
        jobs = [j for j in cfg.get("scrape_configs") or [] if isinstance(j, dict)]
        rendered = is_templated(path, self.tree.text(path) or "", self.tree) or looks_templated(self.tree.text(path) or "")
        self.emit("obs.platform", path, {"tool": "prometheus", "signals": ["metrics"], "server": True,
                                         "scrape_jobs": len(jobs), "remote_write": bool(cfg.get("remote_write")),
                                         "provisioned": rendered},
                  pattern="scrape_configs", key=("prom-server",))

    def _prometheus_text(self, path: str, text: str) -> None:
        """A Prometheus server config that is no YAML until rendered (placeholders such as `@@POD_NAME@@` that a
        start script replaces): read by its keys, the scrape jobs counted by `job_name:`."""
        if not re.search(r"(?m)^\s*scrape_configs:", text) or not re.search(r"(?m)^\s*(global|rule_files|alerting):", text):
            return
        jobs = [{}] * len(re.findall(r"(?m)^\s*-\s*job_name:", text))
        self._prometheus_server(path, {"scrape_configs": jobs,
                                       "remote_write": bool(re.search(r"(?m)^\s*remote_write:", text))})

    def _agent_image(self, path: str, ref: str, origin: str = "") -> None:
        for rx, kind, tool in AGENT_IMAGES:
            if rx.search(ref):
                if kind == "shipper":
                    self.emit("obs.log_shipper", path, {"tool": tool, "logs": True}, pattern=(ref.split(":")[0][-40:]))
                elif kind == "collector":
                    self.emit("obs.log_shipper", path, {"tool": tool, "logs": False}, pattern=(ref.split(":")[0][-40:]),
                              strength=Strength.WEAK)
                    self.emit("obs.platform", path, {"tool": tool, "signals": ["traces", "metrics"]},
                              pattern=(ref.split(":")[0][-40:]), strength=Strength.WEAK)
                else:
                    attrs: dict[str, Any] = {"tool": tool, "signals": PLATFORM_SIGNALS.get(tool, [])}
                    if origin:
                        attrs["origin"] = origin
                    self.emit("obs.platform", path, attrs, pattern=(ref.split(":")[0][-40:]))
                return

    def _compose(self, path: str, services: dict[str, Any]) -> None:
        for name, svc in services.items():
            if not isinstance(svc, dict):
                continue
            image = s(svc.get("image"))
            if svc.get("build") is not None:
                self.emit("obs.service", path, {"name": str(name), "origin": "compose", "critical": None},
                          pattern=re.compile(rf"^\s+{re.escape(str(name))}:"), key=("svc", str(name)))
                build = svc.get("build")
                ctxdir = build if isinstance(build, str) else (build or {}).get("context", ".") if isinstance(build, dict) else "."
                base = path.rsplit("/", 1)[0] if "/" in path else "."
                self.service_dirs.add(_norm_dir(base, str(ctxdir)))
            if image:
                self._agent_image(path, image, origin="compose")
            logging = svc.get("logging") if isinstance(svc.get("logging"), dict) else {}
            driver = str(logging.get("driver") or "")
            if driver in LOG_DRIVERS:
                self.emit("obs.log_shipper", path, {"tool": LOG_DRIVERS[driver], "logs": True}, pattern=f"driver: {driver}")

    def _serverless(self, path: str, doc: dict[str, Any]) -> None:
        for fname in list(doc["functions"])[:200]:
            self.emit("obs.service", path, {"name": str(fname), "origin": "serverless", "critical": None},
                      pattern=re.compile(rf"^\s+{re.escape(str(fname))}:"), key=("svc", str(fname)))
        self.service_dirs.add(path.rsplit("/", 1)[0] if "/" in path else ".")
        provider = doc.get("provider") if isinstance(doc.get("provider"), dict) else {}
        # Lambda logs always land in CloudWatch Logs: the platform's central store
        self.emit("obs.log_shipper", path, {"tool": "cloudwatch-logs", "logs": True}, pattern="provider",
                  strength=Strength.STRONG)
        tracing = provider.get("tracing") if isinstance(provider.get("tracing"), dict) else {}
        if tracing.get("lambda") in (True, "true", "Active", "PassThrough") and tracing.get("lambda") != "PassThrough":
            self.emit("obs.tracing", path, {"mechanism": "lambda-active-tracing"}, pattern="tracing", strength=Strength.DIRECT)
        if "logRetentionInDays" in provider:
            self.emit("obs.log_retention", path, {"tool": "serverless", "resource": "provider", "name": "logRetentionInDays",
                                                  "days": _int(provider.get("logRetentionInDays"))},
                      pattern="logRetentionInDays", strength=Strength.DIRECT)

    # ---- 3. non-YAML configs by name -------------------------------------------------------------
    def named_files(self) -> None:
        for path in self.tree.files:
            if not is_product_path(path):
                continue
            name = path.rsplit("/", 1)[-1].lower()
            if name.endswith(".conf") and ("fluent-bit" in name or "fluentbit" in name or "/fluent-bit/" in path.lower()):
                if self._has(path, r"(?im)^\s*\[OUTPUT\]"):
                    self.emit("obs.log_shipper", path, {"tool": "fluent-bit", "logs": True}, pattern="[OUTPUT]",
                              strength=Strength.DIRECT)
            elif name in ("fluent.conf", "td-agent.conf") or (name.endswith(".conf") and "fluentd" in path.lower()):
                if self._has(path, r"<match\s"):
                    self.emit("obs.log_shipper", path, {"tool": "fluentd", "logs": True}, pattern="<match", strength=Strength.DIRECT)
            elif name.endswith(".toml") and name.startswith("vector"):
                if self._has(path, r"(?m)^\s*\[sinks\."):
                    self.emit("obs.log_shipper", path, {"tool": "vector", "logs": True}, pattern="[sinks.", strength=Strength.DIRECT)
            elif name.endswith((".alloy", ".river")):
                text = self.tree.text(path) or ""
                if re.search(r"loki\.(write|source)|otelcol\.exporter|prometheus\.remote_write|pyroscope\.write", text):
                    logs = "loki." in text or "otelcol.receiver" in text
                    self.emit("obs.log_shipper", path, {"tool": "alloy", "logs": logs}, line=1, strength=Strength.DIRECT)
                    if "otelcol.receiver.otlp" in text:
                        self.emit("obs.otel_collector", path, {"receivers": ["otlp"], "pipelines": [], "processors": [],
                                                               "sampling": "otelcol.processor.tail_sampling" in text},
                                  pattern="otelcol.receiver.otlp", strength=Strength.STRONG)
            elif name.endswith(".json") and ("cloudwatch-agent" in name or "cwagent" in name or "amazon-cloudwatch" in name):
                if self._has(path, r'"logs_collected"'):
                    self.emit("obs.log_shipper", path, {"tool": "cloudwatch-agent", "logs": True}, pattern="logs_collected",
                              strength=Strength.DIRECT)
            elif name.endswith(".json") and ("task" in name or "taskdef" in name or "ecs" in path.lower()):
                text = self.tree.text(path) or ""
                if '"containerDefinitions"' in text:
                    m = re.search(r'"logDriver"\s*:\s*"(awslogs|awsfirelens|splunk|fluentd)"', text)
                    if m:
                        self.emit("obs.log_shipper", path, {"tool": LOG_DRIVERS.get(m.group(1), m.group(1)), "logs": True},
                                  pattern=m.group(0), strength=Strength.DIRECT)
                    self.emit("obs.service", path, {"name": name.rsplit(".", 1)[0], "origin": "ecs-task", "critical": None},
                              pattern="containerDefinitions", key=("svc", path))

    def _has(self, path: str, rx: str) -> bool:
        text = self.tree.text(path)
        return bool(text and re.search(rx, text))

    # ---- dashboards --------------------------------------------------------------------------------
    def dashboards_json(self) -> None:
        for path in self.tree.with_suffix(".json"):
            if not _dashboard_path_ok(path) or path.lower().endswith(("package.json", "package-lock.json", "tsconfig.json")):
                continue
            text = self.tree.text(path)
            if not text or '"schemaVersion"' not in text or '"panels"' not in text:
                continue
            dj = self.tree.json(path)
            if isinstance(dj, dict) and isinstance(dj.get("dashboard"), dict):
                dj = dj["dashboard"]
            if _is_dashboard(dj):
                self._dashboard(path, "grafana", str(dj.get("title") or path.rsplit("/", 1)[-1]), _count_panels(dj), text,
                                line=self.tree.line_of(path, '"title"') or 1)

    def dashboards_in_yaml(self) -> None:
        """Grafana dashboards embedded as JSON strings in ConfigMaps (the Grafana sidecar's
        `grafana_dashboard: "1"` pattern, kube-prometheus' dashboardDefinitions) or chart values."""
        for path in self.tree.with_suffix(*YAML_SUFFIXES):
            if not is_product_path(path):
                continue
            text = self.tree.text(path)
            if not text or "schemaVersion" not in text or "panels" not in text:
                continue
            for doc in load_yaml_docs(self.tree, path, text):
                for node in walk(doc):
                    if not isinstance(node, str) or "schemaVersion" not in node or not node.lstrip().startswith("{"):
                        continue
                    try:
                        dj = json.loads(node)
                    except ValueError:
                        continue
                    if isinstance(dj, dict) and isinstance(dj.get("dashboard"), dict):
                        dj = dj["dashboard"]
                    if _is_dashboard(dj):
                        title = str(dj.get("title") or path.rsplit("/", 1)[-1])
                        self._dashboard(path, "grafana", title, _count_panels(dj), node,
                                        line=self.tree.line_of(path, title) or self.tree.line_of(path, "schemaVersion") or 1)

    def grafonnet(self) -> None:
        for path in self.tree.with_suffix(".jsonnet", ".libsonnet"):
            if not is_product_path(path) or "grafonnet" in path.lower() and "/lib/" in path.lower():
                continue
            text = self.tree.text(path)
            if not text:
                continue
            # dashboards built from the repository's own jsonnet library (GitLab `*.dashboard.jsonnet`,
            # `dashboards/x.shared.jsonnet`) do not import grafonnet themselves: the name and folder say it
            named = bool(DASHBOARD_JSONNET_NAME.search(path)) and not path.lower().endswith(".libsonnet")
            if not named and not re.search(r"grafonnet|grafana-builder|grafana\.libsonnet", text):
                continue
            if named or re.search(r"dashboard\.new\(|\.dashboard\(|g\.dashboard\.new", text):
                panels = len(re.findall(r"(?:panel|graphPanel|timeSeries|stat|table)\.new\(", text))
                self._dashboard(path, "grafonnet", path.rsplit("/", 1)[-1], panels, text,
                                line=self.tree.line_of(path, re.compile(r"dashboard\.new\(|\.dashboard\(")) or 1)

    def _dashboard(self, path: str, tool: str, title: str, panels: int, text: str, line: int | None) -> None:
        red = bool(RED_RATE.search(text) and RED_ERR.search(text) and RED_DUR.search(text))
        self.emit("obs.dashboard", path,
                  {"tool": tool, "title": title[:120], "panels": panels, "red": red,
                   "error_budget": bool(ERROR_BUDGET.search(text)), "dora": bool(DORA.search(text))},
                  line=line, strength=Strength.DIRECT, summary=f"{tool} dashboard '{title[:80]}' in {path}",
                  key=("dash", title, line))

    # ---- 4. Terraform ------------------------------------------------------------------------------
    def terraform(self) -> None:
        types = TF_LOG_TYPES | set(TF_DASHBOARD_TYPES) | TF_SLO_TYPES | TF_SERVICE_TYPES | TF_MISC_TYPES
        resources = tf_resources(self.tree, types)
        self._app_insights_agent(any(r.type in AZURE_APP_HOSTS and "function" in r.type for r in resources))
        for r in resources:
            b, t = r.body, r.type
            addr = f"{t}.{r.name}"
            if t == "aws_cloudwatch_log_group":
                days = translate_aws.log_group_retention(b)
                self.emit("obs.log_retention", r.path, {"tool": "terraform", "resource": t, "name": r.name, "days": days},
                          line=r.line, strength=Strength.DIRECT, summary=f"{addr}: retention {days or 'never expires'}")
                self.emit("obs.log_shipper", r.path, {"tool": "cloudwatch-logs", "logs": True}, line=r.line, key=("cwl",))
            elif t == "azurerm_log_analytics_workspace":
                days = translate_azure.workspace_retention({"retentionInDays": b.get("retention_in_days")})
                self.emit("obs.log_retention", r.path, {"tool": "terraform", "resource": t, "name": r.name, "days": days},
                          line=r.line, strength=Strength.DIRECT)
                self.emit("obs.log_shipper", r.path, {"tool": "log-analytics", "logs": True}, line=r.line, key=("law",))
                self.emit("obs.platform", r.path, {"tool": "azure-monitor", "signals": ["logs", "metrics"]}, line=r.line,
                          key=("law-p",))
            elif t == "google_logging_project_bucket_config":
                self.emit("obs.log_retention", r.path, {"tool": "terraform", "resource": t, "name": r.name,
                                                        "days": _int(b.get("retention_days")) or 30},
                          line=r.line, strength=Strength.DIRECT)
            elif t in ("azurerm_monitor_diagnostic_setting", "google_logging_project_sink", "aws_cloudwatch_log_subscription_filter"):
                tool = {"azurerm_monitor_diagnostic_setting": "diagnostic-settings",
                        "google_logging_project_sink": "gcp-log-sink",
                        "aws_cloudwatch_log_subscription_filter": "cloudwatch-subscription"}[t]
                self.emit("obs.log_shipper", r.path, {"tool": tool, "logs": True}, line=r.line, strength=Strength.DIRECT,
                          key=(tool,))
            elif t == "azurerm_application_insights":
                self.emit("obs.platform", r.path, {"tool": "application-insights", "signals": ["traces", "metrics", "logs"]},
                          line=r.line, key=("ai", r.name))
                ai = translate_azure.app_insights(translate_azure.app_insights_from_terraform(b))  # as read from Azure
                if ai["sampling"]:
                    self.emit("obs.sampling", r.path, {"mechanism": "application-insights-sampling"}, line=r.line,
                              strength=Strength.DIRECT)
                if ai["retention_days"] is not None:
                    self.emit("obs.log_retention", r.path, {"tool": "terraform", "resource": t, "name": r.name,
                                                            "days": ai["retention_days"]}, line=r.line,
                              strength=Strength.DIRECT)
            elif t == "aws_ecs_task_definition":
                m = re.search(r"logDriver\"?\s*[:=]\s*\"(awslogs|awsfirelens|splunk|fluentd)\"", r.text)
                if m:
                    self.emit("obs.log_shipper", r.path, {"tool": LOG_DRIVERS[m.group(1)], "logs": True}, line=r.line,
                              strength=Strength.DIRECT, key=("ecs", m.group(1)))
                if re.search(r"aws-otel-collector|aws-observability/aws-otel|xray-daemon|opentelemetry-collector", r.text):
                    self.emit("obs.tracing", r.path, {"mechanism": "ecs-otel-sidecar"}, line=r.line)
            elif t in TF_DASHBOARD_TYPES:
                self._dashboard(r.path, TF_DASHBOARD_TYPES[t], s(b.get("dashboard_name") or b.get("title") or b.get("name") or r.name),
                                len(re.findall(r"(?i)\"type\"\s*[:=]|widget\s*\{|\btype\s*=", r.text)), r.text, line=r.line)
            elif t in TF_SLO_TYPES:
                self.emit("obs.slo", r.path, {"spec": "terraform", "service": s(b.get("service") or b.get("guid") or ""),
                                              "name": s(b.get("name") or b.get("display_name") or r.name), "address": addr,
                                              "objective": _float(b.get("goal") or b.get("target") or
                                                                  (first(b.get("thresholds")) or {}).get("target")
                                                                  if isinstance(first(b.get("thresholds")), dict) else None)},
                          line=r.line, strength=Strength.DIRECT, key=("slo", addr))
            elif t in TF_SERVICE_TYPES:
                self.emit("obs.service", r.path, {"name": r.name, "origin": "terraform", "critical": None}, line=r.line,
                          key=("svc", addr))
                if t == "aws_lambda_function":
                    tc = first(b.get("tracing_config"))
                    if isinstance(tc, dict) and s(tc.get("mode")) == "Active":
                        self.emit("obs.tracing", r.path, {"mechanism": "lambda-active-tracing"}, line=r.line,
                                  strength=Strength.DIRECT, key=("lt",))
                    if re.search(r"(?i)otel|opentelemetry|adot", s(b.get("layers"))):
                        self.emit("obs.tracing", r.path, {"mechanism": "adot-layer"}, line=r.line, key=("adot",))
                    self.emit("obs.log_shipper", r.path, {"tool": "cloudwatch-logs", "logs": True}, line=r.line, key=("cwl",))
            elif t == "aws_api_gateway_stage" and str(b.get("xray_tracing_enabled")).lower() == "true":
                self.emit("obs.tracing", r.path, {"mechanism": "apigw-xray"}, line=r.line, strength=Strength.DIRECT, key=("apigw",))
            elif t == "aws_xray_sampling_rule":
                self.emit("obs.sampling", r.path, {"mechanism": "xray-sampling-rule"}, line=r.line, strength=Strength.DIRECT,
                          key=("xray",))
            elif t == "aws_devopsguru_resource_collection":
                self.emit("obs.anomaly", r.path, {"mechanism": "devops-guru"}, line=r.line, strength=Strength.DIRECT)
            elif t == "azurerm_monitor_smart_detector_alert_rule":
                self.emit("obs.anomaly", r.path, {"mechanism": "azure-smart-detection"}, line=r.line, strength=Strength.DIRECT)
            elif t == "aws_cloudwatch_metric_alarm":
                if b.get("threshold_metric_id") or "ANOMALY_DETECTION_BAND" in r.text:
                    self.emit("obs.anomaly", r.path, {"mechanism": "cloudwatch-anomaly-detection"}, line=r.line,
                              strength=Strength.DIRECT, key=("cwad", r.name))
            elif t == "azurerm_monitor_metric_alert":
                if b.get("dynamic_criteria"):
                    self.emit("obs.anomaly", r.path, {"mechanism": "azure-dynamic-thresholds"}, line=r.line,
                              strength=Strength.DIRECT, key=("dyn", r.name))
            elif t == "datadog_monitor":
                if re.search(r"anomalies\(|outliers\(|forecast\(", s(b.get("query"))) or s(b.get("type")) in ("anomaly", "outlier"):
                    self.emit("obs.anomaly", r.path, {"mechanism": "datadog-anomalies"}, line=r.line, strength=Strength.DIRECT,
                              key=("dd", r.name))
            elif t == "helm_release":
                self._agent_image(r.path, s(b.get("chart")))
            elif t in ("aws_oam_sink", "aws_oam_link"):
                self.emit("obs.platform", r.path, {"tool": "cloudwatch-cross-account", "signals": ["logs", "metrics", "traces"]},
                          line=r.line, strength=Strength.DIRECT, key=("oam",))

    def _app_insights_agent(self, function_apps: bool) -> None:
        """App settings (Terraform) that switch on Application Insights for the apps an App Service plan hosts."""
        for path in self.tree.with_suffix(".tf"):
            if not is_product_path(path):
                continue
            text = self.tree.text(path) or ""
            if "APPLICATIONINSIGHTS" not in text.upper() and "APPINSIGHTS" not in text.upper():
                continue
            m = AI_AGENT.search(text) or (AI_CONNECTION.search(text) if function_apps else None)
            if m:
                self.emit("obs.tracing", path, {"mechanism": "azure-app-insights-agent"},
                          line=text.count("\n", 0, m.start()) + 1, strength=Strength.STRONG, key=("ai-agent",))

    # ---- 5. CloudFormation / SAM ----------------------------------------------------------------------
    def cloudformation(self) -> None:
        types = {"AWS::Logs::LogGroup", "AWS::CloudWatch::Dashboard", "AWS::Serverless::Function", "AWS::Lambda::Function",
                 "AWS::ECS::TaskDefinition", "AWS::CloudWatch::AnomalyDetector", "AWS::XRay::SamplingRule",
                 "AWS::ECS::Service"}
        for r in cfn_resources(self.tree, types):
            p = r.props
            if r.type == "AWS::Logs::LogGroup":
                self.emit("obs.log_retention", r.path, {"tool": "cloudformation", "resource": r.type, "name": r.name,
                                                        "days": translate_aws.log_group_retention(p)},
                          line=r.line, strength=Strength.DIRECT)
                self.emit("obs.log_shipper", r.path, {"tool": "cloudwatch-logs", "logs": True}, line=r.line, key=("cwl",))
            elif r.type == "AWS::CloudWatch::Dashboard":
                self._dashboard(r.path, "cloudwatch", s(p.get("DashboardName") or r.name), 0, json.dumps(p), line=r.line)
            elif r.type in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
                self.emit("obs.service", r.path, {"name": r.name, "origin": "serverless", "critical": None}, line=r.line,
                          key=("svc", r.name))
                self.emit("obs.log_shipper", r.path, {"tool": "cloudwatch-logs", "logs": True}, line=r.line, key=("cwl",))
                mode = p.get("Tracing") or (p.get("TracingConfig") or {}).get("Mode") if isinstance(p.get("TracingConfig") or {}, dict) else None
                if mode == "Active":
                    self.emit("obs.tracing", r.path, {"mechanism": "lambda-active-tracing"}, line=r.line, strength=Strength.DIRECT,
                              key=("lt",))
            elif r.type == "AWS::ECS::TaskDefinition":
                m = re.search(r"'LogDriver': '(awslogs|awsfirelens|splunk|fluentd)'", str(p))
                if m:
                    self.emit("obs.log_shipper", r.path, {"tool": LOG_DRIVERS[m.group(1)], "logs": True}, line=r.line,
                              strength=Strength.DIRECT, key=("ecs", m.group(1)))
            elif r.type == "AWS::ECS::Service":
                self.emit("obs.service", r.path, {"name": r.name, "origin": "cloudformation", "critical": None}, line=r.line,
                          key=("svc", r.name))
            elif r.type == "AWS::CloudWatch::AnomalyDetector":
                self.emit("obs.anomaly", r.path, {"mechanism": "cloudwatch-anomaly-detection"}, line=r.line,
                          strength=Strength.DIRECT, key=("cwad", r.name))
            elif r.type == "AWS::XRay::SamplingRule":
                self.emit("obs.sampling", r.path, {"mechanism": "xray-sampling-rule"}, line=r.line, strength=Strength.DIRECT)
        for path in self.tree.named("template.yaml", "template.yml"):
            if self._has(path, r"(?m)^Globals:") and self._has(path, r"(?m)^\s+Tracing:\s*Active"):
                self.emit("obs.tracing", path, {"mechanism": "lambda-active-tracing"}, pattern="Tracing: Active",
                          strength=Strength.DIRECT, key=("lt",))

    # ---- 6. text sweeps ----------------------------------------------------------------------------
    def config_sweep(self) -> None:
        """Environment variables, logger configs and agent flags in config-like files (never source code)."""
        for path in self._config_candidates():
            text = self.tree.text(path)
            if not text:
                continue
            low = text.lower()
            name = path.lower().rsplit("/", 1)[-1]
            if name.endswith((".yml", ".yaml")) and name.startswith(("application", "bootstrap")) and \
                    any(w in low for w in ("structured", "sampling", "pattern")):
                # Spring Boot keeps `logging.structured.format.console`, `management.tracing.sampling.probability`,
                # `logging.pattern.level` as nested YAML: sweep the dotted key paths as well
                text = text + "\n" + "\n".join(_dotted_lines(self.tree.yaml_docs(path) or []))
            for rx, kind, needles in CONFIG_SWEEP:
                # a cheap substring test first: most config files mention none of these words
                if not any(n in low for n in needles):
                    continue
                strength = Strength.STRONG
                m = rx.search(text)
                if not m:
                    continue
                keyword = _keyword(m.group(0))
                if kind == "obs.sampling" and re.search(r"(?i)OTEL_TRACES_SAMPLER[\"'\s:=]+[\"']?always_on", text) \
                        and not re.search(r"(?i)ratio|probab|rate", text):
                    continue  # always_on is the default, not tuning
                line = text.count("\n", 0, m.start()) + 1
                if m.start() >= len(self.tree.text(path) or ""):  # matched a dotted key path: point at its last key
                    leaf = m.group(0).split(":")[0].strip().rsplit(".", 1)[-1]
                    line = self.tree.line_of(path, re.compile(rf"^\s*{re.escape(leaf)}\s*:", re.M)) or 1
                self.emit(kind, path, {"mechanism": keyword}, line=line, strength=strength, key=(keyword,),
                          summary=f"{kind}: {keyword} in {path}")

    def _config_candidates(self) -> Iterator[str]:
        for path in self.tree.files:
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
            if ok and file_size(self.tree, path) <= MAX_CONFIG_BYTES:
                yield path

    def source_sweep(self) -> None:
        """Trace ids in logger calls, JSON log handlers, explicit samplers. Bounded: at most MAX_SOURCE_FILES
        files under MAX_SOURCE_BYTES each, files whose path suggests logging/telemetry/entry points first."""
        candidates = [p for p in self.tree.with_suffix(*SOURCE_SUFFIXES)
                      if is_product_path(p) and not re.search(r"(?i)(_test\.go|\.test\.|\.spec\.|test_[^/]*\.py|/tests?/)", p)]
        # `__init__.py` says "init" but is mostly imports: thousands of them must not crowd out the entry points
        candidates.sort(key=lambda p: (0 if PRIORITY.search(p.rsplit("/", 1)[-1]) and not p.endswith("__init__.py") else 1,
                                       p.count("/"), p))
        scanned = 0
        corr_found: set[str] = set()
        for path in candidates:
            if scanned >= MAX_SOURCE_FILES:
                break
            if file_size(self.tree, path) > MAX_SOURCE_BYTES:
                continue
            text = self.tree.text(path)
            scanned += 1
            if not text:
                continue
            svc = self._service_of(path)
            in_log_module = bool(re.search(r"(?i)log", path.rsplit("/", 1)[-1]))
            if svc not in corr_found and TRACE_TOKEN.search(text):
                for number, line in enumerate(text.splitlines(), start=1):
                    if len(line) < 400 and TRACE_TOKEN.search(line) and (LOG_CONTEXT.search(line) or in_log_module):
                        self.emit("obs.log_correlation", path, {"mechanism": "code:trace-id-in-logs", "service": svc},
                                  line=number, strength=Strength.STRONG, key=("code",))
                        corr_found.add(svc)
                        break
            m = CODE_JSON_LOG.search(text)
            if m:
                self.emit("obs.structured_log", path, {"mechanism": "code:" + _keyword(m.group(0)), "service": svc},
                          line=text.count("\n", 0, m.start()) + 1, key=("code", svc))
            elif "Formatter" in text and CODE_JSON_DUMPS.search(text):
                m = CODE_FORMATTER_CLASS.search(text)
                if m:
                    self.emit("obs.structured_log", path, {"mechanism": "code:custom-json-formatter", "service": svc},
                              line=text.count("\n", 0, m.start()) + 1, key=("code", svc))
            m = CODE_APM_LOG_CONTEXT.search(text) if svc not in corr_found else None
            if m:
                self.emit("obs.log_correlation", path, {"mechanism": "code:apm-logs-in-context", "service": svc},
                          line=text.count("\n", 0, m.start()) + 1, strength=Strength.STRONG, key=("code",))
                corr_found.add(svc)
            m = CODE_OTEL_LOGS.search(text)
            if m:
                line = text.count("\n", 0, m.start()) + 1
                self.emit("obs.structured_log", path, {"mechanism": "code:otel-log-bridge", "service": svc},
                          line=line, key=("code-otel", svc))
                if svc not in corr_found:
                    self.emit("obs.log_correlation", path, {"mechanism": "code:otel-log-bridge", "service": svc},
                              line=line, strength=Strength.STRONG, key=("code-otel",))
                    corr_found.add(svc)
            if "entry" in text and re.search(r"(?i)sentry", text) and not _vendor_plugin(path, "sentry"):
                self._sentry_tracing(path, text, svc)
            m = CODE_SAMPLER.search(text)
            if m:
                self.emit("obs.sampling", path, {"mechanism": "code:" + _keyword(m.group(0))},
                          line=text.count("\n", 0, m.start()) + 1, key=("code",))
        if scanned >= MAX_SOURCE_FILES and len(candidates) > scanned:  # the cap was hit, not size skips
            self.ctx.warn("repo", f"observability: source grep capped at {MAX_SOURCE_FILES} of {len(candidates)} files")

    def _sentry_tracing(self, path: str, text: str, svc: str) -> None:
        """Sentry SDK init with tracing on: tracing for the service, plus sampling when the rate is a fraction
        or a sampler callback decides it (a rate of 1.0 keeps every trace: no sampling decision)."""
        for m in CODE_SENTRY_TRACING.finditer(text):
            value = (m.group(2) or "").strip("\"'")
            rate = _float(value) if value else None
            if m.group(1) and rate is not None and rate <= 0:
                continue  # tracing switched off
            line = text.count("\n", 0, m.start()) + 1
            self.emit("obs.tracing", path, {"mechanism": "sentry-performance", "service": svc}, line=line,
                      key=("sentry", svc))
            if m.group(3) or (m.group(1) and (rate is None or rate < 1)):
                self.emit("obs.sampling", path, {"mechanism": "code:sentry-" + (m.group(3) or m.group(1))}, line=line,
                          key=("sentry",))
            return

    def _service_of(self, path: str) -> str:
        """The directory of the closest manifest above a source file (the service it belongs to)."""
        dirs = self.__dict__.get("_manifest_dirs")
        if dirs is None:
            dirs = {m[0].rsplit("/", 1)[0] if "/" in m[0] else "." for m in self._manifests}
            self.__dict__["_manifest_dirs"] = dirs
        d = path.rsplit("/", 1)[0] if "/" in path else "."
        while True:
            if d in dirs:
                return d
            if d == ".":
                return "."
            d = d.rsplit("/", 1)[0] if "/" in d else "."


# ---- helpers ---------------------------------------------------------------------------------------

_YAML_HINT = re.compile(
    r"receivers:|apiVersion:|slos:|slo_name|kind:\s*(Deployment|StatefulSet|DaemonSet|Rollout|Component|ConfigMap|"
    r"HelmRelease|Application|ServiceMonitor|PodMonitor|Instrumentation|GrafanaDashboard|OpenTelemetryCollector|DatadogAgent)|"
    r"services:|functions:|pipeline:|sinks:|clients:|filebeat|limits_config|scrape_configs|datasources:|dependencies:|logs_enabled"
)


PLUGIN_PARENTS = frozenset({"components", "integrations", "plugins", "providers", "extensions", "contrib", "connectors",
                            "addons", "exporters", "sinks", "backends"})


def _vendor_plugin(path: str, vendor: str) -> bool:
    """The file is a product's plugin *for* that vendor (`homeassistant/components/sentry/__init__.py`,
    `plugins/datadog/...`): it initialises the vendor SDK with the end user's settings, which says nothing
    about the team's own telemetry."""
    parts = path.lower().split("/")[:-1]
    return any(parts[i - 1] in PLUGIN_PARENTS and vendor in parts[i] for i in range(1, len(parts)))


def _yaml_interesting(name: str, text: str) -> bool:
    return _YAML_HINT.search(text) is not None


def _is_otel_config(d: Any) -> bool:
    return (isinstance(d, dict) and isinstance(d.get("receivers"), dict) and isinstance(d.get("exporters"), dict)
            and isinstance(d.get("service"), dict) and isinstance(d["service"].get("pipelines"), dict))


def _nested_dicts(d: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth <= 0 or not isinstance(d, dict):
        return
    for v in d.values():
        if isinstance(v, dict):
            yield v
            yield from _nested_dicts(v, depth - 1)


def _images(spec: dict[str, Any]) -> list[str]:
    pod = ((spec.get("template") or {}).get("spec") or {}) if isinstance(spec.get("template"), dict) else {}
    out = []
    for c in (pod.get("containers") or []) + (pod.get("initContainers") or []) if isinstance(pod, dict) else []:
        if isinstance(c, dict) and c.get("image"):
            out.append(str(c["image"]))
    return out


def _dashboard_path_ok(path: str) -> bool:
    """Product path, judged above a Grafana provisioning folder: below `provisioning/dashboards/` the folder
    names are Grafana's own dashboard folders (a folder called `demo` or `test` there is still provisioned)."""
    low = path.lower()
    i = low.find("provisioning/dashboards/")
    return is_product_path(path if i < 0 else path[:i] + "provisioning/dashboards/x.json")


def _is_dashboard(d: Any) -> bool:
    """A real Grafana dashboard: numeric schemaVersion and panels that look like panels (type/targets)."""
    if not isinstance(d, dict) or not isinstance(d.get("schemaVersion"), int | float):
        return False
    panels = list(_panels(d))
    return any(isinstance(p, dict) and ("type" in p or "targets" in p) for p in panels)


def _panels(d: dict[str, Any]) -> Iterator[Any]:
    for p in d.get("panels") or []:
        yield p
        if isinstance(p, dict) and isinstance(p.get("panels"), list):
            yield from p["panels"]
    for row in d.get("rows") or []:
        if isinstance(row, dict):
            yield from row.get("panels") or []


def _count_panels(d: dict[str, Any]) -> int:
    return sum(1 for p in _panels(d) if isinstance(p, dict) and p.get("type") != "row")


def meta_labels(doc: dict[str, Any]) -> dict[str, Any]:
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    labels = meta.get("labels")
    return labels if isinstance(labels, dict) else {}


def _int(v: Any) -> int | None:
    try:
        return int(str(v).strip()) if v is not None and str(v).strip() not in ("", "null") else None
    except ValueError:
        return None


def _float(v: Any) -> float | None:
    try:
        return float(str(v).strip()) if v is not None else None
    except ValueError:
        return None


def _duration_days(text: str) -> int | None:
    m = re.fullmatch(r"\s*(\d+)\s*([hdwy])\s*", text)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    return {"h": n // 24, "d": n, "w": n * 7, "y": n * 365}[unit]


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


def _keyword(matched: str) -> str:
    """A canonical keyword for what matched (never the matched line itself: it may hold values)."""
    low = matched.lower()
    if re.match(r"(?i)(format|pattern|conversionPattern)\W", matched) and "{" in matched:
        return "json-log-pattern"
    for token in _CANON:
        if token.lower() in low:
            return token
    return "trace-id-in-log-format" if "trace" in low else re.sub(r"[^A-Za-z0-9_.-]", "", matched)[:40]


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


def _norm_dir(base: str, rel: str) -> str:
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


__all__ = ["ObservabilityCollector", "walk"]
