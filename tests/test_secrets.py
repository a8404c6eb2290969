"""Secret-looking values in scanned files never reach any report."""

from __future__ import annotations

import json

from click.testing import CliRunner
from wafops.scanner.cli import main
from wafops.scanner.core.model import Evidence, Locator

from tests.helpers import write_tree

TOKEN = "ghp_" + "Zq9" * 12
AWS_KEY = "AKIA" + "QWERTYUIOPASDFGH"
PASSWORD = "correct-horse-battery-staple-42"

REPO = {
    "README.md": f"# svc\n\nDeploy with GITHUB_TOKEN={TOKEN}\n",
    ".github/workflows/deploy.yml": (
        "on:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
        "    environment: production\n    env:\n"
        f"      AWS_ACCESS_KEY_ID: {AWS_KEY}\n      DB_PASSWORD: {PASSWORD}\n    steps:\n"
        f"      - run: pytest && curl -H 'Authorization: token {TOKEN}' https://api.example.com\n"
        f"      - run: helm upgrade --install app ./chart --set password={PASSWORD}\n"
    ),
    "infra/main.tf": (
        'terraform {\n  backend "s3" {\n    bucket = "state"\n    key = "x"\n    use_lockfile = true\n  }\n}\n'
        'resource "github_branch_protection" "main" {\n  repository_id = "svc"\n  pattern = "main"\n'
        "  required_pull_request_reviews {\n    required_approving_review_count = 1\n  }\n}\n"
        f'resource "aws_cloudwatch_metric_alarm" "errors" {{\n  alarm_name = "5xx"\n'
        f'  alarm_description = "runbook https://user:{PASSWORD}@wiki.example.com/runbooks/5xx token={TOKEN}"\n'
        '  metric_name = "HTTPCode_Target_5XX_Count"\n  alarm_actions = ["arn:aws:sns:eu-west-1:1:pager"]\n}\n'
    ),
    "alerts/rules.yml": (
        "groups:\n- name: svc\n  rules:\n  - alert: HighErrorRate\n"
        "    expr: sum(rate(http_requests_total{code=~\"5..\"}[5m])) > 1\n"
        f"    annotations:\n      runbook_url: https://x:{PASSWORD}@runbooks.example.com/5xx\n"
        f"      summary: token={TOKEN}\n"
    ),
}


def test_no_secret_reaches_json_table_or_markdown(tmp_path):
    repo = write_tree(tmp_path / "svc", REPO)
    runner = CliRunner()
    outputs = []
    for args in (["--format", "json"], ["--details"], ["--format", "markdown"]):
        result = runner.invoke(main, ["scan", str(repo), *args])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    doc = json.loads(outputs[0])
    assert doc["evidence"], "the scan found evidence in these files"
    for text in outputs:
        for secret in (TOKEN, AWS_KEY, PASSWORD):
            assert secret not in text


def test_evidence_masks_what_a_collector_forgot():
    e = Evidence("x.y", "local:s", "repo", Locator(path="a.yml", line=1),
                 attributes={"cmd": f"curl -u me:{PASSWORD} --token={TOKEN}", "nested": [{"k": f"password: {PASSWORD}"}]},
                 summary=f"uses {AWS_KEY}")
    text = json.dumps(e.to_json())
    for secret in (TOKEN, AWS_KEY, PASSWORD):
        assert secret not in text
    assert "[redacted]" in text
