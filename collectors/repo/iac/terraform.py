"""Terraform and OpenTofu (.tf and .tf.json): code per directory, module calls (with libraries vendored by
`git clone` at init time), provider configurations, backends, and a curated set of resources whose settings
other probes read.

Speed: every .tf file gets only the regex header pass (`wafops.scanner.core.hcl.block_headers`) that counts
blocks; module, provider and backend blocks are cut out by brace matching and read with regexes
(`iac.hcl`). Only files holding a curated resource type are parsed fully, through the shared `RepoTree.hcl`
cache. Resource bodies are trimmed (`state.slim`): secret-looking keys dropped, strings redacted and capped.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from wafops.collectors.repo.iac.backends import backend_from_json, cloud_block, terraform_backend
from wafops.collectors.repo.iac.drift import drift_tool
from wafops.collectors.repo.iac.gitops import config_sync_feature
from wafops.collectors.repo.iac.hcl import (
    attr_bool,
    attr_raw,
    attr_str,
    block_text,
    has_block,
    module_source,
    provider_facts,
    top_level,
)
from wafops.collectors.repo.iac.state import IacRun, dirname, slim
from wafops.collectors.translate import azure as translate_azure
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.hcl import block_headers, blocks
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Strength
from wafops.scanner.core.vocabulary import redact

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
GIT_CLONE_RX = re.compile(r"\bgit\b[^\n]*?\bclone\b([^\n;&|]*)")


# the blocks `terraform` reads from a parse: resources of the types whose bodies matter
WANTED = Wanted(resource_test=INTERESTING_RX.match)


def hcl_blocks(tree: RepoTree) -> list[tuple[str, Wanted]]:
    """The .tf files `terraform` parses, and the blocks it reads."""
    return [(path, WANTED) for path, text in tree.iter_text(tree.with_suffix(".tf")) if _needs_parse(block_headers(text))]


def _needs_parse(headers: list[tuple[str, str, str, int]]) -> bool:
    """Whether a file declares a block `terraform` reads from a parse (WANTED)."""
    return any(WANTED(btype, l1) for btype, l1, _l2, _line in headers)


def terraform(run: IacRun) -> None:
    tree = run.tree
    to_parse: list[tuple[str, str, list[tuple[str, str, str, int]]]] = []
    for path in tree.with_suffix(".tf"):
        text = tree.text(path)
        if text is None:
            continue
        headers = block_headers(text)
        d = run.dir("terraform", path)
        d.files += 1
        for btype, l1, l2, line in headers:
            if btype == "resource":
                d.resources = (d.resources or 0) + 1
                if l1 in ("google_gke_hub_feature_membership", "google_gke_hub_feature"):
                    config_sync_feature(run, path, text, l1, l2, line)
            elif btype == "module" and l1:
                d.modules += 1
                _module(run, path, text, l1, line)
            elif btype == "provider" and l1:
                d.root = True
                _provider(run, path, text, l1, line)
            elif btype == "backend" and l1:
                d.root = True
                terraform_backend(run, path, text, l1, line)
            elif btype == "cloud" and not l1:
                d.root = True
                cloud_block(run, path, text, line)
        if _needs_parse(headers):
            to_parse.append((path, text, headers))
    tree.prefetch_hcl((path for path, _t, _h in to_parse), WANTED)  # in parallel when there are many
    for path, text, headers in to_parse:
        _resources(run, path, text, headers)
    for path in tree.named(".terraform.lock.hcl") + tree.with_suffix(".tfvars"):
        key = ("terraform", dirname(path))
        if key in run.dirs:
            run.dirs[key].root = True


def _module(run: IacRun, path: str, text: str, name: str, line: int) -> None:
    body = top_level(block_text(text, line))
    source = attr_str(body, "source")
    if source is None:
        return
    version = attr_str(body, "version")
    kind, pinned = module_source(source, version)
    vendored = _vendored(run, dirname(path), source) if kind == "local" else None
    if vendored:
        # a module library cloned into the configuration at init time (`make vendor-modules`)
        kind, pinned = "git", vendored[1]
    run.ev("iac.module", path, line, {
        "name": name, "source": redact(source, 200), "source_kind": kind, "pinned": pinned,
        "version": version, "dir": dirname(path), "tool": "terraform",
        **({"vendored_from": redact(vendored[0], 200)} if vendored else {}),
    }, f"module {name} from {kind} source" + (f" vendored from {redact(vendored[0], 120)}" if vendored else "")
       + (" (pinned)" if pinned and kind != "local" else ""))
    if TFE_WORKSPACE_MODULE_RX.search(source) and has_block(block_text(text, line), "vcs_repo"):
        _workspace_module(run, path, line, name, source, block_text(text, line))


def _vendored(run: IacRun, dir_: str, source: str) -> tuple[str, bool] | None:
    """(repository URL, pinned) when a local module source points into a directory that is not in the
    repository and a Makefile/script fills by `git clone <url> <that directory>`: an external module
    library vendored at init time. Pinned when the clone names a tag (`--branch v1.2.3`, or a tag
    variable); a moving branch (main, master, stable) is not a pin."""
    target = posixpath.normpath(posixpath.join(dir_, source.split("//", 1)[0]))
    if run.has_path(target):
        return None
    if run.clones is None:
        run.clones = _clones(run.tree)
    return run.clones.get(target)


def _clones(tree: RepoTree) -> dict[str, tuple[str, bool]]:
    """Destination -> (URL, pinned) of the `git clone`s in Makefiles and shell scripts."""
    clones: dict[str, tuple[str, bool]] = {}
    scripts = tree.named("Makefile", "GNUmakefile", "makefile") + tree.with_suffix(".mk", ".sh")
    for p, text in tree.iter_text(scripts[:200]):
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
            clones[posixpath.normpath(base + dest)] = (url, pinned)
    return clones


def _workspace_module(run: IacRun, path: str, line: int, name: str, source: str, raw: str) -> None:
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
    e = run.ev("iac.resource", path, line, attrs, f"tfe_workspace via module {name} (VCS-driven)", Strength.STRONG)
    run.resources.append(("tfe_workspace", dirname(path), facts, e))
    drift_tool(run, path, line, "tfe_workspace", f"module.{name}", facts)


def _provider(run: IacRun, path: str, text: str, name: str, line: int) -> None:
    facts = provider_facts(name, block_text(text, line))
    facts["dir"] = dirname(path)
    role = facts.pop("role")
    facts["role_arn_set"] = bool(role)
    where = facts["region"] or facts["region_expr"] or "default region"
    run.ev("iac.provider", path, line, facts,
           f"provider {name}" + (f" (alias {facts['alias']})" if facts["alias"] else "") + f", {where}")


def _resources(run: IacRun, path: str, text: str, headers: list[tuple[str, str, str, int]]) -> None:
    lines = {(l1, l2): line for btype, l1, l2, line in headers if btype == "resource"}
    parsed = run.tree.hcl(path, WANTED)  # a parse error is already a warning; fall back to regex facts
    bodies: dict[tuple[str, str], dict[str, Any]] = {}
    for b in blocks(parsed):
        if b.type == "resource" and len(b.labels) == 2:
            bodies[b.labels] = b.body
    for (rtype, rname), line in lines.items():
        if not INTERESTING_RX.match(rtype):
            continue
        raw = block_text(text, line)
        facts = resource_facts(rtype, raw, text, run.tree, path)
        body = bodies.get((rtype, rname))
        attrs = {"type": rtype, "name": rname, "tool": "terraform", "dir": dirname(path),
                 "body": slim(body) if body is not None else {}, "parsed": body is not None, "facts": facts}
        e = run.ev("iac.resource", path, line, attrs, f"{rtype}.{rname}")
        run.resources.append((rtype, dirname(path), facts, e))
        drift_tool(run, path, line, rtype, rname, facts)


def terraform_json(run: IacRun) -> None:
    for path in run.tree.with_suffix(".tf.json"):
        data = run.tree.json(path)
        if not isinstance(data, dict):
            continue
        d = run.dir("terraform", path)
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
                    run.ev("iac.module", path, 1, {"name": name, "source": redact(body["source"], 200),
                                                   "source_kind": kind, "pinned": pinned,
                                                   "version": body.get("version"), "dir": dirname(path),
                                                   "tool": "terraform"}, f"module {name} ({kind})")
        tf = data.get("terraform") or {}
        for blk in tf if isinstance(tf, list) else [tf]:
            if isinstance(blk, dict) and isinstance(blk.get("backend"), dict):
                d.root = True
                for btype, cfg in blk["backend"].items():
                    backend_from_json(run, path, btype, cfg)


def resource_facts(rtype: str, raw: str, file_text: str, tree: RepoTree | None = None,
                   path: str = "") -> dict[str, Any]:
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
        if not deny and fref and tree is not None:
            target = posixpath.normpath(posixpath.join(dirname(path), fref.group(1)))
            deny = bool(re.search(r'(?i)"effect"\s*:\s*"deny"', tree.text(target) or "")) if tree.exists(target) else False
        return {"policy_type": ptype, "deny": deny}
    if rtype == "aws_organizations_policy_attachment":
        target = attr_raw(top, "target_id") or ""
        return {"targets_root": "roots" in target or bool(re.search(r'"r-[0-9a-z]{4,32}"', target))}
    if rtype == "azurerm_management_lock":
        return translate_azure.lock_facts({"lock_level": attr_str(top, "lock_level")})
    if re.match(r"azurerm_\w*policy_assignment$", rtype):
        return {"enforce": attr_bool(top, "enforce") is not False}
    return {}
