"""Policy as code: scanner configurations (Checkov, tfsec, Trivy, KICS, Terrascan, Conftest), Sentinel and
Rego policies, pre-commit hooks that run a policy scanner, and policy sets declared in Terraform
(HCP Terraform, Spacelift). Admission policies (Kyverno, Gatekeeper) are read with the Kubernetes manifests."""

from __future__ import annotations

import re

from wafops.collectors.repo.iac.state import IacRun, dirname, role_of


def policy_files(run: IacRun) -> None:
    tree = run.tree
    by_name = {".checkov.yml": "checkov", ".checkov.yaml": "checkov", "tfsec.yml": "tfsec", "tfsec.yaml": "tfsec",
               "trivy.yaml": "trivy", "trivy.yml": "trivy", "kics.config": "kics", ".kics.config": "kics",
               "kics.yaml": "kics", "kics.yml": "kics", ".terrascan": "terrascan", "terrascan.toml": "terrascan",
               "sentinel.hcl": "sentinel", "conftest.toml": "conftest"}
    seen: set[str] = set()
    for path in tree.files:
        base = path.rsplit("/", 1)[-1].lower()
        tool = by_name.get(base)
        if tool is None:
            if base.endswith(".sentinel"):
                tool = "sentinel"
            elif "/.tfsec/" in f"/{path}" or "/.terrascan/" in f"/{path}":
                tool = "tfsec" if ".tfsec/" in path else "terrascan"
            else:
                continue
        if tool in seen or role_of(dirname(path)) == "example":
            continue
        seen.add(tool)
        run.ev("iac.policy", path, 1, {"tool": tool, "via": "platform" if tool == "sentinel" else "config"},
               f"{tool} configuration")
    rego = [p for p in tree.with_suffix(".rego") if not p.endswith("_test.rego")
            and role_of(dirname(p)) != "example"]
    if rego:
        run.ev("iac.policy", rego[0], 1, {"tool": "opa", "via": "config", "files": len(rego)},
               f"{len(rego)} Rego policy file(s)")
    for path in tree.named(".pre-commit-config.yaml", ".pre-commit-config.yml"):
        text = tree.text(path) or ""
        m = re.search(r"(?m)^\s*-?\s*id:\s*(terraform_tfsec|terraform_checkov|terraform_trivy|checkov\w*|tfsec|"
                      r"trivy\w*|terrascan|kics\w*|conftest\w*)\s*$", text)
        if m:
            run.ev("iac.policy", path, tree.line_of(path, m.group(1)), {"tool": m.group(1), "via": "pre-commit"},
                   f"pre-commit hook {m.group(1)}")
    for rtype, _dir, facts, e in run.resources:
        if rtype in ("tfe_policy_set", "tfe_policy", "tfe_sentinel_policy") or (
                rtype == "spacelift_policy" and str(facts.get("type", "")).upper() in ("PLAN", "APPROVAL")):
            run.ev("iac.policy", e.locator.path, e.locator.line, {"tool": rtype, "via": "platform"},
                   f"{rtype} declared in Terraform")
