"""Probes for WAF-OPS-100 (operational debt register and review).

Informal tracking often lives in the issue tracker (`tech-debt`, `toil` labels), so its absence can
only be concluded when the platform was read. A register file in the repository is direct
evidence; its history (git snapshots at quarter ends) shows whether toil falls and debt is paid
down faster than it grows.
"""

from __future__ import annotations

import re

from rules.probes import EvidenceSet, Finding, found, iso_date, missing, pct, probe, ratio, unreadable
from scanner.model import Evidence, Strength

DEBT_LABEL_RX = re.compile(r"(?i)(tech(nical)?[-_ ]?debt|ops[-_ ]?debt|operational[-_ ]?debt|\btoil\b|manual[-_ ]process|^debt$|[:/ ]debt$)")


def registers(ev: EvidenceSet) -> list[Evidence]:
    return ev.of("doc.debt_register")


@probe(
    "debt_tracked",
    text="Operational/technical debt is tracked at least informally (labels, debt document, ADRs, a register)",
    sources=["repo", "github", "gitlab"],
)
def debt_tracked(ev: EvidenceSet) -> Finding:
    regs = registers(ev)
    if regs:
        return found(regs, f"debt register {regs[0].locator.path}")
    used = [e for e in ev.of("scm.labels") if (e.get("debt_used_180d") or 0) >= 1]
    if used:
        return found(used, f"debt labels used on {used[0].get('debt_used_180d')} issue(s) in 180 days")
    docs = ev.of("doc.debt_doc")
    if docs:
        return found(docs, f"technical-debt document {docs[0].locator.path}", Strength.STRONG)
    labels = [e for e in ev.of("change.labels", "scm.labels") if any(DEBT_LABEL_RX.search(str(lb)) for lb in e.get("labels") or [])]
    if labels:
        return found(labels, "a debt/toil label exists", Strength.STRONG if labels[0].kind == "change.labels" else Strength.WEAK)
    adrs = [e for e in ev.of("doc.adr") if (e.get("mentions_debt") or 0) >= 1]
    if adrs:
        return found(adrs, f"{adrs[0].get('mentions_debt')} ADR(s) discuss technical debt", Strength.WEAK)
    blind = unreadable(ev, "labels", "issues")
    if blind is not None:
        return blind
    return missing(ev, "no debt labels, debt documents or registers", needs=("repo", "github|gitlab"))


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
    text="Register entries carry every required field (id, title, category, severity, toil hours, owner, dates, status) (>= 80 %)",
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
    text="The register was reviewed or changed within ~100 days (last_review field or git)",
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
    text="More debt is paid down than created, for the last 2 quarters (git snapshots)",
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
