"""The `wafops` command leaves quickly (no heap teardown) but exactly as `main` would.

`entry` runs the exit handlers, flushes the output streams and leaves with click's exit code; these
tests run it as the console script does, in a subprocess, and check what a user and a CI job rely on:
exit codes, a complete report on stdout and in the output file, and the parse cache's size estimate
(an exit handler) written.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "repos"
ENTRY = [sys.executable, "-c", "from wafops.scanner.cli import entry; entry()"]


def _run(*args: str, env_cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ)
    if env_cache is not None:
        env["WAFOPS_PARSE_CACHE_DIR"] = str(env_cache)
    return subprocess.run([*ENTRY, *args], capture_output=True, text=True, timeout=300, env=env)


def test_a_failed_gate_exits_1_with_the_whole_report_written(tmp_path):
    out = tmp_path / "result.json"
    done = _run("scan", str(EXAMPLES), "--format", "json", "-o", str(out), "--fail-under", "5")
    assert done.returncode == 1, done.stderr
    assert "gate failed" in done.stderr
    assert len(json.loads(out.read_text())["subjects"]) == 3


def test_the_report_on_stdout_is_complete_and_usage_errors_exit_2(tmp_path):
    done = _run("scan", str(EXAMPLES / "shop-api"), "--format", "json", env_cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["subjects"][0]["id"] == "local:shop-api"
    assert (tmp_path / "cache" / ".usage").read_text().strip().isdigit()  # the cache's exit handler ran
    bad = _run("scan", "--no-such-option")
    assert bad.returncode == 2 and "no such option" in bad.stderr.lower()


def test_ctrl_c_while_the_report_is_written_exits_130_not_1(monkeypatch):
    """Outside the engine's own handling, click would turn KeyboardInterrupt into "Aborted!" and exit 1,
    which the README gives to a failed gate."""
    from click.testing import CliRunner
    from wafops.scanner import cli

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_report", interrupted)
    result = CliRunner().invoke(cli.main, ["scan", str(EXAMPLES / "shop-api"), "--format", "json"])
    assert result.exit_code == 130, result.output


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the dropped interrupt, on purpose
def test_a_ctrl_c_dropped_in_a_finalizer_still_exits_130(monkeypatch):
    """Python drops a KeyboardInterrupt raised inside a `__del__`; the scan then ran to its end and exited 0."""
    import os
    import signal
    import time

    from click.testing import CliRunner
    from wafops.scanner import cli

    class Finalized:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)  # the handler runs here: its KeyboardInterrupt is printed and dropped

    real = cli._run_scan

    def run(*args, **kwargs):
        Finalized()
        return real(*args, **kwargs)

    monkeypatch.setattr(cli, "_run_scan", run)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal (CI may ignore SIGINT)
    try:
        result = CliRunner().invoke(cli.main, ["scan", str(EXAMPLES / "shop-api"), "--format", "json"])
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Python's handler is back
    finally:
        signal.signal(signal.SIGINT, before)
    assert result.exit_code == 130, result.output
    assert json.loads(result.stdout)["subjects"]  # the report is whole: the scan had finished
