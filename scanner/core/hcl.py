"""HCL (Terraform) parsing with python-hcl2, normalised into a flat list of blocks.

python-hcl2 is accurate but slow (~8 ms of CPU per file), so callers first use `block_headers`, a
cheap regex pass, to decide whether a file holds blocks worth parsing, and then parse only the blocks
they read (`RepoTree.hcl(path, wanted)`, cut apart by `wafops.scanner.core.hcl_blocks`). Most of
those are read by wafops' own reader (`wafops.scanner.core.hcl_simple`, python-hcl2's exact answer or
none); the rest by python-hcl2, its transformer run inside lark's parse (`wafops.scanner.core.hcl_parser`).
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from typing import Any


@functools.lru_cache(maxsize=1)
def serialization_options() -> Any:
    """python-hcl2's output options. Imported when first parsing: python-hcl2 and lark take ~60 ms to import,
    and a re-scan that replays every collector's outcome (wafops.scanner.reuse) parses nothing."""
    from hcl2.utils import SerializationOptions

    return SerializationOptions(with_comments=False, strip_string_quotes=True)

HEADER_RX = re.compile(
    r'^[ \t]*(resource|data|module|provider|terraform|backend|cloud|import|remote_state|include)'
    r'(?:[ \t]+"([^"\n]*)")?(?:[ \t]+"([^"\n]*)")?[ \t]*\{',
    re.M,
)


# python-hcl2 serializes with one shared default SerializationContext (a mutable default argument
# whose `inside_dollar_string` flag is flipped while an interpolation is written): two threads
# serializing at once made the same alarm name come out as `${format(..)}` or `format(..)`, and so
# gave different evidence ids from one run to the next. Parsing is pure Python (the GIL serializes
# it anyway), so one lock costs nothing; worker processes (prefetch_hcl) each have their own.
_HCL2_LOCK = threading.Lock()


def parse_hcl(text: str) -> dict[str, Any]:
    """python-hcl2's parse of `text` (cleaned: no quotes, no block markers). Plain HCL is read by
    `hcl_simple`, the same answer about twenty times faster; of the rest, what python-hcl2 parses is
    only the attributes `hcl_simple` cannot read, or the whole text where it cannot tell."""
    from wafops.scanner.core import hcl_simple

    simple = hcl_simple.parse(text, _python_hcl2)
    if simple is not None:
        return simple
    return _python_hcl2(text)


def _python_hcl2(text: str) -> dict[str, Any]:
    from wafops.scanner.core import hcl_parser

    with _HCL2_LOCK:
        parsed = hcl_parser.parse(text, serialization_options())
    return _clean(parsed)


def parse_hcl_or_none(text: str) -> dict[str, Any] | None:
    """For worker processes: the parse, or None when the text is not valid HCL."""
    try:
        return parse_hcl(text)
    except Exception:
        return None


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {_unquote(k): _clean(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return _unquote(value)
    return value


def _unquote(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] == '"':
        return s[1:-1]
    return s


@dataclass(frozen=True)
class Block:
    type: str  # resource, data, module, provider, terraform, ...
    labels: tuple[str, ...]
    body: dict[str, Any]

    @property
    def address(self) -> str:
        return ".".join((self.type if self.type not in ("resource",) else "",) + self.labels).lstrip(".")


def blocks(parsed: dict[str, Any] | None) -> list[Block]:
    """Flatten python-hcl2 output: `resource "t" "n" {}` -> Block("resource", ("t", "n"), {...})."""
    out: list[Block] = []
    if not parsed:
        return out
    depth = {"resource": 2, "data": 2, "module": 1, "provider": 1, "variable": 1, "output": 1,
             "terraform": 0, "locals": 0, "import": 0, "moved": 0, "check": 1}
    for btype, items in parsed.items():
        if not isinstance(items, list):
            # terragrunt.hcl top-level attributes (e.g. `inputs = {}`): keep as a pseudo block
            out.append(Block("attribute", (btype,), {"value": items}))
            continue
        n = depth.get(btype, 1)
        for item in items:
            for labels, body in _unwrap(item, n):
                out.append(Block(btype, labels, body if isinstance(body, dict) else {"value": body}))
    return out


def _unwrap(item: Any, n: int, labels: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if n == 0 or not isinstance(item, dict):
        return [(labels, item)]
    out = []
    for key, value in item.items():
        out.extend(_unwrap(value, n - 1, labels + (key,)))
    return out


def block_headers(text: str) -> list[tuple[str, str, str, int]]:
    """(type, label1, label2, line) for every top-level-looking block header, by regex.

    Remembered per text: several collectors (and their `hcl_blocks`, asked before they run) read the
    headers of the same .tf files."""
    return list(_block_headers(text))


@functools.lru_cache(maxsize=4096)  # .tf texts the tree holds anyway; bounded across subjects
def _block_headers(text: str) -> tuple[tuple[str, str, str, int], ...]:
    out = []
    line, pos = 1, 0
    for m in HEADER_RX.finditer(text):
        line += text.count("\n", pos, m.start())  # from the previous match on: linear in the text, not quadratic
        pos = m.start()
        out.append((m.group(1), m.group(2) or "", m.group(3) or "", line))
    return tuple(out)


def first(value: Any) -> Any:
    """python-hcl2 wraps nested blocks in lists; take the first element of a block list."""
    if isinstance(value, list):
        return value[0] if value else None
    return value
