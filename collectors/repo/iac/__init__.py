"""Infrastructure-as-code collector: what the repository declares as infrastructure (source `repo`).

Produces the kinds of the "IaC, GitOps, drift tooling" table in KINDS.md: `iac.code` (tool per
directory), `iac.backend`, `iac.module`, `iac.provider`, `iac.resource` (a curated set of resource
types whose settings matter to operations, never every resource), `gitops.app`, `k8s.workload`,
`drift.tool`, plus `iac.policy`, `iac.plan_target` and `drift.log`.

One module per tool or format, all run in order through the detector loop below over one shared
`IacRun` (state.py):
- terraform.py: .tf/.tf.json code, modules, providers, curated resources; backends.py: state backends
  and the one lock classifier; terragrunt.py; atmos.py (Atmos stack backends);
- kubernetes.py: every YAML file once (Kubernetes manifests, Helm, Kustomize, Crossplane, admission
  policies; CloudFormation and Ansible playbooks are handed on), gitops.py (Argo CD, Flux, Config Sync),
  templated.py (Go/Jinja/ERB-templated YAML);
- stacks.py: CloudFormation/SAM, ARM, CDK, Pulumi, Serverless, Bicep;
- config_management.py (Ansible, Puppet, Chef, Salt), policy.py (policy as code), drift.py (drift
  tooling, plan targets, scheduled drift checks, documented reconcilers), convergence.py (configuration
  management that converges on a schedule);
- state.emit_code, last: one `iac.code` per tool and directory.

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

from collections.abc import Callable, Iterable

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.repo.iac.atmos import atmos
from wafops.collectors.repo.iac.backends import resolve_partial_backends
from wafops.collectors.repo.iac.config_management import config_management
from wafops.collectors.repo.iac.convergence import convergence
from wafops.collectors.repo.iac.drift import documented_reconciler, drift_actions, drift_files, plan_targets
from wafops.collectors.repo.iac.kubernetes import yaml_files
from wafops.collectors.repo.iac.policy import policy_files
from wafops.collectors.repo.iac.stacks import bicep, cdk_pulumi_serverless, json_templates
from wafops.collectors.repo.iac.state import IacRun, emit_code
from wafops.collectors.repo.iac.terraform import hcl_blocks, terraform, terraform_json
from wafops.collectors.repo.iac.terragrunt import terragrunt
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Evidence, Subject

# Order matters: Terragrunt lock kinds and Atmos backends before partial Terraform backends are resolved,
# curated resources (Terraform, CloudFormation, Bicep) before policy_files reads their policy sets, every
# directory registered before emit_code and documented_reconciler.
DETECTORS: tuple[Callable[[IacRun], None], ...] = (
    terraform, terraform_json, terragrunt, atmos, resolve_partial_backends,
    yaml_files, json_templates, cdk_pulumi_serverless, bicep, config_management,
    policy_files, drift_files, plan_targets, convergence, drift_actions, documented_reconciler, emit_code,
)


class IacCollector(Collector):
    name = "iac"
    reads = ("tree",)  # see Collector.reads
    source = "repo"
    description = "Infrastructure as code: Terraform/Terragrunt, CloudFormation/SAM, CDK, Pulumi, Bicep, Kubernetes, GitOps, drift tooling"
    controls = ("WAF-OPS-020", "WAF-OPS-090")
    weight = 2.0  # every .tf file's headers, Kubernetes and templated YAML

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        run = IacRun.start(ctx)
        ctx.run_detectors("iac", DETECTORS, run)
        return run.out

    def hcl_blocks(self, subject: Subject, ctx: CollectContext) -> Iterable[tuple[str, Wanted]]:
        return hcl_blocks(ctx.tree) if ctx.tree is not None else []


__all__ = ["DETECTORS", "IacCollector"]
