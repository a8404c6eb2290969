"""Probes for WAF-OPS-040 (alerting on symptoms, not causes). See obs_common for when absence counts."""

from __future__ import annotations

import re

from wafops.rules.probes import EvidenceSet, Finding, found, missing, pct, probe, ratio
from wafops.rules.probes.obs_common import missing_alerting
from wafops.scanner.core.model import Evidence, Strength


def _rules(ev: EvidenceSet) -> list[Evidence]:
    return ev.of("alert.rule")


def _notifying_checks(ev: EvidenceSet) -> list[Evidence]:
    """Synthetic availability checks (uptime checks, web tests) that tell someone when they fail: each is an
    alert on the commonest symptom there is, the service not answering its users."""
    return [e for e in ev.of("alert.availability_probe") if e.get("notifies")]


@probe("alert_rules_notify", text="At least one alert rule with a notification target is kept as code",
       sources=["repo", "cloud"])
def alert_rules_notify(ev: EvidenceSet) -> Finding:
    rules = _rules(ev)
    notifying = [e for e in rules if e.get("notifies")]
    checks = _notifying_checks(ev)
    if notifying or checks:
        return found((notifying + checks)[:20], f"{len(notifying)} alert rule(s) notify someone"
                     + (f"; {len(checks)} uptime check(s) with a contact" if checks else ""))
    if rules:
        return Finding(False, f"{len(rules)} alert rule(s), but none has a notification target (no alarm actions)", rules[:20])
    return missing_alerting(ev, "no alert rules")


@probe("alert_symptom_or_probe", text="At least one symptom alert (error rate, latency, availability) or synthetic check",
       sources=["repo", "cloud"])
def alert_symptom_or_probe(ev: EvidenceSet) -> Finding:
    symptom = [e for e in _rules(ev) if e.get("signal") == "symptom"]
    probes = ev.of("alert.availability_probe")
    if symptom or probes:
        return found((symptom + probes)[:20], f"{len(symptom)} symptom alert(s), {len(probes)} availability check(s)")
    if _rules(ev):
        return Finding(False, f"{len(_rules(ev))} alert rule(s), none on errors, latency or availability "
                              f"(cause-only alerting such as CPU or memory)", _rules(ev)[:20])
    return missing_alerting(ev, "no symptom alerts or availability checks")


@probe("alert_symptom_ratio", text="Paging alerts watch symptoms: symptom / (symptom + cause) >= {min_ratio:.0%}",
       sources=["repo", "cloud"], min_ratio=0.7)
def alert_symptom_ratio(ev: EvidenceSet) -> Finding:
    rules = [e for e in _rules(ev) if e.get("notifies")]
    paging = [e for e in rules if e.get("paging")]
    scope, what = (paging, "paging alerts") if paging else (rules, "notifying alerts (none marked paging)")
    if not paging:
        scope = scope + _notifying_checks(ev)  # an uptime check that notifies is a symptom alert
    classified = [e for e in scope if e.get("signal") in ("symptom", "cause") or e.kind == "alert.availability_probe"]
    if not classified:
        if not rules:
            return missing_alerting(ev, "no alert rules")
        return Finding(None, f"not assessed, because none of the {len(scope)} {what} could be classified as symptom or cause",
                       scope[:20])
    symptom = [e for e in classified if e.get("signal") == "symptom" or e.kind == "alert.availability_probe"]
    r = ratio(len(symptom), len(classified))
    ok = r >= ev.p("min_ratio")
    if ok and all(e.kind == "alert.availability_probe" for e in classified):
        # uptime checks alone show that availability is watched, not what the alert rules (kept elsewhere) watch
        return Finding(True, f"only uptime checks ({len(classified)}) and no classified alert rule: availability is "
                             f"watched, the shape of the alerting cannot be told", classified[:20], Strength.WEAK)
    return Finding(ok, f"{len(symptom)} of {len(classified)} classified {what} are symptom-based ({pct(r)})",
                   (symptom if ok else [e for e in classified if e.get("signal") == "cause"])[:20],
                   Strength.STRONG if ok else None)


@probe("slo_defined", text="SLOs are defined as code (OpenSLO, Sloth, Pyrra, slo-generator, slo-definitions.yaml, Terraform)",
       sources=["repo", "cloud"])
def slo_defined(ev: EvidenceSet) -> Finding:
    slos = ev.of("obs.slo")
    if slos:
        return found(slos[:20], f"{len(slos)} SLO definition(s)")
    return missing_alerting(ev, "no SLO definitions")


@probe("alert_paging_integration", text="Alerts route to a paging service (PagerDuty, Opsgenie, VictorOps, Incident Manager)",
       sources=["repo", "cloud"])
def alert_paging_integration(ev: EvidenceSet) -> Finding:
    routes = [e for e in ev.of("alert.routing") if e.get("paging")]
    if routes:
        return found(routes[:20], f"{len(routes)} routing config(s) reach a paging service")
    # the alert's own notification names a pager (`@pagerduty-payments`, an action group called oncall);
    # a severity tag alone says the team means it to page, not where it goes
    hinted = [e for e in _rules(ev) if e.get("pager_target", e.get("paging")) and e.get("origin") in
              ("datadog", "cloudwatch", "azure-monitor", "google") and e.get("notifies")]
    if hinted:
        return found(hinted[:20], f"{len(hinted)} alert(s) notify a paging target (by action/handle name)", Strength.STRONG)
    hidden = [e for e in _rules(ev) if e.get("paging") and e.get("notifies") and "pager_target" in e.attributes
              and e.get("pager_target") is None]
    if hidden:
        return Finding(None, f"not assessed, because {len(hidden)} paging alert(s) notify a target held in a variable "
                             f"(e.g. {hidden[0].get('name')}); where it goes is set outside these files", hidden[:20])
    return missing_alerting(ev, "no routing to a paging service")


def _multiwindow(e: Evidence) -> bool:
    return bool(e.get("burn_rate")) and (e.get("origin") in ("sloth", "pyrra") or len(e.get("windows") or []) >= 2)


def _slo_covered(slo: Evidence, burn: list[Evidence]) -> bool:
    if slo.get("spec") in ("sloth", "pyrra"):
        return any(b.get("origin") == slo.get("spec") and b.locator.path == slo.locator.path for b in burn)
    addr = str(slo.get("address") or "")
    if addr and any(f"{addr}." in str(b.get("expr") or "") for b in burn):
        return True  # a Terraform burn-rate monitor that references the SLO resource (`burn_rate("${x.slo.id}")`)
    keys = [str(slo.get(k) or "").lower() for k in ("name", "service")]
    keys = [re.sub(r"[^a-z0-9]", "", k) for k in keys if k and "${" not in k]
    for b in burn:
        text = re.sub(r"[^a-z0-9]", "", f"{b.get('name')} {b.get('expr')}".lower())
        if any(k and k in text for k in keys):
            return True
    return False


@probe("alert_burn_rate_multiwindow",
       text="Multi-window burn-rate alerts (Sloth/Pyrra or error ratio vs (1 - objective) x factor over >= 2 windows) for every SLO",
       sources=["repo", "cloud"])
def alert_burn_rate_multiwindow(ev: EvidenceSet) -> Finding:
    burn = [e for e in _rules(ev) if _multiwindow(e)]
    if not burn:
        single = [e for e in _rules(ev) if e.get("burn_rate")]
        if single:
            return Finding(False, f"{len(single)} burn-rate alert(s), but none combines two or more windows", single[:20])
        return missing_alerting(ev, "no burn-rate alerts")
    slos = ev.of("obs.slo")
    uncovered = [s for s in slos if not _slo_covered(s, burn)]
    if uncovered:
        names = ", ".join(str(s.get("name") or s.get("service")) for s in uncovered[:5])
        return Finding(False, f"{len(burn)} multi-window burn-rate alert(s), but {len(uncovered)} of {len(slos)} SLO(s) "
                              f"have none: {names}", uncovered[:20])
    return found(burn[:20], f"{len(burn)} multi-window burn-rate alert(s)"
                 + (f" covering all {len(slos)} SLO(s)" if slos else ""))


@probe("error_budget_dashboard", text="An error-budget / burn-rate dashboard (or Pyrra's error-budget UI) is kept as code",
       sources=["repo", "cloud"])
def error_budget_dashboard(ev: EvidenceSet) -> Finding:
    dashes = [e for e in ev.of("obs.dashboard") if e.get("error_budget")]
    if dashes:
        return found(dashes[:20], f"{len(dashes)} dashboard(s) show error budgets or burn rates")
    pyrra = ev.of("obs.slo", spec="pyrra")
    if pyrra:
        return found(pyrra[:20], "Pyrra SLOs: Pyrra's UI shows each objective's error budget", Strength.STRONG)
    return missing_alerting(ev, "no error-budget dashboard")


@probe("alert_anomaly", text="Anomaly detection complements threshold alerts (CloudWatch bands, Azure dynamic thresholds, "
                             "Datadog anomalies, DevOps Guru)", sources=["repo", "cloud"])
def alert_anomaly(ev: EvidenceSet) -> Finding:
    items = ev.of("obs.anomaly")
    if items:
        return found(items[:20], f"{len(items)} anomaly-detection configuration(s)")
    return missing_alerting(ev, "no anomaly detection")


@probe("slo_alert_coverage", text="Every SLO has a multi-window burn-rate alert (coverage {min_ratio:.0%})",
       sources=["repo", "cloud"], min_ratio=1.0)
def slo_alert_coverage(ev: EvidenceSet) -> Finding:
    slos = ev.of("obs.slo")
    if not slos:
        return missing_alerting(ev, "no SLOs, so no SLO alert coverage")
    burn = [e for e in _rules(ev) if _multiwindow(e)]
    covered = [s for s in slos if _slo_covered(s, burn)]
    r = ratio(len(covered), len(slos))
    ok = r >= ev.p("min_ratio")
    return Finding(ok, f"{len(covered)} of {len(slos)} SLO(s) have a multi-window burn-rate alert ({pct(r)})",
                   (covered if ok else [s for s in slos if s not in covered])[:20])


@probe("alerts_as_code_ratio", text="Live alert rules are also defined as code (>= {min_ratio:.0%})", sources=["repo", "cloud"],
       min_ratio=0.95)
def alerts_as_code_ratio(ev: EvidenceSet) -> Finding:
    """Needs the live side: alert rules a cloud collector read (alert.rule from a source whose role is cloud)."""
    if not ev.usable("cloud"):
        return missing(ev, "", ("cloud",))
    live = [e for e in ev.of("alert.rule") if ev.role(e.source) == "cloud"
            and not str(e.get("name") or "").startswith("TargetTracking-")]
    code = {str(e.get("name") or "").lower() for e in ev.of("alert.rule") if e.source == "repo"}
    if not live:
        return Finding(None, "not assessed, because the scanned cloud reported no live alert rules to compare")
    in_code = [e for e in live if str(e.get("name") or "").lower() in code]
    r = ratio(len(in_code), len(live))
    return Finding(r >= ev.p("min_ratio"), f"{len(in_code)} of {len(live)} live alert rules are defined as code ({pct(r)})",
                   live[:20])
