"""Read-only access to the git history of a scanned repository, shared by several collectors.

Why a shared helper: the history collector, the docs collector (runbook freshness, postmortem
dates, register reviews) and others all want per-file dates. One `git log --name-status` pass
over the last ~400 days answers all of them; it is cached per repository root (thread-safe), so a
20,000-file monorepo pays for it once.

Only read-only git commands run (rev-parse, log, for-each-ref, rev-list, show of a blob), with
timeouts, `core.quotepath=off` (UTF-8 paths stay readable) and no optional locks, so scanning
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

WINDOW_DAYS = 400
TIMEOUT = 60

_RS, _US = "\x1e", "\x1f"
_LOG_FORMAT = f"{_RS}%H{_US}%cI{_US}%P{_US}%ae{_US}%an{_US}%ce{_US}%s"


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


def parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        d = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


@dataclass
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
    files: dict[str, FileHistory]
    truncated_window: bool = False  # history reaches further back than the window

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
    commits: list[Commit] = []
    files: dict[str, FileHistory] = {}
    args = ("log", f"--since={since.isoformat()}", "--name-status", "--no-renames", "--date-order",
            f"--format={_LOG_FORMAT}", "HEAD")
    for c, changes in _stream_log(root, args):
        for status, path in changes:
            fh = files.get(path)
            if fh is None:
                fh = files[path] = FileHistory()
            fh.changes.append((c.date, c.sha))
            if status.startswith("A"):
                fh.added = c.date if fh.added is None or c.date < fh.added else fh.added
        commits.append(c)
    for fh in files.values():
        fh.changes.sort(key=lambda x: x[0], reverse=True)
    known = {c.sha for c in commits}
    truncated = any(p not in known for c in commits for p in c.parents)
    return GitInfo(root, head, branch, shallow, since, commits, files, truncated)


def _stream_log(root: str, args: tuple[str, ...]) -> Iterator[tuple[Commit, list[tuple[str, str]]]]:
    """Commits of `git log` one at a time, read as git writes them.

    Why streamed: on a busy repository the window holds tens of thousands of commits; holding git's
    whole output and a split copy of it cost hundreds of MB. Paths are interned, so a file changed in
    a thousand commits is one string.
    """
    cmd = ["git", "-C", root, "-c", "core.quotepath=off", "-c", "core.fsmonitor=false", *args]
    errors = tempfile.TemporaryFile()  # a file, not a pipe: git cannot block on a full stderr while we read stdout
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, env=_env())
    except FileNotFoundError as err:
        errors.close()
        raise GitError("git is not installed") from err
    except OSError as err:
        errors.close()
        raise GitError(f"cannot run git: {err}") from err
    timer = threading.Timer(TIMEOUT, proc.kill)
    timer.start()
    current: Commit | None = None
    changes: list[tuple[str, str]] = []
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.startswith(_RS):
                if current is not None:
                    yield current, changes
                current, changes = _header(line[1:]), []
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
    return Commit(parts[0], date, parts[2].split(), parts[3], parts[4], parts[5], parts[6])


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()
