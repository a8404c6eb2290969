"""Fake subscriptions: one near level 1 (alerts that notify nobody, nothing in code, changes by hand in the
portal) and one near level 4 (symptom alerts paging through PagerDuty with runbooks and a multi-window
burn-rate log alert, central logs, slots, policy with remediation, locks, IaC everywhere), and a bulk one
for the benchmark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.fake_azure import FakeArm
from tests.fake_azure.payloads import SubBuilder

LOW = "11111111-1111-4111-8111-111111111111"
HIGH = "44444444-4444-4444-8444-444444444444"
BULK = "55555555-5555-4555-8555-555555555555"
PORTAL = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"


def _events(b: SubBuilder, n: int, *, people: int, now: datetime) -> None:
    items = []
    for i in range(n):
        person = i < people
        items.append({
            "eventTimestamp": (now - timedelta(days=i % 20, hours=1)).isoformat().replace("+00:00", "Z"),
            "operationName": {"value": "Microsoft.Web/sites/write", "localizedValue": "Create or Update Web App"},
            "status": {"value": "Succeeded", "localizedValue": "Succeeded"},
            "caller": "alice@contoso.example" if person else "9a0c4b1e-2f3d-4c5b-8a6d-7e8f9a0b1c2d",
            "claims": {"appid": PORTAL if person else "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"},
            "resourceId": b.rid("rg-app", "Microsoft.Web/sites", "app"),
        })
    b.provider_list("Microsoft.Insights/eventtypes/management/values", *items)


def level1(fake: FakeArm, now: datetime | None = None) -> SubBuilder:
    now = now or datetime.now(UTC)
    b = SubBuilder(fake, LOW, "contoso-legacy")
    b.group("rg-app")
    site = b.resource("rg-app", "Microsoft.Web/sites", "app-legacy", kind="app")
    b.resource("rg-app", "Microsoft.Storage/storageAccounts", "stlegacydata", kind="StorageV2")
    b.resource("rg-app", "Microsoft.Compute/virtualMachines", "vm-batch")
    b.resource("rg-app", "Microsoft.Sql/servers", "sql-legacy")
    # alerts on causes only, and nobody is told
    b.metric_alert("rg-app", "vm-cpu-high", "Percentage CPU", scope_id=site["id"])
    b.metric_alert("rg-app", "vm-memory-low", "Available Memory Bytes", scope_id=site["id"])
    _events(b, 12, people=10, now=now)
    return b


def level4(fake: FakeArm, now: datetime | None = None) -> SubBuilder:
    now = now or datetime.now(UTC)
    b = SubBuilder(fake, HIGH, "contoso-shop-prod")
    tf = {"managed-by": "terraform"}
    b.group("rg-shop-prod", tf)
    b.group("rg-platform")
    site = b.resource("rg-shop-prod", "Microsoft.Web/sites", "shop-api", tf, kind="app,linux")
    kv = b.resource("rg-shop-prod", "Microsoft.KeyVault/vaults", "kv-shop", tf)
    st = b.resource("rg-platform", "Microsoft.Storage/storageAccounts", "sttfstate001", kind="StorageV2")
    law = b.resource("rg-platform", "Microsoft.OperationalInsights/workspaces", "law-central",
                     properties={"retentionInDays": 90, "sku": {"name": "PerGB2018"}})
    ai = b.resource("rg-shop-prod", "Microsoft.Insights/components", "ai-shop", tf, kind="web",
                    properties={"ApplicationId": "ai-shop", "Application_Type": "web", "SamplingPercentage": 50,
                                "WorkspaceResourceId": law["id"], "IngestionMode": "LogAnalytics"})
    app = b.resource("rg-shop-prod", "Microsoft.App/containerApps", "orders", tf, properties={
        "provisioningState": "Succeeded",
        "configuration": {"activeRevisionsMode": "Multiple", "ingress": {"external": True, "targetPort": 8080, "traffic": [
            {"revisionName": "orders--v41", "weight": 90}, {"revisionName": "orders--v42", "weight": 10, "label": "canary"}]}}})
    aa = b.resource("rg-platform", "Microsoft.Automation/automationAccounts", "aa-ops", properties={"state": "Ok"})
    afd = b.resource("rg-shop-prod", "Microsoft.Cdn/profiles", "afd-shop", tf, sku={"name": "Standard_AzureFrontDoor"})
    og = afd["id"] + "/originGroups/og-api"
    fake.add(afd["id"] + "/originGroups", {"id": og, "name": "og-api", "type": "Microsoft.Cdn/profiles/originGroups",
                                           "properties": {"healthProbeSettings": {"probePath": "/healthz"}}})
    fake.add(og + "/origins", *({"id": f"{og}/origins/{n}", "name": n, "type": "Microsoft.Cdn/profiles/originGroups/origins",
                                 "properties": {"hostName": f"{n}.shop.example", "priority": 1, "weight": w, "enabledState": "Enabled"}}
                                for n, w in (("blue", 900), ("green", 100))))
    b.provider_list("Microsoft.OperationalInsights/workspaces", law)
    b.provider_list("Microsoft.Insights/components", ai)
    b.provider_list("Microsoft.App/containerApps", app)
    b.provider_list("Microsoft.Automation/automationAccounts", aa)
    # deployments made the platform group's resources (ARM/Bicep)
    fake.add(f"{b.scope}/resourcegroups/rg-platform/providers/Microsoft.Resources/deployments", {
        "id": f"{b.scope}/resourceGroups/rg-platform/providers/Microsoft.Resources/deployments/platform-20261120",
        "name": "platform-20261120", "type": "Microsoft.Resources/deployments",
        "properties": {"provisioningState": "Succeeded", "timestamp": (now - timedelta(days=12)).isoformat(),
                       "duration": "PT1M35S", "correlationId": "c0ffee00-0000-4000-8000-000000000001", "mode": "Incremental",
                       "templateLink": {"uri": "https://example.invalid/platform.json", "contentVersion": "1.0.0.0"},
                       "providers": [], "dependencies": [],
                       "outputResources": [{"id": st["id"]}, {"id": law["id"]}, {"id": aa["id"]}]}})
    # slot with health check and traffic routing
    fake.add(site["id"] + "/slots", {"id": site["id"] + "/slots/staging", "name": "shop-api/staging",
                                     "type": "Microsoft.Web/sites/slots", "location": "westeurope",
                                     "properties": {"state": "Running"}})
    fake.put(site["id"] + "/config/web", {"id": site["id"] + "/config/web", "name": "web", "properties": {
        "healthCheckPath": "/healthz", "experiments": {"rampUpRules": [
            {"actionHostName": "shop-api-staging.azurewebsites.net", "reroutePercentage": 10, "name": "staging"}]}}})
    # diagnostic settings to the central workspace
    for r in (site, kv):
        fake.add(r["id"] + "/providers/Microsoft.Insights/diagnosticSettings", {
            "id": r["id"] + "/providers/microsoft.insights/diagnosticSettings/to-law", "name": "to-law",
            "type": "Microsoft.Insights/diagnosticSettings",
            "properties": {"workspaceId": law["id"], "logs": [{"categoryGroup": "allLogs", "enabled": True}],
                           "metrics": [{"category": "AllMetrics", "enabled": True}]}})
    fake.add(f"{b.scope}/providers/Microsoft.Insights/diagnosticSettings", {
        "id": f"{b.scope}/providers/microsoft.insights/diagnosticSettings/activity-to-law", "name": "activity-to-law",
        "properties": {"workspaceId": law["id"], "logs": [{"category": "Administrative", "enabled": True}]}})
    # Terraform state: a container, versioning and soft delete (blob content never read)
    fake.add(st["id"] + "/blobServices/default/containers", {"id": st["id"] + "/blobServices/default/containers/tfstate",
                                                              "name": "tfstate", "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
                                                              "properties": {"publicAccess": "None"}})
    fake.put(st["id"] + "/blobServices/default", {"id": st["id"] + "/blobServices/default", "name": "default", "properties": {
        "isVersioningEnabled": True, "deleteRetentionPolicy": {"enabled": True, "days": 30}}})
    # alerting: PagerDuty through an action group, symptom alerts with runbooks, a multi-window burn-rate log alert
    pager = b.action_group("rg-shop-prod", "ag-oncall", webhookReceivers=[{
        "name": "pagerduty", "serviceUri": "https://events.pagerduty.com/integration/REDACTED/enqueue",
        "useCommonAlertSchema": True}])
    b.action_group("rg-shop-prod", "ag-auto-restart", automationRunbookReceivers=[{
        "automationAccountId": aa["id"], "runbookName": "restart-shop-api", "name": "restart", "isGlobalRunbook": False,
        "webhookResourceId": aa["id"] + "/webhooks/alert-restart", "useCommonAlertSchema": True}])
    team = b.action_group("rg-shop-prod", "ag-shop-team", emailReceivers=[{
        "name": "team", "emailAddress": "shop-team@contoso.example", "status": "Enabled", "useCommonAlertSchema": True}])
    rb = "https://runbooks.contoso.example/shop-api"
    b.metric_alert("rg-shop-prod", "shop-api-5xx", "Http5xx", severity=1, actions=[pager, team], scope_id=site["id"],
                   description=f"HTTP 5xx errors on the shop API. Runbook: {rb}/5xx")
    b.metric_alert("rg-shop-prod", "shop-api-latency", "HttpResponseTime", severity=1, actions=[pager], scope_id=site["id"],
                   description=f"Slow responses. Runbook: {rb}/latency")
    b.log_alert("rg-shop-prod", "shop-api-slo-burn", severity=0, actions=[pager],
                description=f"Availability SLO 99.9 % burning fast. Runbook: {rb}/slo-burn",
                query="let slo = 0.999; let fast = requests | where timestamp > ago(5m) | summarize e = 1.0 * countif(success == false) / count(); "
                      "let slow = requests | where timestamp > ago(1h) | summarize e = 1.0 * countif(success == false) / count(); "
                      "fast | join kind=inner slow on $left.e == $right.e | where e > 14.4 * (1 - 0.999)")
    b.metric_alert("rg-shop-prod", "kv-saturation", "ServiceApiLatency", severity=3, actions=[team], scope_id=kv["id"],
                   description="Key Vault latency")
    b.service_health_alert("rg-shop-prod", "service-health", [team])
    b.provider_list("Microsoft.Insights/workbooks", {
        "id": b.rid("rg-shop-prod", "Microsoft.Insights/workbooks", "0d3c1e64-7b1a-4c39-9a6e-1f2a3b4c5d6e"),
        "name": "0d3c1e64-7b1a-4c39-9a6e-1f2a3b4c5d6e", "type": "Microsoft.Insights/workbooks", "kind": "shared",
        "properties": {"displayName": "Shop SLO and error budget", "category": "workbook",
                       "serializedData": '{"version":"Notebook/1.0","items":[{"type":1,"content":{"json":"## Error budget"}},'
                                         '{"type":3,"content":{"query":"requests | summarize rate=count(), errors=countif(success == false), '
                                         'p95=percentile(duration, 95)"}}]}'}})
    # guardrails and continuous compliance
    b.provider_list("Microsoft.Authorization/locks", {
        "id": f"{b.scope}/resourceGroups/rg-shop-prod/providers/Microsoft.Authorization/locks/no-console-writes",
        "name": "no-console-writes", "type": "Microsoft.Authorization/locks",
        "properties": {"level": "ReadOnly", "notes": "Changes go through the pipeline"}})
    b.provider_list("Microsoft.Authorization/policyAssignments", {
        "id": f"{b.scope}/providers/Microsoft.Authorization/policyAssignments/diag-to-law", "name": "diag-to-law",
        "type": "Microsoft.Authorization/policyAssignments", "location": "westeurope", "identity": {"type": "SystemAssigned"},
        "properties": {"displayName": "Deploy diagnostic settings to the central workspace", "enforcementMode": "Default",
                       "policyDefinitionId": "/providers/Microsoft.Authorization/policySetDefinitions/0884adba-2312-4468-abeb-5422caed1038"}})
    b.provider_list("Microsoft.PolicyInsights/remediations", {
        "id": f"{b.scope}/providers/Microsoft.PolicyInsights/remediations/diag-to-law-remediation",
        "name": "diag-to-law-remediation", "type": "Microsoft.PolicyInsights/remediations",
        "properties": {"policyAssignmentId": f"{b.scope}/providers/Microsoft.Authorization/policyAssignments/diag-to-law",
                       "provisioningState": "Succeeded", "resourceDiscoveryMode": "ExistingNonCompliant"}})
    fake.put(f"{b.scope}/providers/Microsoft.PolicyInsights/policyStates/latest/summarize", {"value": [{
        "results": {"nonCompliantResources": 2, "nonCompliantPolicies": 1},
        "policyAssignments": [{"policyAssignmentId": f"{b.scope}/providers/Microsoft.Authorization/policyAssignments/diag-to-law",
                               "results": {"nonCompliantResources": 2, "nonCompliantPolicies": 1}}]}]})
    # executable runbooks that ran
    fake.add(aa["id"] + "/runbooks", {"id": aa["id"] + "/runbooks/restart-shop-api", "name": "restart-shop-api",
                                      "type": "Microsoft.Automation/AutomationAccounts/Runbooks",
                                      "properties": {"runbookType": "PowerShell", "state": "Published"}})
    fake.add(aa["id"] + "/jobs", {"id": aa["id"] + "/jobs/6a1f", "name": "6a1f", "properties": {
        "runbook": {"name": "restart-shop-api"}, "status": "Completed",
        "startTime": (now - timedelta(days=3)).isoformat()}})
    _events(b, 40, people=1, now=now)
    return b


def bulk(fake: FakeArm, n: int = 5000, groups: int = 50) -> SubBuilder:
    """A large subscription: n resources over `groups` groups, a realistic mix of types, alerts and settings."""
    b = SubBuilder(fake, BULK, "contoso-estate")
    types = ["Microsoft.Web/sites", "Microsoft.Storage/storageAccounts", "Microsoft.Network/virtualNetworks",
             "Microsoft.Network/networkInterfaces", "Microsoft.Compute/virtualMachines", "Microsoft.Compute/disks",
             "Microsoft.KeyVault/vaults", "Microsoft.Sql/servers/databases", "Microsoft.Network/publicIPAddresses",
             "Microsoft.ManagedIdentity/userAssignedIdentities"]
    for g in range(groups):
        b.group(f"rg-{g:03d}", {"managed-by": "terraform"} if g % 2 == 0 else None)
    pager = b.action_group("rg-000", "ag-oncall", webhookReceivers=[{"name": "pd", "serviceUri": "https://events.pagerduty.com/x"}])
    for i in range(n):
        rg = f"rg-{i % groups:03d}"
        rtype = types[i % len(types)]
        r = b.resource(rg, rtype, f"res-{i:05d}")
        if rtype == "Microsoft.Web/sites" and i % 3 == 0:
            fake.add(r["id"] + "/slots", {"id": r["id"] + "/slots/staging", "name": f"res-{i:05d}/staging",
                                          "type": "Microsoft.Web/sites/slots"})
            fake.put(r["id"] + "/config/web", {"properties": {"healthCheckPath": "/health"}})
        if rtype in ("Microsoft.Web/sites", "Microsoft.KeyVault/vaults") and i % 2 == 0:
            fake.add(r["id"] + "/providers/Microsoft.Insights/diagnosticSettings", {
                "id": r["id"] + "/providers/microsoft.insights/diagnosticSettings/law", "name": "law",
                "properties": {"workspaceId": "/x/law", "logs": [{"categoryGroup": "allLogs", "enabled": True}]}})
        if i % 25 == 0:
            b.metric_alert(rg, f"alert-{i:05d}", "Http5xx" if i % 50 == 0 else "Percentage CPU", severity=1,
                           actions=[pager], scope_id=r["id"], description="Runbook: https://runbooks.example/x")
    return b
