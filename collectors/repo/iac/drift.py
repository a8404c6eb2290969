"""Drift tooling: drift detection declared on curated resources (HCP Terraform assessments, Spacelift, env0,
AWS Config, Azure Policy), driftctl configuration and drift logs, plan targets in Makefiles/scripts,
scheduled workflows that check the infrastructure through a shared action, and a reconciler the README
names for the repository's paths."""

from __future__ import annotations

import re
from typing import Any

from wafops.collectors.repo.ci_steps import STEP_RX, cron_interval_hours
from wafops.collectors.repo.iac.state import IacRun, dirname, role_of
from wafops.scanner.core.model import Strength
from wafops.scanner.core.vocabulary import redact

PLAN_CMD_RX = re.compile(r"\b(terraform|tofu|terragrunt)\b[^\n]*?\b(run-all[ \t]+|run[ \t]+--all[ \t]+)?plan\b"
                         # configuration-management dry runs (`ansible-playbook site.yml --check --diff`, `puppet agent --noop`)
                         r"|\b(ansible-playbook|puppet)(?![\w-])[^\n]*?(?:--check\b|[ \t]-C\b|--noop\b)")
# names and inputs of a shared action that checks the infrastructure against the live estate
_DRIFT_WORD_RX = re.compile(r"drift")
_INFRA_WORD_RX = re.compile(r"terraform|tofu|terragrunt|infra|(?:^|[-_/ ])tf(?:$|[-_/ ])|pulumi|cloudformation|bicep")
_PLAN_WORD_RX = re.compile(r"plan|preview|diff")
_CHECK_WORD_RX = re.compile(r"validat|verify|check")
_CLOUD_INPUT_RX = re.compile(r"azure|aws|gcp|google|arm[-_]|credential|role[-_]?arn|subscription|tenant|workload[-_]identity|project[-_]id")
_MUTATE_WORD_RX = re.compile(r"apply|deploy|destroy|remediat|release|publish")
# a README naming the controller that applies the repository's paths, and saying that it is automatic
DOC_APPLIED_BY_RX = re.compile(r"\b(?:applied|deployed|reconciled|synced|synchronized|rolled out)[ \t]+(?:automatically[ \t]+"
                               r"|continuously[ \t]+)?by[ \t]+(?:the[ \t]+)?[`*_\[]*([A-Z][\w-]*(?:[ \t]+[A-Z][\w-]*){0,4})")
DOC_AUTOMATION_RX = re.compile(r"(?i)fully[ -]automated|\bautomatically\b|\bcontinuously\b|\bregularly\b"
                               r"|\bevery[ \t]+\d+[ \t]*(?:min|minutes|hours?)\b")
DOC_PATH_RX = re.compile(r"(?<![\w/.:-])((?:[\w.-]+/)+[\w.-]*|[\w-]+\.(?:ya?ml|tf|json|template))(?![\w/-])")
PLAIN_TOOLS = {"terraform", "opentofu", "tofu", "terragrunt", "cloudformation", "pulumi", "helm", "helmfile", "kubectl",
               "kustomize", "ansible", "chef", "puppet", "salt", "cdk", "bicep", "hand", "make", "github", "gitlab",
               "jenkins", "ci", "us", "you", "our", "this", "a", "an"}


def drift_tool(run: IacRun, path: str, line: int, rtype: str, name: str, facts: dict[str, Any]) -> None:
    """drift.tool items from curated resources (HCP assessments, Spacelift, env0, Config, Policy)."""
    ref = f"{rtype}.{name}"
    if rtype in ("tfe_workspace", "tfe_workspace_settings") and facts.get("assessments_enabled"):
        run.ev("drift.tool", path, line, {"tool": "hcp-assessments", "automated_remediation": False,
                                           "schedule": "24h", "resource": ref},
               f"HCP Terraform health assessments on {ref}")
    elif rtype == "spacelift_drift_detection":
        run.ev("drift.tool", path, line, {"tool": "spacelift", "automated_remediation": bool(facts.get("reconcile")),
                                           "schedule": facts.get("schedule") or None, "resource": ref},
               "Spacelift drift detection" + (" with reconcile" if facts.get("reconcile") else ""))
    elif rtype.startswith("env0_") and "drift" in rtype:
        run.ev("drift.tool", path, line, {"tool": "env0", "automated_remediation": bool(facts.get("auto_remediation")),
                                           "schedule": facts.get("cron"), "resource": ref}, "env0 drift detection")
    elif rtype in ("aws_config_configuration_recorder", "AWS::Config::ConfigurationRecorder"):
        run.ev("drift.tool", path, line, {"tool": "aws-config", "automated_remediation": False,
                                           "schedule": "continuous", "resource": ref}, "AWS Config configuration recorder")
    elif rtype in ("aws_config_remediation_configuration", "AWS::Config::RemediationConfiguration") \
            and facts.get("automatic"):
        run.ev("drift.tool", path, line, {"tool": "aws-config", "automated_remediation": True,
                                           "schedule": "continuous", "resource": ref},
               "AWS Config automatic remediation")
    elif re.match(r"azurerm_\w*policy_assignment$", rtype) or rtype.startswith("Microsoft.Authorization/policyAssignments"):
        run.ev("drift.tool", path, line, {"tool": "azure-policy", "automated_remediation": False,
                                           "schedule": "continuous", "resource": ref}, f"Azure Policy assignment {name}")
    elif re.match(r"azurerm_\w*policy_remediation$", rtype) or rtype.startswith("Microsoft.PolicyInsights/remediations"):
        run.ev("drift.tool", path, line, {"tool": "azure-policy", "automated_remediation": True,
                                           "schedule": "continuous", "resource": ref}, "Azure Policy remediation task")


def drift_files(run: IacRun) -> None:
    for path in run.tree.named(".driftignore", ".driftctl.yml", ".driftctl.yaml", "driftctl.yml"):
        run.ev("drift.tool", path, 1, {"tool": "driftctl", "automated_remediation": False, "schedule": None},
               "driftctl configuration")
    rx = re.compile(r"(?i)(^|/)(drift[-_ ]?log[^/]*\.(md|ya?ml|csv|json)|drift[-_]?(logs?|reports?)/[^/]+\.(md|ya?ml|json))$")
    for path in run.tree.files:
        if not rx.search(path):
            continue
        text = run.tree.text(path) or ""
        rows = len(re.findall(r"(?m)^\|(?!\s*-)", text))
        entries = max(rows - 1, 0) if rows else len(re.findall(r"(?m)^\s*-\s+\S", text))
        run.ev("drift.log", path, 1, {"format": path.rsplit(".", 1)[-1].lower(), "entries": entries},
               f"drift log with {entries} entr{'y' if entries == 1 else 'ies'}")


def plan_targets(run: IacRun) -> None:
    tree = run.tree
    cands = tree.named("Makefile", "GNUmakefile", "makefile", "justfile", "Justfile", "Taskfile.yml", "Taskfile.yaml")
    cands += [p for p in tree.with_suffix(".mk", ".sh") if re.search(r"(?i)(plan|drift|terraform|tf|check|diff|noop)[^/]*$", p)]
    for path in cands:
        text = tree.text(path)
        if not text or not PLAN_CMD_RX.search(text):
            continue
        kind = ("makefile" if "make" in path.lower() or path.endswith(".mk") else
                "justfile" if "justfile" in path.lower() else "taskfile" if "taskfile" in path.lower() else "script")
        for m in PLAN_CMD_RX.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            target = None
            if kind in ("makefile", "justfile"):
                before = text[: m.start()].splitlines()
                target = next((re.match(r"^([\w.-]+)\s*:", ln).group(1) for ln in reversed(before)
                               if re.match(r"^[\w.-]+\s*:(?!=)", ln)), None)
            cmd_line = text[m.start(): text.find("\n", m.start()) if "\n" in text[m.start():] else len(text)]
            run.ev("iac.plan_target", path, line, {
                "file_kind": kind, "target": target, "detailed_exitcode": "-detailed-exitcode" in cmd_line,
                "tool": m.group(1) or m.group(3),
            }, f"{m.group(1) or m.group(3)} plan in {kind}" + (f" target {target}" if target else ""), Strength.WEAK)
            break


def drift_actions(run: IacRun) -> None:
    """A scheduled GitHub workflow that calls another repository's action or reusable workflow to plan
    the infrastructure against the live estate (`org/actions/validate-infra@v1` with `environment:
    production`, cloud credentials and a `teams-webhook-url`).

    Its steps live elsewhere, but what it does is said by the action's name and inputs, as it would be
    to a reviewer: a drift/plan action, or an infrastructure validation run against an environment with
    cloud credentials (a syntax-only `terraform validate` needs neither). A plan with `-refresh=false`
    compares code with the state file only, never with the live estate, so it is no drift check.
    Emitted as `drift.tool` `scheduled-action` (strong: inferred from names and inputs)."""
    tree = run.tree
    for path in tree.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        data = tree.yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict):
            continue
        on = data.get("on", data.get(True))
        sched = on.get("schedule") if isinstance(on, dict) else None
        crons = [str(c["cron"]) for c in (sched if isinstance(sched, list) else []) if isinstance(c, dict) and c.get("cron")]
        if not crons:
            continue
        hours = min((h for h in (cron_interval_hours(c) for c in crons) if h is not None), default=None)
        for jname, job in data["jobs"].items():
            if not isinstance(job, dict):
                continue
            steps = [s for s in (job.get("steps") or []) if isinstance(s, dict)]
            calls = [(job.get("uses"), job.get("with"))] + [(s.get("uses"), s.get("with")) for s in steps]
            env = job.get("environment")
            env = env.get("name") if isinstance(env, dict) else env
            for uses, with_ in calls:
                if not isinstance(uses, str) or uses.startswith(("./", "docker://")) or uses.count("/") < 1:
                    continue
                with_ = with_ if isinstance(with_, dict) else {}
                if not _is_drift_action(uses, with_, bool(env)):
                    continue
                keys = " ".join(str(k).lower() for k in with_)
                others = "\n".join(f"{s.get('uses') or ''}\n{s.get('run') or ''}" for s in steps if s.get("uses") != uses)
                notifies = bool(re.search(r"webhook|slack|teams|notif|alert|pagerduty|opsgenie|mail", keys)
                                or STEP_RX["notify"].search(others))
                target = with_.get("environment") if isinstance(with_.get("environment"), str) else env
                run.ev("drift.tool", path, tree.line_of(path, uses) or 1, {
                    "tool": "scheduled-action", "action": redact(uses, 200), "pipeline": path, "job": str(jname),
                    "interval_hours": hours, "schedule": crons[0], "notifies": notifies,
                    "environment": redact(str(target), 80) if target else None, "automated_remediation": False,
                }, f"scheduled ({crons[0]}) infrastructure check through {redact(uses.split('@', 1)[0], 120)}"
                   + (" with notification" if notifies else ""), Strength.STRONG)


def _is_drift_action(uses: str, with_: dict[str, Any], has_env: bool) -> bool:
    """Whether a called action/reusable workflow checks infrastructure against the live estate (see drift_actions)."""
    name = uses.split("@", 1)[0].lower()
    tail = name.split("/", 1)[1] if "/" in name else name  # the owner says nothing
    keys = " ".join(str(k).lower() for k in with_)
    words = f"{tail} {keys}"
    values = " ".join(str(v) for v in with_.values() if isinstance(v, str))
    if re.search(r"-refresh=false|-refresh-only", values) or _MUTATE_WORD_RX.search(tail):
        return False
    if _DRIFT_WORD_RX.search(tail):
        return True
    if not _INFRA_WORD_RX.search(words):
        return False
    if _PLAN_WORD_RX.search(words):
        return True
    # `validate-infra`: a validation run against a live environment with cloud credentials is a plan
    return bool(_CHECK_WORD_RX.search(tail)) and (has_env or "environment" in with_) and bool(_CLOUD_INPUT_RX.search(keys))


def documented_reconciler(run: IacRun) -> None:
    """`cluster/manifests: Kubernetes manifests (will be applied by Cluster Lifecycle Manager)` beside
    `Fully automated cluster updates`: the repository's own README says which of its IaC paths a
    controller outside the repository applies, and that it does so automatically. The controller is not
    visible, so this is strong (its names and paths agree with the code) for "applied by a reconciler"
    and weak for drift checks. Plain tool names (Terraform, Helm, kubectl) are how, not who: no reconciler."""
    code_dirs = {d for (_tool, d), v in run.dirs.items() if v.files and role_of(d) != "example"}
    if not code_dirs:
        return
    readmes = [p for p in run.tree.files if re.match(r"(?i)readme(\.(md|rst|txt|adoc))?$", p.rsplit("/", 1)[-1])
               and (p.count("/") == 0 or dirname(p) in code_dirs)]
    for path in readmes:
        text = run.tree.text(path) or ""
        if not DOC_AUTOMATION_RX.search(text):
            continue
        named: dict[str, tuple[int, list[str]]] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            m = DOC_APPLIED_BY_RX.search(line)
            if not m or m.group(1).split()[0].lower() in PLAIN_TOOLS:
                continue
            base = "" if dirname(path) == "." else dirname(path) + "/"
            paths = [base + t.strip("/") for t in DOC_PATH_RX.findall(line)]
            paths = [t for t in paths if any(t == d or t.startswith(d + "/") or d.startswith(t + "/") for d in code_dirs)
                     and run.has_path(t)]
            if paths:
                _first, seen = named.setdefault(m.group(1).strip(), (number, []))
                seen.extend(t for t in paths if t not in seen)
        for name, (number, paths) in named.items():
            run.ev("drift.tool", path, number, {
                "tool": "documented-reconciler", "reconciler": redact(name, 80), "paths": paths[:20],
                "documented": True, "continuous": True, "automated_remediation": False,
            }, f"README: {', '.join(paths[:3])} applied automatically by {redact(name, 80)} (outside the repository)",
                Strength.STRONG)
