"""The command line as a user meets it: scan, report, controls, collectors, exit codes, JSON schema."""

from __future__ import annotations

import json

import jsonschema
import pytest
from click.testing import CliRunner
from wafops.scanner import __version__
from wafops.scanner.cli import main
from wafops.scanner.reports.json_report import validate

from tests.helpers import write_tree

CI_REPO = {
    "README.md": "# svc\n",
    ".github/workflows/ci.yml": (
        "name: ci\non:\n  pull_request:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -e . && pytest -q\n"
    ),
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _scan_json(runner: CliRunner, *args: str) -> dict:
    result = runner.invoke(main, ["scan", *args, "--format", "json", "--as-of", "2026-11-22"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_version(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_scan_json_follows_the_schema_and_covers_all_controls(runner, tmp_path):
    doc = _scan_json(runner, str(write_tree(tmp_path / "svc", CI_REPO)))
    validate(doc)
    (subject,) = doc["subjects"]
    assert subject["id"] == "local:svc"
    assert [c["id"] for c in subject["controls"]] == [f"WAF-OPS-{n:03d}" for n in range(10, 101, 10)]
    ids = {e["id"] for e in doc["evidence"]}
    for control in subject["controls"]:
        assert (control["level"] is None) == (control["status"] == "not_assessed")
        for crit in control["criteria"]:
            assert set(crit["evidence"]) <= ids, "every cited evidence id is in the evidence list"
            if crit["status"] == "met":
                assert crit["evidence"]
    ops010 = subject["controls"][0]
    assert ops010["level"] >= 2  # a PR pipeline running pytest is basic CI


def test_schema_rejects_a_level_without_assessment(runner, tmp_path):
    doc = _scan_json(runner, str(write_tree(tmp_path / "svc", CI_REPO)))
    bad = json.loads(json.dumps(doc))
    ctl = bad["subjects"][0]["controls"][0]
    ctl["status"], ctl["level"] = "not_assessed", 3
    with pytest.raises(jsonschema.ValidationError):
        validate(bad)


def test_folder_of_checkouts_gives_one_subject_each(runner, tmp_path):
    write_tree(tmp_path / "all" / "a", CI_REPO)
    write_tree(tmp_path / "all" / "b", {"README.md": "b\n", "main.py": "print(1)\n"})
    doc = _scan_json(runner, str(tmp_path / "all"))
    assert [s["id"] for s in doc["subjects"]] == ["local:a", "local:b"]
    assert set(doc["summary"]) == {f"WAF-OPS-{n:03d}" for n in range(10, 101, 10)}
    assert sum(doc["summary"]["WAF-OPS-010"]["levels"].values()) + doc["summary"]["WAF-OPS-010"]["not_assessed"] == 2


def test_output_file_and_report_round_trip(runner, tmp_path):
    repo = write_tree(tmp_path / "svc", CI_REPO)
    out = tmp_path / "r.json"
    result = runner.invoke(main, ["scan", str(repo), "--format", "json", "-o", str(out)])
    assert result.exit_code == 0 and out.exists()
    again = runner.invoke(main, ["report", str(out), "--format", "markdown"])
    assert again.exit_code == 0 and "| local:svc |" in again.output
    table = runner.invoke(main, ["report", str(out), "--details"])
    assert table.exit_code == 0 and "WAF-OPS-010" in table.output


def test_table_details_shows_criteria_and_locators(runner, tmp_path):
    repo = write_tree(tmp_path / "svc", CI_REPO)
    result = runner.invoke(main, ["scan", str(repo), "--details"])
    assert result.exit_code == 0
    assert ".github/workflows/ci.yml" in result.output
    assert "not_assessed" in result.output or "not_met" in result.output


def test_usage_errors_exit_2(runner, tmp_path):
    assert runner.invoke(main, ["scan", str(tmp_path / "nope")]).exit_code == 2
    assert runner.invoke(main, ["scan", "bogus:thing"]).exit_code == 2
    assert runner.invoke(main, ["scan", str(tmp_path), "--as-of", "yesterday"]).exit_code == 2
    assert runner.invoke(main, ["controls", "WAF-OPS-555"]).exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert runner.invoke(main, ["report", str(bad)]).exit_code == 2


def test_fail_under_gates_with_exit_1(runner, tmp_path):
    repo = write_tree(tmp_path / "bare", {"README.md": "nothing here\n", "app.py": "print('hi')\n"})
    assert runner.invoke(main, ["scan", str(repo), "--fail-under", "2"]).exit_code == 1
    assert runner.invoke(main, ["scan", str(repo), "--fail-under", "1"]).exit_code == 0


def test_controls_prints_every_criterion_in_words(runner):
    from wafops.rules.catalog import load_catalog

    result = runner.invoke(main, ["controls"])
    assert result.exit_code == 0
    for control in load_catalog():
        assert control.id in result.output
        for crit in control.criteria:
            assert crit.id in result.output
    assert "sources: repo" in result.output and "probe ci_pipeline_defined" in result.output
    one = runner.invoke(main, ["controls", "040"])
    assert one.exit_code == 0 and "WAF-OPS-040" in one.output and "WAF-OPS-010" not in one.output


def test_baseline_regression_gate_and_diff(runner, tmp_path):
    """A scheduled scan fails when a control regresses against the last result; diff says what moved."""
    repo = write_tree(tmp_path / "svc", CI_REPO)
    old = tmp_path / "old.json"
    assert runner.invoke(main, ["scan", str(repo), "--format", "json", "-o", str(old)]).exit_code == 0
    # same repository, nothing changed: no regression
    same = runner.invoke(main, ["scan", str(repo), "--format", "json", "--baseline", str(old), "--fail-on-regression"])
    assert same.exit_code == 0, same.output
    # the PR test job disappears: OPS-010 drops from 2 to 1
    (repo / ".github" / "workflows" / "ci.yml").unlink()
    new = tmp_path / "new.json"
    gated = runner.invoke(main, ["scan", str(repo), "--format", "json", "-o", str(new), "--baseline", str(old),
                                 "--fail-on-regression"])
    assert gated.exit_code == 1
    out = runner.invoke(main, ["diff", str(old), str(new)])
    assert out.exit_code == 0 and "REGRESSION local:svc WAF-OPS-010: 2 -> 1 (down)" in out.output
    assert runner.invoke(main, ["diff", str(old), str(new), "--fail-on-regression"]).exit_code == 1
    assert runner.invoke(main, ["diff", str(old), str(old)]).output.strip() == "no level changed"
    assert runner.invoke(main, ["scan", str(repo), "--fail-on-regression"]).exit_code == 2


def test_config_file_is_checked(runner, tmp_path):
    repo = write_tree(tmp_path / "svc", CI_REPO)
    bad = tmp_path / "bad.yml"
    bad.write_text("thresholds:\n  runbook_freshness: 120\n")
    result = runner.invoke(main, ["scan", str(repo), "--config", str(bad)])
    assert result.exit_code == 2 and "thresholds/runbook_freshness" in result.output
    typo = tmp_path / "typo.yml"
    typo.write_text("treshold: {}\n")
    assert runner.invoke(main, ["scan", str(repo), "--config", str(typo)]).exit_code == 2
    good = tmp_path / "good.yml"
    good.write_text("as_of: 2026-11-22\noptions:\n  production_pattern: '^live$'\n")
    assert runner.invoke(main, ["scan", str(repo), "--config", str(good)]).exit_code == 0


def test_bad_production_pattern_is_a_usage_error(runner, tmp_path):
    repo = write_tree(tmp_path / "svc", CI_REPO)
    result = runner.invoke(main, ["scan", str(repo), "--option", "production_pattern=(prod"])
    assert result.exit_code == 2 and "production_pattern" in result.output
