"""Grafana alerting as files: provisioned or exported alert rules (`grafana_alert`, or `data` + `condition`)
and contact points."""

from __future__ import annotations

from typing import Any

from wafops.collectors.repo.alerting.record import receiver_name, routing, rule, runbook_of
from wafops.collectors.repo.alerting.state import AlertRun
from wafops.collectors.repo.observability_files import s


def rule_entry(run: AlertRun, path: str, group: str, index: int, r: dict[str, Any], labels: dict[str, Any],
               ann: dict[str, Any]) -> None:
    """A Grafana-managed rule in a rule group: its queries are the expression."""
    ga = r.get("grafana_alert") if isinstance(r.get("grafana_alert"), dict) else r
    name = str(ga.get("title") or r.get("title") or r.get("alert") or f"rule {index}")
    exprs = [s(((d or {}).get("model") or {}).get("expr") or ((d or {}).get("model") or {}).get("expression"))
             for d in (ga.get("data") or []) if isinstance(d, dict) and isinstance(d.get("model"), dict)]
    rule(run, path, origin="grafana", name=name, expr=" ".join(e for e in exprs if e),
         severity=s(labels.get("severity")), runbook=runbook_of(ann), notifies=True,
         line=run.tree.line_of(path, name), key=("grafana", group, index, name), labels=labels)


def contact_points(run: AlertRun, path: str, doc: dict[str, Any]) -> None:
    """Grafana contact points (provisioning): routing to the receiver types they name."""
    if not isinstance(doc.get("contactPoints"), list):
        return
    types = set()
    for cp in doc["contactPoints"]:
        for r in (cp or {}).get("receivers") or [] if isinstance(cp, dict) else []:
            if isinstance(r, dict) and r.get("type"):
                types.add(receiver_name(str(r["type"])))
    if types:
        routing(run, path, sorted(types), group_by=False, inhibit=False, line=run.tree.line_of(path, "contactPoints"))
