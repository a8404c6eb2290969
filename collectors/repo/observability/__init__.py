"""Observability configuration in a repository (WAF-OPS-030, inputs to 040 and 080).

What it reads, and why in this order (one module per source or format, all run through one detector loop):
1. dependency manifests (`packages`, parsers in collectors/repo/manifests.py): which services pull in
   OpenTelemetry, tracing, JSON logging, metrics, APM, error tracking, log correlation and feature-flag SDKs.
   Only runtime dependencies of product code count (not devDependencies, not examples/ or tests/);
2. YAML/JSON/config files selected by name and a cheap text prefilter, parsed only when they look like a
   shipper (`shippers`), collector (`otel`), dashboard (`dashboards`), SLO (`slo`), service (`services`),
   backend (`backends`) or sampling config; `yaml_docs` hands every YAML document to each format's reader;
3. Terraform (`terraform`: only files whose block headers name a wanted resource type) and CloudFormation
   (`cloudformation`);
4. config-like files swept by text (`config_sweep`), and a *bounded* grep of source files (`source_sweep`, size
   and count capped) for trace ids in logger calls and JSON log handlers, which dependency lists cannot show
   (Go `slog.NewJSONHandler`, logrus JSONFormatter).
After the detectors: one `dep.manifest` per manifest (`packages.finish_manifests`) and the Java-agent MDC
correlation (`correlation`). Shared state for one subject is an `ObsRun` (`state`).

Everything is an observation of the repository at one commit: strength is `strong` for
packages/config that very likely mean the practice, `direct` where the object is the practice
(an SLO spec, a dashboard), `weak` for correlated hints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.repo.observability.cloudformation import cloudformation
from wafops.collectors.repo.observability.config_sweep import config_sweep
from wafops.collectors.repo.observability.correlation import agent_mdc_correlation
from wafops.collectors.repo.observability.dashboards import dashboards_in_yaml, dashboards_json, grafonnet
from wafops.collectors.repo.observability.packages import dependencies, finish_manifests
from wafops.collectors.repo.observability.shippers import named_files
from wafops.collectors.repo.observability.source_sweep import source_sweep
from wafops.collectors.repo.observability.state import ObsRun
from wafops.collectors.repo.observability.terraform import hcl_blocks, terraform
from wafops.collectors.repo.observability.yaml_docs import yaml_files
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Evidence, Subject

# in this order: a piece of evidence two detectors find keeps the first one's line and summary
DETECTORS: tuple[Callable[[ObsRun], None], ...] = (
    dependencies, yaml_files, named_files, dashboards_json, dashboards_in_yaml, grafonnet, terraform, cloudformation,
    config_sweep, source_sweep,
)


class ObservabilityCollector(Collector):
    name = "observability"
    reads = ("tree",)  # see Collector.reads
    source = "repo"
    description = ("Observability as code: telemetry SDKs in manifests, log shippers, OTel collectors, dashboards, "
                   "SLO specs, log-trace correlation, sampling, services (D-SVC), anomaly detection, log retention")
    controls = ("WAF-OPS-030", "WAF-OPS-040", "WAF-OPS-080")
    weight = 3.0  # it sweeps source and config files too: the slowest on a large monorepo

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        run = ObsRun.start(ctx)
        ctx.run_detectors("observability", DETECTORS, run)
        finish_manifests(run)
        agent_mdc_correlation(run)
        return run.out

    def hcl_blocks(self, subject: Subject, ctx: CollectContext) -> Iterable[tuple[str, Wanted]]:
        return hcl_blocks(ctx.tree) if ctx.tree is not None else []


__all__ = ["DETECTORS", "ObservabilityCollector"]
