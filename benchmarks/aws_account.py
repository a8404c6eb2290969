"""AWS benchmark: an account with 5,000 resources across 4 regions in moto (server mode), scanned by the AWS collector.

Why: the issue asks that a realistic account scan stays well under a minute. This script starts a moto
server on 127.0.0.1, seeds 1,250 resources per region (log groups with and without retention, metric
alarms on symptoms and causes, SNS topics with paging and e-mail subscriptions, dashboards, SSM Automation
documents), then scans the account exactly as `wafops scan aws --region ... (x4)` does and prints the
wall time, the API calls made (by operation) and the evidence count. A second (warm) run shows the
moto backend start-up cost apart.

    python benchmarks/aws_account.py                       # 5,000 resources, 4 regions
    python benchmarks/aws_account.py --per-region 500      # smaller
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wafops.collectors.cloud.aws import collector as aws_collector  # noqa: E402
from wafops.collectors.cloud.aws.session import AwsReader, CallLog  # noqa: E402
from wafops.scanner.engine import ScanOptions, scan  # noqa: E402

from tests import aws_moto  # noqa: E402

REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"]


def seed(region: str, n: int) -> int:
    """n resources in one region: 48 % log groups, 32 % alarms, 16 % SNS topics + subscriptions, 2 % dashboards,
    2 % SSM documents."""
    logs, cw, sns, ssm = (aws_moto.client(s, region) for s in ("logs", "cloudwatch", "sns", "ssm"))
    made = 0
    n_logs, n_alarms, n_topics = int(n * 0.48), int(n * 0.32), int(n * 0.08)
    n_dash, n_docs = int(n * 0.02), n - int(n * 0.48) - int(n * 0.32) - 2 * int(n * 0.08) - int(n * 0.02)
    topics = []
    for i in range(n_topics):
        arn = sns.create_topic(Name=f"svc{i}-alerts")["TopicArn"]
        endpoint = "https://events.pagerduty.com/x" if i % 2 else f"team{i}@example.com"
        sns.subscribe(TopicArn=arn, Protocol="https" if i % 2 else "email", Endpoint=endpoint)
        topics.append(arn)
        made += 2
    for i in range(n_logs):
        logs.create_log_group(logGroupName=f"/app/svc{i}")
        if i % 3:
            logs.put_retention_policy(logGroupName=f"/app/svc{i}", retentionInDays=30)
        made += 1
    for i in range(n_alarms):
        metric = ("HTTPCode_Target_5XX_Count", "TargetResponseTime", "CPUUtilization", "MemoryUtilization")[i % 4]
        cw.put_metric_alarm(AlarmName=f"svc{i}-{metric}", MetricName=metric, Namespace="AWS/ApplicationELB",
                            Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
                            ComparisonOperator="GreaterThanThreshold", AlarmActions=[topics[i % len(topics)]],
                            AlarmDescription=f"Runbook: https://wiki.example.com/runbooks/svc{i}")
        made += 1
    for i in range(n_dash):
        cw.put_dashboard(DashboardName=f"svc{i}", DashboardBody=json.dumps({"widgets": [
            {"type": "metric", "properties": {"title": "Latency and errors", "metrics": [["AWS/ApplicationELB", "RequestCount"]]}}]}))
        made += 1
    for i in range(n_docs):
        ssm.create_document(Name=f"svc{i}-restart", DocumentType="Automation", DocumentFormat="YAML",
                            Content="schemaVersion: '0.3'\nmainSteps:\n  - name: s\n    action: aws:sleep\n    inputs: {Duration: PT1S}\n")
        made += 1
    return made


def run_scan(log: CallLog) -> tuple[float, object]:
    aws_collector.reader_factory = lambda options: AwsReader(max_attempts=1, log=log)
    t0 = time.perf_counter()
    result = scan(["aws"], ScanOptions(collector_options={"aws_regions": REGIONS, "aws_max_attempts": 1}, jobs=1))
    return time.perf_counter() - t0, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-region", type=int, default=1250)
    args = ap.parse_args()
    with aws_moto.moto_server():
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(REGIONS)) as pool:
            total = sum(pool.map(lambda r: seed(r, args.per_region), REGIONS))
        print(f"seeded {total} resources in {len(REGIONS)} regions in {time.perf_counter() - t0:.1f} s")
        for label in ("cold", "warm"):
            log = CallLog()
            wall, result = run_scan(log)
            sr = result.subjects[0]  # type: ignore[attr-defined]
            ops = Counter(op for op, _region in log.calls)
            print(f"{label} scan: {wall:.1f} s wall, {log.count()} API calls, {len(sr.evidence)} evidence items, "
                  f"aws source {sr.sources['aws'].status.value}")
            if label == "warm":
                for op, n in ops.most_common(12):
                    print(f"  {n:5d}  {op}")
        levels = {c.id: c.level for c in sr.controls if c.level is not None}
        print("levels:", levels)


if __name__ == "__main__":
    main()
