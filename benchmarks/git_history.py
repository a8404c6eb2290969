#!/usr/bin/env python3
"""Git history cost: builds a repository with many commits (git fast-import, deterministic) and times
the history pass every scan makes (`wafops.scanner.core.gitinfo.git_info`), printing wall time, the commits in
the window and the peak memory of the process (ru_maxrss, which includes git's own children when
`--children` is given). Run it as a separate process per measurement so peaks do not mix.

    python benchmarks/git_history.py --commits 250000 --years 5            # builds once in /tmp, reuses it
    python benchmarks/git_history.py --repo /path/to/a/big/checkout         # a real repository
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(repo: Path, commits: int, years: float, files: int) -> None:
    """One commit after another on main, each changing 1-3 of `files` paths, spread evenly over `years`."""
    if (repo / ".git").exists():
        return
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    rnd = random.Random(7)
    end = datetime(2026, 11, 1, tzinfo=UTC)
    step = timedelta(days=365 * years) / commits
    start = end - step * commits
    proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert proc.stdin
    w = proc.stdin.write
    for n in range(commits):
        when = int((start + step * n).timestamp())
        msg = f"change {n}\n".encode()
        w(f"commit refs/heads/main\nmark :{n + 1}\ncommitter Dev <dev{n % 50}@example.com> {when} +0000\n".encode())
        w(b"data %d\n" % len(msg) + msg)
        if n:
            w(f"from :{n}\n".encode())
        for _ in range(rnd.randint(1, 3)):
            path = f"src/mod{rnd.randrange(files // 20)}/file{rnd.randrange(files)}.py"
            body = f"# {n}\n".encode()
            w(f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", help="an existing checkout (default: build one in /tmp)")
    ap.add_argument("--commits", type=int, default=250_000)
    ap.add_argument("--years", type=float, default=5.0)
    ap.add_argument("--files", type=int, default=20_000)
    a = ap.parse_args()
    repo = Path(a.repo) if a.repo else Path(f"/tmp/wafops-git-{a.commits}-{a.years:g}y")
    if not a.repo:
        t = time.monotonic()
        build(repo, a.commits, a.years, a.files)
        print(f"repository: {repo} (built or reused in {time.monotonic() - t:.1f} s)")
    from wafops.scanner.core.gitinfo import git_info

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.monotonic()
    info = git_info(str(repo), datetime(2026, 11, 2, tzinfo=UTC))
    took = time.monotonic() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert info is not None
    print(f"history pass: {took:.2f} s wall; {len(info.commits):,} commits and {len(info.files):,} paths in the "
          f"window; python peak +{(peak - base) / 1024:.0f} MB (total {peak / 1024:.0f} MB); git child peak "
          f"{kids / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
