"""The Azure collector: one subscription, read with the Reader role, as evidence with provenance.

It runs for subjects of the `azure:` resolver (`azure:SUBSCRIPTION_ID`); a workload in wafops.yml
(`azure_subscriptions:`) scans its subscriptions the same way and pools their evidence.
The inventory (resources, resource groups) comes from azure-mgmt-resource; each area then reads its
providers (see the area modules). A part that cannot be read is recorded (`cloud.unreadable`) and the
others go on; when not even the inventory can be read, the source is `denied`/`error` and nothing
from Azure is concluded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.cloud.azure import alerting, change, deploy, iac, observability, runbooks
from wafops.collectors.cloud.azure.client import DENIED, THROTTLED, Arm, ArmError
from wafops.collectors.cloud.azure.common import API, Sub
from wafops.scanner.core.model import Evidence, SourceState, Subject

AREAS = (("observability", observability.collect), ("alerting", alerting.collect), ("deploy", deploy.collect),
         ("iac", iac.collect), ("runbooks", runbooks.collect), ("change", change.collect))

OPTION_TYPES = {
    "azure_url": "url",
    "azure_retries": "int",
    "azure_backoff": "float",
    "azure_max_wait": "float",
    "azure_max_pages": "int",
    "azure_concurrency": "int",
    "azure_max_diagnostics": "int",
    "azure_max_sites": "int",
    "azure_max_state_accounts": "int",
    "azure_deployments_per_group": "int",
    "azure_activity_days": "int",
    "azure_max_activity_events": "int",
    "azure_areas": "list",
    "azure_read_state": "bool",
    "azure_min_reads_left": "int",
    "azure_read_pause": "float",
    "azure_max_state_bytes": "int",
}


def subscriptions_of(subject: Subject) -> list[str]:
    if subject.meta.get("platform") == "azure" and subject.meta.get("subscription_id"):
        return [str(subject.meta["subscription_id"])]
    return []


class AzureCollector(Collector):
    name = "azure"
    source = "azure"
    role = "cloud"
    description = ("Azure subscriptions (Reader role): Azure Monitor alerts and action groups, diagnostic settings, "
                   "Log Analytics, Application Insights, slots and revisions, deployments, locks, Azure Policy, "
                   "Automation runbooks, the activity log")
    needs = "azure:SUBSCRIPTION_ID targets; AZURE_ACCESS_TOKEN or DefaultAzureCredential; pip install 'wafops[azure]'"
    controls = ("WAF-OPS-020", "WAF-OPS-030", "WAF-OPS-040", "WAF-OPS-050", "WAF-OPS-060", "WAF-OPS-080", "WAF-OPS-090")
    option_types: ClassVar[dict[str, str]] = OPTION_TYPES

    def applies(self, subject: Subject, ctx: CollectContext) -> bool:
        return bool(subscriptions_of(subject))

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        out: list[Evidence] = []
        try:
            arm_for = _arm_factory(ctx.options)
        except ImportError as err:
            ctx.source_status("azure", SourceState.NOT_CONFIGURED,
                              f"the Azure SDK is not installed (pip install 'wafops[azure]'): {err}")
            return out
        except Exception as err:  # no credential could be built
            ctx.source_status("azure", SourceState.DENIED, f"no Azure credential: {err}")
            return out
        only = set(ctx.options.get("azure_areas") or [])
        for sub_id in subscriptions_of(subject):
            out.extend(read_subscription(ctx, arm_for(sub_id), sub_id, only))
        return out


def _arm_factory(options: dict[str, Any]) -> Any:
    from wafops.collectors.cloud.azure.client import credential

    cred = credential()
    return lambda sub_id: Arm(options, sub_id, cred)


def read_subscription(ctx: CollectContext, arm: Arm, sub_id: str, only: set[str] | None = None) -> list[Evidence]:
    sub = Sub(ctx=ctx, arm=arm, id=sub_id, concurrency=max(1, int(ctx.options.get("azure_concurrency") or 8)))
    try:
        info = arm.get(sub.scope, API["subscriptions"], call="GET subscription")
        sub.name = str(info.get("displayName") or "") if isinstance(info, dict) else ""
        sub.groups = [g.as_dict() for g in arm.sdk.resource_groups.list()]
        sub.resources = [r.as_dict() for r in arm.sdk.resources.list(expand="createdTime,changedTime")]
    except Exception as err:
        e = err if isinstance(err, ArmError) else _sdk_error(err)
        state = {DENIED: SourceState.DENIED, THROTTLED: SourceState.RATE_LIMITED}.get(e.kind, SourceState.ERROR)
        ctx.source_status("azure", state, f"subscription {sub_id}: the inventory could not be read: {e.reason}")
        ctx.warn("azure", f"subscription {sub_id}: {e.reason}")
        return sub.out
    sub.ev("cloud.inventory", sub.scope, {"provider": "azure", "subscription": sub_id, "name": sub.name,
                                          "resources": len(sub.resources), "groups": len(sub.groups),
                                          "types": len({str(r.get('type', '')).lower() for r in sub.resources})},
           summary=f"subscription {sub.name or sub_id}: {len(sub.resources)} resources in {len(sub.groups)} groups")
    for name, fn in AREAS:
        if only and name not in only:
            continue
        try:
            fn(sub)
        except ArmError as err:
            sub.unreadable(name, err, ())
        except Exception as err:  # a bug in one area costs that area (its absences unproven), never the scan
            ctx.warn("azure", f"azure collector: {name} failed: {type(err).__name__}: {err}")
            sub.unreadable(f"the {name} area", ArmError(name, None, type(err).__name__, str(err)[:200]), ())
    ctx.subject.meta.setdefault("azure_calls", 0)
    ctx.subject.meta["azure_calls"] += arm.calls.n
    return sub.out


def _sdk_error(err: Exception) -> ArmError:
    """An azure-core exception (HttpResponseError, ClientAuthenticationError, ...) as an ArmError."""
    status = getattr(getattr(err, "response", None), "status_code", None) or getattr(err, "status_code", None)
    code = str(getattr(getattr(err, "error", None), "code", "") or type(err).__name__)
    retry = None
    resp = getattr(err, "response", None)
    if resp is not None:
        try:
            retry = float(resp.headers.get("Retry-After")) if resp.headers.get("Retry-After") else None
        except (TypeError, ValueError):
            retry = None
    return ArmError("GET resources", status, code, str(getattr(err, "message", "") or err)[:200], retry)
