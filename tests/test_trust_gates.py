"""Issue 8, gates and exit codes: the gate cannot be fooled, and the result is never lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from wafops.scanner.cli import main

from tests.helpers import write_tree

CI_REPO = {
    "README.md": "# svc\n",
    ".github/workflows/ci.yml": (
        "name: ci\non:\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: pytest -q\n"
    ),
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _scan(runner: CliRunner, *args: str):
    return runner.invoke(main, ["scan", *args, "--as-of", "2026-11-22"])


def _result(runner: CliRunner, repo: Path, out: Path) -> dict:
    r = _scan(runner, str(repo), "--format", "json", "-o", str(out))
    assert r.exit_code == 0, r.output
    return json.loads(out.read_text())


def test_level_to_not_assessed_is_a_regression_unless_allowed(runner, tmp_path):
    """3 -> n/a must fail the gate, or an outage week hides the next real drop."""
    repo = write_tree(tmp_path / "svc", CI_REPO)
    doc = _result(runner, repo, tmp_path / "now.json")
    subject = doc["subjects"][0]
    ctl = next(c for c in subject["controls"] if c["level"] is None)  # not assessed in a local scan
    ctl["level"], ctl["status"], ctl["ceiling"] = 3, "assessed", None
    base = tmp_path / "base.json"
    base.write_text(json.dumps(doc))
    gated = _scan(runner, str(repo), "--format", "json", "--baseline", str(base), "--fail-on-regression")
    assert gated.exit_code == 1
    assert f"{subject['id']} {ctl['id']}: 3 -> n/a (no longer assessed)" in gated.stderr
    allowed = _scan(runner, str(repo), "--format", "json", "--baseline", str(base), "--fail-on-regression",
                    "--allow-missing")
    assert allowed.exit_code == 0, allowed.stderr
    # the diff command applies the same gate
    assert runner.invoke(main, ["diff", str(base), str(tmp_path / "now.json"), "--fail-on-regression"]).exit_code == 1
    assert runner.invoke(main, ["diff", str(base), str(tmp_path / "now.json"), "--fail-on-regression",
                                "--allow-missing"]).exit_code == 0


def test_a_subject_that_disappears_is_a_regression(runner, tmp_path):
    write_tree(tmp_path / "all" / "a", CI_REPO)
    write_tree(tmp_path / "all" / "b", CI_REPO)
    base = tmp_path / "base.json"
    _result(runner, tmp_path / "all", base)
    import shutil

    shutil.rmtree(tmp_path / "all" / "b")
    write_tree(tmp_path / "all" / "c", CI_REPO)
    gated = _scan(runner, str(tmp_path / "all"), "--layout", "collection", "--format", "json", "--baseline", str(base),
                  "--fail-on-regression")
    assert gated.exit_code == 1
    assert "local:b WAF-OPS-010: 2 -> missing (missing)" in gated.stderr
    allowed = _scan(runner, str(tmp_path / "all"), "--layout", "collection", "--format", "json", "--baseline", str(base),
                    "--fail-on-regression", "--allow-missing")
    assert allowed.exit_code == 0, allowed.stderr


def test_gates_fail_when_nothing_was_scanned(runner, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _scan(runner, str(empty), "--layout", "collection", "--format", "json").exit_code == 0
    under = _scan(runner, str(empty), "--layout", "collection", "--format", "json", "--fail-under", "1")
    assert under.exit_code == 1 and "no subject was scanned" in under.stderr
    base = tmp_path / "base.json"
    _result(runner, write_tree(tmp_path / "svc", CI_REPO), base)
    gated = _scan(runner, str(empty), "--layout", "collection", "--format", "json", "--baseline", str(base),
                  "--fail-on-regression", "--allow-missing")
    assert gated.exit_code == 1 and "no subject was scanned" in gated.stderr


def test_fail_under_names_subject_control_and_level(runner, tmp_path):
    repo = write_tree(tmp_path / "bare", {"README.md": "x\n", "app.py": "print(1)\n"})
    r = _scan(runner, str(repo), "--fail-under", "2")
    assert r.exit_code == 1 and "local:bare WAF-OPS-010: level 1, below 2" in r.stderr


def test_unwritable_output_goes_to_a_fallback_and_exits_3(runner, tmp_path):
    repo = write_tree(tmp_path / "svc", CI_REPO)
    r = _scan(runner, str(repo), "--format", "json", "-o", str(tmp_path / "nonexistent" / "dir" / "x.json"),
              "--fail-under", "5")
    assert r.exit_code == 3, r.output
    assert "Traceback" not in r.output
    line = next(x for x in r.stderr.splitlines() if "written to" in x)
    fallback = line.rsplit("written to ", 1)[1].strip()
    doc = json.loads(Path(fallback).read_text())
    assert doc["subjects"][0]["id"] == "local:svc"
    os.unlink(fallback)


def test_broken_pipe_is_no_traceback(tmp_path):
    repo = write_tree(tmp_path / "svc", {**CI_REPO, **{f"docs/f{i}.md": "x\n" * 50 for i in range(200)}})
    p = subprocess.Popen([sys.executable, "-m", "wafops.scanner.cli", "scan", str(repo), "--format", "json", "--details"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_a_source_outage_for_every_subject_exits_3(runner, tmp_path, monkeypatch):
    from wafops.scanner.engine import ScanSourceError

    def outage(*a, **k):
        raise ScanSourceError("github:acme: GitHub API error (GET /orgs/acme/repos: 502 Bad Gateway)", "github")

    monkeypatch.setattr("wafops.scanner.engine.scan", outage)
    out = tmp_path / "r.json"
    r = _scan(runner, "github:acme", "--format", "json", "-o", str(out))
    assert r.exit_code == 3 and "502" in r.stderr
    doc = json.loads(out.read_text())  # still a result, saying why it is empty
    assert doc["subjects"] == [] and doc["complete"] is False and "502" in doc["warnings"][0]["message"]


def _workflow_script() -> str:
    wf = yaml.safe_load(Path("docs/ci/wafops-weekly.yml").read_text())
    step = next(s for s in wf["jobs"]["scan"]["steps"] if s.get("name") == "scan")
    return step["run"].replace("${{ github.repository_owner }}", "acme")


@pytest.mark.parametrize(("code", "moves"), [(0, True), (1, False), (3, False)])
def test_weekly_workflow_keeps_the_last_passing_baseline(tmp_path, code, moves):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "wafops"
    fake.write_text(f'#!/bin/sh\nif [ "$1" = scan ]; then echo new > wafops.json; exit {code}; fi\nexit 0\n')
    fake.chmod(0o755)
    work = tmp_path / "w"
    work.mkdir()
    (work / "wafops-baseline.json").write_text("passing\n")
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary")}
    r = subprocess.run(["bash", "-e", "-c", _workflow_script()], cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == code
    assert (work / "wafops-baseline.json").read_text() == ("new\n" if moves else "passing\n")
