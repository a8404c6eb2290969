"""Safe deployment (WAF-OPS-080): rollout strategies, flag services, flag lifecycle, experiments,
rollback procedures -> `deploy.*` evidence.

What counts, and why:
- A rollout *definition* that is safer than big-bang: Argo Rollouts, Flagger, CodeDeploy (appspec,
  Terraform groups and configs, SAM `DeploymentPreference`, serverless canary settings), ECS
  circuit breaker / CodeDeploy controller, weighted Lambda aliases, App Service slots, Container
  Apps revisions, weighted ALB listeners, Istio weights, Beanstalk policies, `helm --atomic` in CI.
  A plain Kubernetes Deployment is the IaC helper's `k8s.workload`; its default RollingUpdate is
  not progressive delivery and is not repeated here.
- Literal values only: a Terraform module whose config name is `var.x` shows capability, not
  practice, so unresolved expressions are not read as canary/rollback.
- Examples, tests, fixtures and docs directories of product repositories (argo-rollouts, flagger,
  terraform-aws-modules) hold sample manifests, not the team's deployments: they are skipped.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.repo.ci_model import as_list
from wafops.collectors.translate import aws as translate_aws
from wafops.collectors.translate import azure as translate_azure
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.hcl import blocks, first
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Evidence, Strength, Subject
from wafops.scanner.core.vocabulary import DOC_DIRS, SAMPLE_DIRS, is_production, is_sample_path, redact

SAMPLE_SEGMENTS = SAMPLE_DIRS | DOC_DIRS
_K8S_KINDS = re.compile(
    r"(?m)^kind:[ \t]*['\"]?(Rollout|AnalysisTemplate|ClusterAnalysisTemplate|Canary|VirtualService|TrafficSplit"
    r"|FeatureFlag|FeatureFlagSource|FeatureFlagConfiguration)['\"]?[ \t]*$"
)
_TF_TYPES = re.compile(
    r'resource\s+"(aws_codedeploy_deployment_group|aws_codedeploy_deployment_config|aws_ecs_service|aws_lambda_alias'
    r"|azurerm_\w*_slot|azurerm_container_app|aws_lb_listener(?:_rule)?|aws_alb_listener(?:_rule)?"
    r"|aws_elastic_beanstalk_environment|aws_appconfig_configuration_profile|launchdarkly_\w+|unleash_\w+|flagsmith_\w+"
    r'|configcat_\w+|azurerm_app_configuration_feature|aws_evidently_\w+|growthbook_\w+|statsig_\w+)"'
)
_COMPOSE_FLAG_IMAGES = {
    "unleashorg/unleash-server": "unleash", "unleash-server": "unleash", "flagsmith/flagsmith": "flagsmith",
    "growthbook/growthbook": "growthbook", "open-feature/flagd": "flagd", "flipt/flipt": "flipt",
    "gofeatureflag/go-feature-flag": "go-feature-flag", "flagd": "flagd",
}
_CI_GLOBS = (".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml", "*.gitlab-ci.yml", ".gitlab/*.yml",
             "azure-pipelines*.yml", ".azure-pipelines/*.yml", "jenkinsfile*", "*/jenkinsfile", ".circleci/config.yml",
             "bitbucket-pipelines.yml", ".buildkite/*.yml", "helmfile.yaml", "helmfile.yml", "*/helmfile.yaml",
             "Makefile", "scripts/*.sh", "deploy/*.sh", "*/deploy.sh", "deploy.sh")
_ATOMIC = re.compile(r"\bhelm(?:file)?\b[^\n]*?(?:--atomic|--rollback-on-failure)|^\s*atomic:\s*true", re.M | re.I)
_FLAG_LIFECYCLE = re.compile(r"launchdarkly/find-code-references|ld-find-code-refs|\bpiranha\b|flag[-_ ]?cleanup|stale[-_ ]?flags?", re.I)
_OPS_PATH = re.compile(r"(?i)(^|/)(runbooks?|playbooks?|ops|operations|sre|on-?call|procedures?|incidents?)(/|$)")
_DEPLOY_PATH = re.compile(r"(?i)(^|/)(deploy(ment)?s?|releas(e|ing))(/|$)")
_ROLLBACK_HEAD = re.compile(r"(?im)^(?:#{1,3}|={1,3})\s+.*\broll(?:ing)?[ -]?back\b.*$")
_ROLLBACK_NAME = re.compile(r"(?i)roll[-_ ]?back")


def is_sample(path: str) -> bool:
    return is_sample_path(path, DOC_DIRS)


class DeployCollector(Collector):
    name = "deploy"
    reads = ("tree",)  # see Collector.reads
    source = "repo"
    description = "Safe deployment: rollout strategies, auto rollback, flag services, flag lifecycle, rollback procedures"
    controls = ("WAF-OPS-080", "WAF-OPS-010")

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterator[Evidence]:
        yield from ctx.run_detectors("deploy", DETECTORS, ctx)

    def hcl_blocks(self, subject: Subject, ctx: CollectContext) -> list[tuple[str, Wanted]]:
        return [(path, _WANTED) for path in _tf_paths(ctx.tree)] if ctx.tree is not None else []


def strategy(ctx: CollectContext, path: str, line: int | None, tool: str, kind: str, *, analysis: bool = False,
             health_gate: bool = False, auto_rollback: bool = False, manual_pause: bool = False, keeps_old: bool = False,
             name: str = "", strength: Strength = Strength.DIRECT, summary: str = "") -> Evidence:
    attrs = {"tool": tool, "kind": kind, "analysis": analysis, "health_gate": health_gate, "auto_rollback": auto_rollback,
             "manual_pause": manual_pause, "keeps_old": keeps_old, "name": redact(name, 120)}
    flags = [k for k in ("analysis", "health_gate", "auto_rollback", "manual_pause", "keeps_old") if attrs[k]]
    return ctx.file_evidence("deploy.strategy", path, line=line or 1, attributes=attrs, strength=strength,
                             summary=summary or f"{tool} {kind} rollout {attrs['name']} ({', '.join(flags) or 'no gates'})")


# ==== Kubernetes manifests ======================================================================


def _k8s(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.with_suffix(".yaml", ".yml"):
        if path.startswith(".github/") or is_sample(path):
            continue
        text = tree.text(path)
        if not text or not _K8S_KINDS.search(text):
            continue
        if "{{" in text:
            yield from _k8s_templated(ctx, path, text)
            continue
        for doc in tree.yaml_docs(path):
            if not isinstance(doc, dict):
                continue
            kind = str(doc.get("kind") or "")
            meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
            name = str(meta.get("name") or "")
            spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
            line = tree.line_of(path, re.compile(rf"^kind:\s*['\"]?{kind}\b")) if kind else 1
            if name:
                line = tree.line_of(path, re.compile(r"^\s+name:\s*['\"]?" + re.escape(name) + r"['\"]?\s*$"), line or 1) or line
            if kind == "Rollout" and "argoproj.io" in str(doc.get("apiVersion")):
                yield _rollout(ctx, path, line, name, spec)
            elif kind == "Canary" and "flagger" in str(doc.get("apiVersion")):
                yield _flagger(ctx, path, line, name, spec)
            elif kind == "VirtualService" and "istio" in str(doc.get("apiVersion")):
                ev = _istio(ctx, path, line, name, spec)
                if ev:
                    yield ev
            elif kind == "TrafficSplit":
                backends = [b for b in as_list(spec.get("backends")) if isinstance(b, dict) and b.get("weight")]
                if len(backends) >= 2:
                    yield strategy(ctx, path, line, "istio", "canary", name=name, strength=Strength.STRONG,
                                   summary=f"SMI TrafficSplit {name} with {len(backends)} weighted backends")
            elif kind in ("FeatureFlag", "FeatureFlagSource", "FeatureFlagConfiguration") and "openfeature" in str(doc.get("apiVersion")):
                yield ctx.file_evidence("deploy.flag_service", path, line=line, attributes={"tool": "flagd"},
                                        summary=f"OpenFeature operator {kind} {name}")


def _rollout(ctx: CollectContext, path: str, line: int | None, name: str, spec: dict[str, Any]) -> Evidence:
    strat = spec.get("strategy") if isinstance(spec.get("strategy"), dict) else {}
    if isinstance(strat.get("blueGreen"), dict):
        bg = strat["blueGreen"]
        analysis = bool(bg.get("prePromotionAnalysis") or bg.get("postPromotionAnalysis"))
        manual = bg.get("autoPromotionEnabled") is False
        return strategy(ctx, path, line, "argo-rollouts", "blue-green", analysis=analysis, health_gate=True,
                        auto_rollback=analysis, manual_pause=manual, keeps_old=True, name=name)
    canary = strat.get("canary") if isinstance(strat.get("canary"), dict) else {}
    steps = [s for s in as_list(canary.get("steps")) if isinstance(s, dict)]
    analysis = bool(canary.get("analysis")) or any("analysis" in s for s in steps)
    manual = any("pause" in s and (not isinstance(s["pause"], dict) or not s["pause"].get("duration")) for s in steps)
    return strategy(ctx, path, line, "argo-rollouts", "canary", analysis=analysis, health_gate=True, auto_rollback=analysis,
                    manual_pause=manual, keeps_old=True, name=name)


def _flagger(ctx: CollectContext, path: str, line: int | None, name: str, spec: dict[str, Any]) -> Evidence:
    an = spec.get("analysis") or spec.get("canaryAnalysis")
    an = an if isinstance(an, dict) else {}
    metrics = [m for m in as_list(an.get("metrics")) if isinstance(m, dict) and (m.get("thresholdRange") or m.get("threshold"))]
    kind = "canary" if (an.get("stepWeight") or an.get("stepWeights") or an.get("maxWeight")) else "blue-green"
    hooks = [str(w.get("type")) for w in as_list(an.get("webhooks")) if isinstance(w, dict)]
    manual = any(t in ("confirm-promotion", "confirm-rollout", "confirm-traffic-increase") for t in hooks)
    return strategy(ctx, path, line, "flagger", kind, analysis=bool(metrics), health_gate=True, auto_rollback=True,
                    manual_pause=manual, keeps_old=True, name=name)


def _istio(ctx: CollectContext, path: str, line: int | None, name: str, spec: dict[str, Any]) -> Evidence | None:
    for route in as_list(spec.get("http")):
        if not isinstance(route, dict):
            continue
        weights = [d.get("weight") for d in as_list(route.get("route")) if isinstance(d, dict)]
        weights = [w for w in weights if isinstance(w, int | float)]
        if len(weights) >= 2 and 0 < max(weights) < 100:
            return strategy(ctx, path, line, "istio", "canary", name=name, strength=Strength.STRONG,
                            summary=f"Istio VirtualService {name} splits traffic {weights}")
    return None


def _k8s_templated(ctx: CollectContext, path: str, text: str) -> Iterator[Evidence]:
    """Helm templates do not parse as YAML; read the few keys that matter with regexes."""
    m = re.search(r"(?m)^kind:[ \t]*['\"]?(Rollout|Canary)\b", text)
    if not m:
        return
    line = text.count("\n", 0, m.start()) + 1
    analysis = re.search(r"(?m)^\s+(analysis|prePromotionAnalysis|postPromotionAnalysis|metrics):", text) is not None
    if m.group(1) == "Rollout":
        kind = "blue-green" if re.search(r"(?m)^\s+blueGreen:", text) else "canary"
        manual = re.search(r"pause:\s*\{\s*\}|autoPromotionEnabled:\s*false", text) is not None
        yield strategy(ctx, path, line, "argo-rollouts", kind, analysis=analysis, health_gate=True, auto_rollback=analysis,
                       manual_pause=manual, keeps_old=True, name=posixpath.basename(path), strength=Strength.STRONG)
    else:
        yield strategy(ctx, path, line, "flagger", "canary", analysis=analysis, health_gate=True, auto_rollback=True,
                       keeps_old=True, name=posixpath.basename(path), strength=Strength.STRONG)


# ==== Terraform =================================================================================


def _lit(value: Any) -> Any:
    """A literal value, or None when it is an unresolved expression (`${var.x}`)."""
    if isinstance(value, str) and "${" in value:
        return None
    return value


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _tf_paths(tree: RepoTree) -> list[str]:
    """The .tf files `_terraform` parses (the blocks it reads): outside samples, declaring a resource type read here."""
    return [p for p in tree.with_suffix(".tf") if not is_sample(p) and _worth_parsing(tree.text(p) or "")]


def _terraform(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    paths = _tf_paths(tree)
    tree.prefetch_hcl(paths, _WANTED)
    for path in paths:
        found = [b for b in blocks(tree.hcl(path, _WANTED)) if b.type == "resource" and len(b.labels) >= 2]
        configs = {b.labels[1]: b.body for b in found if b.labels[0] == "aws_codedeploy_deployment_config"}
        heads: dict[tuple[str, str], int] | None = None  # built for the first resource this collector reads
        for b in found:
            rtype, rname = b.labels[0], b.labels[1]
            read = _reader(rtype)
            if read is None:  # only the resources read here are located
                continue
            if '"' in rtype or '"' in rname:  # outside what _resource_lines reads exactly
                line = tree.line_of(path, re.compile(rf'resource\s+"{re.escape(rtype)}"\s+"{re.escape(rname)}"'))
            else:
                heads = _resource_lines(tree.text(path) or "") if heads is None else heads
                line = heads.get((rtype, rname))
            yield from read(_Res(ctx, path, line, rtype, rname, b.body, configs))


_RESOURCE_HEAD = re.compile(r'resource\s+"([^"]*)"\s+"([^"]*)"')


def _resource_lines(text: str) -> dict[tuple[str, str], int]:
    """(type, name) -> the first line holding `resource "type" "name"`, anywhere on the line: what
    `line_of(path, re.compile(rf'resource\\s+"{type}"\\s+"{name}"'))` answers, for a whole file at once.

    Why: compiling one pattern per resource cost more than the search itself (1,300 compiles on the
    benchmark tree). Exact for labels without a double quote: at a given offset the pattern can only
    split the text one way (whitespace runs end at a quote, a label at the next quote), so it matches
    there exactly when this reading finds that type and name there; every offset of "resource" is tried."""
    out: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        pos = line.find("resource")
        while pos >= 0:
            m = _RESOURCE_HEAD.match(line, pos)
            if m:
                out.setdefault((m.group(1), m.group(2)), number)
            pos = line.find("resource", pos + 1)
    return out


# Resource types that only matter with certain settings: skip the (slow) HCL parse without them.
_TF_NEEDS = {
    "aws_ecs_service": re.compile(r"deployment_circuit_breaker|deployment_controller|deployment_minimum_healthy_percent|alarms"),
    "aws_lb_listener": re.compile(r"forward\s*\{[\s\S]*weight"),
    "aws_lb_listener_rule": re.compile(r"forward\s*\{[\s\S]*weight"),
    "aws_alb_listener": re.compile(r"forward\s*\{[\s\S]*weight"),
    "aws_alb_listener_rule": re.compile(r"forward\s*\{[\s\S]*weight"),
    "aws_elastic_beanstalk_environment": re.compile(r"DeploymentPolicy"),
    "azurerm_container_app": re.compile(r"traffic_weight"),
    "aws_appconfig_configuration_profile": re.compile(r"AWS\.AppConfig\.FeatureFlags"),
}


def _worth_parsing(text: str) -> bool:
    for m in _TF_TYPES.finditer(text):
        need = _TF_NEEDS.get(m.group(1))
        if need is None or need.search(text):
            return True
    return False


@dataclass(frozen=True)
class _Res:
    """One Terraform resource block, with where it was declared and the deployment configs of its file."""

    ctx: CollectContext
    path: str
    line: int | None
    rtype: str
    name: str
    body: dict[str, Any]
    configs: dict[str, dict[str, Any]]

    def strategy(self, tool: str, kind: str, **kw: Any) -> Evidence:
        return strategy(self.ctx, self.path, self.line, tool, kind, name=self.name, **kw)

    def evidence(self, kind: str, tool: str, summary: str, strength: Strength = Strength.DIRECT) -> Evidence:
        return self.ctx.file_evidence(kind, self.path, line=self.line, attributes={"tool": tool}, strength=strength,
                                      summary=summary)


_LB_TYPES = ("aws_lb_listener", "aws_lb_listener_rule", "aws_alb_listener", "aws_alb_listener_rule")
_FLAG_VENDORS = ("launchdarkly_", "unleash_", "flagsmith_", "configcat_", "growthbook_", "statsig_")


def _reader(rtype: str) -> Callable[[_Res], Iterator[Evidence]] | None:
    """The reader of a resource type (None for the types this collector ignores)."""
    read = _READERS.get(rtype)
    if read is None and rtype.startswith("azurerm_") and rtype.endswith("_slot"):
        read = _tf_azure_app
    if read is None and rtype.startswith(_FLAG_VENDORS + ("aws_evidently_",)):
        read = _tf_flags
    return read


# the blocks `_terraform` reads from a parse: the resources it has a reader for (deployment configs among them)
_WANTED = Wanted(resource_test=_reader)


def _tf_codedeploy_config(r: _Res) -> Iterator[Evidence]:
    trc = first(r.body.get("traffic_routing_config"))
    t = str(_lit(trc.get("type")) or "") if isinstance(trc, dict) else ""
    kind = translate_aws.CODEDEPLOY_KINDS.get(t)
    if kind is None and first(r.body.get("minimum_healthy_hosts")):
        kind = "rolling"
    if kind:
        yield r.strategy("codedeploy", kind, summary=f"CodeDeploy deployment config {r.name}: {t or 'minimum healthy hosts'}")


def _tf_ecs_service(r: _Res) -> Iterator[Evidence]:
    body, rname = r.body, r.name
    cb = first(body.get("deployment_circuit_breaker"))
    ctl = first(body.get("deployment_controller"))
    alarms = first(body.get("alarms"))
    cb, alarms = (cb if isinstance(cb, dict) else {}), (alarms if isinstance(alarms, dict) else {})
    api = {  # the API shape the one ECS translation reads (collectors/translate/aws.py)
        "deploymentController": {"type": str(_lit(ctl.get("type")) or "")} if isinstance(ctl, dict) else {},
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": _true(_lit(cb.get("enable"))), "rollback": _true(_lit(cb.get("rollback")))},
            "alarms": {"enable": bool(alarms) and _true(_lit(alarms.get("enable", True))), "alarmNames": alarms.get("alarm_names"),
                       "rollback": _true(_lit(alarms.get("rollback")))},
            "minimumHealthyPercent": _lit(body.get("deployment_minimum_healthy_percent"))}}
    s = translate_aws.ecs_service_strategy(api)
    if s is None:
        return
    if s["kind"] == "blue-green":
        summary = f"ECS service {rname} deployed blue/green by CodeDeploy"
    elif s["kind"] == "rolling":
        cb_on, al_on = s["health_gate"] and api["deploymentConfiguration"]["deploymentCircuitBreaker"]["enable"], s["analysis"]
        summary = (f"ECS service {rname}: rolling with {'circuit breaker' if cb_on else ''}{' + ' if cb_on and al_on else ''}"
                   f"{'deployment alarms' if al_on else ''}{' and automatic rollback' if s['auto_rollback'] else ''}")
    else:
        summary = f"ECS service {rname}: minimum healthy 0 % (all tasks replaced at once)"
    yield r.strategy(s["tool"], s["kind"], analysis=s.get("analysis", False), health_gate=s.get("health_gate", False),
                     auto_rollback=s.get("auto_rollback", False), keeps_old=s.get("keeps_old", False), summary=summary)


def _tf_lambda_alias(r: _Res) -> Iterator[Evidence]:
    rc = first(r.body.get("routing_config"))
    weights = rc.get("additional_version_weights") if isinstance(rc, dict) else None
    if isinstance(weights, dict) and weights:
        yield r.strategy("lambda-alias", "canary", keeps_old=True,
                         summary=f"Lambda alias {r.name} shifts a share of traffic to a new version")
    elif str(r.body.get("function_version") or "") not in ("", "$LATEST"):
        yield r.strategy("lambda-alias", "all-at-once", keeps_old=True, strength=Strength.STRONG,
                         summary=f"Lambda alias {r.name} points at a published version (old versions stay for rollback)")


def _tf_azure_app(r: _Res) -> Iterator[Evidence]:
    """App Service deployment slots and Container Apps: the same translations as for resources read from Azure
    Resource Manager (collectors/translate/azure.py)."""
    if r.rtype != "azurerm_container_app":
        a = translate_azure.slot_strategy(*translate_azure.slot_from_terraform(r.name, r.body))
        yield r.strategy(a["tool"], a["kind"], health_gate=a["health_gate"], keeps_old=a["keeps_old"],
                         summary=f"App Service deployment slot {r.name} (swap and swap back)")
        return
    c = translate_azure.container_app_strategy(translate_azure.container_app_from_terraform(r.body), r.name)
    if c is not None:
        yield r.strategy(c["tool"], c["kind"], keeps_old=c["keeps_old"],
                         summary=f"Container App {r.name}: multiple revisions with weighted traffic")


def _tf_listener(r: _Res) -> Iterator[Evidence]:
    for action in as_list(r.body.get("default_action")) + as_list(r.body.get("action")):
        fwd = first(action.get("forward")) if isinstance(action, dict) else None
        groups = [g for g in as_list(fwd.get("target_group")) if isinstance(g, dict)] if isinstance(fwd, dict) else []
        if len(groups) >= 2:
            yield r.strategy("alb", "blue-green", keeps_old=True, strength=Strength.STRONG,
                             summary=f"Load balancer listener {r.name} forwards to {len(groups)} weighted target groups")
            break


_BEANSTALK_KINDS = {"TrafficSplitting": "canary", "Immutable": "blue-green", "Rolling": "rolling",
                    "RollingWithAdditionalBatch": "rolling", "AllAtOnce": "all-at-once"}


def _tf_beanstalk(r: _Res) -> Iterator[Evidence]:
    for s in as_list(r.body.get("setting")):
        if isinstance(s, dict) and str(s.get("name")) == "DeploymentPolicy":
            policy = str(_lit(s.get("value")) or "")
            kind = _BEANSTALK_KINDS.get(policy)
            if kind:
                yield r.strategy("beanstalk", kind, health_gate=kind != "all-at-once",
                                 auto_rollback=kind in ("canary", "blue-green"),
                                 summary=f"Elastic Beanstalk {r.name}: DeploymentPolicy {policy}")


def _tf_flags(r: _Res) -> Iterator[Evidence]:
    """Feature-flag services and experiments managed in Terraform: AppConfig, Azure App Configuration, flag
    vendors' providers, CloudWatch Evidently."""
    rtype, rname = r.rtype, r.name
    if rtype == "aws_appconfig_configuration_profile":
        if str(r.body.get("type")) == "AWS.AppConfig.FeatureFlags":
            yield r.evidence("deploy.flag_service", "appconfig", f"AppConfig feature-flag profile {rname}")
    elif rtype == "azurerm_app_configuration_feature":
        yield r.evidence("deploy.flag_service", "azure-app-configuration",
                         f"Azure App Configuration feature flag {rname}")
    elif rtype.startswith(_FLAG_VENDORS):
        tool = rtype.split("_", 1)[0]
        if rtype in ("launchdarkly_metric", "statsig_experiment", "growthbook_experiment") or "experiment" in rtype:
            yield r.evidence("deploy.experiment", tool, f"{tool} experiment/metric {rname} managed in Terraform")
        else:
            yield r.evidence("deploy.flag_service", tool, f"{tool} {rtype.split('_', 1)[1]} {rname} managed in Terraform")
        if rtype == "launchdarkly_feature_flag" and _true(r.body.get("temporary")):
            yield r.evidence("deploy.flag_lifecycle", "launchdarkly-temporary",
                             f"flag {rname} is marked temporary (stale-flag tracking)", Strength.STRONG)
    elif rtype in ("aws_evidently_launch", "aws_evidently_feature"):
        yield r.evidence("deploy.flag_service", "evidently", f"CloudWatch Evidently {rtype.split('_', 2)[2]} {rname}")


def _codedeploy_group(r: _Res) -> Iterator[Evidence]:
    body, configs, rname = r.body, r.configs, r.name
    cfg_name = str(body.get("deployment_config_name") or "")
    kind: str | None = None
    ref = re.search(r"aws_codedeploy_deployment_config\.(\w+)", cfg_name)
    if ref and ref.group(1) in configs:
        trc = first(configs[ref.group(1)].get("traffic_routing_config"))
        t = str(trc.get("type")) if isinstance(trc, dict) else ""
        kind = translate_aws.CODEDEPLOY_KINDS.get(t, "rolling")
    elif "${" not in cfg_name:
        kind = translate_aws.codedeploy_config_kind(cfg_name)
    style = first(body.get("deployment_style"))
    blue_green = isinstance(style, dict) and str(style.get("deployment_type")) == "BLUE_GREEN"
    if not kind and not blue_green and not cfg_name:
        kind = "rolling"  # CodeDeploy's default config is OneAtATime (in place)
    if blue_green and kind in (None, "all-at-once", "rolling"):
        kind = "blue-green"
    if not kind:
        return
    arc = first(body.get("auto_rollback_configuration"))
    events = [str(e) for e in as_list(arc.get("events"))] if isinstance(arc, dict) else []
    auto_rb = isinstance(arc, dict) and _true(_lit(arc.get("enabled"))) and bool(events)
    alarm = first(body.get("alarm_configuration"))
    alarms = isinstance(alarm, dict) and _true(_lit(alarm.get("enabled", True))) and bool(alarm.get("alarms"))
    bgc = first(body.get("blue_green_deployment_config"))
    keeps_old = manual = False
    if isinstance(bgc, dict):
        term = first(bgc.get("terminate_blue_instances_on_deployment_success"))
        if isinstance(term, dict):
            wait = _lit(term.get("termination_wait_time_in_minutes"))
            keeps_old = str(term.get("action")) == "KEEP_ALIVE" or (isinstance(wait, int | float) and wait >= 5)
        ready = first(bgc.get("deployment_ready_option"))
        if isinstance(ready, dict) and str(ready.get("action_on_timeout")) == "STOP_DEPLOYMENT":
            manual = True
    yield r.strategy("codedeploy", kind, analysis=alarms, health_gate=alarms or kind != "all-at-once",
                     auto_rollback=auto_rb, manual_pause=manual, keeps_old=keeps_old or kind in ("canary", "linear"),
                     summary=f"CodeDeploy group {rname}: {kind}{' with alarms' if alarms else ''}"
                     f"{', auto rollback on ' + '/'.join(events) if auto_rb else ''}")


_READERS: dict[str, Callable[[_Res], Iterator[Evidence]]] = {
    "aws_codedeploy_deployment_group": _codedeploy_group,
    "aws_codedeploy_deployment_config": _tf_codedeploy_config,
    "aws_ecs_service": _tf_ecs_service,
    "aws_lambda_alias": _tf_lambda_alias,
    "azurerm_container_app": _tf_azure_app,
    **dict.fromkeys(_LB_TYPES, _tf_listener),
    "aws_elastic_beanstalk_environment": _tf_beanstalk,
    "aws_appconfig_configuration_profile": _tf_flags,
    "azurerm_app_configuration_feature": _tf_flags,
}


# ==== CodeDeploy appspec, SAM, serverless, Bicep ==============================================


def _appspec(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.named("appspec.yml", "appspec.yaml", "appspec.json"):
        if is_sample(path):
            continue
        data = tree.json(path) if path.endswith(".json") else tree.yaml(path)
        if not isinstance(data, dict):
            continue
        hooks = data.get("Hooks") or data.get("hooks")
        names = []
        for h in as_list(hooks):
            names.extend(h.keys() if isinstance(h, dict) else [str(h)])
        text = str(data.get("Resources") or "")
        if "TargetService" in text:
            kind, tool = "blue-green", "codedeploy"
        elif "AWS::Lambda::Function" in text:
            kind, tool = "blue-green", "codedeploy"
        else:
            kind, tool = "rolling", "codedeploy"
        gate = any(n in ("BeforeAllowTraffic", "AfterAllowTraffic", "ValidateService", "AfterAllowTestTraffic") for n in names)
        yield strategy(ctx, path, 1, tool, kind, health_gate=gate, keeps_old=kind == "blue-green", name=path,
                       strength=Strength.STRONG, summary=f"CodeDeploy appspec ({kind}; hooks {', '.join(names) or 'none'})")


_SAM_PREF = re.compile(r"DeploymentPreference|deploymentSettings")


def _sam_and_serverless(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.with_suffix(".yaml", ".yml", ".json"):
        if path.startswith(".github/") or is_sample(path) or path.endswith(("package.json", "package-lock.json")):
            continue
        base = posixpath.basename(path).lower()
        if not (base.startswith(("template", "serverless", "sam")) or "stack" in base or "cfn" in base or "cloudformation" in base):
            continue
        text = tree.text(path)
        if not text or not _SAM_PREF.search(text):
            continue
        data = tree.json(path) if path.endswith(".json") else tree.yaml(path)
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("Resources"), dict):
            for rname, res in data["Resources"].items():
                props = res.get("Properties") if isinstance(res, dict) else None
                pref = props.get("DeploymentPreference") if isinstance(props, dict) else None
                if isinstance(pref, dict):
                    yield _pref(ctx, path, str(rname), pref.get("Type"), pref.get("Alarms"), pref.get("Hooks"), pref.get("Enabled"))
        custom = data.get("custom") if isinstance(data.get("custom"), dict) else {}
        functions = data.get("functions") if isinstance(data.get("functions"), dict) else {}
        for fname, fn in functions.items():
            ds = fn.get("deploymentSettings") if isinstance(fn, dict) else None
            ds = ds if isinstance(ds, dict) else custom.get("deploymentSettings")
            if isinstance(ds, dict):
                yield _pref(ctx, path, str(fname), ds.get("type"), ds.get("alarms"),
                            [ds.get("preTrafficHook"), ds.get("postTrafficHook")], True)


def _pref(ctx: CollectContext, path: str, name: str, ptype: Any, alarms: Any, hooks: Any, enabled: Any) -> Evidence:
    t = str(ptype or "").lower()
    kind = "canary" if "canary" in t else "linear" if "linear" in t else "all-at-once" if "allatonce" in t else "canary"
    alarms_on = bool([a for a in as_list(alarms) if a])
    hooks_on = bool([h for h in as_list(hooks) if h]) if not isinstance(hooks, dict) else bool(hooks)
    assert ctx.tree is not None
    line = ctx.tree.line_of(path, re.compile(r"^\s*['\"]?" + re.escape(name) + r"['\"]?\s*:")) or \
        ctx.tree.line_of(path, _SAM_PREF)
    off = enabled is False or str(enabled).lower() == "false"
    return strategy(ctx, path, line, "codedeploy", "all-at-once" if off else kind, analysis=alarms_on, health_gate=alarms_on or hooks_on,
                    auto_rollback=alarms_on, keeps_old=True, name=name,
                    summary=f"Lambda {name}: CodeDeploy traffic shifting {ptype or ''}{' with alarms' if alarms_on else ''}")


def _bicep_slots(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.with_suffix(".bicep"):
        if is_sample(path):
            continue
        text = tree.text(path) or ""
        m = re.search(r"Microsoft\.Web/sites/slots@", text)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            yield strategy(ctx, path, line, "app-service-slots", "blue-green", health_gate="healthCheckPath" in text,
                           keeps_old=True, name=posixpath.basename(path), summary="App Service deployment slot (Bicep)")
        if "Microsoft.AppConfiguration/configurationStores/keyValues" in text and ".appconfig.featureflag" in text:
            yield ctx.file_evidence("deploy.flag_service", path, line=tree.line_of(path, ".appconfig.featureflag"),
                                    attributes={"tool": "azure-app-configuration"}, summary="Azure App Configuration feature flags (Bicep)")


# ==== CI files: helm --atomic, slot swaps, flag lifecycle ======================================


def _ci_texts(ctx: CollectContext) -> Iterator[tuple[str, str]]:
    tree = ctx.tree
    assert tree is not None
    paths = [p for p in tree.glob(*_CI_GLOBS) if not is_sample(p)]
    yield from tree.iter_text(dict.fromkeys(paths))


def _helm_atomic(ctx: CollectContext) -> Iterator[Evidence]:
    for path, text in _ci_texts(ctx):
        m = _ATOMIC.search(text)
        if m and ("helm" in m.group(0).lower() or "helmfile" in path.lower()):
            line = text.count("\n", 0, m.start()) + 1
            yield strategy(ctx, path, line, "helm", "rolling", health_gate=True, auto_rollback=True, name=path,
                           strength=Strength.STRONG, summary="helm release with --atomic: a failed upgrade rolls back")
        s = re.search(r"az webapp deployment slot swap|AzureAppServiceManage@\d[\s\S]{0,200}?Swap Slots|azure/webapps-deploy[\s\S]{0,300}?slot-name", text)
        if s:
            line = text.count("\n", 0, s.start()) + 1
            yield strategy(ctx, path, line, "app-service-slots", "blue-green", keeps_old=True, name=path, strength=Strength.STRONG,
                           summary="deploys to an App Service slot and swaps")


def _flag_lifecycle_files(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    for path, text in _ci_texts(ctx):
        m = _FLAG_LIFECYCLE.search(text)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            tool = "launchdarkly-code-refs" if "code-ref" in m.group(0).lower() else redact(m.group(0).lower(), 40)
            yield ctx.file_evidence("deploy.flag_lifecycle", path, line=line, attributes={"tool": tool},
                                    summary=f"flag lifecycle tooling in CI: {tool}")
    for path in tree.glob(".launchdarkly/coderefs.yaml", ".launchdarkly/coderefs.yml", "piranha.toml", "*/piranha/*.toml"):
        yield ctx.file_evidence("deploy.flag_lifecycle", path, line=1,
                                attributes={"tool": "launchdarkly-code-refs" if "launchdarkly" in path else "piranha"},
                                summary="flag code-reference / cleanup configuration")


# ==== flag services outside Terraform ==========================================================


def _compose_flags(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob("*docker-compose*.yml", "*docker-compose*.yaml", "*compose.yml", "*compose.yaml"):
        if is_sample(path):
            continue
        text = tree.text(path) or ""
        for m in re.finditer(r"(?m)^\s*image:\s*['\"]?([\w./-]+)", text):
            image = m.group(1).lower()
            for key, tool in _COMPOSE_FLAG_IMAGES.items():
                if key in image:
                    line = text.count("\n", 0, m.start()) + 1
                    yield ctx.file_evidence("deploy.flag_service", path, line=line, attributes={"tool": tool},
                                            strength=Strength.STRONG, summary=f"{tool} flag server in {posixpath.basename(path)}")
                    if tool == "growthbook":
                        yield ctx.file_evidence("deploy.experiment", path, line=line, attributes={"tool": tool},
                                                strength=Strength.WEAK, summary="GrowthBook (experimentation platform) server")
                    break


def _flagd_files(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.files:
        low = path.lower()
        if not low.endswith((".json", ".yaml", ".yml")) or "flag" not in posixpath.basename(low) or is_sample(path):
            continue
        text = tree.text(path) or ""
        if "flagd" not in text or '"flags"' not in text and "flags:" not in text:
            continue
        data = tree.json(path) if low.endswith(".json") else tree.yaml(path)
        if isinstance(data, dict) and isinstance(data.get("flags"), dict) and "flagd" in str(data.get("$schema", "")):
            yield ctx.file_evidence("deploy.flag_service", path, line=1,
                                    attributes={"tool": "flagd", "flags": len(data["flags"])},
                                    summary=f"flagd flag definitions ({len(data['flags'])} flags)")


# In-house flag systems: a module named for feature flags/toggles (cal.com `packages/features/flags`,
# Grafana `featuremgmt`, `feature_flags.py`), or flag definition files (GitLab `config/feature_flags/**.yml`).
# "flags" alone is not enough: `cmd/flags`, `internal/command/flags` parse CLI flags.
_FLAG_SEGMENT = re.compile(r"(?i)^(feature[-_]?(flags?|toggles?|switch(es)?|gates?)|featuremgmt|feature[-_]?management)$")
_FLAG_STEM = re.compile(r"(?i)^(feature[-_]?(flags?|toggles?|switch(es)?)|featuremgmt)$")
_FLAG_DEFS_DIR = re.compile(r"(?i)(^|/)config/feature[-_]?flags/")
_SOURCE_EXT = (".py", ".ts", ".tsx", ".js", ".jsx", ".go", ".rb", ".java", ".kt", ".cs", ".php", ".ex", ".scala", ".rs")
_VENDORED = {"node_modules", "vendor", "third_party", "third-party", "external", "dist", "build", ".yarn"}
_SKIP_DIRS = SAMPLE_SEGMENTS | _VENDORED


def _inhouse_flags(ctx: CollectContext) -> Iterator[Evidence]:
    """One `deploy.flag_service` (tool in-house) per flag module or flag-definition directory.

    Definition files with `default_enabled`/`default` keys are a managed flag catalogue (strong);
    a module that only carries the name is weak: we cannot see what backs it (a database with an
    admin UI, as at cal.com, or constants changed by redeploying).
    """
    tree = ctx.tree
    assert tree is not None
    modules: dict[str, str] = {}
    defs: dict[str, list[str]] = {}
    for path in tree.files:
        low = path.lower()
        # every flag folder, module and file name below holds "feature" (lower() maps exactly what `(?i)` lets
        # stand for its letters): the other paths need none of the checks
        if "feature" not in low:
            continue
        segments = path.split("/")
        dirs = [d.lower() for d in segments[:-1]]
        if not _SKIP_DIRS.isdisjoint(dirs) or any(d.startswith(".") for d in dirs):
            continue
        m = _FLAG_DEFS_DIR.search(path)
        if m and low.endswith((".yml", ".yaml")):
            defs.setdefault(path[: m.end()].rstrip("/"), []).append(path)
            continue
        if not low.endswith(_SOURCE_EXT) or re.search(r"(?i)(^|[._-])(test|spec|mock|stories)s?\.", segments[-1]):
            continue
        idx = next((i for i, d in enumerate(segments[:-1]) if _FLAG_SEGMENT.match(d)), None)
        if idx is None and len(segments) >= 3 and dirs[-2:] == ["features", "flags"]:
            idx = len(segments) - 2
        if idx is not None:
            modules.setdefault("/".join(segments[: idx + 1]), path)
        elif _FLAG_STEM.match(posixpath.splitext(segments[-1])[0]):
            modules.setdefault(path, path)
    for root, files in sorted(defs.items()):
        sample = next((f for f in sorted(files)[:20] if re.search(r"(?m)^default(_enabled)?:", tree.text(f) or "")), None)
        if sample is None:
            continue
        yield ctx.file_evidence("deploy.flag_service", sample, line=1, strength=Strength.STRONG,
                                attributes={"tool": "in-house", "flags": len(files), "module": root},
                                summary=f"in-house feature-flag definitions ({len(files)} flag file(s) under {root})")
    for root, path in sorted(modules.items())[:10]:
        yield ctx.file_evidence("deploy.flag_service", path, line=1, strength=Strength.WEAK,
                                attributes={"tool": "in-house", "flags": None, "module": root},
                                summary=f"in-house feature-flag module {root} (what backs it is not visible)")


# ==== rollback procedure docs ==================================================================


def _rollback_docs(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.with_suffix(".md", ".adoc", ".rst"):
        base = posixpath.basename(path).lower()
        if base.startswith(("changelog", "history", "news", "release-notes", "releasenotes")) or "/changelog" in path.lower():
            continue
        named = _ROLLBACK_NAME.search(base) is not None
        ops = _OPS_PATH.search(posixpath.dirname(path)) is not None or base.startswith(("runbook", "operations"))
        deployish = _DEPLOY_PATH.search(posixpath.dirname(path)) is not None or base.startswith(("deploy", "release"))
        if not named and not ops and not deployish:
            continue
        if {s.lower() for s in posixpath.dirname(path).split("/")} & (SAMPLE_SEGMENTS - {"docs", "doc"}):
            continue
        text = tree.text(path) or ""
        head = _ROLLBACK_HEAD.search(text)
        if not named and not head:
            continue
        start = head.end() if head else 0
        section = text[start:start + 3000]
        procedural = bool(re.search(r"```|^\s*(\d+\.|\$ )|^\s{4}\S", section, re.M))
        title_m = re.search(r"(?m)^(?:#|=)\s+(.+)$", text)
        title = (head.group(0).lstrip("#= ").strip() if head else (title_m.group(1).strip() if title_m else base))
        in_docs = bool({x.lower() for x in posixpath.dirname(path).split("/")} & {"docs", "doc"})
        strength = Strength.STRONG if procedural and (ops or (named and not in_docs)) else Strength.WEAK
        line = text.count("\n", 0, head.start()) + 1 if head else 1
        yield ctx.file_evidence("deploy.rollback_doc", path, line=line, attributes={"title": redact(title, 120)}, strength=strength,
                                summary=f"rollback procedure: {redact(title, 80)}")


# ==== staged promotion, feature gates, redeploying a chosen version ===========================

_GH_WORKFLOWS = (".github/workflows/*.yml", ".github/workflows/*.yaml")
_ENV_KEY = re.compile(r"(?i)^(env|envs|environment|environments|stage|stages|target|targets|deploy[-_]?env)$")
_VERSION_INPUT = re.compile(r"(?i)^(sha|commit|commit[-_]?sha|git[-_]?sha|ref|tag|image|image[-_]?tag|docker[-_]?image|"
                            r"version|release|release[-_]?tag|build|build[-_]?id|artifact)$")


# a GitHub job that deploys: it targets an environment, calls a deploy action, or runs a deploy command
_DEPLOY_CMD = re.compile(r"(?i)helm(file)?\s+(upgrade|install|apply|sync)|kubectl\s+(apply|set\s+image|rollout)|terraform\s+apply|"
                         r"\bkrane\s+deploy|az\s+webapp|slot\s+swap|gcloud\s+(run|app|deploy)\b|\bcf\s+push|kustomize\s+build|"
                         r"\bdeploy\b")


def _deploys(job: Any, environment_counts: bool = True) -> bool:
    if not isinstance(job, dict):
        return False
    if environment_counts and job.get("environment"):
        return True
    steps = [st for st in as_list(job.get("steps")) if isinstance(st, dict)]
    return any(_DEPLOY_CMD.search(f"{st.get('uses') or ''} {st.get('run') or ''} {st.get('name') or ''}") for st in steps)


def _promotions(ctx: CollectContext) -> Iterator[Evidence]:
    """Staged promotion (WAF++ OPS-080 level 2, "Basic safety"): the same release goes through pre-production
    environments before production, one after another, so a failure stops it before users see it.

    - a GitHub job whose matrix lists environments in order with `max-parallel: 1` (platform-test, test, production);
    - a Google Cloud Deploy serial pipeline (`google_clouddeploy_delivery_pipeline.serial_pipeline`, or a
      `DeliveryPipeline` manifest's `serialPipeline.stages`): releases are promoted target by target.
    Jobs chained by `needs` (deploy to test, then production) are read from `ci.job` by the probe."""
    tree = ctx.tree
    assert tree is not None
    pattern = ctx.options.get("production_pattern")
    for path in tree.glob(*_GH_WORKFLOWS):
        data = tree.yaml(path)
        jobs = data.get("jobs") if isinstance(data, dict) else None
        for jname, job in (jobs or {}).items() if isinstance(jobs, dict) else []:
            strat = job.get("strategy") if isinstance(job, dict) else None
            if not isinstance(strat, dict) or str(strat.get("max-parallel")) != "1":
                continue
            matrix = strat.get("matrix") if isinstance(strat.get("matrix"), dict) else {}
            for key, values in matrix.items() if _deploys(job, environment_counts=False) else []:
                if not _ENV_KEY.match(str(key)) or not isinstance(values, list):
                    continue
                envs = [str(v) for v in values if isinstance(v, str | int)]
                prod = [i for i, v in enumerate(envs) if is_production(v, pattern)]
                if prod and prod[0] >= 1:
                    text = str(job.get("steps") or "")
                    checks = bool(re.search(r"(?i)smoke|test|verify|health|check", text))
                    start = tree.line_of(path, re.compile(rf"^\s+{re.escape(str(jname))}:\s*$")) or 1
                    line = tree.line_of(path, re.compile(rf"^\s+{re.escape(str(key))}:"), start) or start
                    yield ctx.file_evidence(
                        "deploy.promotion", path, line=line, strength=Strength.STRONG,
                        attributes={"tool": "github-matrix", "stages": envs[:10], "checks": checks, "name": redact(str(jname), 80)},
                        summary=f"job {jname} deploys {' -> '.join(envs[:6])} one at a time")
                    break
    for path in tree.with_suffix(".tf"):
        if is_sample(path):
            continue
        text = tree.text(path) or ""
        m = re.search(r'resource\s+"google_clouddeploy_delivery_pipeline"\s+"([^"]+)"', text)
        if not m or "serial_pipeline" not in text:
            continue
        stages = re.findall(r'target_id\s*=\s*"([^"]+)"', text)
        dynamic = "dynamic \"stages\"" in text
        if len(stages) < 2 and not dynamic:
            continue
        yield ctx.file_evidence(
            "deploy.promotion", path, line=text.count("\n", 0, m.start()) + 1, strength=Strength.STRONG,
            attributes={"tool": "cloud-deploy", "stages": stages[:10] or None, "checks": "verify" in text, "name": m.group(1)},
            summary=f"Cloud Deploy serial pipeline {m.group(1)} promotes releases target by target"
                    + (f" ({' -> '.join(stages)})" if stages else " (stages from a variable)"))
    for path in tree.with_suffix(".yaml", ".yml"):
        if is_sample(path) or path.startswith(".github/"):
            continue
        text = tree.text(path) or ""
        if "DeliveryPipeline" not in text or "serialPipeline" not in text:
            continue
        for doc in tree.yaml_docs(path):
            if not isinstance(doc, dict) or doc.get("kind") != "DeliveryPipeline":
                continue
            serial = doc.get("serialPipeline") if isinstance(doc.get("serialPipeline"), dict) else {}
            stages = [str(st.get("targetId")) for st in as_list(serial.get("stages")) if isinstance(st, dict) and st.get("targetId")]
            if len(stages) >= 2:
                name = str((doc.get("metadata") or {}).get("name") or path) if isinstance(doc.get("metadata"), dict) else path
                yield ctx.file_evidence(
                    "deploy.promotion", path, line=tree.line_of(path, "serialPipeline"), strength=Strength.STRONG,
                    attributes={"tool": "cloud-deploy", "stages": stages[:10], "checks": "verify" in text, "name": redact(name, 80)},
                    summary=f"Cloud Deploy pipeline {' -> '.join(stages)}")


# An opt-in switch for new behaviour defined in the product's own code: Black's `class Preview(Enum)` with
# `UNSTABLE_FEATURES`, Kubernetes-style feature gates, `EXPERIMENTAL_FEATURES` registries. Users (or operators)
# turn new behaviour on before it becomes the default: a feature flag for a library or platform.
_GATE_DEF = re.compile(
    r"(?m)^[ \t]*class\s+(Preview|PreviewFeatures?|ExperimentalFeatures?|UnstableFeatures?)\s*\((?:[\w.]+,\s*)?"
    r"(?:enum\.)?(?:Enum|IntEnum|StrEnum|Flag|IntFlag)\)|"
    r"^[ \t]*(?:export\s+)?(?:const\s+)?enum\s+(Preview|PreviewFeatures?|ExperimentalFeatures?|UnstableFeatures?)\s*\{|"
    r"^[ \t]*(?:export\s+)?class\s+(FeatureGates?)\b|"
    r"^[ \t]*(?:export\s+)?(?:const\s+)?(UNSTABLE_FEATURES|EXPERIMENTAL_FEATURES|PREVIEW_FEATURES|FEATURE_GATES)\b\s*[:=]|"
    r"\bfeaturegate\.NewFeatureGate\(|\bNewFeatureGate\(\)"
)
_GATE_FILES = 3000


def _feature_gates(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    assert tree is not None
    seen = 0
    for path in tree.with_suffix(*_SOURCE_EXT):
        if seen >= _GATE_FILES:
            break
        dirs = {d.lower() for d in path.split("/")[:-1]}
        if dirs & _SKIP_DIRS or re.search(r"(?i)(^|[._-])(test|spec|mock)s?\.|_test\.go$|(^|/)test_", path):
            continue
        seen += 1
        text = tree.text(path) or ""
        if not any(w in text for w in ("Preview", "UNSTABLE", "EXPERIMENTAL", "PREVIEW", "FeatureGate", "FEATURE_GATES",
                                       "Experimental", "Unstable")):
            continue
        m = _GATE_DEF.search(text)
        if m:
            name = next(g for g in m.groups() if g) if any(m.groups()) else "feature gate"
            yield ctx.file_evidence("deploy.feature_gate", path, line=text.count("\n", 0, m.start()) + 1,
                                    strength=Strength.STRONG, attributes={"name": name},
                                    summary=f"new behaviour gated behind opt-in switches ({name})")
            return


def _redeploy_workflows(ctx: CollectContext) -> Iterator[Evidence]:
    """A manually dispatched workflow that deploys a version chosen by its input (`sha`, `tag`, `image`): redeploying
    the previous version is a manual rollback within minutes (WAF++ OPS-080 level 2)."""
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob(*_GH_WORKFLOWS):
        data = tree.yaml(path)
        if not isinstance(data, dict):
            continue
        on = data.get("on")
        wd = on.get("workflow_dispatch") if isinstance(on, dict) else None
        inputs = wd.get("inputs") if isinstance(wd, dict) else None
        if not isinstance(inputs, dict):
            continue
        chosen = [k for k in inputs if _VERSION_INPUT.match(str(k))]
        text = tree.text(path) or ""
        if not chosen or not re.search(rf"inputs\.{re.escape(chosen[0])}\b", text):
            continue
        jobs = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
        if not any(_deploys(job) for job in jobs.values()):
            continue
        name = str(data.get("name") or posixpath.basename(path))
        yield ctx.file_evidence("deploy.redeploy", path, line=tree.line_of(path, "workflow_dispatch"), strength=Strength.STRONG,
                                attributes={"input": redact(str(chosen[0]), 40), "name": redact(name, 80)},
                                summary=f"workflow {name} redeploys a chosen version (input {chosen[0]})")


# in this order (the evidence keeps it); a detector that fails costs a warning naming it
DETECTORS: tuple[Callable[[CollectContext], Iterator[Evidence]], ...] = (
    _k8s, _terraform, _appspec, _sam_and_serverless, _bicep_slots, _helm_atomic, _compose_flags, _flagd_files,
    _inhouse_flags, _flag_lifecycle_files, _rollback_docs, _promotions, _feature_gates, _redeploy_workflows,
)
