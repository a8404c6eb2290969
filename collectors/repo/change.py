"""Change management collector: review rules, templates, freezes and routing kept in the repository.

Why these files: a reviewer judging change management looks at who must review (CODEOWNERS,
branch protection managed as code), what a change must declare (PR/MR templates with risk and
rollback fields), when changes may not ship (freeze mechanisms), and how risky changes get extra
eyes (labeler, policy-bot, CODEOWNERS sections with approval counts). Branch protection and
environments declared in Terraform or in `.github/settings.yml` (probot settings) are strong
evidence: they are applied by tooling, but live settings can drift from code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from wafops.collectors.base import CollectContext, Collector
from wafops.scanner.core.hcl import block_headers, blocks, first
from wafops.scanner.core.model import Evidence, Strength, Subject
from wafops.scanner.core.vocabulary import is_production, is_sample_path

CODEOWNERS_PATHS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
PR_TEMPLATE_GLOBS = (
    "pull_request_template.md", ".github/pull_request_template.md", "docs/pull_request_template.md",
    ".github/PULL_REQUEST_TEMPLATE/*.md", "PULL_REQUEST_TEMPLATE/*.md", "docs/PULL_REQUEST_TEMPLATE/*.md",
    ".gitlab/merge_request_templates/*.md", ".azuredevops/pull_request_template.md",
    ".azuredevops/pull_request_template/*.md", ".vsts/pull_request_template.md",
)
POLICY_DOC_GLOBS = (
    "change_management.md", "change-management.md", "changemanagement.md", "change_process.md",
    "change-process.md", "docs/change-management*", "docs/change_management*", "docs/*/change-management*",
    "docs/change-process*", "docs/*/change-process*", "docs/*change-policy*", "docs/*/change-policy*",
)
DOC_EXT = (".md", ".markdown", ".adoc", ".rst", ".txt")
RENOVATE_PATHS = (
    "renovate.json", "renovate.json5", ".github/renovate.json", ".github/renovate.json5",
    ".gitlab/renovate.json", ".gitlab/renovate.json5", ".renovaterc", ".renovaterc.json", ".renovaterc.json5",
)
TEMPLATE_LABEL_GLOBS = (".gitlab/issue_templates/*.md", ".gitlab/merge_request_templates/*.md",
                        ".github/ISSUE_TEMPLATE/*.md", ".github/ISSUE_TEMPLATE/*.yml", ".github/ISSUE_TEMPLATE/*.yaml")
# GitLab quick action on its own line: /label ~bug ~"Change::Emergency" ~CAB::to-review
QUICK_LABEL_RX = re.compile(r"(?m)^\s*/label\s+(.+)$")
QUICK_LABEL_TOKEN_RX = re.compile(r'~"([^"]+)"|~([^\s~"]+)')
LABEL_PATHS = (".github/labels.yml", ".github/labels.yaml", ".github/labels.json", ".gitlab/labels.yml")
TF_TYPES = {
    "github_branch_protection", "github_branch_protection_v3", "github_repository_ruleset",
    "github_repository_environment", "gitlab_branch_protection", "gitlab_project_approval_rule",
    "gitlab_project_protected_environment", "gitlab_project_freeze_period", "aws_codepipeline",
}
TF_LABEL_RES_RX = re.compile(r'resource\s+"(github_issue_labels?|gitlab_label|gitlab_project_label|gitlab_group_label)"')
TF_LABEL_KEY_RX = re.compile(r'(?m)^\s*"?([\w][\w :/.+-]{0,48}?)"?\s*=\s*\{[^{}]{0,400}?\b(?:colou?r|description)\b')
TF_LABEL_NAME_RX = re.compile(r'\{[^{}]{0,200}?\bname\s*=\s*"([^"$\n]{1,50})"[^{}]{0,200}?\bcolou?r\b|'
                              r'\{[^{}]{0,200}?\bcolou?r\b[^{}]{0,200}?\bname\s*=\s*"([^"$\n]{1,50})"')
IAC_SAMPLES = ("terraform/main.tf", "infra/main.tf", "main.tf", "modules/x/main.tf", "infrastructure/main.tf")
CI_SAMPLES = (".github/workflows/ci.yml", ".gitlab-ci.yml")
ALERT_RX = re.compile(r"(?i)(^|/)(alerts?|alerting|monitoring|prometheus)(/|$)|alert[^/]*\.(ya?ml|json|tf)$|rules?\.ya?ml$")
IAC_RX = re.compile(r"(?i)\.(tf|tfvars|hcl|bicep)$|(^|/)(cloudformation|cdk|pulumi|helm|charts|k8s|kubernetes)/")
RISK_GATE_RX = re.compile(r"(?i)risk[:/_-](high|critical)|high[-_ ]risk")
FREEZE_RX = re.compile(
    r"(?i)\bCI_DEPLOY_FREEZE\b|deploy(ment)?[-_ ]?freeze|change[-_ ]?freeze|code[-_ ]?freeze|freeze[-_ ]?(window|period|calendar|check)"
)

# merge checks that demand a changelog entry per change: towncrier/changelog-enforcer style actions, or a PR job
# that looks for the PR in CHANGES.md/CHANGELOG/NEWS (or a changelog.d fragment) and fails without it
CHANGELOG_GATE_RX = re.compile(r"(?i)towncrier\b[^\n]*\bcheck\b|changelog[-_]?enforcer|changelog[-_]?check(?:er)?\b|"
                               r"check[-_]changelog|require[-_]changelog|changelog[-_]?required|newsfragment[-_ ]?check")
CHANGELOG_FILE_RX = re.compile(r"(?i)\b(?:CHANGES|CHANGELOG|NEWS|HISTORY)(?:\.(?:md|rst|txt))?\b|changelog\.d/|newsfragments?/")
FAIL_RX = re.compile(r"(?m)\bexit\s+1\b|core\.setFailed|::error")
PR_REF_RX = re.compile(r"github\.event\.pull_request\.number|git diff[^\n]*(?:base|origin)|pull_request\.base")
LABEL_ACTION_RX = re.compile(r"(?i)required[-_]labels|label[-_]checker|enforce[-_]label|require[-_]labels?|check[-_]labels")
DEPLOY_DOC_GLOBS = ("DEPLOY*.md", "DEPLOYMENT*.md", "RELEASE*.md", "RELEASING*.md", "docs/deploy*", "docs/release*",
                    "docs/*/deploy*", "docs/*/release*", "docs/change-*", "docs/*/change-*")
WINDOW_RX = re.compile(
    r"(?i)\b(?:deploy(?:ment)?|release|change)[- ]windows?\b"
    r"|\b(?:production |prod )?(?:deploy(?:ment)?s|releases)\s+(?:take place|happen|go out|are done|run)\s+(?:only\s+)?on\s+"
    r"(?:mondays?|tuesdays?|wednesdays?|thursdays?|fridays?)")

FIELD_RX = {
    # a per-change security review (threats, STRIDE, "security-related subjects a reviewer should check") is a
    # risk assessment as much as a "Risk" heading is
    "risk": re.compile(r"(?i)\brisk|blast radius|impact (assessment|analysis)|\bthreats?\b|\bSTRIDE\b"
                       r"|security[- ](related|review|impact|implications|considerations)"),
    "rollback": re.compile(r"(?i)roll[- ]?back|revert (plan|strategy)|back[- ]?out|undo plan"),
    "testing": re.compile(r"(?i)\btest(s|ing|ed)?\b|\bQA\b|how (was|has) this been (tested|verified)|verification"),
    "category": re.compile(
        r"(?i)change (type|category|class)|type of change|kind of change|category|\b(standard|normal|emergency) change"
    ),
    "ticket": re.compile(r"(?i)ticket|\bjira\b|\bissues?\b|issue\(s\)|closes #|fixes #|change request|\bCHG\b"),
}


class ChangeCollector(Collector):
    name = "change"
    source = "repo"
    description = "Change management: CODEOWNERS, PR/MR templates, freezes, dependency bots, labels, branch rules as code"
    controls = ("WAF-OPS-050", "WAF-OPS-100")

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        steps = (self._codeowners, self._pr_templates, self._policy_docs, self._freeze, self._dependency_bots,
                 self._labels, self._risk_routing, self._terraform, self._settings_yml, self._merge_checks,
                 self._deploy_windows)
        return ctx.run_detectors("change", (partial(step, ctx) for step in steps))

    # ---- CODEOWNERS ------------------------------------------------------------------------
    def _codeowners(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        for path in CODEOWNERS_PATHS:
            if not tree.exists(path):
                continue
            text = tree.text(path)
            if text is None:
                continue
            rules, errors, section_approvals = parse_codeowners(text)
            if not rules:
                continue
            # A pattern with no owner assigns nobody (GitHub reads it as "unowned"): a file of bare
            # user names is not a review rule, so only rules that name an owner count.
            owned = [r for r in rules if r[1]]
            iac = [f for f in tree.files if IAC_RX.search(f)][:500] or list(IAC_SAMPLES)
            ci = [f for f in tree.files if f.startswith(".github/workflows/") or f == ".gitlab-ci.yml"][:200] or list(CI_SAMPLES)
            alerts = [f for f in tree.files if ALERT_RX.search(f)][:500]
            attrs = {
                "rules": len(owned),
                "unowned_rules": len(rules) - len(owned),
                "covers_iac": _covered(rules, iac),
                "covers_ci": _covered(rules, ci),
                "covers_alerts": _covered(rules, alerts) if alerts else _covered(rules, ["alerts/rules.yml"]),
                "covers_all": any(p in ("*", "/*", "**", "/**", "/") and owners for p, owners in rules),
                "owner_sets": len({tuple(sorted(o)) for _, o in rules if o}),
                "section_approvals": section_approvals,
                "errors": errors[:20],
            }
            yield ctx.file_evidence(
                "change.codeowners", path, line=1, attributes=attrs,
                summary=f"CODEOWNERS with {len(owned)} owned rule(s)" + (" incl. a catch-all" if attrs["covers_all"] else ""),
            )
            return  # GitHub uses the first one found, in this order
        yield from self._prow_owners(ctx)

    def _prow_owners(self, ctx: CollectContext) -> Iterator[Evidence]:
        """Prow/Kubernetes-style OWNERS files (kubernetes, kubernetes-sigs, istio, knative...): every directory may
        name `approvers`/`reviewers`; the review bot assigns them and merge waits for /lgtm and /approve from them.
        The root OWNERS covers the whole tree (recursively), so it plays the part of a CODEOWNERS catch-all. Only
        the root file is parsed; the others are counted by name."""
        tree = ctx.tree
        if not tree.exists("OWNERS"):
            return
        doc = tree.yaml("OWNERS")
        if not isinstance(doc, dict):
            return
        def people(d: Any) -> list[str]:
            if not isinstance(d, dict):
                return []
            return [str(x) for k in ("approvers", "reviewers") for x in (d.get(k) or []) if isinstance(d.get(k), list)]
        filters = doc.get("filters") if isinstance(doc.get("filters"), dict) else {}
        owners = people(doc) + [o for f in filters.values() for o in people(f)]
        if not owners:
            return
        files = [f for f in tree.named("OWNERS") if is_product_owners(f)]
        attrs = {"rules": len(files), "covers_iac": True, "covers_ci": True, "covers_alerts": True, "covers_all": True,
                 "owner_sets": len(files), "section_approvals": 0, "errors": [], "format": "prow-owners"}
        yield ctx.file_evidence("change.codeowners", "OWNERS", line=1, attributes=attrs,
                                summary=f"Prow OWNERS files ({len(files)}) name approvers and reviewers; the root one "
                                        "covers the whole tree")

    # ---- PR / MR templates -----------------------------------------------------------------
    def _pr_templates(self, ctx: CollectContext) -> Iterator[Evidence]:
        for path in ctx.tree.glob(*PR_TEMPLATE_GLOBS):
            text = ctx.tree.text(path)
            if not text:
                continue
            fields = template_fields(text)
            yield ctx.file_evidence(
                "change.pr_template", path, line=1, attributes={"fields": fields},
                summary="PR/MR template" + (f" asking for {', '.join(fields)}" if fields else ""),
            )

    # ---- change-management documents --------------------------------------------------------
    def _policy_docs(self, ctx: CollectContext) -> Iterator[Evidence]:
        for path in ctx.tree.glob(*POLICY_DOC_GLOBS):
            if not path.lower().endswith(DOC_EXT):
                continue
            text = ctx.tree.text(path)
            if not text:
                continue
            cats = [c for c in ("standard", "normal", "emergency") if re.search(rf"(?i)\b{c}\b[ -]*(changes?)?", text)]
            attrs = {
                "categories": cats,
                "emergency_path": bool(re.search(r"(?i)emergency|hotfix|break[- ]?glass", text)),
                "freeze": bool(re.search(r"(?i)freeze|change window|blackout", text)),
            }
            yield ctx.file_evidence(
                "change.policy_doc", path, line=1, attributes=attrs, strength=Strength.WEAK,
                summary=f"change-management document naming {', '.join(cats) or 'no'} change categories",
            )
            if attrs["freeze"]:
                yield ctx.file_evidence(
                    "change.freeze", path, line=ctx.tree.line_of(path, re.compile(r"(?i)freeze|change window|blackout")),
                    attributes={"mechanism": "doc"}, strength=Strength.WEAK, summary="freeze rules written down",
                )

    # ---- freeze mechanisms ------------------------------------------------------------------
    def _freeze(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        seen: set[str] = set()
        pipelines = tree.glob(".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml", ".gitlab/ci/*.yml",
                              "azure-pipelines*.yml", ".circleci/config.yml", "jenkinsfile")
        for path in pipelines:
            text = tree.text(path)
            if not text or not FREEZE_RX.search(text):
                continue
            mech = "gitlab-freeze" if "CI_DEPLOY_FREEZE" in text else "script"
            seen.add(path)
            yield ctx.file_evidence(
                "change.freeze", path, line=tree.line_of(path, FREEZE_RX), attributes={"mechanism": mech},
                strength=Strength.STRONG, summary=f"pipeline checks a deploy freeze ({mech})",
            )
        for path in tree.glob("*freeze*", "*change-calendar*", "*change_calendar*", "*deploy-window*", "*deployment-window*"):
            low = path.lower()
            if path in seen or "/test" in low or "node_modules" in low or not low.endswith(
                (".yml", ".yaml", ".json", ".sh", ".py", ".ics", ".toml")
            ):
                continue
            text = tree.text(path) or ""
            if not re.search(r"(?i)freeze|window|blackout", text):
                continue
            mech = "calendar" if low.endswith((".ics", ".yml", ".yaml", ".json", ".toml")) else "script"
            yield ctx.file_evidence(
                "change.freeze", path, line=1, attributes={"mechanism": mech}, strength=Strength.STRONG,
                summary=f"freeze {mech} file",
            )

    # ---- dependency update bots -------------------------------------------------------------
    def _dependency_bots(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        for path in RENOVATE_PATHS:
            if tree.exists(path):
                data = tree.json(path) if path.endswith(".json") or path == ".renovaterc" else None
                managers = data.get("enabledManagers") if isinstance(data, dict) else None
                yield ctx.file_evidence(
                    "change.dependency_bot", path, line=1,
                    attributes={"tool": "renovate", "ecosystems": list(managers) if isinstance(managers, list) else ["all"]},
                    summary="Renovate configured",
                )
                break
        else:
            if tree.exists("package.json"):
                data = tree.json("package.json")
                if isinstance(data, dict) and "renovate" in data:
                    yield ctx.file_evidence(
                        "change.dependency_bot", "package.json", line=tree.line_of("package.json", '"renovate"'),
                        attributes={"tool": "renovate", "ecosystems": ["all"]}, summary="Renovate configured in package.json",
                    )
        for path in (".github/dependabot.yml", ".github/dependabot.yaml"):
            if not tree.exists(path):
                continue
            data = tree.yaml(path)
            updates = data.get("updates") if isinstance(data, dict) else None
            ecos = sorted({str(u.get("package-ecosystem")) for u in updates or [] if isinstance(u, dict) and u.get("package-ecosystem")})
            yield ctx.file_evidence(
                "change.dependency_bot", path, line=1, attributes={"tool": "dependabot", "ecosystems": ecos},
                summary=f"Dependabot for {', '.join(ecos) or 'no ecosystem'}",
            )

    # ---- labels as code -----------------------------------------------------------------------
    def _labels(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        for path in LABEL_PATHS:
            if not tree.exists(path):
                continue
            data = tree.json(path) if path.endswith(".json") else tree.yaml(path)
            names = _label_names(data)
            if names:
                yield ctx.file_evidence("change.labels", path, line=1, attributes={"labels": names[:300]},
                                        summary=f"{len(names)} label(s) as code")
        for path in (".github/settings.yml", ".github/settings.yaml"):
            if tree.exists(path):
                data = tree.yaml(path)
                names = _label_names(data.get("labels")) if isinstance(data, dict) else []
                if names:
                    yield ctx.file_evidence("change.labels", path, line=tree.line_of(path, re.compile(r"^labels:")),
                                            attributes={"labels": names[:300]}, summary=f"{len(names)} label(s) in settings.yml")
        yield from self._tf_labels(ctx)
        yield from self._template_labels(ctx)

    def _template_labels(self, ctx: CollectContext) -> Iterator[Evidence]:
        """Labels that issue/MR templates put on what they open: GitLab quick actions (`/label ~"Change::Emergency"`
        outside HTML comments), GitHub issue-form `labels:` and markdown front matter `labels:`. A team whose change
        requests are GitLab issues opened from `Change Regular.md` / `Change Emergency.md` categorises every change
        that way (the labels exist and are applied by the form itself)."""
        tree = ctx.tree
        names: list[str] = []
        first: tuple[str, int] | None = None
        for path in tree.glob(*TEMPLATE_LABEL_GLOBS):
            text = tree.text(path) or ""
            found: list[str] = []
            if path.lower().endswith((".yml", ".yaml")):
                data = tree.yaml(path)
                raw = data.get("labels") if isinstance(data, dict) else None
                found = [x.strip() for x in raw.split(",") if x.strip()] if isinstance(raw, str) else _label_names(raw)
            else:
                fm = re.match(r"(?s)^---\n(.*?)\n---", text)
                if fm:
                    m = re.search(r"(?m)^labels:\s*(.+)$", fm.group(1))
                    if m:
                        found = [x.strip().strip("'\"[]") for x in m.group(1).split(",") if x.strip().strip("'\"[]")]
                body = re.sub(r"(?s)<!--.*?-->", "", text)
                for m in QUICK_LABEL_RX.finditer(body):
                    found += [a or b for a, b in QUICK_LABEL_TOKEN_RX.findall(m.group(1))]
            new = [n for n in found if n and n not in names]
            if new and first is None:
                first = (path, tree.line_of(path, re.compile(r"^(/label|labels:)", re.M)) or 1)
            names += new
        if names and first is not None:
            yield ctx.file_evidence("change.labels", first[0], line=first[1],
                                    attributes={"labels": names[:300], "origin": "templates"}, strength=Strength.STRONG,
                                    summary=f"{len(names)} label(s) applied by issue/MR templates")

    def _tf_labels(self, ctx: CollectContext) -> Iterator[Evidence]:
        """Labels managed by Terraform (`github_issue_label`, `gitlab_project_label`, ...), as org/repo settings repos
        keep them. Names usually sit in a `for_each` map or list declared in a variable default or local of the same
        directory (`"technical-debt" = { color = ..., description = ... }`), so they are read from the directory's
        text: map keys whose object carries a colour/description, and `name = "..."` beside a colour."""
        tree = ctx.tree
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
            yield ctx.file_evidence("change.labels", path, line=texts[path].count("\n", 0, m.start()) + 1,
                                    attributes={"labels": names[:300], "origin": "terraform"}, strength=Strength.STRONG,
                                    summary=f"{len(names)} label(s) managed by Terraform")

    # ---- risk routing -------------------------------------------------------------------------
    def _risk_routing(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        for path in (".github/labeler.yml", ".github/labeler.yaml"):
            if tree.exists(path):
                data = tree.yaml(path)
                labels = [str(k) for k in data] if isinstance(data, dict) else []
                risky = [lb for lb in labels if re.search(r"(?i)risk|critical|infra|security|breaking|prod|database|migration|high", lb)]
                yield ctx.file_evidence(
                    "change.risk_routing", path, line=1,
                    attributes={"tool": "labeler", "risk_labels": bool(risky), "labels": labels[:50]},
                    strength=Strength.WEAK, summary=f"path labeler ({len(labels)} label(s), {len(risky)} risk-like)",
                )
        for path in tree.glob(".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml"):
            text = tree.text(path) or ""
            m = RISK_GATE_RX.search(text)
            if m and re.search(r"(?i)approv", text):
                n = re.search(r"(?i)\b(two|2|three|3)\s+approv|approv\w*[^\n]{0,40}(-ge|>=|at least)\s*(2|3)\b", text)
                need = 0 if n is None else (3 if "3" in n.group(0) or "three" in n.group(0).lower() else 2)
                yield ctx.file_evidence(
                    "change.risk_routing", path, line=tree.line_of(path, RISK_GATE_RX),
                    attributes={"tool": "risk-gate-workflow", "min_approvals": need}, strength=Strength.STRONG,
                    summary="a CI check demands more approvals for risky changes" + (f" ({need})" if need else ""),
                )
        for path in (".policy.yml", ".policy.yaml"):
            if tree.exists(path):
                data = tree.yaml(path)
                if isinstance(data, dict) and ("policy" in data or "approval_rules" in data):
                    yield ctx.file_evidence("change.risk_routing", path, line=1, attributes={"tool": "policy-bot"},
                                            strength=Strength.STRONG, summary="policy-bot approval rules")

    # ---- merge checks: what every change must carry before it may merge ------------------------
    def _merge_checks(self, ctx: CollectContext) -> Iterator[Evidence]:
        """Review policy kept as code and enforced by a merge check: approval-count bots (Zappr, PullApprove,
        Mergeable) and PR checks that fail unless the change carries a category label or a changelog entry.
        What such a check demands is demanded of every change (`change.merge_check`, strong)."""
        tree = ctx.tree
        for path in (".zappr.yaml", ".zappr.yml", ".github/mergeable.yml", ".github/mergeable.yaml",
                     ".pullapprove.yml", ".pullapprove.yaml"):
            if not tree.exists(path):
                continue
            data = tree.yaml(path)
            if not isinstance(data, dict):
                continue
            tool = "zappr" if "zappr" in path else "mergeable" if "mergeable" in path else "pullapprove"
            approvals, labels = _bot_policy(tool, data)
            if not approvals and not labels:
                continue
            attrs = {"tool": tool, "min_approvals": approvals, "required_labels": labels[:50], "requires_changelog": False}
            parts = ([f"{approvals} approval(s)"] if approvals else []) + ([f"one of {len(labels)} label(s)"] if labels else [])
            yield ctx.file_evidence("change.merge_check", path, line=1, attributes=attrs, strength=Strength.STRONG,
                                    summary=f"{tool} merge check requires {' and '.join(parts)}")
        for path in tree.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
            data = tree.yaml(path)
            on = data.get("on", data.get(True)) if isinstance(data, dict) else None
            events = set(on) if isinstance(on, dict | list) else {on} if isinstance(on, str) else set()
            if not events & {"pull_request", "pull_request_target"}:
                continue
            text = tree.text(path) or ""
            labels = _required_labels(data)
            changelog = bool(CHANGELOG_GATE_RX.search(text) or (CHANGELOG_FILE_RX.search(text) and FAIL_RX.search(text)
                                                                and PR_REF_RX.search(text)))
            if not labels and not changelog:
                continue
            attrs = {"tool": "workflow", "min_approvals": 0, "required_labels": labels[:50], "requires_changelog": changelog}
            what = " and ".join(([f"one of {len(labels)} label(s)"] if labels else []) + (["a changelog entry"] if changelog else []))
            line = tree.line_of(path, CHANGELOG_GATE_RX if changelog and CHANGELOG_GATE_RX.search(text) else
                                CHANGELOG_FILE_RX if changelog else LABEL_ACTION_RX) or 1
            yield ctx.file_evidence("change.merge_check", path, line=line, attributes=attrs, strength=Strength.STRONG,
                                    summary=f"a pull-request check fails changes without {what}")

    # ---- deployment windows written down ----------------------------------------------------------
    def _deploy_windows(self, ctx: CollectContext) -> Iterator[Evidence]:
        """Release/deployment process pages that fix when production changes may ship ("production deployments take
        place on Tuesdays and Thursdays", a deployment window with a cut-off): a change window, written (weak)."""
        tree = ctx.tree
        for path in tree.glob(*DEPLOY_DOC_GLOBS):
            if not path.lower().endswith(DOC_EXT) or is_sample_path(path):
                continue
            text = tree.text(path) or ""
            m = WINDOW_RX.search(text)
            if not m:
                continue
            yield ctx.file_evidence("change.freeze", path, line=tree.line_of(path, WINDOW_RX) or 1,
                                    attributes={"mechanism": "deploy-window-doc"}, strength=Strength.WEAK,
                                    summary="deployment windows written down")
            return

    # ---- Terraform-managed settings --------------------------------------------------------------
    def _terraform(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        pattern = ctx.options.get("production_pattern")
        for path in tree.with_suffix(".tf"):
            if is_sample_path(path):
                continue  # a module's examples/tests configure someone else's repository
            text = tree.text(path)
            if not text or not any(t in text for t in TF_TYPES):
                continue
            lines = {(h[1], h[2]): h[3] for h in block_headers(text) if h[0] == "resource" and h[1] in TF_TYPES}
            if not lines:
                continue
            for b in blocks(tree.hcl(path)):
                if b.type != "resource" or len(b.labels) < 2 or b.labels[0] not in TF_TYPES:
                    continue
                line = lines.get(b.labels[:2])
                yield from self._tf_resource(ctx, path, line, b.labels[0], b.labels[1], b.body, pattern)

    def _tf_resource(self, ctx: CollectContext, path: str, line: int | None, rtype: str, name: str,
                     body: dict[str, Any], pattern: str | None) -> Iterator[Evidence]:
        S = Strength.STRONG
        if rtype in ("github_branch_protection", "github_branch_protection_v3"):
            prr = first(body.get("required_pull_request_reviews"))
            prr = prr if isinstance(prr, dict) else None
            attrs = _rules(
                origin="terraform",
                branch=str(body.get("pattern") or body.get("branch") or ""),
                requires_pr=prr is not None,
                required_reviews=_int(prr.get("required_approving_review_count"), 1) if prr else 0,
                code_owner_review=_bool(prr.get("require_code_owner_reviews")) if prr else False,
                status_checks=body.get("required_status_checks") is not None,
                dismiss_stale=_bool(prr.get("dismiss_stale_reviews")) if prr else False,
                last_push_approval=_bool(prr.get("require_last_push_approval")) if prr else False,
                enforce_admins=_bool(body.get("enforce_admins")),
                force_push_blocked=not _bool(body.get("allows_force_pushes")),
                deletion_blocked=not _bool(body.get("allows_deletions")),
            )
            yield ctx.file_evidence("scm.branch_rules", path, line=line, attributes=attrs, strength=S,
                                    summary=f"{rtype}.{name}: {_rules_summary(attrs)}")
        elif rtype == "github_repository_ruleset":
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
            attrs = _rules(
                origin="terraform",
                branch=",".join(str(i) for i in include) if isinstance(include, list) else "",
                requires_pr=pr is not None and active,
                required_reviews=_int(pr.get("required_approving_review_count"), 0) if pr and active else 0,
                code_owner_review=_bool(pr.get("require_code_owner_review")) if pr and active else False,
                status_checks=isinstance(rules, dict) and rules.get("required_status_checks") is not None and active,
                dismiss_stale=_bool(pr.get("dismiss_stale_reviews_on_push")) if pr else False,
                last_push_approval=_bool(pr.get("require_last_push_approval")) if pr else False,
                enforce_admins=active and not bypass,
                force_push_blocked=isinstance(rules, dict) and _bool(rules.get("non_fast_forward")) and active,
                deletion_blocked=isinstance(rules, dict) and _bool(rules.get("deletion")) and active,
                merge_queue=isinstance(rules, dict) and rules.get("merge_queue") is not None and active,
                enforcement=enforcement or None,
                bypass_actors=len(bypass) if isinstance(bypass, list) else 0,
            )
            yield ctx.file_evidence("scm.branch_rules", path, line=line, attributes=attrs, strength=S,
                                    summary=f"{rtype}.{name} ({enforcement or 'no enforcement'}): {_rules_summary(attrs)}")
        elif rtype == "github_repository_environment":
            env = str(body.get("environment") or name)
            reviewers = first(body.get("reviewers"))
            n = 0
            if isinstance(reviewers, dict):
                n = sum(len(v) if isinstance(v, list) else 1 for k, v in reviewers.items() if k in ("teams", "users") and v)
            dbp = first(body.get("deployment_branch_policy"))
            policy = "none"
            if isinstance(dbp, dict):
                policy = "protected" if _bool(dbp.get("protected_branches")) else "custom" if _bool(dbp.get("custom_branch_policies")) else "none"
            attrs = {
                "origin": "terraform", "name": env, "production": is_production(env, pattern),
                "required_reviewers": n, "prevent_self_review": _bool(body.get("prevent_self_review")),
                "wait_timer": _int(body.get("wait_timer"), 0), "branch_policy": policy,
                "admin_bypass": _bool(body.get("can_admins_bypass"), True), "custom_rules": 0,
            }
            yield ctx.file_evidence("scm.environment", path, line=line, attributes=attrs, strength=S,
                                    summary=f"environment {env}: {n} reviewer(s), branch policy {policy}")
        elif rtype == "gitlab_branch_protection":
            push = str(body.get("push_access_level") or "").lower()
            attrs = _rules(
                origin="terraform", branch=str(body.get("branch") or ""),
                requires_pr=push in ("no one", "no_access", "0"),
                code_owner_review=_bool(body.get("code_owner_approval_required")),
                force_push_blocked=not _bool(body.get("allow_force_push")), deletion_blocked=True,
            )
            yield ctx.file_evidence("scm.branch_rules", path, line=line, attributes=attrs, strength=S,
                                    summary=f"{rtype}.{name}: {_rules_summary(attrs)}")
        elif rtype == "gitlab_project_approval_rule":
            attrs = _rules(origin="terraform", branch=str(body.get("name") or name),
                           required_reviews=_int(body.get("approvals_required"), 0))
            attrs["approval_rule"] = True
            yield ctx.file_evidence("scm.branch_rules", path, line=line, attributes=attrs, strength=S,
                                    summary=f"GitLab approval rule {name}: {attrs['required_reviews']} approval(s)")
        elif rtype == "gitlab_project_protected_environment":
            env = str(body.get("environment") or name)
            n = _int(body.get("required_approval_count"), 0)
            for rule in body.get("approval_rules") or []:
                if isinstance(rule, dict):
                    n = max(n, _int(rule.get("required_approvals"), 1))
            attrs = {
                "origin": "terraform", "name": env, "production": is_production(env, pattern),
                "required_reviewers": n, "prevent_self_review": False, "wait_timer": 0,
                "branch_policy": "protected", "admin_bypass": None, "custom_rules": 0,
            }
            yield ctx.file_evidence("scm.environment", path, line=line, attributes=attrs, strength=S,
                                    summary=f"GitLab protected environment {env}: {n} approval(s)")
        elif rtype == "gitlab_project_freeze_period":
            yield ctx.file_evidence("change.freeze", path, line=line, attributes={"mechanism": "gitlab-freeze"},
                                    strength=S, summary=f"GitLab freeze period {name}")
        elif rtype == "aws_codepipeline" and "DeploymentWindow" in str(body):
            yield ctx.file_evidence("change.freeze", path, line=line, attributes={"mechanism": "codepipeline-window"},
                                    strength=S, summary=f"CodePipeline {name} stage condition DeploymentWindow")

    # ---- probot settings ----------------------------------------------------------------------
    def _settings_yml(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        pattern = ctx.options.get("production_pattern")
        for path in (".github/settings.yml", ".github/settings.yaml"):
            if not tree.exists(path):
                continue
            data = tree.yaml(path)
            if not isinstance(data, dict):
                continue
            for br in data.get("branches") or []:
                if not isinstance(br, dict):
                    continue
                prot = br.get("protection")
                if not isinstance(prot, dict):
                    continue
                prr = prot.get("required_pull_request_reviews")
                prr = prr if isinstance(prr, dict) else None
                attrs = _rules(
                    origin="settings-yml", branch=str(br.get("name") or ""),
                    requires_pr=prr is not None,
                    required_reviews=_int(prr.get("required_approving_review_count"), 1) if prr else 0,
                    code_owner_review=_bool(prr.get("require_code_owner_reviews")) if prr else False,
                    status_checks=bool(prot.get("required_status_checks")),
                    dismiss_stale=_bool(prr.get("dismiss_stale_reviews")) if prr else False,
                    last_push_approval=_bool(prr.get("require_last_push_approval")) if prr else False,
                    enforce_admins=_bool(prot.get("enforce_admins")),
                    force_push_blocked=not _bool(prot.get("allow_force_pushes")),
                    deletion_blocked=not _bool(prot.get("allow_deletions")),
                )
                yield ctx.file_evidence(
                    "scm.branch_rules", path, line=tree.line_of(path, re.compile(rf"name:\s*['\"]?{re.escape(attrs['branch'])}['\"]?\s*$")),
                    attributes=attrs, strength=Strength.STRONG, summary=f"settings.yml branch {attrs['branch']}: {_rules_summary(attrs)}",
                )
            for env in data.get("environments") or []:
                if not isinstance(env, dict) or not env.get("name"):
                    continue
                name = str(env["name"])
                reviewers = env.get("reviewers") or []
                dbp = env.get("deployment_branch_policy")
                policy = "none"
                if isinstance(dbp, dict):
                    policy = "protected" if _bool(dbp.get("protected_branches")) else "custom" if _bool(dbp.get("custom_branch_policies")) else "none"
                attrs = {
                    "origin": "settings-yml", "name": name, "production": is_production(name, pattern),
                    "required_reviewers": len(reviewers) if isinstance(reviewers, list) else 0,
                    "prevent_self_review": _bool(env.get("prevent_self_review")),
                    "wait_timer": _int(env.get("wait_timer"), 0), "branch_policy": policy,
                    "admin_bypass": None, "custom_rules": 0,
                }
                yield ctx.file_evidence(
                    "scm.environment", path, line=tree.line_of(path, re.compile(rf"name:\s*['\"]?{re.escape(name)}['\"]?\s*$")),
                    attributes=attrs, strength=Strength.STRONG,
                    summary=f"settings.yml environment {name}: {attrs['required_reviewers']} reviewer(s)",
                )


# ---- helpers ------------------------------------------------------------------------------------

def _rules(**kw: Any) -> dict[str, Any]:
    base = {
        "origin": "", "branch": "", "requires_pr": False, "required_reviews": 0, "code_owner_review": False,
        "status_checks": False, "dismiss_stale": False, "last_push_approval": False, "enforce_admins": False,
        "force_push_blocked": False, "deletion_blocked": False, "merge_queue": False,
    }
    base.update(kw)
    return base


def _rules_summary(a: dict[str, Any]) -> str:
    parts = []
    if a["requires_pr"]:
        parts.append("PR required")
    if a["required_reviews"]:
        parts.append(f"{a['required_reviews']} approval(s)")
    if a["code_owner_review"]:
        parts.append("code-owner review")
    return ", ".join(parts) or "no review requirement"


def _bool(v: Any, default: bool = False) -> bool:
    if isinstance(v, list):
        v = first(v)
    if v is None:
        return default
    if isinstance(v, bool):
        return v
    return str(v).strip().lower() in ("true", "1", "yes")


def _int(v: Any, default: int = 0) -> int:
    if isinstance(v, list):
        v = first(v)
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def _label_names(data: Any) -> list[str]:
    if isinstance(data, dict):
        data = data.get("labels", data)
        if isinstance(data, dict):
            return [str(k) for k in data]
    if not isinstance(data, list):
        return []
    out = []
    for item in data:
        if isinstance(item, dict) and item.get("name"):
            out.append(str(item["name"]))
        elif isinstance(item, str):
            out.append(item)
    return out


def _bot_policy(tool: str, data: dict[str, Any]) -> tuple[int, list[str]]:
    """(approvals every change needs, labels of which one is required) from a review bot's configuration."""
    approvals = 0
    labels: list[str] = []
    if tool == "zappr":
        appr = data.get("approvals") if isinstance(data.get("approvals"), dict) else {}
        approvals = _int(appr.get("minimum"), 0)
        groups = appr.get("groups") if isinstance(appr.get("groups"), dict) else {}
        approvals = max([approvals] + [_int(g.get("minimum"), 0) for g in groups.values() if isinstance(g, dict)])
        pr = data.get("pull-request") if isinstance(data.get("pull-request"), dict) else {}
        lab = pr.get("labels") if isinstance(pr.get("labels"), dict) else {}
        labels = [str(x) for x in as_list_(lab.get("oneOf")) + as_list_(lab.get("required"))]
    elif tool == "pullapprove":
        groups = data.get("groups") if isinstance(data.get("groups"), dict) else {}
        for g in groups.values():
            if isinstance(g, dict):
                reviews = g.get("reviews") if isinstance(g.get("reviews"), dict) else {}
                approvals = max(approvals, _int(reviews.get("required"), 1 if g.get("reviewers") else 0))
    else:  # mergeable: validate: [{do: approvals, min: {count: 2}}, {do: label, must_include: {regex: ...}}]
        for rule in as_list_(data.get("mergeable")):
            for v in as_list_(rule.get("validate") if isinstance(rule, dict) else None):
                if not isinstance(v, dict):
                    continue
                if v.get("do") == "approvals" and isinstance(v.get("min"), dict):
                    approvals = max(approvals, _int(v["min"].get("count"), 0))
                if v.get("do") == "label" and isinstance(v.get("must_include"), dict):
                    rx = str(v["must_include"].get("regex") or "")
                    labels += [x.strip("^$() ") for x in rx.split("|") if x.strip("^$() ")]
    return approvals, labels


def _required_labels(data: Any) -> list[str]:
    """Labels a PR job demands (required-labels / label-checker actions: `labels`, `one_of`, `any_of`, ...)."""
    out: list[str] = []
    jobs = data.get("jobs") if isinstance(data, dict) and isinstance(data.get("jobs"), dict) else {}
    for body in jobs.values():
        for step in as_list_(body.get("steps") if isinstance(body, dict) else None):
            if not isinstance(step, dict) or not LABEL_ACTION_RX.search(str(step.get("uses") or "")):
                continue
            with_ = step.get("with") if isinstance(step.get("with"), dict) else {}
            env = step.get("env") if isinstance(step.get("env"), dict) else {}
            for key, value in list(with_.items()) + list(env.items()):
                if re.search(r"(?i)^(labels|one_of|any_of|all_of|required_labels(_any|_all)?|valid[-_]labels)$", str(key)):
                    out += [x.strip().strip("'\"") for x in re.split(r"[,\n]", str(value)) if x.strip()]
    return uniq_(out)


def as_list_(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [] if v is None else [v]


def uniq_(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


_HEADING = re.compile(r"^\s{0,3}(#{1,6}\s+.+|\*\*[^*]+\*\*|__[^_]+__|[-*]\s+\[[ xX]\]\s+.+|[A-Z][\w /&-]{1,40}:)")


def template_fields(text: str) -> list[str]:
    """Which fields a PR/MR template asks for, from its headings, bold labels and checkboxes."""
    lines = [ln for ln in text.splitlines() if _HEADING.match(ln)]
    label_text = "\n".join(lines)
    fields = [f for f, rx in FIELD_RX.items() if rx.search(label_text)]
    if re.search(r"(?m)^\s*[-*]\s+\[[ xX]\]", text):
        fields.append("checklist")
    return fields


def parse_codeowners(text: str) -> tuple[list[tuple[str, list[str]]], list[str], int]:
    """(rules as (pattern, owners), syntax errors, highest GitLab section approval count)."""
    rules: list[tuple[str, list[str]]] = []
    errors: list[str] = []
    approvals = 0
    owner_rx = re.compile(r"^(@[\w.\-/]+|[^@\s]+@[^@\s]+\.[\w]+)$")
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        m = re.match(r"^\^?\[([^\]]+)\](?:\[(\d+)\])?(.*)$", line)
        if m:  # GitLab section header, optionally with default owners
            if m.group(2):
                approvals = max(approvals, int(m.group(2)))
            continue
        parts = line.split()
        pattern, owners = parts[0], parts[1:]
        bad = [o for o in owners if not owner_rx.match(o)]
        if bad:
            errors.append(f"line {n}: owner syntax {bad[0][:40]!r}")
        rules.append((pattern, [o for o in owners if owner_rx.match(o)]))
    return rules, errors, approvals


def is_product_owners(path: str) -> bool:
    """OWNERS files outside vendored code and test data."""
    return not re.search(r"(^|/)(vendor|third_party|testdata|node_modules)/", path)


def _codeowners_rx(pattern: str) -> re.Pattern[str]:
    """gitignore-style CODEOWNERS pattern -> regex over repo-relative paths."""
    p = pattern
    anchored = p.startswith("/") or "/" in p.rstrip("/")
    p = p.lstrip("/")
    directory = p.endswith("/")
    p = p.rstrip("/")
    out = ""
    i = 0
    while i < len(p):
        if p[i:i + 3] == "**/":
            out += "(?:.*/)?"
            i += 3
        elif p[i:i + 2] == "**":
            out += ".*"
            i += 2
        elif p[i] == "*":
            out += "[^/]*"
            i += 1
        elif p[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(p[i])
            i += 1
    prefix = "^" if anchored else "^(?:.*/)?"
    last = p.rsplit("/", 1)[-1]
    # GitHub: `docs/*` owns files directly in docs/, not deeper; a plain name owns the directory's content too
    suffix = "/.*$" if directory else "$" if "*" in last and "**" not in last else "(?:/.*)?$"
    return re.compile(prefix + out + suffix)


def _covered(rules: list[tuple[str, list[str]]], files: list[str]) -> bool:
    """True when some file is owned under last-match-wins semantics."""
    compiled = [(_codeowners_rx(p), owners) for p, owners in rules]
    for f in files:
        owners: list[str] = []
        for rx, o in compiled:
            if rx.match(f):
                owners = o
        if owners:
            return True
    return False
