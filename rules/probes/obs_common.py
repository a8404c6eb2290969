"""Helpers the OPS-030 and OPS-040 probes share: when absence may be concluded, and service coverage.

When may "nothing in the repository" mean "not in place"?
- Telemetry libraries, logger configuration and trace propagation live in the code: the repository
  decides them (needs `repo`).
- Log stores, dashboards, alarms and SLOs can also live in a cloud account (CloudWatch, Azure
  Monitor) or a SaaS backend. When the repository itself declares cloud infrastructure (a Terraform
  AWS/Azure provider, CloudFormation/SAM/Serverless, ECS/Lambda/App Service resources), the cloud
  account is part of the workload and its console may hold what the code does not: absence needs
  that cloud to have been scanned (`repo` and `aws|azure`). When the repository ships telemetry to a
  SaaS vendor (Datadog, New Relic, ...), alerts may live there, which no collector reads: not assessed.
- A repository that declares no cloud runtime and no SaaS backend is judged from its content, as an
  SRE reviewing it would: no shipper, no dashboards, no alerts means level 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from wafops.rules.probes import EvidenceSet, Finding, missing
from wafops.scanner.core.model import Evidence
from wafops.scanner.core.vendors import vendor_of
from wafops.scanner.core.vocabulary import is_sample_path

CLOUD_TOOLS = {"cloudformation", "sam", "cdk", "serverless", "bicep", "arm", "azure-pipelines-arm"}
CLOUD_PROVIDERS = {"aws", "azurerm", "azapi", "azuread", "awscc"}
CLOUD_SERVICE_ORIGINS = {"terraform", "serverless", "cloudformation", "ecs-task"}
ERROR_TRACKERS = re.compile(r"(?i)(sentry|rollbar|bugsnag|honeybadger|airbrake|raygun)")
SAAS_AGENTS = {"datadog-agent": "Datadog", "newrelic-agent": "New Relic"}


def _real(items: list[Evidence]) -> list[Evidence]:
    """Evidence outside test data, fixtures and examples: Terraform's own `testdata/` configuring an AWS
    provider does not make the Terraform CLI repository an AWS workload."""
    return [e for e in items if e.get("role") != "example" and not is_sample_path(e.locator.path or "")]


def declares_cloud(ev: EvidenceSet) -> bool:
    """The repository declares AWS/Azure infrastructure (so that cloud may hold the rest)."""
    if any(str(e.get("name") or "").lower() in CLOUD_PROVIDERS for e in _real(ev.of("iac.provider"))):
        return True
    if any(str(e.get("tool") or "") in CLOUD_TOOLS for e in _real(ev.of("iac.code"))):
        return True
    if any(str(e.get("type") or "").startswith(("aws_", "azurerm_")) for e in _real(ev.of("iac.resource"))):
        return True
    if any(e.get("origin") in CLOUD_SERVICE_ORIGINS for e in ev.of("obs.service")):
        return True
    return any(e.get("tool") in ("cloudwatch-logs", "log-analytics", "awslogs", "firelens", "diagnostic-settings")
               for e in ev.of("obs.log_shipper")) or bool(ev.of("obs.log_retention", tool="terraform"))


def azure_monitor_telemetry(ev: EvidenceSet) -> bool:
    """The code sends telemetry to Application Insights / Azure Monitor: that Azure resource holds the app's
    alerts (smart detection, metric and log alerts), dashboards and sampling settings, usually made in the
    portal, so only a scanned Azure subscription can show they are missing."""
    return any(vendor_of(str(e.get("package") or "")) == "azure-monitor" for e in _real(ev.of("dep.package")))


def absence_needs(ev: EvidenceSet) -> tuple[str, ...]:
    return ("repo", "cloud") if declares_cloud(ev) or azure_monitor_telemetry(ev) else ("repo",)


def saas_vendors(ev: EvidenceSet) -> list[str]:
    """SaaS monitoring backends the repository sends telemetry to (their monitors are not scanned)."""
    out: set[str] = set()
    for e in ev.of("dep.package"):
        if "apm" in (e.get("categories") or []):
            v = vendor_of(str(e.get("package") or ""))
            if v and v != "azure-monitor":
                out.add(v)
    for e in ev.of("dep.package"):
        # error trackers (Sentry, Rollbar, Bugsnag, ...) hold the app's error alerts: issue/metric alerts on
        # error rates are configured there, so no repository alert rule does not mean no alerting
        if "error_tracking" in (e.get("categories") or []):
            m = ERROR_TRACKERS.search(str(e.get("package") or ""))
            if m:
                out.add(m.group(1).lower())
    for e in ev.of("obs.log_shipper"):
        if e.get("tool") in SAAS_AGENTS:
            out.add(SAAS_AGENTS[e.get("tool")].lower().replace(" ", ""))
    return sorted(out)


def missing_alerting(ev: EvidenceSet, reason: str) -> Finding:
    """Absence of alerting-as-code: not_met only when no SaaS backend and no unscanned cloud could hold it."""
    vendors = saas_vendors(ev)
    if vendors:
        return Finding(None, f"not assessed, because telemetry goes to {', '.join(vendors)} (SaaS), whose monitors and "
                             f"SLOs were not scanned ({reason} in the repository)")
    return missing(ev, reason, absence_needs(ev))


# ---- service coverage (D-SVC denominators) -------------------------------------------------------------


def service_dirs(ev: EvidenceSet) -> list[str]:
    """Directories of the services that have a dependency manifest: the deployable ones when any are marked
    deployable (Dockerfile, compose build context, serverless), else every manifest with runtime dependencies."""
    # an Aspire AppHost starts the services on a developer machine: an orchestrator, not a service
    # not services either: CI tooling (a JavaScript action under `.github/`) and load generators (a Locust or k6
    # harness deployed beside the services makes test traffic and serves no users)
    manifests = [e for e in ev.of("dep.manifest") if (e.get("runtime_packages") or 0) > 0 and not e.get("orchestrator")
                 and not e.get("load_test") and not str(e.get("service") or "").startswith(".github/")]
    deployable = [e for e in manifests if e.get("deployable")]
    # a package another manifest of the repository imports (a workspace package, a referenced project) is a
    # library of those services, not a service of its own
    chosen = deployable or [e for e in manifests if not e.get("library")] or manifests
    # a browser app beside a server is no service for server-side logs and traces (its code runs in browsers)
    servers = [e for e in chosen if not e.get("frontend")]
    chosen = servers or chosen
    return sorted({str(e.get("service") or ".") for e in chosen})


def local_links(ev: EvidenceSet) -> dict[str, set[str]]:
    """Manifest directory -> directories of the repository's own packages it depends on (dep.manifest local_deps)."""
    out: dict[str, set[str]] = {}
    for e in ev.of("dep.manifest"):
        deps = e.get("local_deps") or []
        if deps:
            out.setdefault(str(e.get("service") or "."), set()).update(str(d) for d in deps)
    return out


def owner(path: str | None, dirs: Iterable[str]) -> str | None:
    """The service directory a file belongs to (the longest enclosing one)."""
    if path is None:
        return None
    best = None
    for d in dirs:
        if d == "." or path == d or path.startswith(d + "/"):
            if best is None or (d != "." and (best == "." or len(d) > len(best))):
                best = d
    return best


def covered_services(dirs: list[str], items: Iterable[Evidence], global_items: Iterable[Evidence] = (),
                     links: dict[str, set[str]] | None = None) -> set[str]:
    """Services with at least one item: by the item's `service` attribute, else by where its file sits.

    A dependency declared in the root manifest of a single-manifest repository covers it; items in
    `global_items` (platform-wide mechanisms such as the OTel operator or Lambda active tracing) cover all.
    With `links` (manifest dir -> the repository's own packages it imports), a service is also covered by
    what a package it imports (directly or through others) has: the shared logging package of a monorepo."""
    if list(global_items):
        return set(dirs)
    links = links or {}
    known = set(dirs) | set(links) | {t for ts in links.values() for t in ts}
    have: set[str] = set()
    for e in items:
        svc = e.get("service")
        if svc in known:
            have.add(svc)
            continue
        # the closest package the file sits in, and the closest service (as before links were known)
        have.update(o for o in (owner(e.locator.path, known), owner(e.locator.path, dirs)) if o is not None)
    out: set[str] = set()
    for d in dirs:
        seen, todo = {d}, [d]
        while todo:
            cur = todo.pop()
            if cur in have:
                out.add(d)
                break
            for nxt in links.get(cur, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    return out


def coverage(ev: EvidenceSet, items: list[Evidence], what: str, global_items: list[Evidence] | None = None,
             min_ratio: float = 0.8) -> Finding:
    """Whether >= min_ratio of services show `what` (any one item suffices when there are no manifests)."""
    dirs = service_dirs(ev)
    if not items and not global_items:
        return Finding(False, f"no {what} found")
    if not dirs:
        return Finding(True, f"{what}: {len(items or global_items or [])} item(s); no service manifests to measure coverage",
                       list(items or global_items or [])[:20])
    cov = covered_services(dirs, items, global_items or [], local_links(ev))
    r = len(cov) / len(dirs)
    ok = r >= min_ratio
    missing_dirs = [d for d in dirs if d not in cov][:5]
    tail = "" if ok or not missing_dirs else f"; without: {', '.join(missing_dirs)}"
    return Finding(ok, f"{what} in {len(cov)} of {len(dirs)} service(s) ({round(r * 100)} %){tail}",
                   list(items or global_items or [])[:20])
