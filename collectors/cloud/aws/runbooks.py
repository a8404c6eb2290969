"""SSM Automation documents owned by the account and their recent executions -> doc.automation;
OpsCenter OpsItems -> counted on the same evidence (incidents tracked in the account)."""

from __future__ import annotations

from datetime import timedelta

from wafops.collectors.cloud.aws.run import Area, AwsRun

AUTOMATION = Area("ssm-automation", "SSM Automation documents", ("runbook_automation",), ("WAF-OPS-060",))
EXECUTIONS = Area("ssm-executions", "SSM Automation executions", (), ("WAF-OPS-060",))


def collect(run: AwsRun) -> None:
    run.each_region(AUTOMATION, lambda r: _automation(run, r))


def _automation(run: AwsRun, region: str) -> None:
    docs = run.pages("ssm", region, "ListDocuments", "DocumentIdentifiers",
                     Filters=[{"Key": "Owner", "Values": ["Self"]}, {"Key": "DocumentType", "Values": ["Automation"]}])
    if not docs:
        return
    ran: dict[str, int] | None = {}

    def executions() -> None:
        since = run.ctx.now - timedelta(days=90)
        for e in run.pages("ssm", region, "DescribeAutomationExecutions", "AutomationExecutionMetadataList",
                           Filters=[{"Key": "StartTimeAfter", "Values": [since.strftime("%Y-%m-%dT%H:%M:%SZ")]}]):
            ran[str(e.get("DocumentName"))] = ran.get(str(e.get("DocumentName")), 0) + 1

    if not run.guard(EXECUTIONS, executions):
        ran = None  # the documents still count as executable runbooks; only their use is unknown
    for d in docs:
        name = str(d.get("Name"))
        n = None if ran is None else ran.get(name, 0)
        run.ev("doc.automation", run.arn("ssm", region, f"document/{name}"),
               {"tool": "ssm-automation", "name": name, "executions_90d": n, "region": region},
               f"SSM Automation runbook {name}" + (f" ({n} execution(s) in 90 days)" if n is not None else ""))
