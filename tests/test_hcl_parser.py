"""The inline parse (python-hcl2's transformer run inside lark's parse) gives what `hcl2.loads` gives.

Why: `hcl_parser` re-plumbs python-hcl2 for speed; every level built on Terraform evidence rests on it
returning the same dict, and raising the same error (so the same warning) on what does not parse.
"""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wafops.scanner.core import hcl_parser
from wafops.scanner.core.hcl import _clean, parse_hcl, serialization_options

from tests.test_hcl_blocks import TRICKY

ROOT = Path(__file__).resolve().parent.parent

MORE = {
    "for expressions": ('locals {\n  t = [for s in var.l : upper(s) if s != ""]\n'
                        '  o = { for k, v in var.m : k => v... }\n}\n'),
    "splats and indexes": 'locals {\n  a = aws_instance.x[*].id\n  b = var.l.*.name\n  c = var.m["k"][0].z\n}\n',
    "conditional and unary": 'locals {\n  a = !var.on ? -1 : 2.5e3\n  b = var.x == null || (var.y && true)\n}\n',
    "operator on the next line": 'locals {\n  a = (1\n    + 2\n    * 3)\n  b = var.p\n    ? "y"\n    : "n"\n}\n',
    "function with expansion": 'locals {\n  m = merge(var.maps...)\n  s = format("%s-%d", "a", 1)\n}\n',
    "directive for": 'locals {\n  s = "%{ for x in var.l }${x},%{ endfor }"\n}\n',
    "heredoc with template": 'locals {\n  s = <<EOT\nhello ${var.name}\n%{ if var.on }on%{ endif }\nEOT\n}\n',
    "keyword label": 'in {\n  x = 1\n}\nresource "a" "for" {\n  if = true\n}\n',
    "object keys": 'locals {\n  o = {\n    "quoted" = 1\n    bare = 2\n    (var.k) = 3\n    a.b = 4\n  }\n}\n',
    "attribute at the top (terragrunt)": 'include "root" {\n  path = find_in_parent_folders()\n}\ninputs = {\n  a = 1\n}\n',
    "tuple with comments": 'locals {\n  l = [\n    1, # one\n    2, // two\n    /* three */ 3,\n  ]\n}\n',
    "alarm": ('resource "aws_cloudwatch_metric_alarm" "errors" {\n  alarm_name = "${var.svc}-5xx"\n'
              '  comparison_operator = "GreaterThanThreshold"\n  threshold = 5\n'
              '  dimensions = { LoadBalancer = aws_lb.main.arn_suffix }\n  alarm_actions = [aws_sns_topic.pager.arn]\n}\n'),
}
TEXTS = {**TRICKY, **MORE}

BAD = [
    'resource "a" {',
    'resource "a" "b" {\n  x = \n}\n',
    'locals {\n  s = "%{ if x }unclosed"\n}\n',
    "locals {\n  a = [1, 2\n}\n",
    "}}}",
    'resource "a" "b" {\n  x = <<EOT\nno end\n}\n',
]


def _loads(text: str) -> dict:
    return _clean(hcl2.loads(text, serialization_options=serialization_options()))


def _outcome(parse, text: str):
    try:
        return "ok", parse(text)
    except Exception as err:  # the error's type and the first line of its message: what the warning shows
        return "error", type(err).__name__, (str(err).strip().splitlines() or [""])[0]


@pytest.fixture(autouse=True)
def _inline_parser_present():
    assert hcl_parser.parser() is not None, "python-hcl2 is not laid out as hcl_parser expects"


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_the_inline_parse_equals_hcl2_loads(text):
    assert parse_hcl(text) == _loads(text)


@pytest.mark.parametrize("text", BAD)
def test_what_does_not_parse_fails_the_same_way(text):
    mine, theirs = _outcome(parse_hcl, text), _outcome(_loads, text)
    assert mine[0] == "error"
    assert mine == theirs


def test_every_terraform_file_the_tests_and_examples_hold_parses_the_same():
    paths = [p for folder in ("examples", "tests") for pattern in ("*.tf", "*.hcl")
             for p in (ROOT / folder).rglob(pattern)]
    assert len(paths) >= 20
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _outcome(parse_hcl, text) == _outcome(_loads, text), path


_VALUES = st.sampled_from(['"s"', "1", "2.5", "true", "null", "var.x", '"${var.a}-b"', "[1, 2]", "{ a = 1 }",
                           "f(1, 2)", "a.b[0]", "x ? 1 : 2", "!y", "-3", "l[*].id", '"%{ if c }y%{ endif }"',
                           "<<EOT\nz ${q}\nEOT"])
_NAMES = st.sampled_from(["a", "name", "for_each", "count", "tags", "in", "if"])


@st.composite
def _bodies(draw, depth: int = 2) -> str:
    lines = [f"{draw(_NAMES)} = {draw(_VALUES)}" for _ in range(draw(st.integers(0, 4)))]
    if depth:
        for _ in range(draw(st.integers(0, 2))):
            lines.append(f"{draw(_NAMES)} {{\n{draw(_bodies(depth - 1))}}}")
    return "".join(f"{line}\n" for line in lines)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(['resource "t" "n"', 'module "m"', "locals", 'data "d" "x"']),
                          _bodies()), min_size=1, max_size=3))
def test_generated_terraform_parses_the_same(blocks):
    text = "".join(f"{head} {{\n{body}}}\n\n" for head, body in blocks)
    assert _outcome(parse_hcl, text) == _outcome(_loads, text)


def test_without_the_inline_parser_hcl2_loads_is_used(monkeypatch):
    monkeypatch.setattr(hcl_parser, "parser", lambda: None)
    text = MORE["alarm"]
    assert parse_hcl(text) == _loads(text)


def test_the_inline_parser_loads_python_hcl2s_own_parse_tables():
    """Lark names its cache by a hash of the options; passed as python-hcl2 passes them, our parser
    loads python-hcl2's tables instead of building (about 2 s of CPU) and rewriting them."""
    from hcl2 import parser as hcl2_parser

    hcl2_parser.parser()  # python-hcl2 writes its cache file on first use
    cache = Path(hcl2_parser.PARSER_FILE)
    if not cache.is_file():
        pytest.skip(f"python-hcl2 could not write its parse-table cache ({cache}): nothing to share")
    before = (cache.read_bytes(), cache.stat().st_mtime_ns)
    hcl_parser.parser.cache_clear()
    try:
        assert hcl_parser.parser() is not None
        assert (cache.read_bytes(), cache.stat().st_mtime_ns) == before, "lark rebuilt the tables"
    finally:
        hcl_parser.parser.cache_clear()
