"""Baselines written before the level model v2 (schema_version 1) still gate: a scheduled scan must keep
comparing after an upgrade, not stop with a usage error."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from wafops.scanner.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples" / "repos"


def _v1_from(doc: dict) -> dict:
    """What version 1 wrote for the same scan: its levels were the strict floor, without the v2 fields."""
    old = json.loads(json.dumps(doc))
    old["schema_version"] = "1"
    for s in old["subjects"]:
        for c in s["controls"]:
            c["level"] = c.pop("confirmed_level")
            c.pop("confidence"), c.pop("unverified")
            for cr in c["criteria"]:
                cr.pop("role", None)
    return old


def test_a_version_1_baseline_is_read_and_gates(tmp_path):
    now = tmp_path / "now.json"
    assert CliRunner().invoke(main, ["scan", str(EXAMPLES), "--format", "json", "-o", str(now)]).exit_code == 0
    base = tmp_path / "v1.json"
    base.write_text(json.dumps(_v1_from(json.loads(now.read_text()))))
    for strict in ((), ("--strict",)):
        res = CliRunner().invoke(main, ["scan", str(EXAMPLES), "--format", "json", "-o", str(tmp_path / "x.json"),
                                        "--baseline", str(base), "--fail-on-regression", *strict])
        assert res.exit_code == 0, res.output
    assert CliRunner().invoke(main, ["diff", str(base), str(now)]).exit_code == 0

    # a real drop against the old baseline still fails the gate
    old = json.loads(base.read_text())
    ctl = next(c for s in old["subjects"] for c in s["controls"] if c["level"] is not None and c["level"] < 5)
    ctl["level"] += 1
    base.write_text(json.dumps(old))
    res = CliRunner().invoke(main, ["scan", str(EXAMPLES), "--format", "json", "-o", str(tmp_path / "y.json"),
                                    "--baseline", str(base), "--fail-on-regression", "--strict"])
    assert res.exit_code == 1 and ctl["id"] in res.output
