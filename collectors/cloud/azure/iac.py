"""IaC, drift and policy: ARM/Bicep deployment history per resource group, tags that show IaC ownership,
the share of the inventory under IaC (`iac.coverage`), management locks (guardrails), Azure Policy
assignments (continuous compliance) and remediation tasks, and Terraform state kept in storage accounts
(versioning, soft delete; blob content is never read).
"""

from __future__ import annotations

import re
from typing import Any

from wafops.collectors.cloud.azure.client import ArmError
from wafops.collectors.cloud.azure.common import API, IAC_PROBES, Sub, props
from wafops.collectors.translate import azure as tr
from wafops.scanner.core.model import Strength

CONTROLS = IAC_PROBES
STATE_CONTAINER = re.compile(r"(?i)(tf-?state|terraform|state)")
# resource types that are parts of others or made by the platform: not counted in IaC coverage
NOT_COUNTED = re.compile(r"(?i)^(microsoft\.insights/(actiongroups|metricalerts|scheduledqueryrules|activitylogalerts|"
                         r"components|webtests|workbooks)$|microsoft\.alertsmanagement/|microsoft\.network/networkwatchers|"
                         r"microsoft\.compute/(disks|snapshots|restorepointcollections)|microsoft\.operationsmanagement/)")


def collect(sub: Sub) -> None:
    deployed = _deployments(sub)
    in_state = _state_storage(sub)
    _coverage(sub, deployed, in_state)
    for lock in sub.list("management locks", sub.scope + "/providers/Microsoft.Authorization/locks", "locks", ("iac_console_guardrail",)) or []:
        facts = tr.lock_facts(props(lock))
        sub.ev("iac.resource", str(lock.get("id") or ""),
               {"type": "azurerm_management_lock", "name": lock.get("name"), "tool": "azure", "body": {},
                "facts": facts, "live": True},
               summary=f"management lock {lock.get('name')} ({facts['lock_level']})")
    assignments = sub.list("policy assignments", sub.scope + "/providers/Microsoft.Authorization/policyAssignments",
                           "policyAssignments", ("config_compliance_service", "drift_auto_remediation"))
    compliance = _compliance(sub) if assignments else {}
    for a in assignments or []:
        attrs = tr.policy_assignment(props(a))
        if not attrs["enforce"]:
            continue  # DoNotEnforce: audit-only, still evaluated, but told apart
        state = compliance.get(str(a.get("id") or "").lower())
        sub.ev("drift.tool", str(a.get("id") or ""), {**attrs, "resource": a.get("name"),
                                                      "name": props(a).get("displayName") or a.get("name"),
                                                      "non_compliant_resources": state},
               summary=f"Azure Policy assignment {props(a).get('displayName') or a.get('name')}"
                       + (f": {state} non-compliant resource(s)" if state is not None else ""))
    rem = sub.list("policy remediation tasks", sub.scope + "/providers/Microsoft.PolicyInsights/remediations",
                   "remediations", ("drift_auto_remediation",))
    for r in rem or []:
        sub.ev("drift.tool", str(r.get("id") or ""), {**tr.policy_remediation(props(r)), "resource": r.get("name")},
               summary=f"Azure Policy remediation task {r.get('name')}")


def _compliance(sub: Sub) -> dict[str, int]:
    """Non-compliant resources per assignment, from the policy-state summary (a read-only POST query)."""
    try:
        body = sub.arm.get(sub.scope + "/providers/Microsoft.PolicyInsights/policyStates/latest/summarize",
                           API["policyStates"], method="POST", call="POST policyStates/latest/summarize")
    except ArmError as err:
        sub.unreadable("policy compliance state", err, ("config_compliance_service",))
        return {}
    out: dict[str, int] = {}
    for summary in (body.get("value") or []) if isinstance(body, dict) else []:
        total = (summary.get("results") or {}).get("nonCompliantResources")
        for pa in summary.get("policyAssignments") or []:
            n = (pa.get("results") or {}).get("nonCompliantResources")
            if pa.get("policyAssignmentId") and isinstance(n, int):
                out[str(pa["policyAssignmentId"]).lower()] = n
        if isinstance(total, int):
            sub.ev("policy.compliance", sub.scope, {"non_compliant_resources": total,
                                                    "non_compliant_policies": (summary.get("results") or {}).get("nonCompliantPolicies"),
                                                    "assignments": len(summary.get("policyAssignments") or [])},
                   summary=f"Azure Policy: {total} non-compliant resource(s)")
    return out


def _deployments(sub: Sub) -> set[str]:
    """Resource ids that ARM/Bicep deployments created (outputResources), from each group's recent deployments."""
    top = int(sub.ctx.options.get("azure_deployments_per_group") or 50)
    errors: list[ArmError] = []

    def read(g: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        try:
            path = f"{sub.scope}/resourcegroups/{g.get('name')}/providers/Microsoft.Resources/deployments"
            return g, list(sub.arm.pages(path, API["deployments"], {"$top": top}, limit=top))
        except ArmError as err:
            errors.append(err)
            return g, []

    out: set[str] = set()
    for g, deps in sub.map(read, sub.groups):
        ok = [d for d in deps if str(props(d).get("provisioningState")) == "Succeeded"]
        for d in deps:
            for r in props(d).get("outputResources") or []:
                if isinstance(r, dict) and r.get("id"):
                    out.add(str(r["id"]).lower())
        if deps:
            last = max((str(props(d).get("timestamp") or "") for d in deps), default="")
            sub.ev("iac.deployments", str(g.get("id") or ""),
                   {"group": g.get("name"), "count": len(deps), "succeeded": len(ok), "last": last or None,
                    "template_link": any(props(d).get("templateLink") for d in deps)},
                   summary=f"{len(deps)} ARM/Bicep deployment(s) in {g.get('name')}")
    if errors:
        sub.unreadable(f"deployment history of {len(errors)} of {len(sub.groups)} resource group(s)", errors[0], ("iac_prod_coverage",))
    return out


def _coverage(sub: Sub, deployed: set[str], in_state: set[str]) -> None:
    counted = [r for r in sub.resources if not NOT_COUNTED.match(str(r.get("type", "")))]
    if not counted:
        return
    group_tool = {str(g.get("name", "")).lower(): tr.iac_owned(g.get("tags")) for g in sub.groups}
    managed, by = 0, {"deployments": 0, "terraform_state": 0, "tags": 0, "group_tags": 0, "managed_by": 0}
    for r in counted:
        rid = str(r.get("id", "")).lower()
        if rid in deployed:
            by["deployments"] += 1
        elif rid in in_state:
            by["terraform_state"] += 1
        elif tr.iac_owned(r.get("tags")):
            by["tags"] += 1
        elif group_tool.get(_group(rid)):
            by["group_tags"] += 1
        elif r.get("managedBy"):
            by["managed_by"] += 1
        else:
            continue
        managed += 1
    ratio = round(managed / len(counted), 3)
    sub.ev("iac.coverage", sub.scope, {"scope": f"subscription {sub.name or sub.id}", "ratio": ratio, "managed": managed,
                                       "inventory": len(counted), "by": by},
           strength=Strength.STRONG,
           summary=f"{managed} of {len(counted)} resources are in Terraform state, deployed by ARM/Bicep or tagged as "
                   f"IaC-managed ({round(ratio * 100)} %)")


def _group(rid: str) -> str:
    parts = rid.split("/")
    return parts[4] if len(parts) > 4 and parts[3] == "resourcegroups" else ""


def _state_storage(sub: Sub) -> set[str]:
    """Storage accounts holding Terraform state: a container named for state; versioning and soft delete.

    With `azure_read_state` (opt-in; needs Storage Blob Data Reader), the state files in those containers are
    read in memory, only the Azure resource ids they manage are kept (for IaC coverage), and nothing is written."""
    accounts = sub.of_type("Microsoft.Storage/storageAccounts")
    tagged = [a for a in accounts if STATE_CONTAINER.search(str(a.get("name", ""))) or tr.iac_owned(a.get("tags"))]
    limit = int(sub.ctx.options.get("azure_max_state_accounts") or 50)
    errors: list[ArmError] = []

    def read(acct: dict[str, Any]) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
        aid = str(acct.get("id"))
        try:
            names = [str(c.get("name")) for c in sub.arm.pages(aid + "/blobServices/default/containers", API["storageAccounts"])]
            state = [n for n in names if STATE_CONTAINER.search(n)]
            svc = props(sub.arm.get(aid + "/blobServices/default", API["storageAccounts"])) if state else {}
        except ArmError as err:
            errors.append(err)
            return acct, [], {}
        return acct, state, svc

    found = [(acct, state, svc) for acct, state, svc in sub.map(read, (tagged or accounts)[:limit]) if state]
    ids: set[str] = set()
    opted = str(sub.ctx.options.get("azure_read_state", "")).lower() in ("1", "true", "yes", "on")
    reader = _blob_reader(sub) if opted and found else None
    for acct, state, svc in found:
        soft = svc.get("deleteRetentionPolicy") if isinstance(svc.get("deleteRetentionPolicy"), dict) else {}
        attrs: dict[str, Any] = {"type": "azurerm", "locking": True, "lock": "native", "dir": None, "tool": "terraform",
                                 "live": True, "containers": state[:10], "versioning": bool(svc.get("isVersioningEnabled")),
                                 "soft_delete": bool(soft.get("enabled")), "state_read": False}
        if reader is not None:
            got = _read_state(sub, reader, acct, state)
            if got is not None:
                files, managed = got
                ids |= managed
                attrs.update(state_read=True, state_files=files, state_resources=len(managed))
        sub.ev("iac.backend", str(acct.get("id") or ""), attrs,
               summary=f"Terraform state in storage account {acct.get('name')} ({', '.join(state[:3])})")
    if errors:
        sub.unreadable(f"blob containers of {len(errors)} storage account(s)", errors[0], ("iac_remote_state", "iac_state_locking"))
    return ids


def _blob_reader(sub: Sub) -> Any:
    from wafops.collectors.cloud.azure.client import BlobReader

    try:
        return BlobReader(sub.ctx.options, sub.arm.calls)
    except ArmError as err:
        sub.unreadable("Terraform state content", err, ("iac_prod_coverage",))
    except Exception as err:  # no credential for the storage scope
        sub.unreadable("Terraform state content", ArmError("GET blob", None, type(err).__name__, str(err)[:200]),
                       ("iac_prod_coverage",))
    return None


def _read_state(sub: Sub, reader: Any, acct: dict[str, Any], containers: list[str]) -> tuple[int, set[str]] | None:
    """(state files, Azure resource ids they manage), read in memory; None when they could not be read."""
    import json
    from xml.etree import ElementTree

    try:
        info = props(sub.arm.get(str(acct.get("id")), API["storageAccounts"]))
        endpoint = str((info.get("primaryEndpoints") or {}).get("blob") or "").rstrip("/")
        if not endpoint:
            return None
        files, ids = 0, set()
        for c in containers[:5]:
            listing = ElementTree.fromstring(reader.get(f"{endpoint}/{c}?restype=container&comp=list"))
            names = [n.text or "" for n in listing.iter("Name")]
            for name in [n for n in names if n.endswith((".tfstate", "tfstate", ".tfstate.json")) or "env:" in n][:50]:
                doc = json.loads(reader.get(f"{endpoint}/{c}/{name}"))
                files += 1
                for res in doc.get("resources") or []:
                    if res.get("mode", "managed") != "managed":
                        continue
                    for inst in res.get("instances") or []:
                        rid = str((inst.get("attributes") or {}).get("id") or "")
                        if rid.lower().startswith("/subscriptions/"):
                            ids.add(rid.lower())
                del doc  # in memory only, and not kept
        return files, ids
    except ArmError as err:
        sub.unreadable("Terraform state content", err, ("iac_prod_coverage",))
    except (ValueError, ElementTree.ParseError) as err:
        sub.ctx.warn("azure", f"Terraform state in {acct.get('name')} could not be parsed: {err}")
    return None
