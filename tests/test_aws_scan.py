"""The AWS collector against moto in server mode (real HTTP through AWS_ENDPOINT_URL).

One moto server for the module; each test resets it and seeds the account it needs. Covers: an account
near level 1 and one near level 4 on the controls AWS decides, least privilege (every call recorded
through botocore's before-call hook is in docs/aws-policy.json and none is a write), failures that
degrade (denied, throttled, opted-out region, Organizations from a member account, no credentials),
Terraform state read in memory only, and workloads pooling a repository with the account.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("boto3")
pytest.importorskip("moto")

from wafops.collectors.cloud.aws import collector as aws_collector  # noqa: E402
from wafops.collectors.cloud.aws.session import READ_VERBS, WRITE_VERBS, AwsReader, ReadOnlyViolation  # noqa: E402
from wafops.collectors.translate import aws as tr  # noqa: E402
from wafops.scanner.assess.workloads import WorkloadError, parse  # noqa: E402
from wafops.scanner.core.model import Outcome, SourceState  # noqa: E402
from wafops.scanner.engine import ScanOptions, scan  # noqa: E402

from tests import aws_moto  # noqa: E402

POLICY = json.loads((Path(__file__).parent.parent / "docs" / "aws-policy.json").read_text())
ALLOWED = {a for st in POLICY["Statement"] for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}
OPTS = {"aws_regions": ["us-east-1"], "aws_max_attempts": 1}


@pytest.fixture(scope="module")
def moto_url() -> Any:
    with aws_moto.moto_server() as url:
        yield url


@pytest.fixture
def account(moto_url: str) -> Any:
    aws_moto.reset(moto_url)
    yield moto_url
    aws_collector.reader_factory = None


def recording_reader(calls: list[tuple[str, str]], fail: dict[str, tuple[int, str]] | None = None,
                     fail_region: str | None = None) -> Any:
    """A reader whose boto3 session records every call (before-call) and can answer some with an error."""
    import boto3

    session = boto3.session.Session()

    class _Http:
        def __init__(self, status: int) -> None:
            self.status_code, self.headers, self.content, self.text = status, {}, b"", ""

    def hook(model: Any = None, context: Any = None, **_kw: Any) -> Any:
        op = f"{model.service_model.service_name}:{model.name}"
        region = (context or {}).get("client_region") or ""
        calls.append((op, region))
        hit = (fail or {}).get(op) or (fail or {}).get(model.service_model.service_name + ":*")
        if fail_region and region == fail_region:
            hit = (400, "UnrecognizedClientException")
        if hit:
            return _Http(hit[0]), {"Error": {"Code": hit[1], "Message": "refused in this test"},
                                   "ResponseMetadata": {"HTTPStatusCode": hit[0]}}
        return None

    session.events.register("before-call", hook)
    return lambda options: AwsReader(session=session, max_attempts=1)


def _scan(options: dict[str, Any] | None = None, targets: tuple[str, ...] = ("aws",), **kw: Any) -> Any:
    return scan(list(targets), ScanOptions(collector_options={**OPTS, **(options or {})}, jobs=1, **kw))


def _control(sr: Any, cid: str) -> Any:
    return next(c for c in sr.controls if c.id == cid)


def _crit(sr: Any, cid: str, crit: str) -> Any:
    return next(c for c in _control(sr, cid).criteria if c.id == crit)


def test_account_near_level_1(account: str) -> None:
    aws_moto.seed_level1()
    sr = _scan().subjects[0]
    assert sr.subject.id == f"aws:{aws_moto.ACCOUNT}" and sr.subject.kind == "account"
    assert sr.sources["aws"].usable
    rules = [e for e in sr.evidence if e.kind == "alert.rule"]
    assert [(e.get("name"), e.get("signal"), e.get("notifies")) for e in rules] == [("web-cpu-high", "cause", False)]
    assert _control(sr, "WAF-OPS-040").level == 1
    assert _crit(sr, "WAF-OPS-040", "ops040-alerting-configured").status is Outcome.NOT_MET
    assert _crit(sr, "WAF-OPS-030", "ops030-log-retention").status is Outcome.NOT_MET  # logs never expire
    assert _crit(sr, "WAF-OPS-090", "ops090-compliance-service").status is Outcome.NOT_MET  # no AWS Config


def test_account_near_level_4_with_every_call_read_only_and_in_the_policy(account: str) -> None:
    aws_moto.seed_level4()
    calls: list[tuple[str, str]] = []
    aws_collector.reader_factory = recording_reader(calls)
    sr = _scan().subjects[0]
    assert _control(sr, "WAF-OPS-040").level == 4
    for crit in ("ops040-symptom-ratio", "ops040-paging-integration", "ops040-runbook-links", "ops040-burn-rate",
                 "ops040-error-budget-dashboard"):
        assert _crit(sr, "WAF-OPS-040", crit).status is Outcome.MET, crit
    assert _crit(sr, "WAF-OPS-030", "ops030-log-retention").status is Outcome.MET
    assert _crit(sr, "WAF-OPS-090", "ops090-compliance-service").status is Outcome.MET
    assert _control(sr, "WAF-OPS-080").level >= 3  # CodeDeploy canary with alarms and automatic rollback
    burn = next(e for e in sr.evidence if e.kind == "alert.rule" and e.get("burn_rate"))
    assert burn.get("windows") == ["5m", "1h"] and burn.get("paging") and burn.get("pager_target")
    assert burn.source == "aws" and burn.locator.resource.startswith("arn:aws:cloudwatch:us-east-1:")
    assert burn.locator.url.startswith("https://console.aws.amazon.com/go/view?arn=") and burn.collected_at
    # least privilege: every call is in the shipped policy, and none is a write
    from wafops.collectors.cloud.aws.session import iam_action

    made = {iam_action(*op.split(":")) for op, _r in calls}
    assert made, "no AWS call was recorded"
    assert made <= ALLOWED, sorted(made - ALLOWED)
    writes = sorted(a for a in made if WRITE_VERBS.match(a.split(":")[1]) and not READ_VERBS.match(a.split(":")[1]))
    assert not writes
    assert all(a.split(":")[1].startswith(("Describe", "List", "Get", "Lookup")) for a in made), sorted(made)


def test_a_write_is_never_sent(account: str) -> None:
    reader = AwsReader(max_attempts=1)
    with pytest.raises(ReadOnlyViolation):
        reader.call("sns", "us-east-1", "CreateTopic", Name="x")
    assert not aws_moto.client("sns").list_topics()["Topics"]


def test_denied_throttled_opted_out_and_member_account_degrade(account: str) -> None:
    aws_moto.seed_level4()
    calls: list[tuple[str, str]] = []
    aws_collector.reader_factory = recording_reader(calls, fail={
        "cloudwatch:DescribeAlarms": (403, "AccessDenied"),
        "logs:DescribeLogGroups": (400, "ThrottlingException"),
        "organizations:*": (400, "AWSOrganizationsNotInUseException"),
    }, fail_region="ap-east-1")
    result = _scan({"aws_regions": ["us-east-1", "ap-east-1"]})
    sr = result.subjects[0]
    assert sr.sources["aws"].status is SourceState.PARTIAL
    unread = {e.get("what"): e for e in sr.evidence if e.kind == "cloud.unreadable"}
    assert "denied" in unread["alarms"].get("kinds") and "region" in unread["alarms"].get("kinds")
    assert unread["logs"].get("kinds") == ["region", "throttled"]
    assert unread["organizations"].get("kinds") == ["not_in_org"]
    alerting = _crit(sr, "WAF-OPS-040", "ops040-alerting-configured")
    assert alerting.status is Outcome.NOT_ASSESSED and "cloudwatch:DescribeAlarms" in alerting.reason
    guard = _crit(sr, "WAF-OPS-020", "ops020-prod-in-code-or-guardrail")
    assert guard.status is Outcome.NOT_ASSESSED
    assert any("ap-east-1 is not enabled" in w.message for w in sr.warnings)
    # what was read still counts: routing and the deploy strategies were not affected
    assert _crit(sr, "WAF-OPS-040", "ops040-paging-integration").status is not Outcome.NOT_MET


def test_no_credentials_is_denied_not_a_crash(account: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setattr(aws_collector, "_readers", {})
    result = _scan()
    sr = result.subjects[0]
    assert sr.sources["aws"].status is SourceState.DENIED
    assert "no AWS identity" in sr.sources["aws"].reason and "Unable to locate credentials" in sr.sources["aws"].reason
    assert all(c.level is None for c in sr.controls)
    monkeypatch.setattr(aws_collector, "_readers", {})


def test_state_is_read_in_memory_only_and_never_reported(account: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    marker = "wafops-state-secret-7f3a9c"
    s3 = aws_moto.client("s3")
    s3.create_bucket(Bucket="acme-tfstate")
    s3.put_bucket_versioning(Bucket="acme-tfstate", VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(Bucket="managed-data")
    s3.put_bucket_tagging(Bucket="managed-data", Tagging={"TagSet": [{"Key": "team", "Value": "payments"}]})
    s3.create_bucket(Bucket="clickops-data")
    s3.put_bucket_tagging(Bucket="clickops-data", Tagging={"TagSet": [{"Key": "team", "Value": "payments"}]})
    state = {"version": 4, "resources": [{"mode": "managed", "type": "aws_s3_bucket", "name": "data", "instances": [
        {"attributes": {"id": "managed-data", "arn": "arn:aws:s3:::managed-data", "bucket": "managed-data"}}]},
        {"mode": "managed", "type": "aws_db_instance", "name": "db", "instances": [{"attributes": {"id": "db",
                                                                                                   "password": marker}}]}]}
    s3.put_object(Bucket="acme-tfstate", Key="prod/terraform.tfstate", Body=json.dumps(state).encode())
    dynamo = aws_moto.client("dynamodb")
    dynamo.create_table(TableName="terraform-locks", KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    # without the opt-in the state is not read: coverage is not assessed, and says how to opt in
    sr = _scan().subjects[0]
    backend = next(e for e in sr.evidence if e.kind == "iac.backend")
    assert {k: backend.get(k) for k in ("type", "lock", "locking", "versioning")} == \
        {"type": "s3", "lock": "dynamodb_table", "locking": True, "versioning": True}
    assert not [e for e in sr.evidence if e.kind == "iac.coverage"]
    cov = _crit(sr, "WAF-OPS-020", "ops020-full-coverage")
    assert cov.status is Outcome.NOT_ASSESSED and "aws_read_state=true" in cov.reason
    # with the opt-in: nothing written anywhere holds the state
    written: list[str] = []
    real_open = builtins.open

    def spy_open(file: Any, mode: str = "r", *a: Any, **k: Any) -> Any:
        if any(m in mode for m in "wax+"):
            written.append(str(file))
        return real_open(file, mode, *a, **k)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.chdir(tmp_path)
    from click.testing import CliRunner
    from wafops.scanner.cli import main

    out = tmp_path / "result.json"
    res = CliRunner().invoke(main, ["scan", "aws", "--region", "us-east-1", "--option", "aws_read_state=true",
                                    "--option", "aws_max_attempts=1", "--format", "json", "-o", str(out), "--details"])
    monkeypatch.setattr(builtins, "open", real_open)
    assert res.exit_code in (0, 1), res.output
    doc = json.loads(out.read_text())
    assert marker not in out.read_text() and marker not in res.output
    for path in written:
        if os.path.isfile(path):
            assert marker not in Path(path).read_text(errors="replace"), path
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and marker in p.read_text(errors="replace")]
    cov_ev = next(e for e in doc["evidence"] if e["kind"] == "iac.coverage")
    assert cov_ev["attributes"]["inventory"] == 2 and cov_ev["attributes"]["managed"] == 1
    assert "arn:aws:s3:::clickops-data" in cov_ev["attributes"]["unmanaged_examples"]


def _git_repo(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "README.md").write_text("# payments\n")
    rb = root / "docs" / "runbooks"
    rb.mkdir(parents=True)
    (rb / "api-errors.md").write_text("# API errors\n\n## Symptoms\n5xx rate above the SLO.\n\n## Diagnosis\n"
                                      "```\naws logs tail /ecs/payments-api\n```\n\n## Remediation\nRoll back.\n\n"
                                      "## Escalation\nPage the payments on-call.\n")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "runbook"]):
        subprocess.run(["git", "-C", str(root), *cmd], check=True, env=env, capture_output=True)
    return root


def test_workload_pools_a_repository_with_the_account(account: str, tmp_path: Path) -> None:
    repo = _git_repo(tmp_path / "payments")
    sns, cw = aws_moto.client("sns"), aws_moto.client("cloudwatch")
    topic = sns.create_topic(Name="payments-oncall")["TopicArn"]
    cw.put_metric_alarm(AlarmName="payments-api-5xx", MetricName="HTTPCode_Target_5XX_Count", Namespace="AWS/ApplicationELB",
                        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold",
                        AlarmActions=[topic], AlarmDescription=f"Runbook: {aws_moto.RUNBOOK_URL}")
    workloads = parse([{"name": "payments", "repositories": [str(repo)], "aws_accounts": [aws_moto.ACCOUNT]}])
    result = _scan(workloads=workloads, by="both", targets=())
    by_id = {sr.subject.id: sr for sr in result.subjects}
    pooled, repo_only, account_only = by_id["workload:payments"], by_id["local:payments"], by_id[f"aws:{aws_moto.ACCOUNT}"]
    assert pooled.subject.kind == "workload" and pooled.subject.meta["members"] == ["local:payments", f"aws:{aws_moto.ACCOUNT}"]
    assert {e.source for e in pooled.evidence} >= {"repo", "aws"}
    assert {e.subject for e in pooled.evidence} == {"local:payments", f"aws:{aws_moto.ACCOUNT}"}  # provenance kept
    level = {k: _control(v, "WAF-OPS-060").level for k, v in
             (("pooled", pooled), ("repo", repo_only), ("account", account_only))}
    assert level["pooled"] is not None and level["pooled"] >= 3, level
    assert level["pooled"] > (level["repo"] or 1) and level["pooled"] > (level["account"] or 1), level
    assert _crit(pooled, "WAF-OPS-060", "ops060-alerts-link-runbooks").status is Outcome.MET
    assert _crit(repo_only, "WAF-OPS-060", "ops060-alerts-link-runbooks").status is Outcome.NOT_MET
    # --by workload (the default) reports the workload instead of its members; the summary rolls it up
    only = _scan(workloads=workloads, targets=())
    assert [sr.subject.id for sr in only.subjects] == ["workload:payments"]
    from wafops.scanner.reports import json_report

    doc = json_report.to_dict(only)
    json_report.validate(doc)
    assert doc["subjects"][0]["members"] == ["local:payments", f"aws:{aws_moto.ACCOUNT}"]
    assert doc["summary"]["WAF-OPS-060"]["weakest"] == ["workload:payments"]
    assert [sr.subject.id for sr in _scan(workloads=workloads, by="subject", targets=()).subjects] == \
        ["local:payments", f"aws:{aws_moto.ACCOUNT}"]


def test_a_workload_spans_two_accounts_through_an_assumed_read_only_role(account: str) -> None:
    other = "210987654321"
    aws_moto.seed_level1()
    with aws_moto.in_account(other):
        aws_moto.seed_level4(account=other)
    workloads = parse([{"name": "payments", "aws_accounts": [aws_moto.ACCOUNT, other]}])
    result = _scan({"aws_assume_role": "WafopsReadOnly"}, workloads=workloads, by="both", targets=())
    by_id = {sr.subject.id: sr for sr in result.subjects}
    assert set(by_id) == {"workload:payments", f"aws:{aws_moto.ACCOUNT}", f"aws:{other}"}
    assert by_id[f"aws:{other}"].subject.meta["via_role"] == f"arn:aws:iam::{other}:role/WafopsReadOnly"
    assert _control(by_id[f"aws:{aws_moto.ACCOUNT}"], "WAF-OPS-040").level == 1
    assert _control(by_id[f"aws:{other}"], "WAF-OPS-040").level == 4
    alarms = {e.get("name"): e.locator.resource.split(":")[4] for e in by_id["workload:payments"].evidence
              if e.kind == "alert.rule"}
    assert alarms["web-cpu-high"] == aws_moto.ACCOUNT and alarms["payments-api-5xx"] == other
    # without the option the other account is refused, never scanned with the wrong credentials
    alone = _scan(targets=(f"aws:{other}",)).subjects[0]
    assert alone.sources["aws"].status is SourceState.DENIED and "aws_assume_role" in alone.sources["aws"].reason


def test_workload_config_is_checked(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from wafops.scanner.cli import main

    with pytest.raises(WorkloadError, match="did you mean 'aws_accounts'"):
        parse([{"name": "x", "aws_acounts": ["1"]}])
    with pytest.raises(WorkloadError, match="names no repository"):
        parse([{"name": "x"}])
    with pytest.raises(WorkloadError, match="declared twice"):
        parse([{"name": "x", "targets": ["a"]}, {"name": "x", "targets": ["b"]}])
    assert parse([{"name": "w", "aws_accounts": ["123", "aws:123"], "azure_subscriptions": ["s-1"]}])[0].targets == \
        ("aws:123", "azure:s-1")
    cfg = tmp_path / "wafops.yml"
    cfg.write_text("workloads:\n  - name: payments\n    repos: [.]\n")
    res = CliRunner().invoke(main, ["scan", str(tmp_path), "--config", str(cfg)])
    assert res.exit_code == 2 and "unknown key 'repos'" in res.output


def test_one_translation_per_resource_type() -> None:
    """A Terraform alarm, a CloudFormation alarm and a DescribeAlarms item become the same facts."""
    api = {"AlarmName": "api-burn", "AlarmDescription": "runbook: https://wiki.example.com/rb", "AlarmActions": ["arn:aws:sns:x"],
           "Metrics": aws_moto.burn_rate_metrics()}
    tf = {"alarm_name": "api-burn", "alarm_description": "runbook: https://wiki.example.com/rb", "alarm_actions": ["arn:aws:sns:x"],
          "metric_query": [{"id": m["Id"], "expression": m.get("Expression"),
                            **({"metric": [{"metric_name": m["MetricStat"]["Metric"]["MetricName"],
                                            "namespace": m["MetricStat"]["Metric"]["Namespace"],
                                            "period": m["MetricStat"]["Period"]}]} if "MetricStat" in m else {})}
                           for m in aws_moto.burn_rate_metrics()]}
    assert tr.cloudwatch_alarm(api) == tr.cloudwatch_alarm(tr.metric_alarm_from_terraform(tf))
    assert tr.cloudwatch_alarm(api)["windows"] == ["1h", "5m"]
    assert tr.ecs_service_strategy({"deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True,
                                                                                             "rollback": True}}}) == \
        {"tool": "ecs", "kind": "rolling", "analysis": False, "health_gate": True, "auto_rollback": True}
    assert re.fullmatch(r"\d+[mhd]", tr.window(86400) or "")


def test_without_region_every_enabled_region_is_scanned(account: str) -> None:
    from wafops.collectors.cloud.aws.collector import _regions

    regions = _regions(AwsReader(max_attempts=1), {}, "us-east-1")
    assert "us-east-1" in regions and "eu-central-1" in regions and len(regions) > 10
    assert _regions(AwsReader(max_attempts=1), {"aws_regions": ["eu-west-1", "us-east-1"]}, "eu-west-1") == \
        ["eu-west-1", "us-east-1"]
