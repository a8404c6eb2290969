"""Recording what the format readers found: an alert rule (with its runbook link resolved into the
repository), notification routing, and the small readers of annotations every format shares."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from wafops.collectors.repo.alerting.state import AlertRun
from wafops.collectors.repo.observability_files import s
from wafops.collectors.translate.alerting import PAGING_RECEIVERS, REPO_URL, RUNBOOK_KEYS, rule_attributes
from wafops.collectors.translate.common import URL
from wafops.scanner.core.model import Strength
from wafops.scanner.core.vocabulary import redact


def rule(run: AlertRun, path: str, *, origin: str, name: str, expr: str, severity: str = "",
         runbook: str | None = None, notifies: bool, paging_hint: str = "", line: int | None = None,
         strength: Strength = Strength.DIRECT, key: Any = None, extra_signal_text: str = "",
         force_burn: bool = False, labels: dict[str, Any] | None = None, extra_windows: list[str] | None = None,
         target_unknown: bool = False) -> None:
    """One `alert.rule` (D-ALERT, D-SYMPTOM), plus the blackbox probe or anomaly detection its expression shows."""
    link, local, exists = resolve_runbook(run, runbook, path)
    if line is None:
        line = run.tree.line_of(path, name) if name else None
    attrs = rule_attributes(origin=origin, name=name, expr=expr, severity=severity, labels=labels,
                            notifies=notifies, paging_hint=paging_hint, extra_signal_text=extra_signal_text,
                            force_burn=force_burn, extra_windows=extra_windows, target_unknown=target_unknown,
                            runbook=(link, local, exists))
    signal, paging = attrs["signal"], attrs["paging"]
    run.emit("alert.rule", path, attrs, line=line, strength=strength,
             summary=f"{origin} alert '{name[:80]}' ({signal}{', paging' if paging else ''})",
             key=key if key is not None else (origin, name, line))
    if "probe_success" in expr:
        run.emit("alert.availability_probe", path, {"tool": "blackbox"}, line=line, strength=Strength.DIRECT,
                 summary=f"probe_success alert in {path}", key=("blackbox-rule",))
    if re.search(r"predict_linear|holt_winters|stddev_over_time|stddev_|zscore|z_score", expr):
        # (value - mean) / stddev > n is anomaly detection proper; predict_linear is only a capacity forecast
        zscore = bool(re.search(r"(?i)/\s*\(?\s*[\w:{}=\",~.\s]*stddev|zscore|z_score", expr))
        run.emit("obs.anomaly", path, {"mechanism": "prometheus-zscore" if zscore else "prometheus-forecast"}, line=line,
                 strength=Strength.STRONG if zscore else Strength.WEAK,
                 summary=f"{'z-score' if zscore else 'forecast'} rule in {path}", key=("prom-anomaly", zscore))


def routing(run: AlertRun, path: str, receivers: list[str], *, group_by: bool, inhibit: bool, line: int | None,
            strength: Strength = Strength.DIRECT, key: Any = None) -> None:
    """One `alert.routing`: where alerts go, and whether they are grouped and inhibited."""
    paging = bool(set(receivers) & PAGING_RECEIVERS)
    run.emit("alert.routing", path, {"receivers": receivers, "paging": paging, "group_by": group_by, "inhibit": inhibit},
             line=line, strength=strength, summary=f"alert routing to {', '.join(receivers) or 'no receiver'} in {path}",
             key=key if key is not None else ("routing", line))


def resolve_runbook(run: AlertRun, raw: str | None, rule_path: str) -> tuple[str | None, str | None, bool | None]:
    """(link, repo path it resolves to, whether that path exists). None for exists when it cannot be checked."""
    if not raw or not str(raw).strip():
        return None, None, None
    text = str(raw).strip()
    m = URL.search(text)
    link = m.group(0).rstrip(".,;") if m else text.split()[0] if text.split() else text
    if "{{" in link or "$labels" in link or "$value" in link or "TEMPLATED" in link:
        return redact(link, 300), None, None
    if link.startswith(("http://", "https://")):
        return _repository_link(run, link)
    if " " in text and "/" not in text and "." not in text.split()[0]:
        return "inline", None, None  # runbook text written into the annotation
    rel = link.split("#", 1)[0].split("?", 1)[0]
    if not rel:
        return redact(link, 300), None, None
    base = rule_path.rsplit("/", 1)[0] if "/" in rule_path else ""
    candidates = [posixpath.normpath(rel.lstrip("/"))] if rel.startswith("/") else \
        [posixpath.normpath(posixpath.join(base, rel)), posixpath.normpath(rel)]
    candidates = [c for c in candidates if not c.startswith("..")]
    for c in candidates:
        if run.exists(c):
            return redact(link, 300), c, True
    return redact(link, 300), (candidates[0] if candidates else None), False


def _repository_link(run: AlertRun, link: str) -> tuple[str | None, str | None, bool | None]:
    """A web link: into this repository when it is a `blob|tree/<ref>/<path>` link of the scanned repository."""
    rm = REPO_URL.match(link)
    if not rm:
        return redact(link, 300), None, None
    owner_repo, path = rm.group(2).lower(), rm.group(3).rstrip("/")
    present = run.exists(path)
    if run.identity is not None:
        if owner_repo == run.identity:
            return redact(link, 300), path, present
        return redact(link, 300), None, None
    # unknown identity (a local checkout): a path that exists here is taken as ours; otherwise undecidable
    return (redact(link, 300), path, True) if present else (redact(link, 300), None, None)


def runbook_of(ann: Any) -> str | None:
    """The runbook link among a rule's annotations."""
    if not isinstance(ann, dict):
        return None
    for k in RUNBOOK_KEYS:
        if ann.get(k):
            return s(ann[k])
    for k, v in ann.items():
        if "runbook" in str(k).lower() and v:
            return s(v)
    return None


def receiver_name(t: str) -> str:
    t = t.lower()
    for key in ("pagerduty", "opsgenie", "victorops", "slack", "email", "webhook", "teams", "sns"):
        if key in t:
            return key
    return "oncall" if "oncall" in t else "webhook"
