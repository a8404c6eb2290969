"""Benchmark: scan one Azure subscription of N resources (default 5,000) on the fake Resource Manager.

    python benchmarks/azure_subscription.py [--resources 5000] [--groups 50] [--latency 0.05] [--concurrency 8]

The fake (tests/fake_azure, HTTPS on loopback with a test certificate) runs in its own process, so it
does not share our GIL, and adds `--latency` seconds to every answer (ARM answers in roughly 50-200 ms).
The scan is the real engine with the real SDK: `wafops scan azure:ID`. Prints wall time, requests
(all GETs), requests by kind, evidence by kind and the levels. Aim: under 60 s.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _serve(n: int, groups: int, latency: float, workdir: str, q: mp.Queue, done: mp.Event) -> None:
    from tests.fake_azure import FakeArm, scenarios

    fake = FakeArm(page_size=1000, latency=latency).start(Path(workdir))
    scenarios.bulk(fake, n, groups)
    q.put((fake.url, str(fake.ca_file)))
    done.wait()
    kinds = Counter(_kind(r.path) for r in fake.requests)
    q.put((len(fake.requests), len(fake.writes()), dict(kinds)))
    fake.stop()


def _kind(path: str) -> str:
    parts = [p for p in path.lower().split("/") if p]
    return parts[-1] if parts[-1] not in ("default",) else "/".join(parts[-2:])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--resources", type=int, default=5000)
    ap.add_argument("--groups", type=int, default=50)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    from tests.fake_azure import TOKEN, scenarios

    with tempfile.TemporaryDirectory() as tmp:
        q: mp.Queue = mp.Queue()
        done = mp.Event()
        t0 = time.perf_counter()
        proc = mp.Process(target=_serve, args=(args.resources, args.groups, args.latency, tmp, q, done), daemon=True)
        proc.start()
        url, ca = q.get(timeout=300)
        print(f"fake subscription: {args.resources} resources in {args.groups} groups, "
              f"{args.latency * 1000:.0f} ms per answer (built in {time.perf_counter() - t0:.1f} s)")
        os.environ.update(AZURE_ACCESS_TOKEN=TOKEN, REQUESTS_CA_BUNDLE=ca, NO_PROXY="127.0.0.1,localhost")
        from wafops.scanner.engine import ScanOptions, scan

        opts = ScanOptions(collector_options={"azure_url": url, "azure_concurrency": args.concurrency})
        start = time.perf_counter()
        result = scan([f"azure:{scenarios.BULK}"], opts)
        wall = time.perf_counter() - start
        done.set()
        total, writes, kinds = q.get(timeout=60)
        proc.join(timeout=10)
    sr = result.subjects[0]
    ev = Counter(e.kind for e in sr.evidence if e.source == "azure")
    print(f"wall time: {wall:.1f} s   requests: {total} ({writes} not GET)   "
          f"evidence: {sum(ev.values())}   azure source: {sr.sources['azure'].status.value}")
    print("requests by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
    print("evidence by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(ev.items(), key=lambda kv: -kv[1])))
    print("levels: " + ", ".join(f"{c.id[-3:]}={c.level if c.level is not None else '-'}" for c in sr.controls))
    for w in result.warnings + sr.warnings:
        print("warning:", w.message)


if __name__ == "__main__":
    main()
