"""What the Azure area readers share: the subscription being read, evidence with provenance, and
unreadable parts.

Every item's locator is the Azure resource id it was read from; `collected_at` is the scan time.
A part that could not be read (403 AuthorizationFailed, 429 after retries, a provider that is not
registered, an outage) becomes one `cloud.unreadable` item naming the probes whose absence it hides
(`wafops.rules.probes.missing` then answers "not assessed" with its reason); the source `azure` is `partial`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from wafops.collectors.base import CollectContext
from wafops.collectors.cloud.azure.client import UNREGISTERED, Arm, ArmError
from wafops.scanner.core.model import Evidence, Locator, SourceState, Strength

# the probes each kind of Azure evidence decides (what an unreadable part hides)
ALERT_PROBES = ("alert_rules_notify", "alert_symptom_or_probe", "alert_symptom_ratio", "alert_paging_integration",
                "alert_burn_rate_multiwindow", "alert_runbook_links", "slo_alert_coverage", "alerts_as_code_ratio",
                "slo_defined", "alert_anomaly", "obs_anomaly_detection")
OBS_PROBES = ("obs_central_telemetry", "obs_log_retention", "obs_sampling_tuned", "obs_central_platform")
DASHBOARD_PROBES = ("obs_dashboards_as_code", "error_budget_dashboard")
DEPLOY_PROBES = ("safer_rollout", "rollback_or_flags", "progressive_delivery", "health_gated_promotion",
                 "flag_service_backed", "instant_rollback", "auto_rollback", "staged_promotion")
IAC_PROBES = ("iac_prod_coverage", "iac_console_guardrail", "config_compliance_service", "drift_auto_remediation",
              "iac_remote_state", "iac_state_locking")
RUNBOOK_PROBES = ("runbook_automation",)
ALL_PROBES = ALERT_PROBES + OBS_PROBES + DASHBOARD_PROBES + DEPLOY_PROBES + IAC_PROBES + RUNBOOK_PROBES

T = TypeVar("T")
R = TypeVar("R")

# api-versions (the newest stable ones the fake and Azure both answer; docs/azure.md lists the requests)
API = {
    "subscriptions": "2022-12-01",
    "resources": "2025-04-01",
    "deployments": "2025-04-01",
    "locks": "2020-05-01",
    "policyAssignments": "2023-04-01",
    "remediations": "2021-10-01",
    "policyStates": "2019-10-01",
    "metricAlerts": "2018-03-01",
    "scheduledQueryRules": "2023-12-01",
    "activityLogAlerts": "2020-10-01",
    "actionGroups": "2023-01-01",
    "smartDetectorAlertRules": "2021-04-01",
    "webtests": "2022-06-15",
    "components": "2020-02-02",
    "diagnosticSettings": "2021-05-01-preview",
    "workspaces": "2022-10-01",
    "workbooks": "2022-04-01",
    "dashboards": "2020-09-01-preview",
    "sites": "2023-12-01",
    "containerApps": "2024-03-01",
    "trafficManagerProfiles": "2022-04-01",
    "frontDoors": "2021-06-01",
    "cdnProfiles": "2024-02-01",
    "configurationStores": "2023-03-01",
    "storageAccounts": "2023-05-01",
    "automationAccounts": "2023-11-01",
    "activityLog": "2015-04-01",
}


@dataclass
class Sub:
    """One subscription's read: the client, the inventory, and what went wrong."""

    ctx: CollectContext
    arm: Arm
    id: str
    name: str = ""
    resources: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    out: list[Evidence] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    concurrency: int = 8

    @property
    def scope(self) -> str:
        return f"/subscriptions/{self.id}"

    def of_type(self, *types: str) -> list[dict[str, Any]]:
        want = {t.lower() for t in types}
        return [r for r in self.resources if str(r.get("type", "")).lower() in want]

    def ev(self, kind: str, resource: str, attrs: dict[str, Any], *, strength: Strength = Strength.DIRECT,
           summary: str = "") -> Evidence:
        e = Evidence(kind=kind, subject=self.ctx.subject.id, source="azure", locator=Locator(resource=resource or self.scope),
                     attributes=attrs, strength=strength, collected_at=self.ctx.now, summary=summary)
        self.out.append(e)
        return e

    def unreadable(self, what: str, err: ArmError, probes: Iterable[str]) -> None:
        """A part that could not be read: the probes it decides are not assessed (not absent), the source is partial."""
        state = SourceState.PARTIAL
        attrs = {"name": what, "what": what, "call": err.call, "status": err.status, "code": err.code or None, "error": err.kind,
                 "reason": f"{what}: {err.reason}", "probes": sorted(set(probes) or ALL_PROBES),
                 "retry_after": err.retry_after}
        if err.kind == UNREGISTERED:
            attrs["not_registered"] = True
        self.ev("cloud.unreadable", self.scope, attrs, strength=Strength.WEAK, summary=f"{what}: {err.reason}")
        self.unread.append(f"{what} ({err.kind})")
        self.ctx.warn("azure", f"{self.ctx.subject.id}: {what}: {err.reason}")
        self.ctx.source_status("azure", state, "could not read: " + ", ".join(self.unread[:6])
                               + (f" and {len(self.unread) - 6} more" if len(self.unread) > 6 else ""))

    def list(self, what: str, path: str, api: str, probes: Iterable[str], params: dict[str, Any] | None = None,
             limit: int | None = None) -> list[dict[str, Any]] | None:
        """Every item of a subscription-level list, or None (recorded as unreadable) when it could not be read."""
        try:
            return list(self.arm.pages(path, API[api], params, limit=limit))
        except ArmError as err:
            if err.status == 404 and err.code in ("", "ResourceNotFound", "NotFound"):
                return []  # the list does not exist here (an old Azure Stack): nothing of that kind
            self.unreadable(what, err, probes)
            return None

    def map(self, fn: Callable[[T], R], items: list[T]) -> list[R]:
        """fn over items with the collector's concurrency (per-resource GETs)."""
        if len(items) <= 1 or self.concurrency <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(fn, items))


def props(item: dict[str, Any]) -> dict[str, Any]:
    p = item.get("properties")
    return p if isinstance(p, dict) else {}
