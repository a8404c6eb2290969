"""Parallel HCL parsing gives exactly what the serial path gives, and malformed files still warn."""

from __future__ import annotations

from wafops.scanner.core import files, hcl_workers
from wafops.scanner.core.files import RepoTree

from tests.helpers import write_tree


def _tf(i: int) -> str:
    """Not plain HCL (a for expression): python-hcl2 parses it, in the workers (hcl_simple reads plain HCL)."""
    return (f'resource "aws_cloudwatch_metric_alarm" "a{i}" {{\n  alarm_name = [for e in var.envs : "errors-${{e}}-{i}"]\n  threshold = {i}\n'
            f'  dimensions = {{ service = "svc{i}" }}\n}}\n')


def test_prefetch_matches_serial_parse_and_keeps_warnings(tmp_path, monkeypatch):
    n = hcl_workers.PARALLEL_MIN_FILES + 6
    tree_files = {f"m{i}/main.tf": _tf(i) for i in range(n)}
    tree_files["broken/main.tf"] = 'resource "x" "y" {\n  = oops\n'
    root = write_tree(tmp_path / "repo", tree_files)
    files._CONTENT_CACHE.clear()

    handed = []
    real = hcl_workers.parse_in_workers
    monkeypatch.setattr(hcl_workers, "parse_in_workers", lambda texts, *a: handed.append(len(texts)) or real(texts, *a))
    tree = RepoTree.scan(root)
    tree.prefetch_hcl(tree.with_suffix(".tf"))
    cached = {k for k in files._CONTENT_CACHE if k[0] == "hcl"}
    assert handed == [n + 1] and len(cached) == n  # every file parsed in the workers; the broken one failed

    parallel = {p: tree.hcl(p) for p in tree.with_suffix(".tf")}
    assert [w.path for w in tree.warnings] == ["broken/main.tf"]

    files._CONTENT_CACHE.clear()
    serial_tree = RepoTree.scan(root)
    serial = {p: serial_tree.hcl(p) for p in serial_tree.with_suffix(".tf")}
    assert parallel == serial
    assert parallel["m3/main.tf"]["resource"][0]["aws_cloudwatch_metric_alarm"]["a3"]["threshold"] == 3


def test_small_batches_stay_in_process(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "repo", {"main.tf": _tf(1)})
    started = []
    import concurrent.futures

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", lambda *a, **k: started.append(1))
    tree = RepoTree.scan(root)
    tree.prefetch_hcl(["main.tf"])
    assert started == [] and tree.hcl("main.tf") is not None
