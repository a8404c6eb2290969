"""A read-only view of a directory tree that file collectors share.

Why one shared view: the tree is walked once per subject, every file is read at most once and
parsed at most once per content hash, and every collector sees the same warnings policy (binary,
huge, unreadable, malformed files become warnings, never exceptions). Collectors never open files
themselves.

What could not be read is not absence: a file a collector asked for that was unreadable, too large
or not valid UTF-8 is recorded in `unread` (path -> reason, with the collectors that asked), so the
engine marks the `repo` source partial and the criteria that would have read it not assessed. A
symbolic link that points outside the checkout is never followed (skipped with a warning).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import os
import re
import stat
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.paths import PathQueries

try:  # libyaml is ~10x faster; fall back to the pure-Python loader
    _BaseLoader = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader

SKIP_DIRS = {
    ".git", ".hg", ".svn", "node_modules", ".terraform", ".terragrunt-cache", "vendor", ".venv", "venv",
    "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "bower_components",
    "site-packages", ".idea", ".gradle", ".next", ".cache",
}
MAX_FILE_BYTES = 2 * 1024 * 1024


class TreeYamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """YAML 1.2-ish booleans: `on:` (GitHub Actions) stays the string "on", not True."""


TreeYamlLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in _BaseLoader.yaml_implicit_resolvers.items()
}
TreeYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _ignore_unknown_tags(loader: yaml.Loader, suffix: str, node: yaml.Node) -> Any:
    """CloudFormation `!Ref`, GitLab `!reference` and friends: keep the value, drop the tag."""
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


TreeYamlLoader.add_multi_constructor("!", _ignore_unknown_tags)


@dataclass
class TreeWarning:
    path: str
    message: str


@dataclass
class RepoTree(PathQueries):
    """Files below `root`, as repo-relative POSIX paths."""

    root: Path
    files: list[str] = field(default_factory=list)
    warnings: list[TreeWarning] = field(default_factory=list)
    _text: dict[str, str | None] = field(default_factory=dict, repr=False)
    _parsed: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    unread: dict[str, str] = field(default_factory=dict)  # path -> why it could not be read (asked for)
    unread_by: dict[str, set[str]] = field(default_factory=dict)  # path -> the readers that asked
    reader: str = ""  # the collector reading now (set by the engine), recorded with what it could not read
    _lines: dict[str, tuple[list[str], list[int]]] = field(default_factory=dict, repr=False)
    line_checks: int = 0  # lines a regex was tried on by line_of (the linear-time tests count them)
    # the persistent parse cache (wafops.scanner.core.parse_cache.ParseCache), None for none
    cache: Any = field(default=None, repr=False)
    # the files the walk found: their symbolic links were checked then, so reading them needs no path lookup
    _walked: frozenset[str] = field(default=frozenset(), repr=False)
    _root: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        self._root = str(self.root)

    @classmethod
    def scan(cls, root: str | os.PathLike[str], cache: Any = "default") -> RepoTree:
        """Walk `root`. `cache`: a ParseCache, None (no persistent cache) or "default" (the
        process-wide one from the environment: `WAFOPS_PARSE_CACHE_DIR`, `XDG_CACHE_HOME`, `WAFOPS_NO_CACHE`)."""
        if isinstance(cache, str):
            from wafops.scanner.core import parse_cache

            cache = parse_cache.shared()
        tree = cls(Path(root), cache=cache)
        tree.files = list(tree._walk())
        tree.files.sort()
        tree._walked = frozenset(tree.files)
        return tree

    def _walk(self) -> Iterator[str]:
        """The files, directory by directory in the order os.walk visits them (depth first, as listed).

        Why not os.walk: it stats every directory again (`islink`) and this walk stated every file
        (`islink`) too; `os.scandir` entries already know from the directory listing whether they are
        symbolic links, so a 20,000-file tree is walked in a third of the time. Symbolic links to
        directories are not entered; one to a file outside the checkout is skipped with a warning.
        """
        root = str(self.root)
        real_root = os.path.realpath(root)
        stack = [(root, "")]
        while stack:
            top, prefix = stack.pop()
            try:
                with os.scandir(top) as it:
                    entries = list(it)
            except OSError as err:
                self._walk_error(err)
                continue
            dirs, files = _split_entries(entries)
            for entry in sorted(files, key=_entry_name):
                rel = prefix + entry.name
                if _is_link(entry) and not _inside(os.path.realpath(entry.path), real_root):
                    self.warnings.append(TreeWarning(rel, "skipped: a symbolic link pointing outside the checkout"))
                    continue
                yield rel
            stack.extend((d.path, f"{prefix}{d.name}/") for d in reversed(dirs))

    def _walk_error(self, err: OSError) -> None:
        path = os.path.relpath(str(err.filename or self.root), str(self.root)).replace(os.sep, "/")
        reason = f"cannot list directory: {err.strerror or err}"
        self.warnings.append(TreeWarning(path, reason))
        self.unread[path + "/"] = reason  # whatever it holds was not read
        self.unread_by.setdefault(path + "/", set()).add("*")

    # ---- reading -------------------------------------------------------------------------
    def text(self, path: str) -> str | None:
        """The file's text, or None (with a warning) if it is binary, huge or unreadable.

        A file that was asked for and could not be read (or only in part: not valid UTF-8, decoded
        with replacement characters) is recorded in `unread`; binary files are not text to read.
        """
        if path in self._text:
            if path in self.unread:
                self._unread(path, self.unread[path])
            return self._text[path]
        full = os.path.join(self._root, path)
        value: str | None = None
        try:
            if path not in self._walked and os.path.islink(full) and not _inside(os.path.realpath(full),
                                                                               os.path.realpath(self._root)):
                self._warn(path, "skipped: a symbolic link pointing outside the checkout")
                self._text[path] = None
                return None
            value = self._read(path, full)
        except OSError as err:
            reason = f"cannot read: {err.strerror or err}"
            self._warn(path, reason)
            if not os.path.islink(full):  # a dangling or looping link holds nothing to read
                self._unread(path, reason)
        self._text[path] = value
        return value

    def _read(self, path: str, full: str) -> str | None:
        """Open once, then ask the open file what it is (one open and one fstat; no path lookups).

        O_NONBLOCK: opening a FIFO must not wait for a writer; it is then skipped as not a regular file."""
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            st = os.stat(full)  # a socket cannot be opened: say what it is, as for a FIFO
            if stat.S_ISREG(st.st_mode):
                raise
            self._warn(path, "skipped: not a regular file")
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
                self._warn(path, "skipped: not a regular file")
                return None
            if st.st_size > MAX_FILE_BYTES:
                reason = f"skipped: {st.st_size} bytes is larger than the {MAX_FILE_BYTES} byte limit"
                self._warn(path, reason)
                self._unread(path, reason)
                return None
            data = _read_all(fd, st.st_size)
        finally:
            os.close(fd)
        if b"\x00" in data[:8192]:
            self._warn(path, "skipped: binary file")
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as err:
            reason = f"not valid UTF-8 (byte {err.start}): read with replacement characters"
            self._warn(path, reason)
            self._unread(path, reason)
            return data.decode("utf-8", errors="replace")

    def forget_warned(self) -> None:
        """Forget the text and parses of the files that drew a warning, so the next reader warns again.

        For collectors run out of their plugins' order (wafops.scanner.runner): each warning must stay
        where the first reader in that order would have put it."""
        warned = {w.path for w in self.warnings}
        for path in warned:
            self._text.pop(path, None)
        for key in [k for k in self._parsed if k[1] in warned]:
            del self._parsed[key]

    def _warn(self, path: str, message: str) -> None:
        with self._lock:
            self.warnings.append(TreeWarning(path, message))

    def _unread(self, path: str, reason: str) -> None:
        with self._lock:
            self.unread.setdefault(path, reason)
            self.unread_by.setdefault(path, set()).add(self.reader or "*")

    def _cached(self, kind: str, path: str, parse: Any) -> Any:
        key = (kind, path)
        if key in self._parsed:
            if path in self.unread:  # asked again by another reader: it is blind to the file too
                self._unread(path, self.unread[path])
            return self._parsed[key]
        text = self.text(path)
        result = None
        if text is not None:
            digest = _digest(text)
            hit, result = self.known_parse(kind, digest)
            if not hit:
                try:
                    result = parse(text)
                except Exception as err:  # every parser error becomes a warning, never a crash
                    self._warn(path, f"malformed {kind.upper()}: {_first_line(err)}")
                    result = None  # not cached: the next scan warns again
                else:
                    self.keep_parse(kind, digest, result)
        self._parsed[key] = result
        return result

    def known_parse(self, kind: str, digest: str) -> tuple[bool, Any]:
        """(True, parse) from this process' content cache or the persistent one, else (False, None)."""
        ckey = (kind, digest)
        if ckey in _CONTENT_CACHE:
            return True, _CONTENT_CACHE[ckey]
        if self.cache is None or kind not in _DISK_KINDS:
            return False, None
        hit, result = self.cache.get(kind, digest)
        if hit:
            _CONTENT_CACHE[ckey] = result
        return hit, result

    def keep_parse(self, kind: str, digest: str, result: Any) -> None:
        _CONTENT_CACHE[(kind, digest)] = result
        if self.cache is not None and kind in _DISK_KINDS:
            self.cache.put(kind, digest, result)

    def yaml_docs(self, path: str) -> list[Any]:
        """All YAML documents of a file (empty when malformed)."""
        docs = self._cached("yaml", path, lambda t: [d for d in yaml.load_all(t, Loader=TreeYamlLoader)])
        return docs or []

    def yaml(self, path: str) -> Any:
        docs = self.yaml_docs(path)
        return docs[0] if docs else None

    def json(self, path: str) -> Any:
        return self._cached("json", path, json.loads)

    def prefetch_hcl(self, paths: Iterable[str], wanted: Wanted | None = None) -> None:
        """Parse many HCL files (or only their `wanted` blocks) in worker processes, filling the content cache."""
        self.prefetch_hcl_blocks((path, wanted) for path in paths)

    def prefetch_hcl_blocks(self, asks: Iterable[tuple[str, Wanted | None]]) -> None:
        """Parse, in worker processes, what `hcl(path, wanted)` will parse for each ask, filling the content cache.

        python-hcl2 is pure-Python and CPU-bound (about 8 ms a file), so a collector that is about to
        parse hundreds of .tf files calls this first (and the engine calls it once for every collector's
        `hcl_blocks`); `hcl()` then answers from the cache (see `wafops.scanner.core.hcl_workers`).
        """
        from wafops.scanner.core import hcl_workers

        hcl_workers.prefetch(self, asks)

    def has_parse(self, path: str, wanted: Wanted | None = None) -> bool:
        """Whether `hcl(path, wanted)` was answered already."""
        return (("hcl", path) if wanted is None else ("hcl", path, wanted)) in self._parsed

    def remember_hcl(self, path: str, wanted: Wanted, parsed: dict[str, Any]) -> None:
        """The answer to `hcl(path, wanted)`, assembled from a cached bundle (wafops.scanner.core.hcl_workers)."""
        self._parsed[("hcl", path, wanted)] = parsed

    def hcl(self, path: str, wanted: Wanted | None = None) -> dict[str, Any] | None:
        """Terraform/HCL parsed by python-hcl2, with quotes normalised away (see hcl_clean).

        With `wanted`, only the top-level blocks it names are parsed, each on its own (`hcl_blocks`), and
        the answer holds at least those blocks, as the whole file's parse would: a file the block cut does
        not understand, or a wanted block that does not parse alone, is parsed whole (with the usual
        warning when that fails too). None when the file cannot be read or does not parse.
        """
        from wafops.scanner.core.hcl import parse_hcl

        if wanted is None or not SPLIT_HCL:
            return self._cached("hcl", path, parse_hcl)
        text = self.text(path)  # (asked again, an unreadable file is recorded for this reader too)
        key = ("hcl", path, wanted)
        if key in self._parsed:
            return self._parsed[key]
        from wafops.scanner.core import hcl_workers

        result = None if text is None else hcl_workers.wanted_blocks(self, text, wanted)
        if result is hcl_workers.WHOLE:
            result = self._cached("hcl", path, parse_hcl)
        self._parsed[key] = result
        return result

    # ---- locating ------------------------------------------------------------------------
    def line_of(self, path: str, pattern: str | re.Pattern[str], start: int = 1) -> int | None:
        """1-based line of the first match at or after `start` (regex or plain substring)."""
        text = self.text(path)
        if text is None:
            return None
        lines, offsets = self._line_index(path, text)
        first = max(1, start)
        if isinstance(pattern, str) and not any(c in _LINE_BREAKS for c in pattern):
            # a plain substring: one C-speed find from the start line, then the line by bisection
            # (a collector locating 4,000 alert rules in one file no longer splits it 4,000 times)
            if not pattern:
                return first if first <= len(lines) else None
            pos = text.find(pattern, offsets[first - 1]) if first <= len(lines) else -1
            return bisect.bisect_right(offsets, pos) if pos >= 0 else None
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        literal = _required_literal(rx.pattern, rx.flags) if isinstance(rx.pattern, str) else ""
        if literal and first <= len(lines):
            # only lines holding the pattern's mandatory literal can match: find them at C speed
            pos = text.find(literal, offsets[first - 1])
            while pos >= 0:
                number = bisect.bisect_right(offsets, pos)
                self.line_checks += 1
                if rx.search(lines[number - 1]):
                    return number
                if number >= len(lines):
                    return None
                pos = text.find(literal, offsets[number])
            return None
        for number in range(first, len(lines) + 1):
            self.line_checks += 1
            if rx.search(lines[number - 1]):
                return number
        return None

    def _line_index(self, path: str, text: str) -> tuple[list[str], list[int]]:
        """The file's lines (as `str.splitlines` cuts them) and the offset where each starts, cached."""
        cached = self._lines.get(path)
        if cached is None:
            with_ends = text.splitlines(keepends=True)
            offsets = list(itertools.accumulate(map(len, with_ends[:-1]), initial=0)) if with_ends else []
            cached = (text.splitlines(), offsets)
            self._lines[path] = cached
        return cached

    def iter_text(self, paths: Iterable[str]) -> Iterator[tuple[str, str]]:
        for p in paths:
            t = self.text(p)
            if t is not None:
                yield p, t


_CONTENT_CACHE: dict[tuple[str, str], Any] = {}
SPLIT_HCL = True  # parse only the wanted blocks of a .tf file (False: whole files, as a check in the tests)
_DISK_KINDS = frozenset(("hcl", "yaml"))  # what the persistent parse cache keeps (JSON parses in C)


def _digest(text: str) -> str:
    """The content key of the parse caches (sha256: a cache shared between checkouts must not be
    fooled by two different files with one hash)."""
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # where str.splitlines cuts


@functools.lru_cache(maxsize=4096)  # collectors locate many items with the same pattern
def _required_literal(pattern: str, flags: int) -> str:
    """The longest run of plain characters every match of `pattern` contains ("" when unsure).

    Read from the parsed pattern's top level only (not inside alternatives or repeats); a
    case-insensitive, verbose or multi-line-break literal gives "" and the caller checks every line.
    """
    if flags & (re.IGNORECASE | re.VERBOSE):
        return ""
    try:
        from re import _parser as sre_parse  # the stdlib's own parser (sre_parse before 3.11)
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    try:
        items = list(sre_parse.parse(pattern, flags))
    except Exception:
        return ""
    best, run = "", []
    literal_op = sre_parse.LITERAL if hasattr(sre_parse, "LITERAL") else None
    for op, arg in items:
        if op is literal_op or str(op) == "LITERAL":
            run.append(chr(arg))
            continue
        if len("".join(run)) > len(best):
            best = "".join(run)
        run = []
    if len("".join(run)) > len(best):
        best = "".join(run)
    return "" if any(c in _LINE_BREAKS for c in best) else best


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_link(entry: os.DirEntry[str]) -> bool:
    """Like os.path.islink: an entry whose type cannot be read is no link."""
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _split_entries(entries: list[os.DirEntry[str]]) -> tuple[list[os.DirEntry[str]], list[os.DirEntry[str]]]:
    """The directories to enter (not skipped, not symbolic links) and the non-directories, as os.walk
    splits them: an entry whose type cannot be read counts as a file."""
    dirs, files = [], []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            files.append(entry)
        elif entry.name not in SKIP_DIRS and not _is_link(entry):
            dirs.append(entry)
    return dirs, files


def _read_all(fd: int, size: int) -> bytes:
    """The whole file behind `fd` (it may have grown or shrunk since its size was read)."""
    chunks = []
    while chunk := os.read(fd, max(size, 65536) + 1):
        chunks.append(chunk)
    return b"".join(chunks)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__
