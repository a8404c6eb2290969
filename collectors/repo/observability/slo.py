"""SLO specs: OpenSLO and Nobl9, Sloth, Pyrra, Google's slo-generator and the WAF++ `slo*.yaml` format
(Terraform SLO resources are read with the other Terraform resources)."""

from __future__ import annotations

from wafops.collectors.repo.observability.state import ObsRun, YamlDoc
from wafops.collectors.repo.observability.values import meta_labels, to_float
from wafops.collectors.repo.observability_files import first, s
from wafops.scanner.core.model import Strength


def slo_doc(run: ObsRun, y: YamlDoc) -> None:
    path, name, api, kind, spec, mname, doc = y.path, y.name, y.api, y.kind, y.spec, y.mname, y.doc
    if (api.startswith("openslo/") or api.startswith("n9/")) and kind == "SLO":
        # OpenSLO, and Nobl9's sloctl format (`apiVersion: n9/v1alpha`), which OpenSLO grew out of
        obj = first(spec.get("objectives")) or {}
        run.emit("obs.slo", path, {"spec": "openslo" if api.startswith("openslo/") else "nobl9", "service": s(spec.get("service")), "name": mname,
                                   "objective": (obj or {}).get("target") if isinstance(obj, dict) else None},
                 pattern=(mname) if mname else "kind: SLO", strength=Strength.DIRECT, key=("slo", mname))
    elif (str(doc.get("version", "")) == "prometheus/v1" and isinstance(doc.get("slos"), list)) or (
            kind == "PrometheusServiceLevel" and "sloth" in api):
        body = doc if "slos" in doc else spec
        for slo in body.get("slos") or []:
            if isinstance(slo, dict):
                run.emit("obs.slo", path, {"spec": "sloth", "service": s(body.get("service")),
                                           "name": s(slo.get("name")), "objective": slo.get("objective")},
                         pattern=(s(slo.get("name"))) or "slos", strength=Strength.DIRECT,
                         key=("slo", s(slo.get("name"))))
    elif "pyrra.dev" in api and kind == "ServiceLevelObjective":
        run.emit("obs.slo", path, {"spec": "pyrra", "service": s((meta_labels(doc)).get("service") or mname),
                                   "name": mname, "objective": to_float(spec.get("target"))},
                 pattern="ServiceLevelObjective", strength=Strength.DIRECT, key=("slo", mname))
    elif api.startswith("sre.google.com/") and kind == "ServiceLevelObjective":
        run.emit("obs.slo", path, {"spec": "slo-generator", "service": s(spec.get("service_name") or mname),
                                   "name": mname, "objective": to_float(spec.get("goal"))},
                 pattern="ServiceLevelObjective", strength=Strength.DIRECT, key=("slo", mname))
    elif "slo_name" in doc and ("slo_target" in doc or "goal" in doc):
        run.emit("obs.slo", path, {"spec": "slo-generator", "service": s(doc.get("service_name")),
                                   "name": s(doc.get("slo_name")), "objective": to_float(doc.get("slo_target") or doc.get("goal"))},
                 pattern="slo_name", strength=Strength.DIRECT)
    elif name.startswith("slo") and isinstance(doc.get("services"), dict):
        for svc, body in doc["services"].items():
            for slo in (body or {}).get("slos") or [] if isinstance(body, dict) else []:
                if isinstance(slo, dict):
                    run.emit("obs.slo", path, {"spec": "wafpp", "service": str(svc), "name": s(slo.get("name")),
                                               "objective": to_float(slo.get("target"))},
                             pattern=(s(slo.get("name"))) or "slos", strength=Strength.DIRECT,
                             key=("slo", svc, s(slo.get("name"))))
