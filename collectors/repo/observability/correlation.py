"""Log-trace correlation that no single file shows: a Java JSON log layout writing the MDC, in a repository
that attaches a Java agent which puts the trace ids into the MDC. Runs after every detector."""

from __future__ import annotations

import re

from wafops.collectors.repo.observability.config_sweep import config_candidates
from wafops.collectors.repo.observability.state import ObsRun
from wafops.scanner.core.model import Strength

JAVA_MDC_AGENT = re.compile(r"-javaagent:\S*(opentelemetry-javaagent|aws-opentelemetry-agent|applicationinsights-agent)")
_MDC_LAYOUTS = ("JsonTemplateLayout", "LogstashEncoder", "EcsLayout", "EcsEncoder")


def agent_mdc_correlation(run: ObsRun) -> None:
    """A Java JSON layout that writes the MDC, in a repository that attaches the OpenTelemetry or Application
    Insights (3.x) Java agent: these agents put trace_id/span_id into the MDC of every log record, so the
    JSON records carry the trace id without any code (LogstashEncoder and EcsLayout write the MDC by default,
    JsonTemplateLayout when its event template has an `mdc` resolver)."""
    layouts = [e for e in run.out if e.kind == "obs.structured_log" and e.get("mechanism") in _MDC_LAYOUTS]
    if not layouts or not _java_agent(run):
        return
    for e in layouts:
        path = e.locator.path or ""
        text = run.tree.text(path) or ""
        uri = re.search(r"eventTemplateUri\s*=\s*[\"'](?:classpath:)?([^\"']+)[\"']", text)
        if e.get("mechanism") == "JsonTemplateLayout" and uri:
            name = uri.group(1).rsplit("/", 1)[-1]
            templates = [f for f in run.tree.files if f.rsplit("/", 1)[-1] == name]
            if not templates or not any(re.search(r"\"\$resolver\"\s*:\s*\"mdc\"", run.tree.text(f) or "")
                                        for f in templates):
                continue
        run.emit("obs.log_correlation", path, {"mechanism": "java-agent-mdc", "service": run.service_of(path)},
                 line=e.locator.line, strength=Strength.STRONG, key=("agent-mdc",),
                 summary=f"JSON log layout writing the MDC, where the Java agent puts trace ids, in {path}")


def _java_agent(run: ObsRun) -> bool:
    """The OpenTelemetry or Application Insights Java agent is attached (found already, or in a config file)."""
    if any(e.kind == "obs.tracing" and e.get("mechanism") == "azure-app-insights-agent" for e in run.out) or any(
            e.kind == "dep.package" and re.search(r"applicationinsights-(runtime-attach|agent)|opentelemetry\.javaagent",
                                                  str(e.get("package") or "")) for e in run.out):
        return True
    for path in config_candidates(run):
        text = run.tree.text(path) or ""
        if "javaagent" in text and JAVA_MDC_AGENT.search(text):
            return True
    return False
