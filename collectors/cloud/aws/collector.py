"""`aws` / `aws:ACCOUNT` targets and the AWS collector.

The resolver turns the target into one `account` subject (the account the standard credential chain
resolves to: environment, `AWS_PROFILE`/`--profile`, SSO, web identity). The collector reads each
service area (one module per area) in every requested region, or every region enabled for the
account, and never fails the scan: what could not be read is *not assessed*, with the reason.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wafops.collectors.base import CollectContext, Collector, TargetResolver
from wafops.collectors.cloud.aws import alerting, change, deploy, iac_drift, observability, runbooks
from wafops.collectors.cloud.aws.run import AwsRun
from wafops.collectors.cloud.aws.session import AreaError, AwsReader
from wafops.scanner.core.model import Evidence, SourceState, Subject

AREAS = (observability, alerting, deploy, iac_drift, runbooks, change)
OPTION_TYPES = {
    "aws_profile": "str",
    "aws_regions": "list",
    "aws_read_state": "bool",
    "aws_max_attempts": "int",
    "aws_console_days": "int",
    "aws_application_signals": "bool",
    "aws_assume_role": "str",
}

_readers: dict[str, AwsReader] = {}
_account_readers: dict[str, AwsReader] = {}  # account -> a reader on the role assumed in it (aws_assume_role)
_readers_lock = threading.Lock()
# tests and the benchmark may hand in their own reader factory (e.g. a session with extra event hooks)
reader_factory: Callable[[dict[str, Any]], AwsReader] | None = None


def reader_for(options: dict[str, Any]) -> AwsReader:
    if reader_factory is not None:
        return reader_factory(options)
    profile = str(options.get("aws_profile") or "")
    # one reader (and its clients) per profile, endpoint and retry budget for the life of the process
    key = f"{profile}|{os.environ.get('AWS_ENDPOINT_URL', '')}|{options.get('aws_max_attempts') or 5}"
    with _readers_lock:
        r = _readers.get(key)
        if r is None:
            r = AwsReader(profile or None, max_attempts=int(options.get("aws_max_attempts") or 5))
            _readers[key] = r
        return r


def _regions(reader: AwsReader, options: dict[str, Any], home: str) -> list[str]:
    wanted = [str(r) for r in (options.get("aws_regions") or []) if str(r)]
    if wanted:
        return wanted
    out = reader.call("ec2", home, "DescribeRegions")
    return sorted(r["RegionName"] for r in out.get("Regions") or [])


def _home(reader: AwsReader, options: dict[str, Any]) -> str:
    wanted = [str(r) for r in (options.get("aws_regions") or []) if str(r)]
    return (wanted[0] if wanted else None) or reader.session.region_name or "us-east-1"


def _assume(reader: AwsReader, home: str, account: str, role: str, caller_arn: str) -> str:
    """A reader on `role` in `account`, assumed from the base credentials (the organisation pattern: one read-only
    role per account). The temporary credentials stay in the reader; only the role ARN is kept on the subject."""
    import boto3

    partition = caller_arn.split(":")[1] if caller_arn.startswith("arn:") else "aws"
    arn = role if role.startswith("arn:") else f"arn:{partition}:iam::{account}:role/{role}"
    creds = reader.call("sts", home, "AssumeRole", RoleArn=arn, RoleSessionName="wafops-readonly",
                        DurationSeconds=3600)["Credentials"]
    session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                    aws_session_token=creds["SessionToken"], region_name=reader.session.region_name)
    assumed = AwsReader(session=session, max_attempts=reader.config.retries.get("max_attempts", 5), log=reader.log)
    got = str(assumed.call("sts", home, "GetCallerIdentity").get("Account"))
    if got != account:
        raise AreaError("sts:AssumeRole", home, "denied", f"the role {arn} belongs to account {got}, not {account}")
    with _readers_lock:
        _account_readers[account] = assumed
    return arn


class AwsResolver(TargetResolver):
    scheme = "aws"
    description = "an AWS account (standard credential chain; --profile, --region)"
    option_types = OPTION_TYPES

    def resolve(self, target: str, options: dict[str, Any], warn: Any) -> list[Subject]:
        wanted = target.partition(":")[2].strip()
        meta: dict[str, Any] = {"platform": "aws"}
        account = wanted or "unknown"
        try:
            reader = reader_for(options)
            home = _home(reader, options)
            ident = reader.call("sts", home, "GetCallerIdentity")
            account = str(ident.get("Account"))
            meta["caller"] = str(ident.get("Arn") or "")
            if wanted and wanted != account and options.get("aws_assume_role"):
                try:
                    meta["via_role"] = _assume(reader, home, wanted, str(options["aws_assume_role"]),
                                               str(ident.get("Arn") or ""))
                except AreaError as err:
                    meta["error"] = f"could not assume {options['aws_assume_role']} in account {wanted}: {err.reason}"
                account = wanted
            elif wanted and wanted != account:
                meta["error"] = (f"the credentials belong to account {account}, not {wanted} "
                                 "(use --profile or AWS_PROFILE for the account to scan, or --option "
                                 "aws_assume_role=ROLE to assume a read-only role in it)")
                account = wanted
        except AreaError as err:
            meta["error"] = f"no AWS identity could be established from the credential chain ({err.message})"
        except Exception as err:  # botocore ProfileNotFound, a bad config file
            meta["error"] = f"no AWS identity could be established from the credential chain ({type(err).__name__}, {err})"
        meta["account"] = account
        return [Subject(id=f"aws:{account}", kind="account", meta=meta)]


class AwsCollector(Collector):
    name = "aws"
    source = "aws"
    role = "cloud"
    description = ("AWS account, read-only: CloudWatch logs/alarms/dashboards, X-Ray, SNS and Incident Manager routing, "
                   "CodePipeline/CodeDeploy/ECS/Lambda rollouts, AppConfig flags, CloudFormation drift, AWS Config, "
                   "Terraform state buckets, SSM Automation, CloudTrail, SCPs")
    needs = "AWS credentials with the read-only policy of docs/aws-policy.json (aws or aws:ACCOUNT target)"
    controls = ("WAF-OPS-010", "WAF-OPS-020", "WAF-OPS-030", "WAF-OPS-040", "WAF-OPS-050", "WAF-OPS-060",
                "WAF-OPS-080", "WAF-OPS-090")
    option_types = OPTION_TYPES

    def applies(self, subject: Subject, ctx: CollectContext) -> bool:
        return subject.meta.get("platform") == "aws"

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        if subject.meta.get("error"):
            ctx.warn("aws", str(subject.meta["error"]))
            ctx.source_status("aws", SourceState.DENIED, str(subject.meta["error"]))
            return []
        reader = _account_readers.get(str(subject.meta.get("account"))) if subject.meta.get("via_role") else None
        reader = reader or reader_for(ctx.options)
        home = _home(reader, ctx.options)
        try:
            regions = _regions(reader, ctx.options, home)
        except AreaError as err:
            reason = f"the enabled regions could not be listed ({err.reason}); pass --region"
            ctx.warn("aws", reason)
            ctx.source_status("aws", SourceState.DENIED if err.kind == "denied" else SourceState.ERROR, reason)
            return []
        run = AwsRun(reader, ctx, str(subject.meta.get("account")), regions, dict(ctx.options))

        def one(area: Any) -> None:
            try:
                area.collect(run)
            except AreaError as err:  # a step outside run.guard: still never fatal
                ctx.warn("aws", f"{area.__name__.rsplit('.', 1)[-1]}: {err}")

        with ThreadPoolExecutor(max_workers=len(AREAS)) as pool:  # the areas are independent of each other
            list(pool.map(one, AREAS))
        run.finish()
        run.out.sort(key=lambda e: (e.kind, e.locator.resource or ""))  # the same order whatever finished first
        return run.out
