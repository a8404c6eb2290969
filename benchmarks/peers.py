"""wafops next to its peers: WAF++'s own `wafpass` and checkov, on the same tree, interleaved.

Why: "fast" only means something next to the tools people would otherwise run. This script builds
the local-scan benchmark's tree (`local_scan.py`: 20,000 files, 2,000 Terraform files of which
1,800 need a full parse), installs `wafpass-core` and `checkov` from PyPI into a throwaway
virtualenv (in /tmp, reused when present), and runs, round after round,

    wafops scan TREE --layout single --format json -o FILE       (cold: an empty parse cache)
    wafops scan TREE ...                                          (warm: the cache filled)
    wafpass check TREE --controls-dir CONTROLS --output json      (the WAF++ controls, all pillars)
    checkov -d TREE --framework terraform -o json --skip-download

each as a subprocess measured with everything it starts (wall, CPU of all processes, peak memory
summed over them: see local_scan.measure). Interleaving spreads the noise of a busy machine over
all tools alike; the fastest round of each is reported, with the ratios to wafops.

wafpass needs the WAF++ control files: the folder `modules/controls/controls` (`*.yml`) of the
public https://github.com/WAF2p/framework repository. Without `--controls` wafpass is skipped.

    python benchmarks/peers.py --controls /tmp/framework/modules/controls/controls
    python benchmarks/peers.py --controls DIR --dir /tmp/mono --rounds 3
    python benchmarks/peers.py --files 5000 --tf 500 --workflows 80 --no-checkov
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import venv
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import local_scan  # noqa: E402

PACKAGES = ("wafpass-core", "checkov")


def ensure_venv(path: Path, packages: list[str]) -> Path:
    """A virtualenv at `path` with `packages` installed (created once, reused afterwards)."""
    bin_dir = path / ("Scripts" if os.name == "nt" else "bin")
    marker = path / ".wafops-peers.json"
    if marker.exists() and json.loads(marker.read_text()) == sorted(packages):
        return bin_dir
    if not (bin_dir / "python").exists():
        print(f"creating a virtualenv in {path} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(path)
    print(f"pip install {' '.join(packages)} (this takes a few minutes once) ...", flush=True)
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *packages],
                   check=True)
    marker.write_text(json.dumps(sorted(packages)))
    return bin_dir


def version(bin_dir: Path, dist: str) -> str:
    out = subprocess.run([str(bin_dir / "python"), "-c",
                          f"import importlib.metadata as m; print(m.version({dist!r}))"],
                         capture_output=True, text=True, check=False)
    return out.stdout.strip() or "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--controls", help="the WAF++ framework's modules/controls/controls folder (wafpass is skipped without it)")
    ap.add_argument("--venv", default=os.path.join(tempfile.gettempdir(), "wafops-peers-venv"),
                    help="the throwaway virtualenv for the peers (default /tmp/wafops-peers-venv, reused)")
    ap.add_argument("--files", type=int, default=20_000)
    ap.add_argument("--tf", type=int, default=2_000)
    ap.add_argument("--workflows", type=int, default=300)
    ap.add_argument("--dir", help="generate the tree here (reused when it holds the same tree); default: a temp dir")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds (the fastest of each tool is reported)")
    ap.add_argument("--no-checkov", action="store_true", help="skip checkov")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    controls = Path(args.controls).expanduser() if args.controls else None
    if controls is None:
        print("wafpass: skipped (give --controls DIR: the modules/controls/controls folder of "
              "https://github.com/WAF2p/framework, which wafpass needs to check anything)")
    elif not list(controls.glob("*.yml")):
        raise SystemExit(f"--controls {controls}: no *.yml control files there")
    packages = (["wafpass-core"] if controls else []) + ([] if args.no_checkov else ["checkov"])
    bin_dir = ensure_venv(Path(args.venv), packages) if packages else None
    reaper = local_scan.become_subreaper()

    work = Path(tempfile.mkdtemp(prefix="wafops-peers-"))
    try:
        root, generated, gen_s = local_scan.ensure_tree(str(Path(args.dir) / "main") if args.dir else str(work / "tree"),
                                                        args.files, args.tf, args.workflows)
        stats = local_scan.tree_stats(root)
        tools: dict[str, Any] = {}

        def wafops_cold(n: int) -> dict[str, Any]:
            return local_scan.run_cli(root, str(work / f"cache-{n}"), str(work / "wafops.json"))

        def wafops_warm(n: int) -> dict[str, Any]:
            return local_scan.run_cli(root, str(work / f"cache-{n}"), str(work / "wafops.json"))

        def wafpass(n: int) -> dict[str, Any]:
            assert bin_dir is not None and controls is not None
            cwd = work / f"wafpass-{n}"  # it writes .wafpass-state/ into the current folder
            cwd.mkdir()
            cmd = [str(bin_dir / "wafpass"), "check", str(root), "--controls-dir", str(controls),
                   "--output", "json", "--fail-on", "any"]
            return local_scan.measure(cmd, cwd=str(cwd), stdout_path=str(work / "wafpass.json"))

        def checkov(n: int) -> dict[str, Any]:
            assert bin_dir is not None
            cmd = [str(bin_dir / "checkov"), "-d", str(root), "--framework", "terraform", "-o", "json",
                   "--quiet", "--skip-download", "--soft-fail"]
            return local_scan.measure(cmd, cwd=str(work), stdout_path=str(work / "checkov.json"))

        order = [("wafops cold", wafops_cold), ("wafops warm", wafops_warm)]
        if controls:
            order.append(("wafpass", wafpass))
        if not args.no_checkov:
            order.append(("checkov", checkov))
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _f in order}
        for n in range(args.rounds):
            for name, fn in order:
                r = fn(n)
                runs[name].append(r)
                if r.get("returncode") not in (None, 0, 1):  # 1: findings (wafpass, checkov) or a gate
                    print(f"  {name} exited {r['returncode']}: {r.get('stderr_tail', '')[-600:]}")
                print(f"  round {n + 1}: {name:<12} {r['wall_s']:6.2f} s wall, {r['cpu_s']:6.2f} s CPU, "
                      f"peak {r['peak_pss_all_mb']} MB PSS", flush=True)
        for name, rs in runs.items():
            best = dict(min(rs, key=lambda r: r["wall_s"]))
            best["all_wall_s"] = [r["wall_s"] for r in rs]
            best["median_wall_s"] = round(statistics.median(best["all_wall_s"]), 2)
            best.pop("stderr_tail", None)
            tools[name] = best
        base = tools["wafops cold"]["wall_s"]
        warm = tools["wafops warm"]["wall_s"]
        cpu_base = tools["wafops cold"]["cpu_s"]
        ratios = {name: {"vs_wafops_cold": round(t["wall_s"] / base, 2) if base else None,
                         "vs_wafops_warm": round(t["wall_s"] / warm, 2) if warm else None,
                         "cpu_vs_wafops_cold": round(t["cpu_s"] / cpu_base, 2) if cpu_base else None}
                  for name, t in tools.items() if not name.startswith("wafops")}
        figures = {"tree": {"root": str(root), **stats, "generated": generated, "generate_s": round(gen_s, 1)},
                   "cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2), "subreaper": reaper,
                   "versions": ({"wafpass-core": version(bin_dir, "wafpass-core")} if controls and bin_dir else {})
                   | ({"checkov": version(bin_dir, "checkov")} if bin_dir and not args.no_checkov else {}),
                   "tools": tools, "ratios": ratios}
        if args.json:
            print(json.dumps(figures, indent=2))
            return 0
        print(f"tree: {root} ({stats['files']} files, {stats['tf']} .tf); {os.cpu_count()} CPUs, "
              f"load average {figures['load_average_1m']}; fastest of {args.rounds} interleaved rounds")
        for name, t in tools.items():
            extra = ""
            if name in ratios:
                extra = (f"  = {ratios[name]['vs_wafops_cold']}x wafops cold, "
                         f"{ratios[name]['vs_wafops_warm']}x wafops warm (wall); "
                         f"{ratios[name]['cpu_vs_wafops_cold']}x wafops cold (CPU)")
            print(f"{name:<12} {t['wall_s']:6.2f} s wall (median {t['median_wall_s']}), {t['cpu_s']:6.2f} s CPU, "
                  f"peak {t['peak_pss_all_mb']} MB PSS / {t['peak_rss_all_mb']} MB RSS over {t['processes']} processes{extra}")
        if figures["versions"]:
            print("versions: " + ", ".join(f"{k} {v}" for k, v in figures["versions"].items()))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
