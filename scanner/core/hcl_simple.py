"""python-hcl2's answer for plain Terraform, read without lark: a fast path in front of `hcl_parser`.

Why: python-hcl2's LALR grammar makes three reductions per token (an expression climbs a dozen rules
before it is a value), about 1 ms of CPU for a 200-character resource block, and the parse is the
largest part of a cold scan. Most Terraform blocks are plain: attributes set to quoted strings, numbers,
true/false/null, references (`var.x`, `aws_s3_bucket.b[0].arn`), lists and maps of those, and nested
blocks. Those are read here directly, about twenty times faster.

The contract: `parse(text)` returns exactly what `hcl.parse_hcl(text)` returns, or None when the text has
anything outside the plain subset below, and python-hcl2 then parses it. It never guesses: the subset
is strict (stricter than HCL where python-hcl2 is lenient: one attribute per line, a block's `{` ends
its line), and anything else (functions, operators, conditionals, heredocs, escapes, `/* */` comments,
expressions in `${...}` other than a plain reference, duplicate names) answers None.
`tests/test_hcl_simple.py` holds it to python-hcl2 on every .tf file the tests hold and on generated
texts, and `benchmarks/hcl_simple.py` checks a folder of real Terraform the same way.

How python-hcl2 writes the subset (with `strip_string_quotes`, after `hcl._clean`):
- a quoted string: its text; with `${ref}` parts, the text as written (a reference is written as is);
- a number: int() or float() of its text; true/false/null: True/False/None;
- a lone name: the name; a reference with `.name`, `[n]`, `.n`, `[*]` or `.*` parts: "${" + text + "}";
- a list: a list; a map: a dict (keys: names or quoted strings);
- a block: its body under its labels, `{"type": [{"label1": {"label2": body}}]}`, blocks of one type
  listed in order.
"""

from __future__ import annotations

import re
from typing import Any

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_INDEX = r"(?:0|[1-9][0-9]*)"
# a reference: a name, then attribute, index and splat steps, no blanks (python-hcl2 writes them as read)
_REF = rf"{_NAME}(?:\.{_NAME}|\[{_INDEX}\]|\.{_INDEX}|\[\*\]|\.\*)*"
# a quoted string's text: no escapes, no line break, `$` and `%` only where they start no template;
# `${ref}` interpolations of a plain reference
_CHARS = rf'(?:[^"\\$%\n]|\$(?![{{$])|%(?![{{%])|\$\{{{_REF}\}})*'

_TOKEN = re.compile(
    rf"""[ \t\r]*(?:
      (?P<nl>(?:(?:\#|//)[^\n]*)?\n)
    | "(?P<str>{_CHARS})"
    | (?P<num>-?[0-9]+(?:\.[0-9]+)?)(?![0-9A-Za-z_.])
    | (?P<ref>{_REF})(?![A-Za-z0-9_(.\[-])
    | (?P<eq>=)(?![=>])
    | (?P<colon>:)(?!:)
    | (?P<punct>[{{}}\[\],])
    )""",
    re.X,
)

_KEYWORDS = frozenset({"if", "in", "for", "for_each", "else", "endif", "endfor"})
_LITERALS = {"true": True, "false": False, "null": None}
_RESERVED = _KEYWORDS | _LITERALS.keys()
_SIMPLE_NAME = re.compile(_NAME + r"\Z")
_INTERPOLATION = re.compile(r"\$\{([^}]*)\}")


def _root(ref: str) -> str:
    """The name a reference starts from."""
    return re.split(r"[.\[]", ref, maxsplit=1)[0]


class _NotSimple(Exception):
    """The text has something outside the plain subset: python-hcl2 decides."""


def parse(text: str) -> dict[str, Any] | None:
    """What `hcl.parse_hcl(text)` returns, when `text` is plain HCL; None otherwise."""
    try:
        tokens = _tokens(text + "\n")  # as python-hcl2 does (lark has no end-of-input token)
        reader = _Reader(tokens)
        body = reader.body(inner=False)
    except _NotSimple:
        return None
    return body


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) for each token; _NotSimple at the first character no plain token starts with."""
    out = []
    pos, end = 0, len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            if text[pos:].strip(" \t\r") == "":
                break
            raise _NotSimple
        kind = m.lastgroup
        out.append((kind, m.group(kind)))  # type: ignore[arg-type]
        pos = m.end()
    out.append(("end", ""))
    return out


class _Reader:
    """Recursive descent over the tokens, building python-hcl2's dicts as it goes."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos]

    def take(self, kind: str, text: str | None = None) -> str:
        got_kind, got = self.tokens[self.pos]
        if got_kind != kind or (text is not None and got != text):
            raise _NotSimple
        self.pos += 1
        return got

    def skip_lines(self) -> None:
        while self.tokens[self.pos][0] == "nl":
            self.pos += 1

    def body(self, inner: bool) -> dict[str, Any]:
        """Attributes and blocks up to the closing `}` (inner) or the end of the text."""
        out: dict[str, Any] = {}
        attributes: set[str] = set()
        while True:
            self.skip_lines()
            kind, text = self.peek()
            if kind == "end" and not inner:
                return out
            if kind == "punct" and text == "}" and inner:
                return out
            name = self.take("ref")
            if not _SIMPLE_NAME.match(name):
                raise _NotSimple
            if self.peek()[0] == "eq":
                self.pos += 1
                if name in out:
                    raise _NotSimple  # a name set twice, or a block's name: python-hcl2 decides
                out[name] = self.value()
                attributes.add(name)
            else:
                if name in attributes:
                    raise _NotSimple
                out.setdefault(name, []).append(self.block())
            self.take("nl")

    def block(self) -> dict[str, Any]:
        """A block after its type: labels, `{`, a line break, the body, `}`."""
        labels = []
        while self.peek()[0] in ("str", "ref"):
            kind, label = self.tokens[self.pos]
            if (kind == "ref" and not _SIMPLE_NAME.match(label)) or (kind == "str" and "$" in label):
                raise _NotSimple
            labels.append(label)
            self.pos += 1
        self.take("punct", "{")
        if self.peek() == ("punct", "}"):
            self.pos += 1
            result: dict[str, Any] = {}
        else:
            self.take("nl")
            result = self.body(inner=True)
            self.take("punct", "}")
        for label in reversed(labels):
            result = {label: result}
        return result

    def value(self) -> Any:
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if kind == "str":
            if "${" in text and any(_root(ref) in _RESERVED for ref in _INTERPOLATION.findall(text)):
                raise _NotSimple
            return text
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "ref":
            if text in _LITERALS:
                return _LITERALS[text]
            if _SIMPLE_NAME.match(text):
                if text in _KEYWORDS:
                    raise _NotSimple
                return text
            if _root(text) in _RESERVED:
                raise _NotSimple
            return "${" + text + "}"
        if kind == "punct" and text == "[":
            return self.list_items()
        if kind == "punct" and text == "{":
            return self.map_items()
        raise _NotSimple

    def list_items(self) -> list[Any]:
        """After `[`: values separated by commas (line breaks around them), an optional last comma, `]`."""
        items: list[Any] = []
        while True:
            self.skip_lines()
            if self.peek() == ("punct", "]"):
                self.pos += 1
                return items
            items.append(self.value())
            self.skip_lines()
            if self.peek() == ("punct", ","):
                self.pos += 1
            elif self.peek() != ("punct", "]"):
                raise _NotSimple

    def map_items(self) -> dict[str, Any]:
        """After `{`: `key = value` (or `key: value`) elements, each ended by a comma or a line break."""
        out: dict[str, Any] = {}
        while True:
            self.skip_lines()
            kind, key = self.tokens[self.pos]
            if kind == "punct" and key == "}":
                self.pos += 1
                return out
            if not ((kind == "ref" and _SIMPLE_NAME.match(key) and key not in _RESERVED)
                    or (kind == "str" and "$" not in key)):
                raise _NotSimple
            self.pos += 1
            if self.peek()[0] not in ("eq", "colon"):
                raise _NotSimple
            self.pos += 1
            if key in out:
                raise _NotSimple
            out[key] = self.value()
            kind, text = self.peek()
            if kind == "punct" and text == ",":
                self.pos += 1
            elif kind != "nl" and (kind, text) != ("punct", "}"):
                raise _NotSimple
