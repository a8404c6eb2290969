"""Probes for WAF-OPS-100 (operational debt register and review).

Informal tracking often lives in the issue tracker (`tech-debt`, `toil` labels), so its absence can
only be concluded when the platform was read. A register file in the repository is direct
evidence; its history (git snapshots at quarter ends) shows whether toil falls and debt is paid
down faster than it grows.
"""

from __future__ import annotations

import re

from wafops.rules.probes import EvidenceSet, Finding, found, iso_date, missing, pct, probe, ratio, unreadable
from wafops.scanner.core.model import Evidence, Strength

DEBT_LABEL_RX = re.compile(r"(?i)(tech(nical)?[-_ ]?debt|ops[-_ ]?debt|operational[-_ ]?debt|\btoil\b|manual[-_ ]process|^debt$|[:/ ]debt$)")


def registers(ev: EvidenceSet) -> list[Evidence]:
    return ev.of("doc.debt_register")


# A scheduled job that reports what needs upkeep (version upgrades, deprecations, stale items, outdated
# dependencies) surfaces debt on a rhythm: informal tracking, and routine upkeep not left to memory.
UPKEEP_REPORT_RX = re.compile(
    r"(?i)upgrad|outdated|deprecat|\bstale|end[-_ ]?of[-_ ]?life|\beol\b|version[-_ ]?(check|update|upgrade|bump|report)|"
    r"dependenc(y|ies)[-_ ]?(check|report|update|audit)|tech[-_ ]?debt|\btoil\b|maintenance[-_ ]?(report|issues?|board)"
)


def upkeep_reports(ev: EvidenceSet) -> list[Evidence]:
    out = list(ev.of("doc.upkeep_filing"))
    filed = {e.locator.path for e in out}
    for p in ev.of("ci.pipeline"):
        if "schedule" not in (p.get("triggers") or []):
            continue
        name = f"{p.get('name') or ''} {(p.locator.path or '').rsplit('/', 1)[-1]}"
        if UPKEEP_REPORT_RX.search(name) and p.locator.path not in filed:
            out.append(p)
    return out


def _tracker_note(ev: EvidenceSet) -> str:
    if ev.usable("scm"):
        return ""
    return " (the issue tracker was not read, so debt labels there are unverified)"


@probe(
    "debt_tracked",
    text="Operational/technical debt is visibly tracked, at least informally: a register or debt document, debt labels or "
         "release-notes sections as code, debt/maintenance issue templates, lint-debt files, scheduled upgrade/deprecation "
         "reports, dependency-update bots, TODO/FIXME/HACK markers (>= min_markers), or debt labels used in the tracker",
    sources=["repo"],
    min_markers=3,
)
def debt_tracked(ev: EvidenceSet) -> Finding:
    regs = registers(ev)
    if regs:
        return found(regs, f"debt register {regs[0].locator.path}")
    docs = ev.of("doc.debt_doc")
    if docs:
        return found(docs, f"technical-debt document {docs[0].locator.path}", Strength.STRONG)
    used = [e for e in ev.of("scm.labels") if (e.get("debt_used_180d") or 0) >= 1]
    if used:
        return found(used, f"debt labels used on {used[0].get('debt_used_180d')} issue(s) in 180 days")
    coded = [e for e in ev.of("change.labels") if any(DEBT_LABEL_RX.search(str(lb)) for lb in e.get("labels") or [])]
    coded += [e for e in ev.of("doc.debt_label") if e.get("debt")]
    if coded:
        return found(coded, "debt labelled as code: " + ", ".join(
            sorted({f"{e.locator.path}" for e in coded})[:3]), Strength.STRONG)
    signals: list[Evidence] = []
    parts: list[str] = []
    lint = ev.of("doc.lint_debt")
    if lint:
        signals += lint
        parts.append(f"lint-debt file {lint[0].locator.path}")
    reports = upkeep_reports(ev)
    if reports:
        signals += reports
        parts.append(f"{len(reports)} scheduled upkeep report(s), e.g. {reports[0].get('name') or reports[0].locator.path}")
    markers = [e for e in ev.of("doc.debt_marker") if (e.get("count") or 0) >= ev.p("min_markers")]
    if markers:
        signals += markers
        m = markers[0]
        parts.append(f"{'>= ' if m.get('capped') else ''}{m.get('count')} TODO/FIXME/HACK marker(s) in {m.get('files')} file(s)")
    bots = ev.of("change.dependency_bot")
    if bots:
        signals += bots
        parts.append(f"{bots[0].get('tool')} keeps dependencies current")
    templates = ev.of("doc.debt_label", via="issue-template")
    if templates:
        signals += templates
        parts.append(f"maintenance issue template {templates[0].locator.path}")
    adrs = [e for e in ev.of("doc.adr") if (e.get("mentions_debt") or 0) >= 1]
    if adrs:
        signals += adrs
        parts.append(f"{adrs[0].get('mentions_debt')} ADR(s) discuss technical debt")
    labels = [e for e in ev.of("scm.labels") if any(DEBT_LABEL_RX.search(str(lb)) for lb in e.get("labels") or [])]
    if labels:
        signals += labels
        parts.append("a debt/toil label exists in the tracker")
    if signals:
        return found(signals, "informal debt tracking: " + "; ".join(parts), Strength.WEAK)
    few = ev.of("doc.debt_marker")
    extra = f" ({few[0].get('count')} TODO marker(s), below {ev.p('min_markers')})" if few else ""
    return missing(ev, "no debt register, debt document, debt labels as code, lint-debt file, upkeep report, dependency "
                       f"bot or TODO/FIXME markers in the repository{extra}" + _tracker_note(ev))


@probe(
    "debt_labels_used",
    text="Debt/toil labels were used on issues in the tracker within 180 days",
    sources=["scm"],
)
def debt_labels_used(ev: EvidenceSet) -> Finding:
    used = [e for e in ev.of("scm.labels") if (e.get("debt_used_180d") or 0) >= 1]
    if used:
        return found(used, f"debt labels used on {used[0].get('debt_used_180d')} issue(s) in 180 days")
    blind = unreadable(ev, "labels", "issues")
    if blind is not None:
        return blind
    return missing(ev, "no debt/toil label used on an issue in 180 days", needs=("scm",))


@probe(
    "debt_recorded_in_repo",
    text="Debt is recorded in the repository: a register or debt document, or debt labels/release-notes sections as code",
    sources=["repo"],
)
def debt_recorded_in_repo(ev: EvidenceSet) -> Finding:
    items = registers(ev) + ev.of("doc.debt_doc")
    items += [e for e in ev.of("change.labels") if any(DEBT_LABEL_RX.search(str(lb)) for lb in e.get("labels") or [])]
    items += [e for e in ev.of("doc.debt_label") if e.get("debt")]
    if items:
        return found(items, "debt recorded as code: " + ", ".join(sorted({e.locator.path or "" for e in items})[:3]),
                     Strength.STRONG)
    return missing(ev, "no debt register, debt document or debt label as code")


@probe(
    "upkeep_automated",
    text="Routine upkeep is automated or scheduled: a dependency-update bot, or scheduled upgrade/deprecation/stale-item reports",
    sources=["repo"],
)
def upkeep_automated(ev: EvidenceSet) -> Finding:
    items = ev.of("change.dependency_bot") + upkeep_reports(ev)
    if items:
        what = sorted({str(e.get("tool")) for e in items if e.kind == "change.dependency_bot"})
        reports = [e for e in items if e.kind != "change.dependency_bot"]
        parts = ([", ".join(what) + " update dependencies"] if what else []) + (
            [f"{len(reports)} scheduled upkeep report(s)"] if reports else [])
        return found(items, "; ".join(parts), Strength.WEAK)
    return missing(ev, "no dependency-update bot and no scheduled upkeep report")


@probe("debt_register_present", text="A version-controlled operational-debt register with entries exists", sources=["repo"])
def debt_register_present(ev: EvidenceSet) -> Finding:
    regs = [e for e in registers(ev) if (e.get("entries") or 0) >= 1]
    if regs:
        return found(regs, f"{regs[0].get('entries')} register entr(y/ies) in {regs[0].locator.path}")
    if registers(ev):
        return Finding(False, "a register file exists but holds no readable entries", registers(ev))
    return missing(ev, "no operational-debt register in the repository")


@probe(
    "register_complete",
    text="Register entries carry every required field (id, title, category, severity, toil hours, owner, dates, status) (>= {min_ratio:.0%})",
    sources=["repo"],
    min_ratio=0.8,
)
def register_complete(ev: EvidenceSet) -> Finding:
    regs = [e for e in registers(ev) if (e.get("entries") or 0) >= 1]
    if not regs:
        return missing(ev, "no register entries")
    total = sum(e.get("entries") for e in regs)
    complete = sum(e.get("complete") or 0 for e in regs)
    r = ratio(complete, total)
    ok = r >= ev.p("min_ratio")
    gaps = sorted({f for e in regs for f in e.get("missing_fields") or []})
    return Finding(ok, f"{complete} of {total} entries complete ({pct(r)})" + ("" if ok else f"; missing: {', '.join(gaps)}"), regs)


@probe("toil_hours_numeric", text="Every open register entry has a numeric weekly toil estimate", sources=["repo"])
def toil_hours_numeric(ev: EvidenceSet) -> Finding:
    regs = [e for e in registers(ev) if (e.get("entries") or 0) >= 1]
    if not regs:
        return missing(ev, "no register entries")
    ok = all(e.get("toil_numeric") for e in regs)
    return Finding(ok, "toil hours are numeric on every open entry" if ok else "some open entries lack a numeric toil estimate", regs)


@probe(
    "register_reviewed",
    text="The register was reviewed or changed within ~{max_age_days} days (last_review field or git)",
    sources=["repo", "git"],
    max_age_days=100,
)
def register_reviewed(ev: EvidenceSet) -> Finding:
    regs = registers(ev)
    if not regs:
        return missing(ev, "no register")
    since = ev.days_ago(ev.p("max_age_days")).date()
    fresh = [e for e in regs if any(d and d >= since for d in (iso_date(e.get("last_review")), iso_date(e.get("last_changed"))))]
    if fresh:
        e = fresh[0]
        return found(fresh, f"register reviewed {e.get('last_review') or 'n/a'}, last changed {e.get('last_changed') or 'n/a'}",
                     Strength.STRONG)
    known = [e for e in regs if e.get("last_review") or e.get("dates_from") == "git"]
    if known:
        return Finding(False, f"register not reviewed or changed within {ev.p('max_age_days')} days", known)
    return Finding(None, f"not assessed: no last_review field and no full git history ({ev.why_not('git')})")


@probe(
    "toil_trend_falling",
    text="Weekly toil hours in the register fall across >= 2 quarters (git snapshots)",
    sources=["repo", "git"],
    min_points=3,
)
def toil_trend_falling(ev: EvidenceSet) -> Finding:
    regs = [e for e in registers(ev) if (e.get("entries") or 0) >= 1]
    if not regs:
        return missing(ev, "no register entries")
    series = [(p.get("date"), p.get("toil_open")) for p in regs[0].get("history") or [] if p.get("toil_open") is not None]
    if len(series) < ev.p("min_points"):
        return Finding(None, f"not assessed: {len(series)} quarterly snapshot(s) of the register in git history "
                             f"(needs {ev.p('min_points')}); {ev.why_not('git')}")
    values = [v for _, v in series]
    falling = values[-1] < values[0] and all(b <= a for a, b in zip(values[-3:], values[-2:], strict=False))
    return Finding(falling, "open toil hours per week at quarter ends: " + ", ".join(f"{d} {v:g}" for d, v in series),
                   regs, Strength.STRONG if falling else None)


@probe(
    "postmortem_register_links",
    text="Postmortem actions flow into the register (entries reference postmortems/incidents)",
    sources=["repo"],
)
def postmortem_register_links(ev: EvidenceSet) -> Finding:
    regs = registers(ev)
    linked = [e for e in regs if (e.get("postmortem_links") or 0) >= 1]
    if linked:
        return found(linked, f"{linked[0].get('postmortem_links')} register entr(y/ies) reference postmortems", Strength.STRONG)
    if regs:
        return Finding(False, "no register entry references a postmortem or incident", regs)
    return missing(ev, "no register")


@probe(
    "paydown_exceeds_creation",
    text="More debt is paid down than created, for the last {quarters} quarters (git snapshots)",
    sources=["repo", "git"],
    quarters=2,
)
def paydown_exceeds_creation(ev: EvidenceSet) -> Finding:
    regs = [e for e in registers(ev) if (e.get("entries") or 0) >= 1]
    if not regs:
        return missing(ev, "no register entries")
    qs = (regs[0].get("quarters") or [])[-ev.p("quarters"):]
    if len(qs) < ev.p("quarters"):
        return Finding(None, f"not assessed: {len(qs)} quarter(s) of register history in git; {ev.why_not('git')}")
    ok = all((q.get("resolved") or 0) > (q.get("created") or 0) for q in qs)
    return Finding(ok, "per quarter resolved/created: " + ", ".join(f"{q['end']} {q['resolved']}/{q['created']}" for q in qs),
                   regs, Strength.STRONG if ok else None)
