#!/usr/bin/env python3
"""How often wafops' levels agree with experts: run it before and after every change to the levels.

Scans each labelled checkout of a calibration corpus with the real CLI (`wafops scan CHECKOUT --as-of head
--format json`), compares each control's `level` (and `confirmed_level`) with the expert's [lo, hi]
range, and prints hits per control, over- and under-calls, every miss with the expert's reasons, and
what a constant guess of "2" would score on the same rows, so a change is judged against a floor.

Usage:
    python benchmarks/accuracy.py [--corpus ../shared/calibration/corpus.yaml]
                                  [--checkouts /tmp/wafops-calibration] [--only OWNER/NAME ...] [--misses]

The checkouts are made by the corpus' own `prepare.sh` (pinned commits, full history). A row hits when
lo <= level <= hi; a row labelled `absent` also hits when the control is not assessed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "calibration" / "corpus.yaml"


@dataclass
class Row:
    repo: str
    control: str
    lo: int
    hi: int
    absent: bool
    level: int | None
    confirmed: int | None
    status: str
    evidence: list[str] = field(default_factory=list)

    def hit(self, value: int | None) -> bool:
        if value is None:
            return self.absent and self.status == "not_assessed"
        return self.lo <= value <= self.hi

    @property
    def over(self) -> bool:
        return self.level is not None and self.level > self.hi

    @property
    def under(self) -> bool:
        return self.level is not None and self.level < self.lo


def scan(wafops: list[str], checkout: Path, out: Path, timeout: int) -> tuple[dict | None, float, str]:
    started = time.monotonic()
    cmd = [*wafops, "scan", str(checkout), "--format", "json", "--output", str(out), "--as-of", "head"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, time.monotonic() - started, f"timeout after {timeout}s"
    took = time.monotonic() - started
    if not out.exists():
        return None, took, f"exit {proc.returncode}: {(proc.stderr or proc.stdout)[-300:]}"
    try:
        return json.loads(out.read_text()), took, ""
    except json.JSONDecodeError as err:
        return None, took, f"unreadable JSON: {err}"


def rows_for(entry: dict, doc: dict | None) -> list[Row]:
    controls = {c["id"]: c for c in doc["subjects"][0]["controls"]} if doc and doc.get("subjects") else {}
    rows = []
    for cid, label in entry["labels"].items():
        c = controls.get(cid, {})
        lo, hi = label["range"]
        rows.append(Row(entry["repo"], cid, lo, hi, bool(label.get("absent")), c.get("level"),
                        c.get("confirmed_level"), c.get("status", "missing"), list(label.get("evidence", []))))
    return rows


def report(rows: list[Row], misses: bool) -> None:
    print(f"{'control':12} {'hits':>6} {'over':>5} {'under':>6} {'no-lvl':>7} {'confirmed':>10} {'const-2':>8}")
    for cid in sorted({r.control for r in rows}):
        rs = [r for r in rows if r.control == cid]
        print(f"{cid:12} {sum(r.hit(r.level) for r in rs):3d}/{len(rs):<2d} {sum(r.over for r in rs):5d} "
              f"{sum(r.under for r in rs):6d} {sum(r.level is None and not r.hit(None) for r in rs):7d} "
              f"{sum(r.hit(r.confirmed) for r in rs):7d}/{len(rs):<2d} {sum(r.hit(2) for r in rs):5d}/{len(rs):<2d}")
    if misses:
        for r in rows:
            if not r.hit(r.level):
                print(f"\nMISS {r.repo} {r.control}: expert [{r.lo},{r.hi}], wafops {r.level} "
                      f"(confirmed {r.confirmed}, {r.status})")
                for line in r.evidence:
                    print(f"     expert: {line}")
    n = len(rows)
    present = [r for r in rows if not r.absent]
    hits = sum(r.hit(r.level) for r in rows)
    over, under = sum(r.over for r in rows), sum(r.under for r in rows)
    print(f"\naccuracy: {hits}/{n} = {hits / n:.0%} in the experts' range; non-absent "
          f"{sum(r.hit(r.level) for r in present)}/{len(present)}; over {over}, under {under}, "
          f"no level {sum(r.level is None and not r.hit(None) for r in rows)}; "
          f"confirmed_level {sum(r.hit(r.confirmed) for r in rows)}/{n}; constant 2: {sum(r.hit(2) for r in rows)}/{n}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--checkouts", default="/tmp/wafops-calibration")
    ap.add_argument("--wafops", default=shutil.which("wafops") or f"{sys.executable} -m wafops.scanner.cli")
    ap.add_argument("--only", nargs="*", help="score only these OWNER/NAME entries")
    ap.add_argument("--misses", action="store_true", help="print every miss with the experts' reasons")
    ap.add_argument("--timeout", type=int, default=600)
    a = ap.parse_args()
    corpus = yaml.safe_load(Path(a.corpus).read_text())
    rows: list[Row] = []
    total = 0.0
    with tempfile.TemporaryDirectory(prefix="wafops-accuracy-") as tmp:
        for entry in corpus["repos"]:
            if a.only and entry["repo"] not in a.only:
                continue
            checkout = Path(a.checkouts) / entry["repo"].replace("/", "+")
            if not checkout.is_dir():
                print(f"skipped {entry['repo']}: no checkout at {checkout} (run the corpus' prepare.sh)")
                continue
            doc, took, problem = scan(a.wafops.split(), checkout, Path(tmp) / "result.json", a.timeout)
            total += took
            if problem:
                print(f"problem {entry['repo']}: {problem}")
            rows += rows_for(entry, doc)
            (Path(tmp) / "result.json").unlink(missing_ok=True)
    if not rows:
        print("no rows scored")
        return 1
    report(rows, a.misses)
    print(f"scans took {total:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
