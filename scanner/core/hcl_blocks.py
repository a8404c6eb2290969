"""The top-level blocks of a .tf file, found without parsing it, so that only the blocks a reader uses are parsed.

Why: python-hcl2 costs about 8 ms of CPU per file, and collectors read the bodies of a few resource types
(alarms, log groups, ECS services, branch protections...), while a file holds variables, locals, outputs,
comments and resources no collector reads. Parsing only the wanted blocks, each on its own, costs a half
to a seventh of parsing the whole files on real repositories. Top-level blocks are independent in HCL,
so the parse of a block alone is the parse of that block within the file.

The cut is conservative: it reads strings (with `${...}` and `%{...}` templates, escapes), heredocs and
the three comment forms, and gives up (None) on anything it does not expect at the top level (a top-level
attribute as in terragrunt.hcl, an unclosed block or string). The caller then parses the whole file, as
before, so a file the cut does not understand costs only speed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Wanted:
    """Which top-level blocks of a .tf file a reader uses; the others are never parsed for it.

    Resources whose type is in `resource_types` or passes `resource_test` (a module-level function or a
    module-level pattern's `fullmatch`, so that two asks compare equal), and every block of the `blocks`
    types (`module`). Hashable: parses are remembered per file and per `Wanted`.
    """

    resource_types: frozenset[str] = frozenset()
    resource_test: Callable[[str], object] | None = None
    blocks: frozenset[str] = frozenset()

    def __call__(self, btype: str, label: str) -> bool:
        if btype in self.blocks:
            return True
        if btype != "resource":
            return False
        return label in self.resource_types or (self.resource_test is not None and bool(self.resource_test(label)))


@dataclass(frozen=True)
class Segment:
    """One top-level block: its type, labels and where its text is (`text[start:end]`, header to closing brace)."""

    type: str
    labels: tuple[str, ...]
    start: int
    end: int

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else ""


class _Unsure(Exception):
    """The cut met something it does not read with certainty: the caller parses the whole file."""


# between top-level blocks: whitespace and comments only
_GAP = re.compile(r"(?:\s+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.S)
# a block header: a type, labels (quoted or bare) and the opening brace, on one line as HCL requires
_HEAD = re.compile(r'([A-Za-z_][\w-]*)((?:[ \t]+(?:"[^"\\\n]*"|[A-Za-z_][\w-]*))*)[ \t]*\{')
_LABEL = re.compile(r'"([^"\\\n]*)"|([A-Za-z_][\w-]*)')
# what the brace matcher acts on inside a block body; the text between is skipped at C speed
_BODY = re.compile(r'["#/<{}]')
# inside a quoted string: its end, an escape, a line break (an error), a template (`$${` is a literal `${`)
_STRING = re.compile(r'\$\$\{|%%\{|[$%]\{|["\\\n]')
# inside a template expression: nested strings and braces
_EXPR = re.compile(r'["{}]')
_HEREDOC = re.compile(r'<<-?[ \t]*"?([A-Za-z_][\w-]*)"?[ \t]*\r?\n')


def split_blocks(text: str) -> tuple[Segment, ...] | None:
    """Every top-level block of `text` in order, or None when the text is not only blocks and comments."""
    return _split(text)


@functools.lru_cache(maxsize=4096)  # .tf texts the tree holds anyway; several readers ask for one file
def _split(text: str) -> tuple[Segment, ...] | None:
    out: list[Segment] = []
    i, n = 0, len(text)
    try:
        while True:
            i = _GAP.match(text, i).end()  # type: ignore[union-attr]  # (always matches, maybe empty)
            if i >= n:
                return tuple(out)
            if text.startswith("/*", i):
                raise _Unsure  # an unclosed comment
            head = _HEAD.match(text, i)
            if head is None:
                raise _Unsure  # a top-level attribute, or something else
            labels = tuple(a or b for a, b in _LABEL.findall(head.group(2)))
            end = _block_end(text, head.end())
            out.append(Segment(head.group(1), labels, i, end))
            i = end
    except _Unsure:
        return None


def _block_end(text: str, i: int) -> int:
    """Just past the `}` closing the block whose `{` ends just before `i`."""
    depth = 1
    while (m := _BODY.search(text, i)) is not None:
        i = m.start()
        c = text[i]
        if c == '"':
            i = _string_end(text, i + 1)
            continue
        if c == "#" or text.startswith("//", i):
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
            continue
        if text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close < 0:
                raise _Unsure
            i = close + 2
            continue
        if text.startswith("<<", i):
            i = _heredoc_end(text, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1  # also a lone `/` (division) or `<` (comparison)
    raise _Unsure  # an unclosed block


def _string_end(text: str, i: int) -> int:
    """Just past the quote closing a string opened just before `i`."""
    while (m := _STRING.search(text, i)) is not None:
        tok = m.group()
        if tok == '"':
            return m.end()
        if tok == "\\":
            i = m.start() + 2
        elif tok == "\n":
            raise _Unsure  # a quoted string never spans lines outside a template
        elif tok in ("$${", "%%{"):
            i = m.end()
        else:
            i = _expr_end(text, m.end())
    raise _Unsure


def _expr_end(text: str, i: int) -> int:
    """Just past the `}` closing a template expression (`${ ... }`) opened just before `i`."""
    depth = 1
    while (m := _EXPR.search(text, i)) is not None:
        c = m.group()
        if c == '"':
            i = _string_end(text, m.end())
            continue
        depth += 1 if c == "{" else -1
        if depth == 0:
            return m.end()
        i = m.end()
    raise _Unsure


def _heredoc_end(text: str, i: int) -> int:
    """Just past the line closing the heredoc that starts at `i` (`<<EOT` or `<<-EOT`)."""
    h = _HEREDOC.match(text, i)
    if h is None:
        raise _Unsure
    close = re.compile(r"^[ \t]*" + re.escape(h.group(1)) + r"[ \t]*\r?$", re.M).search(text, h.end())
    if close is None:
        raise _Unsure
    return close.end()


def block_source(text: str, segment: Segment) -> str:
    """The text parsed for one block: the block alone, ending with a line break."""
    return text[segment.start:segment.end] + "\n"
