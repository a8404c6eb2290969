"""The cheap block-header pass decides which Terraform files get a full python-hcl2 parse, and the
evidence is the same as when every file is parsed.

The collectors (iac, alerting, observability, ci systems) read `block_headers(text)` and fully parse
only the files holding a resource whose body they read. That is only right if the header regex finds
every resource the full parse finds: checked file by file, and end to end by scanning the same trees
once as shipped and once with "parse everything" (every .tf parsed whole, every reader given the whole
file's parse instead of its wanted blocks, and the resource headers the collectors see taken from the full
parse instead of the regex).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from wafops.scanner.core import files, hcl
from wafops.scanner.engine import ScanOptions, scan

from tests.helpers import write_tree

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "repos"
NOW = datetime(2026, 11, 22, tzinfo=UTC)

TRICKY = {
    "spacing/main.tf": 'resource   "aws_cloudwatch_metric_alarm"   "a"   {\n  alarm_name = "x"\n}\n'
                       '\tresource "aws_cloudwatch_log_group" "tabbed" {\n  retention_in_days = 7\n}\n',
    "heredoc/main.tf": 'locals {\n  doc = <<EOT\nnot a block\nEOT\n}\nresource "aws_sns_topic_subscription" "s" {\n'
                       '  protocol = "email"\n  endpoint = "ops@example.com"\n  topic_arn = "arn"\n}\n',
    "nested/main.tf": 'resource "aws_ecs_service" "svc" {\n  name = "svc"\n  deployment_circuit_breaker {\n'
                      '    enable = true\n    rollback = true\n  }\n  dynamic "ordered_placement_strategy" {\n'
                      '    for_each = []\n    content {\n      type = "spread"\n    }\n  }\n}\n',
    "modules/main.tf": 'module "alarms" {\n  source = "terraform-aws-modules/cloudwatch/aws//modules/metric-alarm"\n}\n'
                       'provider "aws" {\n  region = "eu-west-1"\n}\n',
}


def _bench_tree(tmp_path: Path) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import local_scan
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    root = tmp_path / "bench"
    local_scan.generate(root, files=700, tf=200, workflows=20)
    return root


def _tf_files(*roots: Path) -> list[Path]:
    return [p for r in roots for p in sorted(r.rglob("*.tf"))]


def _resources_by_regex(text: str) -> list[tuple[str, ...]]:
    return sorted((t, a, b) for t, a, b, _line in hcl.block_headers(text) if t == "resource")


def _resources_by_parse(parsed: dict) -> list[tuple[str, ...]]:
    return sorted((b.type, *b.labels) for b in hcl.blocks(parsed) if b.type == "resource")


def test_the_header_pass_finds_every_resource_the_full_parse_finds(tmp_path):
    tricky = write_tree(tmp_path / "tricky", TRICKY)
    checked = 0
    for path in _tf_files(EXAMPLES, tricky, _bench_tree(tmp_path)):
        text = path.read_text(errors="replace")
        try:
            parsed = hcl.parse_hcl(text)
        except Exception:
            continue  # a malformed file: the collectors fall back to the regex facts either way
        assert _resources_by_regex(text) == _resources_by_parse(parsed), path
        checked += 1
    assert checked > 200


def _parse_everything_headers(text: str) -> list[tuple[str, str, str, int]]:
    """block_headers, but the resources are the ones the full parse finds (at the line the regex gives,
    or line 1 when the regex missed them): what the collectors would see if every file were parsed."""
    regex = hcl.block_headers(text)
    try:
        parsed = hcl.parse_hcl(text)
    except Exception:
        return regex
    lines = {(a, b): line for t, a, b, line in regex if t == "resource"}
    out = [h for h in regex if h[0] != "resource"]
    out += [("resource", b.labels[0], b.labels[1], lines.get(b.labels[:2], 1))
            for b in hcl.blocks(parsed) if b.type == "resource" and len(b.labels) >= 2]
    return sorted(out, key=lambda h: h[3])


def _evidence(targets: list[str], layout: str) -> list[tuple]:
    files._CONTENT_CACHE.clear()
    result = scan(targets, ScanOptions(now=NOW, jobs=1, layout=layout))
    return sorted((e.kind, e.subject, str(e.locator), json.dumps(e.attributes, sort_keys=True, default=str), e.summary)
                  for sr in result.subjects for e in sr.evidence)


@pytest.mark.parametrize("which", ["examples", "benchmark-tree"])
def test_parse_everything_gives_the_same_evidence(tmp_path, monkeypatch, which):
    if which == "examples":
        targets, layout = [str(EXAMPLES)], "auto"
    else:
        targets, layout = [str(_bench_tree(tmp_path))], "single"
    shipped = _evidence(targets, layout)
    assert shipped

    real_hcl = files.RepoTree.hcl
    parsed_all: set[str] = set()

    def hcl_everything(tree, path, wanted=None):  # every .tf file parsed whole the first time any is asked for
        if tree.root not in parsed_all:
            parsed_all.add(tree.root)
            for p in tree.with_suffix(".tf"):
                real_hcl(tree, p)
        return real_hcl(tree, path)  # the whole file, not only the blocks the reader wants

    monkeypatch.setattr(files.RepoTree, "hcl", hcl_everything)
    swapped = 0
    for name, module in list(sys.modules.items()):
        if name.startswith("wafops.collectors") and getattr(module, "block_headers", None) is hcl.block_headers:
            monkeypatch.setattr(module, "block_headers", _parse_everything_headers)
            swapped += 1
    assert swapped >= 2  # iac and the observability/alerting file helpers read the header pass
    everything = _evidence(targets, layout)
    assert parsed_all
    assert everything == shipped
