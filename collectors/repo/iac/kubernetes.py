"""Kubernetes: manifests (workloads and their rollout strategy and probes), Helm charts, Kustomize, Crossplane,
admission policies (Kyverno, Gatekeeper), and the GitOps objects among them (gitops.py).

`yaml_files` reads every YAML file of the repository once and sends each to its reader: CloudFormation
templates to stacks.py, Ansible playbooks to config_management.py, Kubernetes documents here. Templated
manifests (`*.yaml.j2`, ERB, Go templates) are read through templated.py; Helm chart templates only for the
reconcilers and admission policies they install."""

from __future__ import annotations

import re
from typing import Any

from wafops.collectors.repo.iac.config_management import ANSIBLE_BODY_RX, ANSIBLE_HOSTS_RX, ansible_playbook
from wafops.collectors.repo.iac.gitops import gitops_doc
from wafops.collectors.repo.iac.stacks import CFN_RX, cloudformation
from wafops.collectors.repo.iac.state import IacRun, dirname, role_of
from wafops.collectors.repo.iac.templated import TEMPLATE_MARK_RX, tolerant_yaml, tolerant_yaml_docs
from wafops.scanner.core.model import Evidence

K8S_HEAD_RX = re.compile(r"(?m)^apiVersion:[ \t]*\S")
K8S_KIND_RX = re.compile(r"(?m)^kind:[ \t]*\S")
KIND_LINE_RX = re.compile(r"(?m)^kind:[ \t]*[\"']?([A-Za-z0-9]+)")
# YAML formats that borrow apiVersion/kind but are not applied to a cluster
NOT_K8S_API_RX = re.compile(
    r"^(backstage\.io|openslo|sloth\.slok\.dev|skaffold|kind\.x-k8s\.io|kustomize\.config\.k8s\.io|kuttl\.dev"
    r"|kpt\.dev|config\.kubernetes\.io|ctlptl\.dev|k3d\.io|kubeadm\.k8s\.io|kubelet\.config\.k8s\.io"
    r"|apiserver\.config\.k8s\.io|audit\.k8s\.io|client\.authentication\.k8s\.io|tilt\.dev|garden\.io"
    r"|score\.dev|devfile)", re.I,
)
TEMPLATED_YAML_SUFFIXES = (".yaml.erb", ".yml.erb", ".yaml.j2", ".yml.j2", ".yaml.jinja", ".yaml.jinja2", ".yaml.tpl",
                           ".yml.tpl", ".yaml.tmpl", ".yaml.gotmpl")
# API groups of reconcilers and admission policies read even from chart templates
CONTROLLER_API_RX = re.compile(r"argoproj\.io|toolkit\.fluxcd\.io|kyverno\.io|templates\.gatekeeper\.sh|configsync\.gke\.io")
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Rollout"}


def yaml_files(run: IacRun) -> None:
    tree = run.tree
    charts = {dirname(p) for p in tree.named("Chart.yaml")}
    chart_templates = _chart_templates(tree.files, charts)
    for c in sorted(charts):
        templates = chart_templates.get(c, [])
        d = run.dir("helm", c + "/Chart.yaml" if c != "." else "Chart.yaml")
        d.files += 1 + len(templates)
        d.resources = len([t for t in templates if t.endswith((".yaml", ".yml", ".tpl"))])
        d.root = True
    flux_alerts: list[Evidence] = []
    flux_apps: list[Evidence] = []
    for path in tree.with_suffix(".yaml", ".yml"):
        if path.startswith((".github/", ".gitlab/", ".circleci/")) or under_chart_templates(path, charts):
            continue
        name = path.rsplit("/", 1)[-1].lower()
        if name in ("kustomization.yaml", "kustomization.yml"):
            _kustomization(run, path)
            continue
        if name in ("serverless.yml", "serverless.yaml", "chart.yaml", "pulumi.yaml", "pulumi.yml"):
            continue
        text = tree.text(path)
        if not text:
            continue
        if CFN_RX.search(text):
            data = tree.yaml(path)
            if data is None and TEMPLATE_MARK_RX.search(text):
                data = tolerant_yaml(text)  # a Go/Jinja-templated stack template
            cloudformation(run, path, data)
            continue
        if not (K8S_HEAD_RX.search(text) and K8S_KIND_RX.search(text)):
            # "hosts:" first: every match of the (line-anchored, so slow) pattern holds it, most files do not
            if "hosts:" in text and ANSIBLE_HOSTS_RX.search(text) and ANSIBLE_BODY_RX.search(text):
                ansible_playbook(run, path)
            continue
        docs = tree.yaml_docs(path)
        if not docs and TEMPLATE_MARK_RX.search(text):
            docs = tolerant_yaml_docs(text)  # Go/Jinja-templated manifests outside a chart
        _k8s_docs(run, path, text, docs, flux_alerts, flux_apps)
    # manifests rendered from ERB/Jinja/Go templates (`config/deploy/production/web.yaml.erb`, `*.yaml.j2`)
    for path in tree.with_suffix(*TEMPLATED_YAML_SUFFIXES):
        if path.startswith((".github/", ".gitlab/", ".circleci/")) or under_chart_templates(path, charts):
            continue
        text = tree.text(path)
        if text and K8S_HEAD_RX.search(text) and K8S_KIND_RX.search(text):
            _k8s_docs(run, path, text, tolerant_yaml_docs(text), flux_alerts, flux_apps)
    # Helm chart templates: the chart already counts as code; read the reconcilers and admission
    # policies it installs (an app-of-apps chart's Argo CD Applications with selfHeal)
    for path in tree.with_suffix(".yaml", ".yml", ".tpl"):
        if not under_chart_templates(path, charts):
            continue
        text = tree.text(path)
        if text and CONTROLLER_API_RX.search(text):
            _k8s_docs(run, path, text, tolerant_yaml_docs(text), flux_alerts, flux_apps, controllers_only=True)
    for e in flux_apps:
        e.attributes["notifies"] = bool(flux_alerts)


def _k8s_docs(run: IacRun, path: str, text: str, docs: list[Any], alerts: list, apps: list,
              controllers_only: bool = False) -> None:
    kind_lines = [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in KIND_LINE_RX.finditer(text)]
    for doc in docs:
        if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str) or "apiVersion" not in doc:
            continue
        if controllers_only and not CONTROLLER_API_RX.search(str(doc.get("apiVersion"))):
            continue
        line = next((ln for ln, k in kind_lines if k == doc["kind"]), 1)
        kind_lines = [(ln, k) for ln, k in kind_lines if ln > line]
        _k8s_doc(run, path, line, doc, alerts, apps)


def _kustomization(run: IacRun, path: str) -> None:
    data = run.tree.yaml(path)
    if not isinstance(data, dict):
        return
    if "kustomize.toolkit.fluxcd.io" in str(data.get("apiVersion", "")):
        return
    d = run.dir("kustomize", path)
    d.files += 1
    d.resources = (d.resources or 0) + sum(len(data.get(k) or []) for k in ("resources", "bases", "components")
                                           if isinstance(data.get(k), list))
    d.root = True


def _k8s_doc(run: IacRun, path: str, line: int, doc: dict[str, Any], alerts: list, apps: list) -> None:
    kind, api = doc["kind"], str(doc.get("apiVersion", ""))
    if role_of(dirname(path)) == "example":
        _example_doc(run, path, api)
        return
    if gitops_doc(run, path, line, doc, alerts, apps):
        return
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    name = str(meta.get("name", ""))
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    if api.startswith("kyverno.io") and kind in ("ClusterPolicy", "Policy"):
        run.ev("iac.policy", path, line, {"tool": "kyverno", "via": "admission"}, f"Kyverno {kind} {name}")
        return
    if api.startswith("templates.gatekeeper.sh") and kind == "ConstraintTemplate":
        run.ev("iac.policy", path, line, {"tool": "gatekeeper", "via": "admission"}, f"Gatekeeper template {name}")
        return
    if "crossplane.io" in api or "upbound.io" in api:
        d = run.dir("crossplane", path)
        d.files = max(d.files, 1)
        d.resources = (d.resources or 0) + 1
        d.root = True
        return
    if NOT_K8S_API_RX.search(api) or (api == "v1" and kind == "Config") or (kind == "Cluster" and "x-k8s" in api):
        return
    _count_manifest(run, path, root=True)
    if kind in WORKLOAD_KINDS:
        _workload(run, path, line, kind, name, spec)


def _example_doc(run: IacRun, path: str, api: str) -> None:
    """Docs/tests/examples hold sample Applications, policies and Deployments (Argo CD's own
    docs/operator-manual/application.yaml): not reconcilers, admission or workloads anyone runs.
    The directory still counts as (example) Kubernetes code."""
    if not (api.startswith("argoproj.io") or "toolkit.fluxcd.io" in api or "crossplane.io" in api
            or "upbound.io" in api or NOT_K8S_API_RX.search(api)):
        _count_manifest(run, path, root=False)


def _count_manifest(run: IacRun, path: str, root: bool) -> None:
    """One more Kubernetes resource in the folder of `path` (files counted once)."""
    d = run.dir("kubernetes", path)
    if root:
        d.root = True
    d.extra.setdefault("_files", set()).add(path)
    d.files = len(d.extra["_files"])
    d.resources = (d.resources or 0) + 1


def _workload(run: IacRun, path: str, line: int, kind: str, name: str, spec: dict[str, Any]) -> None:
    strategy = "RollingUpdate"
    if kind == "Rollout" and isinstance(spec.get("strategy"), dict):
        strategy = next((k for k in ("canary", "blueGreen") if k in spec["strategy"]), "canary")
    elif isinstance(spec.get("strategy"), dict) and spec["strategy"].get("type"):
        strategy = str(spec["strategy"]["type"])
    elif isinstance(spec.get("updateStrategy"), dict) and spec["updateStrategy"].get("type"):
        strategy = str(spec["updateStrategy"]["type"])
    tpl = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    pspec = tpl.get("spec") if isinstance(tpl.get("spec"), dict) else {}
    containers = [c for c in (pspec.get("containers") or []) if isinstance(c, dict)]
    run.ev("k8s.workload", path, line, {
        "kind": kind, "name": name, "strategy": strategy,
        "readiness_probe": any("readinessProbe" in c for c in containers),
        "liveness_probe": any("livenessProbe" in c for c in containers),
        "replicas": spec.get("replicas") if isinstance(spec.get("replicas"), int) else None,
    }, f"{kind} {name} ({strategy})")


def _chart_templates(files: list[str], charts: set[str]) -> dict[str, list[str]]:
    """Chart folder -> the files under its templates/ folder, in one pass over the tree (not one per chart)."""
    out: dict[str, list[str]] = {}
    for path in files:
        if "templates/" not in path:
            continue
        parts = path.split("/")
        for i, seg in enumerate(parts[:-1]):
            chart = "/".join(parts[:i]) or "."
            if seg == "templates" and chart in charts:
                out.setdefault(chart, []).append(path)
    return out


def under_chart_templates(path: str, charts: set[str]) -> bool:
    """Whether `path` is a template of one of the Helm `charts` (or of a chart vendored under its charts/).

    The path's own folders are looked up among the charts, so the cost follows the path's depth, not the
    number of charts (a charts monorepo holds hundreds)."""
    if not charts:
        return False
    if "." in charts and _in_templates(path):
        return True
    pos = path.find("/")
    while pos > 0:
        if path[:pos] in charts and _in_templates(path[pos + 1:]):
            return True
        pos = path.find("/", pos + 1)
    return False


def _in_templates(rest: str) -> bool:
    """`rest` (a path below a chart) lies in the chart's templates/, or in templates/ of a chart under charts/."""
    return rest.startswith("templates/") or ("/templates/" in rest and "/charts/" in "/" + rest)
