"""Alertmanager notification routing: configs read as YAML (plain, chart values, AlertmanagerConfig CRDs) and
configs kept as a source that renders to YAML (jsonnet, ERB, Jinja, Go templates)."""

from __future__ import annotations

import json
import re
from typing import Any

from wafops.collectors.repo.alerting.record import routing
from wafops.collectors.repo.alerting.state import AlertRun
from wafops.collectors.repo.observability_files import TEMPLATE_EXTS, is_product_path
from wafops.collectors.translate.alerting import RECEIVER_TYPES
from wafops.scanner.core.model import Strength

_TEMPLATED_CONFIG_EXT = (".jsonnet", ".libsonnet", *TEMPLATE_EXTS)


def alertmanager(run: AlertRun, path: str, cfg: dict[str, Any]) -> None:
    """An Alertmanager config (`route` + `receivers`): receiver types, grouping, inhibition."""
    receivers: set[str] = set()
    for r in cfg.get("receivers") or []:
        if not isinstance(r, dict):
            continue
        for key, value in r.items():
            if key in RECEIVER_TYPES and value:
                rtype = RECEIVER_TYPES[key]
                if rtype == "webhook" and re.search(r"pagerduty|opsgenie|victorops", json.dumps(value)):
                    rtype = "pagerduty" if "pagerduty" in json.dumps(value) else "opsgenie"
                receivers.add(rtype)
    route = cfg.get("route") if isinstance(cfg.get("route"), dict) else {}
    group_by = bool(route.get("group_by") or route.get("groupBy"))
    inhibit = bool(cfg.get("inhibit_rules") or cfg.get("inhibitRules"))
    routing(run, path, sorted(receivers), group_by=group_by, inhibit=inhibit, line=run.tree.line_of(path, "receivers"))


def generated_alertmanager(run: AlertRun) -> None:
    """Detector: Alertmanager configs kept as a source that renders to YAML (jsonnet, ERB, Jinja, Go templates).

    Big operations repositories (GitLab's runbooks, kube-prometheus users) generate alertmanager.yml
    from jsonnet or a template and keep only the source in git: the receiver types are still plain
    to see (`pagerduty_configs: [...]`), so they are read by keyword. Strong, not direct: the
    rendered result is not parsed."""
    tree = run.tree
    for path in tree.files:
        low = path.lower()
        name = low.rsplit("/", 1)[-1]
        if "alertmanager" not in name or not low.endswith(_TEMPLATED_CONFIG_EXT) or not is_product_path(path):
            continue
        if any(e.kind == "alert.routing" and e.locator.path == path for e in run.out):
            continue  # a YAML template already read with its directives stubbed out
        text = tree.text(path) or ""
        found = {RECEIVER_TYPES[k] for k in re.findall(r"\b(\w+_configs|\w+Configs)\b", text) if k in RECEIVER_TYPES}
        if not found:
            continue
        routing(run, path, sorted(found), group_by=bool(re.search(r"group_by|groupBy", text)),
                inhibit=bool(re.search(r"inhibit_rules|inhibitRules", text)),
                line=tree.line_of(path, re.compile(r"\w+_configs|\w+Configs")),
                strength=Strength.STRONG, key=("generated-routing", path))
