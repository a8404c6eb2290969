#!/usr/bin/env python3
"""Git history cost: builds a repository with many commits (git fast-import, deterministic) and measures
what a scan reads from its history, in a separate process per measurement: `git_info` (the commits of the
400-day window), what the history collector reads from them (first-parent chains), and the per-file
dates the docs collector asks for (every document and debt register at HEAD).

Printed per implementation: wall time, CPU time of the measuring process and every git it ran (user +
system, from the children's rusage), and peak memory: the largest single process (ru_maxrss) and the
sum over the process tree sampled every 10 ms (Python and git at the same moment), both also as "extra"
over the Python process before the history was read. The machine's load is not controlled: on a shared
machine run it a few times and compare runs made close together.

    python benchmarks/git_history.py                                  # 250,000 commits over 5 years, built once in /tmp
    python benchmarks/git_history.py --impl full --impl cheap         # the old single full pass, then the lazy one
    python benchmarks/git_history.py --module /tmp/gitinfo_old.py     # another gitinfo.py (e.g. from an older commit)
    python benchmarks/git_history.py --repo /path/to/a/big/checkout   # a real repository

Implementations: `cheap` (the default: commits from `git log --format`, per-file dates on demand for the
documents), `full` (the same, but every path's dates from one `git log --name-status` pass, as before).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime(2026, 11, 2, tzinfo=UTC)
DOC_PATHS = (
    [f"docs/runbooks/service-{i}.md" for i in range(30)]
    + [f"docs/postmortems/incident-{i}.md" for i in range(40)]
    + [f"docs/adr/{i:04d}-decision.md" for i in range(30)]
    + [f"services/svc{i}/RUNBOOK.md" for i in range(40)]
    + ["README.md", "OPERATIONS.md", "docs/tech-debt.yaml", "docs/operations/on-call.md"]
)


def build(repo: Path, commits: int, years: float, files: int) -> None:
    """Commits spread evenly over `years`, each changing 1-3 of `files` source paths under src/ (1,000
    folders); every 50th is made on a side branch and merged by a PR merge commit; about every 100th also
    edits, adds, renames or deletes one of ~150 documents (runbooks, postmortems, ADRs, a debt register)."""
    if (repo / ".git").exists():
        return
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    rnd, docs_rnd = random.Random(7), random.Random(11)
    end = datetime(2026, 11, 1, tzinfo=UTC)
    step = timedelta(days=365 * years) / commits
    start = end - step * commits
    proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert proc.stdin
    out = proc.stdin.write
    ops: list[bytes] = []

    def w(data: bytes) -> None:
        out(data)
        ops.append(data)

    present: set[str] = set()
    tip, mark = 0, 0
    for n in range(commits):
        when = int((start + step * n).timestamp())
        side = n % 50 == 49
        mark += 1
        ops.clear()
        msg = f"change {n}\n".encode()
        ref = "refs/heads/topic" if side else "refs/heads/main"
        w(f"commit {ref}\nmark :{mark}\ncommitter Dev <dev{n % 50}@example.com> {when} +0000\n".encode())
        w(b"data %d\n" % len(msg) + msg)
        if tip:
            w(f"from :{tip}\n".encode())
        for _ in range(rnd.randint(1, 3)):
            path = f"src/mod{rnd.randrange(files // 20)}/file{rnd.randrange(files)}.py"
            body = f"# {n}\n".encode()
            w(f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n")
        if docs_rnd.random() < 0.01:
            path, op = docs_rnd.choice(DOC_PATHS), docs_rnd.random()
            new = path.replace(".", "-v2.", 1)
            if path in present and op < 0.05:
                w(f"D {path}\n".encode())
                present.discard(path)
            elif path in present and op < 0.10 and new not in present:
                w(f"R {path} {new}\n".encode())
                present.discard(path)
                present.add(new)
            else:
                body = f"# {path}\n\nrevision {n}\n".encode()
                w(f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n")
                present.add(path)
        out(b"\n")
        if side:  # merged into main one second later; fast-import does not merge trees, so replay the changes
            mark += 1
            merge = f"Merge pull request #{n} from dev/topic\n".encode()
            changes = ops[3 if tip else 2:]
            out(f"commit refs/heads/main\nmark :{mark}\ncommitter Dev <dev{n % 50}@example.com> {when + 1} +0000\n"
                .encode())
            out(b"data %d\n" % len(merge) + merge)
            out(f"from :{tip}\nmerge :{mark - 1}\n".encode() + b"".join(changes) + b"\n")
        tip = mark
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True)
    subprocess.run(["git", "-C", str(repo), "branch", "-q", "-D", "topic"], check=False)


def _rss_kb(pid: int, field: str = "VmRSS") -> int:
    """Resident memory of a process in kB: all of it (VmRSS), or its anonymous part (RssAnon: not
    pages of mapped files such as git's pack files, which the kernel can drop and share)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> set[int]:
    """`root` and its descendants, from /proc/PID/task/TID/children (or a scan of /proc where that is missing)."""
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        try:
            kids = [int(k) for tid in os.listdir(f"/proc/{pid}/task")
                    for k in open(f"/proc/{pid}/task/{tid}/children", encoding="ascii").read().split()]
        except FileNotFoundError:
            kids = [int(n) for n in os.listdir("/proc") if n.isdigit() and _ppid(int(n)) == pid]
        except (OSError, ValueError):
            kids = []
        for kid in kids:
            if kid not in tree:
                tree.add(kid)
                frontier.append(kid)
    return tree


def _ppid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _tree_rss_kb(root: int) -> tuple[int, int]:
    """RSS and anonymous RSS of `root` and all its descendants, now. A process caught between fork and
    exec still shows its parent's memory: a rare sample counts Python twice (the anonymous figure
    jumps by ~60 MB); run twice when a figure looks off."""
    tree = _descendants(root)
    return sum(_rss_kb(p) for p in tree), sum(_rss_kb(p, "RssAnon") for p in tree)


def measure(repo: Path, impl: str, module: str | None) -> dict:
    """Run `child` in a fresh process, sampling the memory of its process tree."""
    cmd = [sys.executable, __file__, "--child", impl, "--repo", str(repo)] + (["--module", module] if module else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = peak_anon = 0
    while proc.poll() is None:
        rss, anon = _tree_rss_kb(proc.pid)
        peak, peak_anon = max(peak, rss), max(peak_anon, anon)
        time.sleep(0.01)
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert proc.stdout
    out = json.loads(proc.stdout.read().strip().splitlines()[-1])
    out.update(
        process_wall=wall,
        cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        tree_peak_mb=peak / 1024,
        tree_peak_anon_mb=peak_anon / 1024,
        max_process_mb=after.ru_maxrss / 1024,
    )
    return out


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process, and of the children it has waited for (git)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def child(repo: Path, impl: str, module: str | None) -> None:
    if module:
        spec = importlib.util.spec_from_file_location("gitinfo_under_test", module)
        assert spec and spec.loader
        g = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = g
        spec.loader.exec_module(g)
    else:
        from wafops.scanner.core import gitinfo as g
    head = subprocess.run(["git", "-C", str(repo), "-c", "core.quotepath=off", "ls-files"], capture_output=True,
                          text=True, check=True).stdout.splitlines()
    docs = [p for p in head if p.lower().endswith((".md", ".rst", ".adoc")) or "debt" in p.lower()]
    base, base_anon = _rss_kb(os.getpid()), _rss_kb(os.getpid(), "RssAnon")
    cpu0 = _cpu()
    t = time.monotonic()
    info = g.git_info(str(repo), NOW)
    t_commits = time.monotonic() - t
    assert info is not None
    fp = len(info.first_parent(NOW - timedelta(days=365))) + len(info.first_parent(NOW - timedelta(days=90)))
    if impl == "full" and hasattr(info.files, "walks"):
        len(info.files)  # every path from one full pass
    dated = sum(1 for p in docs if info.last_changed(p) is not None)
    changes = sum(len(fh.changes) for p in docs if (fh := info.file(p)))
    took = time.monotonic() - t
    cpu1 = _cpu()
    print(json.dumps({
        "impl": impl, "module": module, "seconds": took, "commits_seconds": t_commits,
        "python_cpu": cpu1[0] - cpu0[0], "git_cpu": cpu1[1] - cpu0[1],
        "commits": len(info.commits), "first_parent": fp, "docs": len(docs), "dated": dated, "changes": changes,
        "walks": getattr(info.files, "walks", 1), "base_mb": base / 1024, "base_anon_mb": base_anon / 1024,
        "python_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", help="an existing checkout (default: build one in /tmp)")
    ap.add_argument("--commits", type=int, default=250_000)
    ap.add_argument("--years", type=float, default=5.0)
    ap.add_argument("--files", type=int, default=20_000)
    ap.add_argument("--impl", action="append", choices=("cheap", "full"), help="what to measure (repeatable)")
    ap.add_argument("--module", help="measure this gitinfo.py instead of the installed one")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    repo = Path(a.repo) if a.repo else Path(f"/tmp/wafops-git-{a.commits}-{a.years:g}y-docs")
    if a.child:
        child(repo, a.child, a.module)
        return 0
    if not a.repo:
        t = time.monotonic()
        build(repo, a.commits, a.years, a.files)
        print(f"repository: {repo} (built or reused in {time.monotonic() - t:.1f} s)")
    for impl in a.impl or ["cheap"]:
        r = measure(repo, impl, a.module)
        name = f"{impl}" + (f" ({Path(a.module).name})" if a.module else "")
        print(f"{name}: {r['seconds']:.2f} s wall for the history ({r['commits_seconds']:.2f} s for the commits), "
              f"{r['python_cpu'] + r['git_cpu']:.2f} s CPU (Python {r['python_cpu']:.2f} s, git "
              f"{r['git_cpu']:.2f} s; {r['cpu']:.2f} s for the whole process with start-up); {r['commits']:,} commits in the window, {r['docs']} documents at HEAD "
              f"({r['dated']} changed in the window, {r['changes']} changes), {r['walks']} per-file walk(s); "
              f"peak memory of the process tree {r['tree_peak_mb']:.0f} MB (+{r['tree_peak_mb'] - r['base_mb']:.0f} "
              f"MB over Python before the history; anonymous memory {r['tree_peak_anon_mb']:.0f} MB, "
              f"+{r['tree_peak_anon_mb'] - r['base_anon_mb']:.0f} MB), largest single process "
              f"{r['max_process_mb']:.0f} MB (Python {r['python_peak_mb']:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
