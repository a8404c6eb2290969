"""Issue 8, files: nothing unreadable counts as absence; local scans never leave the checkout."""

from __future__ import annotations

import json
import os
import pathlib

import pytest
from click.testing import CliRunner
from wafops.scanner.cli import main
from wafops.scanner.core import files
from wafops.scanner.core.files import RepoTree
from wafops.scanner.engine import ScanOptions, scan

from tests.helpers import write_tree

CI_REPO = {
    "README.md": "# svc\n",
    ".github/workflows/ci.yml": (
        "name: ci\non:\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: pytest -q\n"
    ),
}


def _subject(tmp_path, files_: dict) -> dict:
    repo = write_tree(tmp_path / "svc", files_)
    r = CliRunner().invoke(main, ["scan", str(repo), "--format", "json", "--as-of", "2026-11-22"])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def _ops010(doc: dict) -> dict:
    return next(c for c in doc["subjects"][0]["controls"] if c["id"] == "WAF-OPS-010")


def _repo_source(doc: dict) -> dict:
    return next(s for s in doc["subjects"][0]["sources"] if s["source"] == "repo")


def test_unreadable_workflow_is_not_absence(tmp_path, monkeypatch):
    """Workflows unreadable (permissions): repo is partial and OPS-010 is not lowered to level 1."""
    baseline = _ops010(_subject(tmp_path / "a", CI_REPO))
    assert baseline["level"] >= 2
    real = os.open

    def denied(path, flags, *args, **kwargs):  # the open itself fails, as for a file root may not read
        if "workflows" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    doc = _subject(tmp_path / "b", CI_REPO)
    src = _repo_source(doc)
    assert src["status"] == "partial" and ".github/workflows/ci.yml (cannot read: Permission denied)" in src["reason"]
    ops010 = _ops010(doc)
    assert ops010["level"] != 1
    l2 = [c for c in ops010["criteria"] if c["level"] == 2]
    assert l2 and all(c["status"] == "not_assessed" for c in l2 if c["status"] != "met")
    assert any("could not be read" in c["reason"] for c in l2)
    # only controls of the collectors that asked for the file are affected
    (item,) = [e for e in doc["evidence"] if e["kind"] == "repo.unreadable"]
    affected = set(item["attributes"]["controls"])
    assert "ci" in item["attributes"]["readers"] and "WAF-OPS-010" in affected
    for c in doc["subjects"][0]["controls"]:
        if any("could not be read" in cr["reason"] for cr in c["criteria"]):
            assert c["id"] in affected or "*" in affected or any(
                "could not be read" in cr["reason"] and cr["id"].split("-")[0] != c["id"][-3:] for cr in c["criteria"])


def test_oversized_and_undecodable_files_are_recorded(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100)
    root = write_tree(tmp_path / "r", {"big.yml": "a: 1\n" * 100, "latin.md": b"caf\xe9\n", "ok.md": "fine\n",
                                       "bin.dat": b"\x00\x01"})
    tree = RepoTree.scan(root)
    tree.reader = "docs"
    assert tree.text("big.yml") is None
    assert tree.text("latin.md") == "caf\ufffd\n"
    assert tree.text("ok.md") == "fine\n" and tree.text("bin.dat") is None
    assert set(tree.unread) == {"big.yml", "latin.md"}
    assert "larger than" in tree.unread["big.yml"] and "UTF-8" in tree.unread["latin.md"]
    tree.reader = "ci"
    tree.text("big.yml")  # asked again by another collector: both are named
    assert tree.unread_by["big.yml"] == {"docs", "ci"}


def test_undecodable_workflow_makes_repo_partial(tmp_path):
    broken = dict(CI_REPO)
    broken[".github/workflows/deploy.yml"] = b"name: deploy\n# \xff\xfe\n"
    doc = _subject(tmp_path, broken)
    assert _repo_source(doc)["status"] == "partial"
    assert any(e["kind"] == "repo.unreadable" for e in doc["evidence"])


def test_symlinks_out_of_the_checkout_are_skipped(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Runbook\nrestart the service\n")
    repo = write_tree(tmp_path / "svc", {"README.md": "# svc\n", "docs/runbooks/inside.md": "# Runbook\nok\n"})
    os.symlink(outside / "secret.md", repo / "docs" / "runbooks" / "linked.md")
    os.symlink("/etc/passwd", repo / "docs" / "runbooks" / "passwd.md")
    os.symlink(repo / "README.md", repo / "docs" / "readme-link.md")  # inside: kept
    tree = RepoTree.scan(repo)
    assert "docs/runbooks/linked.md" not in tree.files and "docs/runbooks/passwd.md" not in tree.files
    assert "docs/readme-link.md" in tree.files
    assert sum("outside the checkout" in w.message for w in tree.warnings) == 2
    # a link swapped in after the walk is not followed either
    os.symlink("/etc/passwd", repo / "late.md")
    tree.files.append("late.md")
    assert tree.text("late.md") is None
    result = scan([str(repo)], ScanOptions(jobs=1))
    locators = {str(e.locator) for sr in result.subjects for e in sr.evidence}
    assert not any("passwd" in loc or "linked" in loc for loc in locators)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unlistable_directory_is_unread(tmp_path):
    repo = write_tree(tmp_path / "svc", CI_REPO)
    locked = repo / "docs"
    locked.mkdir()
    locked.chmod(0)
    try:
        tree = RepoTree.scan(repo)
        assert "docs/" in tree.unread
    finally:
        locked.chmod(0o755)


def _line_of_reference(text, pattern, start):
    """What line_of answered before it was made linear: every line from the top, one by one."""
    import re

    rx = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start and rx.search(line):
            return number
    return None


def test_line_of_answers_like_the_line_by_line_scan():
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    patterns = st.one_of(
        st.text(alphabet="ab:x \n", max_size=4),
        st.sampled_from([re.compile(p) for p in (r"a:\s*b", r"^a", r"x$", r"(?i)AB", r"b\b", r"a|x:", r":\s*['\"]?ab")]),
    )

    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet="ab\n\r\x0c:x\u2028 '\"", max_size=80), patterns, st.integers(0, 12))
    def check(text, pattern, start):
        tree = RepoTree(pathlib.Path("/nonexistent"))
        tree._text["f"] = text
        assert tree.line_of("f", pattern, start) == _line_of_reference(text, pattern, start)

    check()


def test_locating_many_alert_rules_is_linear(tmp_path):
    """4,000 rules located one by one in one file took 14.9 s (each lookup scanned the file from the top)."""
    import re

    def checks(n: int) -> int:
        text = "".join(f"  - alert: Rule{i:05d}\n    expr: up == 0\n" for i in range(n))
        tree = RepoTree(tmp_path)
        tree._text["rules.yml"] = text
        for i in range(n):
            rx = re.compile(rf"alert:\s*['\"]?{re.escape(f'Rule{i:05d}')}\b")
            assert tree.line_of("rules.yml", rx) == 2 * i + 1
        return tree.line_checks

    assert checks(500) <= 500 and checks(4000) <= 4000  # one line tried per rule, not every line above it
