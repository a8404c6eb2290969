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
from wafops.collectors.repo.iac.config_management import config_management
from wafops.collectors.repo.iac.convergence import convergence
from wafops.collectors.repo.iac.drift import (
    documented_reconciler,
    drift_actions,
    drift_files,
    drift_tool,
    plan_targets,
)
from wafops.collectors.repo.iac.gitops import config_sync_feature
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
from wafops.collectors.repo.iac.kubernetes import yaml_files
from wafops.collectors.repo.iac.policy import policy_files
from wafops.collectors.repo.iac.stacks import bicep, cdk_pulumi_serverless, json_templates
from wafops.collectors.repo.iac.state import (
    IacRun,
    dirname,
    emit_code,
    nearest,
    slim,
)
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
GIT_CLONE_RX = re.compile(r"\bgit\b[^\n]*?\bclone\b([^\n;&|]*)")


class IacCollector(Collector):
    name = "iac"
    source = "repo"
    description = "Infrastructure as code: Terraform/Terragrunt, CloudFormation/SAM, CDK, Pulumi, Bicep, Kubernetes, GitOps, drift tooling"
    controls = ("WAF-OPS-020", "WAF-OPS-090")

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        run = _Run(ctx, ctx.tree)
        ctx.run_detectors("iac", (
            run.terraform, run.terraform_json, run.terragrunt, run.atmos, run.resolve_partial_backends,
            partial(yaml_files, run), partial(json_templates, run), partial(cdk_pulumi_serverless, run),
            partial(bicep, run), partial(config_management, run), partial(policy_files, run),
            partial(drift_files, run), partial(plan_targets, run), partial(convergence, run),
            partial(drift_actions, run), partial(documented_reconciler, run), partial(emit_code, run)))
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
                        config_sync_feature(self, path, text, l1, l2, line)
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


