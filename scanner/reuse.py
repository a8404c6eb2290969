"""Collector outcomes kept for an unchanged checkout, so that a re-scan reuses them instead of reading again.

Why: a re-scan of an unchanged 20,000-file tree read every file and ran every detector again (about 3 s,
spread over dozens of detectors, none dominant), though nothing it reads had changed. Like git's index
and build tools, this keeps each collector's outcome (its evidence, warnings, source statuses and the
files it could not read) with what it depended on, and reuses the outcome only when all of it is the same.

An outcome is reused when all of these hold, and otherwise the collector runs:
- the collector declares the inputs it reads (`Collector.reads`) and each is a kind known here:
  "tree" (the files of the checkout) and "git" (the history of the checkout's own repository: its HEAD
  commit and whether it is shallow, and, since history windows are counted back from the scan's clock,
  that clock to the microsecond: reused only under a fixed `--as-of`, or when the folder is no repository);
- the subject is a local directory (a fetched archive is new each time and never matches);
- the same wafops code (a hash of every source file), parser libraries and Python;
- the same subject (id, directory, commit, metadata) and the same collector options;
- the same files: each file of the walk (a "tree" collector finds files by the walk's list only), with
  the same size, modification time, change time, mode and inode (a write, a rename over it, a chmod or a
  `touch -d` all change the change time), and no file added or removed;
- nothing under the checkout changed in the two seconds before the scan looked at it: a change within
  one tick of the file system's clock would not show in the times, so such a scan stores nothing.

Not reused: with `--no-cache` or `WAFOPS_NO_CACHE=1` (nothing is read or written), an outcome with a
failed collector or detector, or with files that could not be read, and when a folder could not be listed.
Reused evidence keeps the time it was collected at; the scan names the collectors it reused.

Entries live in the parse cache's folder (kind "outcome"): atomic writes, checksums, the size bound.
They are pickles read back by an unpickler that builds only wafops' own result records, dates and
enumerations (the Python documentation's "restricting globals"): a planted entry (a CI cache restored
from elsewhere) can at worst be a wrong outcome for that key, never code that runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import gc
import hashlib
import importlib
import io
import json
import os
import pickle
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wafops.collectors.base import CollectContext, Collector

ENABLED = True  # the test suite switches it off but where it tests it: its tests scan one tree many ways
KIND = "outcome"
INPUTS = ("tree", "git")
RACY_NS = 2_000_000_000  # a change this close to the scan's look at the files may hide within one clock tick
_PACKAGES = ("wafops.scanner", "wafops.collectors", "wafops.rules")
_CODE: dict[str, str] = {}


@dataclass
class Reuse:
    """The outcomes one subject may reuse, and the keys under which this scan's outcomes are stored."""

    cache: Any
    keys: dict[int, str]  # collector index -> entry key
    storable: bool  # False when the tree changed too recently to trust its times

    def lookup(self) -> dict[int, Any]:
        """Index -> the stored outcome, for every collector whose inputs are unchanged.

        The garbage collector waits meanwhile: the ~200,000 objects of a large tree's outcomes started
        dozens of collections that found nothing to free (0.36 s of unpickling became 0.11 s)."""
        with paused_gc():
            return self._lookup()

    def _lookup(self) -> dict[int, Any]:
        found: dict[int, Any] = {}
        for index, key in self.keys.items():
            hit, payload = self.cache.get(KIND, key)
            if not hit or not isinstance(payload, bytes):
                continue
            try:
                outcome = _Unpickler(io.BytesIO(payload)).load()
            except Exception:  # not an outcome this wafops wrote: run the collector
                continue
            if (type(outcome).__module__, type(outcome).__name__) == ("wafops.scanner.runner", "Outcome"):
                outcome.index = index  # (an outcome pickled by a forked child holds its index in the child's list)
                found[index] = outcome
        return found

    def store(self, outcomes: Iterable[Any]) -> int:
        """Keep each outcome that is worth reusing; how many were stored."""
        return sum(self.keep(outcome.index, outcome) for outcome in outcomes)

    def keep(self, index: int, outcome: Any, payload: bytes | None = None) -> bool:
        """Keep the outcome of collector `index` if it is worth reusing; `payload`: the outcome already pickled
        (as a forked child sent it), so that it is not pickled again."""
        key = self.keys.get(index)
        if not self.storable or key is None or not _worth_keeping(outcome):
            return False
        try:
            payload = payload if payload is not None else pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        except Exception:
            return False
        return bool(self.cache.put(KIND, key, payload))


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No garbage collection meanwhile: unpickling a large tree's outcomes (~200,000 new objects, none of them
    garbage) otherwise starts dozens of collections that free nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def prepare(collectors: list[Collector], ctx: CollectContext) -> Reuse | None:
    """The keys of the collectors whose outcomes may be reused on this subject; None when none may."""
    tree, cache = ctx.tree, getattr(ctx.tree, "cache", None)
    if not ENABLED or tree is None or cache is None or ctx.subject.meta.get("platform") != "local":
        return None
    if any(path.endswith("/") for path in tree.unread):  # a folder that could not be listed
        return None
    kinds = {i: tuple(getattr(c, "reads", ()) or ()) for i, c in enumerate(collectors)}
    kinds = {i: k for i, k in kinds.items() if k and set(k) <= set(INPUTS)}
    if not kinds:
        return None
    looked_at = time.time_ns()
    files, newest = _tree_state(tree)
    # the selection too: which collectors ran before one decides which file warnings are its to report
    base = {"code": code_version(), "subject": _subject(ctx), "options": _jsonable(ctx.options), "files": files,
            "selection": [f"{type(c).__module__}.{type(c).__qualname__}" for c in collectors]}
    git = _git_state(ctx) if any("git" in reads for reads in kinds.values()) else {}
    keys = {}
    for index, reads in kinds.items():
        parts = dict(base, index=index, reads=sorted(reads))
        if "git" in reads:
            if git is None:  # git failed: its history cannot be told unchanged
                continue
            parts["git"] = git
        keys[index] = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return Reuse(cache, keys, storable=newest < looked_at - RACY_NS)


# what an outcome is made of: anything else in an entry refuses it
_ALLOWED_MODULES = ("wafops.scanner.core.model", "wafops.scanner.core.files", "wafops.scanner.runner")
_ALLOWED_DATES = {"datetime": dt.datetime, "date": dt.date, "timedelta": dt.timedelta, "timezone": dt.timezone}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _ALLOWED_DATES:
            return _ALLOWED_DATES[name]
        if module in _ALLOWED_MODULES:
            found = getattr(sys.modules.get(module) or importlib.import_module(module), name, None)
            if isinstance(found, type) and (dataclasses.is_dataclass(found) or issubclass(found, enum.Enum)):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a collector outcome")


def _worth_keeping(outcome: Any) -> bool:
    """A finished collector without a failure or an unreadable file (either may pass by the next scan)."""
    if outcome.ran is not True or outcome.unread:
        return False
    return not any(" failed" in getattr(w, "message", "") for w in outcome.warnings)


def _tree_state(tree: Any) -> tuple[str, int]:
    """A digest of every walked file's identity and times, and the newest change time among them.

    The walk's files are all a "tree" collector reads (they find files by the walk's list, never by a
    path of their own), so a file added, removed or changed anywhere changes the digest."""
    root = str(tree.root)
    h = hashlib.sha256()
    newest = 0
    for path in tree.files:
        try:
            st = os.stat(os.path.join(root, path))
            sig = f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\0{st.st_mode}\n"
            newest = max(newest, st.st_ctime_ns)  # the kernel's own time of the last change, never set by hand
        except OSError as err:
            sig = f"{path}\0{err.errno}\n"
        h.update(sig.encode("utf-8", "surrogateescape"))
    return h.hexdigest(), newest


def _git_state(ctx: CollectContext) -> dict[str, Any] | None:
    """What git history collectors read of the subject's repository: its HEAD, whether it is shallow, and
    the clock windows are counted from; {} when the folder is not the top of a repository (git_info then
    reads no history); None when git fails."""
    from wafops.scanner.core.gitinfo import GitError, run_git

    workdir = ctx.subject.workdir or ""
    if not os.path.exists(os.path.join(workdir, ".git")):
        return {}
    try:
        out = run_git(workdir, "rev-parse", "--show-toplevel", "--is-shallow-repository", "HEAD", timeout=20).split()
    except GitError:
        return None
    return {"state": out, "now": ctx.now.isoformat()}


def _subject(ctx: CollectContext) -> dict[str, Any]:
    s = ctx.subject
    return {"id": s.id, "kind": s.kind, "workdir": s.workdir, "commit": s.commit, "permalink": s.permalink,
            "meta": _jsonable(s.meta)}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=repr))


def code_version() -> str:
    """A hash of every source file of wafops, and the versions of what parses for it."""
    v = _CODE.get("v")
    if v is None:
        h = hashlib.sha256(sys.version.encode())
        for dist in ("python-hcl2", "lark", "PyYAML"):
            h.update(_dist_version(dist).encode())
        for name in _PACKAGES:
            for folder in getattr(importlib.import_module(name), "__path__", []):
                for path in sorted(Path(folder).rglob("*.py")):
                    h.update(str(path.relative_to(folder)).encode())
                    h.update(path.read_bytes())
        v = _CODE["v"] = h.hexdigest()
    return v


def _dist_version(name: str) -> str:
    from importlib import metadata

    try:
        return f"{name} {metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return f"{name} ?"
