"""A moto server for the AWS tests and benchmark: real HTTP on 127.0.0.1 (AWS_ENDPOINT_URL), and the
accounts they scan, seeded through boto3 (the writes are the test's, never the scanner's)."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

ACCOUNT = "123456789012"
RUNBOOK_URL = "https://github.com/acme/payments/blob/main/docs/runbooks/api-errors.md"
ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
       "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_server() -> Iterator[str]:
    """A ThreadedMotoServer on a free port, with the environment pointing boto3 at it; yields the URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in [*ENV, "AWS_ENDPOINT_URL", "AWS_PROFILE"]}
    os.environ.update(ENV)
    os.environ["AWS_ENDPOINT_URL"] = url
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield url
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def reset(url: str) -> None:
    requests.post(f"{url}/moto-api/reset", timeout=10)


_session: Any = None  # the boto3 session seeding uses (None: the default one); see in_account()


def client(service: str, region: str = "us-east-1") -> Any:
    import boto3

    return (_session or boto3).client(service, region_name=region)


@contextmanager
def in_account(account: str, role: str = "WafopsReadOnly") -> Iterator[None]:
    """Seed another account of the same moto server: clients made inside use a role assumed in it."""
    import boto3

    global _session
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="seed")["Credentials"]
    saved, _session = _session, boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"], region_name="us-east-1")
    try:
        yield
    finally:
        _session = saved


def _alarm(cw: Any, name: str, metric: str, actions: list[str], description: str = "", **kw: Any) -> None:
    cw.put_metric_alarm(AlarmName=name, MetricName=metric, Namespace=kw.pop("Namespace", "AWS/ApplicationELB"),
                        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
                        ComparisonOperator="GreaterThanThreshold", AlarmActions=actions, AlarmDescription=description, **kw)


def seed_level1(region: str = "us-east-1") -> None:
    """An account run by hand: a CPU alarm that tells nobody, log groups that keep logs for ever."""
    cw, logs = client("cloudwatch", region), client("logs", region)
    _alarm(cw, "web-cpu-high", "CPUUtilization", [], Namespace="AWS/EC2")
    for name in ("/app/web", "/app/worker"):
        logs.create_log_group(logGroupName=name)


def burn_rate_metrics(objective: float = 0.999) -> list[dict[str, Any]]:
    """Metric math of a two-window burn-rate alarm: error ratio over 1 h and 5 min, against 14.4 x budget."""
    def stat(i: str, metric: str, period: int) -> dict[str, Any]:
        return {"Id": i, "ReturnData": False, "MetricStat": {"Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": metric},
                                                            "Period": period, "Stat": "Sum"}}
    return [stat("e1h", "HTTPCode_Target_5XX_Count", 3600), stat("r1h", "RequestCount", 3600),
            stat("e5m", "HTTPCode_Target_5XX_Count", 300), stat("r5m", "RequestCount", 300),
            {"Id": "burn", "ReturnData": True,
             "Expression": f"IF(e1h/r1h > 14.4*(1-{objective}) AND e5m/r5m > 14.4*(1-{objective}), 1, 0)"}]


def seed_level4(region: str = "us-east-1", runbook_url: str = RUNBOOK_URL, account: str = ACCOUNT) -> dict[str, str]:
    """An account run as code would run it: symptom alarms that page through PagerDuty and link a runbook,
    a multi-window burn-rate alarm, an error-budget dashboard, retention on every log group, X-Ray
    sampling, AWS Config with automatic remediation, SSM Automation runbooks, a CodeDeploy canary with
    automatic rollback, an ECS circuit breaker, a CodePipeline with a manual approval before production."""
    sns, cw, logs = client("sns", region), client("cloudwatch", region), client("logs", region)
    topic = sns.create_topic(Name="payments-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://events.pagerduty.com/integration/abc123/enqueue")
    chat = sns.create_topic(Name="payments-chat")["TopicArn"]
    sns.subscribe(TopicArn=chat, Protocol="email", Endpoint="team@example.com")
    _alarm(cw, "payments-api-5xx", "HTTPCode_Target_5XX_Count", [topic], f"Runbook: {runbook_url}")
    _alarm(cw, "payments-api-latency-p99", "TargetResponseTime", [topic], f"Runbook: {runbook_url}")
    cw.put_metric_alarm(AlarmName="payments-availability-burn-rate", Metrics=burn_rate_metrics(), EvaluationPeriods=1,
                        Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic],
                        AlarmDescription=f"SLO 99.9 % burn rate. Runbook: {runbook_url}")
    _alarm(cw, "payments-db-cpu", "CPUUtilization", [chat], Namespace="AWS/RDS")
    cw.put_dashboard(DashboardName="payments-slo", DashboardBody=json.dumps({"widgets": [
        {"type": "metric", "properties": {"title": "Error budget remaining", "metrics": [["AWS/ApplicationELB", "RequestCount"]]}},
        {"type": "metric", "properties": {"title": "Burn rate 1h / 5m", "metrics": [["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"]]}},
        {"type": "metric", "properties": {"title": "Latency p99", "metrics": [["AWS/ApplicationELB", "TargetResponseTime"]]}}]}))
    for name in ("/ecs/payments-api", "/aws/lambda/payments-worker"):
        logs.create_log_group(logGroupName=name)
        logs.put_retention_policy(logGroupName=name, retentionInDays=90)
    cfg = client("config", region)
    cfg.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{account}:role/config",
                                                          "recordingGroup": {"allSupported": True}})
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"})
    client("s3", region).create_bucket(Bucket="config-bucket")
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    cfg.put_config_rule(ConfigRule={"ConfigRuleName": "s3-bucket-versioning-enabled",
                                    "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    ssm = client("ssm", region)
    ssm.create_document(Name="payments-restart-api", DocumentType="Automation", DocumentFormat="YAML", Content=(
        "schemaVersion: '0.3'\ndescription: Restart the payments API tasks\nmainSteps:\n"
        "  - name: restart\n    action: aws:executeAwsApi\n    inputs: {Service: ecs, Api: UpdateService, "
        "cluster: payments, service: api, forceNewDeployment: true}\n"))
    cd = client("codedeploy", region)
    cd.create_application(applicationName="payments", computePlatform="Lambda")
    cd.create_deployment_group(applicationName="payments", deploymentGroupName="payments-worker",
                               serviceRoleArn=f"arn:aws:iam::{account}:role/codedeploy",
                               deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes",
                               autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE",
                                                                                      "DEPLOYMENT_STOP_ON_ALARM"]},
                               alarmConfiguration={"enabled": True, "alarms": [{"name": "payments-api-5xx"}]})
    ecs = client("ecs", region)
    ecs.create_cluster(clusterName="payments")
    ecs.register_task_definition(family="api", containerDefinitions=[{"name": "api", "image": "nginx", "memory": 256}])
    ecs.create_service(cluster="payments", serviceName="api", taskDefinition="api", desiredCount=1,
                       deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True},
                                                "maximumPercent": 200, "minimumHealthyPercent": 100})
    iam = client("iam", region)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "codepipeline.amazonaws.com"}}]}
    try:
        iam.create_role(RoleName="codepipeline", AssumeRolePolicyDocument=json.dumps(trust))
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    cp = client("codepipeline", region)
    cp.create_pipeline(pipeline={
        "name": "payments", "roleArn": f"arn:aws:iam::{account}:role/codepipeline",
        "artifactStore": {"type": "S3", "location": "config-bucket"},
        "stages": [
            {"name": "Source", "actions": [{"name": "src", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3",
                                                                            "version": "1"},
                                            "configuration": {"S3Bucket": "config-bucket", "S3ObjectKey": "src.zip"},
                                            "outputArtifacts": [{"name": "src"}]}]},
            {"name": "Build", "actions": [{"name": "build", "actionTypeId": {"category": "Build", "owner": "AWS",
                                                                             "provider": "CodeBuild", "version": "1"},
                                           "configuration": {"ProjectName": "payments"}, "inputArtifacts": [{"name": "src"}]}]},
            {"name": "Approve", "actions": [{"name": "approve", "actionTypeId": {"category": "Approval", "owner": "AWS",
                                                                                 "provider": "Manual", "version": "1"}}]},
            {"name": "production", "actions": [{"name": "deploy", "actionTypeId": {"category": "Deploy", "owner": "AWS",
                                                                                   "provider": "CodeDeploy", "version": "1"},
                                                "configuration": {"ApplicationName": "payments"},
                                                "inputArtifacts": [{"name": "src"}]}]}]})
    return {"topic": topic}
