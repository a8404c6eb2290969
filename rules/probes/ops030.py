"""Probes for WAF-OPS-030 (observability stack). See obs_common for when absence counts."""

from __future__ import annotations

from wafops.rules.probes import EvidenceSet, Finding, found, missing, probe
from wafops.rules.probes.obs_common import (
    absence_needs,
    coverage,
    covered_services,
    local_links,
    service_dirs,
)
from wafops.scanner.core.model import Evidence, Strength

GLOBAL_TRACING = {"otel-operator-instrumentation", "lambda-active-tracing", "apigw-xray", "ecs-otel-sidecar", "adot-layer",
                  "azure-app-insights-agent"}


def _deps(ev: EvidenceSet, category: str) -> list[Evidence]:
    return [e for e in ev.of("dep.package") if category in (e.get("categories") or [])]


def _sentry_apm(ev: EvidenceSet) -> list[Evidence]:
    """Sentry SDKs initialised with tracing on (obs.tracing sentry-performance): transactions and spans go to
    Sentry, which charts throughput, failure rate and latency per transaction - an APM agent in effect. An error
    tracker without tracing is not (it only reports exceptions)."""
    return ev.of("obs.tracing", mechanism="sentry-performance")


def central_metrics(ev: EvidenceSet) -> list[Evidence]:
    """A central metrics store run as code: a Prometheus server whose configuration scrapes many targets,
    forwards them (`remote_write`) or is rendered by configuration management / a cluster's manifests, or a
    metrics stack installed as a chart or Helm release (kube-prometheus-stack, VictoriaMetrics, Mimir). Metrics
    from every host and service then land in one place: centralised telemetry, even where logs stay local.
    An image in a docker-compose file is a developer's local stack, not a central store."""
    out = []
    for e in ev.of("obs.platform"):
        if "metrics" not in (e.get("signals") or []) or e.strength is Strength.WEAK or e.get("origin") == "compose":
            continue
        if e.get("tool") == "grafana":  # datasources say where Grafana reads from, not that a store is run
            continue
        if e.get("server") and not (e.get("remote_write") or e.get("provisioned") or (e.get("scrape_jobs") or 0) >= 3):
            continue
        out.append(e)
    return out


def _platform_apm(ev: EvidenceSet) -> list[Evidence]:
    """Application Insights switched on in an App Service / Function App's settings: the platform's agent ships
    every request, dependency call and log record to Application Insights, with rates, failures and durations."""
    return ev.of("obs.tracing", mechanism="azure-app-insights-agent")


@probe("obs_central_telemetry",
       text="Logs/telemetry are shipped to a central store (shipper or OTel collector config, awslogs/FireLens, Log Analytics, "
            "CloudWatch log groups, an APM agent that ships centrally, or a central metrics server run as code)",
       sources=["repo", "cloud"])
def obs_central_telemetry(ev: EvidenceSet) -> Finding:
    shippers = ev.of("obs.log_shipper")
    strong = [e for e in shippers if e.strength is not Strength.WEAK]
    collectors = ev.of("obs.otel_collector")
    apm = _deps(ev, "apm")
    # an OpenTelemetry exporter ships spans/metrics/logs to a central backend as well
    exporters = [e for e in _deps(ev, "otel") if "exporter" in str(e.get("package") or "").lower()
                 or str(e.get("package") or "") in ("opentelemetry-distro", "@vercel/otel")]
    apm = apm + exporters + _sentry_apm(ev) + _platform_apm(ev)
    platforms = [e for e in ev.of("obs.platform") if "logs" in (e.get("signals") or [])]
    items = strong + collectors + platforms + apm + central_metrics(ev)
    if items:
        tools = sorted({str(e.get("tool") or e.get("package") or e.get("mechanism") or "otel-collector") for e in items})
        return found(items[:20], f"central telemetry: {', '.join(tools[:8])}")
    if shippers:
        return found(shippers[:20], "an agent image/chart that may ship telemetry", Strength.WEAK)
    return missing(ev, "no log shipper, collector, central log store or APM agent is configured in the repository",
                   absence_needs(ev))


@probe("obs_dashboards_as_code", text="Dashboards are kept as code (Grafana JSON/grafonnet, CloudWatch/Datadog/Azure dashboards)",
       sources=["repo", "cloud"])
def obs_dashboards_as_code(ev: EvidenceSet) -> Finding:
    items = [e for e in ev.of("obs.dashboard") if (e.get("panels") or 0) > 0 or e.get("tool") != "grafana"]
    if items:
        return found(items[:20], f"{len(items)} dashboard(s) as code")
    return missing(ev, "no dashboards as code", absence_needs(ev))


@probe("obs_metrics_instrumented",
       text="Application metrics are instrumented (Prometheus/StatsD/Micrometer/OTel metrics libraries, ServiceMonitors, "
            "an APM agent, or a central Prometheus server's scrape jobs)",
       sources=["repo"])
def obs_metrics_instrumented(ev: EvidenceSet) -> Finding:
    # An APM agent (Application Insights, Datadog, New Relic, Elastic APM, Dynatrace, AppDynamics) records
    # request rate, failures and duration for every request it sees and charts them in the vendor's UI:
    # that is application metrics, even without a metrics library in the manifest.
    # A central Prometheus server's scrape jobs collect the metrics its exporters and services expose (node,
    # database, web server exporters): metrics collected, even where no application manifest names a library.
    servers = [e for e in central_metrics(ev) if e.get("server") and (e.get("scrape_jobs") or 0) > 0]
    items = _deps(ev, "metrics") + ev.of("obs.metrics") + _deps(ev, "apm") + _sentry_apm(ev) + _platform_apm(ev) + servers
    if items:
        return found(items[:20], f"{len(items)} metrics instrumentation item(s)")
    return missing(ev, "no metrics library, APM agent or scrape configuration")


@probe("obs_metrics_red", text="Request rate, errors and duration are measured (metrics library, or RED dashboards)",
       sources=["repo"])
def obs_metrics_red(ev: EvidenceSet) -> Finding:
    red = [e for e in ev.of("obs.dashboard") if e.get("red")]
    # APM agents (and Sentry with tracing) measure requests, failures and duration per endpoint out of the box
    apm = _deps(ev, "apm") + _sentry_apm(ev) + _platform_apm(ev)
    items = red + _deps(ev, "metrics") + ev.of("obs.metrics") + apm
    if items:
        return found(items[:20], f"{len(red)} RED dashboard(s), {len(items) - len(red) - len(apm)} metrics instrumentation "
                                 f"item(s), {len(apm)} APM agent package(s)")
    return missing(ev, "no metrics instrumentation, APM agent or RED dashboards")


@probe("obs_structured_logging", text="Services log structured (JSON) records (>= {min_ratio:.0%} of services with a manifest)",
       sources=["repo"], min_ratio=0.8)
def obs_structured_logging(ev: EvidenceSet) -> Finding:
    items = _deps(ev, "structured_logging") + ev.of("obs.structured_log")
    if not items:
        return missing(ev, "no structured (JSON) logging library or configuration")
    return coverage(ev, items, "structured logging", min_ratio=ev.p("min_ratio"))


@probe("obs_tracing_instrumented",
       text="Distributed tracing is instrumented (OTel/X-Ray/APM SDK or agent) in >= {min_ratio:.0%} of services with a manifest",
       sources=["repo"], min_ratio=0.8)
def obs_tracing_instrumented(ev: EvidenceSet) -> Finding:
    items = _deps(ev, "tracing") + [e for e in ev.of("obs.tracing") if e.get("mechanism") not in GLOBAL_TRACING]
    glob = [e for e in ev.of("obs.tracing") if e.get("mechanism") in GLOBAL_TRACING]
    if not items and not glob:
        return missing(ev, "no tracing SDK, agent or platform tracing setting")
    return coverage(ev, items, "tracing", glob, min_ratio=ev.p("min_ratio"))


@probe("obs_log_trace_correlation", text="Trace ids are injected into log records (logger config, OTel log bridge, or code)",
       sources=["repo"])
def obs_log_trace_correlation(ev: EvidenceSet) -> Finding:
    items = ev.of("obs.log_correlation") + _deps(ev, "log_correlation")
    if items:
        return found(items[:20], f"{len(items)} log-trace correlation item(s)")
    return missing(ev, "no trace ids in log formats, logger configs or log bridges")


@probe("obs_log_retention", text="Log retention is defined (>= {min_ratio:.0%} of declared log groups/workspaces keep logs >= {min_days} days)",
       sources=["repo", "cloud"], min_ratio=0.95, min_days=30)
def obs_log_retention(ev: EvidenceSet) -> Finding:
    items = ev.of("obs.log_retention")
    if not items:
        # retention is usually a platform or account default: only a scanned cloud can show it is missing
        return missing(ev, "no log retention declared", ("repo", "cloud"))
    ok = [e for e in items if isinstance(e.get("days"), int) and e.get("days") >= ev.p("min_days")]
    share = len(ok) / len(items)
    if share >= ev.p("min_ratio"):
        return found(ok[:20], f"{len(ok)} of {len(items)} log stores keep logs >= {ev.p('min_days')} days")
    bad = [e for e in items if e not in ok]
    return Finding(False, f"only {len(ok)} of {len(items)} log stores define a retention >= {ev.p('min_days')} days "
                          f"(unset means never expire)", bad[:20])


@probe("obs_sampling_tuned", text="Trace sampling is configured explicitly (OTEL_TRACES_SAMPLER, tail/probabilistic sampling, "
                                  "X-Ray sampling rules, Application Insights sampling)", sources=["repo", "cloud"])
def obs_sampling_tuned(ev: EvidenceSet) -> Finding:
    items = ev.of("obs.sampling") + [e for e in ev.of("obs.otel_collector") if e.get("sampling")]
    if items:
        return found(items[:20], f"{len(items)} sampling configuration(s)")
    return missing(ev, "no explicit trace sampling configuration", absence_needs(ev))


@probe("obs_anomaly_detection", text="Automated anomaly detection is configured", sources=["repo", "cloud"])
def obs_anomaly_detection(ev: EvidenceSet) -> Finding:
    items = ev.of("obs.anomaly")
    if items:
        return found(items[:20], f"{len(items)} anomaly-detection configuration(s)")
    return missing(ev, "no anomaly detection configured", absence_needs(ev))


@probe("obs_otel_everywhere", text="Every service with a manifest uses an OpenTelemetry SDK/distro (not only a vendor SDK)",
       sources=["repo"])
def obs_otel_everywhere(ev: EvidenceSet) -> Finding:
    items = [e for e in _deps(ev, "otel") if "tracing" in (e.get("categories") or [])]
    glob = [e for e in ev.of("obs.tracing") if e.get("mechanism") in ("otel-operator-instrumentation", "adot-layer")]
    if not items and not glob:
        return missing(ev, "no OpenTelemetry SDK in any service")
    dirs = service_dirs(ev)
    if not dirs:
        return found((items + glob)[:20], "OpenTelemetry in use; no service manifests to measure coverage", Strength.STRONG)
    cov = covered_services(dirs, items, glob, local_links(ev))
    ok = len(cov) == len(dirs)
    return Finding(ok, f"OpenTelemetry in {len(cov)} of {len(dirs)} service(s)", (items + glob)[:20])


@probe("obs_otel_collector_otlp", text="An OpenTelemetry collector receives OTLP", sources=["repo"])
def obs_otel_collector_otlp(ev: EvidenceSet) -> Finding:
    items = [e for e in ev.of("obs.otel_collector") if any(str(r).split("/")[0] == "otlp" for r in e.get("receivers") or [])]
    if items:
        return found(items, f"{len(items)} collector config(s) with an OTLP receiver")
    return missing(ev, "no OpenTelemetry collector with an OTLP receiver")


@probe("obs_correlation_everywhere", text="Every service injects trace ids into its logs", sources=["repo"])
def obs_correlation_everywhere(ev: EvidenceSet) -> Finding:
    items = ev.of("obs.log_correlation") + _deps(ev, "log_correlation")
    if not items:
        return missing(ev, "no log-trace correlation")
    return coverage(ev, items, "log-trace correlation", min_ratio=1.0)


@probe("obs_central_platform",
       text="A central observability platform joins logs, metrics and traces (LGTM/Elastic stack, collector pipelines for all "
            "three signals, CloudWatch cross-account observability, shared Azure Monitor)", sources=["repo", "cloud"])
def obs_central_platform(ev: EvidenceSet) -> Finding:
    direct = [e for e in ev.of("obs.platform") if e.get("tool") in ("cloudwatch-cross-account",)]
    direct += [e for e in ev.of("obs.otel_collector") if {"traces", "metrics", "logs"} <= set(e.get("pipelines") or [])]
    if direct:
        return found(direct[:20], "one platform receives logs, metrics and traces")
    platforms = [e for e in ev.of("obs.platform") if e.strength is not Strength.WEAK]
    signals = {s for e in platforms for s in (e.get("signals") or [])}
    if {"logs", "metrics", "traces"} <= signals:
        return found(platforms[:20], f"platform components cover {', '.join(sorted(signals))}", Strength.STRONG)
    return missing(ev, "no platform that joins logs, metrics and traces", absence_needs(ev))
