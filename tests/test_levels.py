"""Level evaluation: three-valued gates, weak evidence, ceilings, not assessed vs level 1."""

from __future__ import annotations

import pytest

from rules.catalog import Control, Criterion, ProbeRef
from rules.probes import PROBES, EvidenceSet, Finding, Probe, missing
from scanner.levels import evaluate_control
from scanner.model import ControlStatus, Evidence, Locator, Outcome, Strength
from tests.helpers import NOW, sources


def _ev(kind: str, strength: Strength = Strength.DIRECT) -> Evidence:
    return Evidence(kind=kind, subject="local:t", source="repo", locator=Locator(path=f"{kind}.yml", line=1), strength=strength)


@pytest.fixture
def toy_probes():
    """Register probes that find evidence of kind `toy.<n>`; absence needs the source named in params."""
    added = []

    def make(n: int) -> None:
        pid = f"toy_{n}"

        def fn(ev: EvidenceSet, n: int = n) -> Finding:
            items = ev.of(f"toy.{n}")
            if items:
                return Finding(True, f"found toy.{n}", items)
            return missing(ev, f"no toy.{n}", needs=(ev.p("needs", "repo"),))

        PROBES[pid] = Probe(pid, f"toy {n}", ("repo",), fn, {})
        added.append(pid)

    for n in range(2, 6):
        make(n)
    yield
    for pid in added:
        PROBES.pop(pid, None)


def _control(needs: dict[int, str] | None = None) -> Control:
    needs = needs or {}
    crits = tuple(
        Criterion(f"c{n}", n, f"criterion {n}", (ProbeRef(f"toy_{n}", {"needs": needs.get(n, "repo")}),)) for n in range(2, 6)
    )
    return Control("WAF-OPS-999", "Toy", "", {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}, crits, {})


def _run(control: Control, evidence: list[Evidence], **states: str):
    return evaluate_control(control, EvidenceSet(evidence, sources(**(states or {"repo": "ok"})), NOW))


def test_nothing_found_in_a_scanned_source_is_level_1_assessed(toy_probes):
    r = _run(_control(), [])
    assert (r.level, r.status, r.ceiling) == (1, ControlStatus.ASSESSED, 1)
    assert r.next_level and "criterion 2" in r.next_level[0]


def test_levels_are_cumulative(toy_probes):
    # level 4 evidence without level 3 evidence stays at level 2
    r = _run(_control(), [_ev("toy.2"), _ev("toy.4")])
    assert r.level == 2 and r.status is ControlStatus.ASSESSED


def test_all_levels_met(toy_probes):
    r = _run(_control(), [_ev(f"toy.{n}") for n in range(2, 6)])
    assert (r.level, r.status, r.level_name) == (5, ControlStatus.ASSESSED, "five")
    assert all(c.status is Outcome.MET and c.evidence for c in r.criteria)


def test_unscanned_source_at_level_2_is_not_assessed_not_level_1(toy_probes):
    r = _run(_control({2: "github"}), [], repo="ok")
    assert r.level is None and r.status is ControlStatus.NOT_ASSESSED
    crit = r.criteria[0]
    assert crit.status is Outcome.NOT_ASSESSED and "github" in crit.reason
    assert "repo" not in r.missing_sources


def test_unscanned_source_higher_up_gives_partial_with_ceiling(toy_probes):
    # level 3 cannot be decided (github not read); level 5 is ruled out by a scanned absence
    r = _run(_control({3: "github"}), [_ev("toy.2"), _ev("toy.4")])
    assert (r.level, r.status, r.ceiling) == (2, ControlStatus.PARTIALLY_ASSESSED, 4)


def test_weak_evidence_cannot_confirm_level_3(toy_probes):
    r = _run(_control(), [_ev("toy.2", Strength.WEAK), _ev("toy.3", Strength.WEAK)])
    c2, c3 = r.criteria[0], r.criteria[1]
    assert c2.status is Outcome.MET  # weak is fine at level 2
    assert c3.status is Outcome.NOT_ASSESSED and "cannot confirm" in c3.reason
    assert r.level == 2 and r.status is ControlStatus.PARTIALLY_ASSESSED


def test_a_crashing_probe_is_not_assessed_not_a_crash(toy_probes):
    def boom(ev):
        raise RuntimeError("bug")

    PROBES["toy_boom"] = Probe("toy_boom", "boom", ("repo",), boom, {})
    try:
        ctl = Control("WAF-OPS-998", "Boom", "", {}, (Criterion("b2", 2, "b", (ProbeRef("toy_boom"),)),), {})
        r = _run(ctl, [])
        assert r.status is ControlStatus.NOT_ASSESSED and "probe toy_boom failed" in r.criteria[0].reason
    finally:
        PROBES.pop("toy_boom")


def test_thresholds_reach_the_probe(toy_probes):
    ctl = _control()
    ev = EvidenceSet([], sources(repo="ok"), NOW)
    r = evaluate_control(ctl, ev, thresholds={"c2": {"needs": "aws"}})
    assert r.criteria[0].status is Outcome.NOT_ASSESSED and "aws" in r.criteria[0].reason


def test_catalog_has_all_ten_controls_with_criteria_at_every_level():
    from rules.catalog import load_catalog

    cat = load_catalog()
    assert [c.id for c in cat] == [f"WAF-OPS-{n:03d}" for n in range(10, 101, 10)]
    for c in cat:
        assert all(c.at(level) for level in range(2, 6)), c.id
        assert set(c.levels) == {1, 2, 3, 4, 5}
