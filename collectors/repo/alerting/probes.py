"""Synthetic availability checks kept as files: blackbox exporter modules, Probe CRDs, gatus endpoints,
Checkly and Upptime configurations."""

from __future__ import annotations

from typing import Any

from wafops.collectors.repo.alerting.state import AlertRun
from wafops.scanner.core.model import Strength


def in_document(run: AlertRun, path: str, doc: dict[str, Any], *, api: str, kind: str) -> None:
    """Blackbox exporter config, Probe CRDs and gatus endpoints in one YAML document."""
    tree = run.tree
    if isinstance(doc.get("modules"), dict) and any(isinstance(v, dict) and "prober" in v for v in doc["modules"].values()):
        run.emit("alert.availability_probe", path, {"tool": "blackbox"}, line=tree.line_of(path, "prober"),
                 strength=Strength.STRONG, summary=f"blackbox exporter modules in {path}", key=("blackbox",))
    if kind == "Probe" and "monitoring.coreos.com" in api:
        run.emit("alert.availability_probe", path, {"tool": "blackbox"}, line=tree.line_of(path, "kind: Probe"),
                 strength=Strength.DIRECT, summary=f"Probe CRD in {path}", key=("probe-crd", (doc.get("metadata") or {}).get("name")))
    if isinstance(doc.get("endpoints"), list) and any(isinstance(e, dict) and "conditions" in e for e in doc["endpoints"]):
        run.emit("alert.availability_probe", path, {"tool": "uptime"}, line=tree.line_of(path, "endpoints"),
                 strength=Strength.STRONG, summary=f"gatus endpoints in {path}", key=("gatus",))


def named_files(run: AlertRun) -> None:
    """Detector: uptime checks configured by a file of a known name (Checkly, Upptime)."""
    for path in run.tree.named("checkly.config.ts", "checkly.config.js", ".upptimerc.yml"):
        run.emit("alert.availability_probe", path, {"tool": "uptime"}, line=1, strength=Strength.STRONG,
                 summary=f"uptime checks configured in {path}", key=("uptime",))
