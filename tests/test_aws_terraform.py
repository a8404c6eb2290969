"""A real Terraform stack applied to moto, then scanned: state backend and IaC coverage from the account.

Terraform 1.11 with the hashicorp/aws provider from a filesystem mirror (no network) applies a small
stack to a moto server through an S3 backend with a DynamoDB lock table; then a bucket is made by hand
(behind Terraform's back) and the log group's retention is changed in the console's place. The scan
must report the state bucket (versioning, encryption, lock table) and an IaC coverage below 100 % that
names the hand-made bucket - reading the state in memory only.

Slow by nature: the provider binary starts four times (schema, validate, plan, apply), ~20 s each here.

Skipped when terraform or the provider mirror is missing, unless WAFOPS_REQUIRE_TERRAFORM=1 (CI), where a
missing toolchain is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("boto3")
pytest.importorskip("moto")

from wafops.scanner.core.model import Outcome  # noqa: E402
from wafops.scanner.engine import ScanOptions, scan  # noqa: E402

from tests import aws_moto  # noqa: E402

MIRROR = Path(os.environ.get("WAFOPS_TF_MIRROR", "/opt/tf-plugins"))
SERVICES = ("s3", "dynamodb", "sts", "iam", "sns", "cloudwatch", "logs")

STACK = """
terraform {
  backend "s3" {
    bucket                      = "acme-tfstate"
    key                         = "payments/terraform.tfstate"
    region                      = "us-east-1"
    dynamodb_table              = "terraform-locks"
    encrypt                     = true
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    endpoints = { %(backend_endpoints)s }
  }
}

provider "aws" {
  region                      = "us-east-1"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  max_retries                 = 1
  endpoints {
%(provider_endpoints)s  }
  default_tags {
    tags = { team = "payments", managed_by = "terraform" }
  }
}

resource "aws_s3_bucket" "artifacts" { bucket = "payments-artifacts" }
resource "aws_s3_bucket" "reports" { bucket = "payments-reports" }
resource "aws_sns_topic" "oncall" { name = "payments-oncall" }
resource "aws_cloudwatch_log_group" "api" {
  name              = "/ecs/payments-api"
  retention_in_days = 30
}
resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "payments-api-5xx"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.oncall.arn]
  alarm_description   = "Runbook: https://github.com/acme/payments/blob/main/docs/runbooks/api-errors.md"
}
"""


def _toolchain() -> str:
    exe = shutil.which("terraform") or ("/usr/local/bin/terraform" if Path("/usr/local/bin/terraform").exists() else None)
    reason = None
    if not exe:
        reason = "terraform binary not found on PATH"
    elif not (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        reason = "provider mirror with hashicorp/aws not found (set WAFOPS_TF_MIRROR)"
    if reason:
        if os.environ.get("WAFOPS_REQUIRE_TERRAFORM") == "1":
            pytest.fail(f"WAFOPS_REQUIRE_TERRAFORM=1 but {reason}")
        pytest.skip(reason)
    return exe  # type: ignore[return-value]


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Any:
    exe = _toolchain()
    with aws_moto.moto_server() as url:
        s3 = aws_moto.client("s3")
        s3.create_bucket(Bucket="acme-tfstate")
        s3.put_bucket_versioning(Bucket="acme-tfstate", VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_encryption(Bucket="acme-tfstate", ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        s3.put_public_access_block(Bucket="acme-tfstate", PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        aws_moto.client("dynamodb").create_table(
            TableName="terraform-locks", KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        work = tmp_path_factory.mktemp("tfstack")
        (work / "main.tf").write_text(STACK % {
            "backend_endpoints": ", ".join(f'{s} = "{url}"' for s in ("s3", "dynamodb", "sts", "iam")),
            "provider_endpoints": "".join(f'    {s} = "{url}"\n' for s in SERVICES)})
        rc = work / "terraform.rc"
        rc.write_text("provider_installation {\n"
                      f'  filesystem_mirror {{\n    path    = "{MIRROR}"\n    include = ["registry.terraform.io/*/*"]\n  }}\n'
                      '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n')
        env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
        env.pop("TF_PLUGIN_CACHE_DIR", None)
        for cmd in (["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]):
            out = subprocess.run([exe, *cmd], cwd=work, env=env, capture_output=True, text=True, timeout=300)
            assert out.returncode == 0, f"terraform {cmd[0]} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
        # behind Terraform's back: a bucket made by hand, and the retention changed by hand
        s3.create_bucket(Bucket="payments-clickops")
        s3.put_bucket_tagging(Bucket="payments-clickops", Tagging={"TagSet": [{"Key": "team", "Value": "payments"}]})
        aws_moto.client("logs").put_retention_policy(logGroupName="/ecs/payments-api", retentionInDays=7)
        yield work


def _scan(read_state: bool) -> Any:
    opts = {"aws_regions": ["us-east-1"], "aws_max_attempts": 1, "aws_read_state": read_state}
    return scan(["aws"], ScanOptions(collector_options=opts, jobs=1)).subjects[0]


def test_state_backend_and_lock_table_from_the_account(applied: Path) -> None:
    sr = _scan(read_state=False)
    backend = [e for e in sr.evidence if e.kind == "iac.backend"]
    assert len(backend) == 1, backend
    b = backend[0]
    assert (b.source, b.locator.resource) == ("aws", "arn:aws:s3:::acme-tfstate")
    assert {k: b.get(k) for k in ("type", "locking", "lock", "versioning", "encryption", "public_access_blocked", "states")} == \
        {"type": "s3", "locking": True, "lock": "dynamodb_table", "versioning": True, "encryption": True,
         "public_access_blocked": True, "states": 1}
    assert b.get("lock_tables") == ["terraform-locks"]
    # the alarm Terraform made is read live, the same as the repository collector reads it from main.tf
    alarm = next(e for e in sr.evidence if e.kind == "alert.rule")
    assert (alarm.get("name"), alarm.get("signal"), alarm.get("notifies")) == ("payments-api-5xx", "symptom", True)
    retention = {e.get("name"): e.get("days") for e in sr.evidence if e.kind == "obs.log_retention"}
    assert retention["/ecs/payments-api"] == 7  # the hand-made change, not what the code says


def test_iac_coverage_names_what_was_made_by_hand(applied: Path) -> None:
    sr = _scan(read_state=True)
    cov = [e for e in sr.evidence if e.kind == "iac.coverage"]
    assert len(cov) == 1
    c = cov[0]
    assert c.get("scope") == f"aws:{aws_moto.ACCOUNT}" and 0 < c.get("ratio") < 1
    assert "arn:aws:s3:::payments-clickops" in c.get("unmanaged_examples")
    assert not any("payments-artifacts" in a or "payments-reports" in a for a in c.get("unmanaged_examples"))
    crit = next(cr for ctl in sr.controls if ctl.id == "WAF-OPS-020" for cr in ctl.criteria if cr.id == "ops020-full-coverage")
    assert crit.status is Outcome.NOT_MET and "lowest IaC coverage" in crit.reason
    # the state was read, and nothing of it is in the evidence beyond identifiers
    assert "payments/terraform.tfstate" not in json.dumps([e.attributes for e in sr.evidence])
