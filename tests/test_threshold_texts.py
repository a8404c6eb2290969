"""Thresholds live in one place: criterion and probe texts are rendered from the parameters in force,
so `wafops controls` and every report say the number the scan used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from wafops.rules.catalog import CatalogError, ProbeRef, _check_placeholders
from wafops.scanner.cli import main

SHOP = Path(__file__).parent.parent / "examples" / "repos" / "shop-api"


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "wafops.yml"
    cfg.write_text("thresholds:\n  runbook_freshness: {max_age_days: 120}\n  ops070-cadence: {min_count: 7}\n")
    return cfg


def test_controls_show_the_thresholds_in_force(tmp_path):
    default = CliRunner().invoke(main, ["controls", "060"]).output
    assert "within 100 days" in default and "120" not in default
    custom = CliRunner().invoke(main, ["controls", "060", "--config", str(_config(tmp_path))]).output
    assert "within 120 days" in custom and "within 100 days" not in custom


def test_results_carry_the_texts_with_the_thresholds_the_scan_used(tmp_path):
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["scan", str(SHOP), "--config", str(_config(tmp_path)), "--format", "json",
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    crits = {c["id"]: c for s in json.loads(out.read_text())["subjects"] for k in s["controls"] for c in k["criteria"]}
    assert "within 120 days" in crits["ops060-fresh"]["text"]
    assert crits["ops070-cadence"]["text"].startswith(">= 7 postmortems")


def test_a_text_naming_an_unknown_threshold_is_a_catalog_error():
    with pytest.raises(CatalogError, match="min_ration"):
        _check_placeholders("x.yaml", "c", "at least {min_ration:.0%}", [ProbeRef("runbook_freshness")])
