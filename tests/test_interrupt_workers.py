"""Ctrl-C during the parallel HCL parse leaves no process behind: the workers are stopped and waited for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import write_tree

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or (os.cpu_count() or 1) < 2,
                                reason="needs /proc and two CPUs (the workers start from two)")


def _tf(i: int) -> str:
    return "".join(
        f'resource "aws_cloudwatch_metric_alarm" "a{i}_{j}" {{\n  alarm_name = [for e in var.envs : "errors-${{e}}-{i}{j}"]\n'
        f'  metric_name = "Errors"\n  namespace = "AWS/Lambda"\n  threshold = {j}\n'
        f'  dimensions = {{ FunctionName = "fn-{i}" }}\n  alarm_actions = [var.topic_{j}]\n}}\n\n'
        for j in range(25)
    )


def _session(sid: int) -> list[int]:
    """Pids of the processes in session `sid` (the scan was started as a session leader)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[3]) == sid:  # state, ppid, pgrp, session
            out.append(int(entry))
    return out


def _as_in_a_terminal() -> None:
    """Ctrl-C as a terminal delivers it: a test run as a background job inherits SIGINT ignored, and the
    scan would then (rightly) not be interrupted at all."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _kill_session(proc: subprocess.Popen) -> None:
    """Whatever a failed test left running is killed."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    for pid in _session(proc.pid):
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("to_group", [True, False], ids=["ctrl-c-to-the-group", "sigint-to-the-scan"])
def test_an_interrupted_scan_leaves_no_worker_processes(tmp_path, to_group):
    root = write_tree(tmp_path / "repo", {f"infra/m{i}/main.tf": _tf(i) for i in range(240)})
    cmd = [sys.executable, "-c", "from wafops.scanner.cli import main; main()", "scan", str(root),
           "--no-cache", "--format", "json", "-o", str(tmp_path / "out.json")]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_as_in_a_terminal)
    try:
        deadline = time.monotonic() + 120
        while len(_session(proc.pid)) < 3:  # the scan, the forkserver and at least one worker
            assert proc.poll() is None, "the scan ended before its workers started"
            assert time.monotonic() < deadline, "no worker processes started"
            time.sleep(0.05)
        time.sleep(0.3)  # the workers are parsing now
        if to_group:
            os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        else:
            os.kill(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)
        end = time.monotonic() + 15
        while _session(proc.pid) and time.monotonic() < end:
            time.sleep(0.1)
        assert _session(proc.pid) == []
    finally:
        _kill_session(proc)


def _forked_child(pid: int) -> int | None:
    """The collectors' second process: a child of the scan running the scan's own command line."""
    try:
        mine = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    try:  # the kernel's list of the scan's children: quick to poll (the scan's collector phase is short)
        entries = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        entries = os.listdir("/proc")
    for entry in entries:
        if not entry.isdigit() or int(entry) == pid:
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z" and Path(f"/proc/{entry}/cmdline").read_bytes() == mine:
                return int(entry)
        except OSError:
            continue
    return None


def test_an_interrupted_scan_leaves_no_collector_process(tmp_path):
    """Ctrl-C while the collectors run in two processes: the forked one is stopped and waited for too."""
    files: dict[str, str] = {f"infra/m{i}/main.tf": _tf(i) for i in range(240)}
    # enough files that the two collector processes run for a while after the second one is seen
    files.update({f"src/pkg{i // 100}/mod{i}.py": f"import logging\nlog = logging.getLogger({i})\n" for i in range(4400)})
    root = write_tree(tmp_path / "repo", files)
    cmd = [sys.executable, "-c", "from wafops.scanner.cli import main; main()", "scan", str(root),
           "--parse-cache-dir", str(tmp_path / "cache"), "--format", "json", "-o", str(tmp_path / "out.json")]
    subprocess.run(cmd, check=False, capture_output=True, timeout=300)  # fills the parse cache: no workers now
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_as_in_a_terminal)
    try:
        deadline = time.monotonic() + 120
        while _forked_child(proc.pid) is None:
            assert proc.poll() is None, "the scan ended before the collectors were split over two processes"
            assert time.monotonic() < deadline, "no second collector process started"
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        _out, err = proc.communicate(timeout=60)
        end = time.monotonic() + 15
        while _session(proc.pid) and time.monotonic() < end:
            time.sleep(0.1)
        assert _session(proc.pid) == []
        assert proc.returncode != 0, err.decode(errors="replace")[-2000:]
    finally:
        _kill_session(proc)
