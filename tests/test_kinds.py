"""The evidence-kind registry (`wafops.scanner.core.kinds`) against the document and the code.

- collectors/KINDS.md is generated from the registry, never edited by hand;
- every kind a probe reads (`ev.of("x.y", ...)`, `ev.where("x.y", ...)`, `x.*` prefixes) is registered;
- every kind a collector (or the engine) emits with a literal name is registered. Only calls of the evidence
  builders count: `file_evidence`/`api_evidence` (collectors.base), the per-collector helpers
  `self.ev(kind, ...)`/`self.emit(kind, ...)`, and `Evidence(kind=...)`, so a file name such as
  "package.json" elsewhere in a call is never taken for a kind.
- and every registered kind is named somewhere in the collectors' code (no stale entries), except the few
  PLANNED ones a probe already reads.

The scans walk collectors/, scanner/ and rules/ recursively, so they keep working when modules move.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from wafops.scanner.core import kinds

ROOT = Path(__file__).resolve().parents[1]
REGENERATE = "run `python -m wafops.scanner.core.kinds > collectors/KINDS.md`"

# the first positional argument of these calls is the kind
BUILDERS = {"file_evidence", "api_evidence"}  # ctx.file_evidence(kind, path, ...), ctx.api_evidence(kind, source, ...)
METHOD_BUILDERS = {"ev", "emit"}  # self.ev(kind, ...) / self.emit(kind, ...): the collectors' own helpers
READERS = {"of", "where"}  # EvidenceSet.of(*kinds, **where), EvidenceSet.where(kind, pred)


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _py_files(*folders: str, root: Path = ROOT) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((root / folder).rglob("*.py"))


def emitted_kinds(source: str) -> Iterator[tuple[str, int]]:
    """(kind, line) for each evidence-builder call in the source whose kind is a string literal."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        kind: str | None = None
        if name in BUILDERS or (name in METHOD_BUILDERS and isinstance(node.func, ast.Attribute)):
            kind = _literal(node.args[0]) if node.args else None
        elif name == "Evidence":
            kw = next((k.value for k in node.keywords if k.arg == "kind"), None)
            kind = _literal(kw if kw is not None else (node.args[0] if node.args else None))
        if kind is not None:
            yield kind, node.lineno


def read_kinds(source: str) -> Iterator[tuple[str, int]]:
    """(kind, line) for each string literal passed positionally to `.of(...)` or `.where(...)`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in READERS:
            args = node.args if node.func.attr == "of" else node.args[:1]
            for arg in args:
                if (kind := _literal(arg)) is not None:
                    yield kind, node.lineno


def _found(scan, *folders: str, root: Path = ROOT) -> list[tuple[str, str]]:
    """(where, kind) for every kind the scan finds in the folders."""
    return [(f"{path.relative_to(root)}:{line}", kind) for path in _py_files(*folders, root=root)
            for kind, line in scan(path.read_text(encoding="utf-8"))]


def _unregistered(found: list[tuple[str, str]]) -> list[str]:
    return [f"{where}: {kind}" for where, kind in found if not kinds.registered(kind)]


def test_kinds_md_is_generated_from_the_registry():
    assert (ROOT / "collectors" / "KINDS.md").read_text(encoding="utf-8") == kinds.render(), (
        f"collectors/KINDS.md is not the text the registry generates: add or change kinds in "
        f"scanner/core/kinds.py, then {REGENERATE}")


def test_every_kind_a_probe_reads_is_registered():
    found = _found(read_kinds, "rules")
    assert len(found) > 100, "the scan of rules/ found almost no kinds: has the probes' API changed?"
    missing = _unregistered(found)
    assert not missing, ("kinds read by probes but not registered in scanner/core/kinds.py (add them, then "
                         f"{REGENERATE}):\n" + "\n".join(missing))


def test_every_kind_a_collector_emits_is_registered():
    found = _found(emitted_kinds, "collectors", "scanner")
    assert len(found) > 100, "the scan of collectors/ found almost no kinds: has the evidence builders' API changed?"
    missing = _unregistered(found)
    assert not missing, ("kinds emitted by collectors but not registered in scanner/core/kinds.py (add them, "
                         f"then {REGENERATE}):\n" + "\n".join(missing))


# registered because a probe reads it, though no collector writes it yet (OPS-090 `drift_age_bounded` reads
# `drift.age` first and falls back to other evidence)
PLANNED = {"drift.age"}


def test_every_registered_kind_is_written_by_some_collector():
    """The other way round: a kind no code names any more is stale. Any string constant naming the kind in
    collectors/ or scanner/ counts (a kind may reach its builder through a table)."""
    named: set[str] = set()
    for path in _py_files("collectors", "scanner"):
        if path.name == "kinds.py" and path.parent.name == "core":
            continue
        named |= {n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                  if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in kinds.KINDS}
    stale = sorted(set(kinds.KINDS) - named - PLANNED)
    assert not stale, f"registered kinds no collector writes (remove them, or list them in PLANNED): {stale}"
    built = sorted(PLANNED & named)
    assert not built, f"planned kinds a collector now writes (drop them from PLANNED, describe them): {built}"


def test_the_scans_see_what_they_should_and_nothing_else():
    source = '''
ctx.file_evidence("made.up", "package.json", line=1)
self.ev("made.up2", path, 3, {})
self.emit("made.up3", "a.yml", {})
emit(path, 1, "chef")                      # a local helper whose first argument is a path
ctx.api_evidence("made.up4", "github", url)
Evidence(kind="made.up5", subject="s", source="aws")
tree.line_of("package.json", rx)           # not an evidence builder
'''
    assert sorted(k for k, _ in emitted_kinds(source)) == ["made.up", "made.up2", "made.up3", "made.up4",
                                                           "made.up5"]
    reads = 'ev.of("a.b", "c.*", kind="x.y")\nev.where("d.e", lambda e: True)\nev.p("f.g")\n'
    assert sorted(k for k, _ in read_kinds(reads)) == ["a.b", "c.*", "d.e"]


def test_registered_names_and_prefixes():
    assert kinds.registered("ci.job")
    assert kinds.registered("obs.*")
    assert not kinds.registered("made.up")
    assert not kinds.registered("nothing.*")
    assert all(k.wing in kinds.WINGS or not k.wing for k in kinds.KINDS.values())


def test_the_checks_fail_on_an_unregistered_kind(tmp_path):
    """A made-up kind in a probe (also as a prefix) or in a collector, in a nested folder, is reported."""
    (tmp_path / "rules" / "probes").mkdir(parents=True)
    (tmp_path / "rules" / "probes" / "opsx.py").write_text(
        'def p(ev):\n    return ev.of("ci.job", "made.up") or ev.where("nothing.*", bool)\n', encoding="utf-8")
    (tmp_path / "collectors" / "repo" / "deep").mkdir(parents=True)
    (tmp_path / "collectors" / "repo" / "deep" / "x.py").write_text(
        'def c(ctx):\n    yield ctx.file_evidence("made.up", "package.json", line=1)\n'
        '    yield ctx.file_evidence("ci.job", "package.json", line=1)\n', encoding="utf-8")
    assert _unregistered(_found(read_kinds, "rules", root=tmp_path)) == ["rules/probes/opsx.py:2: made.up",
                                                                 "rules/probes/opsx.py:2: nothing.*"]
    assert _unregistered(_found(emitted_kinds, "collectors", root=tmp_path)) == ["collectors/repo/deep/x.py:2: made.up"]


def _missing_paths(text: str, root: Path) -> list[str]:
    """Repository paths the document names (in backticks) that do not exist under `root`."""
    import re

    named = {m.split(":")[0] for m in re.findall(r"`((?:collectors|scanner|rules)/[^`\s]*)`", text)}
    return sorted(p for p in named if not (root / p.rstrip("/")).exists())


def test_every_path_the_document_names_exists(tmp_path):
    text = (ROOT / "collectors" / "KINDS.md").read_text(encoding="utf-8")
    assert _missing_paths(text, ROOT) == []
    assert _missing_paths("see `collectors/repo/gone.py` and `scanner/engine.py`", ROOT) == ["collectors/repo/gone.py"]
