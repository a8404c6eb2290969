"""From probe findings to criteria, and from criteria to a level per control.

Why it judges this way: an SRE filling in the WAF++ checklist grants a level when its defining
characteristic (the WAF++ table cell) is clearly there and most of its checklist holds; one missing
supporting item does not sink a level, and what could not be seen neither counts for nor against it.

- a criterion is an OR over its probes, in three-valued logic (met / not met / not assessed);
- at level 3 and above, a criterion met only through *weak* evidence is `not_assessed`
  ("cannot confirm"): it may support a level, never define one;
- the gate of level N holds when its defining criteria are met and at least `supporting_share` of its
  assessed supporting criteria are met (weakly met ones count as support), or only one of them is
  missing ("one missing supporting item does not sink a level"); not-assessed criteria
  are left out of the share and listed as unverified, with the sources that would settle them;
- a control is at level N when the gates of levels 2..N all hold (level 1 is the floor);
- `confirmed_level` is the strict floor: every criterion of levels 2..N met;
- gate 2 unknown -> `not_assessed` (no level); a higher gate unknown -> `partially_assessed` with
  a ceiling, the highest level no failed gate rules out.
"""

from __future__ import annotations

from typing import Any

from wafops.rules.catalog import Control, Criterion
from wafops.rules.probes import PROBES, EvidenceSet, Finding
from wafops.scanner.core.model import ControlResult, ControlStatus, CriterionResult, Outcome, Strength


def evaluate_criterion(criterion: Criterion, ev: EvidenceSet, thresholds: dict[str, Any] | None = None) -> CriterionResult:
    thresholds = thresholds or {}
    findings: list[Finding] = []
    for ref in criterion.any_of:
        params = dict(ref.params)
        params.update(thresholds.get(ref.probe, {}))
        params.update(thresholds.get(criterion.id, {}))
        try:
            findings.append(PROBES[ref.probe].run(ev, params))
        except Exception as err:  # a probe bug must not sink the scan; it becomes "not assessed"
            findings.append(Finding(None, f"not assessed, because probe {ref.probe} failed: {err}"))

    met = [f for f in findings if f.outcome is True]
    unknown = [f for f in findings if f.outcome is None]
    base = dict(id=criterion.id, level=criterion.level, text=criterion.render(thresholds), sources=criterion.sources)

    if met:
        evidence = [e for f in met for e in f.evidence]
        strength = max((f.strength for f in met if f.strength), key=lambda s: s.rank, default=None)
        reason = "; ".join(f.reason for f in met)
        if criterion.level >= 3 and strength is Strength.WEAK:
            return CriterionResult(
                **base,
                status=Outcome.NOT_ASSESSED,
                reason=f"cannot confirm: only weak evidence ({reason})",
                evidence=ev.ids(evidence),
                strength=strength,
            )
        return CriterionResult(**base, status=Outcome.MET, reason=reason, evidence=ev.ids(evidence), strength=strength)
    if unknown:
        reasons = [f.reason for f in unknown] + [f.reason for f in findings if f.outcome is False]
        evidence = [e for f in findings for e in f.evidence]
        return CriterionResult(**base, status=Outcome.NOT_ASSESSED, reason="; ".join(reasons), evidence=ev.ids(evidence))
    evidence = [e for f in findings for e in f.evidence]
    return CriterionResult(
        **base, status=Outcome.NOT_MET, reason="; ".join(f.reason for f in findings), evidence=ev.ids(evidence)
    )


def _gate(results: list[CriterionResult], share: float) -> bool | None:
    """One level, judged like an SRE: its defining criteria, and most of its supporting ones.

    True  - every defining criterion met, and the supporting ones substantially met;
    False - a defining criterion not met, or most assessed supporting criteria not met;
    None  - a defining criterion could not be assessed (or only weakly) and nothing rules the level out.
    """
    if not results:
        return None  # no criteria defined: never claim a level nobody specified
    defining = [r for r in results if r.role == "defining"]
    supporting = [r for r in results if r.role != "defining"]
    met = sum(1 for r in supporting if r.status is Outcome.MET or r.weakly_met or r.accepted)
    assessed = met + sum(1 for r in supporting if r.status is Outcome.NOT_MET)
    supported = assessed == 0 or met >= share * assessed or assessed - met <= 1
    if any(r.status is Outcome.NOT_MET and not r.accepted for r in defining) or not supported:
        return False
    if all(r.status is Outcome.MET or r.accepted for r in defining):
        return True
    return None


def _strict_gate(results: list[CriterionResult]) -> bool | None:
    """The auditor's floor: every criterion of the level met."""
    if not results or any(r.status is Outcome.NOT_MET for r in results):
        return False
    return True if all(r.status is Outcome.MET for r in results) else None


def _climb(gates: dict[int, bool | None]) -> tuple[int, int | None]:
    """The highest level whose gates 2..N all hold, and the level at which an unknown gate stopped the climb."""
    level = 1
    for n in range(2, 6):
        if gates[n] is True:
            level = n
            continue
        return level, (n if gates[n] is None else None)
    return level, None


def _confidence(level: int | None, confirmed: int) -> str:
    if level is None:
        return "none"
    gap = level - confirmed
    return "high" if gap <= 0 else "medium" if gap == 1 else "low"


def evaluate_control(
    control: Control, ev: EvidenceSet, thresholds: dict[str, Any] | None = None, share: float | None = None,
    decisions: dict[str, Any] | None = None,
) -> ControlResult:
    """`decisions`: criterion or control id -> a waiver/attestation (scanner/assess/decisions.py) for this subject."""
    decisions = decisions or {}
    today = ev.now.date()
    results = [evaluate_criterion(c, ev, thresholds) for c in control.criteria]
    for r, c in zip(results, control.criteria, strict=True):
        r.role = c.role
        if c.id in decisions:
            r.decision = decisions[c.id].to_json(today)
    share = control.supporting_share if share is None else share
    by_level = {n: [r for r in results if r.level == n] for n in range(2, 6)}
    gates = {n: _gate(by_level[n], share) for n in range(2, 6)}
    level, blocked_at = _climb(gates)
    confirmed, _ = _climb({n: _strict_gate(by_level[n]) for n in range(2, 6)})

    usable = _usable(ev)
    missing_sources = sorted(
        {s for r in results if r.status is Outcome.NOT_ASSESSED for s in r.sources if s not in usable}
    )
    if blocked_at == 2:
        status, out_level = ControlStatus.NOT_ASSESSED, None
    elif blocked_at is not None:
        status, out_level = ControlStatus.PARTIALLY_ASSESSED, level
    else:
        status, out_level = ControlStatus.ASSESSED, level

    ceiling = level
    if status is not ControlStatus.ASSESSED:
        for n in range(level + 1, 6):
            if gates[n] is False:
                break
            ceiling = n

    nxt = level + 1
    next_level = [
        f"{r.text} ({r.status.value.replace('_', ' ')}: {r.reason})"
        for r in results
        if r.level == nxt and r.status is not Outcome.MET
    ]
    pending = [
        {
            "criterion": r.id,
            "level": r.level,
            "role": r.role,
            "reason": r.reason,
            "settle_with": [s for s in r.sources if s not in usable] or list(r.sources),
        }
        for r in results
        if r.status is Outcome.NOT_ASSESSED and r.level <= max(ceiling, level + 1)
    ]
    unverified = [f"L{lv}: {text}" for lv, texts in sorted(control.unverified.items()) for text in texts]
    return ControlResult(
        id=control.id,
        title=control.title,
        level=out_level,
        status=status,
        ceiling=ceiling,
        criteria=results,
        next_level=next_level,
        level_name=control.levels.get(out_level, "") if out_level else "",
        missing_sources=missing_sources,
        unverified=unverified,
        confirmed_level=min(confirmed, out_level) if out_level is not None else None,
        confidence=_confidence(out_level, confirmed),
        pending=pending,
        decision=decisions[control.id].to_json(today) if control.id in decisions else None,
    )


def _usable(ev: EvidenceSet) -> set[str]:
    return {s for s, st in ev.sources.items() if st.usable}
