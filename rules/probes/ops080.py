"""Probes for WAF-OPS-080 (feature flags and safe deployment patterns).

What a plain repository can show: rollout *definitions* (Argo Rollouts, Flagger, CodeDeploy,
ECS, slots, ...), flag SDKs and flag services, flag-cleanup tooling and rollback procedures. What
it cannot show: whether *every* production release uses them, how fast a rollback really is, and
the change failure rate - those need the platform's deployment history (dora.metrics) or stay
unverified. A Kubernetes Deployment's default RollingUpdate is not progressive delivery; with a
readiness probe it is a health-gated rolling update, which is what level 2 asks.
"""

from __future__ import annotations

import posixpath
import re

from wafops.rules.probes import EvidenceSet, Finding, found, missing, pct, probe, unreadable, verdict
from wafops.scanner.core.model import Evidence, Strength
from wafops.scanner.core.vocabulary import DOC_DIRS, SAMPLE_DIRS

PROGRESSIVE = {"canary", "blue-green", "linear"}
SAMPLE_SEGMENTS = SAMPLE_DIRS | DOC_DIRS


def strategies(ev: EvidenceSet) -> list[Evidence]:
    return ev.of("deploy.strategy")


def progressive(ev: EvidenceSet) -> list[Evidence]:
    return [s for s in strategies(ev) if s.get("kind") in PROGRESSIVE and s.strength is not Strength.WEAK]


def _real_path(e: Evidence) -> bool:
    path = e.locator.path or ""
    return not ({s.lower() for s in posixpath.dirname(path).split("/")} & SAMPLE_SEGMENTS)


def flag_sdks(ev: EvidenceSet) -> list[Evidence]:
    return [d for d in ev.of("dep.package") if "feature_flag" in (d.get("categories") or [])]


def _cfr(ev: EvidenceSet) -> tuple[Evidence | None, float | None, str]:
    """(dora.metrics item, change failure rate, why it is unusable)."""
    items = ev.of("dora.metrics")
    if not items:
        return None, None, "no deployment history"
    d = items[0]
    cfr = d.get("change_failure_rate")
    if cfr is None or "change_failure_rate" in (d.get("insufficient") or []):
        n = (d.get("sample") or {}).get("change_failure_rate", d.get("deploys"))  # deploys in the window
        return d, None, f"not assessed, because the sample is too small for a change failure rate ({n} deploys)"
    return d, float(cfr), ""


@probe("safer_rollout", text="Some rollout is safer than big-bang (health-gated rolling, blue/green, canary, slots)",
       sources=["repo"])
def safer_rollout(ev: EvidenceSet) -> Finding:
    prog = progressive(ev)
    gated = [s for s in strategies(ev) if s.get("kind") == "rolling" and (s.get("health_gate") or s.get("auto_rollback"))
             and s.strength is not Strength.WEAK]
    k8s = [w for w in ev.of("k8s.workload") if w.get("kind") in ("Deployment", "StatefulSet")
           and str(w.get("strategy") or "RollingUpdate") == "RollingUpdate" and w.get("readiness_probe") and _real_path(w)]
    items = prog + gated
    if items:
        kinds = sorted({f"{s.get('tool')} {s.get('kind')}" for s in items})
        return found(items, "rollouts: " + ", ".join(kinds))
    if k8s:
        return found(k8s, f"{len(k8s)} Kubernetes workload(s) roll out gated by readiness probes", Strength.STRONG)
    weak = [s for s in strategies(ev) if s.get("kind") in PROGRESSIVE]
    if weak:
        return found(weak, "rollout definitions found, but only in templated or indirect form", Strength.WEAK)
    return missing(ev, "no rollout definition safer than replacing everything at once")


def _deploy_job(j: Evidence) -> bool:
    return bool({"deploy", "apply"} & set(j.get("steps") or []))


def promoted_jobs(ev: EvidenceSet) -> list[tuple[Evidence, Evidence]]:
    """(production deploy job, pre-production deploy job it waits for): jobs chained by `needs` in one pipeline."""
    by_pipeline: dict[str, dict[str, Evidence]] = {}
    for j in ev.of("ci.job"):
        by_pipeline.setdefault(str(j.get("pipeline")), {})[str(j.get("name"))] = j
    out = []
    for jobs in by_pipeline.values():
        for prod in jobs.values():
            if not (prod.get("production") and _deploy_job(prod)):
                continue
            seen: set[str] = set()
            todo = list(prod.get("needs") or [])
            while todo:
                n = str(todo.pop())
                if n in seen or n not in jobs:
                    continue
                seen.add(n)
                j = jobs[n]
                env = str(j.get("environment") or "")
                if env and "${" not in env and not j.get("production") and _deploy_job(j):
                    out.append((prod, j))
                    break
                todo.extend(j.get("needs") or [])
    return out


# release channels kept as branches (dev -> alpha -> beta -> stable): one deploy job runs on pushes to each channel,
# and a change reaches the production channel by being merged forward from the earlier ones
PRE_CHANNEL_RX = re.compile(r"(?i)^(dev|develop|development|alpha|beta|canary|staging|stage|test|testing|qa|preview|edge|nightly|"
                            r"next|rc|pre-?prod(uction)?)$")


def channel_jobs(ev: EvidenceSet) -> list[Evidence]:
    out = []
    for j in ev.of("ci.job"):
        branches = [str(b) for b in j.get("branches") or []]
        if j.get("production") and _deploy_job(j) and "push" in (j.get("triggers") or []) and len(branches) >= 2 \
                and any(PRE_CHANNEL_RX.match(b) for b in branches):
            out.append(j)
    return out


@probe("staged_promotion", text="Releases are promoted through a pre-production environment before production, one stage "
       "after another (jobs chained by needs, a sequential environment matrix, a serial delivery pipeline)", sources=["repo"])
def staged_promotion(ev: EvidenceSet) -> Finding:
    pipes = ev.of("deploy.promotion")
    if pipes:
        p = pipes[0]
        stages = " -> ".join(p.get("stages") or []) or "its targets in order"
        return found(pipes, f"{p.get('tool')} promotes through {stages}" + (" with checks" if p.get("checks") else ""),
                     Strength.STRONG)
    chained = promoted_jobs(ev)
    if chained:
        prod, pre = chained[0]
        return found([prod, pre], f"production deploy job {prod.get('name')} waits for a deploy to "
                     f"{pre.get('environment')} ({pre.get('name')})", Strength.STRONG)
    channels = channel_jobs(ev)
    if channels:
        j = channels[0]
        return found(channels, f"deploy job {j.get('name')} runs per release channel ({', '.join(j.get('branches')[:6])}); "
                     "changes reach production by promotion between channel branches", Strength.STRONG)
    return missing(ev, "no pre-production stage that production deploys wait for")


@probe("flag_gated_release", text="New behaviour can ship switched off: a feature-flag SDK or service, an in-house flag "
       "module, or opt-in preview/feature gates in the product's code", sources=["repo"])
def flag_gated_release(ev: EvidenceSet) -> Finding:
    items = ev.of("deploy.flag_service") + flag_sdks(ev) + ev.of("deploy.feature_gate")
    if items:
        what = sorted({str(e.get("tool") or e.get("package") or f"feature gates ({e.get('name')})") for e in items})
        return found(items, "new behaviour gated behind flags: " + ", ".join(what[:5]))
    return missing(ev, "no feature flags or feature gates")


@probe("rollback_or_flags", text="Changes can be backed out quickly: feature flags, kept old version, auto rollback or a "
       "documented rollback procedure", sources=["repo"])
def rollback_or_flags(ev: EvidenceSet) -> Finding:
    items = flag_sdks(ev) + ev.of("deploy.flag_service") + ev.of("deploy.feature_gate")
    items += [s for s in strategies(ev) if s.get("keeps_old") or s.get("auto_rollback")]
    items += ev.of("deploy.rollback_doc") + ev.of("deploy.redeploy")
    items += [r for r in ev.of("doc.runbook") if "rollback" in (r.get("sections") or [])]
    items += ev.of("doc.policy", topic="rollback")
    items += [j for j in ev.of("ci.job") if "rollback" in (j.get("steps") or [])]
    return verdict(items, f"{len(items)} rollback/flag mechanism(s)",
                   "no feature flags, no kept previous version, no automatic rollback and no rollback procedure", ev)


@probe("progressive_delivery", text="Canary, blue/green or linear rollouts are defined (for at least min_coverage of rollout "
       "definitions)", sources=["repo"], min_coverage=0.0)
def progressive_delivery(ev: EvidenceSet) -> Finding:
    prog = progressive(ev)
    if not prog:
        weak = [s for s in strategies(ev) if s.get("kind") in PROGRESSIVE]
        if weak:
            return found(weak, "progressive rollout found only in templated/indirect form", Strength.WEAK)
        return missing(ev, "no canary, blue/green or linear rollout definition")
    defs = [s for s in strategies(ev) if s.get("tool") not in ("helm",) and not (s.get("tool") == "lambda-alias"
                                                                               and s.get("kind") == "all-at-once")]
    share = len(prog) / len(defs) if defs else 1.0
    if share < ev.p("min_coverage"):
        rest = [s for s in defs if s not in prog]
        return Finding(False, f"only {pct(share)} of rollout definitions are progressive "
                       f"({len(rest)} rolling/all-at-once)", prog + rest)
    return found(prog, f"{len(prog)} progressive rollout(s): " + ", ".join(sorted({f"{s.get('tool')} {s.get('kind')}" for s in prog})))


@probe("health_gated_promotion", text="Health checks gate traffic promotion of progressive rollouts", sources=["repo"])
def health_gated_promotion(ev: EvidenceSet) -> Finding:
    items = [s for s in progressive(ev) if s.get("health_gate") or s.get("analysis")]
    smoke = [j for j in ev.of("ci.job") if j.get("production") and "smoke" in (j.get("steps") or [])
             and "deploy" in (j.get("steps") or [])]
    if items:
        return found(items, f"{len(items)} progressive rollout(s) promote only when healthy")
    if smoke:
        return found(smoke, "production deploy job(s) run smoke checks after deploying", Strength.STRONG)
    return missing(ev, "no health-gated promotion of a progressive rollout")


@probe("flag_service_backed", text="A feature-flag service (or an SDK bound to a flag backend) is in use", sources=["repo"])
def flag_service_backed(ev: EvidenceSet) -> Finding:
    services = ev.of("deploy.flag_service")
    sdks = flag_sdks(ev)
    # OpenFeature is vendor-neutral: its SDKs (web-sdk, react-sdk, go-sdk) bind to no backend by themselves; a
    # provider package (go-feature-flag, flagd, LaunchDarkly provider) or any vendor SDK does.
    vendor = [d for d in sdks if "openfeature" not in str(d.get("package")).lower().replace("-", "").replace("/", "")
              or "provider" in str(d.get("package")).lower()]
    # A weak in-house flag module must not hide a vendor SDK/provider bound to a backend (grafana: its
    # featuremgmt module plus the OpenFeature GO Feature Flag provider).
    if services and (vendor == [] or any(s.strength is not Strength.WEAK for s in services)):
        return found(services, "flag service(s): " + ", ".join(sorted({str(s.get("tool")) for s in services})))
    if vendor:
        return found(vendor, "flag SDK(s) with a backend: " + ", ".join(sorted({str(d.get("package")) for d in vendor})[:5]))
    if sdks:
        return found(sdks, "OpenFeature SDK without a visible provider/backend", Strength.WEAK)
    # A cluster/deployment config repository (Flux/Argo apps, manifests, rollouts) with no application
    # manifest of its own: flag SDKs live in the application repositories it deploys, which were not scanned.
    deploys_elsewhere_built = ev.of("gitops.app") or ev.of("k8s.workload") or ev.of("deploy.strategy")
    if deploys_elsewhere_built and not ev.of("dep.manifest") and ev.usable("repo"):
        return Finding(None, "not assessed, because this repository deploys workloads whose application code "
                       "(where flag SDKs live) is not in it", [])
    return missing(ev, "no feature-flag service or SDK")


@probe("instant_rollback", text="Rollback without a redeploy: the previous version is kept (blue/green, slots, aliases) "
       "or rolled back automatically", sources=["repo"])
def instant_rollback(ev: EvidenceSet) -> Finding:
    items = [s for s in strategies(ev) if (s.get("keeps_old") or s.get("auto_rollback")) and s.strength is not Strength.WEAK]
    if items:
        return found(items, f"{len(items)} rollout(s) keep the previous version or roll back automatically")
    return missing(ev, "no kept previous version or automatic rollback")


@probe("auto_rollback", text="A failed deploy rolls back automatically (analysis abort, alarms, circuit breaker, helm --atomic)",
       sources=["repo"])
def auto_rollback(ev: EvidenceSet) -> Finding:
    items = [s for s in strategies(ev) if s.get("auto_rollback")]
    jobs = [j for j in ev.of("ci.job") if "rollback" in (j.get("steps") or []) and "deploy" in (j.get("steps") or [])]
    if items:
        return found(items, "automatic rollback: " + ", ".join(sorted({f"{s.get('tool')} {s.get('kind')}" for s in items})))
    if jobs:
        return found(jobs, f"{len(jobs)} deploy job(s) run a rollback step (e.g. on failure)", Strength.STRONG)
    return missing(ev, "no automatic rollback on failed deploys")


@probe("metric_analysis", text="Promotion/rollback is decided by metric analysis (error rate, latency, alarms)", sources=["repo"])
def metric_analysis(ev: EvidenceSet) -> Finding:
    items = [s for s in strategies(ev) if s.get("analysis")]
    return verdict(items, f"{len(items)} rollout(s) with metric-based analysis", "no metric-based rollout analysis", ev)


@probe("cfr_tracked", text="The change failure rate is tracked", sources=["repo", "scm"])
def cfr_tracked(ev: EvidenceSet) -> Finding:
    artefacts = [j for j in ev.of("ci.job") if "metrics" in (j.get("steps") or [])]
    artefacts += [d for d in ev.of("obs.dashboard") if d.get("dora")]
    if artefacts:
        return found(artefacts, f"{len(artefacts)} delivery-metrics artefact(s) (CI events or DORA dashboards)")
    d, cfr, why = _cfr(ev)
    if d is not None and cfr is not None:
        return found([d], f"change failure rate {pct(cfr)} over {d.get('window_days')} days")
    if d is not None:
        return Finding(None, why, [d])
    return unreadable(ev, "deployments") or missing(ev, "change failure rate is not tracked", needs=("scm",))


@probe("experimentation", text="An experimentation (A/B) platform is used", sources=["repo"])
def experimentation(ev: EvidenceSet) -> Finding:
    items = ev.of("deploy.experiment") + [d for d in ev.of("dep.package") if "experimentation" in (d.get("categories") or [])]
    return verdict(items, f"{len(items)} experimentation reference(s)", "no experimentation platform", ev)


@probe("fully_automated_promotion", text="Progressive rollouts promote and roll back on metrics alone (no manual pause)",
       sources=["repo"])
def fully_automated_promotion(ev: EvidenceSet) -> Finding:
    prog = progressive(ev)
    if not prog:
        return missing(ev, "no progressive rollout to promote")
    manual = [s for s in prog if s.get("manual_pause")]
    if manual:
        return Finding(False, f"{len(manual)} rollout(s) wait for a manual promotion", manual)
    auto = [s for s in prog if s.get("analysis")]
    if not auto:
        return Finding(False, "progressive rollouts advance on timers, not on metric analysis", prog)
    return found(auto, f"{len(auto)} rollout(s) promote on metric analysis without manual pauses")


@probe("flag_lifecycle", text="Stale feature flags are found and cleaned up (code references, temporary flags)", sources=["repo"])
def flag_lifecycle(ev: EvidenceSet) -> Finding:
    return verdict(ev.of("deploy.flag_lifecycle"), "flag lifecycle tooling present", "no flag lifecycle tooling", ev)


@probe("cfr_below", text="Change failure rate below max_rate", sources=["scm"], max_rate=0.05)
def cfr_below(ev: EvidenceSet) -> Finding:
    d, cfr, why = _cfr(ev)
    if d is None:
        return unreadable(ev, "deployments") or missing(ev, "no deployment history", needs=("scm",))
    if cfr is None:
        return Finding(None, why, [d])
    if cfr < ev.p("max_rate"):
        return found([d], f"change failure rate {pct(cfr)} (< {pct(ev.p('max_rate'))})")
    return Finding(False, f"change failure rate {pct(cfr)} (>= {pct(ev.p('max_rate'))})", [d])
