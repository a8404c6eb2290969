"""Probes for WAF-OPS-070 (post-incident review process).

Postmortems count only when they read like incident reviews (impact, timeline, root cause, action
items). When incidents are tracked as issues (an incident issue form exists), the write-ups may
live in the tracker: then the absence of postmortem files says nothing without the platform API.
"""

from __future__ import annotations

from wafops.rules.probes import EvidenceSet, Finding, found, iso_date, missing, pct, probe, ratio, unreadable
from wafops.scanner.core.model import Evidence, Strength

CORE = {"impact", "timeline", "root_cause", "action_items"}


def postmortems(ev: EvidenceSet) -> list[Evidence]:
    return [e for e in ev.of("doc.postmortem") if not e.get("template") and not e.get("index")]


@probe(
    "postmortems_present",
    text="Incidents are written up afterwards (postmortem documents or incident issues)",
    sources=["repo", "scm"],
)
def postmortems_present(ev: EvidenceSet) -> Finding:
    items = postmortems(ev)
    if items:
        return found(items, f"{len(items)} postmortem(s), e.g. {items[0].locator.path}")
    incidents = [e for e in ev.of("scm.incidents") if (e.get("count") or 0) >= 1]
    if incidents:
        return found(incidents, f"{incidents[0].get('count')} incident issue(s) in the tracker", Strength.STRONG)
    forms = ev.of("doc.incident_template")
    if forms:
        # incidents are tracked as issues: the write-ups may be there
        blind = unreadable(ev, "issues")
        if blind is not None:
            return blind
        return missing(ev, "incident issue template exists but no incident issues or postmortems were found",
                       needs=("repo", "scm"))
    return missing(ev, "no postmortems or incident write-ups in the repository")


@probe(
    "postmortem_template",
    text="A postmortem template with impact, timeline, root cause and action items exists",
    sources=["repo"],
)
def postmortem_template(ev: EvidenceSet) -> Finding:
    tpl = [e for e in ev.of("doc.postmortem") if e.get("template") and CORE <= set(e.get("sections") or [])]
    tpl += [e for e in ev.of("doc.incident_template") if CORE <= set(e.get("sections") or [])]
    if tpl:
        return found(tpl, f"postmortem template: {tpl[0].locator.path}")
    items = postmortems(ev)
    full = [e for e in items if CORE <= set(e.get("sections") or [])]
    if len(items) >= 3 and len(full) >= 0.8 * len(items):
        return found(full, f"no template file, but {len(full)} of {len(items)} postmortems share the full structure",
                     Strength.STRONG)
    partial = [e for e in ev.of("doc.postmortem", "doc.incident_template") if e.get("template") or e.kind == "doc.incident_template"]
    if partial:
        return Finding(False, "the postmortem template lacks some of impact, timeline, root cause, action items", partial)
    return missing(ev, "no postmortem template")


@probe(
    "postmortem_conformance",
    text="Postmortems follow the template (all of impact, timeline, root cause, action items) (>= {min_ratio:.0%})",
    sources=["repo"],
    min_ratio=0.8, min_sections=4,
)
def postmortem_conformance(ev: EvidenceSet) -> Finding:
    items = postmortems(ev)
    if not items:
        return missing(ev, "no postmortems")
    ok = [e for e in items if len(CORE & set(e.get("sections") or [])) >= ev.p("min_sections")]
    r = ratio(len(ok), len(items))
    if r >= ev.p("min_ratio"):
        return found(ok, f"{len(ok)} of {len(items)} postmortems have the template sections", Strength.STRONG)
    return Finding(False, f"only {len(ok)} of {len(items)} postmortems have impact, timeline, root cause and action items "
                          f"({pct(r)})", items[:20])


@probe(
    "action_items_tracked",
    text="Postmortem action items are tracked (linked issues or named owners) (>= {min_ratio:.0%})",
    sources=["repo"],
    min_ratio=0.8,
)
def action_items_tracked(ev: EvidenceSet) -> Finding:
    items = postmortems(ev)
    if not items:
        return missing(ev, "no postmortems")
    ok = [e for e in items if (e.get("action_item_links") or 0) >= 1 or e.get("action_items_owned")]
    r = ratio(len(ok), len(items))
    if r >= ev.p("min_ratio"):
        return found(ok, f"{len(ok)} of {len(items)} postmortems link or assign their action items", Strength.STRONG)
    return Finding(False, f"only {len(ok)} of {len(items)} postmortems link or assign action items ({pct(r)})", items[:20])


@probe(
    "postmortem_cadence",
    text="Postmortems are written regularly (>= {min_count} in the last {window_days} days)",
    sources=["repo", "git"],
    window_days=180, min_count=3,
)
def postmortem_cadence(ev: EvidenceSet) -> Finding:
    items = postmortems(ev)
    if not items:
        return missing(ev, "no postmortems")
    since = ev.days_ago(ev.p("window_days")).date()
    recent = [e for e in items if iso_date(e.get("date")) and iso_date(e.get("date")) >= since]
    undated = [e for e in items if not iso_date(e.get("date"))]
    if len(recent) >= ev.p("min_count"):
        return found(recent, f"{len(recent)} postmortem(s) in the last {ev.p('window_days')} days", Strength.STRONG)
    if len(recent) + len(undated) >= ev.p("min_count"):
        return Finding(None, f"not assessed: {len(undated)} postmortem(s) have no date (front matter, file name or "
                             f"full git history); {ev.why_not('git')}")
    return Finding(False, f"{len(recent)} postmortem(s) in the last {ev.p('window_days')} days "
                          f"(needs {ev.p('min_count')})", items[:20])


@probe(
    "incident_trend_reports",
    text="Incident trends are reviewed regularly (monthly reports in >= {min_months} of the last {months} months)",
    sources=["repo"],
    months=6, min_months=5,
)
def incident_trend_reports(ev: EvidenceSet) -> Finding:
    reports = ev.of("doc.incident_trend")
    if not reports:
        return missing(ev, "no incident trend reports")
    months = set()
    for k in range(ev.p("months")):
        d = ev.days_ago(30.4 * k)
        months.add(f"{d.year:04d}-{d.month:02d}")
    seen = {str(e.get("period")) for e in reports if e.get("period")} & months
    ok = len(seen) >= ev.p("min_months")
    return Finding(ok, f"trend reports for {len(seen)} of the last {ev.p('months')} months", reports[:20],
                   Strength.STRONG if ok else None)


@probe(
    "incident_classification",
    text="Incidents are classified so recurring classes can be counted (category in >= {min_ratio:.0%} of postmortems, or labels)",
    sources=["repo", "scm"],
    min_ratio=0.8,
)
def incident_classification(ev: EvidenceSet) -> Finding:
    items = postmortems(ev)
    classified = [e for e in items if e.get("category")]
    if items and ratio(len(classified), len(items)) >= ev.p("min_ratio"):
        return found(classified, f"{len(classified)} of {len(items)} postmortems carry a category", Strength.STRONG)
    labels = [e for e in ev.of("scm.labels", "change.labels")
              if sum(1 for lb in e.get("labels") or [] if str(lb).lower().startswith(("incident:", "incident/", "incident-type"))) >= 2]
    if labels:
        return found(labels, "incident classification labels exist", Strength.STRONG)
    if items:
        return Finding(False, f"only {len(classified)} of {len(items)} postmortems carry a category", items[:20])
    blind = unreadable(ev, "labels")
    if blind is not None:
        return blind
    return missing(ev, "no incident classification", needs=("repo", "scm"))


@probe(
    "action_item_completion",
    text="Postmortem action items are completed (>= {min_ratio:.0%} within their due date)",
    sources=["scm"],
    min_ratio=0.8,
)
def action_item_completion(ev: EvidenceSet) -> Finding:
    data = [e for e in ev.of("scm.incidents") if e.get("action_items_done_ratio") is not None]
    if data:
        r = float(data[0].get("action_items_done_ratio"))
        return Finding(r >= ev.p("min_ratio"), f"{pct(r)} of action items completed", data)
    if ev.usable("scm"):
        return Finding(None, "not assessed: the platform collector reports no action-item completion data")
    return missing(ev, "no action-item data", needs=("scm",))


@probe(
    "repeat_incident_trend",
    text="The repeat-incident rate falls year over year (classified postmortems over >= 12 months)",
    sources=["repo", "git"],
    repeat_window_days=182,
)
def repeat_incident_trend(ev: EvidenceSet) -> Finding:
    items = [e for e in postmortems(ev) if iso_date(e.get("date")) and e.get("category")]
    if not items:
        return missing(ev, "no dated, classified postmortems")
    now = ev.now.date()
    dated = sorted(items, key=lambda e: iso_date(e.get("date")))
    if (now - iso_date(dated[0].get("date"))).days < 365 * 2 - 30:
        return Finding(None, "not assessed: fewer than two years of classified postmortems")

    def rate(start_days: int, end_days: int) -> float | None:
        window = [e for e in dated if start_days >= (now - iso_date(e.get("date"))).days > end_days]
        if not window:
            return None
        repeats = 0
        for e in window:
            d = iso_date(e.get("date"))
            if any(o is not e and o.get("category") == e.get("category") and 0 < (d - iso_date(o.get("date"))).days
                   <= ev.p("repeat_window_days") for o in dated):
                repeats += 1
        return repeats / len(window)

    this, last = rate(365, 0), rate(730, 365)
    if this is None or last is None:
        return Finding(None, "not assessed: one of the two years has no postmortems")
    return Finding(this < last, f"repeat-incident rate {pct(this)} this year vs {pct(last)} the year before", dated[-20:],
                   Strength.STRONG)


@probe(
    "postmortem_archive_searchable",
    text="Postmortems form a searchable archive (index page, consistent date and category metadata)",
    sources=["repo"],
    min_count=5,
)
def postmortem_archive_searchable(ev: EvidenceSet) -> Finding:
    items = postmortems(ev)
    if not items:
        return missing(ev, "no postmortem archive")
    index = [e for e in ev.of("doc.postmortem") if e.get("index")]
    meta = [e for e in items if e.get("date_from") == "front-matter" and e.get("category")]
    if len(items) >= ev.p("min_count") and index and len(meta) >= 0.8 * len(items):
        return found(index + meta, "indexed postmortem archive with consistent front matter", Strength.WEAK)
    return Finding(False, f"{len(items)} postmortem(s), {len(index)} index page(s), {len(meta)} with date and category "
                          "front matter", items[:20])


@probe(
    "incident_auto_linking",
    text="New incidents are linked to past ones automatically (incident tooling, issue workflows)",
    sources=["repo"],
)
def incident_auto_linking(ev: EvidenceSet) -> Finding:
    items = ev.of("doc.incident_tooling")
    if items:
        return found(items, "incident tooling: " + ", ".join(sorted({str(e.get("tool")) for e in items})), Strength.WEAK)
    return missing(ev, "no incident tooling or incident issue automation")
