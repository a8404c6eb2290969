"""A bounded mutation campaign: mutated copies of real files through the real engine.

Why: a scanner that reads whatever a repository holds must never crash, hang or leak on a
malformed file. This script takes the files of the example repositories (or `--repos DIR`),
mutates one file per input (bit flips, deleted/duplicated/swapped chunks, truncation, inserted
special bytes and YAML/HCL/JSON tokens, a huge line), scans the repository with
`wafops.scanner.engine.scan` in a worker process with a time limit per input, and prints the inputs
tried, crashes (the scan raised), collector failures (a collector or detector caught an
exception: a warning, but a bug), hangs (over `--timeout`), and the slowest inputs. Every
failing input is saved under `--keep DIR` so it can be replayed.

    python benchmarks/fuzz.py                       # 200 inputs, seed 1
    python benchmarks/fuzz.py --inputs 5000 --seed 7 --timeout 30 --keep /tmp/wafops-fuzz
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXT_SUFFIXES = (".yml", ".yaml", ".tf", ".hcl", ".json", ".md", ".toml", ".xml", ".rules", ".libsonnet", ".jsonnet",
                 ".py", ".go", ".js", ".ts", ".cfg", ".ini", ".properties", ".sh", "Jenkinsfile", "Dockerfile", "Makefile")
TOKENS = [b"{", b"}", b"[", b"]", b"${", b"%{", b"<<EOF\n", b"EOF\n", b"---\n", b"- ", b": ", b"&a ", b"*a ", b"!!python/object ",
          b"\"", b"'", b"\\", b"\x00", b"\xff\xfe", b"\r", b"\t", b"#", b"//", b"/*", b"null", b"1e999", b"-0", b"\xe2\x80\xae",
          b"resource \"x\" \"y\" {", b"alert: ", b"runs-on: ", b"on:\n", b"jobs:\n", b"expr: ", b"password: hunter2 ",
          b"ghp_" + b"A" * 36, b"AKIA" + b"B" * 16]


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(8)
        n = len(out)
        if op == 0 and n:  # flip bits
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(n)
                out[i] ^= 1 << rng.randrange(8)
        elif op == 1 and n:  # delete a chunk
            i = rng.randrange(n)
            del out[i:i + rng.randint(1, 64)]
        elif op == 2 and n:  # duplicate a chunk
            i = rng.randrange(n)
            out[i:i] = out[i:i + rng.randint(1, 256)] * rng.randint(1, 50)
        elif op == 3:  # insert a token
            i = rng.randrange(n + 1)
            out[i:i] = rng.choice(TOKENS) * rng.randint(1, 20)
        elif op == 4 and n:  # truncate
            del out[rng.randrange(n):]
        elif op == 5 and n > 2:  # swap two chunks
            i, j = sorted(rng.sample(range(n), 2))
            a, b = bytes(out[i:i + 32]), bytes(out[j:j + 32])
            out[j:j + 32], out[i:i + 32] = a, b
        elif op == 6:  # a huge line or deep nesting
            i = rng.randrange(n + 1)
            out[i:i] = rng.choice([b"x" * 200_000, b"[" * 5_000, b"{a: " * 3_000, b"- " * 20_000, b"(" * 10_000])
        else:  # an indentation change
            i = rng.randrange(n + 1)
            out[i:i] = b"\n" + b" " * rng.randint(1, 40)
    return bytes(out)


def candidates(repos: Path) -> list[tuple[Path, Path]]:
    """(repository, file) pairs worth mutating."""
    out = []
    for repo in sorted(p for p in repos.iterdir() if p.is_dir()):
        for f in sorted(repo.rglob("*")):
            if f.is_file() and ".git" not in f.parts and (f.suffix in TEXT_SUFFIXES or f.name in TEXT_SUFFIXES):
                out.append((repo, f))
    return out


def worker(inbox: mp.Queue, outbox: mp.Queue) -> None:
    from wafops.scanner.engine import ScanOptions, scan
    from wafops.scanner.plugins import discover
    from wafops.scanner.reports import json_report

    plugins = discover()
    outbox.put(("ready", [], 0.0))
    while True:
        job = inbox.get()
        if job is None:
            return
        t = time.monotonic()
        try:
            result = scan([job], ScanOptions(jobs=1, layout="single"), plugins)
            doc = json_report.to_dict(result)
            failures = [w["message"] for w in doc["warnings"] if " failed" in w["message"]]
            outbox.put(("ok", failures, time.monotonic() - t))
        except Exception as err:  # the scan itself must never raise
            outbox.put(("crash", [f"{type(err).__name__}: {err}"], time.monotonic() - t))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per input before it counts as a hang")
    ap.add_argument("--repos", type=Path, default=ROOT / "examples" / "repos")
    ap.add_argument("--keep", type=Path, help="save failing inputs here")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    files = candidates(args.repos)
    if not files:
        sys.exit(f"no files to mutate under {args.repos}")
    work = Path(tempfile.mkdtemp(prefix="wafops-fuzz-"))
    ctx = mp.get_context("spawn")

    def start_worker() -> tuple[mp.Process, mp.Queue, mp.Queue]:
        inbox, outbox = ctx.Queue(), ctx.Queue()
        proc = ctx.Process(target=worker, args=(inbox, outbox), daemon=True)
        proc.start()
        outbox.get(timeout=300)  # imports and plugin discovery, once per worker
        return proc, inbox, outbox

    proc, inbox, outbox = start_worker()
    counts = {"inputs": 0, "crashes": 0, "collector_failures": 0, "hangs": 0}
    slowest: list[tuple[float, str]] = []
    started = time.monotonic()
    try:
        for n in range(args.inputs):
            repo, path = rng.choice(files)
            target = work / f"in{n:05d}" / repo.name
            shutil.copytree(repo, target, ignore=shutil.ignore_patterns(".git"))
            rel = path.relative_to(repo)
            mutated = mutate(path.read_bytes(), rng)
            (target / rel).write_bytes(mutated)
            inbox.put(str(target))
            counts["inputs"] += 1
            label = f"{repo.name}/{rel} (input {n})"
            try:
                status, notes, took = outbox.get(timeout=args.timeout)
            except Exception:  # queue.Empty: the worker is stuck on this input
                status, notes, took = "hang", [f"no answer within {args.timeout:g}s"], args.timeout
                proc.kill()
                proc, inbox, outbox = start_worker()
            if status == "ok" and took > args.timeout:
                status = "hang"
            if status == "crash":
                counts["crashes"] += 1
            elif status == "hang":
                counts["hangs"] += 1
            elif notes:
                counts["collector_failures"] += 1
            slowest = sorted([*slowest, (took, label)], reverse=True)[:5]
            if status != "ok" or notes:
                print(f"{status.upper():8} {label}: {'; '.join(notes)[:300]}", flush=True)
                if args.keep:
                    dest = args.keep / f"in{n:05d}-{status}"
                    shutil.copytree(target, dest, dirs_exist_ok=True)
            shutil.rmtree(target.parent, ignore_errors=True)
    finally:
        inbox.put(None)
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\ninputs tried {counts['inputs']}, crashes {counts['crashes']}, collector failures "
          f"{counts['collector_failures']}, hangs {counts['hangs']} ({time.monotonic() - started:.0f} s, seed {args.seed})")
    for took, label in slowest:
        print(f"  slowest: {took:6.2f} s  {label}")
    sys.exit(1 if counts["crashes"] or counts["hangs"] else 0)


if __name__ == "__main__":
    main()
