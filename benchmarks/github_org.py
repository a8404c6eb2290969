"""Benchmark: scan an organisation of N repositories on the fake GitHub API with per-request latency.

    python benchmarks/github_org.py [--repos 1000] [--latency 0.05] [--jobs 16] [--concurrency 16]

Prints wall time, REST calls per repository (API requests, the tarball's 302 included; the
codeload download that follows it is counted apart, as on GitHub it is not an API call), and on a
second, unchanged run the share of API requests answered 304. Aims: < 60 s, <= 8 calls per
repository, >= 90 % 304s. The fake runs in its own process so it does not share our GIL.
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
    from tests.fake_github import org
    from tests.fake_github.server import FakeGitHub

    fake = FakeGitHub(org.bulk(n), latency=latency).start()
    q.put(fake.url)
    while True:
        time.sleep(3600)


def _stats(url: str, reset: bool = False) -> dict:
    with urllib.request.urlopen(f"{url}/_stats" + ("?reset=1" if reset else "")) as r:
        return json.loads(r.read())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()

    q: mp.Queue = mp.Queue()
    server = mp.Process(target=_serve, args=(args.repos, args.latency, q), daemon=True)
    server.start()
    url = q.get(timeout=120)

    from wafops.collectors.platforms.github.client import reset_clients
    from wafops.scanner.engine import ScanOptions, scan

    from tests.fake_github.org import NOW

    os.environ["GITHUB_TOKEN"] = "ghp_benchmarkTOKEN000000000000000000"
    cache = tempfile.mkdtemp(prefix="wafops-bench-cache-")
    opts = {"github_url": url, "cache_dir": cache, "github_concurrency": str(args.concurrency)}
    rows = []
    try:
        for label in ("first run", "second run (unchanged)"):
            reset_clients()
            _stats(url, reset=True)
            t0 = time.perf_counter()
            result = scan(["github:acme"], ScanOptions(jobs=args.jobs, now=NOW, collector_options=dict(opts)))
            wall = time.perf_counter() - t0
            st = _stats(url)
            n = len(result.subjects)
            not_mod = st["by_status"].get("304", 0)
            rows.append((label, wall, n, st, not_mod))
            errors = sum(1 for s in result.subjects for x in s.sources.values() if x.source == "github" and not x.usable)
            print(f"{label}: {n} repositories in {wall:.1f} s; API requests {st['api']} "
                  f"({st['api'] / max(n, 1):.2f} per repository), tarball downloads {st['downloads']}, "
                  f"304 share {not_mod / max(st['api'], 1):.1%}, github source unusable for {errors}, "
                  f"methods {st['methods']}")
    finally:
        reset_clients()
        server.terminate()
    first, second = rows[0], rows[1]
    ok = first[1] < 60 and first[3]["api"] / first[2] <= 8 and second[4] / max(second[3]["api"], 1) >= 0.9
    print("aims met" if ok else "aims NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
