"""CloudFormation stacks and their drift status, AWS Config (recorder, rules, remediation), Terraform
state buckets in S3 with their lock table, and - opt-in (`aws_read_state=true`) - the share of the
account's inventory that IaC manages.

Terraform state is read only when the user opts in, into memory, and only the resource addresses and
identifiers are kept; the state itself (which may hold secrets) is never written, logged or reported.
"""

from __future__ import annotations

import json
import re
from typing import Any

from wafops.collectors.cloud.aws.run import Area, AwsRun
from wafops.scanner.core.model import Strength

STACKS = Area("cloudformation", "CloudFormation stacks", ("iac_code_present", "iac_remote_state"), ("WAF-OPS-020",))
CONFIG = Area("config", "AWS Config recorder, rules and remediation",
              ("config_compliance_service", "drift_auto_remediation", "drift_job_scheduled"), ("WAF-OPS-090",))
REMEDIATION = Area("config-remediation", "AWS Config remediation configurations", ("drift_auto_remediation",),
                   ("WAF-OPS-090", "WAF-OPS-020"))
STATE = Area("tf-state", "Terraform state buckets and lock tables", ("iac_remote_state", "iac_state_locking"),
             ("WAF-OPS-020",))
COVERAGE = Area("coverage", "IaC coverage (state versus inventory)", ("iac_prod_coverage",), ("WAF-OPS-020",))

STATE_BUCKET = re.compile(r"(?i)(tf-?state|terraform|tfstate|state)")
LOCK_TABLE = re.compile(r"(?i)(lock|terraform|tfstate|tf-state)")
MAX_STATE_OBJECTS = 200
LIVE_STACK = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
              "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "IMPORT_ROLLBACK_COMPLETE"}


def collect(run: AwsRun) -> None:
    managed: set[str] = set()
    run.each_region(STACKS, lambda r: _stacks(run, r, managed))
    run.each_region(CONFIG, lambda r: _config(run, r))
    states: list[tuple[str, str]] = []
    run.once(STATE, lambda r: states.extend(_state_buckets(run, r)))
    if not run.options.get("aws_read_state"):
        _not_measured(run, "Terraform state was not read (opt in with --option aws_read_state=true)")
        return
    if not states and not managed:
        _not_measured(run, "no Terraform state bucket or CloudFormation stack in the account to compare the inventory "
                           "with (state kept elsewhere, e.g. HCP Terraform or another account, is not read)")
        return
    if run.guard(STATE, lambda: managed.update(_state_resources(run, states))):
        inventory: list[str] = []
        run.each_region(COVERAGE, lambda r: inventory.extend(_inventory(run, r)))
        if COVERAGE.name not in run.errors and inventory:
            hit = [a for a in inventory if a in managed or a.rsplit("/", 1)[-1] in managed
                   or a.rsplit(":", 1)[-1] in managed]
            ratio = round(len(hit) / len(inventory), 4)
            run.ev("iac.coverage", f"arn:{run.partition}:iam::{run.account}:root",
                   {"scope": f"aws:{run.account}", "ratio": ratio, "managed": len(hit), "inventory": len(inventory),
                    "unmanaged_examples": sorted(set(inventory) - set(hit))[:10]},
                   f"IaC manages {len(hit)} of {len(inventory)} tagged resources ({round(ratio * 100)} %)")


def _not_measured(run: AwsRun, why: str) -> None:
    """IaC coverage cannot be measured: not assessed (never 'not met'), with the reason."""
    from wafops.collectors.cloud.aws.session import AreaError

    with run.lock:
        run.areas[COVERAGE.name] = COVERAGE
        run.errors.setdefault(COVERAGE.name, []).append(AreaError("s3:GetObject", run.home, "not_read", why))


def _stacks(run: AwsRun, region: str, managed: set[str]) -> None:
    stacks = [s for s in run.pages("cloudformation", region, "ListStacks", "StackSummaries") if s.get("StackStatus") in LIVE_STACK]
    checked = []
    for s in stacks:
        name = str(s.get("StackName"))
        drift = (s.get("DriftInformation") or {}).get("StackDriftStatus") or "NOT_CHECKED"
        run.ev("iac.code", str(s.get("StackId")), {"tool": "cloudformation", "dir": f"stack:{name}", "files": 0,
                                                   "resources": None, "role": "root", "drift_status": drift, "region": region},
               f"CloudFormation stack {name} ({region}), drift {drift}", Strength.STRONG)
        if drift != "NOT_CHECKED":
            checked.append(name)
        if run.options.get("aws_read_state"):
            for r in run.pages("cloudformation", region, "ListStackResources", "StackResourceSummaries", StackName=name):
                if r.get("PhysicalResourceId"):
                    managed.add(str(r["PhysicalResourceId"]))
        else:
            managed.add(name)
    if checked:
        run.ev("drift.tool", run.arn("cloudformation", region, "stack/*"), {
            "tool": "cloudformation-drift", "automated_remediation": False, "schedule": None, "stacks": len(checked)},
            f"CloudFormation drift detection has run on {len(checked)} stack(s) in {region}")


def _config(run: AwsRun, region: str) -> None:
    recorders = run.call("config", region, "DescribeConfigurationRecorders").get("ConfigurationRecorders") or []
    if not recorders:
        return
    status = run.call("config", region, "DescribeConfigurationRecorderStatus").get("ConfigurationRecordersStatus") or []
    recording = any(s.get("recording") for s in status)
    for rec in recorders:
        name = str(rec.get("name"))
        arn = str(rec.get("arn") or run.arn("config", region, f"configuration-recorder/{name}"))
        run.ev("iac.resource", arn, {"type": "aws_config_configuration_recorder_status", "name": name, "tool": "aws-api",
                                     "body": {}, "facts": {"is_enabled": recording}},
               f"AWS Config recorder {name} ({region}) {'recording' if recording else 'stopped'}")
        if recording:
            run.ev("drift.tool", arn, {"tool": "aws-config", "automated_remediation": False, "schedule": "continuous"},
                   f"AWS Config records configuration changes in {region}")
    rules = run.pages("config", region, "DescribeConfigRules", "ConfigRules")
    for r in rules:
        run.ev("iac.resource", str(r.get("ConfigRuleArn")), {"type": "AWS::Config::ConfigRule", "name": str(r.get("ConfigRuleName")),
                                                             "tool": "aws-api", "body": {}, "facts": {}},
               f"AWS Config rule {r.get('ConfigRuleName')} ({region})")
    names = [str(r.get("ConfigRuleName")) for r in rules]
    run.guard(REMEDIATION, lambda: _remediation(run, region, names))


def _remediation(run: AwsRun, region: str, names: list[str]) -> None:
    for i in range(0, len(names), 25):
        rems = run.call("config", region, "DescribeRemediationConfigurations",
                        ConfigRuleNames=names[i:i + 25]).get("RemediationConfigurations") or []
        for rem in rems:
            if rem.get("Automatic"):
                run.ev("drift.tool", str(rem.get("Arn") or run.arn("config", region, f"remediation/{rem.get('ConfigRuleName')}")),
                       {"tool": "aws-config", "automated_remediation": True, "schedule": "continuous",
                        "rule": rem.get("ConfigRuleName"), "target": rem.get("TargetId")},
                       f"AWS Config remediates {rem.get('ConfigRuleName')} automatically ({rem.get('TargetId')})")


def _state_buckets(run: AwsRun, region: str) -> list[tuple[str, str]]:
    """(bucket, key) of Terraform state objects; one iac.backend per state bucket."""
    buckets = [str(b["Name"]) for b in run.call("s3", region, "ListBuckets").get("Buckets") or []]
    tables = [t for t in run.pages("dynamodb", region, "ListTables", "TableNames") if LOCK_TABLE.search(t)]
    lock_tables = []
    for t in tables:
        schema = (run.call("dynamodb", region, "DescribeTable", TableName=t).get("Table") or {}).get("KeySchema") or []
        if any(k.get("AttributeName") == "LockID" for k in schema):
            lock_tables.append(t)
    out: list[tuple[str, str]] = []
    for b in buckets:
        if not STATE_BUCKET.search(b):
            continue
        bregion = run.call("s3", region, "GetBucketLocation", Bucket=b).get("LocationConstraint") or "us-east-1"
        keys = [str(o["Key"]) for o in run.pages("s3", bregion, "ListObjectsV2", "Contents", Bucket=b)[:5000]]
        states = [k for k in keys if k.endswith(".tfstate")]
        if not states:
            continue
        native_lock = any(k.endswith(".tflock") for k in keys)
        versioning = run.call("s3", bregion, "GetBucketVersioning", Bucket=b).get("Status") == "Enabled"
        encryption = _optional(run, bregion, "GetBucketEncryption", b, "ServerSideEncryptionConfiguration")
        public = _optional(run, bregion, "GetPublicAccessBlock", b, "PublicAccessBlockConfiguration")
        blocked = bool(public) and all(public.get(k) for k in ("BlockPublicAcls", "IgnorePublicAcls",
                                                               "BlockPublicPolicy", "RestrictPublicBuckets"))
        lock = "dynamodb_table" if lock_tables else "use_lockfile" if native_lock else "unknown"
        run.ev("iac.backend", f"arn:{run.partition}:s3:::{b}", {
            "type": "s3", "locking": True if lock != "unknown" else None, "lock": lock, "dir": f"s3://{b}",
            "tool": "terraform", "states": len(states), "versioning": versioning, "encryption": bool(encryption),
            "public_access_blocked": blocked, "lock_tables": lock_tables[:5]},
            f"Terraform state bucket {b}: {len(states)} state(s), versioning {'on' if versioning else 'off'}, "
            f"encryption {'on' if encryption else 'off'}, lock {lock}")
        out.extend((b, k) for k in states[:MAX_STATE_OBJECTS])
    return out


def _optional(run: AwsRun, region: str, op: str, bucket: str, key: str) -> dict[str, Any]:
    from wafops.collectors.cloud.aws.session import AreaError

    try:
        return run.call("s3", region, op, Bucket=bucket).get(key) or {}
    except AreaError as err:
        if err.kind == "error":  # ServerSideEncryptionConfigurationNotFoundError, NoSuchPublicAccessBlockConfiguration
            return {}
        raise


def _state_resources(run: AwsRun, states: list[tuple[str, str]]) -> set[str]:
    """ARNs and ids of the resources the Terraform states manage. The state bytes stay in this function."""
    out: set[str] = set()
    for bucket, key in states:
        body = run.call("s3", run.home, "GetObject", Bucket=bucket, Key=key)["Body"]
        try:
            doc = json.loads(body.read())
        except ValueError:
            continue
        finally:
            body.close()
        for res in doc.get("resources") or []:
            if res.get("mode") != "managed":
                continue
            for inst in res.get("instances") or []:
                attrs = inst.get("attributes") or {}
                for k in ("arn", "id", "bucket", "name"):
                    v = attrs.get(k)
                    if isinstance(v, str) and v:
                        out.add(v)
        del doc
    return out


def _inventory(run: AwsRun, region: str) -> list[str]:
    return [str(r["ResourceARN"]) for r in run.pages("resourcegroupstaggingapi", region, "GetResources",
                                                     "ResourceTagMappingList")]
