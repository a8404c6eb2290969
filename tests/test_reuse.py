"""A re-scan reuses a collector's outcome only when nothing it depends on changed (wafops.scanner.reuse).

Why: a reused outcome is evidence nobody read in this scan. These tests hold the promise an auditor relies
on: a changed, added or removed file, other options, other code, a failure or a moving clock means the
collector runs again; and what is replayed is what a fresh scan finds.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from wafops.scanner import reuse, runner
from wafops.scanner.cli import main
from wafops.scanner.reports import json_report

from tests.helpers import write_tree
from tests.test_examples import EXAMPLES
from tests.test_hcl_blocks import _without_times

TREE = {
    "README.md": "# shop\n\nRunbook: docs/runbooks/checkout.md\n",
    "docs/runbooks/checkout.md": "# Checkout runbook\n\n## Alerts\n\n## Rollback\n\nkubectl rollout undo\n",
    "infra/alarms.tf": ('resource "aws_cloudwatch_metric_alarm" "errors" {\n  alarm_name = "checkout-5xx"\n'
                        '  threshold = 5\n  alarm_actions = ["arn:aws:sns:eu-west-1:1:pager"]\n}\n'),
    ".github/workflows/ci.yml": ("on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                                 "      - uses: actions/checkout@v4\n      - run: make test\n"),
}
COLLECTORS = ["alerting", "change", "ci", "deploy", "docs", "iac", "observability"]


@pytest.fixture(autouse=True)
def _reuse_on(monkeypatch):
    monkeypatch.setattr(reuse, "ENABLED", True)
    monkeypatch.setattr(reuse, "RACY_NS", 0)  # the files these tests write are seconds old


def _scan(target: Path, *extra: str, code: int = 0) -> dict:
    result = CliRunner().invoke(main, ["scan", str(target), "--format", "json", "--all-evidence", *extra])
    assert result.exit_code == code, result.output[-2000:]
    doc = json.loads(result.stdout)
    json_report.validate(doc)
    return doc


def _reused(doc: dict) -> list[list[str]]:
    return [s.get("reused", []) for s in doc["subjects"]]


def _same(a: dict, b: dict) -> bool:
    strip = [{**s, "reused": []} for s in a["subjects"]], [{**s, "reused": []} for s in b["subjects"]]
    return _without_times({**a, "subjects": strip[0]}) == _without_times({**b, "subjects": strip[1]})


def test_a_rescan_of_unchanged_examples_replays_what_a_fresh_scan_finds():
    first = _scan(EXAMPLES)
    again = _scan(EXAMPLES)
    assert _reused(first) == [[]] * len(first["subjects"])
    assert all(set(r) == set(COLLECTORS) for r in _reused(again)), _reused(again)
    assert _same(first, again)


def test_reuse_in_two_processes_replays_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "MIN_FILES", 0)  # the forked path, as on a large checkout
    root = write_tree(tmp_path / "shop", TREE)
    first = _scan(root)
    again = _scan(root)
    assert set(_reused(again)[0]) == set(COLLECTORS)
    assert _same(first, again)


def _changed(root: Path) -> None:
    """The same size and the same modification time: only the content and the change time differ."""
    path = root / "infra/alarms.tf"
    before = path.stat()
    path.write_text(path.read_text().replace("threshold = 5", "threshold = 9"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns


@pytest.mark.parametrize("change", ["content", "added", "removed", "mode"])
def test_any_change_to_the_files_runs_every_collector(tmp_path, change):
    root = write_tree(tmp_path / "shop", TREE)
    _scan(root)
    if change == "content":
        _changed(root)
    elif change == "added":
        write_tree(root, {"docs/postmortems/2026-01-outage.md": "# Postmortem\n\n## Timeline\n"})
    elif change == "removed":
        (root / "docs/runbooks/checkout.md").unlink()
    else:
        (root / "README.md").chmod(0o600)
    again = _scan(root)
    assert _reused(again) == [[]]
    fresh = _scan(root, "--no-cache")
    assert _same(again, fresh)
    if change == "content":
        bodies = [e["attributes"]["body"] for e in again["evidence"] if e["kind"] == "iac.resource"]
        assert bodies and bodies[0]["threshold"] == 9, bodies


def test_other_options_or_other_code_run_every_collector(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "shop", TREE)
    _scan(root)
    assert _reused(_scan(root, "--option", "production_pattern=live")) == [[]]
    monkeypatch.setattr(reuse, "code_version", lambda: "another wafops")
    assert _reused(_scan(root)) == [[]]


def test_no_cache_neither_reads_nor_keeps_outcomes(tmp_path):
    root = write_tree(tmp_path / "shop", TREE)
    _scan(root, "--no-cache")
    assert _reused(_scan(root)) == [[]]
    assert _reused(_scan(root, "--no-cache")) == [[]]


def test_files_changed_just_before_the_scan_keep_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(reuse, "RACY_NS", 2_000_000_000)  # a change in one clock tick would not show
    root = write_tree(tmp_path / "shop", TREE)
    _scan(root)
    assert _reused(_scan(root)) == [[]]


def test_a_failed_collector_is_not_kept_and_runs_again(tmp_path, monkeypatch):
    from wafops.collectors.repo.alerting import AlertingCollector

    root = write_tree(tmp_path / "shop", TREE)
    real = AlertingCollector.collect

    def broken(self, subject, ctx):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(AlertingCollector, "collect", broken)
    failed = _scan(root, code=3)  # the repository source failed: the scan could not complete
    assert any("disk on fire" in w["message"] for w in failed["warnings"])
    monkeypatch.setattr(AlertingCollector, "collect", real)
    again = _scan(root)
    assert set(_reused(again)[0]) == set(COLLECTORS) - {"alerting"}
    assert _same(again, _scan(root, "--no-cache"))


def test_an_entry_that_does_not_load_is_a_miss(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "shop", TREE)
    _scan(root)
    real = reuse.Reuse.lookup

    def spoiled(self):
        for key in self.keys.values():
            self.cache.put(reuse.KIND, key, b"not a pickle")
        return real(self)

    monkeypatch.setattr(reuse.Reuse, "lookup", spoiled)
    assert _reused(_scan(root)) == [[]]


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-10-01T10:00:00Z", "GIT_COMMITTER_DATE": "2026-10-01T10:00:00Z",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def test_history_readers_are_reused_only_under_the_same_clock(tmp_path):
    """History windows are counted back from the scan's clock: another clock (the next scan without
    --as-of, here another --as-of) runs the history readers again; the file readers do not care."""
    root = write_tree(tmp_path / "shop", TREE)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "first")
    _scan(root, "--as-of", "2026-11-01")
    assert set(_reused(_scan(root, "--as-of", "2026-11-02"))[0]) == set(COLLECTORS) - {"docs"}
    assert set(_reused(_scan(root, "--as-of", "2026-11-02"))[0]) == set(COLLECTORS)
    _git(root, "commit", "-q", "--allow-empty", "-m", "second")  # a new HEAD: the history changed
    assert _reused(_scan(root, "--as-of", "2026-11-01")) == [[]]  # (the subject's commit is in every key)


class _Planted:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_entry_never_runs_code(tmp_path, monkeypatch):
    """An entry that is not an outcome wafops wrote (a CI cache restored from elsewhere) is a miss: its
    unpickler builds only wafops' result records, so nothing in it runs."""
    import pickle

    root = write_tree(tmp_path / "shop", TREE)
    _scan(root)
    marker = tmp_path / "pwned"
    real = reuse.Reuse.lookup

    def planted(self):
        for key in self.keys.values():
            self.cache.put(reuse.KIND, key, pickle.dumps(_Planted(marker)))
        return real(self)

    monkeypatch.setattr(reuse.Reuse, "lookup", planted)
    assert _reused(_scan(root)) == [[]]
    assert not marker.exists()


def test_the_markdown_and_html_reports_say_what_was_reused():
    from wafops.scanner.reports import html, markdown

    first, again = _scan(EXAMPLES), _scan(EXAMPLES)
    for render in (markdown.render, html.render):
        assert "reused from an earlier scan" not in render(first)
        assert "reused from an earlier scan" in render(again)
