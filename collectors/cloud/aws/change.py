"""CloudTrail trails and console write events made by people, and SCPs where Organizations is readable
-> cloud.trail, change.console_write, and iac.resource `AWS::Organizations::Policy` (what the SCP probes
read for SCPs declared in code)."""

from __future__ import annotations

import json
from datetime import timedelta

from wafops.collectors.cloud.aws.run import Area, AwsRun
from wafops.collectors.cloud.aws.session import READ_VERBS

TRAILS = Area("cloudtrail", "CloudTrail trails and console events", (), ("WAF-OPS-020", "WAF-OPS-050"))
SCPS = Area("organizations", "Organizations service control policies", ("iac_console_guardrail",), ("WAF-OPS-020",))
MAX_EVENTS = 500


def collect(run: AwsRun) -> None:
    run.once(TRAILS, lambda r: _trails(run, r))
    run.once(SCPS, lambda r: _scps(run, r))


def _trails(run: AwsRun, region: str) -> None:
    trails = run.call("cloudtrail", region, "DescribeTrails").get("trailList") or []
    for t in trails:
        run.ev("cloud.trail", str(t.get("TrailARN")), {"name": str(t.get("Name")), "multi_region": bool(t.get("IsMultiRegionTrail")),
                                                       "organization": bool(t.get("IsOrganizationTrail"))},
               f"CloudTrail trail {t.get('Name')}" + (" (all regions)" if t.get("IsMultiRegionTrail") else ""))
    days = int(run.options.get("aws_console_days") or 30)
    start = run.ctx.now - timedelta(days=days)
    events = run.pages("cloudtrail", region, "LookupEvents", "Events", StartTime=start, EndTime=run.ctx.now,
                       LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "false"}],
                       PaginationConfig={"MaxItems": MAX_EVENTS})
    people = []
    for e in events:
        try:
            detail = json.loads(e.get("CloudTrailEvent") or "{}")
        except ValueError:
            detail = {}
        ident = detail.get("userIdentity") or {}
        console = detail.get("sessionCredentialFromConsole") == "true" or str(detail.get("userAgent") or "").startswith(
            ("console.amazonaws.com", "AWS Internal"))
        if console and ident.get("type") in ("IAMUser", "AssumedRole", "Root") and not READ_VERBS.match(str(e.get("EventName"))):
            people.append(e)
    run.ev("change.console_write", f"arn:{run.partition}:cloudtrail:{region}:{run.account}:*",
           {"window_days": days, "events": len(people), "sampled": len(events),
            "names": sorted({str(e.get("EventName")) for e in people})[:20]},
           f"{len(people)} console write(s) by people in {days} days (of {len(events)} write events read)")


def _scps(run: AwsRun, region: str) -> None:
    roots = [r["Id"] for r in run.pages("organizations", region, "ListRoots", "Roots")]
    for p in run.pages("organizations", region, "ListPolicies", "Policies", Filter="SERVICE_CONTROL_POLICY"):
        if p.get("AwsManaged"):
            continue
        content = (run.call("organizations", region, "DescribePolicy", PolicyId=p["Id"]).get("Policy") or {}).get("Content") or "{}"
        try:
            stmts = json.loads(content).get("Statement") or []
        except ValueError:
            stmts = []
        stmts = stmts if isinstance(stmts, list) else [stmts]
        deny = any(str(s.get("Effect")).lower() == "deny" for s in stmts if isinstance(s, dict))
        targets = [t["TargetId"] for t in run.pages("organizations", region, "ListTargetsForPolicy", "Targets", PolicyId=p["Id"])]
        run.ev("iac.resource", str(p.get("Arn")), {
            "type": "AWS::Organizations::Policy", "name": str(p.get("Name")), "tool": "aws-api", "body": {},
            "facts": {"policy_type": "SERVICE_CONTROL_POLICY", "deny": deny, "targets_root": any(t in roots for t in targets)}},
            f"SCP {p.get('Name')}" + (" denies actions" if deny else "") + (" at the organization root" if
                                                                           any(t in roots for t in targets) else ""))
