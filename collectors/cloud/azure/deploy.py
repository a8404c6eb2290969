"""Safe deployment: App Service deployment slots (and slot traffic routing), Container Apps revisions with
weighted traffic, Traffic Manager and Front Door weighted routing, App Configuration stores.

Slots are per site: `GET {site}/slots`, and for a site with slots its configuration
(`GET {site}/config/web`: health check path, ramp-up rules). Never `config/appsettings/list` (secrets).
"""

from __future__ import annotations

from typing import Any

from wafops.collectors.cloud.azure.client import ArmError
from wafops.collectors.cloud.azure.common import API, DEPLOY_PROBES, Sub, props
from wafops.collectors.translate import azure as tr
from wafops.scanner.core.model import Strength

CONTROLS = DEPLOY_PROBES


def collect(sub: Sub) -> None:
    _slots(sub)
    for app in sub.list("container apps", sub.scope + "/providers/Microsoft.App/containerApps", "containerApps", CONTROLS) or []:
        s = tr.container_app_strategy(props(app), str(app.get("name") or ""))
        if s:
            sub.ev("deploy.strategy", str(app.get("id") or ""), s,
                   summary=f"Container App {app.get('name')}: multiple revisions with weighted traffic")
    tm = sub.list("Traffic Manager profiles", sub.scope + "/providers/Microsoft.Network/trafficmanagerprofiles",
                  "trafficManagerProfiles", CONTROLS)
    for prof in tm or []:
        if tr.weighted_routing("Microsoft.Network/trafficManagerProfiles", props(prof)):
            _weighted(sub, str(prof.get("id") or ""), "traffic-manager", str(prof.get("name")))
    _front_door(sub)
    stores = sub.list("App Configuration stores", sub.scope + "/providers/Microsoft.AppConfiguration/configurationStores",
                      "configurationStores", CONTROLS)
    for st in stores or []:
        # feature flags are data-plane key-values (`.appconfig.featureflag/`), not read: a store shows the service only
        sub.ev("deploy.flag_service", str(st.get("id") or ""), {"tool": "azure-app-configuration", "name": st.get("name")},
               strength=Strength.WEAK, summary=f"App Configuration store {st.get('name')} (feature flags not read)")


def _front_door(sub: Sub) -> None:
    """Front Door (classic: backend pools in the profile; Standard/Premium: origin groups and their origins)."""
    for fd in sub.list("Front Doors (classic)", sub.scope + "/providers/Microsoft.Network/frontDoors", "frontDoors",
                       CONTROLS) or []:
        for pool in props(fd).get("backendPools") or []:
            if isinstance(pool, dict) and tr.weighted_routing("Microsoft.Network/frontDoors", props(pool)):
                _weighted(sub, str(pool.get("id") or fd.get("id") or ""), "front-door", f"{fd.get('name')}/{pool.get('name')}")
    profiles = [p for p in sub.of_type("Microsoft.Cdn/profiles")
                if "frontdoor" in str((p.get("sku") or {}).get("name", "")).lower()][:int(sub.ctx.options.get("azure_max_sites") or 500)]
    errors: list[ArmError] = []

    def read(prof: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        pid = str(prof.get("id"))
        try:
            groups = list(sub.arm.pages(pid + "/originGroups", API["cdnProfiles"]))
            return [(g, list(sub.arm.pages(str(g.get("id") or f"{pid}/originGroups/{g.get('name')}") + "/origins",
                                           API["cdnProfiles"]))) for g in groups]
        except ArmError as err:
            errors.append(err)
            return []

    for prof, groups in zip(profiles, sub.map(read, profiles), strict=True):
        for g, origins in groups:
            if tr.weighted_routing("Microsoft.Cdn/profiles/originGroups", {"origins": origins}):
                _weighted(sub, str(g.get("id") or prof.get("id") or ""), "front-door", f"{prof.get('name')}/{g.get('name')}")
    if errors:
        sub.unreadable(f"Front Door origin groups of {len(errors)} profile(s)", errors[0], CONTROLS)


def _weighted(sub: Sub, rid: str, tool: str, name: str) -> None:
    sub.ev("deploy.strategy", rid, {"tool": tool, "kind": "canary", "analysis": False, "health_gate": True,
                                    "auto_rollback": False, "manual_pause": False, "keeps_old": True, "name": name},
           strength=Strength.STRONG, summary=f"{tool} {name}: traffic split by weight between origins")


def _slots(sub: Sub) -> None:
    sites = [r for r in sub.of_type("Microsoft.Web/sites")]
    limit = int(sub.ctx.options.get("azure_max_sites") or 500)
    sites = sites[:limit]
    errors: list[ArmError] = []

    def read(site: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
        sid = str(site.get("id"))
        try:
            slots = list(sub.arm.pages(sid + "/slots", API["sites"]))
            cfg = props(sub.arm.get(sid + "/config/web", API["sites"])) if slots else {}
        except ArmError as err:
            errors.append(err)
            return site, [], {}
        return site, slots, cfg

    for site, slots, cfg in sub.map(read, sites):
        for slot in slots:
            s = tr.slot_strategy(slot, cfg)
            sub.ev("deploy.strategy", str(slot.get("id") or ""), s,
                   summary=f"App Service {site.get('name')}: deployment slot {slot.get('name')} ({s['kind']})")
    if errors:
        sub.unreadable(f"deployment slots of {len(errors)} of {len(sites)} site(s)", errors[0], CONTROLS)
