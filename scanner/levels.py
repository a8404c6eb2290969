"""From probe findings to criteria, and from criteria to a level per control.

Rules (design note 2.1):
- a criterion is an OR over its probes, in three-valued logic (met / not met / not assessed);
- at level 3 and above, a criterion met only through *weak* evidence is `not_assessed`
  ("cannot confirm"), never met;
- the gate of level N is the AND of its criteria; a control is at level N when the gates of
  levels 2..N all hold (level 1 is the floor and needs no evidence);
- gate 2 unknown -> `not_assessed` (no level); a higher gate unknown -> `partially_assessed` with
  a ceiling, the highest level no failed gate rules out.
"""

from __future__ import annotations

from typing import Any

from rules.catalog import Control, Criterion
from rules.probes import PROBES, EvidenceSet, Finding
from scanner.model import ControlResult, ControlStatus, CriterionResult, Outcome, Strength


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
    base = dict(id=criterion.id, level=criterion.level, text=criterion.text, sources=criterion.sources)

    if met:
        evidence = [e for f in met for e in f.evidence]
        strength = max((f.strength for f in met if f.strength), key=lambda s: s.rank, default=None)
        reason = "; ".join(f.reason for f in met)
        if criterion.level >= 3 and strength is Strength.WEAK:
            return CriterionResult(
                **base,
                status=Outcome.NOT_ASSESSED,
                reason=f"cannot confirm: only weak evidence ({reason})",
                evidence=_ids(evidence),
                strength=strength,
            )
        return CriterionResult(**base, status=Outcome.MET, reason=reason, evidence=_ids(evidence), strength=strength)
    if unknown:
        reasons = [f.reason for f in unknown] + [f.reason for f in findings if f.outcome is False]
        evidence = [e for f in findings for e in f.evidence]
        return CriterionResult(**base, status=Outcome.NOT_ASSESSED, reason="; ".join(reasons), evidence=_ids(evidence))
    evidence = [e for f in findings for e in f.evidence]
    return CriterionResult(
        **base, status=Outcome.NOT_MET, reason="; ".join(f.reason for f in findings), evidence=_ids(evidence)
    )


def _ids(items: list[Any]) -> list[str]:
    seen: dict[str, None] = {}
    for e in items:
        seen.setdefault(e.id, None)
    return list(seen)


def evaluate_control(control: Control, ev: EvidenceSet, thresholds: dict[str, Any] | None = None) -> ControlResult:
    results = [evaluate_criterion(c, ev, thresholds) for c in control.criteria]
    gates: dict[int, bool | None] = {}
    for level in range(2, 6):
        statuses = [r.status for r in results if r.level == level]
        if any(s is Outcome.NOT_MET for s in statuses):
            gates[level] = False
        elif any(s is Outcome.NOT_ASSESSED for s in statuses):
            gates[level] = None
        elif statuses:
            gates[level] = True
        else:
            gates[level] = None  # no criteria defined: never claim a level nobody specified

    level = 1
    blocked_at: int | None = None
    for n in range(2, 6):
        if gates[n] is True:
            level = n
            continue
        if gates[n] is None:
            blocked_at = n
        break

    missing_sources = sorted(
        {s for r in results if r.status is Outcome.NOT_ASSESSED for s in r.sources if s not in _usable(ev)}
    )
    if blocked_at == 2:
        status, out_level = ControlStatus.NOT_ASSESSED, None
    elif blocked_at is not None:
        status, out_level = ControlStatus.PARTIALLY_ASSESSED, level
    else:
        status, out_level = ControlStatus.ASSESSED, level

    if status is ControlStatus.ASSESSED:
        ceiling = level
    else:
        ceiling = level
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
    )


def _usable(ev: EvidenceSet) -> set[str]:
    return {s for s, st in ev.sources.items() if st.usable}
