"""Dashboards: Grafana JSON (files, ConfigMaps, chart values, the Grafana operator's CRD), Grafonnet/jsonnet
(Terraform and CloudFormation dashboards are read with their other resources). Each dashboard is judged for
RED panels, an error budget and DORA metrics."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.repo.observability.state import ObsRun, YamlDoc
from wafops.collectors.repo.observability_files import YAML_SUFFIXES, is_product_path, load_yaml_docs, walk
from wafops.collectors.translate.signals import DORA, ERROR_BUDGET, RED_DUR, RED_ERR, RED_RATE
from wafops.scanner.core.model import Strength

DASHBOARD_JSONNET_NAME = re.compile(r"(?i)(^|/)[^/]+[.-]dashboard\.jsonnet$|(^|/)dashboards?/([^/]+/)*[^/]+\.shared\.jsonnet$")


def dashboard(run: ObsRun, path: str, tool: str, title: str, panels: int, text: str, line: int | None) -> None:
    red = bool(RED_RATE.search(text) and RED_ERR.search(text) and RED_DUR.search(text))
    run.emit("obs.dashboard", path,
             {"tool": tool, "title": title[:120], "panels": panels, "red": red,
              "error_budget": bool(ERROR_BUDGET.search(text)), "dora": bool(DORA.search(text))},
             line=line, strength=Strength.DIRECT, summary=f"{tool} dashboard '{title[:80]}' in {path}",
             key=("dash", title, line))


def _dashboard_path_ok(path: str) -> bool:
    """Product path, judged above a Grafana provisioning folder: below `provisioning/dashboards/` the folder
    names are Grafana's own dashboard folders (a folder called `demo` or `test` there is still provisioned)."""
    low = path.lower()
    i = low.find("provisioning/dashboards/")
    return is_product_path(path if i < 0 else path[:i] + "provisioning/dashboards/x.json")


def is_dashboard(d: Any) -> bool:
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


def count_panels(d: dict[str, Any]) -> int:
    return sum(1 for p in _panels(d) if isinstance(p, dict) and p.get("type") != "row")


def dashboards_json(run: ObsRun) -> None:
    for path in run.tree.with_suffix(".json"):
        if not _dashboard_path_ok(path) or path.lower().endswith(("package.json", "package-lock.json", "tsconfig.json")):
            continue
        text = run.tree.text(path)
        if not text or '"schemaVersion"' not in text or '"panels"' not in text:
            continue
        dj = run.tree.json(path)
        if isinstance(dj, dict) and isinstance(dj.get("dashboard"), dict):
            dj = dj["dashboard"]
        if is_dashboard(dj):
            dashboard(run, path, "grafana", str(dj.get("title") or path.rsplit("/", 1)[-1]), count_panels(dj), text,
                      line=run.tree.line_of(path, '"title"') or 1)


def dashboards_in_yaml(run: ObsRun) -> None:
    """Grafana dashboards embedded as JSON strings in ConfigMaps (the Grafana sidecar's
    `grafana_dashboard: "1"` pattern, kube-prometheus' dashboardDefinitions) or chart values."""
    for path in run.tree.with_suffix(*YAML_SUFFIXES):
        if not is_product_path(path):
            continue
        text = run.tree.text(path)
        if not text or "schemaVersion" not in text or "panels" not in text:
            continue
        for doc in load_yaml_docs(run.tree, path, text):
            for node in walk(doc):
                if not isinstance(node, str) or "schemaVersion" not in node or not node.lstrip().startswith("{"):
                    continue
                try:
                    dj = json.loads(node)
                except ValueError:
                    continue
                if isinstance(dj, dict) and isinstance(dj.get("dashboard"), dict):
                    dj = dj["dashboard"]
                if is_dashboard(dj):
                    title = str(dj.get("title") or path.rsplit("/", 1)[-1])
                    dashboard(run, path, "grafana", title, count_panels(dj), node,
                              line=run.tree.line_of(path, title) or run.tree.line_of(path, "schemaVersion") or 1)


def grafonnet(run: ObsRun) -> None:
    for path in run.tree.with_suffix(".jsonnet", ".libsonnet"):
        if not is_product_path(path) or "grafonnet" in path.lower() and "/lib/" in path.lower():
            continue
        text = run.tree.text(path)
        if not text:
            continue
        # dashboards built from the repository's own jsonnet library (GitLab `*.dashboard.jsonnet`,
        # `dashboards/x.shared.jsonnet`) do not import grafonnet themselves: the name and folder say it
        named = bool(DASHBOARD_JSONNET_NAME.search(path)) and not path.lower().endswith(".libsonnet")
        if not named and not re.search(r"grafonnet|grafana-builder|grafana\.libsonnet", text):
            continue
        if named or re.search(r"dashboard\.new\(|\.dashboard\(|g\.dashboard\.new", text):
            panels = len(re.findall(r"(?:panel|graphPanel|timeSeries|stat|table)\.new\(", text))
            dashboard(run, path, "grafonnet", path.rsplit("/", 1)[-1], panels, text,
                      line=run.tree.line_of(path, re.compile(r"dashboard\.new\(|\.dashboard\(")) or 1)


def grafana_dashboard_doc(run: ObsRun, y: YamlDoc) -> None:
    """The Grafana operator's GrafanaDashboard resource (the dashboard JSON inline in `spec.json`)."""
    if y.kind != "GrafanaDashboard":
        return
    body = y.spec.get("json")
    title = y.mname
    panels = 0
    text = run.tree.text(y.path) or ""
    if isinstance(body, str):
        try:
            dj = json.loads(body)
            title = str(dj.get("title") or y.mname)
            panels = count_panels(dj)
        except ValueError:
            pass
    dashboard(run, y.path, "grafana", title, panels, text, line=run.tree.line_of(y.path, "GrafanaDashboard"))


def configmap_dashboard(run: ObsRun, path: str, key: str, text: str) -> bool:
    """A dashboard as one `*.json` entry of a ConfigMap. False for an entry that looks like a dashboard but is
    no JSON (nothing else is read from it then)."""
    if key.lower().endswith(".json") and "schemaVersion" in text and "panels" in text:
        try:
            dj = json.loads(text)
        except ValueError:
            return False
        if is_dashboard(dj):
            dashboard(run, path, "grafana", str(dj.get("title") or key), count_panels(dj), text,
                      line=run.tree.line_of(path, key))
    return True
