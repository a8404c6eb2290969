"""GitOps reconcilers: Argo CD Applications/ApplicationSets, Flux Kustomizations/HelmReleases (and whether a
Flux Alert notifies about them), Config Sync (RootSync/RepoSync manifests, or the GKE fleet feature declared
in Terraform). Each becomes one `gitops.app` saying whether it syncs automatically, heals drift and prunes."""

from __future__ import annotations

import re
from typing import Any

from wafops.collectors.repo.iac.hcl import attr_str, block_text
from wafops.collectors.repo.iac.state import IacRun, is_true
from wafops.scanner.core.model import Evidence, Strength
from wafops.scanner.core.vocabulary import redact


def config_sync_feature(run: IacRun, path: str, text: str, rtype: str, name: str, line: int) -> None:
    """Config Sync enabled through a GKE fleet feature (`configmanagement { config_sync { git { ... } } }`):
    a reconciler that keeps the cluster equal to a git/OCI source and reverts drift (GitOps)."""
    body = block_text(text, line)
    m = re.search(r"config_sync[ \t]*\{", body)
    if not m or not re.search(r"\b(?:git|oci)[ \t]*\{", body[m.end():]):
        return
    if re.search(r"(?m)^[ \t]*enabled[ \t]*=[ \t]*false", body[m.end():]):
        return
    repo_dir = attr_str(body, "policy_dir")
    run.ev("gitops.app", path, line, {
        "tool": "config-sync", "kind": rtype, "name": name, "automated": True, "self_heal": True, "prune": True,
        "notifies": False, "interval": None, "source_dir": redact(repo_dir, 200) if repo_dir else None,
    }, f"Config Sync on {rtype}.{name}: the cluster is synced continuously from git"
       + (f" ({redact(repo_dir, 120)})" if repo_dir else ""), Strength.STRONG)


def gitops_doc(run: IacRun, path: str, line: int, doc: dict[str, Any], alerts: list[Any],
               apps: list[Evidence]) -> bool:
    """Whether a Kubernetes document is a GitOps object (then read here): Flux Alerts go to `alerts`, Flux
    applications to `apps` (whether they notify is known once every file is read)."""
    kind, api = doc["kind"], str(doc.get("apiVersion", ""))
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    name = str(meta.get("name", ""))
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    if api.startswith("argoproj.io") and kind in ("Application", "ApplicationSet"):
        _argo_app(run, path, line, kind, name, meta, spec)
        return True
    if api.startswith("configsync.gke.io") and kind in ("RootSync", "RepoSync"):
        # Config Sync applies a git/OCI source to the cluster and reverts changes made outside it
        run.ev("gitops.app", path, line, {
            "tool": "config-sync", "kind": kind, "name": name, "automated": True, "self_heal": True,
            "prune": True, "notifies": False, "interval": None,
        }, f"Config Sync {kind} {name}: continuous sync from {spec.get('sourceType') or 'git'}")
        return True
    if "toolkit.fluxcd.io" not in api:
        return False
    if kind == "Alert" and api.startswith("notification."):
        alerts.append(doc)
    elif kind in ("Kustomization", "HelmRelease") and (api.startswith("kustomize.") or api.startswith("helm.")):
        suspended = is_true(spec.get("suspend"))
        drift = spec.get("driftDetection") if isinstance(spec.get("driftDetection"), dict) else {}
        self_heal = not suspended and (kind == "Kustomization" or str(drift.get("mode", "")) == "enabled")
        e = run.ev("gitops.app", path, line, {
            "tool": "flux", "kind": kind, "name": name, "automated": not suspended,
            "self_heal": self_heal, "prune": is_true(spec.get("prune")), "notifies": False,
            "interval": spec.get("interval"),
        }, f"Flux {kind} {name}" + (" (suspended)" if suspended else f", every {spec.get('interval')}"))
        apps.append(e)
    return True


def _argo_app(run: IacRun, path: str, line: int, kind: str, name: str, meta: dict[str, Any],
              spec: dict[str, Any]) -> None:
    aspec = spec
    if kind == "ApplicationSet":
        tmpl = spec.get("template") if isinstance(spec.get("template"), dict) else {}
        aspec = tmpl.get("spec") if isinstance(tmpl.get("spec"), dict) else {}
    sync = aspec.get("syncPolicy") if isinstance(aspec.get("syncPolicy"), dict) else {}
    automated = sync.get("automated", None) if "automated" in sync else None
    auto = isinstance(automated, dict) or automated is True
    if isinstance(automated, dict) and automated.get("enabled") is False:
        auto = False
    ad = automated if isinstance(automated, dict) else {}
    annotations = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
    notifies = any(str(k).startswith("notifications.argoproj.io/subscribe") for k in annotations)
    run.ev("gitops.app", path, line, {
        "tool": "argocd", "kind": kind, "name": name, "automated": auto,
        "self_heal": auto and is_true(ad.get("selfHeal")), "prune": auto and is_true(ad.get("prune")),
        "notifies": notifies, "interval": None,
    }, f"Argo CD {kind} {name}: " + ("automated sync" if auto else "manual sync")
       + (", selfHeal" if auto and is_true(ad.get("selfHeal")) else ""))
