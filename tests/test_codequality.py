"""GitLab Code Quality report: GitLab's documented fields, stable fingerprints, real file locations."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner
from wafops.scanner.cli import main

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples" / "repos"

# GitLab's documented Code Quality report format (the "Code Quality report format" page of the CI/CD
# testing docs): an array of issues; these fields are required, severity takes one of five values.
GITLAB_CODEQUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {"path": {"type": "string", "minLength": 1},
                               "lines": {"type": "object", "required": ["begin"],
                                         "properties": {"begin": {"type": "integer", "minimum": 1}}}},
            },
        },
    },
}


def _report(tmp_path: Path, name: str) -> list[dict]:
    out = tmp_path / name
    res = CliRunner().invoke(main, ["scan", str(EXAMPLES), "--format", "gitlab-codequality", "-o", str(out)])
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text())


def test_codequality_follows_gitlabs_format_with_stable_fingerprints(tmp_path):
    first = _report(tmp_path, "a.json")
    jsonschema.validate(first, GITLAB_CODEQUALITY)
    assert first and len({i["fingerprint"] for i in first}) == len(first), "fingerprints are unique"
    second = _report(tmp_path, "b.json")
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in second]
    real = [i for i in first if (ROOT / i["location"]["path"]).is_file() and not i["location"]["path"].endswith("README.md")]
    assert len(real) / len(first) >= 0.9
