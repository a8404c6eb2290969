"""Finding files among a tree's paths: by glob, by file name, by suffix; `RepoTree` inherits these.

Why indexes: collectors ask ~100 questions a scan over tens of thousands of paths. Each question is
answered from indexes built once per file list (lower-cased paths, file names, the text after the last
dot, all paths joined for C-speed substring search), not by testing every path again.
"""

from __future__ import annotations

import bisect
import fnmatch
import re
from typing import Any


class PathQueries:
    """Path lookups over `self.files` (repo-relative POSIX paths); the indexes follow the list when it changes."""

    files: list[str]

    # ---- finding files -------------------------------------------------------------------
    def glob(self, *patterns: str) -> list[str]:
        """Paths matching any fnmatch pattern (`*` also crosses `/`), case-insensitive.

        The full match is tried only on paths holding a literal run each pattern needs, found by C-speed
        `str.find` over all paths joined once: a glob for `*freeze*` over 20,000 paths cost ~20 ms of
        regex backtracking per question, and collectors ask ~40 questions a scan.
        """
        lows = [p.lower() for p in patterns]
        files, lowered, _names = self._lowered
        candidates = self._holding(lows)
        if candidates == []:
            return []  # most questions: no path holds the literals, and the regex need not even be compiled
        rx = re.compile("|".join(fnmatch.translate(p) for p in lows))
        if candidates is None:
            return [f for f, low in zip(files, lowered, strict=True) if rx.match(low)]
        return [files[i] for i in candidates if rx.match(lowered[i])]

    def _holding(self, patterns: list[str]) -> list[int] | None:
        """Indices (ascending) of the paths that contain each pattern's longest literal run, a superset of
        the matches; None when a pattern has no literal run (`*`), so every path is a candidate."""
        literals = [_glob_literal(p) for p in patterns]
        if not literals or not all(literals):
            return None  # no pattern at all matches every path, as the empty regex does
        joined, starts = self._joined
        found: set[int] = set()
        for lit in set(literals):
            pos = joined.find(lit)
            while pos >= 0:
                i = bisect.bisect_right(starts, pos) - 1
                found.add(i)
                pos = joined.find(lit, starts[i + 1]) if i + 1 < len(starts) else -1
        return sorted(found)

    @property
    def _joined(self) -> tuple[str, list[int]]:
        """The lower-cased paths joined by newlines, and where each starts (kept with `_lowered`)."""
        ix = self._lowered
        cached = self.__dict__.get("_jx")
        if cached is None or cached[0] is not ix:
            starts, pos = [], 0
            for low in ix[1]:
                starts.append(pos)
                pos += len(low) + 1
            cached = (ix, "\n".join(ix[1]), starts)
            self.__dict__["_jx"] = cached
        return cached[1], cached[2]

    def named(self, *names: str) -> list[str]:
        """Paths whose file name is one of `names`, case-insensitive: looked up in an index by file name,
        built once per tree, not by testing every path per question."""
        files, _lowered, _basenames = self._lowered
        by_name = self._by_name
        return [files[i] for i in sorted({i for n in names for i in by_name.get(n.lower(), ())})]

    def with_suffix(self, *suffixes: str) -> list[str]:
        """Paths ending with any of the suffixes, case-insensitive.

        A suffix holding a dot is only at the end of paths whose text after their last dot is the
        suffix's: those are looked up in an index of the paths by that text, built once, and only they
        are tested (collectors ask ~50 times a scan, for thousands of YAML or source files among 20,000).
        """
        suf = tuple(s.lower() for s in suffixes)
        files, lowered, _names = self._lowered
        if not suf or any("." not in s for s in suf):
            return [f for f, low in zip(files, lowered, strict=True) if low.endswith(suf)]
        by_ext = self._by_ext
        exts = {s.rsplit(".", 1)[1] for s in suf}
        return [files[i] for i in sorted(i for e in exts for i in by_ext.get(e, ()) if lowered[i].endswith(suf))]

    @property
    def _by_name(self) -> dict[str, list[int]]:
        """Lower-cased file name -> positions of the paths with it (kept with `_lowered`)."""
        return self._index_of("_nx", 2, lambda name: name)

    @property
    def _by_ext(self) -> dict[str, list[int]]:
        """Lower-cased text after the last dot -> positions of the paths with it (kept with `_lowered`)."""
        return self._index_of("_ex", 1, lambda low: low[low.rfind(".") + 1:] if "." in low else None)

    def _index_of(self, slot: str, column: int, key: Any) -> dict[str, list[int]]:
        """key(value) -> positions, over one column of `_lowered` (1: lower-cased paths, 2: file names),
        built once and rebuilt when the file list changes; values whose key is None are left out."""
        ix = self._lowered
        cached = self.__dict__.get(slot)
        if cached is None or cached[0] is not ix:
            index: dict[str, list[int]] = {}
            for i, value in enumerate(ix[column]):
                k = key(value)
                if k is not None:
                    index.setdefault(k, []).append(i)
            cached = (ix, index)
            self.__dict__[slot] = cached
        return cached[1]

    @property
    def _lowered(self) -> tuple[list[str], list[str], list[str]]:
        """The paths, lower-cased, and their lower-cased file names: computed once, not per question
        (collectors ask dozens of times over tens of thousands of paths)."""
        ix = self.__dict__.get("_ix")
        if ix is None or ix[0] is not self.files or len(ix[1]) != len(self.files):
            lowered = [f.lower() for f in self.files]
            ix = (self.files, lowered, [low.rsplit("/", 1)[-1] for low in lowered])
            self.__dict__["_ix"] = ix
        return ix

    def exists(self, path: str) -> bool:
        return path in self._file_set

    @property
    def _file_set(self) -> set[str]:
        fs = self.__dict__.get("_fs")
        if fs is None or len(fs) != len(self.files):
            fs = set(self.files)
            self.__dict__["_fs"] = fs
        return fs


def _glob_literal(pattern: str) -> str:
    """The longest run of plain characters every match of an fnmatch pattern contains ("" when none).

    fnmatch turns every character but `*`, `?` and a `[...]` set into itself, so a run between wildcards,
    before the first `[`, is in every match; a run holding a newline is not used (paths are joined by one).
    """
    head = pattern.split("[", 1)[0]
    runs = [r for r in re.split(r"[*?]", head) if "\n" not in r]
    return max(runs, key=len, default="")
