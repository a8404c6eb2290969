"""A local scan loads no HTTP client: start-up stays light for the most common use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parent.parent / "examples" / "repos" / "legacy-billing"


def test_a_local_scan_imports_no_http_client(tmp_path):
    code = (
        "import sys\n"
        "from wafops.scanner.cli import main\n"
        f"try:\n    main(['scan', {str(EXAMPLE)!r}, '--format', 'json', '-o', {str(tmp_path / 'r.json')!r}])\n"
        "except SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('requests', 'urllib3', 'boto3', 'botocore', 'github', 'gitlab', 'azure'))\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300).stdout
    assert (tmp_path / "r.json").exists()
    assert "HEAVY []" in out, out[-500:]


def test_a_scan_of_everyday_terraform_does_not_load_python_hcl2(tmp_path):
    """wafops' own reader (hcl_simple) reads calls, conditionals and references: python-hcl2 and lark (~60 ms
    to import, ~1 ms of CPU a block) are loaded only for what it leaves to them."""
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    (repo / "infra" / "main.tf").write_text(
        'terraform {\n  backend "s3" {\n    bucket = "state"\n  }\n}\n'
        'resource "aws_cloudwatch_metric_alarm" "errors" {\n  count = var.enabled ? 1 : 0\n'
        '  alarm_name = format("%s-errors", var.service)\n  threshold = 5\n  alarm_actions = [aws_sns_topic.pager.arn]\n'
        '  tags = merge(local.tags, { Name = "errors" })\n}\n')
    code = (
        "import sys\n"
        "from wafops.scanner.cli import main\n"
        f"try:\n    main(['scan', {str(repo)!r}, '--no-cache', '--all-evidence', '--format', 'json', '-o', {str(tmp_path / 'r.json')!r}])\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('hcl2', 'lark')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300).stdout
    report = (tmp_path / "r.json").read_text()
    assert "aws_cloudwatch_metric_alarm" in report, "the alarm was not read"
    assert "LOADED []" in out, out[-500:]
