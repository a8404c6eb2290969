"""Payloads for the fake ARM endpoint, written for these tests in the shapes of Azure's published REST API
examples (the `x-ms-examples` of the Azure REST API specifications): `{"value": [...], "nextLink": ...}` lists
whose items carry `id`, `name`, `type`, `location`, `tags` and `properties`. No example file is copied."""

from __future__ import annotations

from typing import Any

from tests.fake_azure import FakeArm


class SubBuilder:
    """Builds one subscription in the fake: its groups, resources, and what each provider lists."""

    def __init__(self, fake: FakeArm, sub_id: str, name: str) -> None:
        self.fake, self.id, self.name = fake, sub_id, name
        self.scope = f"/subscriptions/{sub_id}"
        fake.put(self.scope, {"id": self.scope, "subscriptionId": sub_id, "displayName": name, "state": "Enabled",
                              "tenantId": "72f988bf-0000-0000-0000-2d7cd011db47"})
        fake.add("/subscriptions", {"id": self.scope, "subscriptionId": sub_id, "displayName": name, "state": "Enabled"})
        # every list exists (empty) even when nothing is added
        for p in ("resources", "resourcegroups"):
            fake.lists.setdefault(f"{self.scope}/{p}".lower(), [])

    def rid(self, rg: str, rtype: str, name: str) -> str:
        return f"{self.scope}/resourceGroups/{rg}/providers/{rtype}/{name}"

    def group(self, name: str, tags: dict[str, str] | None = None) -> str:
        gid = f"{self.scope}/resourceGroups/{name}"
        self.fake.add(f"{self.scope}/resourcegroups", {"id": gid, "name": name, "type": "Microsoft.Resources/resourceGroups",
                                                       "location": "westeurope", "tags": tags or {},
                                                       "properties": {"provisioningState": "Succeeded"}})
        return gid

    def resource(self, rg: str, rtype: str, name: str, tags: dict[str, str] | None = None,
                 properties: dict[str, Any] | None = None, inventory: bool = True, **extra: Any) -> dict[str, Any]:
        item = {"id": self.rid(rg, rtype, name), "name": name, "type": rtype, "location": "westeurope",
                "tags": tags or {}, **extra}
        if inventory:
            self.fake.add(f"{self.scope}/resources", {k: v for k, v in item.items()})
        if properties is not None:
            item["properties"] = properties
        return item

    def provider_list(self, ns_type: str, *items: dict[str, Any]) -> None:
        """GET /subscriptions/{id}/providers/{Namespace}/{type}: the subscription-wide list of a provider."""
        self.fake.add(f"{self.scope}/providers/{ns_type}", *items)

    # ---- alerting --------------------------------------------------------------------------------------
    def action_group(self, rg: str, name: str, **receivers: list[dict[str, Any]]) -> str:
        props: dict[str, Any] = {"groupShortName": name[:12], "enabled": True, "emailReceivers": [], "smsReceivers": [],
                                 "webhookReceivers": [], "itsmReceivers": [], "azureAppPushReceivers": [],
                                 "automationRunbookReceivers": [], "voiceReceivers": [], "logicAppReceivers": [],
                                 "azureFunctionReceivers": [], "armRoleReceivers": [], "eventHubReceivers": []}
        props.update(receivers)
        item = self.resource(rg, "Microsoft.Insights/actionGroups", name, properties=props)
        item["location"] = "Global"
        self.provider_list("Microsoft.Insights/actionGroups", item)
        return item["id"]

    def metric_alert(self, rg: str, name: str, metric: str, *, severity: int = 3, actions: list[str] = (),
                     description: str = "", dynamic: bool = False, scope_id: str = "", window: str = "PT5M") -> None:
        crit = ({"criterionType": "DynamicThresholdCriterion", "name": "c1", "metricName": metric, "operator": "GreaterOrLessThan",
                 "alertSensitivity": "Medium", "failingPeriods": {"numberOfEvaluationPeriods": 4, "minFailingPeriodsToAlert": 4},
                 "timeAggregation": "Average", "dimensions": []} if dynamic else
                {"criterionType": "StaticThresholdCriterion", "name": "c1", "metricName": metric, "dimensions": [],
                 "operator": "GreaterThan", "threshold": 80.5, "timeAggregation": "Average"})
        item = self.resource(rg, "Microsoft.Insights/metricAlerts", name, properties={
            "description": description, "severity": severity, "enabled": True, "scopes": [scope_id or self.scope],
            "evaluationFrequency": "PT1M", "windowSize": window,
            "criteria": {"odata.type": "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria", "allOf": [crit]},
            "actions": [{"actionGroupId": a, "webHookProperties": {}} for a in actions]})
        item["location"] = "global"
        self.provider_list("Microsoft.Insights/metricAlerts", item)

    def log_alert(self, rg: str, name: str, query: str, *, severity: int = 2, actions: list[str] = (),
                  description: str = "", window: str = "PT1H") -> None:
        item = self.resource(rg, "Microsoft.Insights/scheduledQueryRules", name, kind="LogAlert", properties={
            "displayName": name, "description": description, "severity": severity, "enabled": True,
            "evaluationFrequency": "PT5M", "scopes": [self.scope], "windowSize": window,
            "criteria": {"allOf": [{"query": query, "timeAggregation": "Count", "operator": "GreaterThan", "threshold": 0,
                                    "failingPeriods": {"numberOfEvaluationPeriods": 1, "minFailingPeriodsToAlert": 1}}]},
            "autoMitigate": True, "actions": {"actionGroups": list(actions), "customProperties": {}}})
        self.provider_list("Microsoft.Insights/scheduledQueryRules", item)

    def service_health_alert(self, rg: str, name: str, actions: list[str]) -> None:
        item = self.resource(rg, "Microsoft.Insights/activityLogAlerts", name, properties={
            "scopes": [self.scope], "enabled": True, "description": "Service Health incidents in our regions",
            "condition": {"allOf": [{"field": "category", "equals": "ServiceHealth"}]},
            "actions": {"actionGroups": [{"actionGroupId": a, "webhookProperties": {}} for a in actions]}})
        item["location"] = "Global"
        self.provider_list("Microsoft.Insights/activityLogAlerts", item)
