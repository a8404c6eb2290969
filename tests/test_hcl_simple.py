"""The plain-HCL fast path answers exactly as python-hcl2 does, or not at all.

Why: `hcl_simple` reads most Terraform blocks without python-hcl2 (about twenty times faster); every
level built on Terraform evidence rests on it giving the same dict. Where it is unsure it must answer
None, so that python-hcl2 decides (also that a text does not parse).
"""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wafops.scanner.core import hcl_simple
from wafops.scanner.core.hcl import _clean, serialization_options
from wafops.scanner.core.hcl_blocks import block_source, split_blocks

from tests.test_hcl_blocks import TRICKY
from tests.test_hcl_parser import MORE

ROOT = Path(__file__).resolve().parent.parent


def _loads(text: str):
    try:
        return _clean(hcl2.loads(text, serialization_options=serialization_options()))
    except Exception as err:  # noqa: BLE001 (not parsing is an answer here)
        return f"error: {type(err).__name__}"


def _python_hcl2(text: str):
    return _clean(hcl2.loads(text, serialization_options=serialization_options()))


def _answered_differently(text: str) -> list[str]:
    """The ways of reading (alone; with attributes cut out for python-hcl2) that answer, and answer other
    than python-hcl2 does: none, for every text."""
    expected = _loads(text)
    ways = {"alone": None, "with cuts": _python_hcl2}
    return [way for way, cut in ways.items() if (fast := hcl_simple.parse(text, cut)) is not None and fast != expected]


PLAIN = {
    "resource": ('resource "aws_cloudwatch_log_group" "app" {\n  name = "/aws/lambda/app"\n'
                 '  retention_in_days = 30\n  tags = local.tags\n}\n'),
    "values": ('locals {\n  s = "a$b%c"\n  i = -7\n  f = 1.50\n  t = true\n  n = null\n  id = string\n'
               '  ref = aws_s3_bucket.b[0].arn\n  short = x.0.y\n  splat = aws_instance.x[*].id\n'
               '  attr_splat = var.l.*.name\n  interp = "${var.env}-${module.m.name}-x"\n  dash = a-b.c-d\n}\n'),
    "lists and maps": ('locals {\n  l = [\n    "a",\n    1,\n    var.y,\n  ]\n  e = []\n  m = { a = 1, "b" = "c" }\n'
                       '  colon = { k: 1 }\n  nested = {\n    inner = [{ x = 1 }]\n    j = {}\n  }\n}\n'),
    "nested blocks and labels": ('resource "aws_ecs_service" "s" {\n  deployment_circuit_breaker {\n'
                                 '    enable   = true\n    rollback = true\n  }\n  load_balancer {}\n'
                                 '  load_balancer {\n    container_port = 80\n  }\n}\n'
                                 'terraform {\n  backend "s3" {\n    bucket = "b"\n  }\n}\n'),
    "comments and blank lines": '# top\n\nlocals { // why\n  a = 1 # one\n\n  // two\n  b = 2\n}\n',
    "keywords as attribute names": 'module "m" {\n  for_each = var.m\n  count = 2\n  in = 1\n  null = 3\n}\n',
    "CRLF": 'locals {\r\n  a = "x"\r\n  b = [1,\r\n 2]\r\n}\r\n',
    "calls, operators, conditionals": ('locals {\n  f = lookup(var.m, "k", null)\n  o = var.x == 1 && !var.y\n'
                                        '  c = var.x ? 1 : 2\n  u = - 1\n  e = 1e3\n  n = -var.z\n'
                                        '  m = merge(local.tags, {\n    Name = "a-${var.b}"\n    "q" = [1.50, 007]\n  })\n'
                                        '  s = x == "say \\"hi\\""\n  p = max((1 + 2) * 3, 4)\n'
                                        '  l = [for_ok(1), f(\n    2,\n  )]\n}\n'),
    "empty": "",
    "only a comment": "# nothing here\n",
}

NOT_PLAIN = {
    "heredoc": "locals {\n  a = <<EOT\nhello\nEOT\n}\n",
    "escape": 'locals {\n  a = "say \\"hi\\""\n}\n',
    "parenthesised value": "locals {\n  a = (1)\n}\n",
    "nested conditional": "locals {\n  a = x ? 1 : y ? 2 : 3\n}\n",
    "ellipsis": "locals {\n  a = merge(var.maps...)\n}\n",
    "provider function": 'locals {\n  a = provider::aws::arn_parse("x")\n}\n',
    "call named for a keyword": "locals {\n  a = for(1)\n}\n",
    "brackets nested 5,000 deep": "locals {\n  a = " + "[" * 5000 + "]" * 5000 + "\n}\n",
    "escaped interpolation": 'locals {\n  a = "$${x}"\n}\n',
    "directive": 'locals {\n  a = "%{ if x }y%{ endif }"\n}\n',
    "interpolated expression": 'locals {\n  a = "${var.x + 1}"\n}\n',
    "string index": 'locals {\n  a = var.m["k"]\n}\n',
    "block comment": "locals {\n  /* c */ a = 1\n}\n",
    "two attributes on a line": "locals {\n  a = 1 b = 2\n}\n",
    "one-line block": "locals { a = 1 }\n",
    "duplicate attribute": "locals {\n  a = 1\n  a = 2\n}\n",
    "attribute and block of one name": "x {\n  a = 1\n}\nx = 2\n",
    "for expression": "locals {\n  a = [for s in var.l : s]\n}\n",
    "keyword as a value": "locals {\n  a = for_each\n}\n",
    "multi-line string": 'locals {\n  a = "one\ntwo"\n}\n',
    "unclosed": 'resource "a" "b" {\n  x = 1\n',
    "value on the next line": "locals {\n  a =\n    1\n}\n",
}


@pytest.mark.parametrize("text", PLAIN.values(), ids=PLAIN.keys())
def test_plain_terraform_is_read_by_the_fast_path_as_python_hcl2_reads_it(text):
    fast = hcl_simple.parse(text)
    assert fast is not None, "not read by the fast path: the scan would be slower"
    assert fast == _loads(text)


@pytest.mark.parametrize("text", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_anything_else_is_left_to_python_hcl2(text):
    assert hcl_simple.parse(text) is None


CUT = {
    "string index": "locals {\n  a = var.m[\"k\"]\n  b = 2\n}\n",
    "for expression over lines": ('resource "aws_iam_policy" "p" {\n  name = "p"\n  policy = jsonencode({\n'
                                  '    Statement = [for s in var.l : { Action = s, Resource = "*" }] # all\n  })\n'
                                  '  path = "/"\n}\n'),
    "heredoc": 'locals {\n  a = <<-EOT\n    hello ${var.x}\n    EOT\n  b = 1\n}\n',
    "heredoc in a call": "locals {\n  a = trimspace(<<EOT\nx\nEOT\n  )\n  b = 1\n}\n",
    "template with braces and quotes": 'locals {\n  a = "%{ if var.on }${lookup(var.m, "}", "{")}%{ endif }"\n}\n',
    "escaped interpolation": 'locals {\n  a = "$${not.a.ref} \\"q\\""\n  b = [1]\n}\n',
    "trailing comment": "locals {\n  a = merge(var.maps...) # all\n  b = 2 // two\n}\n",
}
NOT_CUT = {
    "operator on the next line": "locals {\n  a = var.x\n    ? 1\n    : 0\n}\n",
    "block comment": "locals {\n  a = f(1) /* c */\n}\n",
    "unclosed call": "locals {\n  a = f(1\n}\n",
    "bad expression": "locals {\n  a = 1 +\n}\n",
    "a second attribute on the line": 'locals {\n  s = x x= "say \\"hi\\""\n}\n',
}


@pytest.mark.parametrize("text", CUT.values(), ids=CUT.keys())
def test_a_value_that_is_not_plain_is_cut_out_for_python_hcl2_and_the_rest_read_here(text):
    seen = []

    def hcl2_alone(snippet):
        seen.append(snippet)
        return _python_hcl2(snippet)

    assert hcl_simple.parse(text) is None
    assert hcl_simple.parse(text, hcl2_alone) == _loads(text)
    assert seen and all(s.startswith("x = [") for s in seen), "python-hcl2 was given more than the values"


@pytest.mark.parametrize("text", NOT_CUT.values(), ids=NOT_CUT.keys())
def test_where_a_value_may_end_is_unsure_the_whole_text_goes_to_python_hcl2(text):
    assert hcl_simple.parse(text, _python_hcl2) is None


@pytest.mark.parametrize("text", [*TRICKY.values(), *MORE.values()])
def test_the_tricky_texts_of_the_parser_tests_are_never_answered_differently(text):
    assert _answered_differently(text) == []


def test_every_terraform_file_and_block_the_tests_and_examples_hold_is_never_answered_differently():
    paths = [p for folder in ("examples", "tests") for p in (ROOT / folder).rglob("*.tf")]
    assert len(paths) >= 20
    read = 0
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        texts = [text, *(block_source(text, s) for s in split_blocks(text) or ())]
        for one in texts:
            assert _answered_differently(one) == [], path
            read += hcl_simple.parse(one) is not None
    assert read >= 50, "the fast path read almost nothing: the comparison above proves little"


_ATOMS = ['"s"', '"a-${var.x}"', '"${if}"', '"$x%"', "0", "-1", "007", "2.5", "1.", "true", "null", "false",
          "var.x", "a.b[0].c", "x.1", "l[*].id", "l.*.n", "name", "for", "if", "in", "true.x", "f(1)", "x[\"k\"]",
          "[]", "{}", "- 2", "1e2", "a-b", "f(1,\n2)", "x ? 1 : 2", "x\n? 1 : 2", "<<E\nz\nE\n", '"${a + "}"}"',
          "(1)", "a /* c */", "1 # c\n+ 2"]
_KEYS = ["a", "k", '"q"', "for_each", "if", "in", "null", "true", "1", '"${x}"']


@st.composite
def _values(draw, depth: int = 2) -> str:
    if depth and draw(st.integers(0, 3)) == 0:
        items = [draw(_values(depth - 1)) for _ in range(draw(st.integers(0, 3)))]
        seps = [draw(st.sampled_from([", ", ",\n", "\n", " ", ",", ",\n\n"])) for _ in items]
        if draw(st.booleans()):
            return "[" + draw(st.sampled_from(["", "\n"])) + "".join(v + s for v, s in zip(items, seps, strict=True)) + "]"
        keys = [draw(st.sampled_from(_KEYS)) for _ in items]
        eq = draw(st.sampled_from([" = ", ": ", "=", " == "]))
        return "{" + draw(st.sampled_from(["", "\n", " "])) + "".join(
            k + eq + v + s for k, v, s in zip(keys, items, seps, strict=True)) + "}"
    return draw(st.sampled_from(_ATOMS))


@st.composite
def _bodies(draw, depth: int = 2) -> str:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(["a", "b", "for_each", "in", "null", "tags", "x-y"]))
        if depth and draw(st.integers(0, 3)) == 0:
            labels = "".join(f" {label}" for label in draw(st.lists(st.sampled_from(['"l"', "m", '"$x"', '""']),
                                                                     max_size=2)))
            inner = draw(_bodies(depth - 1))
            out.append(f"{name}{labels} {{\n{inner}}}" if inner or draw(st.booleans()) else f"{name}{labels} {{}}")
        else:
            comment = draw(st.sampled_from(["", " # c", " // c", " /* c */"]))
            out.append(f"{name} = {draw(_values())}{comment}")
    ending = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    return "".join(line + ending for line in out)


@settings(max_examples=300, deadline=None)
@given(_bodies())
def test_generated_texts_are_answered_as_python_hcl2_answers_or_left_to_it(text):
    assert _answered_differently(text) == []


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([t for t in PLAIN.values() if t]), st.integers(0, 10_000), st.sampled_from(
    ["", "\n", " ", "{", "}", "[", "]", '"', "=", ",", "#", "$", "${", "-", ".", "0", "x", "\\", ":"]))
def test_a_plain_text_with_one_character_changed_is_never_answered_differently(text, where, change):
    k = where % len(text)
    changed = text[:k] + change + text[k + 1:]
    assert _answered_differently(changed) == [], changed
