"""Parsing only the blocks a reader wants gives what the whole file's parse gives for those blocks.

The cut (`split_blocks`) must find real top-level block boundaries, past strings, templates, heredocs and
comments holding braces, or give up; the parse of each block alone must equal that block in the whole
parse; and a scan must produce the same evidence either way.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from wafops.scanner.cli import main
from wafops.scanner.core import files, hcl, hcl_workers
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.hcl import parse_hcl
from wafops.scanner.core.hcl_blocks import Wanted, block_source, split_blocks

from tests.helpers import write_tree
from tests.test_examples import EXAMPLES

TRICKY = {
    "heredoc with braces": 'resource "aws_ssm_document" "d" {\n  content = <<EOT\n{ "a": "}" }\n}}}\nEOT\n}\n',
    "indented heredoc": 'resource "a_b" "c" {\n  policy = <<-JSON\n    {"x": [1, {"y": "}"}]}\n    JSON\n  n = 1\n}\n',
    "template with braces and quotes": 'resource "a_b" "c" {\n  name = "${lookup({ k = "}" }, "k", "{")}-x"\n}\n',
    "escaped template": 'resource "a_b" "c" {\n  name = "$${not_a_template} {"\n  other = "%%{nor_this} }"\n}\n',
    "directive": 'resource "a_b" "c" {\n  s = "%{ if var.on }{on}%{ else }off%{ endif }"\n}\n',
    "escaped quote": 'resource "a_b" "c" {\n  s = "say \\"}\\" loudly"\n}\n',
    "comments with braces": ('# a } comment\n// another { one\n/* and { a } block\n } comment */\n'
                             'resource "a_b" "c" { # }\n  x = 1 // {\n  /* } */\n}\n'),
    "one-line block": 'variable "v" { default = 1 }\nlocals { z = { a = [1, 2] } }\n',
    "bare labels and nesting": ('terraform {\n  backend "s3" {\n    bucket = "b"\n  }\n}\n'
                                'resource "aws_ecs_service" "s" {\n  dynamic "x" {\n    for_each = var.l\n'
                                '    content { y = x.value }\n  }\n}\n'),
    "operators": 'locals {\n  a = 4 / 2\n  b = 1 < 2 ? "<" : "/"\n  m = { for k, v in var.m : k => v if v != "}" }\n}\n',
    "jsonencode": ('resource "aws_cloudwatch_dashboard" "d" {\n  dashboard_body = jsonencode({\n'
                   '    widgets = [{ type = "metric", properties = { title = "p99 }" } }]\n  })\n}\n'),
    "crlf": 'resource "a_b" "c" {\r\n  x = 1\r\n}\r\n\r\noutput "o" {\r\n  value = "v"\r\n}\r\n',
    "empty file": "",
    "only comments": "# nothing here\n",
}


def _assembled(text: str) -> dict:
    out: dict = {}
    for segment in split_blocks(text) or ():
        for btype, items in parse_hcl(block_source(text, segment)).items():
            out.setdefault(btype, []).extend(items)
    return out


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_blocks_parsed_alone_equal_the_whole_parse(text):
    assert split_blocks(text) is not None
    assert _assembled(text) == parse_hcl(text)


def test_the_cut_names_each_block():
    segments = split_blocks(TRICKY["comments with braces"] + TRICKY["bare labels and nesting"])
    assert [(s.type, s.labels) for s in segments] == [
        ("resource", ("a_b", "c")), ("terraform", ()), ("resource", ("aws_ecs_service", "s"))]


@pytest.mark.parametrize("text", [
    'inputs = {\n  a = 1\n}\n',  # a top-level attribute (terragrunt.hcl)
    'resource "a" "b" {\n  x = 1\n',  # an unclosed block
    'resource "a" "b" {\n  x = "open\n}\n',  # an unclosed string
    'resource "a" "b" {\n  x = <<EOT\n  never closed\n}\n',  # an unclosed heredoc
    'resource "a" "b" {\n}\n/* unclosed',
])
def test_the_cut_gives_up_on_what_it_does_not_read(text):
    assert split_blocks(text) is None


_PIECES = st.sampled_from([v for k, v in TRICKY.items() if k not in ("empty file", "crlf")])
_GAPS = st.sampled_from(["", "\n", "\n\n", "# gap { }\n", "/* } */\n", "  \n"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_GAPS, _PIECES), min_size=1, max_size=4))
def test_any_sequence_of_blocks_cuts_exactly(parts):
    text = "".join(gap + piece for gap, piece in parts)
    assert split_blocks(text) is not None
    assert _assembled(text) == parse_hcl(text)


ALARM = 'resource "aws_cloudwatch_metric_alarm" "a" {\n  alarm_name = "errors"\n  threshold = 5\n}\n'
ROLE = 'resource "aws_iam_role" "r" {\n  name = "role"\n}\n'
ALARMS = Wanted(resource_types=frozenset({"aws_cloudwatch_metric_alarm"}))
# not plain HCL (a for expression): python-hcl2 parses it, in workers when there are enough (hcl_simple
# reads plain blocks itself, and keeps no cache entry for them)
ALARM_CALL = ALARM.replace('"errors"', '[for e in var.envs : "errors-${e}"]')


def test_only_the_wanted_blocks_are_parsed(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "repo", {"main.tf": ROLE + ALARM + 'output "o" {\n  value = 1\n}\n'})
    parsed: list[str] = []
    real = hcl.parse_hcl
    monkeypatch.setattr(hcl, "parse_hcl", lambda text: parsed.append(text) or real(text))
    files._CONTENT_CACHE.clear()
    tree = RepoTree.scan(root, cache=None)
    result = tree.hcl("main.tf", ALARMS)
    assert result == {"resource": [{"aws_cloudwatch_metric_alarm": {"a": {"alarm_name": "errors", "threshold": 5}}}]}
    assert parsed == [ALARM]
    assert tree.hcl("main.tf") == parse_hcl(ROLE + ALARM + 'output "o" {\n  value = 1\n}\n')


def test_a_wanted_block_that_does_not_parse_falls_back_to_the_whole_file(tmp_path):
    broken = 'resource "aws_cloudwatch_metric_alarm" "b" {\n  threshold = = 1\n}\n'
    root = write_tree(tmp_path / "repo", {"main.tf": ALARM + broken})
    files._CONTENT_CACHE.clear()
    tree = RepoTree.scan(root, cache=None)
    assert tree.hcl("main.tf", ALARMS) is None  # the whole file does not parse either
    assert [(w.path, w.message.split(":")[0]) for w in tree.warnings] == [("main.tf", "malformed HCL")]


def test_a_file_the_cut_does_not_read_is_parsed_whole(tmp_path):
    text = 'inputs = {\n  a = 1\n}\n' + ALARM
    root = write_tree(tmp_path / "repo", {"terragrunt.tf": text})
    tree = RepoTree.scan(root, cache=None)
    assert tree.hcl("terragrunt.tf", ALARMS) == parse_hcl(text)


def test_blocks_parsed_in_workers_are_those_asked(tmp_path):
    n = hcl_workers.PARALLEL_MIN_FILES + 4
    root = write_tree(tmp_path / "repo", {f"m{i}/main.tf": ROLE + ALARM.replace('"a"', f'"a{i}"') for i in range(n)})
    files._CONTENT_CACHE.clear()
    tree = RepoTree.scan(root, cache=None)
    tree.prefetch_hcl(tree.with_suffix(".tf"), ALARMS)
    assert len([k for k in files._CONTENT_CACHE if k[0] == "hcl"]) == n  # one alarm each, no role
    first = tree.hcl("m3/main.tf", ALARMS)
    assert first["resource"][0]["aws_cloudwatch_metric_alarm"]["a3"]["threshold"] == 5
    assert len([k for k in files._CONTENT_CACHE if k[0] == "hcl"]) == n  # answered from the workers' parses


def _scan_examples() -> dict:
    result = CliRunner().invoke(main, ["scan", str(EXAMPLES), "--format", "json", "--all-evidence", "--no-cache",
                                       "--as-of", "2026-11-22"])
    assert result.exit_code == 0, result.output
    return _without_times(json.loads(result.output))


def _without_times(value):
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if not k.endswith("_at") and "duration" not in k
                and k != "elapsed_s"}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_a_scan_gives_the_same_evidence_with_whole_files_and_with_blocks(monkeypatch):
    parsed: list[int] = []
    real = hcl.parse_hcl
    monkeypatch.setattr(hcl, "parse_hcl", lambda text: parsed.append(len(text)) or real(text))
    files._CONTENT_CACHE.clear()
    monkeypatch.setattr(files, "SPLIT_HCL", False)
    whole = _scan_examples()
    whole_chars, parsed[:] = sum(parsed), []
    files._CONTENT_CACHE.clear()
    monkeypatch.setattr(files, "SPLIT_HCL", True)
    split = _scan_examples()
    assert whole_chars and sum(parsed) < whole_chars * 0.8  # blocks were parsed, not whole files (0.58 here)
    assert split == whole


def test_a_rescan_reads_one_cache_entry_per_file(tmp_path, monkeypatch):
    from wafops.scanner.core.parse_cache import ParseCache

    n = hcl_workers.PARALLEL_MIN_FILES + 4
    root = write_tree(tmp_path / "repo", {f"m{i}/main.tf": ROLE + ALARM_CALL.replace('"a"', f'"a{i}"')
                                          + ALARM_CALL.replace('"a"', f'"b{i}"') for i in range(n)})
    files._CONTENT_CACHE.clear()
    cache = ParseCache(tmp_path / "cache")
    tree = RepoTree.scan(root, cache=cache)
    tree.prefetch_hcl(tree.with_suffix(".tf"), ALARMS)
    first = {p: tree.hcl(p, ALARMS) for p in tree.with_suffix(".tf")}
    assert cache.writes == n  # one entry per file, holding its two alarms

    files._CONTENT_CACHE.clear()
    monkeypatch.setattr(hcl_workers, "parse_in_workers", lambda *a: pytest.fail("a re-scan parses nothing"))
    monkeypatch.setattr(hcl, "parse_hcl", lambda text: pytest.fail("a re-scan parses nothing"))
    again = ParseCache(tmp_path / "cache")
    tree = RepoTree.scan(root, cache=again)
    tree.prefetch_hcl(tree.with_suffix(".tf"), ALARMS)
    assert {p: tree.hcl(p, ALARMS) for p in tree.with_suffix(".tf")} == first
    assert again.hits == n and again.writes == 0
    assert first["m2/main.tf"]["resource"][1]["aws_cloudwatch_metric_alarm"]["b2"]["threshold"] == 5


def test_a_cached_bundle_answers_every_ask_on_its_file_as_a_fresh_parse(tmp_path, monkeypatch):
    from wafops.scanner.core.parse_cache import ParseCache

    roles = Wanted(resource_types=frozenset({"aws_iam_role"}), blocks=frozenset({"output"}))
    n = hcl_workers.PARALLEL_MIN_FILES + 2
    root = write_tree(tmp_path / "repo", {f"m{i}/main.tf": ALARM_CALL + ROLE
                                          + f'output "o{i}" {{\n  value = {i}\n}}\n' for i in range(n)})

    def answers(cache):
        files._CONTENT_CACHE.clear()
        tree = RepoTree.scan(root, cache=cache)
        asks = [(p, w) for p in tree.with_suffix(".tf") for w in (ALARMS, roles, None)]
        tree.prefetch_hcl_blocks(asks)
        return {(p, repr(w)): tree.hcl(p, w) for p, w in asks}

    fresh = answers(None)
    assert fresh[("m1/main.tf", repr(roles))] == {"resource": [{"aws_iam_role": {"r": {"name": "role"}}}],
                                                   "output": [{"o1": {"value": 1}}]}
    answers(ParseCache(tmp_path / "cache"))  # fills the cache
    monkeypatch.setattr(hcl, "parse_hcl", lambda text: pytest.fail("a re-scan parses nothing"))
    monkeypatch.setattr(hcl_workers, "parse_in_workers", lambda *a: pytest.fail("a re-scan parses nothing"))
    again = ParseCache(tmp_path / "cache")
    assert answers(again) == fresh
    assert again.hits == n and again.writes == 0


def test_plain_blocks_are_read_without_workers_and_without_cache_entries(tmp_path, monkeypatch):
    """Plain HCL costs about 50 microseconds a block read in place: less than handing it to a worker or
    than reading a cache entry back."""
    from wafops.scanner.core.parse_cache import ParseCache

    n = hcl_workers.PARALLEL_MIN_FILES + 4
    root = write_tree(tmp_path / "repo", {f"m{i}/main.tf": ALARM.replace('"a"', f'"a{i}"') for i in range(n)})
    files._CONTENT_CACHE.clear()
    monkeypatch.setattr(hcl_workers, "parse_in_workers", lambda *a: pytest.fail("plain blocks need no workers"))
    cache = ParseCache(tmp_path / "cache")
    tree = RepoTree.scan(root, cache=cache)
    tree.prefetch_hcl(tree.with_suffix(".tf"), ALARMS)
    assert tree.has_parse("m3/main.tf", ALARMS)  # answered before any collector asks
    assert tree.hcl("m3/main.tf", ALARMS) == {"resource": [{"aws_cloudwatch_metric_alarm": {
        "a3": {"alarm_name": "errors", "threshold": 5}}}]}
    assert cache.writes == 0


def test_workers_are_forked_only_when_no_other_thread_runs(tmp_path):
    import threading

    n = hcl_workers.PARALLEL_MIN_FILES + 2
    root = write_tree(tmp_path / "repo", {f"m{i}/main.tf": ALARM_CALL.replace('"a"', f'"a{i}"') for i in range(n)})
    alone = threading.active_count() == 1  # (an earlier test may have left a server thread running)
    assert hcl_workers._start_method() == ("fork" if alone else "forkserver")
    methods, filled = [], []

    def in_a_thread():  # as in a multi-subject scan: another thread is alive, so fork is not safe
        methods.append(hcl_workers._start_method())
        files._CONTENT_CACHE.clear()
        tree = RepoTree.scan(root, cache=None)
        tree.prefetch_hcl(tree.with_suffix(".tf"), ALARMS)
        filled.append(len([k for k in files._CONTENT_CACHE if k[0] == "hcl"]))

    worker = threading.Thread(target=in_a_thread)
    worker.start()
    worker.join(120)
    assert methods == ["forkserver"] and filled == [n]
