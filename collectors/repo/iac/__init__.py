"""Infrastructure-as-code collector: what the repository declares as infrastructure (source `repo`).

Produces the kinds of the "IaC, GitOps, drift tooling" table in KINDS.md: `iac.code` (tool per
directory), `iac.backend`, `iac.module`, `iac.provider`, `iac.resource` (a curated set of resource
types whose settings matter to operations, never every resource), `gitops.app`, `k8s.workload`,
`drift.tool`, plus `iac.policy`, `iac.plan_target` and `drift.log`.

Why it is shaped like this:
- Speed. A monorepo may hold 2,000 .tf files; python-hcl2 costs milliseconds per file. Every .tf
  file gets only the regex header pass (`wafops.scanner.core.hcl.block_headers`) that counts blocks; module,
  provider and backend blocks are cut out by brace matching and read with regexes
  (`wafops.collectors.repo.iac.hcl`). Only files holding a curated resource type are parsed fully, through the
  shared `RepoTree.hcl` cache (other collectors parse the same files for alarms and settings).
- Honesty about what code is. Directories under examples/, tests/, fixtures/ ... are tagged
  `role: example`; a directory with a backend, a provider configuration, a lock file or tfvars is a
  `root`; everything else is a reusable `module`. Probes use the role to tell a module library from
  a deployed estate.
- Secrets. Resource bodies are trimmed: secret-looking keys are dropped, strings are redacted and
  capped, and nesting is cut short.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from functools import partial
from typing import Any

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.repo.iac.convergence import convergence
from wafops.collectors.repo.iac.drift import (
    documented_reconciler,
    drift_actions,
    drift_files,
    drift_tool,
    plan_targets,
)
from wafops.collectors.repo.iac.hcl import (
    attr_bool,
    attr_raw,
    attr_str,
    block_text,
    has_attr,
    has_block,
    module_source,
    provider_facts,
    top_level,
)
from wafops.collectors.repo.iac.policy import policy_files
from wafops.collectors.repo.iac.state import (
    CodeDir,
    IacRun,
    dirname,
    emit_code,
    is_true,
    nearest,
    role_of,
    slim,
)
from wafops.collectors.repo.iac.templated import TEMPLATE_MARK_RX, tolerant_yaml, tolerant_yaml_docs
from wafops.collectors.translate import azure as translate_azure
from wafops.scanner.core.hcl import block_headers, blocks
from wafops.scanner.core.model import Evidence, Strength, Subject
from wafops.scanner.core.vocabulary import is_iac_example_dir, redact

# Resource types whose bodies other probes read (monitoring, settings-as-code, compliance, delivery).
INTERESTING_RX = re.compile(
    r"^(aws_cloudwatch_(metric_alarm|composite_alarm|log_group|dashboard|event_rule)|aws_synthetics_canary"
    r"|aws_route53_health_check|aws_config_\w+|aws_organizations_policy(_attachment)?|aws_cloudtrail"
    r"|aws_codepipeline|aws_codebuild_project|aws_codedeploy_\w+|aws_ecs_service|aws_lambda_alias"
    r"|aws_appconfig_\w+|aws_ssm_document|aws_sns_topic_subscription"
    r"|azurerm_monitor_\w+|azurerm_application_insights\w*|azurerm_log_analytics_workspace|azurerm_dashboard\w*"
    r"|azurerm_portal_dashboard|azurerm_\w*policy_\w+|azurerm_management_lock|azurerm_automation_runbook"
    r"|google_monitoring_\w+|google_logging_\w+|datadog_\w+|grafana_\w+|newrelic_\w+"
    r"|github_\w+|gitlab_\w+|tfe_workspace(_settings)?|tfe_notification_configuration|tfe_policy\w*"
    r"|tfe_sentinel_policy|spacelift_\w+|env0_\w+|pagerduty_\w+|opsgenie_\w+)$"
)

# Registry modules for the `tfe` provider that wrap a workspace (`alexbasista/workspacer/tfe`,
# `app.terraform.io/org/workspace/tfe`, `<ns>/tfe-workspace/tfe`).
TFE_WORKSPACE_MODULE_RX = re.compile(r"(?i)^(?:[a-z0-9.-]+\.[a-z]{2,}/)?[\w-]+/[\w-]*(workspace|workspacer)[\w-]*/tfe(//.*)?$")
NATIVE_LOCK = {"azurerm", "gcs", "remote", "cloud", "consul", "kubernetes", "pg", "cos"}
PARTIAL_BACKEND_RX = re.compile(
    r"(?i)(^|/)([^/]*\.tfbackend|[^/]*backend[^/]*\.(hcl|tfvars|conf|config)|backend-configs?/[^/]+)$"
)
REGION_RX = re.compile(
    r"^((us|eu|ap|sa|ca|me|af|il|mx|cn)(-gov)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d"
    r"|(us|europe|asia|australia|northamerica|southamerica|me|africa)-(north|south|east|west|central|northeast|southeast)\d)$"
)
K8S_HEAD_RX = re.compile(r"(?m)^apiVersion:[ \t]*\S")
K8S_KIND_RX = re.compile(r"(?m)^kind:[ \t]*\S")
KIND_LINE_RX = re.compile(r"(?m)^kind:[ \t]*[\"']?([A-Za-z0-9]+)")
CFN_RX = re.compile(r"AWSTemplateFormatVersion|AWS::Serverless-2016-10-31")
# Ansible plays: a YAML list whose items name `hosts` and what to run on them (tasks, roles, imports)
ANSIBLE_HOSTS_RX = re.compile(r"(?m)^(?:-[ \t]+|[ \t]{2,})hosts:[ \t]*\S")
ANSIBLE_BODY_RX = re.compile(
    r"(?m)^(?:-[ \t]+|[ \t]{2,})(?:tasks|roles|pre_tasks|post_tasks|handlers|(?:ansible\.builtin\.)?import_playbook):"
)
PLAY_KEYS = {"tasks", "roles", "pre_tasks", "post_tasks", "handlers"}
PUPPET_DECL_RX = re.compile(r"(?m)^[ \t]*(?:class|define|node)[ \t]+['\"]?[\w:.\-/]+|^[ \t]*[a-z][\w:]*[ \t]*\{[ \t]*['\"$]")
ARM_RX = re.compile(r"schema\.management\.azure\.com/schemas/[^\"]*deploymentTemplate")
GIT_CLONE_RX = re.compile(r"\bgit\b[^\n]*?\bclone\b([^\n;&|]*)")
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
CFN_INTERESTING_RX = re.compile(
    r"^AWS::(CloudWatch::\w+|Logs::LogGroup|Config::\w+|CodePipeline::\w+|CodeBuild::Project|CodeDeploy::\w+"
    r"|ECS::Service|Lambda::Alias|AppConfig::\w+|SSM::Document|Organizations::Policy|Synthetics::Canary"
    r"|Route53::HealthCheck|CloudTrail::Trail)$"
)
BICEP_INTERESTING_RX = re.compile(
    r"^Microsoft\.(Insights/\w+|Authorization/(policyAssignments|policyDefinitions|locks)|OperationalInsights/\w+"
    r"|Automation/automationAccounts/runbooks|PolicyInsights/remediations|Portal/dashboards)"
)


class IacCollector(Collector):
    name = "iac"
    source = "repo"
    description = "Infrastructure as code: Terraform/Terragrunt, CloudFormation/SAM, CDK, Pulumi, Bicep, Kubernetes, GitOps, drift tooling"
    controls = ("WAF-OPS-020", "WAF-OPS-090")

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        run = _Run(ctx, ctx.tree)
        ctx.run_detectors("iac", (
            run.terraform, run.terraform_json, run.terragrunt, run.atmos, run.resolve_partial_backends,
            run.yaml_files, run.json_templates, run.cdk_pulumi_serverless, run.bicep, run.config_management,
            partial(policy_files, run), partial(drift_files, run), partial(plan_targets, run),
            partial(convergence, run), partial(drift_actions, run), partial(documented_reconciler, run),
            partial(emit_code, run)))
        return run.out


class _Run(IacRun):
    """The detectors not yet moved to their own module (issue #7: this class is being split up)."""

    # ---- Terraform --------------------------------------------------------------------------
    def terraform(self) -> None:
        tree = self.tree
        to_parse: list[tuple[str, str, list[tuple[str, str, str, int]]]] = []
        for path in tree.with_suffix(".tf"):
            text = tree.text(path)
            if text is None:
                continue
            headers = block_headers(text)
            d = self.dir("terraform", path)
            d.files += 1
            parse = False
            for btype, l1, l2, line in headers:
                if btype == "resource":
                    d.resources = (d.resources or 0) + 1
                    if INTERESTING_RX.match(l1):
                        parse = True
                    elif l1 in ("google_gke_hub_feature_membership", "google_gke_hub_feature"):
                        self._config_sync(path, text, l1, l2, line)
                elif btype == "module" and l1:
                    d.modules += 1
                    self._module(path, text, l1, line)
                elif btype == "provider" and l1:
                    d.root = True
                    self._provider(path, text, l1, line)
                elif btype == "backend" and l1:
                    d.root = True
                    self._backend(path, text, l1, line)
                elif btype == "cloud" and not l1:
                    d.root = True
                    self._cloud(path, text, line)
            if parse:
                to_parse.append((path, text, headers))
        tree.prefetch_hcl(path for path, _t, _h in to_parse)  # full parses, in parallel when there are many
        for path, text, headers in to_parse:
            self._resources(path, text, headers)
        for path in tree.named(".terraform.lock.hcl") + tree.with_suffix(".tfvars"):
            key = ("terraform", dirname(path))
            if key in self.dirs:
                self.dirs[key].root = True

    def _module(self, path: str, text: str, name: str, line: int) -> None:
        body = top_level(block_text(text, line))
        source = attr_str(body, "source")
        if source is None:
            return
        version = attr_str(body, "version")
        kind, pinned = module_source(source, version)
        vendored = self._vendored(dirname(path), source) if kind == "local" else None
        if vendored:
            # a module library cloned into the configuration at init time (`make vendor-modules`)
            kind, pinned = "git", vendored[1]
        self.ev("iac.module", path, line, {
            "name": name, "source": redact(source, 200), "source_kind": kind, "pinned": pinned,
            "version": version, "dir": dirname(path), "tool": "terraform",
            **({"vendored_from": redact(vendored[0], 200)} if vendored else {}),
        }, f"module {name} from {kind} source" + (f" vendored from {redact(vendored[0], 120)}" if vendored else "")
           + (" (pinned)" if pinned and kind != "local" else ""))
        if TFE_WORKSPACE_MODULE_RX.search(source) and has_block(block_text(text, line), "vcs_repo"):
            self._workspace_module(path, line, name, source, block_text(text, line))

    def _vendored(self, dir_: str, source: str) -> tuple[str, bool] | None:
        """(repository URL, pinned) when a local module source points into a directory that is not in the
        repository and a Makefile/script fills by `git clone <url> <that directory>`: an external module
        library vendored at init time. Pinned when the clone names a tag (`--branch v1.2.3`, or a tag
        variable); a moving branch (main, master, stable) is not a pin."""
        target = posixpath.normpath(posixpath.join(dir_, source.split("//", 1)[0]))
        if self.tree.exists(target) or any(f.startswith(target + "/") for f in self.tree.files):
            return None
        if self.clones is None:
            self.clones = {}
            scripts = self.tree.named("Makefile", "GNUmakefile", "makefile") + self.tree.with_suffix(".mk", ".sh")
            for p, text in self.tree.iter_text(scripts[:200]):
                base = "" if dirname(p) == "." else dirname(p) + "/"
                for m in GIT_CLONE_RX.finditer(text):
                    args = m.group(1).split()
                    url = next((a for a in args if re.match(r"(https?|ssh|git)://|git@", a)), None)
                    rest = args[args.index(url) + 1:] if url else []
                    dest = next((a for a in rest if not a.startswith("-")), None)
                    if not url or not dest or "$" in dest:
                        continue
                    ref = re.search(r"(?:--branch|-b)[ =]+(\S+)", m.group(1))
                    pinned = bool(ref) and ref.group(1).strip("'\"").lower() not in ("main", "master", "stable", "develop", "head")
                    self.clones[posixpath.normpath(base + dest)] = (url, pinned)
        return self.clones.get(target)

    def _workspace_module(self, path: str, line: int, name: str, source: str, raw: str) -> None:
        """An HCP Terraform workspace declared through a wrapper module (e.g. `<ns>/workspacer/tfe`).

        Many organisations manage their workspaces with a community or private module rather than
        bare `tfe_workspace` resources; a `vcs_repo` input makes it VCS-driven (speculative plans
        on pull requests, runs on merge) just like the resource. Strong, not direct: the module
        maps its inputs to the resource, and we read only the inputs.
        """
        facts = resource_facts("tfe_workspace", raw, "")
        facts["via_module"] = redact(source, 200)
        attrs = {"type": "tfe_workspace", "name": name, "tool": "terraform", "dir": dirname(path),
                 "body": {}, "parsed": False, "facts": facts}
        e = self.ev("iac.resource", path, line, attrs, f"tfe_workspace via module {name} (VCS-driven)", Strength.STRONG)
        self.resources.append(("tfe_workspace", dirname(path), facts, e))
        drift_tool(self, path, line, "tfe_workspace", f"module.{name}", facts)

    def _config_sync(self, path: str, text: str, rtype: str, name: str, line: int) -> None:
        """Config Sync enabled through a GKE fleet feature (`configmanagement { config_sync { git { ... } } }`):
        a reconciler that keeps the cluster equal to a git/OCI source and reverts drift (GitOps)."""
        body = block_text(text, line)
        m = re.search(r"config_sync[ \t]*\{", body)
        if not m or not re.search(r"\b(?:git|oci)[ \t]*\{", body[m.end():]):
            return
        if re.search(r"(?m)^[ \t]*enabled[ \t]*=[ \t]*false", body[m.end():]):
            return
        repo_dir = attr_str(body, "policy_dir")
        self.ev("gitops.app", path, line, {
            "tool": "config-sync", "kind": rtype, "name": name, "automated": True, "self_heal": True, "prune": True,
            "notifies": False, "interval": None, "source_dir": redact(repo_dir, 200) if repo_dir else None,
        }, f"Config Sync on {rtype}.{name}: the cluster is synced continuously from git"
           + (f" ({redact(repo_dir, 120)})" if repo_dir else ""), Strength.STRONG)

    def _provider(self, path: str, text: str, name: str, line: int) -> None:
        facts = provider_facts(name, block_text(text, line))
        facts["dir"] = dirname(path)
        role = facts.pop("role")
        facts["role_arn_set"] = bool(role)
        where = facts["region"] or facts["region_expr"] or "default region"
        self.ev("iac.provider", path, line, facts,
                f"provider {name}" + (f" (alias {facts['alias']})" if facts["alias"] else "") + f", {where}")

    def _backend(self, path: str, text: str, btype: str, line: int) -> None:
        body = block_text(text, line)
        top = top_level(body)
        has_any = bool(re.search(r"(?m)^[ \t]*\w+[ \t]*=", top))
        attrs: dict[str, Any] = {"type": btype, "dir": dirname(path), "partial": False, "config_files": []}
        if btype == "s3":
            if attr_bool(top, "use_lockfile"):
                attrs.update(locking=True, lock="use_lockfile")
            elif attr_str(top, "dynamodb_table") or has_attr(top, "dynamodb_table"):
                attrs.update(locking=True, lock="dynamodb_table")
            elif not attr_str(top, "bucket"):
                attrs.update(locking=None, lock="unknown", partial=True)
            else:
                attrs.update(locking=False, lock="none")
        elif btype == "http":
            if has_attr(top, "lock_address"):
                attrs.update(locking=True, lock="lock_address")
            elif not has_attr(top, "address"):
                attrs.update(locking=None, lock="unknown", partial=True)
            else:
                attrs.update(locking=False, lock="none")
        elif btype == "oss":
            attrs.update(locking=has_attr(top, "tablestore_table"),
                         lock="tablestore_table" if has_attr(top, "tablestore_table") else "none")
        elif btype == "local":
            attrs.update(locking=False, lock="none")
        elif btype in NATIVE_LOCK:
            attrs.update(locking=True, lock="native")
        else:
            attrs.update(locking=None, lock="unknown")
        if btype in ("s3", "azurerm", "gcs") and not has_any:
            attrs["partial"] = True
        self.backends.append({"path": path, "line": line, "attrs": attrs})

    def _cloud(self, path: str, text: str, line: int) -> None:
        body = block_text(text, line)
        attrs = {"type": "cloud", "locking": True, "lock": "native", "dir": dirname(path), "partial": False,
                 "config_files": [], "organization": attr_str(top_level(body), "organization"),
                 "hostname": attr_str(top_level(body), "hostname")}
        self.backends.append({"path": path, "line": line, "attrs": attrs})

    def _resources(self, path: str, text: str, headers: list[tuple[str, str, str, int]]) -> None:
        lines = {(l1, l2): line for btype, l1, l2, line in headers if btype == "resource"}
        parsed = self.tree.hcl(path)  # a parse error is already a warning; fall back to regex facts
        bodies: dict[tuple[str, str], dict[str, Any]] = {}
        for b in blocks(parsed):
            if b.type == "resource" and len(b.labels) == 2:
                bodies[b.labels] = b.body
        for (rtype, rname), line in lines.items():
            if not INTERESTING_RX.match(rtype):
                continue
            raw = block_text(text, line)
            facts = resource_facts(rtype, raw, text, self, path)
            body = bodies.get((rtype, rname))
            attrs = {"type": rtype, "name": rname, "tool": "terraform", "dir": dirname(path),
                     "body": slim(body) if body is not None else {}, "parsed": body is not None, "facts": facts}
            e = self.ev("iac.resource", path, line, attrs, f"{rtype}.{rname}")
            self.resources.append((rtype, dirname(path), facts, e))
            drift_tool(self, path, line, rtype, rname, facts)

    # ---- Terraform JSON ---------------------------------------------------------------------
    def terraform_json(self) -> None:
        for path in self.tree.with_suffix(".tf.json"):
            data = self.tree.json(path)
            if not isinstance(data, dict):
                continue
            d = self.dir("terraform", path)
            d.files += 1
            res = data.get("resource") or {}
            if isinstance(res, dict):
                d.resources = (d.resources or 0) + sum(len(v) for v in res.values() if isinstance(v, dict))
            mods = data.get("module") or {}
            if isinstance(mods, dict):
                for name, body in mods.items():
                    d.modules += 1
                    if isinstance(body, dict) and isinstance(body.get("source"), str):
                        kind, pinned = module_source(body["source"], body.get("version"))
                        self.ev("iac.module", path, 1, {"name": name, "source": redact(body["source"], 200),
                                                        "source_kind": kind, "pinned": pinned,
                                                        "version": body.get("version"), "dir": dirname(path),
                                                        "tool": "terraform"}, f"module {name} ({kind})")
            tf = data.get("terraform") or {}
            for blk in tf if isinstance(tf, list) else [tf]:
                if isinstance(blk, dict) and isinstance(blk.get("backend"), dict):
                    d.root = True
                    for btype, cfg in blk["backend"].items():
                        text = "\n".join(f"{k} = {str(v).lower() if isinstance(v, bool) else repr(v)}".replace("'", '"')
                                         for k, v in (cfg or {}).items()) if isinstance(cfg, dict) else ""
                        self._backend_from_text(path, btype, "{\n" + text + "\n}")

    def _backend_from_text(self, path: str, btype: str, body: str) -> None:
        fake = f'backend "{btype}" ' + body
        self._backend(path, fake, btype, 1)

    # ---- Terragrunt -------------------------------------------------------------------------
    def terragrunt(self) -> None:
        files = [p for p in self.tree.files if p.rsplit("/", 1)[-1] in ("terragrunt.hcl", "root.hcl", "terragrunt.stack.hcl")]
        account_files = {dirname(p) for p in self.tree.named("account.hcl", "subscription.hcl", "project.hcl")}
        for path in files:
            text = self.tree.text(path)
            if text is None:
                continue
            d = self.dir("terragrunt", path)
            d.files += 1
            d.root = True
            headers = block_headers(text)
            includes = sum(1 for h in headers if h[0] == "include")
            deps = len(re.findall(r'(?m)^[ \t]*dependency[ \t]+"[^"]+"[ \t]*\{', text))
            d.extra["includes"] = d.extra.get("includes", 0) + includes
            d.extra["dependencies"] = d.extra.get("dependencies", 0) + deps
            d.extra["region"] = next((s for s in dirname(path).split("/") if REGION_RX.match(s)), None)
            d.extra["account_dir"] = nearest(dirname(path), account_files)
            for btype, l1, _l2, line in headers:
                if btype == "terraform" and not l1:
                    body = block_text(text, line)
                    src = attr_str(top_level(body), "source")
                    if src:
                        d.modules += 1
                        if "${" in src:  # top_level() blanks nested braces; take the literal from the block
                            src = self._tg_resolve(attr_str(body, "source") or src, text)
                        kind, pinned = module_source(src.replace("tfr:///", "tfr://"), None)
                        if kind == "other" and "${" in src and re.search(r"[?&]ref=", src):
                            # base URL kept in a shared local (`_envcommon`), pinned here: a git module source
                            kind, pinned = module_source("git::" + src.split("}", 1)[-1], None)
                        if kind == "registry" and "version=" in src:
                            pinned = True
                        self.ev("iac.module", path, line, {"name": dirname(path).rsplit("/", 1)[-1], "source": redact(src, 200),
                                                           "source_kind": kind, "pinned": pinned, "version": None,
                                                           "dir": dirname(path), "tool": "terragrunt"},
                                f"terragrunt unit source ({kind})")
                elif btype == "remote_state":
                    self._tg_remote_state(path, text, line)
            gen = re.search(r'(?m)^[ \t]*generate[ \t]+"backend"[ \t]*\{', text)
            if gen and "remote_state" not in {h[0] for h in headers}:
                body = block_text(text, text.count("\n", 0, gen.start()) + 1)
                m = re.search(r'backend[ \t]+"(\w+)"', body)
                if m:
                    self._tg_backend(path, text.count("\n", 0, gen.start()) + 1, m.group(1), body)

    def _tg_resolve(self, src: str, text: str) -> str:
        """Replace `${local.x}` / `${include.envcommon.locals.x}` in a unit's source with the string local.

        Terragrunt live repositories keep the module's base URL in a shared file (`_envcommon/<c>.hcl`)
        and pin it per environment (`"${include.envcommon.locals.base_source_url}?ref=v0.8.0"`); without
        this the source looks like an opaque expression and the module library goes unseen.
        """
        if "${" not in src:
            return src

        def lookup(m: re.Match[str]) -> str:
            name = re.search(r"\blocals?\.(\w+)\s*$", m.group(1))
            if not name:
                return m.group(0)
            value = attr_str(text, name.group(1)) or self._tg_locals().get(name.group(1))
            return value if value and "${" not in value else m.group(0)

        return re.sub(r"\$\{([^}]*)\}", lookup, src)

    def _tg_locals(self) -> dict[str, str]:
        """String locals of shared Terragrunt files (everything but unit `terragrunt.hcl`), read once."""
        if self.tg_shared is None:
            self.tg_shared = {}
            shared = [p for p in self.tree.with_suffix(".hcl")
                      if p.rsplit("/", 1)[-1] not in ("terragrunt.hcl", ".terraform.lock.hcl")][:500]
            for p in shared:
                for name, value in re.findall(r'(?m)^[ \t]*(\w+)[ \t]*=[ \t]*"([^"\n]*)"', self.tree.text(p) or ""):
                    self.tg_shared.setdefault(name, value)
        return self.tg_shared

    def _tg_remote_state(self, path: str, text: str, line: int) -> None:
        body = block_text(text, line)
        btype = attr_str(top_level(body), "backend") or "unknown"
        self._tg_backend(path, line, btype, body)

    def _tg_backend(self, path: str, line: int, btype: str, body: str) -> None:
        if btype == "s3":
            if re.search(r"use_lockfile[ \t]*=[ \t]*true", body):
                lock, locking = "use_lockfile", True
            elif has_attr(body, "dynamodb_table"):
                lock, locking = "dynamodb_table", True
            else:
                lock, locking = "none", False
        elif btype in NATIVE_LOCK:
            lock, locking = "native", True
        elif btype == "local":
            lock, locking = "none", False
        else:
            lock, locking = "unknown", None
        if locking:
            self.tg_locks.append(lock)
        self.ev("iac.backend", path, line, {"type": btype, "locking": locking, "lock": lock, "dir": dirname(path),
                                            "partial": False, "config_files": [], "tool": "terragrunt"},
                f"terragrunt remote_state {btype}" + (f" locked by {lock}" if locking else " without locking"))

    # ---- Atmos (Cloud Posse) ----------------------------------------------------------------
    def atmos(self) -> None:
        """Backends declared in Atmos stack manifests.

        Why: Atmos components (components/terraform/<c>) carry no `backend` block; Atmos writes
        `backend.tf.json` at run time from `terraform.backend_type` + `terraform.backend.<type>` in the
        stack YAML (stacks/**). Without this the roots of an Atmos repository look like local state.
        Only repositories with an `atmos.yaml` are read, and only stack files that mention a backend.
        """
        configs = [p for p in self.tree.named("atmos.yaml", ".atmos.yaml") if not is_iac_example_dir(p)]
        if not configs:
            return
        bases: set[str] = set()
        for cfg in configs[:5]:
            data = self.tree.yaml(cfg)
            base = "stacks"
            if isinstance(data, dict) and isinstance(data.get("stacks"), dict):
                base = str(data["stacks"].get("base_path") or "stacks")
            base = base.strip("./ ") or "stacks"
            root = dirname(cfg)
            bases.add(f"{root}/{base}" if root not in ("", ".") else base)
        files = [p for p in self.tree.with_suffix(".yaml", ".yml")
                 if any(p.startswith(b + "/") for b in bases) and not is_iac_example_dir(p)][:2000]
        seen: set[tuple[str, str]] = set()
        for path, text in self.tree.iter_text(files):
            if "backend" not in text:
                continue
            for doc in self.tree.yaml_docs(path):
                tf = doc.get("terraform") if isinstance(doc, dict) else None
                if not isinstance(tf, dict):
                    continue
                btype = str(tf.get("backend_type") or "")
                cfgs = tf.get("backend") if isinstance(tf.get("backend"), dict) else {}
                if not btype and len(cfgs) == 1:
                    btype = str(next(iter(cfgs)))
                if not btype or (path, btype) in seen:
                    continue
                seen.add((path, btype))
                body = cfgs.get(btype) if isinstance(cfgs.get(btype), dict) else {}
                if btype == "s3":
                    if body.get("use_lockfile") is True:
                        lock, locking = "use_lockfile", True
                    elif body.get("dynamodb_table"):
                        lock, locking = "dynamodb_table", True
                    elif body.get("bucket"):
                        lock, locking = "none", False
                    else:
                        lock, locking = "unknown", None  # an override; bucket and lock come from an imported file
                elif btype in NATIVE_LOCK:
                    lock, locking = "native", True
                elif btype == "local":
                    lock, locking = "none", False
                else:
                    lock, locking = "unknown", None
                line = self.tree.line_of(path, re.compile(r"^\s*backend_type\s*:", re.M)) or \
                    self.tree.line_of(path, re.compile(r"^\s*backend\s*:", re.M)) or 1
                self.ev("iac.backend", path, line, {"type": btype, "locking": locking, "lock": lock,
                                                    "dir": dirname(path), "partial": False, "config_files": [],
                                                    "tool": "atmos"},
                        f"atmos stack backend {btype}" + (f" locked by {lock}" if locking else
                                                          " without locking" if locking is False else ""))

    def resolve_partial_backends(self) -> None:
        """Terraform backends with partial configuration take their lock settings from config files."""
        partial_files = [p for p in self.tree.files if PARTIAL_BACKEND_RX.search(p) and not p.endswith(".tf")]
        gitlab_managed = False
        ci = self.tree.text(".gitlab-ci.yml") if self.tree.exists(".gitlab-ci.yml") else None
        if ci and re.search(r"gitlab-terraform|TF_HTTP_LOCK_ADDRESS|Terraform/Base|terraform/base|opentofu", ci, re.I):
            gitlab_managed = True
        for item in self.backends:
            attrs = item["attrs"]
            if attrs.get("partial") and attrs.get("locking") is not True:
                dir_ = attrs["dir"]
                near = [p for p in partial_files if dirname(p) == dir_ or p.startswith(dir_ + "/") or dir_ == "."]
                cands = near or partial_files
                attrs["config_files"] = cands[:10]
                found_lock = None
                for p in cands:
                    text = self.tree.text(p) or ""
                    if re.search(r"(?m)^[ \t]*use_lockfile[ \t]*=[ \t]*\"?true", text):
                        found_lock = "use_lockfile"
                    elif re.search(r"(?m)^[ \t]*dynamodb_table[ \t]*=", text):
                        found_lock = found_lock or "dynamodb_table"
                    elif re.search(r"(?m)^[ \t]*lock_address[ \t]*=", text):
                        found_lock = found_lock or "lock_address"
                if found_lock:
                    attrs.update(locking=True, lock=found_lock)
                elif attrs["type"] == "http" and gitlab_managed:
                    attrs.update(locking=True, lock="gitlab-managed")
                elif self.tg_locks and attrs["type"] == "s3":
                    attrs.update(locking=True, lock=self.tg_locks[0] + " (terragrunt)")
                elif cands and attrs["type"] in ("s3", "http"):
                    attrs.update(locking=False, lock="none")
            a = attrs
            summary = f"{a['type']} backend" + (" (partial configuration)" if a["partial"] else "") + (
                f", locked by {a['lock']}" if a["locking"] else ", no locking" if a["locking"] is False
                else ", locking unknown (configuration passed at init time)")
            self.ev("iac.backend", item["path"], item["line"], attrs, summary)

    # ---- YAML: Kubernetes, GitOps, CloudFormation, Helm, Kustomize, Crossplane, policies -------
    def yaml_files(self) -> None:
        tree = self.tree
        charts = {dirname(p) for p in tree.named("Chart.yaml")}
        for c in sorted(charts):
            templates = [p for p in tree.files if p.startswith(("" if c == "." else c + "/") + "templates/")]
            d = self.dir("helm", c + "/Chart.yaml" if c != "." else "Chart.yaml")
            d.files += 1 + len(templates)
            d.resources = len([t for t in templates if t.endswith((".yaml", ".yml", ".tpl"))])
            d.root = True
        flux_alerts: list[Evidence] = []
        flux_apps: list[Evidence] = []
        for path in tree.with_suffix(".yaml", ".yml"):
            if path.startswith((".github/", ".gitlab/", ".circleci/")) or _under_chart_templates(path, charts):
                continue
            name = path.rsplit("/", 1)[-1].lower()
            if name in ("kustomization.yaml", "kustomization.yml"):
                self._kustomization(path)
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
                self._cloudformation(path, data)
                continue
            if not (K8S_HEAD_RX.search(text) and K8S_KIND_RX.search(text)):
                if ANSIBLE_HOSTS_RX.search(text) and ANSIBLE_BODY_RX.search(text):
                    self._ansible_playbook(path)
                continue
            docs = tree.yaml_docs(path)
            if not docs and TEMPLATE_MARK_RX.search(text):
                docs = tolerant_yaml_docs(text)  # Go/Jinja-templated manifests outside a chart
            self._k8s_docs(path, text, docs, flux_alerts, flux_apps)
        # manifests rendered from ERB/Jinja/Go templates (`config/deploy/production/web.yaml.erb`, `*.yaml.j2`)
        for path in tree.with_suffix(*TEMPLATED_YAML_SUFFIXES):
            if path.startswith((".github/", ".gitlab/", ".circleci/")) or _under_chart_templates(path, charts):
                continue
            text = tree.text(path)
            if text and K8S_HEAD_RX.search(text) and K8S_KIND_RX.search(text):
                self._k8s_docs(path, text, tolerant_yaml_docs(text), flux_alerts, flux_apps)
        # Helm chart templates: the chart already counts as code; read the reconcilers and admission
        # policies it installs (an app-of-apps chart's Argo CD Applications with selfHeal)
        for path in tree.with_suffix(".yaml", ".yml", ".tpl"):
            if not _under_chart_templates(path, charts):
                continue
            text = tree.text(path)
            if text and CONTROLLER_API_RX.search(text):
                self._k8s_docs(path, text, tolerant_yaml_docs(text), flux_alerts, flux_apps, controllers_only=True)
        for e in flux_apps:
            e.attributes["notifies"] = bool(flux_alerts)

    def _k8s_docs(self, path: str, text: str, docs: list[Any], alerts: list, apps: list,
                  controllers_only: bool = False) -> None:
        kind_lines = [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in KIND_LINE_RX.finditer(text)]
        for doc in docs:
            if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str) or "apiVersion" not in doc:
                continue
            if controllers_only and not CONTROLLER_API_RX.search(str(doc.get("apiVersion"))):
                continue
            line = next((ln for ln, k in kind_lines if k == doc["kind"]), 1)
            kind_lines = [(ln, k) for ln, k in kind_lines if ln > line]
            self._k8s_doc(path, line, doc, alerts, apps)

    def _kustomization(self, path: str) -> None:
        data = self.tree.yaml(path)
        if not isinstance(data, dict):
            return
        if "kustomize.toolkit.fluxcd.io" in str(data.get("apiVersion", "")):
            return
        d = self.dir("kustomize", path)
        d.files += 1
        d.resources = (d.resources or 0) + sum(len(data.get(k) or []) for k in ("resources", "bases", "components")
                                               if isinstance(data.get(k), list))
        d.root = True

    def _k8s_doc(self, path: str, line: int, doc: dict[str, Any], alerts: list, apps: list) -> None:
        kind, api = doc["kind"], str(doc.get("apiVersion", ""))
        if role_of(dirname(path)) == "example":
            # Docs/tests/examples hold sample Applications, policies and Deployments (Argo CD's own
            # docs/operator-manual/application.yaml): not reconcilers, admission or workloads anyone runs.
            # The directory still counts as (example) Kubernetes code.
            if not (api.startswith("argoproj.io") or "toolkit.fluxcd.io" in api or "crossplane.io" in api
                    or "upbound.io" in api or NOT_K8S_API_RX.search(api)):
                d = self.dir("kubernetes", path)
                d.extra.setdefault("_files", set()).add(path)
                d.files = len(d.extra["_files"])
                d.resources = (d.resources or 0) + 1
            return
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        name = str(meta.get("name", ""))
        spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
        if api.startswith("argoproj.io") and kind in ("Application", "ApplicationSet"):
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
            self.ev("gitops.app", path, line, {
                "tool": "argocd", "kind": kind, "name": name, "automated": auto,
                "self_heal": auto and is_true(ad.get("selfHeal")), "prune": auto and is_true(ad.get("prune")),
                "notifies": notifies, "interval": None,
            }, f"Argo CD {kind} {name}: " + ("automated sync" if auto else "manual sync")
               + (", selfHeal" if auto and is_true(ad.get("selfHeal")) else ""))
            return
        if api.startswith("configsync.gke.io") and kind in ("RootSync", "RepoSync"):
            # Config Sync applies a git/OCI source to the cluster and reverts changes made outside it
            self.ev("gitops.app", path, line, {
                "tool": "config-sync", "kind": kind, "name": name, "automated": True, "self_heal": True,
                "prune": True, "notifies": False, "interval": None,
            }, f"Config Sync {kind} {name}: continuous sync from {spec.get('sourceType') or 'git'}")
            return
        if "toolkit.fluxcd.io" in api:
            if kind == "Alert" and api.startswith("notification."):
                alerts.append(doc)
                return
            if kind in ("Kustomization", "HelmRelease") and (api.startswith("kustomize.") or api.startswith("helm.")):
                suspended = is_true(spec.get("suspend"))
                drift = spec.get("driftDetection") if isinstance(spec.get("driftDetection"), dict) else {}
                self_heal = not suspended and (kind == "Kustomization" or str(drift.get("mode", "")) == "enabled")
                e = self.ev("gitops.app", path, line, {
                    "tool": "flux", "kind": kind, "name": name, "automated": not suspended,
                    "self_heal": self_heal, "prune": is_true(spec.get("prune")), "notifies": False,
                    "interval": spec.get("interval"),
                }, f"Flux {kind} {name}" + (" (suspended)" if suspended else f", every {spec.get('interval')}"))
                apps.append(e)
            return
        if api.startswith("kyverno.io") and kind in ("ClusterPolicy", "Policy"):
            self.ev("iac.policy", path, line, {"tool": "kyverno", "via": "admission"}, f"Kyverno {kind} {name}")
            return
        if api.startswith("templates.gatekeeper.sh") and kind == "ConstraintTemplate":
            self.ev("iac.policy", path, line, {"tool": "gatekeeper", "via": "admission"}, f"Gatekeeper template {name}")
            return
        if "crossplane.io" in api or "upbound.io" in api:
            d = self.dir("crossplane", path)
            d.files = max(d.files, 1)
            d.resources = (d.resources or 0) + 1
            d.root = True
            return
        if NOT_K8S_API_RX.search(api) or (api == "v1" and kind == "Config") or (kind == "Cluster" and "x-k8s" in api):
            return
        d = self.dir("kubernetes", path)
        d.root = True
        d.extra.setdefault("_files", set()).add(path)
        d.files = len(d.extra["_files"])
        d.resources = (d.resources or 0) + 1
        if kind in WORKLOAD_KINDS:
            self._workload(path, line, kind, api, name, spec)

    def _workload(self, path: str, line: int, kind: str, api: str, name: str, spec: dict[str, Any]) -> None:
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
        self.ev("k8s.workload", path, line, {
            "kind": kind, "name": name, "strategy": strategy,
            "readiness_probe": any("readinessProbe" in c for c in containers),
            "liveness_probe": any("livenessProbe" in c for c in containers),
            "replicas": spec.get("replicas") if isinstance(spec.get("replicas"), int) else None,
        }, f"{kind} {name} ({strategy})")

    def _cloudformation(self, path: str, data: Any) -> None:
        if not isinstance(data, dict):
            return
        transform = data.get("Transform")
        sam = "AWS::Serverless" in str(transform)
        if "AWSTemplateFormatVersion" not in data and not sam:
            return
        tool = "sam" if sam else "cloudformation"
        res = data.get("Resources") if isinstance(data.get("Resources"), dict) else {}
        d = self.dir(tool, path)
        d.files += 1
        d.resources = (d.resources or 0) + len(res)
        d.root = True
        for logical, body in res.items():
            if not isinstance(body, dict):
                continue
            rtype = str(body.get("Type", ""))
            if not CFN_INTERESTING_RX.match(rtype):
                continue
            line = self.tree.line_of(path, re.compile(r"^\s+\"?" + re.escape(str(logical)) + r"\"?\s*:")) or 1
            props = body.get("Properties") if isinstance(body.get("Properties"), dict) else {}
            facts: dict[str, Any] = {}
            if rtype == "AWS::Organizations::Policy":
                facts = {"policy_type": props.get("Type"), "deny": '"Deny"' in str(props.get("Content")).replace("'", '"'),
                         "targets_root": any(str(t).startswith("r-") for t in (props.get("TargetIds") or []))}
            elif rtype == "AWS::Config::RemediationConfiguration":
                facts = {"automatic": is_true(props.get("Automatic"))}
            e = self.ev("iac.resource", path, line, {"type": rtype, "name": str(logical), "tool": tool,
                                                     "dir": dirname(path), "body": slim(props), "parsed": True,
                                                     "facts": facts}, f"{rtype} {logical}")
            self.resources.append((rtype, dirname(path), facts, e))
            drift_tool(self, path, line, rtype, str(logical), facts)

    # ---- JSON templates (CloudFormation JSON, ARM) ---------------------------------------------
    def json_templates(self) -> None:
        rx = re.compile(r"(?i)(template|cfn|cloudformation|stack|azuredeploy|deploy|arm)[^/]*\.json$|\.template$")
        for path in self.tree.files:
            if not rx.search(path) or path.endswith(".tf.json") or "/cdk.out/" in f"/{path}":
                continue
            text = self.tree.text(path)
            if not text:
                continue
            if CFN_RX.search(text):
                self._cloudformation(path, self.tree.json(path) if path.endswith(".json") else self.tree.yaml(path))
            elif ARM_RX.search(text):
                data = self.tree.json(path)
                if isinstance(data, dict):
                    d = self.dir("arm", path)
                    d.files += 1
                    d.resources = (d.resources or 0) + len(data.get("resources") or [])
                    d.root = True

    # ---- CDK, Pulumi, Serverless ------------------------------------------------------------
    def cdk_pulumi_serverless(self) -> None:
        for path in self.tree.named("cdk.json"):
            data = self.tree.json(path)
            if isinstance(data, dict) and data.get("app"):
                d = self.dir("cdk", path)
                d.files += 1
                d.resources = None  # constructs live in program code; not counted
                d.root = True
        for path in self.tree.named("Pulumi.yaml", "Pulumi.yml"):
            data = self.tree.yaml(path)
            if not isinstance(data, dict):
                continue
            d = self.dir("pulumi", path)
            d.files += 1
            d.root = True
            res = data.get("resources")
            d.resources = len(res) if isinstance(res, dict) else None
            backend = data.get("backend") if isinstance(data.get("backend"), dict) else {}
            url = str(backend.get("url") or "")
            if url:
                scheme = url.split("://", 1)[0].lower()
                btype = {"s3": "s3", "azblob": "azurerm", "gs": "gcs", "file": "local"}.get(scheme, "pulumi-cloud")
                self.ev("iac.backend", path, self.tree.line_of(path, "backend") or 1, {
                    "type": btype, "locking": scheme != "file", "lock": "native" if scheme != "file" else "none",
                    "dir": dirname(path), "partial": False, "config_files": [], "tool": "pulumi",
                }, f"Pulumi backend {btype}")
        for path in self.tree.named("serverless.yml", "serverless.yaml", "serverless.ts", "serverless.js"):
            data = self.tree.yaml(path) if path.endswith(("yml", "yaml")) else None
            d = self.dir("serverless", path)
            d.files += 1
            d.root = True
            if isinstance(data, dict):
                fns = data.get("functions") if isinstance(data.get("functions"), dict) else {}
                res = data.get("resources") if isinstance(data.get("resources"), dict) else {}
                cfn = res.get("Resources") if isinstance(res.get("Resources"), dict) else {}
                d.resources = len(fns) + len(cfn)
            else:
                d.resources = None

    # ---- configuration management: Ansible, Puppet, Chef, Salt --------------------------------------
    # An SRE counts configuration management as infrastructure as code: the inventory, playbooks and
    # roles (manifests, cookbooks, states) declare what every server runs. Deployable configurations
    # (playbooks, `site.pp`, `top.sls`, Chef policyfiles/environments) are roots; roles, Puppet modules,
    # cookbooks and formulas are reusable modules. Large trees are grouped per role/module folder so
    # a 10,000-manifest Puppet repository yields a handful of `iac.code` items, not one per directory.
    def _ansible_playbook(self, path: str) -> None:
        data = self.tree.yaml(path)
        if not isinstance(data, list):
            return
        plays = [p for p in data if isinstance(p, dict) and (
            ("hosts" in p and PLAY_KEYS & set(p)) or "import_playbook" in p or "ansible.builtin.import_playbook" in p)]
        if not plays:
            return
        d = self.dir("ansible", path)
        d.files += 1
        d.resources = (d.resources or 0) + len(plays)
        d.root = True
        for play in plays:
            for r in play.get("roles") or [] if isinstance(play.get("roles"), list) else []:
                name = r if isinstance(r, str) else (r.get("role") or r.get("name")) if isinstance(r, dict) else None
                if isinstance(name, str) and "{{" not in name:
                    self.role_users.setdefault(name.rsplit("/", 1)[-1], set()).add(path)

    def _group(self, tool: str, key_dir: str, path: str, n: int, root: bool) -> None:
        key = (tool, key_dir)
        d = self.dirs.get(key)
        if d is None:
            d = self.dirs[key] = CodeDir(tool, path)
        d.files += 1
        d.resources = (d.resources or 0) + n
        d.root = d.root or root

    def config_management(self) -> None:
        tree = self.tree
        # Ansible roles: <...>roles/<name>/tasks/main.yml, grouped per roles/ folder; a role repository
        # (tasks/main.yml beside meta/main.yml at its top) is one module.
        for path in tree.glob("*roles/*/tasks/main.yml", "*roles/*/tasks/main.yaml", "tasks/main.yml", "tasks/main.yaml"):
            parts = path.split("/")
            idx = max((i for i, seg in enumerate(parts[:-2]) if seg == "roles"), default=None)
            if idx is None:
                if not tree.exists("meta/main.yml") and not tree.exists("meta/main.yaml"):
                    continue
                key_dir = "."
            else:
                key_dir = "/".join(parts[: idx + 1])
            self._group("ansible", key_dir, path, 1, False)
        # roles of this repository applied by several playbooks: a module library (like shared cookbooks)
        role_dirs = {p.split("/")[-3]: "/".join(p.split("/")[:-2]) for p in tree.glob("*roles/*/tasks/main.yml",
                                                                                    "*roles/*/tasks/main.yaml")}
        for name, books in sorted(self.role_users.items()):
            if name in role_dirs and role_of(role_dirs[name]) != "example":
                first = sorted(books)[0]
                self.ev("iac.module", first, self.tree.line_of(first, name) or 1, {
                    "name": name, "source": role_dirs[name], "source_kind": "local", "pinned": True, "version": None,
                    "dir": dirname(first), "tool": "ansible", "used_by": len(books),
                }, f"role {name} applied by {len(books)} playbook(s)")
        # Puppet: manifests grouped per `modules/<m>` tree or per directory; site.pp / Puppetfile make a root
        roots = {dirname(p) for p in tree.named("site.pp", "Puppetfile", "environment.conf")}
        for path in tree.with_suffix(".pp"):
            text = tree.text(path)
            if not text:
                continue
            n = len(PUPPET_DECL_RX.findall(text))
            if not n:
                continue
            parts = path.split("/")
            idx = next((i for i, seg in enumerate(parts[:-1]) if seg in ("modules", "site-modules", "site")), None)
            key_dir = "/".join(parts[: idx + 1]) if idx is not None else dirname(path)
            root = path.endswith("site.pp") or dirname(path) in roots or dirname(dirname(path)) in roots
            self._group("puppet", key_dir, path, n, root)
        # Chef: cookbooks (metadata.rb beside recipes/), grouped per cookbooks folder; Policyfiles are roots
        for path in tree.named("metadata.rb"):
            base = dirname(path)
            prefix = "" if base == "." else base + "/"
            recipes = [p for p in tree.glob(prefix + "recipes/*.rb") if p.count("/") == prefix.count("/") + 1]
            if not recipes:
                continue
            self._group("chef", dirname(base) if base != "." else ".", path, len(recipes), False)
        for path in tree.named("Policyfile.rb"):
            self._group("chef", dirname(path), path, 1, True)
        self._chef_roles()
        # Salt: states grouped under the state tree that holds top.sls (a root); formulas elsewhere
        tops = sorted({dirname(p) for p in tree.named("top.sls")}, key=len, reverse=True)
        for path in tree.with_suffix(".sls"):
            d = dirname(path)
            top = next((t for t in tops if t == "." or d == t or d.startswith(t + "/")), None)
            self._group("salt", top if top is not None else d, path, 1, top is not None)

    def _chef_roles(self) -> None:
        """Chef roles and environments (`roles/*.rb|json` with a run_list) are what nodes are assigned: the
        deployable configuration (a root). Each cookbook of this repository that a role's run_list names is
        reported once as an `iac.module` with `used_by` (how many roles use it): an internal cookbook
        library shared by many roles is a module library."""
        tree = self.tree
        books = {dirname(dirname(p)).rsplit("/", 1)[-1]: dirname(dirname(p))
                 for p in tree.glob("*recipes/*.rb") if tree.exists(dirname(dirname(p)) + "/metadata.rb")}
        if not books:
            return
        users: dict[str, list[tuple[str, int]]] = {}
        for path in tree.glob("*roles/*.rb", "*roles/*.json", "*environments/*.rb", "*environments/*.json"):
            if role_of(dirname(path)) == "example":
                continue
            text = tree.text(path) or ""
            if "run_list" not in text and "cookbook_versions" not in text and "/environments/" not in f"/{path}":
                continue
            self._group("chef", dirname(path), path, 1, True)
            for m in re.finditer(r"recipe\[([\w-]+)(?:::[\w-]+)?(?:@[\d.]+)?\]", text):
                if m.group(1) in books:
                    users.setdefault(m.group(1), [])
                    if path not in {p for p, _ln in users[m.group(1)]}:
                        users[m.group(1)].append((path, text.count("\n", 0, m.start()) + 1))
        for book, refs in sorted(users.items()):
            path, line = refs[0]
            self.ev("iac.module", path, line, {
                "name": book, "source": books[book], "source_kind": "local", "pinned": True, "version": None,
                "dir": dirname(path), "tool": "chef", "used_by": len(refs),
            }, f"cookbook {book} in the run list of {len(refs)} role(s)/environment(s)")

    # ---- Bicep --------------------------------------------------------------------------------
    def bicep(self) -> None:
        rx = re.compile(r"(?m)^[ \t]*resource[ \t]+(\w+)[ \t]+'([^'@]+)@[^']*'")
        for path in self.tree.with_suffix(".bicep"):
            text = self.tree.text(path)
            if text is None:
                continue
            found = list(rx.finditer(text))
            d = self.dir("bicep", path)
            d.files += 1
            d.resources = (d.resources or 0) + len(found)
            if re.search(r"(?m)^[ \t]*targetScope", text) or path.endswith("main.bicep"):
                d.root = True
            for m in found:
                rtype = m.group(2)
                if not BICEP_INTERESTING_RX.match(rtype):
                    continue
                line = text.count("\n", 0, m.start()) + 1
                e = self.ev("iac.resource", path, line, {"type": rtype, "name": m.group(1), "tool": "bicep",
                                                         "dir": dirname(path), "body": {}, "parsed": False,
                                                         "facts": {}}, f"{rtype} {m.group(1)}")
                self.resources.append((rtype, dirname(path), {}, e))
                drift_tool(self, path, line, rtype, m.group(1), {})


def _under_chart_templates(path: str, charts: set[str]) -> bool:
    for c in charts:
        prefix = "" if c == "." else c + "/"
        if path.startswith(prefix + "templates/") or (path.startswith(prefix) and "/templates/" in path[len(prefix):]
                                                       and "/charts/" in "/" + path[len(prefix):]):
            return True
    return False


def resource_facts(rtype: str, raw: str, file_text: str, run: _Run | None = None, path: str = "") -> dict[str, Any]:
    """Derived booleans the probes need, read from the block text (works when the full parse failed)."""
    top = top_level(raw)
    if rtype in ("tfe_workspace", "tfe_workspace_settings"):
        return {"auto_apply": bool(attr_bool(top, "auto_apply")), "vcs": has_block(raw, "vcs_repo"),
                "assessments_enabled": bool(attr_bool(top, "assessments_enabled"))}
    if rtype == "tfe_notification_configuration":
        return {"drift_trigger": "assessment:drifted" in raw or "assessment:check_failure" in raw,
                "enabled": attr_bool(top, "enabled") is not False}
    if rtype == "spacelift_stack":
        return {"autodeploy": bool(attr_bool(top, "autodeploy")), "vcs": True}
    if rtype == "spacelift_drift_detection":
        sched = re.search(r"schedule[ \t]*=[ \t]*\[([^\]]*)\]", raw)
        return {"reconcile": bool(attr_bool(top, "reconcile")),
                "schedule": re.findall(r'"([^"]+)"', sched.group(1)) if sched else []}
    if rtype == "spacelift_policy":
        return {"type": attr_str(top, "type")}
    if rtype.startswith("env0_") and "drift" in rtype:
        rem = attr_str(top, "auto_drift_remediation")
        return {"cron": attr_str(top, "cron"), "auto_remediation": bool(rem) and rem.upper() != "DISABLED"}
    if rtype == "aws_config_configuration_recorder_status":
        return {"is_enabled": bool(attr_bool(top, "is_enabled"))}
    if rtype == "aws_config_remediation_configuration":
        return {"automatic": bool(attr_bool(top, "automatic"))}
    if rtype == "aws_organizations_policy":
        ptype = attr_str(top, "type") or "SERVICE_CONTROL_POLICY"
        deny = bool(re.search(r"(?i)\"?effect\"?\s*[:=]\s*\"deny\"", raw))
        ref = re.search(r"data\.aws_iam_policy_document\.(\w+)", raw)
        if not deny and ref:
            m = re.search(r'(?m)^data[ \t]+"aws_iam_policy_document"[ \t]+"' + re.escape(ref.group(1)) + r'"', file_text)
            if m:
                doc = block_text(file_text, file_text.count("\n", 0, m.start()) + 1)
                deny = bool(re.search(r'(?i)effect\s*=\s*"deny"', doc))
        fref = re.search(r'(?:file|templatefile)\(\s*"(?:\$\{path\.module\}/)?([^"$]+)"', raw)
        if not deny and fref and run is not None:
            target = posixpath.normpath(posixpath.join(dirname(path), fref.group(1)))
            deny = bool(re.search(r'(?i)"effect"\s*:\s*"deny"', run.tree.text(target) or "")) if run.tree.exists(target) else False
        return {"policy_type": ptype, "deny": deny}
    if rtype == "aws_organizations_policy_attachment":
        target = attr_raw(top, "target_id") or ""
        return {"targets_root": "roots" in target or bool(re.search(r'"r-[0-9a-z]{4,32}"', target))}
    if rtype == "azurerm_management_lock":
        return translate_azure.lock_facts({"lock_level": attr_str(top, "lock_level")})
    if re.match(r"azurerm_\w*policy_assignment$", rtype):
        return {"enforce": attr_bool(top, "enforce") is not False}
    return {}


# ---- convergence schedules ----------------------------------------------------------------------------


# ---- templated YAML -------------------------------------------------------------------------------------


