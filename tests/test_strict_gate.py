"""`--strict`: gates read the confirmed level (every criterion met), not the estimate."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from wafops.scanner.cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "repos" / "platform-core"


def _doc(tmp_path: Path) -> dict:
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--format", "json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text())


def test_strict_fail_under_reads_the_confirmed_level(tmp_path):
    doc = _doc(tmp_path)
    assessed = [c for c in doc["subjects"][0]["controls"] if c["level"] is not None]
    estimate_floor = min(c["level"] for c in assessed)
    confirmed_floor = min(c["confirmed_level"] for c in assessed)
    assert confirmed_floor < estimate_floor, "the example must have a level that is not yet confirmed"
    assert all(c["confirmed_level"] <= c["level"] for c in assessed)

    gate = ["scan", str(EXAMPLE), "--format", "json", "-o", str(tmp_path / "g.json"), "--fail-under", str(estimate_floor)]
    assert CliRunner().invoke(main, gate).exit_code == 0
    strict = CliRunner().invoke(main, [*gate, "--strict"])
    assert strict.exit_code == 1, strict.output
