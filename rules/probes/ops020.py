"""Probes for WAF-OPS-020 (Infrastructure as Code enforced).

They read `iac.*`, `gitops.app`, `drift.tool` (collectors/repo/iac/), `ci.job`/`ci.pipeline`
(collectors/repo/ci/) and `scm.branch_rules` (change/GitHub collectors). Helpers shared with the
drift probes of WAF-OPS-090 live here too (`ci_jobs_with`, `pipeline_of`, `scheduled_drift_jobs`).

Judgement calls, as an SRE reviewing the repository would make them:
- Code under examples/, tests/, fixtures/, docs/ is not infrastructure anyone runs (`role: example`).
- A Terraform module library (no backend, no provider configuration) is IaC (level 2) but has no
  state, pipeline or estate of its own, so it stops there.
- Tools whose state lives in the platform (CloudFormation, SAM, CDK, Bicep/ARM, Serverless,
  Crossplane) and GitOps reconcilers have remote, locked state by construction.
- Whether all production lives in code, and whether console changes are blocked, can only be seen
  from the cloud; a repository can show it positively (SCPs declared in Terraform), never negatively.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from wafops.rules.probes import EvidenceSet, Finding, found, missing, probe
from wafops.scanner.core.model import Evidence, Strength
from wafops.scanner.core.vocabulary import is_iac_example_dir

INFRA_TOOLS = {"terraform", "terragrunt", "cloudformation", "sam", "cdk", "pulumi", "bicep", "arm", "crossplane",
               "serverless"}
PLATFORM_TOOLS = {"kubernetes", "helm", "kustomize"}
# Configuration management declares what every server runs; it has no state file to share or lock
# (Ansible pushes and converges, Puppet/Chef/Salt agents converge against their server).
CONFIG_MGMT_TOOLS = {"ansible", "puppet", "chef", "salt"}
MANAGED_STATE_TOOLS = {"cloudformation", "sam", "cdk", "bicep", "arm", "serverless", "crossplane"}
IAC_DEPLOY_RX = re.compile(
    r"terraform|tofu|terragrunt|pulumi|cdk deploy|sam deploy|cloudformation|serverless deploy|sls deploy"
    r"|az deployment|bicep|helm|kubectl|argocd|flux|ansible|awx|tower-cli|puppet|salt|chef|knife", re.I,
)
PR_TRIGGERS = {"pull_request", "merge_group"}
POLICY_TOOL_RX = re.compile(r"conftest|opa|sentinel|checkov|tfsec|trivy|terrascan|kics|wafpass|regula|kyverno", re.I)


# ---- shared helpers -----------------------------------------------------------------------------------


def deployed_code(ev: EvidenceSet) -> list[Evidence]:
    """iac.code that declares something and is not an example/test/docs directory."""
    out = []
    for e in ev.of("iac.code"):
        if e.get("role") == "example":
            continue
        declared = (e.get("resources") or 0) > 0 or (e.get("modules") or 0) > 0
        if e.get("resources") is None and e.get("tool") in ("cdk", "pulumi", "serverless"):
            declared = True  # resources are defined in program code
        if declared:
            out.append(e)
    return out


def pipeline_of(ev: EvidenceSet, job: Evidence) -> Evidence | None:
    path = job.get("pipeline")
    for p in ev.of("ci.pipeline"):
        if p.locator.path == path:
            return p
    return None


def ci_jobs_with(ev: EvidenceSet, *steps: str) -> list[Evidence]:
    wanted = set(steps)
    return [j for j in ev.of("ci.job") if wanted & set(j.get("steps") or [])]


def triggers(job: Evidence) -> set[str]:
    return set(job.get("triggers") or [])


def iac_deploy_jobs(ev: EvidenceSet) -> list[Evidence]:
    """Jobs that apply IaC: an `apply` step, or a `deploy` step whose matched keyword is an IaC tool."""
    out = []
    for j in ev.of("ci.job"):
        steps = set(j.get("steps") or [])
        matched = j.get("matched") or {}
        if "apply" in steps or ("deploy" in steps and IAC_DEPLOY_RX.search(str(matched.get("deploy", "")))):
            out.append(j)
    return out


def convergence_loops(ev: EvidenceSet) -> list[Evidence]:
    """Configuration-management agents that re-apply this repository's configuration on a schedule.

    A Chef/Cinc client, Puppet agent, Salt schedule or ansible-pull run every N minutes on every host is
    continuous reconciliation: it applies what the code declares and reverts drift of declared resources,
    like a GitOps reconciler with self-heal. Only counted where the repository holds that tool's code
    (a Terraform repository that starts an agent in user data converges someone else's configuration)."""
    families = {e.get("tool") for e in deployed_code(ev) if e.get("tool") in CONFIG_MGMT_TOOLS}
    return [d for d in ev.of("drift.tool") if d.get("converges") and d.get("family") in families]


def resources(ev: EvidenceSet, *types: str, rx: str | None = None) -> list[Evidence]:
    out = ev.having("iac.resource", "type", types)
    if rx:
        out += [e for e in ev.of("iac.resource") if re.match(rx, str(e.get("type"))) and e not in out]
    return out


def facts(e: Evidence) -> dict[str, Any]:
    return e.get("facts") or {}


def guardrail_items(ev: EvidenceSet) -> list[Evidence]:
    """Console-write guardrails declared in code: SCPs with Deny statements, ReadOnly locks."""
    scps = [e for e in resources(ev, "aws_organizations_policy", "AWS::Organizations::Policy")
            if facts(e).get("deny") and str(facts(e).get("policy_type") or "SERVICE_CONTROL_POLICY").upper()
            in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")]
    locks = [e for e in resources(ev, "azurerm_management_lock") if str(facts(e).get("lock_level")) == "ReadOnly"]
    return scps + locks


# ---- level 2 -------------------------------------------------------------------------------------------


@probe("iac_code_present", text="Infrastructure is declared as code (resources, not only examples)", sources=["repo"])
def iac_code_present(ev: EvidenceSet) -> Finding:
    code = deployed_code(ev)
    infra = [e for e in code if e.get("tool") in INFRA_TOOLS]
    platform = [e for e in code if e.get("tool") in PLATFORM_TOOLS]
    cm = [e for e in code if e.get("tool") in CONFIG_MGMT_TOOLS]
    apps = ev.of("gitops.app")
    if infra:
        tools = sorted({e.get("tool") for e in infra})
        n = sum(e.get("resources") or 0 for e in infra)
        return found(infra + cm, f"{', '.join(tools)} in {len(infra)} director(ies), {n} resource block(s)"
                     + (f"; configuration management ({', '.join(sorted({e.get('tool') for e in cm}))})" if cm else ""))
    if cm:
        tools = sorted({e.get("tool") for e in cm})
        n = sum(e.get("files") or 0 for e in cm)
        return found(cm + apps + platform, f"configuration management as code ({', '.join(tools)}): {n} playbook/role/"
                     f"manifest/state file(s) in {len(cm)} place(s)", Strength.STRONG)
    if apps or platform:
        tools = sorted({e.get("tool") for e in platform} | ({"gitops"} if apps else set()))
        return found(apps + platform, f"platform configuration as code ({', '.join(tools)})", Strength.STRONG)
    examples = [e for e in ev.of("iac.code") if e.get("role") == "example"]
    if examples:
        return missing(ev, f"IaC only in examples/tests ({len(examples)} director(ies)); nothing deployed is declared")
    return missing(ev, "no infrastructure code (Terraform, CloudFormation, CDK, Pulumi, Bicep, manifests) found")


# ---- level 3 -------------------------------------------------------------------------------------------


def _state_kinds(ev: EvidenceSet) -> tuple[list[Evidence], list[Evidence], list[Evidence], list[Evidence]]:
    backends = [b for b in ev.of("iac.backend") if not is_example_dir(str(b.get("dir")))]
    remote = [b for b in backends if b.get("type") != "local"]
    local = [b for b in backends if b.get("type") == "local"]
    managed = [e for e in deployed_code(ev) if e.get("tool") in MANAGED_STATE_TOOLS]
    # deployable configuration-management code (playbooks, site.pp, top.sls) converges hosts with no state file;
    # a role/cookbook library alone deploys nothing
    managed += [e for e in deployed_code(ev) if e.get("tool") in CONFIG_MGMT_TOOLS and e.get("role") == "root"]
    # agents converging against a configuration server (Chef/Puppet/Salt master) keep the state there
    loops = {d.get("family") for d in convergence_loops(ev)}
    managed += [e for e in deployed_code(ev) if e.get("tool") in loops and e not in managed]
    gitops = ev.of("gitops.app")
    return remote, local, managed, gitops


@probe("iac_remote_state", text="State is kept in a shared remote backend (or by the platform)", sources=["repo"])
def iac_remote_state(ev: EvidenceSet) -> Finding:
    remote, local, managed, gitops = _state_kinds(ev)
    if local:
        return Finding(False, f"{len(local)} backend(s) declared as local state", local)
    tf_roots = [e for e in deployed_code(ev) if e.get("tool") == "terraform" and e.get("role") == "root"]
    if tf_roots and not [b for b in remote if b.get("tool") in (None, "terraform", "terragrunt", "atmos")]:
        return Finding(False, f"{len(tf_roots)} Terraform root(s) without a backend keep local state", tf_roots[:5])
    if remote or managed or gitops:
        parts = []
        if remote:
            parts.append(f"{len(remote)} remote backend(s): {', '.join(sorted({str(b.get('type')) for b in remote}))}")
        if managed:
            parts.append(f"platform-managed or no state file ({', '.join(sorted({str(e.get('tool')) for e in managed}))})")
        if gitops:
            parts.append(f"{len(gitops)} GitOps app(s) reconciled in-cluster")
        return found(remote + managed + gitops, "; ".join(parts))
    roots = [e for e in deployed_code(ev) if e.get("tool") in ("terraform", "pulumi")]
    if roots and all(e.get("role") == "module" for e in roots):
        return missing(ev, "Terraform module library only: no root configuration with a backend (a library has no state)")
    if not roots:
        # e.g. a Helm chart or kubectl manifests that no pipeline or reconciler applies
        return missing(ev, "no remote state backend and no reconciler: the declared configuration has no shared state")
    return missing(ev, "no remote state backend: Terraform roots keep local state")


@probe("iac_state_locking", text="Remote state is locked against concurrent runs", sources=["repo"])
def iac_state_locking(ev: EvidenceSet) -> Finding:
    remote, local, managed, gitops = _state_kinds(ev)
    # local Terraform state cannot be locked; a reconciler beside it does not change that
    tf_roots = [e for e in deployed_code(ev) if e.get("tool") == "terraform" and e.get("role") == "root"]
    if local or (tf_roots and not [b for b in remote if b.get("tool") in (None, "terraform", "terragrunt", "atmos")]):
        return Finding(False, "Terraform state is local, so it is not locked against concurrent runs",
                       local or tf_roots[:5])
    unlocked = [b for b in remote if b.get("locking") is False]
    locked = [b for b in remote if b.get("locking") is True]
    unknown = [b for b in remote if b.get("locking") is None]
    if unlocked:
        return Finding(False, f"{len(unlocked)} backend(s) without locking: "
                       + ", ".join(f"{b.get('type')} in {b.get('dir')}" for b in unlocked[:5]), unlocked)
    if locked or (not remote and (managed or gitops)):
        parts = [f"{len(locked)} backend(s) locked ({', '.join(sorted({str(b.get('lock')) for b in locked}))})"] if locked else []
        if managed or gitops:
            parts.append("platform-managed state locks natively (configuration management keeps no state file)")
        if unknown:
            parts.append(f"{len(unknown)} partial backend(s) with locking configured outside the repository")
        return found(locked + managed + gitops, "; ".join(parts))
    if unknown:
        return Finding(None, "not assessed, because the backend configuration is passed at init time "
                       f"(-backend-config) and is not in the repository ({len(unknown)} backend(s))", unknown)
    return missing(ev, "no locked remote state")


@probe("iac_changes_via_pr", text="IaC changes go through pull requests with a plan", sources=["repo", "scm"])
def iac_changes_via_pr(ev: EvidenceSet) -> Finding:
    plan_pr = [j for j in ci_jobs_with(ev, "plan") if triggers(j) & PR_TRIGGERS]
    atlantis = ev.of("ci.pipeline", system="atlantis")
    vcs = [e for e in resources(ev, "tfe_workspace") if facts(e).get("vcs")] + resources(ev, "spacelift_stack")
    if plan_pr or atlantis or vcs:
        what = []
        if plan_pr:
            what.append(f"{len(plan_pr)} PR-triggered plan job(s)")
        if atlantis:
            what.append("Atlantis plans on pull requests")
        if vcs:
            what.append(f"{len(vcs)} VCS-driven workspace/stack(s)")
        return found(plan_pr + atlantis + vcs, "; ".join(what))
    rules = [r for r in ev.of("scm.branch_rules") if r.get("requires_pr")]
    if rules:
        return found(rules, "the default branch requires pull requests, so IaC changes are reviewed", Strength.STRONG)
    return missing(ev, "no plan on pull requests and no branch rule requiring pull requests",
                   needs=("repo", "scm"))


@probe("iac_applied_from_pipeline", text="IaC is applied by a pipeline or reconciler, not from laptops", sources=["repo"])
def iac_applied_from_pipeline(ev: EvidenceSet) -> Finding:
    jobs = [j for j in iac_deploy_jobs(ev) if triggers(j) - PR_TRIGGERS or not triggers(j)]
    atlantis = ev.of("ci.pipeline", system="atlantis")
    auto = [e for e in resources(ev, "tfe_workspace") if facts(e).get("auto_apply") or facts(e).get("vcs")]
    auto += resources(ev, "spacelift_stack")
    gitops = [a for a in ev.of("gitops.app") if a.get("automated")]
    loops = [d for d in convergence_loops(ev) if d.get("automated_remediation")]
    documented = ev.of("drift.tool", tool="documented-reconciler")
    items = jobs + atlantis + auto + gitops + loops + documented
    if items:
        what = []
        if jobs:
            what.append(f"{len(jobs)} pipeline job(s) apply/deploy IaC")
        if atlantis:
            what.append("Atlantis applies from pull requests")
        if auto:
            what.append(f"{len(auto)} HCP Terraform/Spacelift workspace(s) run applies")
        if gitops:
            what.append(f"{len(gitops)} automated GitOps app(s)")
        if loops:
            what.append(", ".join(sorted({f"{d.get('tool')} {d.get('schedule')}" for d in loops}))
                        + " applies the configuration on every host")
        if documented:
            what.append("the README names " + ", ".join(sorted({str(d.get("reconciler")) for d in documented}))
                        + " as applying " + ", ".join(sorted({p for d in documented for p in d.get("paths") or []})[:4])
                        + " automatically (a controller outside the repository)")
        return found(items, "; ".join(what))
    remote_exec = [b for b in ev.of("iac.backend") if b.get("type") in ("cloud", "remote")]
    if remote_exec:
        return Finding(None, "not assessed, because HCP Terraform workspaces may apply VCS-driven runs; "
                       "their settings need the HCP Terraform API", remote_exec)
    return missing(ev, "no pipeline job applies the IaC (applies happen outside CI)")


@probe("iac_console_guardrail", text="Console writes are blocked (SCP deny, read-only locks)", sources=["repo", "cloud"],
       scope="sensitive")
def iac_console_guardrail(ev: EvidenceSet) -> Finding:
    items = guardrail_items(ev)
    if ev.p("scope") == "all":
        attach = [e for e in resources(ev, "aws_organizations_policy_attachment") if facts(e).get("targets_root")]
        attach += [e for e in resources(ev, "AWS::Organizations::Policy") if facts(e).get("targets_root")]
        if items and attach:
            return found(items + attach, "deny SCPs attached at the organization root", Strength.STRONG)
        return missing(ev, "no guardrail covering every account", needs=("cloud",))
    if items:
        return found(items, f"{len(items)} console-write guardrail(s) declared in code (SCP deny / ReadOnly lock)",
                     Strength.STRONG)
    return missing(ev, "no SCP or lock blocking console writes", needs=("cloud",))


@probe("iac_prod_coverage", text="Production resources are managed by IaC (state versus inventory)", sources=["cloud"],
       min_ratio=0.9)
def iac_prod_coverage(ev: EvidenceSet) -> Finding:
    cov = [e for e in ev.of("iac.coverage") if e.get("ratio") is not None]
    if cov:
        worst = min(cov, key=lambda e: e.get("ratio"))
        ok = worst.get("ratio") >= ev.p("min_ratio")
        return Finding(ok, f"lowest IaC coverage {round(worst.get('ratio') * 100)} % "
                       f"(needs >= {round(ev.p('min_ratio') * 100)} %)", [worst])
    return missing(ev, "no IaC coverage measurement", needs=("cloud",))


# ---- level 4 -------------------------------------------------------------------------------------------


@probe("policy_as_code_in_ci", text="Policy-as-code checks gate IaC changes in CI", sources=["repo"])
def policy_as_code_in_ci(ev: EvidenceSet) -> Finding:
    policy_jobs = ci_jobs_with(ev, "policy")
    sec_jobs = [j for j in ci_jobs_with(ev, "security")
                if POLICY_TOOL_RX.search(str((j.get("matched") or {}).get("security", "")))
                and re.search(r"checkov|tfsec|trivy config|terrascan|kics|conftest|regula", str((j.get("matched") or {}).get("security", "")), re.I)]
    platform = [p for p in ev.of("iac.policy") if p.get("via") in ("platform", "admission")]
    if policy_jobs or sec_jobs or platform:
        what = []
        if policy_jobs or sec_jobs:
            what.append(f"{len(policy_jobs) + len(sec_jobs)} CI job(s) run policy checks")
        if platform:
            what.append(", ".join(sorted({str(p.get("tool")) for p in platform})) + " enforced by the platform")
        return found(policy_jobs + sec_jobs + platform, "; ".join(what))
    configs = ev.of("iac.policy")
    if configs:
        return found(configs, "policy tool configuration present ("
                     + ", ".join(sorted({str(p.get("tool")) for p in configs}))
                     + "), but no CI job was seen running it", Strength.WEAK)
    return missing(ev, "no policy-as-code (OPA/conftest, Sentinel, checkov, tfsec, trivy) in CI")


@probe("iac_shared_modules", text="A shared module library is used (registry or pinned modules, or modules reused by roots)",
       sources=["repo"], min_roots=2)
def iac_shared_modules(ev: EvidenceSet) -> Finding:
    # module calls in sample/test configurations (a load-test cluster under test/) show no library in use
    mods = [m for m in ev.of("iac.module") if not is_example_dir(str(m.get("dir")))]
    external = [m for m in mods if m.get("source_kind") in ("registry", "private-registry", "git") and m.get("pinned")]
    unpinned = [m for m in mods if m.get("source_kind") in ("registry", "private-registry", "git") and not m.get("pinned")]
    callers: dict[str, set[str]] = {}
    for m in mods:
        if m.get("source_kind") == "local":
            target = _resolve(str(m.get("dir")), str(m.get("source")))
            callers.setdefault(target, set()).add(str(m.get("dir")))
    shared = {t: c for t, c in callers.items() if len(c) >= ev.p("min_roots")}
    # configuration-management modules (cookbooks) named by the run lists of several roles
    cm_shared = [m for m in mods if (m.get("used_by") or 0) >= ev.p("min_roots")]
    if cm_shared and not (external or shared):
        return found(cm_shared, f"{len(cm_shared)} internal cookbook(s)/role module(s) used by >= {ev.p('min_roots')} "
                     "roles (a module library of this repository)")
    if external or shared:
        what = []
        if external:
            what.append(f"{len(external)} pinned registry/git module call(s)")
        if shared:
            what.append(f"{len(shared)} internal module(s) reused by >= {ev.p('min_roots')} configurations")
        items = external + [m for m in mods if m.get("source_kind") == "local"
                            and _resolve(str(m.get("dir")), str(m.get("source"))) in shared]
        return found(items, "; ".join(what))
    if unpinned:
        return Finding(False, f"{len(unpinned)} shared module call(s) without a pinned version", unpinned)
    return missing(ev, "no shared modules: no registry/pinned module calls and no internal module used twice")


_ARCHIVE_DIRS = frozenset({".archive", "archive", "archived", "_archive", ".archived", "deprecated", "attic", "graveyard"})


def is_example_dir(dir_: str) -> bool:
    """The same directories the IaC collector tags `role: example` (samples, docs, retired `.archive/` code)."""
    return is_iac_example_dir(dir_) or bool({s.lower() for s in str(dir_).strip("/").split("/")} & _ARCHIVE_DIRS)


def _resolve(dir_: str, source: str) -> str:
    return posixpath.normpath(posixpath.join(dir_, source))


# ---- level 5 -------------------------------------------------------------------------------------------


@probe("gitops_reconciler", text="A GitOps reconciler keeps the estate equal to git (self-heal)", sources=["repo"])
def gitops_reconciler(ev: EvidenceSet) -> Finding:
    heal = [a for a in ev.of("gitops.app") if a.get("automated") and a.get("self_heal")]
    if heal:
        return found(heal, f"{len(heal)} GitOps app(s) with automated sync and self-heal")
    manual = ev.of("gitops.app")
    if manual:
        return Finding(False, f"{len(manual)} GitOps app(s), none with automated self-heal", manual)
    return missing(ev, "no GitOps reconciler (Argo CD / Flux) with self-heal")


@probe("iac_multi_account", text="Several accounts/regions are managed from one codebase", sources=["repo"])
def iac_multi_account(ev: EvidenceSet) -> Finding:
    provs = [p for p in ev.of("iac.provider") if not is_example_dir(str(p.get("dir")))]
    # default providers of separate roots per region count; an aliased us-east-1 provider for
    # CloudFront/ACM alone is not multi-region management, so aliases need three regions
    default_regions = {p.get("region") for p in provs if p.get("region") and not p.get("alias")}
    all_regions = {p.get("region") for p in provs if p.get("region")}
    regions = default_regions if len(all_regions) < 3 else all_regions
    accounts = {a for p in provs for a in (p.get("account_ids") or [])}
    tg = [c for c in ev.of("iac.code", tool="terragrunt") if c.get("role") != "example"]
    tg_regions = {c.get("region") for c in tg if c.get("region")}
    tg_accounts = {c.get("account_dir") for c in tg if c.get("account_dir")}
    parts = []
    if len(accounts) >= 2:
        parts.append(f"{len(accounts)} accounts/subscriptions in provider configurations")
    if len(regions) >= 2:
        parts.append(f"{len(regions)} regions in provider configurations")
    if len(tg_regions) >= 2 or len(tg_accounts) >= 2:
        parts.append(f"Terragrunt hierarchy over {max(len(tg_regions), 1)} region(s) and {max(len(tg_accounts), 1)} account(s)")
    if parts:
        items = [p for p in provs if p.get("region") or p.get("account_ids")] + [c for c in tg if c.get("region") or c.get("account_dir")]
        return found(items, "; ".join(parts), Strength.STRONG)
    return missing(ev, "one account and region only (or they are variables the scan cannot resolve)")
