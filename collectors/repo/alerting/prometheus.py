"""Prometheus alerting and recording rules: rule groups (plain rule files, PrometheusRule CRDs, chart values),
bare rules and chart fragments, Prometheus 1.x syntax, and Helm templates read line by line."""

from __future__ import annotations

import re
from typing import Any

from wafops.collectors.repo.alerting import grafana
from wafops.collectors.repo.alerting.record import rule, runbook_of
from wafops.collectors.repo.alerting.state import AlertRun
from wafops.collectors.repo.observability_files import s
from wafops.scanner.core.model import Strength

# Prometheus 1.x alerting rule: `ALERT Name` then `IF expr` on the next line(s), up to the next ALERT
PROM1_ALERT = re.compile(r"(?m)^[ \t]*ALERT[ \t]+(\w+)[ \t]*\n[ \t]*IF[ \t]+(.*?)(?=^[ \t]*ALERT[ \t]|\Z)", re.S)


def rule_groups(run: AlertRun, path: str, origin: str, groups: list[Any]) -> None:
    """`groups[].rules[]`: each rule of each group."""
    for gi, group in enumerate(groups):
        if isinstance(group, dict) and isinstance(group.get("rules"), list):
            for ri, r in enumerate(group["rules"]):
                if isinstance(r, dict):
                    rule_entry(run, path, origin, str(group.get("name", gi)), ri, r)


def rule_entry(run: AlertRun, path: str, origin: str, group: str, index: int, r: dict[str, Any]) -> None:
    """One entry of a rule group: an alerting rule, an SLO recording rule, or a Grafana-managed rule."""
    labels = r.get("labels") if isinstance(r.get("labels"), dict) else {}
    ann = r.get("annotations") if isinstance(r.get("annotations"), dict) else {}
    if "alert" in r and ("expr" in r or "expression" in r):
        name = str(r["alert"])
        rule(run, path, origin=origin, name=name, expr=s(r.get("expr") or r.get("expression")),
             severity=s(labels.get("severity") or labels.get("priority")), runbook=runbook_of(ann),
             notifies=True, line=alert_line(run, path, name),
             key=(origin, group, index, name), labels=labels)
    elif "record" in r and "expr" in r:
        slo_record(run, path, r, labels)
    elif "grafana_alert" in r or ("data" in r and ("condition" in r or "title" in r)):
        grafana.rule_entry(run, path, group, index, r, labels, ann)


_ALERT_KEY = re.compile(r"alert:\s*['\"]?")
_WORD_RUN = re.compile(r"\w*")
_WORD_EDGE = re.compile(r"\b")


def alert_line(run: AlertRun, path: str, name: str) -> int | None:
    """The first line matching `alert:\\s*['"]?<name>\\b` (where the rule `name` is declared).

    Why not `line_of` with that pattern: a pattern compiled per rule cost more than finding the rule
    (700 compiles on the benchmark tree). Instead each file's `alert:` keys are listed once, with where
    their value starts, grouped by the value's leading word, and a name is checked only against its
    group. Exact when the name starts with neither a space nor a quote: the pattern then has one way to
    match at each key (all the spaces, then the quote if there is one), the name must follow, and a name
    ending at a word boundary there begins with exactly the run of word characters found there."""
    if not name or name[0].isspace() or name[0] in "'\"":
        return run.tree.line_of(path, re.compile(rf"alert:\s*['\"]?{re.escape(name)}\b"))
    keys = run.alert_keys.get(path)
    if keys is None:
        keys = run.alert_keys[path] = _alert_keys(run.tree.text(path) or "")
    lead = _WORD_RUN.match(name)
    for number, line, start in keys.get(lead.group() if lead else "", ()):
        end = start + len(name)
        if line.startswith(name, start) and _WORD_EDGE.match(line, end):
            return number
    return None


def _alert_keys(text: str) -> dict[str, list[tuple[int, str, int]]]:
    """(line number, line, where the value starts) of every `alert:` key, in file order, by the value's leading
    run of word characters."""
    out: dict[str, list[tuple[int, str, int]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if "alert:" not in line:
            continue
        for key in _ALERT_KEY.finditer(line):  # every "alert:": a match spans only it, spaces and a quote
            lead = _WORD_RUN.match(line, key.end())
            out.setdefault(lead.group() if lead else "", []).append((number, line, key.end()))
    return out


def bare_rules(run: AlertRun, path: str, items: Any, text: str) -> None:
    """Alert rules outside a `groups:` list: one rule per file, or a plain list of rules.

    Charts keep rule fragments as files of their own and splice them into a PrometheusRule template
    (`tpl (.Files.Get "prometheus_rules/x.yaml")`); the alert name is then often a template variable
    (`{{- $alert := "CNPGClusterOffline" -}}` ... `alert: {{ $alert }}`)."""
    if not isinstance(items, list):
        return
    for i, r in enumerate(items):
        if not (isinstance(r, dict) and "alert" in r and ("expr" in r or "expression" in r)):
            continue
        if "TEMPLATED" in str(r.get("alert")):
            m = re.search(r"\$\w*alert\w*\s*:=\s*[\"']([^\"']+)[\"']", text, re.I)
            r = {**r, "alert": m.group(1) if m else path.rsplit("/", 1)[-1].rsplit(".", 1)[0]}
        rule_entry(run, path, "prometheus", "", i, r)


def prom1_rules(run: AlertRun, path: str, text: str) -> None:
    """Prometheus 1.x rule syntax (`ALERT Name IF expr FOR 5m LABELS {..} ANNOTATIONS {..}`), still in older
    deployment repositories (Weaveworks' sock shop), in `.rules` files or ConfigMap data."""
    for m in PROM1_ALERT.finditer(text):
        name, body = m.group(1), m.group(2)
        expr = re.split(r"(?m)^\s*(FOR|LABELS|ANNOTATIONS)\b", body, maxsplit=1)[0].strip()
        labels_m = re.search(r"LABELS\s*\{([^}]*)\}", body)
        labels = dict(re.findall(r"(\w+)\s*=\s*\"([^\"]*)\"", labels_m.group(1))) if labels_m else {}
        ann_m = re.search(r"ANNOTATIONS\s*\{(.*?)\}\s*$", body, re.S)
        ann = dict(re.findall(r"(\w+)\s*=\s*\"([^\"]*)\"", ann_m.group(1))) if ann_m else {}
        rule(run, path, origin="prometheus", name=name, expr=expr, severity=str(labels.get("severity") or ""),
             runbook=runbook_of(ann), notifies=True, line=run.tree.line_of(path, re.compile(rf"ALERT\s+{name}\b")),
             key=("prom1", name), labels=labels)


def slo_record(run: AlertRun, path: str, r: dict[str, Any], labels: dict[str, Any]) -> None:
    """An objective kept as a recording rule: `record: slo:...` whose expression is a constant.

    GitLab's metrics catalog renders `slo:min:events:gitlab_service_apdex:ratio` = 0.999 per
    service, Sloth renders `slo:objective:ratio` = vector(0.999): the SLO is defined as code even
    though no OpenSLO/Sloth spec file is in the repository."""
    name = str(r.get("record") or "")
    if not re.match(r"(?i)^slo[:_]", name):
        return
    m = re.fullmatch(r"\s*(?:vector\s*\(\s*)?(0?\.\d+|1(?:\.0+)?|\d{2}(?:\.\d+)?)\s*\)?\s*", s(r.get("expr")))
    if not m:
        return
    service = str(labels.get("sloth_service") or labels.get("service") or labels.get("type") or labels.get("job") or "")
    slo_name = str(labels.get("sloth_slo") or labels.get("slo") or name)
    run.emit("obs.slo", path, {"spec": "prometheus-rules", "service": service[:80], "name": slo_name[:120],
                               "objective": m.group(1)},
             line=run.tree.line_of(path, name), strength=Strength.DIRECT,
             summary=f"SLO recording rule {name} for '{service or 'all services'}'", key=("slo-record", service, slo_name))


def regex_rules(run: AlertRun, path: str, text: str) -> None:
    """Line-based extraction for Helm templates that do not parse even after blanking directives (quietly:
    a template that is not YAML before rendering is expected, not a defect worth a warning)."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^\s*-\s*alert:\s*\S", line)]
    for n, i in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        block = lines[i:end]
        name = re.sub(r"^\s*-\s*alert:\s*", "", block[0]).strip().strip("'\"")
        body = "\n".join(block)
        expr_m = re.search(r"(?ms)^\s*expr:\s*(?:[|>]-?\s*\n)?(.+?)(?=^\s*(for|labels|annotations|keep_firing_for):|\Z)", body)
        sev = re.search(r"(?m)^\s*severity:\s*['\"]?([\w-]+)", body)
        rb = re.search(r"(?m)^\s*(runbook_url|runbook|runbook_link):\s*['\"]?([^'\"\n]+)", body)
        rule(run, path, origin="prometheus", name=name, expr=(expr_m.group(1).strip() if expr_m else ""),
             severity=sev.group(1) if sev else "", runbook=rb.group(2).strip() if rb else None, notifies=True,
             line=i + 1, strength=Strength.STRONG, key=("regex", i))
