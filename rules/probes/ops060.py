"""Probes for WAF-OPS-060 (runbook and operational documentation coverage).

Only real runbooks count: templates and index pages are set aside (they show intent, not
coverage). Freshness needs dates: git history (full clone) or a front-matter review date; without
either it is "not assessed", never "stale".
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from wafops.rules.probes import EvidenceSet, Finding, found, iso_date, missing, pct, probe, ratio
from wafops.scanner.core.model import Evidence, Strength

DIAG_SECTIONS = {"diagnosis", "remediation"}
CORE_SECTIONS = {"symptoms", "diagnosis", "remediation", "escalation", "rollback", "verification"}


def runbooks(ev: EvidenceSet) -> list[Evidence]:
    return [e for e in ev.of("doc.runbook") if not e.get("template") and not e.get("index")]


def fresh_state(e: Evidence, since: datetime) -> bool | None:
    """True fresh, False stale, None unknown (no git dates and no review date)."""
    dates = [d for d in (iso_date(e.get("last_changed")), iso_date(e.get("last_reviewed"))) if d]
    if any(d >= since.date() for d in dates):
        return True
    if e.get("dates_from") == "git" or dates:
        return False  # git read: not changed in the window (or only old dates known)
    return None


@probe("runbooks_present", text="Runbooks (not just a docs folder) are kept in the repository", sources=["repo"])
def runbooks_present(ev: EvidenceSet) -> Finding:
    items = runbooks(ev)
    if items:
        return found(items, f"{len(items)} runbook(s), e.g. {items[0].locator.path}")
    others = ev.of("doc.runbook")
    if others:
        return Finding(False, "only runbook templates or index pages, no runbooks", others)
    return missing(ev, "no runbooks in the repository")


@probe(
    "alert_runbook_links",
    text="Paging alerts link a runbook (>= {min_ratio:.0%})",
    sources=["repo", "cloud"],
    min_ratio=0.95,
)
def alert_runbook_links(ev: EvidenceSet) -> Finding:
    alerts = ev.of("alert.rule")
    if not alerts:
        return missing(ev, "no alert rules were found, so no alert links a runbook")
    paging = [a for a in alerts if a.get("paging")] or alerts
    scope = "paging alerts" if any(a.get("paging") for a in alerts) else "alerts (none marked paging)"
    linked = [a for a in paging if a.get("runbook") and a.get("runbook_exists") is not False]
    r = ratio(len(linked), len(paging))
    ok = r >= ev.p("min_ratio")
    return Finding(ok, f"{len(linked)} of {len(paging)} {scope} link a runbook ({pct(r)})", linked if ok else paging[:20])


@probe("runbooks_version_controlled", text="Runbooks live in version control", sources=["repo"])
def runbooks_version_controlled(ev: EvidenceSet) -> Finding:
    items = runbooks(ev)
    if items:
        return found(items, f"{len(items)} runbook(s) are versioned with the code")
    return missing(ev, "no runbooks in version control")


@probe(
    "runbook_freshness",
    text="Runbooks were changed or reviewed within {max_age_days} days (>= {min_ratio:.0%})",
    sources=["repo", "git"],
    max_age_days=100, min_ratio=0.8,
)
def runbook_freshness(ev: EvidenceSet) -> Finding:
    items = runbooks(ev)
    if not items:
        return missing(ev, "no runbooks to be fresh")
    since = ev.days_ago(ev.p("max_age_days"))
    states = [fresh_state(e, since) for e in items]
    fresh = [e for e, s in zip(items, states, strict=True) if s is True]
    unknown = sum(1 for s in states if s is None)
    n = len(items)
    if len(fresh) >= ev.p("min_ratio") * n:
        return found(fresh, f"{len(fresh)} of {n} runbooks changed or reviewed within {ev.p('max_age_days')} days",
                     Strength.STRONG)
    if n - len(fresh) - unknown > (1 - ev.p("min_ratio")) * n:
        stale = [e for e, s in zip(items, states, strict=True) if s is False]
        return Finding(False, f"only {len(fresh)} of {n} runbooks changed or reviewed within {ev.p('max_age_days')} days",
                       stale[:20])
    return Finding(None, f"not assessed, because {unknown} of {n} runbooks have no date (no full git history, "
                         f"no last_reviewed front matter); {ev.why_not('git')}")


def _conforms(e: Evidence, template_sections: set[str]) -> bool:
    secs = set(e.get("sections") or [])
    if len(template_sections) >= 2:
        return len(secs & template_sections) >= max(2, round(0.6 * len(template_sections)))
    return len(secs & CORE_SECTIONS) >= 2 and bool(secs & DIAG_SECTIONS)


@probe(
    "runbook_template_conformance",
    text="Runbooks follow a common structure (template headings, or symptom/diagnosis/remediation sections) (>= {min_ratio:.0%})",
    sources=["repo"],
    min_ratio=0.6,
)
def runbook_template_conformance(ev: EvidenceSet) -> Finding:
    items = runbooks(ev)
    if not items:
        return missing(ev, "no runbooks")
    templates = [e for e in ev.of("doc.runbook") if e.get("template")]
    tsec = set().union(*[set(t.get("sections") or []) for t in templates]) if templates else set()
    ok = [e for e in items if _conforms(e, tsec)]
    r = ratio(len(ok), len(items))
    basis = "the runbook template" if len(tsec) >= 2 else "standard runbook sections"
    if r >= ev.p("min_ratio"):
        return found(ok + templates, f"{len(ok)} of {len(items)} runbooks follow {basis} ({pct(r)})", Strength.STRONG)
    return Finding(False, f"only {len(ok)} of {len(items)} runbooks follow {basis} ({pct(r)})", items[:20])


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


@probe(
    "runbook_service_coverage",
    text="Services (critical ones where marked) have a runbook (>= {min_ratio:.0%})",
    sources=["repo"],
    min_ratio=0.9,
)
def runbook_service_coverage(ev: EvidenceSet) -> Finding:
    items = runbooks(ev)
    services = ev.of("obs.service")
    if not items:
        return missing(ev, "no runbooks")
    critical = [s for s in services if s.get("critical")]
    scope = critical or services
    if not scope:
        return Finding(None, "not assessed: no service inventory (obs.service) to measure runbook coverage against")
    keys = [_norm(" ".join([str(e.get("service") or ""), str(e.get("title") or ""), e.locator.path or ""])) for e in items]
    names = {id(s): _norm(str(s.get("name") or "")) for s in scope}  # once per service, not per runbook
    joined = "\0".join(keys)  # "in any key" as one C-speed search (a name never holds the separator)
    found = {n: "\0" not in n and n in joined for n in set(names.values()) if n}
    covered = [s for s in scope if names[id(s)] and found[names[id(s)]]]
    names = {str(s.get("name")) for s in scope}
    r = ratio(len({str(s.get("name")) for s in covered}), len(names))
    ok = r >= ev.p("min_ratio")
    what = "critical services" if critical else "services"
    return Finding(ok, f"{len({str(s.get('name')) for s in covered})} of {len(names)} {what} have a runbook ({pct(r)})",
                   (covered if ok else scope)[:20], Strength.STRONG if ok else None)


@probe(
    "runbook_diagnostics",
    text="Runbooks embed diagnostics: commands/queries plus diagnosis or remediation steps (>= {min_ratio:.0%})",
    sources=["repo"],
    min_ratio=0.8,
)
def runbook_diagnostics(ev: EvidenceSet) -> Finding:
    items = runbooks(ev)
    if not items:
        return missing(ev, "no runbooks")
    ok = [e for e in items if ((e.get("code_blocks") or 0) >= 1 or (e.get("inline_commands") or 0) >= 2)
          and set(e.get("sections") or []) & DIAG_SECTIONS]
    r = ratio(len(ok), len(items))
    if r >= ev.p("min_ratio"):
        return found(ok, f"{len(ok)} of {len(items)} runbooks embed commands and diagnosis/remediation steps", Strength.STRONG)
    return Finding(False, f"only {len(ok)} of {len(items)} runbooks embed commands with diagnosis/remediation ({pct(r)})")


@probe(
    "runbook_updated_after_incident",
    text="Runbooks get updated after incidents (a runbook change within {within_days} days of a postmortem)",
    sources=["repo", "git", "scm"],
    window_days=365, within_days=7,
)
def runbook_updated_after_incident(ev: EvidenceSet) -> Finding:
    items = runbooks(ev)
    if not items:
        return missing(ev, "no runbooks")
    since = ev.days_ago(ev.p("window_days")).date()
    pms = [e for e in ev.of("doc.postmortem") if not e.get("template") and not e.get("index") and iso_date(e.get("date"))
           and iso_date(e.get("date")) >= since]
    incidents = ev.of("scm.incidents")
    if not pms:
        if incidents and all((i.get("count") or 0) == 0 for i in incidents):
            return found(incidents, "n/a: no incidents were recorded in the window", Strength.WEAK)
        return Finding(None, "not assessed: no dated postmortems in the window to compare runbook changes with")
    git_dated = any(e.get("dates_from") == "git" for e in items)
    hits: list[Evidence] = []
    reviewed: list[Evidence] = []
    # each runbook's dates read once, not once per postmortem (hundreds of each on a large repository)
    dated = [(rb, [iso_date(c) or date.min for c in rb.get("change_dates") or []],
              iso_date(rb.get("last_reviewed")) or date.min) for rb in items]
    for pm in pms:
        start = iso_date(pm.get("date"))
        end = start + timedelta(days=ev.p("within_days"))
        for rb, changed_on, reviewed_on in dated:
            if any(start <= d <= end for d in changed_on):
                hits += [pm, rb]
            elif start <= reviewed_on <= end:
                # a review date, not a change: it counts firmly only when the postmortem is about the same service
                svc = _norm(str(rb.get("service") or ""))
                same = bool(svc) and svc in _norm(f"{pm.locator.path} {pm.get('title')}")
                (hits if same else reviewed).extend([pm, rb])
    if hits:
        return found(hits, f"runbooks changed or reviewed within {ev.p('within_days')} days after "
                           f"{len(hits) // 2} postmortem(s) of their service", Strength.STRONG)
    if reviewed:
        return found(reviewed, "runbooks were reviewed shortly after postmortems (of other services)", Strength.WEAK)
    if not git_dated:
        return Finding(None, f"not assessed, because runbook change dates need full git history ({ev.why_not('git')})")
    return Finding(False, f"no runbook changed within {ev.p('within_days')} days after any of {len(pms)} postmortem(s)", pms)


@probe(
    "runbook_automation",
    text="Key runbook steps are automated (SSM Automation, Azure Automation, Rundeck, StackStorm, dispatchable ops workflows)",
    sources=["repo", "cloud"],
)
def runbook_automation(ev: EvidenceSet) -> Finding:
    items = ev.of("doc.automation")
    if items:
        return found(items, "executable runbooks: " + ", ".join(sorted({str(e.get("tool")) for e in items})))
    return missing(ev, "no executable runbooks")


@probe(
    "runbook_quality_score",
    text="Runbook quality score (structure, diagnostics, freshness) >= 0.75",
    sources=["repo", "git"],
    min_score=0.75, max_age_days=100,
)
def runbook_quality_score(ev: EvidenceSet) -> Finding:
    items = runbooks(ev)
    if not items:
        return missing(ev, "no runbooks")
    since = ev.days_ago(ev.p("max_age_days"))
    scores = []
    for e in items:
        fresh = fresh_state(e, since)
        if fresh is None:
            return Finding(None, "not assessed: the quality score needs runbook dates (git history or last_reviewed)")
        secs = len(set(e.get("sections") or []) & CORE_SECTIONS)
        commands = (e.get("code_blocks") or 0) > 0 or (e.get("inline_commands") or 0) >= 2
        scores.append(0.5 * min(secs, 4) / 4 + 0.25 * commands + 0.25 * fresh)
    score = sum(scores) / len(scores)
    ok = score >= ev.p("min_score")
    return Finding(ok, f"runbook quality score {score:.2f} over {len(items)} runbook(s)", items[:20],
                   Strength.STRONG if ok else None)
