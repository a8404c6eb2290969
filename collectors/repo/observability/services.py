"""Services (D-SVC) and the workloads that run them: Backstage components, Kubernetes workloads (and the agent
images in their pods), docker-compose services, Serverless Framework functions."""

from __future__ import annotations

import json
import re
from typing import Any

from wafops.collectors.repo.observability.shippers import LOG_DRIVERS, agent_image
from wafops.collectors.repo.observability.state import ObsRun, YamlDoc
from wafops.collectors.repo.observability.values import norm_dir, parent_dir, to_int
from wafops.collectors.repo.observability_files import s
from wafops.scanner.core.model import Strength


def _images(spec: dict[str, Any]) -> list[str]:
    pod = ((spec.get("template") or {}).get("spec") or {}) if isinstance(spec.get("template"), dict) else {}
    out = []
    for c in (pod.get("containers") or []) + (pod.get("initContainers") or []) if isinstance(pod, dict) else []:
        if isinstance(c, dict) and c.get("image"):
            out.append(str(c["image"]))
    return out


def workload_doc(run: ObsRun, y: YamlDoc) -> None:
    """A Backstage service component; a Kubernetes Deployment/StatefulSet/Rollout (a service, its folder a
    deployable one) and the agent images a workload's pods run."""
    path, meta, spec, kind, mname = y.path, y.meta, y.spec, y.kind, y.mname
    if "backstage.io" in y.api and kind == "Component" and str(spec.get("type", "")).lower() == "service":
        tags = " ".join(str(t) for t in (meta.get("tags") or [])) + " " + json.dumps(meta.get("annotations") or {})
        critical = True if re.search(r"(?i)tier[-_ ]?(1|0|one)|critical|mission", tags) else None
        run.emit("obs.service", path, {"name": mname, "origin": "backstage", "critical": critical},
                 pattern=(mname) if mname else None, key=("svc", mname))
    if kind in ("Deployment", "StatefulSet", "Rollout") and isinstance(spec.get("template"), dict):
        run.emit("obs.service", path, {"name": mname, "origin": "kubernetes", "critical": None},
                 pattern=f"kind: {kind}", key=("svc", mname))
        run.service_dirs.add(parent_dir(path))
    if kind in ("DaemonSet", "Deployment", "StatefulSet"):
        for image in _images(spec):
            agent_image(run, path, image)


def compose_doc(run: ObsRun, y: YamlDoc) -> None:
    if isinstance(y.doc.get("services"), dict) and (y.name.startswith(("docker-compose", "compose")) or "version" in y.doc):
        _compose(run, y.path, y.doc["services"])


def _compose(run: ObsRun, path: str, services: dict[str, Any]) -> None:
    for name, svc in services.items():
        if not isinstance(svc, dict):
            continue
        image = s(svc.get("image"))
        if svc.get("build") is not None:
            run.emit("obs.service", path, {"name": str(name), "origin": "compose", "critical": None},
                     pattern=re.compile(rf"^\s+{re.escape(str(name))}:"), key=("svc", str(name)))
            build = svc.get("build")
            ctxdir = build if isinstance(build, str) else (build or {}).get("context", ".") if isinstance(build, dict) else "."
            run.service_dirs.add(norm_dir(parent_dir(path), str(ctxdir)))
        if image:
            agent_image(run, path, image, origin="compose")
        logging = svc.get("logging") if isinstance(svc.get("logging"), dict) else {}
        driver = str(logging.get("driver") or "")
        if driver in LOG_DRIVERS:
            run.emit("obs.log_shipper", path, {"tool": LOG_DRIVERS[driver], "logs": True}, pattern=f"driver: {driver}")


def serverless_doc(run: ObsRun, y: YamlDoc) -> None:
    """Serverless Framework: every function a service; Lambda logs, X-Ray tracing and log retention."""
    path, doc = y.path, y.doc
    if not (y.name.startswith("serverless.") and isinstance(doc.get("functions"), dict)):
        return
    for fname in list(doc["functions"])[:200]:
        run.emit("obs.service", path, {"name": str(fname), "origin": "serverless", "critical": None},
                 pattern=re.compile(rf"^\s+{re.escape(str(fname))}:"), key=("svc", str(fname)))
    run.service_dirs.add(parent_dir(path))
    provider = doc.get("provider") if isinstance(doc.get("provider"), dict) else {}
    # Lambda logs always land in CloudWatch Logs: the platform's central store
    run.emit("obs.log_shipper", path, {"tool": "cloudwatch-logs", "logs": True}, pattern="provider",
             strength=Strength.STRONG)
    tracing = provider.get("tracing") if isinstance(provider.get("tracing"), dict) else {}
    if tracing.get("lambda") in (True, "true", "Active", "PassThrough") and tracing.get("lambda") != "PassThrough":
        run.emit("obs.tracing", path, {"mechanism": "lambda-active-tracing"}, pattern="tracing", strength=Strength.DIRECT)
    if "logRetentionInDays" in provider:
        run.emit("obs.log_retention", path, {"tool": "serverless", "resource": "provider", "name": "logRetentionInDays",
                                             "days": to_int(provider.get("logRetentionInDays"))},
                 pattern="logRetentionInDays", strength=Strength.DIRECT)
