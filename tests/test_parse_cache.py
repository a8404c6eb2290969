"""The persistent parse cache: cached parses give the same evidence as fresh ones, a corrupt entry is a
miss, concurrent writers never leave a broken entry, `--no-cache` writes nothing, the size cap holds."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from wafops.scanner.cli import main
from wafops.scanner.core import files, parse_cache
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.parse_cache import ParseCache
from wafops.scanner.engine import ScanOptions, scan

from tests.helpers import write_tree

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "repos"
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def _evidence(result) -> list[tuple]:
    return sorted(
        (e.kind, e.subject, e.source, str(e.locator), json.dumps(e.attributes, sort_keys=True, default=str),
         str(e.strength), e.summary)
        for sr in result.subjects for e in sr.evidence
    )


def _scan_examples() -> list[tuple]:
    files._CONTENT_CACHE.clear()  # what this process parsed before must not hide the disk cache
    return _evidence(scan([str(EXAMPLES)], ScanOptions(now=NOW, jobs=1)))


def test_cached_parses_give_the_evidence_fresh_parses_give(tmp_path):
    parse_cache.configure(enabled=False)
    fresh = _scan_examples()
    assert fresh

    parse_cache.configure(directory=tmp_path / "cache")
    cold = _scan_examples()
    cache = parse_cache.shared()
    assert cache is not None and cache.writes > 0 and cache.hits == 0
    writes = cache.writes
    warm = _scan_examples()
    assert cache.hits >= writes and cache.writes == writes  # every parse read back, nothing rewritten
    assert cold == fresh and warm == fresh


def test_every_example_file_reads_back_identical(tmp_path):
    cache = ParseCache(tmp_path / "cache")
    trees = [RepoTree.scan(d, cache=None) for d in sorted(EXAMPLES.iterdir()) if d.is_dir()]
    checked = 0
    for tree in trees:
        for path in tree.with_suffix(".tf", ".hcl", ".yml", ".yaml"):
            kind = "hcl" if path.endswith((".tf", ".hcl")) else "yaml"
            value = tree.hcl(path) if kind == "hcl" else tree.yaml_docs(path)
            digest = files._digest(tree.text(path) or "")
            if value is None or not cache.put(kind, digest, value):
                continue
            hit, back = cache.get(kind, digest)
            assert hit and back == value and type(back) is type(value), path
            assert repr(back) == repr(value), path  # same types all the way down (1 vs 1.0 vs True)
            checked += 1
    assert checked > 20


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path):
    cache_dir = tmp_path / "cache"
    root = write_tree(tmp_path / "repo", {"main.tf": 'resource "aws_sns_topic" "t" {\n  name = "alerts"\n}\n'})
    files._CONTENT_CACHE.clear()
    fresh = RepoTree.scan(root, cache=None).hcl("main.tf")
    files._CONTENT_CACHE.clear()
    RepoTree.scan(root, cache=ParseCache(cache_dir)).hcl("main.tf")
    (entry,) = [p for p in cache_dir.rglob("*") if p.is_file() and not p.name.startswith(".")]
    good = entry.read_bytes()
    for bad in (b"", good[:-3], good[:-1] + bytes([good[-1] ^ 1]), b"garbage" * 10, good[:20]):
        entry.write_bytes(bad)
        files._CONTENT_CACHE.clear()
        cache = ParseCache(cache_dir)
        tree = RepoTree.scan(root, cache=cache)
        assert tree.hcl("main.tf") == fresh
        assert tree.warnings == [] and cache.hits == 0 and cache.writes == 1
        assert entry.read_bytes() == good  # rewritten by the fresh parse
    entry.chmod(0)  # unreadable (as root this is still readable: then it is simply a hit)
    files._CONTENT_CACHE.clear()
    assert RepoTree.scan(root, cache=ParseCache(cache_dir)).hcl("main.tf") == fresh
    entry.chmod(0o644)


def test_a_parser_upgrade_is_a_miss(tmp_path, monkeypatch):
    cache = ParseCache(tmp_path)
    assert cache.put("hcl", "d" * 64, {"a": [1]})
    assert cache.get("hcl", "d" * 64) == (True, {"a": [1]})
    monkeypatch.setitem(parse_cache._VERSIONS, "hcl", "python-hcl2 99; wafops parse code 1")
    assert cache.get("hcl", "d" * 64) == (False, None)


def test_values_marshal_cannot_hold_exactly_are_not_cached(tmp_path):
    cache = ParseCache(tmp_path)
    assert not cache.put("yaml", "e" * 64, [{"when": datetime(2026, 1, 1)}])
    assert cache.get("yaml", "e" * 64) == (False, None)


WRITER = textwrap.dedent("""
    import sys
    from wafops.scanner.core.parse_cache import ParseCache
    cache = ParseCache(sys.argv[1])
    me = int(sys.argv[2])
    for round in range(3):
        for i in range(150):
            key = f"{i:064x}"
            value = {"i": i, "body": ["x" * (i % 50)] * 20, "nested": {"n": i * 1.5, "ok": True}}
            cache.put("hcl", key, value)
            hit, back = cache.get("hcl", key)
            if hit and back != value:
                print("BAD", i, back)
                sys.exit(1)
    cache.flush()
""")


def test_concurrent_writers_never_leave_a_broken_entry(tmp_path):
    cache_dir = tmp_path / "cache"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(cache_dir), str(n)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, out + err
    cache = ParseCache(cache_dir)
    for i in range(150):
        hit, back = cache.get("hcl", f"{i:064x}")
        assert hit and back["i"] == i and back["body"] == ["x" * (i % 50)] * 20
    assert cache.corrupt == 0
    assert not [p for p in cache_dir.rglob(".tmp-*")]  # no temporary file left behind
    assert int((cache_dir / ".usage").read_text()) > 0


def test_no_cache_writes_nothing(tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv(parse_cache.ENV_DIR, str(cache_dir))
    files._CONTENT_CACHE.clear()
    result = CliRunner().invoke(main, ["scan", str(EXAMPLES), "--format", "json", "--as-of", "2026-11-22",
                                       "--no-cache", "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 0, result.output
    assert not cache_dir.exists()

    files._CONTENT_CACHE.clear()
    parse_cache.configure()
    result = CliRunner().invoke(main, ["scan", str(EXAMPLES), "--format", "json", "--as-of", "2026-11-22",
                                       "--parse-cache-dir", str(tmp_path / "elsewhere"), "-o", str(tmp_path / "o2.json")])
    assert result.exit_code == 0, result.output
    assert not cache_dir.exists() and any((tmp_path / "elsewhere").rglob("*"))


def test_the_environment_can_switch_it_off(tmp_path, monkeypatch):
    monkeypatch.setenv(parse_cache.ENV_OFF, "1")
    assert parse_cache.shared() is None and RepoTree.scan(tmp_path).cache is None
    monkeypatch.setenv(parse_cache.ENV_OFF, "0")
    assert parse_cache.shared() is not None


def test_default_folder_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv(parse_cache.ENV_DIR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert parse_cache.default_dir() == tmp_path / "xdg" / "wafops" / "parse"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert parse_cache.default_dir() == tmp_path / "home" / ".cache" / "wafops" / "parse"


def test_the_size_cap_holds_and_recent_entries_stay(tmp_path):
    cap = 40_000
    cache = ParseCache(tmp_path / "cache", max_bytes=cap)
    for i in range(300):
        cache.put("hcl", f"{i:064x}", {"i": i, "pad": "y" * 1000})
        if i % 25 == 0:
            cache.flush()
    cache.flush()
    assert cache.size() <= cap
    assert cache.get("hcl", f"{299:064x}")[0]  # the newest entry survived
    assert not cache.get("hcl", f"{0:064x}")[0]  # the oldest went
    assert int((tmp_path / "cache" / ".usage").read_text()) <= cap
