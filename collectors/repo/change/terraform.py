"""Code-hosting settings managed by Terraform: branch protection and rulesets, environments, GitLab approval
rules and freeze periods, CodePipeline deployment windows, and labels. Applied by tooling, so strong evidence,
though live settings can drift from code."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from wafops.collectors.repo.change.common import ChangeScan
from wafops.collectors.translate import scm
from wafops.collectors.translate.scm import declared_flag as _bool
from wafops.collectors.translate.scm import declared_int as _int
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.hcl import block_headers, blocks, first
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Evidence, Strength
from wafops.scanner.core.vocabulary import is_production, is_sample_path

TF_TYPES = {
    "github_branch_protection", "github_branch_protection_v3", "github_repository_ruleset",
    "github_repository_environment", "gitlab_branch_protection", "gitlab_project_approval_rule",
    "gitlab_project_protected_environment", "gitlab_project_freeze_period", "aws_codepipeline",
}
TF_LABEL_RES_RX = re.compile(r'resource\s+"(github_issue_labels?|gitlab_label|gitlab_project_label|gitlab_group_label)"')
TF_LABEL_KEY_RX = re.compile(r'(?m)^\s*"?([\w][\w :/.+-]{0,48}?)"?\s*=\s*\{[^{}]{0,400}?\b(?:colou?r|description)\b')
TF_LABEL_NAME_RX = re.compile(r'\{[^{}]{0,200}?\bname\s*=\s*"([^"$\n]{1,50})"[^{}]{0,200}?\bcolou?r\b|'
                              r'\{[^{}]{0,200}?\bcolou?r\b[^{}]{0,200}?\bname\s*=\s*"([^"$\n]{1,50})"')
WANTED = Wanted(resource_types=frozenset(TF_TYPES))  # the blocks `terraform` reads from a parse
S = Strength.STRONG


@dataclass
class Resource:
    """One Terraform resource block of a type we read, with where it was declared."""

    scan: ChangeScan
    path: str
    line: int | None
    rtype: str
    name: str
    body: dict[str, Any]

    def evidence(self, kind: str, attrs: dict[str, Any], summary: str) -> Evidence:
        return self.scan.ctx.file_evidence(kind, self.path, line=self.line, attributes=attrs, strength=S,
                                           summary=summary)


def hcl_blocks(tree: RepoTree) -> list[tuple[str, Wanted]]:
    """The .tf files `terraform` parses, and the blocks it reads."""
    return [(path, WANTED) for path, _lines in _candidates(tree)]


def _candidates(tree: RepoTree) -> Iterator[tuple[str, dict[tuple[str, str], int]]]:
    """(path, (type, name) -> line) of the .tf files outside samples declaring a resource of TF_TYPES."""
    for path in tree.with_suffix(".tf"):
        if is_sample_path(path):
            continue  # a module's examples/tests configure someone else's repository
        text = tree.text(path)
        if not text or not any(t in text for t in TF_TYPES):
            continue
        lines = {(h[1], h[2]): h[3] for h in block_headers(text) if h[0] == "resource" and h[1] in TF_TYPES}
        if lines:
            yield path, lines


def terraform(scan: ChangeScan) -> Iterator[Evidence]:
    tree = scan.tree
    for path, lines in _candidates(tree):
        for b in blocks(tree.hcl(path, WANTED)):
            if b.type != "resource" or len(b.labels) < 2 or b.labels[0] not in TF_TYPES:
                continue
            res = Resource(scan, path, lines.get(b.labels[:2]), b.labels[0], b.labels[1], b.body)
            yield from HANDLERS[res.rtype](res)


# ---- GitHub -------------------------------------------------------------------------------------
def github_branch_protection(res: Resource) -> Iterator[Evidence]:
    body = res.body
    shape = {  # Terraform's field names -> the REST shape
        "required_pull_request_reviews": first(body.get("required_pull_request_reviews")),
        "required_status_checks": body.get("required_status_checks"),
        "enforce_admins": body.get("enforce_admins"),
        "allow_force_pushes": body.get("allows_force_pushes"),
        "allow_deletions": body.get("allows_deletions"),
    }
    branch = str(body.get("pattern") or body.get("branch") or "")
    attrs = scm.github_protection(shape, branch, origin="terraform", declared=True)
    yield res.evidence("scm.branch_rules", attrs, f"{res.rtype}.{res.name}: {scm.rules_summary(attrs)}")


def github_repository_ruleset(res: Resource) -> Iterator[Evidence]:
    body = res.body
    if str(body.get("target") or "branch") != "branch":
        return
    rules = first(body.get("rules")) or {}
    pr = first(rules.get("pull_request")) if isinstance(rules, dict) else None
    pr = pr if isinstance(pr, dict) else None
    cond = first(body.get("conditions")) or {}
    ref = first(cond.get("ref_name")) if isinstance(cond, dict) else None
    include = ref.get("include") if isinstance(ref, dict) else None
    enforcement = str(body.get("enforcement") or "")
    bypass = body.get("bypass_actors") or []
    active = enforcement == "active"
    has = isinstance(rules, dict)
    attrs = scm.branch_rules(
        origin="terraform",
        branch=",".join(str(i) for i in include) if isinstance(include, list) else "",
        requires_pr=pr is not None and active,
        required_reviews=_int(pr.get("required_approving_review_count"), 0) if pr and active else 0,
        code_owner_review=_bool(pr.get("require_code_owner_review")) if pr and active else False,
        status_checks=has and rules.get("required_status_checks") is not None and active,
        dismiss_stale=_bool(pr.get("dismiss_stale_reviews_on_push")) if pr else False,
        last_push_approval=_bool(pr.get("require_last_push_approval")) if pr else False,
        enforce_admins=active and not bypass,
        force_push_blocked=has and _bool(rules.get("non_fast_forward")) and active,
        deletion_blocked=has and _bool(rules.get("deletion")) and active,
        merge_queue=has and rules.get("merge_queue") is not None and active,
        enforcement=enforcement or None,
        bypass_actors=len(bypass) if isinstance(bypass, list) else 0,
    )
    yield res.evidence("scm.branch_rules", attrs,
                       f"{res.rtype}.{res.name} ({enforcement or 'no enforcement'}): {scm.rules_summary(attrs)}")


def github_repository_environment(res: Resource) -> Iterator[Evidence]:
    body = res.body
    env = str(body.get("environment") or res.name)
    reviewers = first(body.get("reviewers"))
    n = 0
    if isinstance(reviewers, dict):
        n = sum(len(v) if isinstance(v, list) else 1 for k, v in reviewers.items() if k in ("teams", "users") and v)
    policy = branch_policy(first(body.get("deployment_branch_policy")))
    attrs = {
        "origin": "terraform", "name": env, "production": is_production(env, res.scan.pattern),
        "required_reviewers": n, "prevent_self_review": _bool(body.get("prevent_self_review")),
        "wait_timer": _int(body.get("wait_timer"), 0), "branch_policy": policy,
        "admin_bypass": _bool(body.get("can_admins_bypass"), True), "custom_rules": 0,
    }
    yield res.evidence("scm.environment", attrs, f"environment {env}: {n} reviewer(s), branch policy {policy}")


def branch_policy(dbp: Any) -> str:
    """A declared deployment_branch_policy: protected branches, custom branch policies, or none."""
    if not isinstance(dbp, dict):
        return "none"
    if _bool(dbp.get("protected_branches")):
        return "protected"
    return "custom" if _bool(dbp.get("custom_branch_policies")) else "none"


# ---- GitLab -------------------------------------------------------------------------------------
def gitlab_branch_protection(res: Resource) -> Iterator[Evidence]:
    body = res.body
    push = str(body.get("push_access_level") or "").lower()
    shape = {  # Terraform's fields -> the REST shape of a protected branch
        "push_access_levels": [{"access_level": scm.NO_ACCESS}] if push in ("no one", "no_access", "0") else [],
        "code_owner_approval_required": _bool(body.get("code_owner_approval_required")),
        "allow_force_push": _bool(body.get("allow_force_push")),
    }
    attrs = scm.gitlab_protected_branch(shape, str(body.get("branch") or ""), origin="terraform")
    yield res.evidence("scm.branch_rules", attrs, f"{res.rtype}.{res.name}: {scm.rules_summary(attrs)}")


def gitlab_project_approval_rule(res: Resource) -> Iterator[Evidence]:
    body = res.body
    attrs = scm.branch_rules(origin="terraform", branch=str(body.get("name") or res.name),
                             required_reviews=_int(body.get("approvals_required"), 0))
    attrs["approval_rule"] = True
    yield res.evidence("scm.branch_rules", attrs,
                       f"GitLab approval rule {res.name}: {attrs['required_reviews']} approval(s)")


def gitlab_project_protected_environment(res: Resource) -> Iterator[Evidence]:
    body = res.body
    env = str(body.get("environment") or res.name)
    n = _int(body.get("required_approval_count"), 0)
    for rule in body.get("approval_rules") or []:
        if isinstance(rule, dict):
            n = max(n, _int(rule.get("required_approvals"), 1))
    attrs = {
        "origin": "terraform", "name": env, "production": is_production(env, res.scan.pattern),
        "required_reviewers": n, "prevent_self_review": False, "wait_timer": 0,
        "branch_policy": "protected", "admin_bypass": None, "custom_rules": 0,
    }
    yield res.evidence("scm.environment", attrs, f"GitLab protected environment {env}: {n} approval(s)")


def gitlab_project_freeze_period(res: Resource) -> Iterator[Evidence]:
    yield res.evidence("change.freeze", {"mechanism": "gitlab-freeze"}, f"GitLab freeze period {res.name}")


# ---- AWS ----------------------------------------------------------------------------------------
def aws_codepipeline(res: Resource) -> Iterator[Evidence]:
    if "DeploymentWindow" in str(res.body):
        yield res.evidence("change.freeze", {"mechanism": "codepipeline-window"},
                           f"CodePipeline {res.name} stage condition DeploymentWindow")


HANDLERS: dict[str, Callable[[Resource], Iterator[Evidence]]] = {
    "github_branch_protection": github_branch_protection,
    "github_branch_protection_v3": github_branch_protection,
    "github_repository_ruleset": github_repository_ruleset,
    "github_repository_environment": github_repository_environment,
    "gitlab_branch_protection": gitlab_branch_protection,
    "gitlab_project_approval_rule": gitlab_project_approval_rule,
    "gitlab_project_protected_environment": gitlab_project_protected_environment,
    "gitlab_project_freeze_period": gitlab_project_freeze_period,
    "aws_codepipeline": aws_codepipeline,
}


# ---- labels -------------------------------------------------------------------------------------
def tf_labels(scan: ChangeScan) -> Iterator[Evidence]:
    """Labels managed by Terraform (`github_issue_label`, `gitlab_project_label`, ...), as org/repo settings repos
    keep them. Names usually sit in a `for_each` map or list declared in a variable default or local of the same
    directory (`"technical-debt" = { color = ..., description = ... }`), so they are read from the directory's
    text: map keys whose object carries a colour/description, and `name = "..."` beside a colour."""
    tree = scan.tree
    by_dir: dict[str, list[str]] = {}
    for path in tree.with_suffix(".tf", ".tfvars"):
        if not is_sample_path(path):
            by_dir.setdefault(path.rsplit("/", 1)[0] if "/" in path else ".", []).append(path)
    for files in by_dir.values():
        texts = {p: tree.text(p) or "" for p in files if p.endswith(".tf")}
        hits = [(p, m) for p, t in texts.items() if (m := TF_LABEL_RES_RX.search(t))]
        if not hits:
            continue
        names: list[str] = []
        for p in files:
            t = texts.get(p) if p in texts else (tree.text(p) or "")
            for rx in (TF_LABEL_KEY_RX, TF_LABEL_NAME_RX):
                for m in rx.finditer(t):
                    name = (m.group(1) or m.group(m.lastindex or 1) or "").strip()
                    if name and name not in names and "${" not in name:
                        names.append(name)
        path, m = hits[0]
        yield scan.ctx.file_evidence("change.labels", path, line=texts[path].count("\n", 0, m.start()) + 1,
                                     attributes={"labels": names[:300], "origin": "terraform"}, strength=S,
                                     summary=f"{len(names)} label(s) managed by Terraform")
