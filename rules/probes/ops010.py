"""Probes for WAF-OPS-010 (CI/CD pipeline defined and automated).

Reads `ci.pipeline`/`ci.job` (repo), settings from `scm.*` (Terraform strong, platform API
direct), `gitops.app`, and activity/DORA evidence from the platform helpers. The shared
delivery-safety probes (progressive delivery, auto rollback) live in `ops080.py`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from wafops.rules.probes import EvidenceSet, Finding, found, missing, pct, probe, unreadable, verdict
from wafops.scanner.core.model import Evidence, Strength

PR_TRIGGERS = {"pull_request", "merge_group"}
DEPLOY_TRIGGERS = {"push", "tag", "release", "manual", "schedule", "other", "workflow_call"}
ALL_BRANCHES = {"*", "**", "*/*", "**/*", "/.*/", ".*"}
_TESTISH_TEMPLATE = re.compile(r"(?i)(test|ci|check|build|lint|verify|quality)")
_NON_PROD = re.compile(r"(?i)\b(?:non[-_ ]?prod|pre[-_ ]?prod|preprod|staging|stage|dev|develop|test|qa|uat|preview|review|sandbox|e2e|pr)\b")


def jobs(ev: EvidenceSet) -> list[Evidence]:
    return ev.of("ci.job")


def has_step(job: Evidence, *classes: str) -> bool:
    steps = job.get("steps") or []
    return any(c in steps for c in classes)


def triggers(job: Evidence) -> set[str]:
    return set(job.get("triggers") or [])


def on_all_branches(job: Evidence) -> bool:
    """A push trigger without a branch filter (or with `**`) also runs for every PR branch."""
    branches = set(job.get("branches") or [])
    return "push" in triggers(job) and (not branches or bool(branches & ALL_BRANCHES))


def _ci_defined_elsewhere(fn: Callable[[EvidenceSet], Finding], presubmits_count: bool) -> Callable[[EvidenceSet], Finding]:
    @functools.wraps(fn)
    def wrapper(ev: EvidenceSet) -> Finding:
        f = fn(ev)
        ext = ev.of("ci.external")
        if f.outcome is False and ext:
            systems = ", ".join(sorted({str(e.get("system")) for e in ext}))
            if presubmits_count:
                # Prow/OpenShift CI gate every pull request on presubmit jobs: that much the repository shows
                return Finding(True, f"{systems} runs presubmit jobs on every pull request (jobs defined in a central "
                               "configuration repository)", ext, Strength.WEAK)
            return Finding(None, f"not assessed, because this repository's CI jobs are defined in a central {systems} "
                           f"configuration repository that was not scanned ({f.reason})", f.evidence + ext)
        return f

    return wrapper


def ci_defined_elsewhere(fn: Callable[[EvidenceSet], Finding]) -> Callable[[EvidenceSet], Finding]:
    """A negative answer about pipeline jobs is not assessed when the repository's CI jobs live in a central
    configuration repository this scan did not read (Prow: kubernetes' jobs are in kubernetes/test-infra)."""
    return _ci_defined_elsewhere(fn, presubmits_count=False)


def presubmits_elsewhere(fn: Callable[[EvidenceSet], Finding]) -> Callable[[EvidenceSet], Finding]:
    """Like `ci_defined_elsewhere`, but a central CI that gates pull requests (Prow) counts as weak evidence:
    enough for level 2 (a pipeline, tests on PRs), never for level 3 and above."""
    return _ci_defined_elsewhere(fn, presubmits_count=True)


@probe("ci_pipeline_defined", text="A pipeline file (or a pipeline declared in IaC) defines at least one job", sources=["repo"])
@presubmits_elsewhere
def ci_pipeline_defined(ev: EvidenceSet) -> Finding:
    pipes = [e for e in ev.of("ci.pipeline") if (e.get("jobs") or 0) >= 1]
    return verdict(pipes, f"{len(pipes)} pipeline(s) with jobs", "no pipeline definition found in the repository", ev)


@probe("ci_tests_on_pr", text="Tests run automatically on pull/merge requests (or on every branch push)", sources=["repo"])
@presubmits_elsewhere
def ci_tests_on_pr(ev: EvidenceSet) -> Finding:
    tested = [j for j in jobs(ev) if has_step(j, "test")]
    on_pr = [j for j in tested if triggers(j) & PR_TRIGGERS]
    if on_pr:
        return found(on_pr, f"{len(on_pr)} job(s) run tests on pull/merge requests")
    iac_check = re.compile(r"(?i)terraform validate|tofu validate|tflint|cfn-lint|kubeconform|kubeval|helm lint"
                           r"|promtool (?:check|test)|amtool check-config|flux-local|flux build"
                           r"|ansible-lint|syntax-check|ansible-review|puppet-lint|puppet parser validate|salt-lint|cookstyle"
                           + (r"|pre-commit" if ev.of("iac.code") else ""))
    # IaC validation counts on PRs, or on a push trigger for every branch (PR branches get it too)
    validated = [j for j in jobs(ev) if (triggers(j) & PR_TRIGGERS or on_all_branches(j)) and (has_step(j, "plan", "policy")
                 or iac_check.search(str((j.get("matched") or {}).get("lint") or "")))]
    every_branch = [j for j in tested if on_all_branches(j)]
    if every_branch:
        return found(every_branch, f"{len(every_branch)} test job(s) run on every branch push, so PR branches are tested",
                     Strength.STRONG)
    if validated:
        return found(validated, f"{len(validated)} job(s) validate infrastructure code on pull requests or every branch push (plan/validate/lint)",
                     Strength.STRONG)
    # GitLab jobs carry a `template` only for downstream `trigger:` pipelines, which are not shared CI templates
    called = [j for j in jobs(ev) if triggers(j) & PR_TRIGGERS and j.get("template") and j.get("system") != "gitlab-ci"
              and _TESTISH_TEMPLATE.search(str(j.get("template")))]
    if called:
        return found(called, "pull requests run a shared CI template (its steps are not in this repository)", Strength.WEAK)
    # lint and type checks on every PR are automated checks before merge: basic CI (WAF++ L2), short of tests
    checked = [j for j in jobs(ev) if has_step(j, "lint") and (triggers(j) & PR_TRIGGERS or on_all_branches(j))]
    if checked:
        what = ", ".join(sorted({str((j.get("matched") or {}).get("lint")) for j in checked})[:4])
        return found(checked, f"{len(checked)} job(s) run automated checks ({what}) on pull requests, but no test step",
                     Strength.WEAK)
    if tested:
        return Finding(False, f"{len(tested)} job(s) run tests, but none on pull/merge requests "
                       "(only on the default branch, tags, schedules or by hand)", tested)
    return missing(ev, "no pipeline job runs a test step")


# publishing to a package registry (not a container image, not only a GitHub release page)
_REGISTRY = re.compile(r"(?i)npm publish|pnpm publish|yarn (?:npm )?publish|twine upload|pypi-publish|poetry publish|flit publish"
                       r"|uv publish|cargo publish|gem push|mvnw?\b.*deploy|gradlew?\b.*publish|goreleaser|nuget push|helm push"
                       r"|chart-releaser|changesets/action|semantic-release")


def prod_deploy_jobs(ev: EvidenceSet) -> list[Evidence]:
    return [j for j in jobs(ev) if j.get("production") and has_step(j, "deploy", "apply")
            and (triggers(j) & DEPLOY_TRIGGERS or not triggers(j))]


@probe("prod_deploy_in_pipeline", text="Production is deployed by a pipeline job (or an automated GitOps reconciler)",
       sources=["repo"])
def prod_deploy_in_pipeline(ev: EvidenceSet) -> Finding:
    prod = prod_deploy_jobs(ev)
    gitops = [g for g in ev.of("gitops.app") if g.get("automated")]
    if prod or gitops:
        what = []
        if prod:
            what.append(f"{len(prod)} pipeline job(s) deploy to production ({', '.join(sorted({str(j.get('environment')) for j in prod}))})")
        if gitops:
            what.append(f"{len(gitops)} GitOps app(s) sync automatically")
        return found(prod + gitops, "; ".join(what))
    # A repository that deploys nothing and runs no infrastructure of its own (no IaC roots, no Kubernetes
    # workloads) but publishes packages (a library, a CLI) delivers to its users through the registry: a pipeline job that publishes a release (tag, release, by hand or from the main line) is its
    # production delivery, whatever its environment is called.
    runs_infra = ev.of("k8s.workload") or [c for c in ev.of("iac.code") if c.get("role") in (None, "root")]
    if not runs_infra and not any(has_step(j, "deploy", "apply") for j in jobs(ev)):
        published = [j for j in jobs(ev) if has_step(j, "release") and _REGISTRY.search(str((j.get("matched") or {}).get("release")))
                     and triggers(j) & {"tag", "release", "manual", "push", "workflow_call"}]
        if published:
            envs = sorted({str(j.get("environment")) for j in published if j.get("environment")})
            return found(published, f"{len(published)} pipeline job(s) publish releases to a package registry "
                         f"({', '.join(sorted({str((j.get('matched') or {}).get('release')) for j in published})[:3])}"
                         + (f"; environment {', '.join(envs)}" if envs else "") + "): the production delivery of a "
                         "package that deploys nothing", Strength.STRONG)
    # A deploy job without a named environment, run from the main line: probably production, cannot confirm.
    unnamed = [j for j in jobs(ev) if has_step(j, "deploy", "apply") and not j.get("environment")
               and triggers(j) & {"push", "tag", "release", "manual"} and not _NON_PROD.search(str(j.get("name")))]
    if unnamed:
        return found(unnamed, f"{len(unnamed)} deploy job(s) without a production environment name "
                     "(cannot tell whether they deploy production)", Strength.WEAK)
    return missing(ev, "no pipeline job deploys to a production environment, and no automated GitOps sync")


@probe("pipeline_deploys_every_environment",
       text="The pipeline that deploys production also deploys the pre-production environments", sources=["repo"])
def pipeline_deploys_every_environment(ev: EvidenceSet) -> Finding:
    prod = prod_deploy_jobs(ev)
    if not prod:
        return missing(ev, "no pipeline job deploys production")
    deployers = [j for j in jobs(ev) if has_step(j, "deploy", "apply")]
    pre = sorted({str(e) for j in deployers for e in [j.get("environment"), *(j.get("environments") or [])]
                  if e and _NON_PROD.search(str(e)) and not str(e).lower().startswith(("pr-", "pr_"))})
    if pre:
        return found(prod + [j for j in deployers if j not in prod][:5],
                     f"the pipeline deploys {', '.join(pre[:5])} as well as production")
    return Finding(False, "the pipeline deploys production only (no staging/test environment deployed by it)", prod)


@probe("prod_deploy_gate", text="Production deploys wait for an approval (environment reviewers or a manual gate)",
       sources=["repo", "scm"])
def prod_deploy_gate(ev: EvidenceSet) -> Finding:
    envs = [e for e in ev.of("scm.environment") if e.get("production")
            and ((e.get("required_reviewers") or 0) >= 1 or (e.get("custom_rules") or 0) >= 1)]
    if envs:
        return found(envs, f"production environment(s) {', '.join(sorted({str(e.get('name')) for e in envs}))} require approval")
    gated = [j for j in prod_deploy_jobs(ev) if j.get("manual_gate")]
    if gated:
        return found(gated, f"{len(gated)} production deploy job(s) wait for a manual start/approval", Strength.STRONG)
    blind = unreadable(ev, "environments")
    if blind:
        return blind
    prod = prod_deploy_jobs(ev)
    if prod and all(j.get("system") == "azure-pipelines" and j.get("environment") for j in prod):
        # approvals and checks on Azure DevOps environments are configured in Azure DevOps, not in YAML
        return Finding(None, "not assessed, because approvals and checks on the Azure DevOps environment(s) "
                       f"{', '.join(sorted({str(j.get('environment')) for j in prod}))} are kept in Azure DevOps, "
                       "which was not scanned", prod)
    return missing(ev, "no approval gate on production deploys (no environment reviewers, no manual gate)",
                   needs=("repo", "scm"))


@probe("default_branch_requires_pr", text="The default branch only accepts changes through pull/merge requests",
       sources=["repo", "git", "scm"], min_ratio=0.95, min_sample=20)
def default_branch_requires_pr(ev: EvidenceSet) -> Finding:
    rules = [e for e in ev.of("scm.branch_rules") if e.get("enforcement") in (None, "active")
             and (e.get("requires_pr") or (e.get("required_reviews") or 0) >= 1)]
    if rules:
        return found(rules, f"{len(rules)} branch rule(s) require pull requests")
    hist = [h for h in ev.of("git.history") if not h.get("shallow") and (h.get("first_parent_90d") or 0) >= ev.p("min_sample")
            and (h.get("pr_merge_ratio") or 0) >= ev.p("min_ratio")]
    if hist and not (ev.usable("scm")):
        return found(hist, f"{pct(hist[0].get('pr_merge_ratio'))} of recent default-branch commits came through PRs "
                     "(habit, not an enforced rule)", Strength.WEAK)
    blind = unreadable(ev, "branch_protection", "branch_rulesets")
    if blind:
        return blind
    return missing(ev, "no branch rule requires pull requests on the default branch", needs=("scm",))


@probe("pipeline_quality_stages", text="Pipelines run lint, tests and a security scan", sources=["repo", "scm"])
@ci_defined_elsewhere
def pipeline_quality_stages(ev: EvidenceSet) -> Finding:
    have: dict[str, list[Evidence]] = {c: [j for j in jobs(ev) if has_step(j, c)] for c in ("lint", "test", "security")}
    scanning = [e for e in ev.of("scm.code_scanning") if e.get("state") == "configured"]
    if scanning:
        have["security"] = have["security"] + scanning
    absent = [c for c, items in have.items() if not items]
    if not absent:
        items = [items[0] for items in have.values()]
        return found(items, "lint ({}), tests ({}) and security scanning ({}) run in pipelines".format(
            *(str((i[0].get("matched") or {}).get(c) or i[0].kind) for c, i in have.items())))
    if not jobs(ev):
        return missing(ev, "no pipeline jobs")
    present = [items[0] for items in have.values() if items]
    if "lint" in absent or "test" in absent:
        return Finding(False, f"pipelines lack {' and '.join(absent)} step(s)", present)
    # Security scanning can be switched on in the platform without a file (GitHub default setup, GitLab policies).
    blind = unreadable(ev, "code_scanning")
    if blind:
        blind.evidence = present + blind.evidence
        return blind
    f = missing(ev, "no security scanning step (SAST, dependency or secret scan) in any pipeline", needs=("repo", "scm"))
    f.evidence = present
    return f


@probe("delivery_metrics_tracked", text="Delivery metrics (deploy frequency, lead time) are tracked by a tool or dashboard",
       sources=["repo", "gitlab"])
def delivery_metrics_tracked(ev: EvidenceSet) -> Finding:
    items = [j for j in jobs(ev) if has_step(j, "metrics")]
    items += [d for d in ev.of("obs.dashboard") if d.get("dora")]
    items += [d for d in ev.of("dora.metrics") if d.source == "gitlab" and (d.get("deploys") or 0) > 0]
    items += [d for d in ev.of("doc.policy", topic="dora-review")]
    return verdict(items, f"{len(items)} delivery-metrics tracking artefact(s)",
                   "no delivery-metrics tracking (no DORA events from CI, no DORA dashboard); "
                   "metrics that can only be computed are not tracked", ev)


@probe("pipeline_fast", text="The pipeline's median run takes less than max_minutes", sources=["scm"], max_minutes=15)
def pipeline_fast(ev: EvidenceSet) -> Finding:
    runs = [r for r in ev.of("scm.runs") if r.get("p50_duration_min") is not None]
    if not runs:
        return unreadable(ev, "workflow_runs") or missing(ev, "no pipeline run durations", needs=("scm",))
    fast = [r for r in runs if float(r.get("p50_duration_min")) < ev.p("max_minutes")]
    if fast:
        return found(fast, f"median pipeline run {fast[0].get('p50_duration_min')} min (< {ev.p('max_minutes')} min)")
    return Finding(False, f"median pipeline run {runs[0].get('p50_duration_min')} min (>= {ev.p('max_minutes')} min)", runs)


@probe("deploy_frequency_high", text="Production deploys happen at least min_per_day times per working day (median)",
       sources=["scm"], min_per_day=1.0, min_sample=10)
def deploy_frequency_high(ev: EvidenceSet) -> Finding:
    items = ev.of("dora.metrics")
    if not items:
        return unreadable(ev, "deployments") or missing(ev, "no deployment history", needs=("scm",))
    d = items[0]
    n = int((d.get("sample") or {}).get("deployment_frequency", d.get("deploys") or 0) or 0)
    rate = d.get("deploys_per_working_day")
    if rate is None or "deployment_frequency" in (d.get("insufficient") or []):
        return Finding(None, f"not assessed, because no production deployment records in {d.get('window_days')} days "
                       "(deploys may happen without deployment records)", [d])
    if float(rate) >= ev.p("min_per_day") and n >= ev.p("min_sample"):
        return found([d], f"{rate} production deploys per working day ({n} deploys)")
    if float(rate) >= ev.p("min_per_day"):
        return Finding(None, f"not assessed, because the sample is too small ({n} deploys)", [d])
    return Finding(False, f"{rate} production deploys per working day (< {ev.p('min_per_day')})", [d])


@probe("feature_flags_in_use", text="Feature flags control rollouts (a flag SDK in code or a flag service)", sources=["repo"])
def feature_flags_in_use(ev: EvidenceSet) -> Finding:
    items = ev.of("deploy.flag_service") + [d for d in ev.of("dep.package") if "feature_flag" in (d.get("categories") or [])]
    return verdict(items, f"{len(items)} feature-flag SDK/service reference(s)", "no feature-flag SDK or service", ev)


def _external(template: str | None) -> bool:
    return bool(template) and not str(template).startswith("./")


@probe("shared_pipeline_templates", text="Most jobs come from shared pipeline templates kept outside the repository",
       sources=["repo"], min_ratio=0.5)
@ci_defined_elsewhere
def shared_pipeline_templates(ev: EvidenceSet) -> Finding:
    pipes = {p.locator.path: p for p in ev.of("ci.pipeline")}
    all_jobs = [j for j in jobs(ev) if not (pipes.get(j.get("pipeline")) and pipes[j.get("pipeline")].get("reusable"))]
    # GitLab's own `include: template:` files (Security/SAST.gitlab-ci.yml) are vendor jobs, not the
    # organisation's shared pipeline library; project/component/remote includes are.
    def shared(pipe: Evidence | None) -> list[str]:
        return [str(t) for t in ((pipe.get("templates") or []) if pipe else []) if not str(t).startswith("template:")]
    # a GitLab pipeline that is nothing but includes of a shared library: all its jobs come from there
    wholly = [p for p in ev.of("ci.pipeline", system="gitlab-ci") if shared(p) and not (p.get("jobs") or 0)]
    if not all_jobs and not wholly:
        return missing(ev, "no pipeline jobs")
    inherit = {"jenkins", "circleci", "azure-pipelines"}
    # GitLab jobs count when they extend a hidden job only an external include defines; a pipeline that
    # merely includes one shared file next to its own jobs does not make those jobs shared
    templated = [j for j in all_jobs if (_external(j.get("template")) and j.get("system") != "gitlab-ci")
                 or (j.get("system") == "gitlab-ci" and j.get("shared_base"))
                 or (j.get("system") in inherit and shared(pipes.get(j.get("pipeline"))))]
    # each shared include (component, project file, remote) brings at least one job the scan cannot see
    components = [p for p in ev.of("ci.pipeline", system="gitlab-ci") if p not in wholly for t in shared(p)]
    total = len(all_jobs) + len(components) + len(wholly)
    share = (len(templated) + len(components) + len(wholly)) / total
    items = templated + wholly + [c for i, c in enumerate(components) if all(c is not d for d in components[:i])]
    if items and share >= ev.p("min_ratio"):
        return found(items, f"{pct(share)} of jobs use shared templates", Strength.STRONG)
    return Finding(False, f"{pct(share)} of jobs use shared templates (< {pct(ev.p('min_ratio'))})", items)
