"""A persistent cache of parsed HCL and YAML files, shared by every scan on this machine.

Why: python-hcl2 costs 3-30 ms a file, so a re-scan of an unchanged tree (or of another checkout
holding the same files) was as slow as the first one. The process-wide content cache of
`wafops.scanner.core.files` forgets everything when the process ends; this one keeps the parses on
disk, keyed by the file's content hash and the parser's version (python-hcl2 or PyYAML, plus
`CODE_VERSION` and a hash of the module holding our own normalising code), so an upgrade or an
edit of the parse code never reads a stale parse.

Where: `$WAFOPS_PARSE_CACHE_DIR`, else `$XDG_CACHE_HOME/wafops/parse`, else `~/.cache/wafops/parse`
(`wafops scan --no-cache` neither reads nor writes it; `WAFOPS_NO_CACHE=1` does the same).

How it stays safe:
- one file per entry, written to a temporary file in the same folder and renamed into place
  (atomic), so concurrent scans never see half an entry; two scans writing the same entry write
  the same bytes;
- each entry carries a checksum of its payload: a truncated, corrupt or unreadable entry is a
  miss (and is removed), never a crash and never a wrong parse;
- values are stored with `marshal`, which refuses anything but the exact built-in types
  (dict, list, str, int, float, bool, None, ...): a parse holding any other type (a YAML date)
  is simply not cached, so what the cache returns is identical to a fresh parse;
- bounded: an estimate of its size is kept in `.usage` (updated under a lock); when it passes
  the cap (256 MB by default), the least recently used entries are removed down to 80 % of it.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import marshal
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CODE_VERSION = 1  # bump when hcl.parse_hcl/_clean or files.TreeYamlLoader change what a parse returns
DEFAULT_MAX_BYTES = 256 * 2**20
ENV_DIR = "WAFOPS_PARSE_CACHE_DIR"
ENV_OFF = "WAFOPS_NO_CACHE"
# JSON is parsed in C about as fast as an entry is read back. "hcl-blocks": the parses of the blocks of one .tf
# file that the collectors read, kept as one entry (a list) so that a re-scan reads one entry per file
KINDS = ("hcl", "hcl-blocks", "yaml")
_MAGIC = b"wafops-parse\x01"
_SUM = 32  # sha256 of the payload
_LOW_WATER = 0.8


def default_dir() -> Path:
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not base or not os.path.isabs(base):  # the XDG spec: a relative value is to be ignored
        base = "~/.cache"
    return Path(base).expanduser() / "wafops" / "parse"


def disabled_by_env() -> bool:
    return os.environ.get(ENV_OFF, "").strip().lower() not in ("", "0", "false", "no")


_VERSIONS: dict[str, str] = {}


def parser_version(kind: str) -> str:
    """What a parse of `kind` depends on besides the text: the parser library and our code (CODE_VERSION
    and a hash of the module that holds the parse code, so an edit there never reads a stale parse)."""
    v = _VERSIONS.get(kind)
    if v is None:
        if kind in ("hcl", "hcl-blocks"):
            v = (f"python-hcl2 {_source_hash('hcl2', 'version.py')}; {_source_hash('wafops.scanner.core.hcl')}; "
                 f"{_source_hash('wafops.scanner.core.hcl_parser')}; {_source_hash('wafops.scanner.core.hcl_simple')}")
            if kind == "hcl-blocks":  # keyed by block positions: the cut's code is part of what an entry means
                v += f"; {_source_hash('wafops.scanner.core.hcl_blocks')}"
        elif kind == "yaml":
            import yaml

            v = (f"pyyaml {yaml.__version__} libyaml {getattr(yaml, '__with_libyaml__', False)}; "
                 f"{_source_hash('wafops.scanner.core.files')}")
        else:
            v = kind
        v = f"{v}; wafops parse code {CODE_VERSION}"
        _VERSIONS[kind] = v
    return v


def _source_hash(module: str, file: str = "") -> str:
    """A hash of a module's source (or of `file` in a top-level package), found without importing it:
    python-hcl2 and lark take ~60 ms to import, and a scan whose Terraform is all plain HCL (`hcl_simple`)
    never needs them. (python-hcl2's version.py holds its version and commit.)"""
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
        path = spec.origin if spec else None
        if file and spec and spec.submodule_search_locations:
            path = os.path.join(list(spec.submodule_search_locations)[0], file)
        with open(path or "", "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()[:16]
    except (OSError, ImportError, TypeError, ValueError):
        return "source ?"


class ParseCache:
    """Parsed values on disk, one file per (kind, parser version, content digest)."""

    def __init__(self, directory: str | os.PathLike[str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.dir = Path(directory).expanduser() if directory is not None else default_dir()
        self.max_bytes = max_bytes
        self.hits = self.misses = self.writes = self.corrupt = 0
        self._written = 0  # bytes written and not yet added to `.usage`
        self._writable = True
        self._lock = threading.Lock()
        self._atexit = False

    # ---- entries ------------------------------------------------------------------------------
    def _path(self, kind: str, digest: str) -> Path:
        key = hashlib.sha256(f"{kind}\0{parser_version(kind)}\0{digest}".encode()).hexdigest()
        return self.dir / key[:2] / key[2:]

    def get(self, kind: str, digest: str) -> tuple[bool, Any]:
        """(True, value) for a valid entry, (False, None) otherwise (absent, corrupt, unreadable)."""
        path = self._path(kind, digest)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            self.misses += 1
            return False, None
        try:
            if not data.startswith(_MAGIC):
                raise ValueError("bad header")
            body = data[len(_MAGIC):]
            checksum, payload = body[:_SUM], body[_SUM:]
            if len(checksum) != _SUM or hashlib.sha256(payload).digest() != checksum:
                raise ValueError("bad checksum")
            value = marshal.loads(payload)
        except Exception:  # a corrupt entry is a miss: drop it so the next parse rewrites it
            self.corrupt += 1
            self.misses += 1
            with contextlib.suppress(OSError):
                path.unlink()
            return False, None
        self.hits += 1
        with contextlib.suppress(OSError):
            os.utime(path)  # least recently used entries are evicted first
        return True, value

    def put(self, kind: str, digest: str, value: Any) -> bool:
        """Store a parse; False when it cannot be stored exactly (types marshal refuses) or at all."""
        if not self._writable:
            return False
        try:
            payload = marshal.dumps(value, 4)
        except (ValueError, TypeError):  # e.g. a YAML date: not cached, parsed again next time
            return False
        data = _MAGIC + hashlib.sha256(payload).digest() + payload
        path = self._path(kind, digest)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)  # atomic: a reader sees the old entry, the new one, or none
            tmp = None
        except OSError:  # read-only or full disk: scan on without writing
            self._writable = False
            return False
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        with self._lock:
            self.writes += 1
            self._written += len(data)
            if not self._atexit:
                self._atexit = True
                atexit.register(self.flush)
        return True

    # ---- size bound ---------------------------------------------------------------------------
    def flush(self) -> None:
        """Add what this process wrote to the size estimate; evict when it passes the cap."""
        with self._lock:
            written, self._written = self._written, 0
        if not written:
            return
        try:
            with self._locked():
                usage_file = self.dir / ".usage"
                try:
                    usage = int(usage_file.read_text() or 0)
                except (OSError, ValueError):
                    usage = self.max_bytes + 1  # unknown: count it
                usage += written
                if usage > self.max_bytes:
                    usage = self._evict()
                self._write_atomic(usage_file, str(usage))
        except OSError:
            pass

    def _evict(self) -> int:
        """Remove the least recently used entries down to the low-water mark; the size left."""
        entries = []
        total = 0
        for path, size, mtime in self._entries():
            entries.append((mtime, size, path))
            total += size
        if total <= self.max_bytes:
            return total
        entries.sort()
        target = int(self.max_bytes * _LOW_WATER)
        for _mtime, size, path in entries:
            if total <= target:
                break
            with contextlib.suppress(OSError):
                os.unlink(path)
                total -= size
        return total

    def _entries(self) -> Iterator[tuple[str, int, float]]:
        try:
            subdirs = list(os.scandir(self.dir))
        except OSError:
            return
        for sub in subdirs:
            if len(sub.name) != 2 or not sub.is_dir(follow_symlinks=False):
                continue
            try:
                with os.scandir(sub.path) as it:
                    for entry in it:
                        try:
                            st = entry.stat(follow_symlinks=False)
                        except OSError:
                            continue
                        yield entry.path, st.st_size, st.st_mtime
            except OSError:
                continue

    def size(self) -> int:
        """Bytes held by the entries now (walks the folder)."""
        return sum(size for _p, size, _m in self._entries())

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "a+b") as fh:
            try:
                import fcntl
            except ImportError:  # pragma: no cover - Windows: estimates may race, eviction still bounds it
                yield
                return
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    @staticmethod
    def _write_atomic(path: Path, text: str) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


_SHARED: dict[str, ParseCache] = {}
_SHARED_LOCK = threading.Lock()
_CONFIG: dict[str, Any] = {"enabled": True, "directory": None}


def configure(enabled: bool = True, directory: str | os.PathLike[str] | None = None) -> None:
    """The process-wide setting (`wafops scan --no-cache`, `--parse-cache-dir`): whether the trees
    a scan walks use the persistent cache, and where it is (None: from the environment)."""
    _CONFIG["enabled"] = enabled
    _CONFIG["directory"] = directory


def shared(directory: str | os.PathLike[str] | None = None) -> ParseCache | None:
    """The process-wide cache for `directory` (default: the configured folder, else from the
    environment), or None when it is switched off (`configure(False)`, `WAFOPS_NO_CACHE=1`)."""
    if directory is None:
        if not _CONFIG["enabled"] or disabled_by_env():
            return None
        directory = _CONFIG["directory"]
    path = str(Path(directory).expanduser() if directory is not None else default_dir())
    with _SHARED_LOCK:
        cache = _SHARED.get(path)
        if cache is None:
            cache = _SHARED[path] = ParseCache(path)
        return cache
