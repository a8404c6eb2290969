"""Which dependencies matter for observability and safe deployment, and what each one means.

A table, not code: (ecosystem, anchored regex over the normalised package name, categories). Every
matching row adds its categories. Categories (KINDS.md `dep.package`):
  otel               OpenTelemetry API/SDK/instrumentation
  tracing            emits distributed traces (an SDK that records spans, not only the API)
  structured_logging JSON / structured log output
  metrics            exposes or pushes application metrics
  apm                vendor agent that ships telemetry to a SaaS/central backend
  error_tracking     exception reporting service
  log_correlation    injects trace ids into log records
  feature_flag       feature-flag SDK (OPS-080 `feature_flag_sdk_in_code`)
  experimentation    A/B experimentation SDK
OpenTelemetry log bridges/appenders and logs SDKs (otelslog, pino-opentelemetry-transport, the logback/log4j
appenders, opentelemetry-appender-tracing, ...) count as structured logging and correlation: they emit OTLP log
records - severity, body and attributes, stamped with the active trace and span id - not text lines.
Why names only the API (`opentelemetry-api`, `@opentelemetry/api`) get `otel` but not `tracing`:
libraries depend on the API to be instrumentable; only an SDK, distro or agent records spans.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

OTEL, TRACING, SLOG, METRICS, APM, ERRORS, CORR, FLAG, EXP = (
    "otel", "tracing", "structured_logging", "metrics", "apm", "error_tracking", "log_correlation",
    "feature_flag", "experimentation",
)

RULES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "python": [
        (r"opentelemetry-api", (OTEL,)),
        (r"opentelemetry-(sdk|distro|instrumentation.*|exporter-.*|propagator-.*)", (OTEL, TRACING)),
        (r"opentelemetry-instrumentation-logging", (CORR,)),
        (r"opentelemetry-exporter-otlp-proto-(grpc|http)-logs?|opentelemetry-sdk-logs?", (SLOG, CORR)),
        (r"opentelemetry-exporter-prometheus", (METRICS,)),
        (r"azure-monitor-opentelemetry.*", (OTEL, TRACING, APM)),
        (r"aws-xray-sdk|jaeger-client|opencensus|opencensus-ext-.*|honeycomb-beeline|opentracing|zipkin", (TRACING,)),
        (r"ddtrace", (TRACING, APM)),
        (r"newrelic|elastic-apm|scout-apm|appdynamics|dynatrace.*|applicationinsights|opencensus-ext-azure", (TRACING, APM)),
        (r"structlog|python-json-logger|ecs-logging|json-logging|structlog-.*|django-structlog|jsonlogger", (SLOG,)),
        (r"aws-lambda-powertools", (SLOG, TRACING, METRICS)),
        (r"prometheus-client|aioprometheus|prometheus-fastapi-instrumentator|starlette-exporter|starlette-prometheus|"
         r"django-prometheus|prometheus-flask-exporter|statsd|datadog|pystatsd|opentelemetry-sdk-metrics", (METRICS,)),
        (r"sentry-sdk|raven|rollbar|bugsnag|honeybadger|airbrake", (ERRORS,)),
        (r"launchdarkly-server-sdk|ldclient-py|unleashclient|unleash-client|openfeature-sdk|openfeature-provider-.*|"
         r"flagsmith|configcat-client|featuremanagement|django-waffle|flipper-client", (FLAG,)),
        (r"growthbook|splitio-client|splitio_client|statsig|statsig-python-core|optimizely-sdk", (FLAG, EXP)),
    ],
    "node": [
        (r"@opentelemetry/api", (OTEL,)),
        (r"@opentelemetry/(sdk-node|sdk-trace-.*|auto-instrumentations-.*|instrumentation.*|exporter-.*|tracing)", (OTEL, TRACING)),
        (r"@opentelemetry/instrumentation-(pino|winston|bunyan)", (CORR,)),
        (r"pino-opentelemetry-transport|@opentelemetry/winston-transport|@opentelemetry/sdk-logs|"
         r"@opentelemetry/exporter-logs-otlp-.*", (SLOG, CORR)),
        (r"@opentelemetry/(sdk-metrics|exporter-prometheus|exporter-metrics-.*)", (METRICS,)),
        (r"@vercel/otel|@honeycombio/opentelemetry-.*|@splunk/otel|@google-cloud/opentelemetry-.*", (OTEL, TRACING)),
        (r"@azure/monitor-opentelemetry.*", (OTEL, TRACING, APM)),
        (r"aws-xray-sdk.*|jaeger-client|opentracing|zipkin.*", (TRACING,)),
        (r"dd-trace|newrelic|elastic-apm-node|@dynatrace/.*|appdynamics|applicationinsights|@newrelic/.*", (TRACING, APM)),
        (r"pino|pino-http|nestjs-pino|bunyan|winston|@elastic/ecs-(pino|winston)-format|roarr|@aws-lambda-powertools/logger",
         (SLOG,)),
        (r"@aws-lambda-powertools/tracer", (TRACING,)),
        (r"prom-client|hot-shots|node-statsd|statsd-client|express-prom-bundle|@willsoto/nestjs-prometheus|"
         r"datadog-metrics|@aws-lambda-powertools/metrics", (METRICS,)),
        (r"@sentry/(node|nextjs|react|browser|serverless|aws-serverless|remix|sveltekit|nestjs|vue|angular|bun|deno|"
         r"google-cloud-serverless|astro|nuxt|solidstart|electron|react-native)|rollbar|@rollbar/.*|@bugsnag/.*|"
         r"@honeybadger-io/.*|trackjs|@datadog/browser-rum", (ERRORS,)),
        (r"launchdarkly-.*|@launchdarkly/.*|unleash-client|unleash-proxy-client|@unleash/.*|@openfeature/.*|flagsmith|"
         r"flagsmith-nodejs|react-native-flagsmith|configcat-.*|@microsoft/feature-management", (FLAG,)),
        (r"@growthbook/.*|@splitsoftware/.*|statsig-.*|@statsig/.*|@optimizely/.*|optimizely-sdk", (FLAG, EXP)),
    ],
    "go": [
        (r"go\.opentelemetry\.io/otel(/trace)?", (OTEL,)),
        (r"go\.opentelemetry\.io/otel/(sdk|exporters/.*)", (OTEL, TRACING)),
        (r"go\.opentelemetry\.io/contrib/instrumentation/.*|go\.opentelemetry\.io/auto.*", (OTEL, TRACING)),
        (r"go\.opentelemetry\.io/otel/sdk/metric|go\.opentelemetry\.io/otel/exporters/prometheus", (METRICS,)),
        (r"go\.opentelemetry\.io/contrib/bridges/(otelslog|otelzap|otellogrus|otelzerolog|otellogr)|"
         r"github\.com/uptrace/opentelemetry-go-extra/(otelzap|otellogrus|otelslog)", (CORR, OTEL, SLOG)),
        (r"go\.opentelemetry\.io/otel/sdk/log|go\.opentelemetry\.io/otel/exporters/otlp/otlplog/.*", (SLOG, CORR)),
        (r"github\.com/aws/aws-xray-sdk-go.*|github\.com/uber/jaeger-client-go|github\.com/opentracing/opentracing-go|"
         r"github\.com/openzipkin/zipkin-go|go\.opencensus\.io", (TRACING,)),
        (r"gopkg\.in/datadog/dd-trace-go\.v1|github\.com/datadog/dd-trace-go.*|github\.com/newrelic/go-agent.*|"
         r"go\.elastic\.co/apm.*", (TRACING, APM)),
        (r"go\.uber\.org/zap|github\.com/rs/zerolog|go\.elastic\.co/ecszap|github\.com/mattermost/logr(/v2)?", (SLOG,)),
        (r"github\.com/prometheus/client_golang|github\.com/datadog/datadog-go.*|github\.com/victoriametrics/metrics|"
         r"github\.com/armon/go-metrics|github\.com/hashicorp/go-metrics|github\.com/cactus/go-statsd-client.*", (METRICS,)),
        (r"github\.com/getsentry/sentry-go|github\.com/rollbar/rollbar-go|github\.com/bugsnag/bugsnag-go.*", (ERRORS,)),
        (r"github\.com/launchdarkly/go-server-sdk.*|github\.com/unleash/unleash-client-go.*|"
         r"github\.com/open-feature/(go-sdk.*|flagd.*)|github\.com/flagsmith/flagsmith-go-client.*|"
         r"github\.com/configcat/go-sdk.*", (FLAG,)),
        (r"github\.com/growthbook/growthbook-golang|github\.com/splitio/go-client.*|github\.com/statsig-io/go-sdk|"
         r"github\.com/optimizely/go-sdk.*", (FLAG, EXP)),
    ],
    "java": [
        (r"io\.opentelemetry:opentelemetry-api", (OTEL,)),
        (r"io\.opentelemetry:opentelemetry-(sdk.*|exporter-.*|extension-.*)|io\.opentelemetry\.instrumentation:.*|"
         r"io\.opentelemetry\.javaagent:.*|io\.opentelemetry\.contrib:.*|com\.azure:azure-monitor-opentelemetry.*",
         (OTEL, TRACING)),
        (r"io\.opentelemetry\.instrumentation:opentelemetry-(logback-mdc.*|log4j-context-data.*|logback-appender.*|"
         r"log4j-appender.*)",
         (CORR,)),
        (r"io\.opentelemetry\.instrumentation:opentelemetry-(logback|log4j)-appender.*|io\.opentelemetry:opentelemetry-sdk-logs",
         (SLOG,)),
        (r"com\.amazonaws:aws-xray-recorder-sdk-.*|io\.zipkin\..*:.*|io\.jaegertracing:.*|io\.opentracing:.*|"
         r"io\.micrometer:micrometer-tracing.*|(com\.google\.cloud|org\.springframework\.cloud):spring-cloud-gcp-starter-trace",
         (TRACING,)),
        # Spring Cloud GCP's logging starter writes JSON records for Cloud Logging, stamped with the trace id
        (r"(com\.google\.cloud|org\.springframework\.cloud):spring-cloud-gcp-starter-logging", (SLOG, CORR)),
        (r"io\.micrometer:micrometer-tracing-bridge-.*|org\.springframework\.cloud:spring-cloud-starter-sleuth|"
         r"org\.springframework\.cloud:spring-cloud-sleuth.*", (TRACING, CORR)),
        (r"com\.datadoghq:dd-trace-.*|com\.newrelic\.agent\.java:.*|co\.elastic\.apm:.*|com\.microsoft\.azure:applicationinsights-.*|"
         r"com\.dynatrace\..*:.*", (TRACING, APM)),
        (r"net\.logstash\.logback:logstash-logback-encoder|co\.elastic\.logging:.*|"
         r"org\.apache\.logging\.log4j:log4j-layout-template-json|ch\.qos\.logback\.contrib:logback-json-.*", (SLOG,)),
        (r"io\.micrometer:micrometer-(core|registry-.*)|io\.prometheus:.*|io\.dropwizard\.metrics:.*|"
         r"org\.springframework\.boot:spring-boot-starter-actuator|com\.datadoghq:java-dogstatsd-client", (METRICS,)),
        (r"io\.sentry:.*|com\.rollbar:.*|com\.bugsnag:.*|io\.honeybadger:.*", (ERRORS,)),
        (r"com\.launchdarkly:.*|io\.getunleash:.*|dev\.openfeature.*:.*|com\.flagsmith:.*|com\.configcat:.*", (FLAG,)),
        (r"io\.growthbook\.sdk:.*|io\.split\.client:.*|com\.statsig:.*|com\.optimizely\.ab:.*", (FLAG, EXP)),
    ],
    "dotnet": [
        (r"opentelemetry(\.api)?", (OTEL,)),
        (r"opentelemetry\.(extensions\.hosting|instrumentation\..*|exporter\..*|autoinstrumentation.*)|"
         r"azure\.monitor\.opentelemetry.*", (OTEL, TRACING)),
        (r"opentelemetry\.exporter\.prometheus.*", (METRICS,)),
        (r"azure\.monitor\.opentelemetry.*|microsoft\.applicationinsights.*|datadog\.trace.*|newrelic\.agent.*|"
         r"elastic\.apm.*", (TRACING, APM)),
        (r"awsxrayrecorder.*", (TRACING,)),
        (r"serilog(\..*)?|nlog(\..*)?|elastic\.commonschema\..*", (SLOG,)),
        (r"serilog\.enrichers\.(span|opentelemetry)|serilog\.sinks\.opentelemetry", (CORR,)),
        (r"prometheus-net.*|app\.metrics.*|dogstatsd-csharp-client", (METRICS,)),
        (r"sentry(\..*)?|rollbar.*|bugsnag.*", (ERRORS,)),
        (r"launchdarkly\..*|unleash\.client|openfeature.*|flagsmith|configcat\.client|microsoft\.featuremanagement.*",
         (FLAG,)),
        (r"growthbook.*|splitio.*|statsig.*|optimizely\.sdk", (FLAG, EXP)),
    ],
    "ruby": [
        (r"opentelemetry-api", (OTEL,)),
        (r"opentelemetry-(sdk|instrumentation-.*|exporter-.*)", (OTEL, TRACING)),
        (r"opentelemetry-logs-sdk|opentelemetry-exporter-otlp-logs", (SLOG, CORR)),
        (r"aws-xray-sdk|opentracing|jaeger-client", (TRACING,)),
        (r"ddtrace|datadog|newrelic_rpm|elastic-apm|scout_apm|skylight", (TRACING, APM)),
        (r"lograge|semantic_logger|rails_semantic_logger|ougai|logstash-logger|ecs-logging", (SLOG,)),
        (r"prometheus-client|prometheus_exporter|yabeda.*|statsd-instrument|dogstatsd-ruby", (METRICS,)),
        (r"sentry-ruby|sentry-rails|sentry-raven|rollbar|bugsnag|honeybadger|airbrake", (ERRORS,)),
        (r"launchdarkly-server-sdk|unleash|openfeature-sdk|flagsmith|configcat|flipper|flipper-.*", (FLAG,)),
        (r"growthbook|splitclient-rb|statsig|optimizely-sdk", (FLAG, EXP)),
    ],
    "rust": [
        (r"opentelemetry", (OTEL,)),
        (r"opentelemetry[_-](sdk|otlp|jaeger|zipkin|datadog)|tracing-opentelemetry", (OTEL, TRACING)),
        (r"tracing-opentelemetry|opentelemetry-appender-tracing", (CORR,)),
        (r"opentelemetry-appender-(tracing|log)", (SLOG, CORR)),
        (r"prometheus|metrics-exporter-prometheus|opentelemetry-prometheus|cadence|statsd", (METRICS,)),
        (r"sentry", (ERRORS,)),
        (r"launchdarkly-server-sdk|unleash-api-client|open-feature|flagsmith|configcat", (FLAG,)),
        (r"growthbook-rust|statsig", (FLAG, EXP)),
    ],
}

ORDER = (OTEL, TRACING, SLOG, METRICS, APM, ERRORS, CORR, FLAG, EXP)


@cache
def _compiled(ecosystem: str) -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    return [(re.compile(rf"(?:{rx})\Z", re.I), cats) for rx, cats in RULES.get(ecosystem, [])]


@lru_cache(maxsize=8192)
def categories(ecosystem: str, package: str) -> tuple[str, ...]:
    """The categories of a package (empty when it does not matter for these controls)."""
    found: set[str] = set()
    for rx, cats in _compiled(ecosystem):
        if rx.match(package):
            found.update(cats)
    return tuple(c for c in ORDER if c in found)


# Vendor backends a package ships telemetry to (for "SaaS monitoring detected" decisions).
SAAS_VENDORS = {
    "datadog": re.compile(r"(?i)(ddtrace|dd-trace|datadog)"),
    "newrelic": re.compile(r"(?i)newrelic"),
    "dynatrace": re.compile(r"(?i)dynatrace"),
    "appdynamics": re.compile(r"(?i)appdynamics"),
    "elastic": re.compile(r"(?i)elastic[-.]?apm|co\.elastic\.apm"),
    "azure-monitor": re.compile(r"(?i)applicationinsights|azure[-.]monitor"),
    "honeycomb": re.compile(r"(?i)honeycomb"),
}


def vendor_of(package: str) -> str | None:
    for vendor, rx in SAAS_VENDORS.items():
        if rx.search(package):
            return vendor
    return None
