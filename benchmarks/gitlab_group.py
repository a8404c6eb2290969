"""Benchmark: scan a GitLab group of N projects in nested subgroups on the fake GitLab API with latency.

    python benchmarks/gitlab_group.py [--projects 1000] [--latency 0.05] [--jobs 16] [--concurrency 16]

Prints wall time, REST calls per project on the first run (every API request, the archive download
and the group list included), and on a second, unchanged run the share of requests answered 304
(archives come from the cache and cost no request). Aims: < 60 s, <= 10 calls per project, >= 80 %
304s. Half the projects are mature (protected branch, approval rule, protected production
environment: the most calls), half young. The fake runs in its own process so it does not share
our GIL.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _serve(n: int, latency: float, q: mp.Queue) -> None:
    from tests.fake_gitlab import group
    from tests.fake_gitlab.server import FakeGitLab

    projects, groups = group.bulk(n)
    fake = FakeGitLab(projects, groups, tier="premium", latency=latency).start()
    q.put(fake.url)
    while True:
        time.sleep(3600)


def _stats(url: str, reset: bool = False) -> dict:
    with urllib.request.urlopen(f"{url}/_stats" + ("?reset=1" if reset else "")) as r:
        return json.loads(r.read())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()

    q: mp.Queue = mp.Queue()
    server = mp.Process(target=_serve, args=(args.projects, args.latency, q), daemon=True)
    server.start()
    url = q.get(timeout=120)

    from wafops.collectors.platforms.gitlab.client import reset_clients
    from wafops.scanner.engine import ScanOptions, scan

    from tests.fake_gitlab.group import NOW

    os.environ["GITLAB_TOKEN"] = "glpat-benchmarkTOKEN0000000000"
    cache = tempfile.mkdtemp(prefix="wafops-bench-gl-cache-")
    opts = {"gitlab_url": url, "cache_dir": cache, "gitlab_concurrency": args.concurrency}
    rows = []
    try:
        for label in ("first run", "second run (unchanged)"):
            reset_clients()
            _stats(url, reset=True)
            t0 = time.perf_counter()
            result = scan(["gitlab:acme"], ScanOptions(jobs=args.jobs, now=NOW, collector_options=dict(opts)))
            wall = time.perf_counter() - t0
            st = _stats(url)
            n = len(result.subjects)
            not_mod = st["by_status"].get("304", 0)
            rows.append((label, wall, n, st, not_mod))
            unusable = sum(1 for s in result.subjects for x in s.sources.values() if x.source == "gitlab" and not x.usable)
            print(f"{label}: {n} projects in {wall:.1f} s; requests {st['api']} ({st['api'] / max(n, 1):.2f} per project, "
                  f"archives {st['archives']}), 304 share {not_mod / max(st['api'], 1):.1%}, "
                  f"gitlab source unusable for {unusable}, methods {st['methods']}")
    finally:
        reset_clients()
        server.terminate()
    first, second = rows[0], rows[1]
    aims = [("wall time < 60 s", first[1] < 60, f"{first[1]:.1f} s"),
            ("<= 10 calls per project", first[3]["api"] / max(first[2], 1) <= 10, f"{first[3]['api'] / max(first[2], 1):.2f}"),
            (">= 80 % 304 on the re-run", second[4] / max(second[3]["api"], 1) >= 0.8,
             f"{second[4] / max(second[3]['api'], 1):.1%}")]
    for name, met, value in aims:
        print(f"  {'met    ' if met else 'NOT met'} {name}: {value}")
    return 0 if all(m for _, m, _ in aims) else 1


if __name__ == "__main__":
    raise SystemExit(main())
