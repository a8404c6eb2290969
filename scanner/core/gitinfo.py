"""Read-only access to the git history of a scanned repository, shared by several collectors.

Why a shared helper: the history collector (cadence, PR-merge share, tags) and the docs collector
(runbook freshness, postmortem dates, register reviews) both read the last ~400 days of history; it
is cached per repository root (thread-safe), so a 20,000-file monorepo pays for it once.

Why two passes, and the second one lazy: listing which files every commit changed
(`git log --name-status`) makes git diff each commit's trees against its parent's; on a busy
repository (55,000 commits in the window) that is ~20 s of git CPU, while the commits alone
(`git log --format`) cost well under a second. Per-file dates are read for a few documents only,
so they are read on the first question, in one `git log --name-status -- <pathspecs>` walk over
the likely documents (Markdown/AsciiDoc/reStructuredText/text files and debt/toil registers at
HEAD; a documentation folder as one pathspec): git then skips the trees of every folder holding
none of them. A path outside that set costs one more walk (with the other files of its folder).
Both passes stop at the window (`--since`), so memory does not grow with the repository's age.
`GitInfo.files` answers exactly what the old single full pass answered (tests/test_gitinfo_lazy.py
compares them); iterating it runs that full pass. benchmarks/git_history.py has the figures.

Only read-only git commands run (rev-parse, log, ls-tree, for-each-ref, rev-list, show of a blob),
with timeouts, `core.quotepath=off` (UTF-8 paths stay readable) and no optional locks, so scanning
never writes to the repository.

History is used only when the subject's directory IS the top level of a work tree: a folder inside
another repository (such as `examples/x`) has no history of its own, and the enclosing
repository's commits would describe a different project.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

WINDOW_DAYS = 400
TIMEOUT = 60

_RS, _US = "\x1e", "\x1f"
_LOG_FORMAT = f"{_RS}%H{_US}%cI{_US}%P{_US}%ae{_US}%an{_US}%ce{_US}%s"
_FILE_FORMAT = f"{_RS}%H{_US}%cI"  # the per-file walk needs only which commit, and when
PREFETCH_MAX = 2000  # more likely documents than this: one full `--name-status` pass instead (pathspec matching
#                      costs git time per item and tree entry, so thousands of literal paths are slower than none)
SIBLINGS_MAX = 500
DOC_SUFFIXES = (".md", ".markdown", ".mdx", ".adoc", ".asciidoc", ".rst", ".txt", ".md.erb")
REGISTER_SUFFIXES = (".yml", ".yaml", ".csv", ".json")
REGISTER_WORDS = ("debt", "toil", "register")
# folders that usually hold documents: walked as one pathspec (not vocabulary.DOC_DIRS, the sample folders)
DOCUMENT_DIRS = {"doc", "docs", "documentation", "runbooks", "runbook", "playbooks", "postmortems", "post-mortems",
            "incidents", "adr", "adrs", "decisions", "wiki", "handbook", "guides", "ops", "operations", "sre",
            "oncall", "on-call"}
LIKELY_DIRS = DOCUMENT_DIRS | {"guide", "manual", "platform", "procedures"}  # where the docs collector looks for procedures
OPS_WORDS = ("runbook", "playbook", "mortem", "incident", "outage", "oncall", "on-call", "operations", "adr",
             "decision", "debt", "toil", "retro")
PREFETCH_ALL = 300  # up to this many documents: walk them all; more (a README per package): the likely ones
MISSES_MAX = 8  # questions outside the walked paths, each one walk, before one full pass answers the rest


# For the long reads (history walks, the tree listing): git maps pack files in windows of up to 1 GiB and
# keeps a 96 MB delta-base cache; every page it touches counts as its memory. Small windows and cache
# cost no measurable time on a 55,000-commit walk (within noise) and keep git at ~80-90 MB instead of 130-200 MB.
_LEAN = ("-c", "core.packedGitWindowSize=8m", "-c", "core.packedGitLimit=32m", "-c", "core.deltaBaseCacheLimit=4m")

_H = TypeVar("_H")


class GitError(RuntimeError):
    """git could not be run or refused (not a repository, dubious ownership, timeout)."""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_PAGER": "cat"})
    return env


def run_git(root: str, *args: str, timeout: float = TIMEOUT) -> str:
    """Run one read-only git command in `root` and return stdout (raises GitError)."""
    cmd = ["git", "-C", root, "-c", "core.quotepath=off", "-c", "core.fsmonitor=false", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=_env(), check=False)
    except FileNotFoundError as err:
        raise GitError("git is not installed") from err
    except subprocess.TimeoutExpired as err:
        raise GitError(f"git {args[0]} timed out after {timeout:.0f} s") from err
    except OSError as err:
        raise GitError(f"cannot run git: {err}") from err
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(msg[-1] if msg else f"git {args[0]} failed ({proc.returncode})")
    return proc.stdout.decode("utf-8", "replace")


def _ls_tree(root: str, folder: str | None = None) -> Iterator[bytes]:
    """`git ls-tree -r -z --name-only HEAD` (all files, or those beneath `folder`) in pieces of about
    1 MB that each end with an entry: a 500,000-file tree lists 11 MB, never held whole. Closing the
    iterator early stops git."""
    cmd = ["git", "-C", root, "-c", "core.quotepath=off", "-c", "core.fsmonitor=false", *_LEAN, "ls-tree", "-r",
           "-z", "--full-tree", "--name-only", "HEAD", "--", *([folder + "/"] if folder else [])]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env())
    except OSError as err:
        raise GitError(f"cannot run git: {err}") from err
    timer = threading.Timer(TIMEOUT, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        rest = b""
        while block := proc.stdout.read(1 << 20):
            block = rest + block
            cut = block.rfind(b"\0") + 1
            rest = block[cut:]
            if cut:
                yield block[:cut]
        if proc.wait() != 0:
            raise GitError(f"git ls-tree failed ({proc.returncode})")
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _likely_paths(data: bytes) -> list[str]:
    """The paths `likely_read` accepts in (whole entries of) `git ls-tree -r -z --name-only` output, found
    with bytes.find (a 500,000-file listing is 11 MB: a regex over it or a split into strings costs ~0.5 s)."""
    low = data.lower()
    starts: set[int] = set()
    for suffix in DOC_SUFFIXES:
        key = suffix.encode() + b"\0"
        i = low.find(key)
        while i >= 0:
            starts.add(low.rfind(b"\0", 0, i) + 1)
            i = low.find(key, i + 1)
    for word in REGISTER_WORDS:
        i = low.find(word.encode())
        while i >= 0:
            start, end = low.rfind(b"\0", 0, i) + 1, low.find(b"\0", i)
            name = low[low.rfind(b"/", start, end) + 1 if b"/" in low[start:end] else start:end]
            if word.encode() in name and name.decode("utf-8", "replace").endswith(REGISTER_SUFFIXES):
                starts.add(start)
            i = low.find(word.encode(), end)
    return [data[s:data.find(b"\0", s)].decode("utf-8", "replace") for s in sorted(starts)]


def parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        d = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


@dataclass(slots=True)
class Commit:
    sha: str
    date: datetime  # committer date
    parents: list[str]
    author_email: str
    author_name: str
    committer_email: str
    subject: str

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def is_bot(self) -> bool:
        who = f"{self.author_name} {self.author_email}".lower()
        return "[bot]" in who or "bot@" in who or who.startswith("dependabot") or "renovate" in who


@dataclass
class FileHistory:
    """Dates of one path within the history window (newest first)."""

    changes: list[tuple[datetime, str]] = field(default_factory=list)  # (date, sha)
    added: datetime | None = None  # the commit that added the path, if inside the window

    @property
    def last_changed(self) -> datetime | None:
        return self.changes[0][0] if self.changes else None

    @property
    def first_seen(self) -> datetime | None:
        return self.changes[-1][0] if self.changes else None


@dataclass
class GitInfo:
    """What one pass over a repository's recent history tells."""

    root: str
    head: str
    branch: str | None
    shallow: bool
    since: datetime
    commits: list[Commit]  # reachable from HEAD, committed since `since`, newest first
    files: Mapping[str, FileHistory]  # every path changed by a non-merge commit of `commits` (read lazily)
    truncated_window: bool = False  # history reaches further back than the window

    def prefetch_files(self) -> None:
        """Read the documents' histories now (raises GitError); see _FileIndex.prefetch."""
        prefetch = getattr(self.files, "prefetch", None)
        if prefetch is not None:
            prefetch()

    def file(self, path: str) -> FileHistory | None:
        return self.files.get(path)

    def last_changed(self, path: str) -> datetime | None:
        """Last change of a path inside the window; None = not changed since `since` (or untracked)."""
        fh = self.files.get(path)
        return fh.last_changed if fh else None

    def added(self, path: str) -> datetime | None:
        fh = self.files.get(path)
        return fh.added if fh else None

    def first_parent(self, since: datetime) -> list[Commit]:
        """The first-parent chain from HEAD back to `since`: what landed on the branch, one per merge."""
        by_sha = {c.sha: c for c in self.commits}
        out: list[Commit] = []
        sha = self.head
        while sha in by_sha:
            c = by_sha[sha]
            if c.date < since:
                break
            out.append(c)
            sha = c.parents[0] if c.parents else ""
        return out

    def show(self, sha: str, path: str, limit: int = 2 * 1024 * 1024) -> str | None:
        """The content of `path` at commit `sha` (None when absent, binary or too big)."""
        try:
            size = run_git(self.root, "cat-file", "-s", f"{sha}:{path}", timeout=20).strip()
            if not size.isdigit() or int(size) > limit:
                return None
            text = run_git(self.root, "cat-file", "blob", f"{sha}:{path}", timeout=20)
        except GitError:
            return None
        return None if "\x00" in text[:8192] else text


def git_toplevel(workdir: str | None) -> str | None:
    """The work tree root when `workdir` is exactly the top of a git work tree, else None."""
    if not workdir or not os.path.isdir(workdir):
        return None
    if not os.path.exists(os.path.join(workdir, ".git")):
        return None  # cheap: a subfolder of another repository has no .git of its own
    try:
        top = run_git(workdir, "rev-parse", "--show-toplevel", timeout=20).strip()
    except GitError:
        return None
    return top if top and os.path.realpath(top) == os.path.realpath(workdir) else None


_CACHE: dict[tuple[str, str], GitInfo] = {}
_CACHE_LOCK = threading.Lock()
_ROOT_LOCKS: dict[str, threading.Lock] = {}


def git_info(workdir: str | None, now: datetime | None = None, window_days: int = WINDOW_DAYS) -> GitInfo | None:
    """History of the repository at `workdir` (None when it is not the top of a git work tree).

    Raises GitError when the directory is a repository but git fails (no commits, refused, timeout).
    """
    root = git_toplevel(workdir)
    if root is None:
        return None
    now = now or datetime.now(UTC)
    since = (now - timedelta(days=window_days)).replace(hour=0, minute=0, second=0, microsecond=0)
    key = (os.path.realpath(root), since.date().isoformat())
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
        lock = _ROOT_LOCKS.setdefault(key[0], threading.Lock())
    with lock:
        with _CACHE_LOCK:
            if key in _CACHE:
                return _CACHE[key]
        info = _load(root, since)
        with _CACHE_LOCK:
            _CACHE[key] = info
        return info


def _load(root: str, since: datetime) -> GitInfo:
    out = run_git(root, "rev-parse", "--is-shallow-repository", "HEAD", timeout=20).split()
    if len(out) < 2:
        raise GitError("the repository has no commits")
    shallow, head = out[0] == "true", out[1]
    try:
        branch = run_git(root, "rev-parse", "--abbrev-ref", "HEAD", timeout=20).strip() or None
    except GitError:
        branch = None
    if branch == "HEAD":
        branch = None  # detached
    commits = [c for c, _ in _stream_log(root, ("log", f"--since={since.isoformat()}", "--date-order",
                                                    f"--format={_LOG_FORMAT}", "HEAD"))]
    known = {c.sha for c in commits}
    truncated = any(p not in known for c in commits for p in c.parents)
    return GitInfo(root, head, branch, shallow, since, commits, _FileIndex(root, since, commits), truncated)


def full_file_histories(root: str, since: datetime) -> dict[str, FileHistory]:
    """Every path changed in the window, from one `git log --name-status` pass over all of it.

    The reference for `_FileIndex`, and what it falls back to when asked for every path: git diffs
    every commit's trees, which is the expensive part of reading history (~20 s on 55,000 commits).
    """
    files: dict[str, FileHistory] = {}
    args = ("log", f"--since={since.isoformat()}", "--name-status", "--no-renames", "--date-order",
            f"--format={_LOG_FORMAT}", "HEAD")
    for c, changes in _stream_log(root, args, lean=False):  # reads every changed tree: small pack windows cost here
        _record(files, changes, c.date, c.sha)
    for fh in files.values():
        fh.changes.sort(key=lambda x: x[0], reverse=True)
    return files


def _record(files: dict[str, FileHistory], changes: Iterable[tuple[str, str]], date: datetime, sha: str) -> None:
    """One commit's `--name-status` lines into the per-path histories (the full pass and the walks alike)."""
    for status, path in changes:
        fh = files.get(path)
        if fh is None:
            fh = files[path] = FileHistory()
        fh.changes.append((date, sha))
        if status.startswith("A") and (fh.added is None or date < fh.added):
            fh.added = date


def likely_read(path: str) -> bool:
    """Whether a consumer is likely to ask for this path's dates: documents and debt/toil registers."""
    low = path.lower()
    if low.endswith(DOC_SUFFIXES):
        return True
    name = low.rsplit("/", 1)[-1]
    return low.endswith(REGISTER_SUFFIXES) and any(w in name for w in REGISTER_WORDS)


class _FileIndex(Mapping[str, FileHistory]):
    """`GitInfo.files`, filled on demand by `git log --name-status -- <paths>` walks over the window.

    Why it is exact: a walk with pathspecs lists every window commit (non-merge, like the full pass:
    `--no-merges --full-history`, so no history simplification hides a side branch) whose diff
    touches a path the pathspecs match, and matching depends on the path alone; so any path a walk
    reports has its complete window history, and a path the pathspecs match but the walk does not
    report was not changed in the window. Change lists are ordered as the full pass orders them:
    newest first, ties in the order of the window's `git log --date-order`.
    """

    def __init__(self, root: str, since: datetime, commits: list[Commit]) -> None:
        self._root, self._since, self._commits = root, since, commits
        self._files: dict[str, FileHistory] = {}
        self._walked: set[str] = set()  # literal pathspecs walked: each, and all beneath it, is complete
        self._complete = False  # the full pass ran: every path is known
        self._prefetched = False
        self._later: list[str] = []  # documents left out of the first walk (a big tree): walked on the first miss
        self._misses = 0
        self._order: dict[str, int] | None = None
        self._lock = threading.RLock()
        self.walks = 0  # git walks run (for tests and benchmarks)

    # -- Mapping ---------------------------------------------------------------------------------
    def get(self, path: str, default: FileHistory | None = None) -> FileHistory | None:  # type: ignore[override]
        fh = self._lookup(path)
        return default if fh is None else fh

    def __getitem__(self, path: str) -> FileHistory:
        fh = self._lookup(path)
        if fh is None:
            raise KeyError(path)
        return fh

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self._lookup(path) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._all()))

    def __len__(self) -> int:
        return len(self._all())

    # -- loading ---------------------------------------------------------------------------------
    def _all(self) -> dict[str, FileHistory]:
        with self._lock:
            if not self._complete:
                self._files = full_file_histories(self._root, self._since)
                self._complete = True
                self.walks += 1
            return self._files

    def _covered(self, path: str) -> bool:
        if self._complete or path in self._files or path in self._walked:
            return True
        i = path.find("/")
        while i > 0:
            if path[:i] in self._walked:
                return True
            i = path.find("/", i + 1)
        return False

    def _lookup(self, path: str) -> FileHistory | None:
        if not path:
            return None
        with self._lock:
            if not self._covered(path) and not self._prefetched:
                self.prefetch()
            if not self._covered(path):
                if self._misses >= MISSES_MAX:  # questions all over the tree: one full pass is cheaper
                    return self._all().get(path)
                else:
                    self._misses += 1
                    wanted = self._head_files(path.rpartition("/")[0])[:SIBLINGS_MAX] + self._later
                    self._later = []
                if len(wanted) > PREFETCH_MAX:
                    return self._all().get(path)
                self._walk({p for p in wanted if not self._covered(p)} | {path})
            return self._files.get(path)

    def prefetch(self) -> None:
        """Walk the likely documents now (raises GitError), so a caller can treat a git failure as "no git
        dates" up front, the way a failed load is treated, instead of in the middle of its work."""
        with self._lock:
            if self._prefetched:
                return
            self._prefetched = True
            wanted, self._later = self._likely_items()
            if len(wanted) > PREFETCH_MAX:
                self._all()
                return
            self._walk({p for p in wanted if not self._covered(p)})

    def _likely_items(self) -> tuple[list[str], list[str]]:
        """Pathspecs for the documents at HEAD (`likely_read`): a documentation folder (`docs/`,
        `runbooks/`...) or a folder holding mostly documents as one pathspec, other documents each by
        path; with more than PREFETCH_ALL documents, only those at the top, in documentation folders or
        named like operations documents (the others are returned second, for a later walk).
        Few pathspecs matter: git compares every entry of every tree it reads against every pathspec,
        so 200 literal paths make a walk over 55,000 commits ~0.8 s of git CPU dearer than 4 folders."""
        try:
            paths = [p for chunk in _ls_tree(self._root) for p in _likely_paths(chunk)]
        except GitError:
            return [], []
        under: dict[str, int] = {}
        for path in paths:
            i = path.find("/")
            while i > 0:
                under[path[:i]] = under.get(path[:i], 0) + 1
                i = path.find("/", i + 1)
        mostly: dict[str, bool] = {}

        def mostly_documents(folder: str) -> bool:
            if folder not in mostly:
                if under[folder] < 2 or len(mostly) >= 64:
                    return False  # one document: its path is as good; and bound the scans
                limit, beneath = under[folder] * 2, 0
                try:
                    for chunk in _ls_tree(self._root, folder):
                        beneath += chunk.count(b"\0")
                        if beneath > limit:
                            break  # mostly other files: stop listing (a big code folder)
                except GitError:
                    beneath = limit + 1
                mostly[folder] = beneath <= limit
            return mostly[folder]

        items: dict[str, bool] = {}  # pathspec -> likely read even in a big tree
        for path in paths:
            parts = path.split("/")
            folder = next((k for k in range(1, len(parts)) if parts[k - 1].lower() in DOCUMENT_DIRS
                           or mostly_documents("/".join(parts[:k]))), 0)
            item = "/".join(parts[:folder]) if folder else path
            low = path.lower()
            items[item] = (items.get(item, False) or bool(folder) or len(parts) == 1 or any(w in low for w in OPS_WORDS)
                           or any(d.lower() in LIKELY_DIRS for d in parts[:-1]))
        if len(items) > PREFETCH_ALL:
            return sorted(p for p, likely in items.items() if likely), sorted(p for p, likely in items.items() if not likely)
        return sorted(items), []

    def _head_files(self, folder: str) -> list[str]:
        """Files at HEAD directly in `folder` ("" = the top)."""
        args = ["ls-tree", "-z", "--full-tree", "HEAD"] + ([folder + "/"] if folder else [])
        try:
            out = run_git(self._root, *args, timeout=TIMEOUT)
        except GitError:
            return []
        files = []
        for entry in out.split("\0"):
            meta, _, path = entry.partition("\t")
            if path and meta.split(" ")[1:2] == ["blob"]:
                files.append(path)
        return files

    def _walk(self, paths: Iterable[str]) -> None:
        paths = sorted(paths)
        if not paths:
            return
        if self._order is None:
            self._order = {c.sha: i for i, c in enumerate(self._commits)}
        order, last = self._order, len(self._order)
        found: dict[str, FileHistory] = {}
        positions: dict[str, int] = {}
        args = ("log", f"--since={self._since.isoformat()}", "--date-order", "--no-merges", "--full-history",
                "--name-status", "--no-renames", f"--format={_FILE_FORMAT}", "HEAD", "--", *paths)
        self.walks += 1
        for c, changes in _stream_log(self._root, args, _file_header, literal_pathspecs=True):
            positions[c[0]] = order.get(c[0], last)
            _record(found, changes, c[1], c[0])
        for path, fh in found.items():
            if path not in self._files:
                fh.changes.sort(key=lambda x: (-x[0].timestamp(), positions[x[1]]))
                self._files[path] = fh
        self._walked.update(paths)


def _stream_log(root: str, args: tuple[str, ...], header: Callable[[str], _H | None] | None = None,
                literal_pathspecs: bool = False, lean: bool = True) -> Iterator[tuple[_H, list[tuple[str, str]]]]:
    """Commits of `git log` one at a time, read as git writes them (each parsed by `header`).

    Why streamed: on a busy repository the window holds tens of thousands of commits; holding git's
    whole output and a split copy of it cost hundreds of MB. Paths are interned, so a file changed in
    a thousand commits is one string.
    """
    parse = header or _header
    cmd = ["git", "-C", root, "-c", "core.quotepath=off", "-c", "core.fsmonitor=false", *(_LEAN if lean else ()), *args]
    env = _env()
    if literal_pathspecs:
        env["GIT_LITERAL_PATHSPECS"] = "1"  # a path with `*` or `:(` in its name is that path, not a pattern
    errors = tempfile.TemporaryFile()  # a file, not a pipe: git cannot block on a full stderr while we read stdout
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, env=env)
    except FileNotFoundError as err:
        errors.close()
        raise GitError("git is not installed") from err
    except OSError as err:
        errors.close()
        raise GitError(f"cannot run git: {err}") from err
    timer = threading.Timer(TIMEOUT, proc.kill)
    timer.start()
    current: _H | None = None
    changes: list[tuple[str, str]] = []
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.startswith(_RS):
                if current is not None:
                    yield current, changes
                current, changes = parse(line[1:]), []
            elif current is not None and "\t" in line:
                status, _, path = line.partition("\t")
                if status and path:
                    changes.append((status, sys.intern(path)))
        if current is not None:
            yield current, changes
        if proc.wait() != 0:
            errors.seek(0)
            err = errors.read().decode("utf-8", "replace")
            if not timer.is_alive():
                raise GitError(f"git {args[0]} timed out after {TIMEOUT:.0f} s")
            lines = err.strip().splitlines()
            raise GitError(lines[-1] if lines else f"git {args[0]} failed ({proc.returncode})")
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        errors.close()


def _header(text: str) -> Commit | None:
    parts = text.split(_US)
    if len(parts) < 7:
        return None
    date = parse_date(parts[1])
    if date is None:
        return None
    intern = sys.intern  # a few hundred people write tens of thousands of commits
    return Commit(parts[0], date, parts[2].split(), intern(parts[3]), intern(parts[4]), intern(parts[5]), parts[6])


def _file_header(text: str) -> tuple[str, datetime] | None:
    sha, _, when = text.partition(_US)
    date = parse_date(when)
    return (sha, date) if sha and date is not None else None


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()
