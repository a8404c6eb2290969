"""Bad input never stops a scan: it becomes a warning that names the file, and the rest goes on.

The repository built here mixes valid files with every kind of bad file we know of (malformed
YAML/HCL/JSON, a binary file named like a config, a file over the size limit, a symlink loop, a
dangling symlink, an unreadable file, a FIFO). The assertions rest on `wafops.scanner.core.files.RepoTree`
and the engine, not on what the real collectors happen to read today, so they stay true while
collectors are added: a small test collector reads every candidate file through the tree, the way
real collectors must.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterable
from pathlib import Path

import pytest
from wafops.collectors.base import CollectContext, Collector
from wafops.scanner.core.files import MAX_FILE_BYTES, RepoTree
from wafops.scanner.core.model import Evidence, Subject
from wafops.scanner.engine import ScanOptions, scan
from wafops.scanner.plugins import Plugins, discover
from wafops.scanner.reports.json_report import to_dict, validate

from tests.helpers import NOW, write_tree

VALID_WORKFLOW = """\
name: ci
on:
  pull_request:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: ruff check .
      - run: pytest -q
"""

VALID_TF = """\
terraform {
  backend "s3" {
    bucket       = "acme-tfstate"
    key          = "shop/terraform.tfstate"
    region       = "eu-central-1"
    use_lockfile = true
  }
}

resource "aws_s3_bucket" "assets" {
  bucket = "acme-shop-assets"
}
"""

VALID_DASHBOARD = '{"title": "shop RED", "schemaVersion": 39, "panels": [{"type": "timeseries", "title": "Requests"}]}'

# Each bad file and a word its warning must contain.
BAD_TEXT_FILES: dict[str, str] = {
    # a tab in the indentation and an unclosed flow sequence
    ".github/workflows/deploy.yml": "name: deploy\non: [push\njobs:\n\tdeploy:\n  runs-on: [ubuntu\n",
    "infra/broken.tf": 'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n\n',  # unclosed block
    "dashboards/broken.json": '{"title": "api", "panels": [ {"type": "graph", } ',
}
EXPECTED_MESSAGES = {
    ".github/workflows/deploy.yml": "malformed YAML",
    "infra/broken.tf": "malformed HCL",
    "dashboards/broken.json": "malformed JSON",
    "monitoring/alerts.yml": "binary",
    "k8s/huge-configmap.yaml": "larger than",
    "ops/loop-a.yml": "cannot read",
    "ops/dangling.yml": "cannot read",
}


def _bad_repo(root: Path) -> Path:
    """A repository with valid files next to every kind of bad file (except the FIFO)."""
    write_tree(
        root,
        {
            "README.md": "# shop\n",
            ".github/workflows/ci.yml": VALID_WORKFLOW,
            "infra/main.tf": VALID_TF,
            "dashboards/red.json": VALID_DASHBOARD,
            **BAD_TEXT_FILES,
            # binary content under a config name (e.g. a mis-committed protobuf or a gzip)
            "monitoring/alerts.yml": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03groups:\x00\xff\xfe",
        },
    )
    huge = root / "k8s/huge-configmap.yaml"
    huge.parent.mkdir(parents=True, exist_ok=True)
    with huge.open("w") as fh:
        line = "  key: " + "x" * 120 + "\n"
        fh.write("data:\n")
        for _ in range(MAX_FILE_BYTES // len(line) + 10):
            fh.write(line)
    ops = root / "ops"
    ops.mkdir()
    # two symlinks pointing at each other: reading either loops (ELOOP)
    os.symlink("loop-b.yml", ops / "loop-a.yml")
    os.symlink("loop-a.yml", ops / "loop-b.yml")
    os.symlink("does-not-exist.yml", ops / "dangling.yml")
    # a directory symlink back to an ancestor: walking must not follow it forever
    os.symlink("..", ops / "parent-loop")
    return root


def _read_everything(tree: RepoTree) -> dict[str, object]:
    """What a diligent collector would do: parse every candidate by its suffix."""
    out: dict[str, object] = {}
    for path in tree.files:
        low = path.lower()
        if low.endswith((".yml", ".yaml")):
            out[path] = tree.yaml_docs(path) or None
        elif low.endswith(".tf"):
            out[path] = tree.hcl(path)
        elif low.endswith(".json"):
            out[path] = tree.json(path)
        else:
            out[path] = tree.text(path)
    return out


class ReadEverythingCollector(Collector):
    """Test collector: reads every file through the tree and reports what parsed."""

    name = "test-read-everything"
    description = "reads every file (tests only)"

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        assert ctx.tree is not None
        for path, parsed in _read_everything(ctx.tree).items():
            if parsed is not None:
                yield ctx.file_evidence("test.parsed", path, line=1, attributes={"name": path})


def _warnings_by_path(warnings: Iterable[object]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for w in warnings:
        path = getattr(w, "path", None)
        if path:
            out.setdefault(path, []).append(w.message)  # type: ignore[attr-defined]
    return out


# ---- RepoTree -------------------------------------------------------------------------------


def test_tree_turns_every_bad_file_into_a_named_warning(tmp_path: Path) -> None:
    tree = RepoTree.scan(_bad_repo(tmp_path / "repo"))
    # the directory symlink loop is not walked into, the file symlinks are listed
    assert not any(f.startswith("ops/parent-loop/") for f in tree.files)
    assert {"ops/loop-a.yml", "ops/dangling.yml"} <= set(tree.files)

    parsed = _read_everything(tree)
    by_path = _warnings_by_path(tree.warnings)
    for path, expected in EXPECTED_MESSAGES.items():
        assert path in by_path, f"no warning for {path}: {tree.warnings}"
        assert any(expected in m for m in by_path[path]), (path, by_path[path])
        assert parsed[path] is None
    # valid files parse and get no warning
    for path in (".github/workflows/ci.yml", "infra/main.tf", "dashboards/red.json", "README.md"):
        assert path not in by_path, by_path.get(path)
        assert parsed[path]
    assert parsed[".github/workflows/ci.yml"][0]["on"]["push"]["branches"] == ["main"]  # type: ignore[index]
    assert "terraform" in parsed["infra/main.tf"]  # type: ignore[operator]


def test_tree_warns_once_per_file_and_caches_the_failure(tmp_path: Path) -> None:
    tree = RepoTree.scan(_bad_repo(tmp_path / "repo"))
    for _ in range(3):
        assert tree.yaml(".github/workflows/deploy.yml") is None
        assert tree.hcl("infra/broken.tf") is None
        assert tree.text("ops/dangling.yml") is None
    paths = [w.path for w in tree.warnings]
    assert paths.count(".github/workflows/deploy.yml") == 1
    assert paths.count("infra/broken.tf") == 1
    assert paths.count("ops/dangling.yml") == 1


def test_tree_warns_for_an_unreadable_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"secrets/ops.yml": "a: 1\n"})
    target = root / "secrets/ops.yml"
    target.chmod(0)
    try:
        try:
            target.read_bytes()
        except PermissionError:
            pass
        else:
            pytest.skip("running as root (or with CAP_DAC_OVERRIDE): chmod 000 files stay readable")
        tree = RepoTree.scan(root)
        assert tree.yaml("secrets/ops.yml") is None
        assert any(w.path == "secrets/ops.yml" and "cannot read" in w.message for w in tree.warnings)
    finally:
        target.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_tree_does_not_block_on_a_fifo(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"README.md": "# x\n"})
    fifo = root / "alerts.yml"
    os.mkfifo(fifo)
    tree = RepoTree.scan(root)
    result: dict[str, object] = {}
    reader = threading.Thread(target=lambda: result.setdefault("docs", tree.yaml_docs("alerts.yml")), daemon=True)
    reader.start()
    reader.join(timeout=2)
    blocked = reader.is_alive()
    if blocked:  # unblock the reader so the test run does not hang
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        reader.join(timeout=5)
    assert not blocked, "reading a FIFO blocked the scan"
    assert result["docs"] == []
    assert any(w.path == "alerts.yml" and "not a regular file" in w.message for w in tree.warnings)


def test_unreadable_file_is_a_warning_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root chmod 000 stays readable, so make the read itself fail the way the OS would."""
    root = write_tree(tmp_path / "repo", {"ok.yml": "a: 1\n", "locked.yml": "b: 2\n"})
    real = os.open

    def denied(path, flags, *args, **kwargs):  # the open itself fails, as for a file root may not read
        if str(path).endswith("locked.yml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    tree = RepoTree.scan(root)
    assert tree.yaml("ok.yml") == {"a": 1}
    assert tree.yaml("locked.yml") is None
    assert any(w.path == "locked.yml" and "cannot read" in w.message and "Permission denied" in w.message
               for w in tree.warnings)


# ---- through the engine ----------------------------------------------------------------------


def test_engine_scan_completes_with_named_warnings_and_valid_evidence(tmp_path: Path) -> None:
    root = _bad_repo(tmp_path / "repo")
    plugins = Plugins(collectors=[ReadEverythingCollector()])
    result = scan([str(root)], ScanOptions(now=NOW, layout="single", jobs=1), plugins)

    assert len(result.subjects) == 1
    sr = result.subjects[0]
    by_path = _warnings_by_path(sr.warnings)
    for path, expected in EXPECTED_MESSAGES.items():
        assert any(expected in m for m in by_path.get(path, [])), (path, by_path.get(path))
    assert all(w.source == "repo" for w in sr.warnings)
    parsed = {e.locator.path for e in sr.evidence if e.kind == "test.parsed"}
    assert {".github/workflows/ci.yml", "infra/main.tf", "dashboards/red.json", "README.md"} <= parsed
    assert not parsed & set(EXPECTED_MESSAGES)
    # a file skipped as too large is not absence: the source is partial and says which (issue 8)
    assert sr.sources["repo"].status.value == "partial"
    assert "k8s/huge-configmap.yaml" in sr.sources["repo"].reason and "ops/dangling.yml" not in sr.sources["repo"].reason

    doc = to_dict(result)
    validate(doc)
    paths = {w.get("path") for w in doc["warnings"]}
    assert set(EXPECTED_MESSAGES) <= paths


def test_engine_keeps_going_when_a_collector_raises(tmp_path: Path) -> None:
    class Exploding(Collector):
        name = "test-exploding"

        def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
            yield ctx.file_evidence("test.parsed", "README.md", attributes={"name": "first"})
            raise RuntimeError("boom while parsing infra/broken.tf")

    root = _bad_repo(tmp_path / "repo")
    plugins = Plugins(collectors=[Exploding(), ReadEverythingCollector()])
    result = scan([str(root)], ScanOptions(now=NOW, layout="single", jobs=1), plugins)
    sr = result.subjects[0]
    assert any("test-exploding failed" in w.message and "boom" in w.message for w in sr.warnings)
    # the other collector's evidence survives
    assert any(e.locator.path == "infra/main.tf" for e in sr.evidence)
    validate(to_dict(result))


def test_real_collectors_survive_the_bad_repository(tmp_path: Path) -> None:
    """Whatever collectors are installed: no collector crashes, warnings only name bad files."""
    root = _bad_repo(tmp_path / "repo")
    plugins = discover()
    assert plugins.collectors, "no collectors registered"
    result = scan([str(root)], ScanOptions(now=NOW, layout="single", jobs=1), plugins)
    sr = result.subjects[0]
    crashed = [w.message for w in sr.warnings if " failed: " in w.message and w.message.startswith("collector ")]
    assert not crashed, crashed
    valid = {".github/workflows/ci.yml", "infra/main.tf", "dashboards/red.json", "README.md"}
    for w in sr.warnings:
        assert w.path not in valid, (w.path, w.message)
    assert sr.sources["repo"].status.value in ("ok", "partial")
    validate(to_dict(result))
