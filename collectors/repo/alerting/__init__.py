"""Alerting as code in a repository (WAF-OPS-040, inputs to 030 and 060).

D-ALERT: every alert rule found in the repository becomes one `alert.rule`, normalised to name,
expression, symptom/cause (D-SYMPTOM), paging, runbook link (resolved into the repository where it
points there), burn-rate shape and notification target. One module per format, all run through
the detector loop below over one shared `AlertRun` (state.py); `record.py` turns what a format
reader found into evidence. Sources:
- Prometheus rule files, found by *shape* (`groups[].rules[]` with `alert:`), not by file name;
  PrometheusRule CRDs; chart values that embed rule groups; Helm templates (parsed after blanking
  template directives; when that still fails, a line-based extractor reads `- alert:` blocks, quietly:
  a template that is not YAML before rendering is expected, not a defect worth a warning)
  (yaml_files.py, prometheus.py);
- Grafana alert provisioning/export files (`grafana_alert`, or `data` + `condition`) (grafana.py);
- Sloth and Pyrra SLO specs (they generate multi-window burn-rate alerts at deploy time) (slo_specs.py);
- Terraform and CloudFormation alarms, monitors and alert policies (terraform.py, terraform_alarms.py,
  cloudformation.py).
Notification routing (`alert.routing`, alertmanager.py) and synthetic checks (`alert.availability_probe`,
probes.py) come from the same files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.repo.alerting.alertmanager import generated_alertmanager
from wafops.collectors.repo.alerting.cloudformation import cloudformation
from wafops.collectors.repo.alerting.probes import named_files
from wafops.collectors.repo.alerting.state import AlertRun
from wafops.collectors.repo.alerting.terraform import hcl_blocks, terraform, uptime_modules
from wafops.collectors.repo.alerting.yaml_files import yaml_files
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Evidence, Subject

# in this order: the generated-Alertmanager reader skips files the YAML reader already routed
DETECTORS: tuple[Callable[[AlertRun], None], ...] = (
    yaml_files, terraform, uptime_modules, cloudformation, named_files, generated_alertmanager,
)


class AlertingCollector(Collector):
    name = "alerting"
    reads = ("tree",)  # see Collector.reads
    source = "repo"
    description = ("Alerting as code: Prometheus/Grafana/Sloth/Pyrra rules, Terraform and CloudFormation alarms (D-ALERT, "
                   "D-SYMPTOM), notification routing, synthetic availability checks")
    controls = ("WAF-OPS-040", "WAF-OPS-030", "WAF-OPS-060")
    weight = 1.5  # rule files and Terraform alarms

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        run = AlertRun.start(ctx)
        ctx.run_detectors("alerting", DETECTORS, run)
        return run.out

    def hcl_blocks(self, subject: Subject, ctx: CollectContext) -> Iterable[tuple[str, Wanted]]:
        return hcl_blocks(ctx.tree) if ctx.tree is not None else []


__all__ = ["AlertingCollector", "DETECTORS"]
