"""Waivers and attestations: recorded decisions are shown in every format, never hidden; an expired
waiver shows as expired; an attestation never raises the confirmed level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from wafops.scanner.cli import main

LEGACY = Path(__file__).parent.parent / "examples" / "repos" / "legacy-billing"
CONFIG = """
waivers:
  - criterion: ops010-tests-on-pr
    subjects: "local:legacy-*"
    reason: billing is frozen until the 2027 rewrite
    owner: platform-team
    expires: 2027-03-31
  - control: "040"
    subjects: "*"
    reason: alerting moves to the shared platform in Q1
    owner: sre-lead
    expires: 2027-01-15
attestations:
  - criterion: ops070-writeups
    subjects: "*"
    evidence: https://wiki.example.com/incidents/2026
    owner: head-of-ops
    date: 2026-10-01
"""


def _scan(tmp_path: Path, as_of: str, fmt: str = "json", *extra: str) -> tuple[int, str]:
    cfg = tmp_path / "wafops.yml"
    cfg.write_text(CONFIG)
    out = tmp_path / f"out.{fmt}"
    res = CliRunner().invoke(main, ["scan", str(LEGACY), "--config", str(cfg), "--as-of", as_of, "--format", fmt,
                                    "-o", str(out), *extra])
    return res.exit_code, out.read_text() if out.exists() else res.output


def _controls(text: str) -> dict[str, dict]:
    return {c["id"]: c for c in json.loads(text)["subjects"][0]["controls"]}


def _crit(control: dict, cid: str) -> dict:
    return next(c for c in control["criteria"] if c["id"] == cid)


def test_an_active_waiver_counts_for_the_estimate_only_and_is_shown(tmp_path):
    code, text = _scan(tmp_path, "2026-12-01")
    assert code == 0
    c = _controls(text)
    ops010 = c["WAF-OPS-010"]
    assert _crit(ops010, "ops010-tests-on-pr")["decision"]["state"] == "waived"
    assert ops010["level"] == 2 and ops010["confirmed_level"] == 1
    assert c["WAF-OPS-040"]["decision"]["state"] == "waived"


def test_an_attestation_never_raises_the_confirmed_level(tmp_path):
    _, text = _scan(tmp_path, "2026-12-01")
    ops070 = _controls(text)["WAF-OPS-070"]
    crit = _crit(ops070, "ops070-writeups")
    assert crit["decision"]["state"] == "attested" and crit["status"] != "met", "attested is never observed"
    assert ops070["level"] == 2 and ops070["confirmed_level"] == 1


def test_an_expired_waiver_stops_applying_the_day_after_and_shows_as_expired(tmp_path):
    _, on_the_day = _scan(tmp_path, "2027-03-31")
    assert _controls(on_the_day)["WAF-OPS-010"]["level"] == 2
    _, after = _scan(tmp_path, "2027-04-01")
    ops010 = _controls(after)["WAF-OPS-010"]
    assert _crit(ops010, "ops010-tests-on-pr")["decision"]["state"] == "waiver_expired"
    assert ops010["level"] == 1


@pytest.mark.parametrize("fmt", ["markdown", "sarif", "html", "gitlab-codequality", "table"])
def test_every_format_shows_waived_and_expired(tmp_path, fmt):
    extra = ("--details",) if fmt == "table" else ()
    _, active = _scan(tmp_path, "2026-12-01", fmt, *extra)
    assert "waived until 2027-03-31 by platform-team" in active.replace("\n", " ").replace("  ", " ") or \
        "waived until" in active, fmt
    _, expired = _scan(tmp_path, "2027-04-01", fmt, *extra)
    assert "waiver expired" in expired, fmt


def test_a_waived_control_is_left_out_of_the_gate(tmp_path):
    code, _ = _scan(tmp_path, "2026-12-01", "json", "--fail-under", "1")
    assert code == 0
    code, _ = _scan(tmp_path, "2026-12-01", "json", "--fail-under", "2")
    assert code == 1  # other controls are still below 2
    doc = _controls(_scan(tmp_path, "2026-12-01")[1])
    assert doc["WAF-OPS-040"]["level"] == 1, "waiving the control does not change its level, only the gate"


def test_sarif_marks_waived_gaps_as_suppressed(tmp_path):
    _, text = _scan(tmp_path, "2026-12-01", "sarif")
    results = json.loads(text)["runs"][0]["results"]
    waived = [r for r in results if r["properties"]["control"] == "WAF-OPS-040"]
    assert waived and all(r["suppressions"][0]["kind"] == "external" for r in waived)


@pytest.mark.parametrize("bad, message", [
    ("waivers: [{criterion: ops010-tests-on-pr, reason: r, expires: 2027-01-01}]", "needs owner"),
    ("waivers: [{criterion: ops010-test-on-pr, reason: r, owner: o, expires: 2027-01-01}]", "did you mean 'ops010-tests-on-pr'"),
    ("waivers: [{criterion: ops010-tests-on-pr, reason: r, owner: o, expires: soon}]", "is not a date"),
    ("attestations: [{criterion: ops070-writeups, owner: o, date: 2026-01-01, evidence: wiki}]", "does not match"),
    ("waivers: [{criterion: ops010-tests-on-pr, reson: r, owner: o, expires: 2027-01-01}]", "reson"),
])
def test_config_mistakes_are_usage_errors_with_a_clear_message(tmp_path, bad, message):
    cfg = tmp_path / "wafops.yml"
    cfg.write_text(bad)
    res = CliRunner().invoke(main, ["scan", str(LEGACY), "--config", str(cfg), "--format", "json"])
    assert res.exit_code == 2 and message in res.output, res.output
