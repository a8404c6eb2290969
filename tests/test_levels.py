"""Level evaluation: three-valued gates, weak evidence, ceilings, not assessed vs level 1."""

from __future__ import annotations

import pytest
from wafops.rules.catalog import Control, Criterion, ProbeRef
from wafops.rules.probes import PROBES, EvidenceSet, Finding, Probe, missing
from wafops.scanner.assess.levels import evaluate_control
from wafops.scanner.core.model import ControlStatus, Evidence, Locator, Outcome, Strength

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
    from wafops.rules.catalog import load_catalog

    cat = load_catalog()
    assert [c.id for c in cat] == [f"WAF-OPS-{n:03d}" for n in range(10, 101, 10)]
    for c in cat:
        assert all(c.at(level) for level in range(2, 6)), c.id
        assert set(c.levels) == {1, 2, 3, 4, 5}


# --- level model v2: defining and supporting criteria ----------------------------------------------


@pytest.fixture
def level3_probes():
    """toy_d2 defines level 2; toy_d3 defines level 3; toy_s3a/b/c support level 3. Each finds `toy.<name>`."""
    names = ["d2", "d3", "s3a", "s3b", "s3c", "d4", "d5"]
    for name in names:
        def fn(ev: EvidenceSet, name: str = name) -> Finding:
            items = ev.of(f"toy.{name}")
            if items:
                return Finding(True, f"found toy.{name}", items)
            return missing(ev, f"no toy.{name}", needs=(ev.p("needs", "repo"),))

        PROBES[f"toy_{name}"] = Probe(f"toy_{name}", name, ("repo", "github"), fn, {})
    yield
    for name in names:
        PROBES.pop(f"toy_{name}", None)


def _v2_control(needs: dict[str, str] | None = None, share: float = 0.5) -> Control:
    needs = needs or {}

    def crit(name: str, level: int, role: str) -> Criterion:
        return Criterion(name, level, f"criterion {name}", (ProbeRef(f"toy_{name}", {"needs": needs.get(name, "repo")}),),
                         role=role)

    crits = (crit("d2", 2, "defining"), crit("d3", 3, "defining"), crit("s3a", 3, "supporting"),
             crit("s3b", 3, "supporting"), crit("s3c", 3, "supporting"), crit("d4", 4, "defining"),
             crit("d5", 5, "defining"))
    return Control("WAF-OPS-997", "Toy v2", "", {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}, crits, {},
                   supporting_share=share)


def test_one_missing_supporting_item_does_not_sink_a_level(level3_probes):
    r = _run(_v2_control(), [_ev("toy.d2"), _ev("toy.d3"), _ev("toy.s3a"), _ev("toy.s3b")])
    assert r.level == 3, "defining met and 2 of 3 supporting met: substantially met"
    assert r.confirmed_level == 2, "the strict floor still needs every criterion"
    assert r.confidence == "medium"


def test_most_supporting_items_missing_sink_the_level(level3_probes):
    r = _run(_v2_control(), [_ev("toy.d2"), _ev("toy.d3"), _ev("toy.s3a")])
    assert r.level == 2 and r.status is ControlStatus.ASSESSED


def test_the_share_is_configurable(level3_probes):
    r = _run(_v2_control(share=1.0), [_ev("toy.d2"), _ev("toy.d3"), _ev("toy.s3a")])
    assert r.level == 2
    r = _run(_v2_control(share=0.3), [_ev("toy.d2"), _ev("toy.d3"), _ev("toy.s3a")])
    assert r.level == 3


def test_a_lone_supporting_item_missing_does_not_sink_a_level(level3_probes):
    r = _run(_v2_control({"s3b": "github", "s3c": "github"}), [_ev("toy.d2"), _ev("toy.d3")])
    assert r.level == 3 and r.confirmed_level == 2


def test_a_missing_defining_criterion_sinks_the_level_whatever_the_support(level3_probes):
    r = _run(_v2_control(), [_ev("toy.d2"), _ev("toy.s3a"), _ev("toy.s3b"), _ev("toy.s3c")])
    assert r.level == 2 and r.confirmed_level == 2


def test_unread_supporting_criteria_never_lower_a_level_and_are_listed_unverified(level3_probes):
    r = _run(_v2_control({"s3b": "github", "s3c": "github"}), [_ev("toy.d2"), _ev("toy.d3"), _ev("toy.s3a")])
    assert r.level == 3 and r.status is ControlStatus.ASSESSED
    assert r.confirmed_level == 2
    pending = {u["criterion"]: u for u in r.pending}
    assert set(pending) == {"s3b", "s3c"}
    assert pending["s3b"]["settle_with"] == ["github"] and pending["s3b"]["role"] == "supporting"
    doc = r.to_json()
    assert doc["unverified"][0]["criterion"] in {"s3b", "s3c"} and doc["confirmed_level"] == 2


def test_an_unread_defining_criterion_stops_the_climb_with_a_ceiling(level3_probes):
    r = _run(_v2_control({"d3": "github"}), [_ev("toy.d2"), _ev("toy.s3a"), _ev("toy.s3b"), _ev("toy.s3c")])
    assert (r.level, r.status, r.ceiling) == (2, ControlStatus.PARTIALLY_ASSESSED, 3)


def test_weak_evidence_supports_but_never_defines_level_3(level3_probes):
    weak = Strength.WEAK
    only_weak_defining = [_ev("toy.d2"), _ev("toy.d3", weak), _ev("toy.s3a"), _ev("toy.s3b")]
    assert _run(_v2_control(), only_weak_defining).level == 2
    weak_support = [_ev("toy.d2"), _ev("toy.d3"), _ev("toy.s3a", weak), _ev("toy.s3b", weak)]
    r = _run(_v2_control(), weak_support)
    assert r.level == 3 and r.confirmed_level == 2
    assert all(c.weakly_met for c in r.criteria if c.id in ("s3a", "s3b"))


def test_only_an_unread_level_2_defining_criterion_makes_the_control_not_assessed(level3_probes):
    r = _run(_v2_control({"d2": "github"}), [_ev("toy.d3")])
    assert r.level is None and r.status is ControlStatus.NOT_ASSESSED and r.confidence == "none"


def test_every_level_of_the_catalog_has_a_defining_criterion_and_roles_are_valid():
    from wafops.rules.catalog import ROLES, load_catalog

    for c in load_catalog():
        for level in range(2, 6):
            assert any(cr.role == "defining" for cr in c.at(level)), (c.id, level)
        assert all(cr.role in ROLES for cr in c.criteria)


def test_controls_command_shows_defining_supporting_and_the_rule():
    from click.testing import CliRunner
    from wafops.scanner.cli import main

    out = CliRunner().invoke(main, ["controls", "090"]).output
    assert "defining:" in out and "supporting:" in out and "How levels combine" in out
    assert "ops090-scheduled" in out.split("Level 3")[1].split("supporting:")[0], "the daily check defines level 3"
