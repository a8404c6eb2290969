"""Probes for WAF-OPS-050 (change management and deployment risk assessment).

Review requirements are platform settings: they are *seen* in Terraform / settings.yml (strong) or
the platform API (direct), but their *absence* can only be concluded when the API was read. Git
history is the outcome view without the API: a default branch where nearly every change arrived
through a pull/merge request shows a review habit (weak); one where most commits were pushed
directly shows there is no enforced review.
"""

from __future__ import annotations

import re

from wafops.rules.probes import EvidenceSet, Finding, found, missing, pct, probe, unreadable
from wafops.scanner.core.model import Evidence, Strength

# Change categories and risk declared per change by label: `risk: high`, `change/emergency`, `standard-change`, and
# deploy-risk labels such as Sentry's `Deploy: Risky` / `Deploy: Monitored` (a PR is marked as a risky or watched
# deploy). Issue-impact labels (`Impact: Large`) are left out: they may rate bugs, not changes.
CHANGE_LABEL_RX = re.compile(r"(?i)^(change|risk|cab|change[-_ ]?type)[:/ _-]*(standard|normal|emergency|low|medium|high|critical)$"
                             r"|^(standard|normal|emergency)[-_ ]change$"
                             r"|^(deploy|deployment|release|change)[:/ _-]*(risky|(high|low|medium)[-_ ]risk|monitored)$"
                             r"|^(risky|(high|low)[-_ ]risk)[-_ :/]*(deploy|deployment|change|release)$")


def _active_rules(ev: EvidenceSet) -> list[Evidence]:
    return [e for e in ev.of("scm.branch_rules") if e.get("enforcement") in (None, "active")]


def git_history(ev: EvidenceSet) -> Evidence | None:
    items = ev.of("git.history")
    return items[0] if items else None


def pr_share(h: Evidence, min_sample: int) -> tuple[float | None, int, str]:
    """(share of first-parent commits that came through PRs, sample size, window): the better of the last 90 days
    and the last 365 days, among windows with enough commits. A review habit is a practice over months: a burst of
    direct pushes in a quiet quarter does not undo a year in which nearly every change came through a PR, and a
    team that adopted PRs this quarter has the habit now."""
    windows = []
    n90 = h.get("first_parent_90d") or 0
    if n90 >= min_sample and h.get("pr_merge_ratio") is not None:
        windows.append((float(h.get("pr_merge_ratio")), n90, "90 days"))
    n365 = h.get("first_parent_365d") or 0
    if n365 >= min_sample and h.get("pr_merge_ratio_365d") is not None:
        windows.append((float(h.get("pr_merge_ratio_365d")), n365, "365 days"))
    if windows:
        return max(windows, key=lambda w: (w[0], w[1]))
    return None, max(n90, n365), ""


@probe(
    "changes_reviewed_before_merge",
    text="Changes reach the default branch through reviewed pull/merge requests (rules, review practice or history)",
    sources=["repo", "git", "scm"],
    min_ratio=0.8, max_ratio_absent=0.5, min_sample=5,
)
def changes_reviewed_before_merge(ev: EvidenceSet) -> Finding:
    rules = [e for e in _active_rules(ev) if e.get("requires_pr") or (e.get("required_reviews") or 0) >= 1]
    if rules:
        return found(rules, f"{len(rules)} branch rule(s) require pull requests or approvals")
    checks = [e for e in ev.of("change.merge_check") if (e.get("min_approvals") or 0) >= 1]
    if checks:
        return found(checks, f"a merge check ({checks[0].get('tool')}) requires {checks[0].get('min_approvals')} "
                     "approval(s) on every pull request", Strength.STRONG)
    reviews = [e for e in ev.of("scm.reviews") if e.get("ratio") is not None and (e.get("merged") or 0) > 0]
    good = [e for e in reviews if e.get("ratio") >= ev.p("min_ratio")]
    if good:
        return found(good, f"{pct(good[0].get('ratio'))} of merged pull requests were approved by someone else")
    owners = [e for e in ev.of("change.codeowners") if (e.get("rules") or 0) > 0]
    h = git_history(ev)
    ratio, n, window = (None, 0, "")
    if h is not None and not h.get("shallow"):
        ratio, n, window = pr_share(h, ev.p("min_sample"))
        if ratio is not None and ratio >= ev.p("min_ratio"):
            return found([h], f"{pct(ratio)} of {n} first-parent commits in {window} are pull/merge request merges",
                         Strength.WEAK)
    if owners:
        return found(owners, "CODEOWNERS assigns reviewers (review requirement itself not visible)", Strength.WEAK)
    platform_read = ev.usable("scm")
    blind = unreadable(ev, "branch_protection", "branch_rulesets")
    if platform_read and blind is None:
        detail = f"; {pct(reviews[0].get('ratio'))} of merged PRs approved" if reviews else ""
        return Finding(False, "no branch rule requires reviews" + detail, reviews)
    if ratio is not None and ratio < ev.p("max_ratio_absent"):
        return Finding(False, f"only {pct(ratio)} of {n} first-parent commits in {window} came through pull/merge "
                              "requests; the rest were pushed directly", [h])
    if h is not None and h.get("shallow"):
        return Finding(None, "not assessed, because the clone is shallow and the hosting platform was not read")
    if blind is not None:
        return blind
    if ratio is not None:
        return Finding(None, f"not assessed: {pct(ratio)} of first-parent commits came through PRs (inconclusive) and "
                             f"the hosting platform was not read", [h])
    return missing(ev, "no review requirement found", needs=("scm",))


@probe(
    "change_categories_defined",
    text="Change categories and risk are declared per change (PR/MR template with risk and rollback, category labels)",
    sources=["repo", "scm"],
)
def change_categories_defined(ev: EvidenceSet) -> Finding:
    # a risk assessment asked of every change (risk, impact, security threats) is the checklist's "change process
    # with risk assessment"; a category is a change type when a rollback plan or risk comes with it
    templates = [e for e in ev.of("change.pr_template")
                 if "risk" in (e.get("fields") or []) or {"category", "rollback"} <= set(e.get("fields") or [])]
    if templates:
        return found(templates, "PR/MR template asks every change for " + ", ".join(templates[0].get("fields")),
                     Strength.STRONG)
    labels = [e for e in ev.of("change.labels", "scm.labels")
              if any(CHANGE_LABEL_RX.search(str(lb)) for lb in e.get("labels") or [])]
    if labels:
        return found(labels, "change-category or risk labels exist", Strength.STRONG)
    # a merge check that demands one label of a set (architectural/major/minor/bugfix) makes every change declare
    # its type; one that demands a changelog entry makes every change record what it is before it merges
    required = [e for e in ev.of("change.merge_check") if e.get("required_labels")]
    if required:
        return found(required, "every pull request must carry one of the change-type labels "
                     + ", ".join(str(x) for x in required[0].get("required_labels")[:8]), Strength.STRONG)
    changelog = [e for e in ev.of("change.merge_check") if e.get("requires_changelog")]
    checklist = [e for e in ev.of("change.pr_template") if "checklist" in (e.get("fields") or [])]
    if changelog and checklist:
        return found(changelog + checklist[:1], "a PR template states what every change must do and a pull-request "
                     "check fails changes that do not record themselves in the changelog (exemptions are a "
                     "maintainer's decision)", Strength.STRONG)
    if changelog:
        return found(changelog, "a pull-request check demands a changelog entry, but no PR template states a change "
                     "process", Strength.WEAK)
    docs = [e for e in ev.of("change.policy_doc") if len(e.get("categories") or []) >= 2]
    if docs:
        return found(docs, "a change-management document names " + ", ".join(docs[0].get("categories")), Strength.WEAK)
    return missing(ev, "no PR/MR template asking for risk, no change-category labels, no merge check demanding a "
                   "change type or changelog entry, no change policy")


@probe(
    "multi_approver_high_risk",
    text="Risky changes need more than one approver (>= {min_approvals} approvals, or environment reviewers plus code-owner review)",
    sources=["repo", "scm"],
    min_approvals=2,
)
def multi_approver_high_risk(ev: EvidenceSet) -> Finding:
    rules = _active_rules(ev)
    two = [e for e in rules if (e.get("required_reviews") or 0) >= ev.p("min_approvals")]
    if two:
        return found(two, f"{two[0].get('required_reviews')} approvals required on {two[0].get('branch') or 'a branch'}")
    envs = [e for e in ev.of("scm.environment") if e.get("production") and (e.get("required_reviewers") or 0) >= 1]
    owners = [e for e in rules if e.get("code_owner_review")]
    if envs and owners:
        return found(envs + owners, "production environment reviewers plus required code-owner review (two gates)")
    sections = [e for e in ev.of("change.codeowners") if (e.get("section_approvals") or 0) >= ev.p("min_approvals")]
    sections += [e for e in ev.of("change.risk_routing") if (e.get("min_approvals") or 0) >= ev.p("min_approvals")]
    sections += [e for e in ev.of("change.merge_check") if (e.get("min_approvals") or 0) >= ev.p("min_approvals")]
    if sections:
        return found(sections, "changes require multiple approvals (CODEOWNERS sections, a risk gate or a merge-check "
                     "bot)", Strength.STRONG)
    blind = unreadable(ev, "branch_protection", "branch_rulesets", "environments")
    if blind is not None:
        return blind
    return missing(ev, "no multi-approver rule found", needs=("scm",))


@probe(
    "deploy_freeze_mechanism",
    text="A deploy freeze / change window is enforced by the pipeline or the platform",
    sources=["repo"],
)
def deploy_freeze_mechanism(ev: EvidenceSet) -> Finding:
    items = ev.of("change.freeze") + [e for e in ev.of("ci.job") if e.get("freeze_check")]
    strong = [e for e in items if e.strength is not Strength.WEAK]
    if strong:
        return found(strong, "freeze mechanism: " + ", ".join(sorted({str(e.get("mechanism") or "pipeline check") for e in strong})))
    if items:
        return found(items, "freeze rules are only written down", Strength.WEAK)
    return missing(ev, "no deploy freeze mechanism (pipeline check, GitLab freeze period, deployment window)")


@probe(
    "change_records_linked",
    text="Production changes trace to change records (PRs/MRs or tickets)",
    sources=["git", "scm", "repo"],
    min_ratio=0.8, min_sample=5,
)
def change_records_linked(ev: EvidenceSet) -> Finding:
    reviews = [e for e in ev.of("scm.reviews") if (e.get("merged") or 0) > 0]
    h = git_history(ev)
    if h is not None and not h.get("shallow"):
        ratio, n, window = pr_share(h, ev.p("min_sample"))
        if ratio is not None and ratio >= ev.p("min_ratio"):
            return found([h], f"{pct(ratio)} of {n} changes on the default branch in {window} trace to a PR/MR",
                         Strength.STRONG)
        if ratio is not None and (ev.usable("scm")) and not unreadable(ev, "pull_requests"):
            return Finding(False, f"only {pct(ratio)} of default-branch changes trace to a PR/MR", [h])
    tickets = [e for e in ev.of("change.pr_template") if "ticket" in (e.get("fields") or [])]
    if tickets:
        return found(tickets, "the PR/MR template asks for a ticket reference", Strength.WEAK)
    if reviews:
        return found(reviews, f"{reviews[0].get('merged')} merged pull requests in the window", Strength.WEAK)
    blind = unreadable(ev, "pull_requests")
    if blind is not None:
        return blind
    return missing(ev, "changes do not trace to pull requests or tickets", needs=("scm",))


@probe(
    "risk_based_routing",
    text="Approvals are routed by risk (policy-bot, CODEOWNERS sections with approval counts, path-based owners enforced)",
    sources=["repo", "scm"],
)
def risk_based_routing(ev: EvidenceSet) -> Finding:
    strong = [e for e in ev.of("change.risk_routing") if e.get("tool") != "labeler"]
    strong += [e for e in ev.of("change.codeowners") if (e.get("section_approvals") or 0) >= 2]
    enforced = [e for e in _active_rules(ev) if e.get("code_owner_review")]
    owners = [e for e in ev.of("change.codeowners") if (e.get("owner_sets") or 0) >= 2 and e.get("covers_iac")]
    if strong:
        return found(strong, "approval rules depend on what a change touches")
    if enforced and owners:
        return found(enforced + owners, "code-owner review is required and different paths have different owners")
    labeler = [e for e in ev.of("change.risk_routing") if e.get("tool") == "labeler" and e.get("risk_labels")]
    if labeler:
        return found(labeler, "a labeler marks risky paths (no rule seen that acts on the labels)", Strength.WEAK)
    return missing(ev, "no risk-based approval routing")


@probe(
    "post_deploy_verification",
    text="A smoke/health check runs automatically after production deploys",
    sources=["repo"],
)
def post_deploy_verification(ev: EvidenceSet) -> Finding:
    jobs = ev.of("ci.job")
    prod_deploys = {e.get("name") for e in jobs if e.get("production") and "deploy" in (e.get("steps") or [])}
    hits = [
        e for e in jobs
        if "smoke" in (e.get("steps") or [])
        and ((e.get("production") and "deploy" in (e.get("steps") or [])) or set(e.get("needs") or []) & prod_deploys)
    ]
    hits += [e for e in ev.of("deploy.strategy") if e.get("analysis")]
    if hits:
        return found(hits, "post-deploy verification: " + ", ".join(sorted({str(e.get("name") or e.get("tool")) for e in hits})))
    return missing(ev, "no smoke or analysis step after a production deploy")


@probe(
    "cfr_tracking_artefact",
    text="Change failure rate is tracked (DORA dashboard, deploy events sent to a metrics tool, platform DORA data)",
    sources=["repo", "scm"],
)
def cfr_tracking_artefact(ev: EvidenceSet) -> Finding:
    items = [e for e in ev.of("obs.dashboard") if e.get("dora")]
    items += [e for e in ev.of("ci.job") if "metrics" in (e.get("steps") or [])]
    items += [e for e in ev.of("dora.metrics") if e.source == "gitlab" and e.get("change_failure_rate") is not None]
    if items:
        return found(items, "change failure rate is tracked")
    docs = [e for e in ev.of("doc.policy") if e.get("topic") == "dora-review"]
    if docs:
        return found(docs, "a DORA review document exists", Strength.WEAK)
    return missing(ev, "no CFR tracking artefact", needs=("repo", "scm"))


@probe(
    "cfr_and_restore_values",
    text="Change failure rate < {max_cfr:.0%} and failed changes restored in < {max_restore_hours:g} h (>= {min_deploys} production deploys)",
    sources=["scm"],
    max_cfr=0.05, max_restore_hours=1.0, min_deploys=20,
)
def cfr_and_restore_values(ev: EvidenceSet) -> Finding:
    metrics = ev.of("dora.metrics")
    if not metrics:
        return missing(ev, "no DORA metrics could be computed", needs=("scm",))
    m = metrics[0]
    cfr, ttr = m.get("change_failure_rate"), m.get("time_to_restore_hours_p50")
    insufficient = set(m.get("insufficient") or [])
    if (m.get("deploys") or 0) < ev.p("min_deploys") or {"change_failure_rate", "time_to_restore_hours_p50"} & insufficient:
        return Finding(None, f"not assessed: insufficient sample ({m.get('deploys') or 0} production deploys)", [m])
    if cfr is None or ttr is None:
        return Finding(None, "not assessed: CFR or restore time unknown", [m])
    ok = cfr < ev.p("max_cfr") and ttr < ev.p("max_restore_hours")
    return Finding(ok, f"CFR {pct(cfr)}, median restore {ttr:.1f} h", [m])
