"""The GitHub Action and the GitLab CI template run these exact commands (read from action.yml and
.gitlab/wafops.gitlab-ci.yml), here against the examples: the reports are written, the exit status is
wafops' own, and only a passing run moves the baseline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples" / "repos"


def _action_scan_step() -> dict:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    return next(s for s in action["runs"]["steps"] if s.get("id") == "scan")


def _gitlab_job() -> dict:
    return yaml.safe_load((ROOT / ".gitlab" / "wafops.gitlab-ci.yml").read_text())["wafops"]


def _env(extra: dict[str, str]) -> dict[str, str]:
    bindir = str(Path(shutil.which("wafops") or Path(sys.executable).parent / "wafops").parent)
    return {**os.environ, "PATH": bindir + os.pathsep + os.environ["PATH"], **extra}


def _run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_action_scan_step_writes_reports_and_keeps_only_passing_baselines(tmp_path):
    step = _action_scan_step()
    assert "${{" not in step["run"], "inputs reach the script through env, never pasted into the shell"
    env = {k: v for k, v in step["env"].items() if "${{" not in str(v)}
    outputs, summary = tmp_path / "gh_output", tmp_path / "summary.md"
    base = _env({**env, "WAFOPS_TARGETS": str(EXAMPLES), "WAFOPS_CONFIG": "", "WAFOPS_FAIL_UNDER": "",
                 "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)})

    first = _run(step["run"], tmp_path, base)
    assert first.returncode == 0, first.stderr
    assert "status=0" in outputs.read_text()
    out = tmp_path / "wafops-out"
    sarif = json.loads((out / "wafops.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert "WAF-OPS maturity" in summary.read_text()
    kept = tmp_path / ".wafops-baseline" / "wafops.json"
    assert json.loads(kept.read_text())["subjects"], "a passing run becomes the baseline"

    # a failing gate: reports still written, status 1, baseline untouched
    before = kept.read_text()
    outputs.write_text("")
    failing = _run(step["run"], tmp_path, {**base, "WAFOPS_FAIL_UNDER": "5"})
    assert failing.returncode == 0, "the scan step records the status; the Gate step fails the job"
    assert "status=1" in outputs.read_text()
    assert (out / "wafops.sarif").is_file() and kept.read_text() == before


def test_gitlab_template_writes_code_quality_and_gates_on_the_baseline(tmp_path):
    job = _gitlab_job()
    assert job["artifacts"]["reports"]["codequality"] == "wafops-out/gl-code-quality-report.json"
    assert job["cache"]["when"] == "on_success"
    script = "\n".join(job["script"])
    env = _env({**{k: str(v) for k, v in job["variables"].items()}, "WAFOPS_TARGETS": str(EXAMPLES)})
    first = _run(script, tmp_path, env)
    assert first.returncode == 0, first.stderr
    report = json.loads((tmp_path / "wafops-out" / "gl-code-quality-report.json").read_text())
    assert report and {"fingerprint", "severity", "location"} <= set(report[0])

    # make the kept baseline claim a higher level: the next run is a regression and exits 1
    kept = tmp_path / ".wafops-baseline" / "wafops.json"
    doc = json.loads(kept.read_text())
    control = next(c for c in doc["subjects"][0]["controls"] if c["level"] is not None and c["level"] < 5)
    control["level"] += 1
    kept.write_text(json.dumps(doc))
    second = _run(script, tmp_path, env)
    assert second.returncode == 1, second.stderr
    assert "regress" in second.stderr.lower()
