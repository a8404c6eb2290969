"""Change collector: CODEOWNERS, templates, freezes, bots, labels, routing, branch rules as code."""

from __future__ import annotations

from pathlib import Path

from wafops.collectors.repo.change import ChangeCollector, parse_codeowners, template_fields

from tests.helpers import collect_with, write_tree


def _kinds(ev, kind):
    return [e for e in ev if e.kind == kind]


def test_codeowners_coverage_and_errors(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".github/CODEOWNERS": "# owners\n/infra/ @acme/platform\n.github/workflows/ @acme/ci\n*.tf @acme/platform\n"
                              "monitoring/ @acme/sre\nsrc/legacy/ bad owner\n",
        "infra/main.tf": "",
        "monitoring/alerts.yml": "",
        ".github/workflows/ci.yml": "on: push\n",
        "CODEOWNERS": "* @ignored\n",  # root file wins per GitHub order (CODEOWNERS first)
    })
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    (co,) = _kinds(ev, "change.codeowners")
    assert co.locator.path == "CODEOWNERS" and co.get("covers_all")
    (tmp_path / "CODEOWNERS").unlink()
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    (co,) = _kinds(ev, "change.codeowners")
    a = co.attributes
    assert co.locator.path == ".github/CODEOWNERS"
    assert a["rules"] == 4 and a["unowned_rules"] == 1 and a["covers_iac"] and a["covers_ci"] and a["covers_alerts"] and not a["covers_all"]
    assert a["errors"] and "line 6" in a["errors"][0]


def test_codeowners_of_bare_user_names_assigns_nobody(tmp_path: Path) -> None:
    """A CODEOWNERS listing maintainers one per line (no path pattern) names no owner for any path: it is
    no review rule, so OPS-050 must not read it as "CODEOWNERS assigns reviewers"."""
    write_tree(tmp_path, {".github/CODEOWNERS": "alice\nbob-smith\ncarol\n", "src/app.py": ""})
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    (co,) = _kinds(ev, "change.codeowners")
    assert co.get("rules") == 0 and co.get("unowned_rules") == 3
    from tests.helpers import evaluate

    result = evaluate("WAF-OPS-050", ev, repo="ok")
    assert result.level is None  # not assessed (the platform was not read), never level 2 from this file


def test_codeowners_last_match_wins_and_gitlab_sections() -> None:
    rules, errors, approvals = parse_codeowners("[Infra][2] @acme/leads\n/terraform/ @a\n^[Docs]\n*.md @b\n")
    assert approvals == 2 and not errors and [p for p, _ in rules] == ["/terraform/", "*.md"]
    from wafops.collectors.repo.change import _covered

    assert _covered([("*", ["@a"]), ("/infra/", [])], ["infra/main.tf"]) is False  # later rule without owners unsets
    assert _covered([("/infra/", ["@a"])], ["infra/x/main.tf"]) is True
    assert _covered([("docs/*", ["@a"])], ["docs/x/y.md"]) is False


def test_pr_template_fields(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".github/PULL_REQUEST_TEMPLATE/default.md": "## Summary\n\n## Risk assessment\nLow/Medium/High\n\n"
                                                    "## Rollback plan\n\n## How was this tested?\n\n- [ ] Linked ticket\n",
        ".gitlab/merge_request_templates/Default.md": "## What does this MR do?\n\nRelated issues:\n",
    })
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    by = {e.locator.path: e.get("fields") for e in _kinds(ev, "change.pr_template")}
    assert set(by[".github/PULL_REQUEST_TEMPLATE/default.md"]) == {"risk", "rollback", "testing", "ticket", "checklist"}
    assert by[".gitlab/merge_request_templates/Default.md"] == ["ticket"]
    # words in prose do not make fields: only headings, labels and checkboxes count
    assert template_fields("Please describe the risk of a rollback in your text.\n") == []


def test_policy_doc_and_freeze_mechanisms(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docs/change-management.md": "# Change management\n## Standard changes\n## Normal changes\n"
                                     "## Emergency changes\nHotfix path.\n## Freeze\nNo deploys in December.\n",
        ".gitlab-ci.yml": "deploy:\n  rules:\n    - if: $CI_DEPLOY_FREEZE == null\n  script: ./deploy.sh\n",
        "ops/freeze-calendar.yml": "windows:\n  - start: 2026-12-20\n    end: 2027-01-02\n",
    })
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    (doc,) = _kinds(ev, "change.policy_doc")
    assert doc.get("categories") == ["standard", "normal", "emergency"] and doc.get("emergency_path") and doc.get("freeze")
    assert doc.strength.value == "weak"
    mechs = {(e.locator.path, e.get("mechanism"), e.strength.value) for e in _kinds(ev, "change.freeze")}
    assert (".gitlab-ci.yml", "gitlab-freeze", "strong") in mechs
    assert ("ops/freeze-calendar.yml", "calendar", "strong") in mechs
    assert ("docs/change-management.md", "doc", "weak") in mechs


def test_dependency_bots_labels_and_routing(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "package.json": '{"name": "x", "renovate": {"extends": ["config:base"]}}',
        ".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: terraform\n    directory: /\n"
                                  "  - package-ecosystem: github-actions\n    directory: /\n",
        ".github/labels.yml": "- name: tech-debt\n  color: ff0000\n- name: risk:high\n",
        ".github/labeler.yml": "risk:high:\n  - infra/**\ndocs:\n  - docs/**\n",
        ".policy.yml": "policy:\n  approval:\n    - two reviewers for infra\napproval_rules: []\n",
    })
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    bots = {e.get("tool"): e.get("ecosystems") for e in _kinds(ev, "change.dependency_bot")}
    assert bots == {"renovate": ["all"], "dependabot": ["github-actions", "terraform"]}
    assert _kinds(ev, "change.labels")[0].get("labels") == ["tech-debt", "risk:high"]
    routing = {e.get("tool"): e for e in _kinds(ev, "change.risk_routing")}
    assert routing["labeler"].get("risk_labels") and routing["labeler"].strength.value == "weak"
    assert routing["policy-bot"].strength.value == "strong"


TF = '''
resource "github_branch_protection" "main" {
  repository_id = github_repository.r.node_id
  pattern       = "main"
  enforce_admins = true
  required_status_checks { strict = true }
  required_pull_request_reviews {
    required_approving_review_count = 2
    require_code_owner_reviews      = true
  }
}

resource "github_repository_ruleset" "default" {
  name        = "default"
  repository  = "svc"
  target      = "branch"
  enforcement = "evaluate"
  conditions {
    ref_name {
      include = ["~DEFAULT_BRANCH"]
      exclude = []
    }
  }
  rules {
    deletion         = true
    non_fast_forward = true
    pull_request {
      required_approving_review_count = 1
    }
  }
}

resource "github_repository_environment" "prod" {
  environment = "production"
  repository  = "svc"
  prevent_self_review = true
  can_admins_bypass   = false
  wait_timer          = 10
  reviewers {
    teams = [1, 2]
  }
  deployment_branch_policy {
    protected_branches     = true
    custom_branch_policies = false
  }
}

resource "gitlab_branch_protection" "main" {
  project            = "1"
  branch             = "main"
  push_access_level  = "no one"
  merge_access_level = "maintainer"
}

resource "gitlab_project_protected_environment" "prod" {
  project     = "1"
  environment = "prod-eu"
  required_approval_count = 2
}

resource "aws_s3_bucket" "unrelated" {}
'''


def test_terraform_managed_settings(tmp_path: Path) -> None:
    write_tree(tmp_path, {"infra/github.tf": TF, "examples/basic/main.tf": TF.replace('"main"', '"other"')})
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    rules = {e.get("branch"): e for e in _kinds(ev, "scm.branch_rules")}
    assert set(rules) == {"main", "~DEFAULT_BRANCH"}  # the gitlab rule also guards "main": dict keeps the last
    bp = [e for e in _kinds(ev, "scm.branch_rules") if e.get("origin") == "terraform" and e.get("required_reviews") == 2]
    assert bp and bp[0].get("code_owner_review") and bp[0].get("enforce_admins") and bp[0].strength.value == "strong"
    assert bp[0].locator.path == "infra/github.tf" and bp[0].locator.line == 2
    rs = rules["~DEFAULT_BRANCH"]
    assert rs.get("enforcement") == "evaluate" and rs.get("requires_pr") is False  # evaluate mode enforces nothing
    gl = [e for e in _kinds(ev, "scm.branch_rules") if e.get("requires_pr") and e.get("required_reviews") == 0]
    assert gl and gl[0].get("force_push_blocked")
    envs = {e.get("name"): e.attributes for e in _kinds(ev, "scm.environment")}
    assert envs["production"]["production"] and envs["production"]["required_reviewers"] == 2
    assert envs["production"]["prevent_self_review"] and envs["production"]["wait_timer"] == 10
    assert envs["production"]["branch_policy"] == "protected" and envs["production"]["admin_bypass"] is False
    assert envs["prod-eu"]["production"] and envs["prod-eu"]["required_reviewers"] == 2


def test_settings_yml(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/settings.yml": """
repository:
  name: svc
labels:
  - name: toil
    color: 00ff00
branches:
  - name: main
    protection:
      required_pull_request_reviews:
        required_approving_review_count: 1
        dismiss_stale_reviews: true
      required_status_checks:
        strict: true
        contexts: [ci]
      enforce_admins: true
      restrictions: null
  - name: gh-pages
    protection: null
environments:
  - name: production
    wait_timer: 5
    reviewers:
      - type: Team
        id: 1
    prevent_self_review: true
  - name: staging
"""})
    ev, _ = collect_with(ChangeCollector(), tmp_path, options={"production_pattern": r"(?i)^production$"})
    (br,) = _kinds(ev, "scm.branch_rules")
    assert br.get("origin") == "settings-yml" and br.get("requires_pr") and br.get("required_reviews") == 1
    assert br.get("dismiss_stale") and br.get("status_checks") and br.locator.line == 8
    envs = {e.get("name"): e for e in _kinds(ev, "scm.environment")}
    assert envs["production"].get("production") and envs["production"].get("required_reviewers") == 1
    assert not envs["staging"].get("production")
    assert _kinds(ev, "change.labels")[0].get("labels") == ["toil"]


def test_bad_input_never_raises(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".github/dependabot.yml": "updates: [\n",
        ".github/settings.yml": "branches: {{{\n",
        "renovate.json": "{not json",
        "infra/gh.tf": 'resource "github_branch_protection" "x" {\n  pattern = \n',
        ".github/CODEOWNERS": b"\x00\x01binary",
        ".github/pull_request_template.md": "",
    })
    ev, ctx = collect_with(ChangeCollector(), tmp_path)
    kinds = {e.kind for e in ev}
    assert "scm.branch_rules" not in kinds and "change.codeowners" not in kinds
    assert any(w.path == "infra/gh.tf" for w in ctx.tree.warnings)


def test_kubernetes_style_pr_template(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/PULL_REQUEST_TEMPLATE.md": "#### What type of PR is this?\n\n#### What this PR does / why we need it:\n\n"
                                                            "#### Which issue(s) this PR fixes:\n\n#### Special notes for your reviewer:\n"})
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    (t,) = _kinds(ev, "change.pr_template")
    assert t.get("fields") == ["ticket"]  # no risk, rollback or change category


def test_risk_gate_workflow(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/workflows/pr-risk.yml": "on: pull_request\njobs:\n  gate:\n    steps:\n"
                          "      - name: risk:high needs two approvals\n        run: test $n -ge 2\n"})
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    (r,) = _kinds(ev, "change.risk_routing")
    assert r.get("tool") == "risk-gate-workflow" and r.get("min_approvals") == 2 and r.locator.line == 5


def test_prow_owners_files_stand_in_for_codeowners(tmp_path: Path) -> None:
    """Calibration (kubernetes/kubernetes shape): no CODEOWNERS, but Prow OWNERS files name approvers/reviewers
    (the root one via `filters`); the root OWNERS covers the whole tree. Vendored OWNERS are not counted; an OWNERS
    file without people, or only nested OWNERS files, yield nothing."""
    write_tree(tmp_path / "k", {
        "OWNERS": "filters:\n  \".*\":\n    approvers:\n      - alice\n    reviewers:\n      - bob\n",
        "pkg/kubelet/OWNERS": "approvers:\n  - carol\n",
        "vendor/x/OWNERS": "approvers:\n  - dave\n",
    })
    (co,) = _kinds(collect_with(ChangeCollector(), tmp_path / "k")[0], "change.codeowners")
    assert (co.locator.path, co.get("rules"), co.get("covers_all"), co.get("format")) == ("OWNERS", 2, True, "prow-owners")
    write_tree(tmp_path / "e", {"OWNERS": "labels:\n  - sig/x\n", "a/OWNERS": "approvers: [x]\n"})
    assert not _kinds(collect_with(ChangeCollector(), tmp_path / "e")[0], "change.codeowners")
    write_tree(tmp_path / "c", {"OWNERS": "approvers: [alice]\n", ".github/CODEOWNERS": "* @acme/devs\n"})
    (co,) = _kinds(collect_with(ChangeCollector(), tmp_path / "c")[0], "change.codeowners")
    assert co.locator.path == ".github/CODEOWNERS"  # a CODEOWNERS file wins


def test_labels_managed_by_terraform(tmp_path) -> None:
    """Calibration (hashicorp/terraform-provider-aws infrastructure/repository shape): github_issue_label resources
    whose names come from a for_each map in a variable default (or a list of {name, color} objects in a local) are
    labels as code; the same map in examples/ is not."""
    write_tree(tmp_path, {
        "infrastructure/repository/labels.tf": (
            'variable "workflow_labels" {\n  default = {\n    "bug" = {\n      color       = "ec585d",\n'
            '      description = "A defect."\n    },\n    "technical-debt" = {\n      color       = "d1ebff",\n'
            '      description = "Needs refactoring."\n    },\n  }\n}\n\n'
            'resource "github_issue_label" "workflow" {\n  for_each    = var.workflow_labels\n'
            '  repository  = "app"\n  name        = each.key\n  color       = each.value.color\n}\n'),
        "org/locals.tf": 'locals {\n  common_labels = [\n    { name = "toil", colour = "ff0000" },\n    { colour = "00ff00", name = "ops" },\n  ]\n}\n',
        "org/labels.tf": ('resource "gitlab_project_label" "common" {\n  for_each = { for l in local.common_labels : l.name => l }\n'
                          '  project = 1\n  name    = each.value.name\n  color   = each.value.colour\n}\n'),
        "examples/demo/labels.tf": 'resource "github_issue_label" "x" {\n  repository = "demo"\n  name = "tech-debt"\n  color = "fff"\n}\n',
    })
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    labels = {e.locator.path: (e.get("labels"), e.locator.line) for e in ev if e.kind == "change.labels"}
    assert labels == {"infrastructure/repository/labels.tf": (["bug", "technical-debt"], 14),
                      "org/labels.tf": (["toil", "ops"], 1)}


def test_labels_applied_by_issue_templates_are_change_categories(tmp_path: Path) -> None:
    """GitLab-hosted CAB shape: change requests are issues opened from `Change Regular.md` / `Change Emergency.md`,
    whose quick actions label them `Change::Regular` / `Change::Emergency`; commented-out quick actions do not count.
    A GitHub issue form's `labels:` counts too (a tech-debt form labels its issues `tech-debt`)."""
    write_tree(tmp_path, {
        ".gitlab/issue_templates/Change Regular.md": "# Regular change\n## Rollback plan ?\n"
                                                     "<!-- /label ~\"Priority::1-High\" -->\n/label ~Change ~\"CAB::to-approve\"\n"
                                                     "/label ~\"Change::Regular\"\n",
        ".gitlab/issue_templates/Change Emergency.md": "# Emergency change\n/label ~Change ~\"Change::Emergency\"\n",
        ".github/ISSUE_TEMPLATE/debt.yml": "name: Tech debt\nlabels: [\"tech-debt\"]\nbody: []\n",
    })
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    (lab,) = [e for e in _kinds(ev, "change.labels") if e.get("origin") == "templates"]
    assert set(lab.get("labels")) == {"Change", "CAB::to-approve", "Change::Regular", "Change::Emergency", "tech-debt"}
    assert lab.locator.line >= 1
    from tests.helpers import evaluate

    crit = {c.id: c for c in evaluate("WAF-OPS-050", ev, repo="ok").criteria}
    assert crit["ops050-change-categories"].status.name == "MET"
    crit = {c.id: c for c in evaluate("WAF-OPS-100", ev, repo="ok").criteria}
    assert crit["ops100-tracked"].status.name == "MET"


def test_merge_checks_and_deploy_windows(tmp_path: Path) -> None:
    """Review bots configured in the repository (Zappr approvals and mandatory labels, Mergeable), PR checks that
    demand a category label or a changelog entry, and deployment windows on a deployment process page."""
    write_tree(tmp_path, {
        ".zappr.yaml": "approvals:\n  groups:\n    maintainers:\n      minimum: 2\n      from:\n        users: [a, b, c]\n"
                       "pull-request:\n  labels:\n    oneOf: [major, minor, bugfix]\n",
        ".github/mergeable.yml": "version: 2\nmergeable:\n  - when: pull_request.*\n    validate:\n"
                                "      - do: approvals\n        min:\n          count: 3\n",
        ".github/workflows/labels.yml": "on: pull_request\njobs:\n  labels:\n    runs-on: ubuntu-latest\n    steps:\n"
                                        "      - uses: mheap/github-action-required-labels@v5\n        with:\n"
                                        "          mode: exactly\n          count: 1\n          labels: \"feature, fix, chore\"\n",
        ".github/workflows/news.yml": "on: [pull_request]\njobs:\n  news:\n    runs-on: ubuntu-latest\n    steps:\n"
                                     "      - run: towncrier check --compare-with origin/main\n",
        # a changelog mentioned on pushes only is no merge check
        ".github/workflows/release.yml": "on:\n  push:\n    tags: ['v*']\njobs:\n  r:\n    runs-on: ubuntu-latest\n"
                                        "    steps:\n      - run: cat CHANGELOG.md || exit 1\n",
        "DEPLOYMENTS.md": "# Deployments\nProduction deployments take place on Tuesdays and Thursdays.\n\n"
                          "| Deployment Window | Cutoff |\n",
    })
    ev, _ = collect_with(ChangeCollector(), tmp_path)
    checks = {e.locator.path: e.attributes for e in _kinds(ev, "change.merge_check")}
    assert checks[".zappr.yaml"]["min_approvals"] == 2 and checks[".zappr.yaml"]["required_labels"] == ["major", "minor", "bugfix"]
    assert checks[".github/mergeable.yml"]["min_approvals"] == 3
    assert checks[".github/workflows/labels.yml"]["required_labels"] == ["feature", "fix", "chore"]
    assert checks[".github/workflows/news.yml"]["requires_changelog"] is True
    assert ".github/workflows/release.yml" not in checks
    windows = [e for e in _kinds(ev, "change.freeze") if e.get("mechanism") == "deploy-window-doc"]
    assert windows and windows[0].locator.path == "DEPLOYMENTS.md" and windows[0].strength.value == "weak"


def test_security_review_in_template_is_a_risk_field() -> None:
    text = "## Changes\n\n## Specific Security-related subjects a reviewer should pay attention to\n- endpoints?\n"
    assert "risk" in template_fields(text)
    assert "risk" not in template_fields("## Summary\n\n## Checklist\n- [ ] Added tests\n- [ ] Updated docs\n")
