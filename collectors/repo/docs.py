"""Operational documents collector: runbooks, postmortems, debt registers, ADRs, policies, automation.

Why strict selection: a generic `docs/` page is not a runbook and a sprint retro is not a
postmortem. A file becomes a runbook only by living in a runbook/playbook folder (or being named
so), or by sitting in an operations/on-call folder AND reading like one (symptom, diagnosis,
remediation, escalation headings). Postmortems must carry incident-review sections. Dates come
from git (last change, first addition) when the subject is a full (non-shallow) repository, else
from front matter or the file name; a shallow clone never supplies dates, because every file would
look freshly changed.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import yaml
from wafops.collectors.base import CollectContext, Collector
from wafops.scanner.core.gitinfo import GitError, GitInfo, git_info
from wafops.scanner.core.hcl import blocks
from wafops.scanner.core.model import Evidence, Strength, Subject
from wafops.scanner.core.vocabulary import FRONT_MATTER, front_matter, redact

# `.mdx` (Docusaurus/Nextra docs sites) and `.md.erb` (the GOV.UK tech-docs template alphagov, MoJ, HMRC and DfE
# run their runbook sites on: `source/<page>.html.md.erb`) are Markdown too
DOC_EXT = (".md", ".markdown", ".adoc", ".asciidoc", ".rst", ".mdx", ".md.erb")
_DOC_SUFFIX_RX = re.compile(r"(?i)(\.(erb|md|mdx|markdown|html|adoc|asciidoc|rst|txt))+$")


def _stem(path: str) -> str:
    """File name without its document suffixes (`incident-log.html.md.erb` -> `incident-log`), lower case."""
    name = path.rsplit("/", 1)[-1]
    return (_DOC_SUFFIX_RX.sub("", name) or name).lower()
EXCLUDE_RX = re.compile(
    r"(?i)(^|/)(tests?|testdata|test-data|fixtures?|__tests__|spec|examples?|samples?|node_modules|vendor|third_party|"
    r"\.changeset|changelogs?)(/|$)"
)
INDEX_NAMES = {"readme", "index", "_index", "summary", "toc", "contents", "overview", "_sidebar", "sidebar"}

RUNBOOK_DIR_RX = re.compile(r"(?i)(^|/)run-?books?(/|$)")
PLAYBOOK_DIR_RX = re.compile(r"(?i)(^|/)play-?books?(/|$)")  # often Ansible: content must read like a runbook
OPS_DIR_RX = re.compile(r"(?i)(^|/)docs?/(.*/)?(operations|ops|on-?call|sre)(/|$)")
RUNBOOK_NAME_RX = re.compile(r"(?i)(^|/)([^/]*(run|play)-?book[^/]*|operations|on-?call[^/]*)\.(md|markdown|adoc|rst)$")
# per-alert playbooks (`docs/<service>/alerts/<AlertName>.md`): count only when they read like a runbook
ALERT_DOC_DIR_RX = re.compile(r"(?i)(^|/)alerts?/")
# `runbook_url: ...` / `runbook: docs/x.md` in alert rules: the team itself names the document a runbook
RUNBOOK_REF_RX = re.compile(r"(?m)^\s*(?:runbook(?:_url|_link|-url|Url)?|playbook(?:_url)?)\s*:\s*['\"]?([^'\"\s#]+)")
# a page in an alerts/ folder that talks about the alert itself ("this alert will fire when ...")
ALERT_TALK_RX = re.compile(r"(?i)\b(this|the) alert\b|\balert (fires|is firing|triggers|will fire)|when (this|it) fires|"
                           r"\b(page|paged|paging)\b.*\bon-?call\b")
ALERT_PAGE_HEADING_RX = re.compile(r"(?i)^(description|impact|user impact|overview|what it means|context)$")
# guidance on how to write an incident report, or a blank one: imperative title or placeholder fields
PM_GUIDE_TITLE_RX = re.compile(r"(?i)^(how to |writing |write |guide|guidance|template)|\btemplate\b")
PM_PLACEHOLDER_RX = re.compile(r"YYYY-MM-DD|\[(date|name of incident|incident title|summary)\]|<(date|incident[^>]*)>|"
                               r"\{\{\s*(date|title)\s*\}\}", re.I)
REPO_LINK_RX = re.compile(r"^https?://[^/]+/.+?/(?:-/)?(?:blob|tree)/[^/]+/([^?#]+)")

POSTMORTEM_DIR_RX = re.compile(
    r"(?i)(^|/)(post[-_]?mortems?|incidents?|incident[-_]reports?|incident[-_]reviews?|pirs?|rcas?|retros?|retrospectives)(/|$)"
)
POSTMORTEM_NAME_RX = re.compile(
    r"(?i)(post[-_]?mortem|incident[-_]?(report|review|log|history)|outage[-_]?(log|history|reports?)|(^|[-_./])pir([-_.]|$)|"
    r"(^|[-_./])rca([-_.]|$))[^/]*$"
)
# one entry of an incident log kept in a single page: `### Incident on 2024-07-25 - Prometheus down`,
# `## 2023-11-01: API outage` (a dated heading, the word incident/outage, or any dated heading in a named log)
INCIDENT_ENTRY_RX = re.compile(r"(?i)(incident|outage|post-?mortem|disruption|degradation)")
# `- **Impact**: ...`, `**Key events**`: field labels that incident logs use in place of headings
LABEL_RX = re.compile(r"^(\s*)(?:[-*+]\s+)?(?:\*\*|__)([^*_\n]{2,40}?):?(?:\*\*|__):?(?=\s|$)")

SECTION_RX: dict[str, re.Pattern[str]] = {
    "symptoms": re.compile(r"(?i)symptom|signs?\b|what (is|does) (this|the) alert|alert (description|details|meaning)|"
                           r"\bmeaning\b|when (this|it) fires|\btrigger|problem|anzeichen|symptome|beschreibung"),
    "diagnosis": re.compile(r"(?i)diagnos|investigat|troubleshoot|triage|debug|identify|analys|fehlersuche|untersuch"),
    "remediation": re.compile(r"(?i)remediat|mitigat|resolution|resolv|\bfix|recover|procedure|solution|workaround|"
                              r"\bsteps\b|\bactions?\b|behebung|lösung|loesung|maßnahmen|massnahmen|wiederherstell"),
    "escalation": re.compile(r"(?i)escalat|contacts?\b|\bowners?\b|on-?call|who to|eskalation|ansprechpartner"),
    "rollback": re.compile(r"(?i)roll-?\s?back|revert|rückgängig|rueckgaengig"),
    "verification": re.compile(r"(?i)verif|validat|confirm|health ?check|überprüf|ueberpruef|kontrolle"),
}
PM_SECTION_RX: dict[str, re.Pattern[str]] = {
    "impact": re.compile(r"(?i)impact|auswirkung|betroffen|customer effect|user effect"),
    "timeline": re.compile(r"(?i)timeline|time line|chronolog|zeitlinie|zeitstrahl|ablauf|sequence of events|key events"),
    "root_cause": re.compile(r"(?i)root[- ]?cause|\bcauses?\b|contributing factors|\bwhy\b|five whys|5 whys|ursache"),
    "action_items": re.compile(r"(?i)action[- ]?items?|follow[- ]?ups?|corrective|preventive|next steps|to-?dos?|"
                               r"maßnahmen|massnahmen|aufgaben|remediation|improvements|planned actions|"
                               r"what we('| a)re (doing|changing)|review actions"),
    "lessons": re.compile(r"(?i)lessons?|learn|what went (well|wrong)|went well|erkenntnis|gelernt"),
}
INLINE_CMD_RX = re.compile(
    r"`\$?\s*(kubectl|aws|az|gcloud|curl|systemctl|journalctl|docker|psql|mysql|redis-cli|helm|sudo|terraform|"
    r"oc|ssh|dig|nslookup|top|df|du|grep|tail|cat|ls|ps|promtool|vault|consul|etcdctl|git|make|python|npm|"
    r"\./)[^`\n]*`"
)
BLAMELESS_RX = re.compile(r"(?i)blameless|blame-?free|no[- ]blame|schuldfrei|ohne schuldzuweisung")
ISSUE_LINK_RX = re.compile(r"(?<![\w/])#\d+\b|https?://\S+/(-/)?(issues|pull|merge_requests|browse)/[\w-]+|\b[A-Z][A-Z0-9]{1,9}-\d+\b")
OWNER_RX = re.compile(r"(?i)@[\w-]+|\bowner\b|\bassignee\b|verantwortlich|zuständig")
DATE_IN_NAME = re.compile(r"(20\d\d)[-_]?([01]\d)[-_]?([0-3]\d)")
MONTH_IN_NAME = re.compile(r"(20\d\d)[-_]([01]\d)(?!\d)")

REGISTER_RX = re.compile(
    r"(?i)(^|/)(ops-debt-register|operational-debt[^/]*|ops-debt[^/]*|[^/]*debt[-_]register[^/]*|toil[-_]register[^/]*|"
    r"toil\.md|tech-?debt[^/]*\.(ya?ml|csv|json)|technical-debt[^/]*\.(ya?ml|csv|json))$"
)
REGISTER_EXT = (".yml", ".yaml", ".csv", ".md", ".json")
DEBT_DOC_RX = re.compile(r"(?i)(^|/)(tech[-_]?debt|technical[-_]debt|debt)\.(md|markdown|adoc|rst)$|(^|/)docs?/([^/]*/)*tech(nical)?[-_]?debt[^/]*\.(md|adoc|rst)$")
REQUIRED_FIELDS = ("id", "title", "category", "severity", "toil_hours_per_week", "owner", "created_date",
                   "target_resolution_date", "status")
FIELD_ALIASES = {
    "toil_hours": "toil_hours_per_week", "toil_hours_week": "toil_hours_per_week", "hours_per_week": "toil_hours_per_week",
    "toil_h_per_week": "toil_hours_per_week", "toil": "toil_hours_per_week", "created": "created_date",
    "created_at": "created_date", "opened": "created_date", "target_date": "target_resolution_date",
    "due_date": "target_resolution_date", "due": "target_resolution_date", "target_resolution": "target_resolution_date",
    "name": "title", "summary": "title", "priority": "severity", "type": "category", "assignee": "owner",
}
RESOLVED = {"resolved", "closed", "done", "fixed", "completed", "complete", "wontfix", "won't fix", "wont_fix", "retired", "paid"}
REVIEW_RX = re.compile(r"(?i)last[-_ ]?review(ed)?(_date|[-_ ]?on)?\s*[:=]\s*['\"]?(\d{4}-\d{2}-\d{2})")
ADR_DIR_RX = re.compile(r"(?i)(^|/)(adrs?|decisions|architecture[-_]decisions|decision-records)/")
POLICY_TOPICS: list[tuple[str, re.Pattern[str]]] = [
    ("drift-sla", re.compile(r"(?i)drift[^/]*(sla|policy|process)[^/]*$")),
    ("oncall", re.compile(r"(?i)(on-?call|escalation)[^/]*$")),
    ("rollback", re.compile(r"(?i)roll-?back[^/]*$")),
    ("deployment", re.compile(r"(?i)deploy(ment)?[-_]?(process|policy|procedure|guide|checklist)[^/]*$|(^|/)deploy(ment|ing)?\.(md|adoc|rst)$")),
    ("incident-process", re.compile(r"(?i)incident[-_]?(response|process|management|handling|policy)[^/]*$")),
    ("toil-okr", re.compile(r"(?i)(toil|okr)[^/]*$")),
    ("dora-review", re.compile(r"(?i)(dora|delivery[-_]metrics)[^/]*$")),
    ("alert-review", re.compile(r"(?i)alert(ing)?[-_]?(review|policy|hygiene)[^/]*$")),
]
INCIDENT_TOOL_FILES = {
    ".firehydrant.yml": "firehydrant", "firehydrant.yml": "firehydrant", ".rootly.yml": "rootly", "rootly.yml": "rootly",
    ".incident.yml": "incident-io", "incident-io.yml": "incident-io",
}


class DocsCollector(Collector):
    name = "docs"
    source = "repo"
    description = "Operational documents: runbooks, postmortems, debt registers, ADRs, policies, runbook automation"
    controls = ("WAF-OPS-060", "WAF-OPS-070", "WAF-OPS-100")

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        # per-call state lives in _Scan: one collector instance serves subjects on several threads
        return _Scan(_git(subject, ctx)).run(ctx)


def _git(subject: Subject, ctx: CollectContext) -> GitInfo | None:
    """Full history only: a shallow clone would date every file to its single commit."""
    try:
        info = git_info(subject.workdir, ctx.now)
    except GitError:
        return None
    return info if info is not None and not info.shallow else None


class _Scan:
    def __init__(self, git: GitInfo | None) -> None:
        self.git = git

    def run(self, ctx: CollectContext) -> list[Evidence]:
        out: list[Evidence] = []
        runbooks: list[Evidence] = []
        steps = (self._runbooks, self._postmortems, self._incident_templates, self._incident_trends,
                 self._debt, self._debt_signals, self._adr, self._policies, self._automation, self._incident_tooling)
        for step in steps:
            try:
                items = list(step(ctx, runbooks) if step.__name__ == "_automation" else step(ctx))
            except Exception as err:
                ctx.warn("repo", f"docs collector ({step.__name__.strip('_')}): {type(err).__name__}: {err}")
                continue
            if step.__name__ == "_runbooks":
                runbooks = [e for e in items if e.kind == "doc.runbook"]
            out.extend(items)
        return out

    def _changed(self, path: str) -> str | None:
        d = self.git.last_changed(path) if self.git else None
        return d.date().isoformat() if d else None

    # ---- runbooks -----------------------------------------------------------------------------
    def _runbooks(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        linked_targets = _alert_runbook_targets(ctx)
        for path in tree.files:
            low = path.lower()
            if not low.endswith(DOC_EXT) or EXCLUDE_RX.search(path):
                continue
            linked = path in linked_targets
            in_rb_dir = bool(RUNBOOK_DIR_RX.search(path.rsplit("/", 1)[0] + "/")) if "/" in path else False
            named = bool(RUNBOOK_NAME_RX.search(path))
            in_ops_dir = bool(OPS_DIR_RX.search(path)) or (
                "/" in path and bool(PLAYBOOK_DIR_RX.search(path.rsplit("/", 1)[0] + "/")) and "/roles/" not in path
            ) or ("/" in path and bool(ALERT_DOC_DIR_RX.search(path.rsplit("/", 1)[0] + "/")))
            procedure = not (in_rb_dir or named or in_ops_dir or linked) and _procedure_candidate(path)
            if not (in_rb_dir or named or in_ops_dir or linked or procedure):
                continue
            if POSTMORTEM_NAME_RX.search(path.rsplit("/", 1)[-1]) or re.search(
                r"(?i)(^|/)(post[-_]?mortems?|incident[-_]templates?|pirs?|rcas?)/", path
            ) or (re.search(r"(?i)(^|/)incidents?/", path) and DATE_IN_NAME.search(path.rsplit("/", 1)[-1])):
                continue  # incident reviews filed next to runbooks are postmortems, not runbooks
            text = tree.text(path)
            if not text or not text.strip():
                continue
            fm = front_matter(text)
            headings = _headings(text, path)
            sections = [s for s, rx in SECTION_RX.items() if any(rx.search(h) for h in headings)]
            stem = _stem(path)
            template = "template" in low or fm.get("template") is True
            # a service README an alert links as its runbook is that service's runbook, not an index page
            index = (stem in INDEX_NAMES and not linked) or (not sections and _mostly_links(text))
            if procedure and not _reads_like_procedure(text, sections):
                continue  # a page named for an operation must also give the steps (commands, numbered remediation)
            if in_ops_dir and not (in_rb_dir or named or linked):
                # an operations/on-call folder holds many kinds of pages: only runbook-shaped ones count
                ops_like = len(set(sections) & {"symptoms", "diagnosis", "remediation", "escalation"}) >= 2
                if not ops_like and ALERT_DOC_DIR_RX.search(path.rsplit("/", 1)[0] + "/") and ALERT_TALK_RX.search(text):
                    # a per-alert page (GOV.UK's `manual/alerts/<alert>.html.md`): what the alert means plus
                    # what to do - a standard section, a "Description"/"Impact" heading, or commands to run
                    ops_like = bool(sections) and (
                        len(sections) >= 2 or _code_blocks(text) > 0 or len(INLINE_CMD_RX.findall(text)) > 0
                        or any(ALERT_PAGE_HEADING_RX.match(h.strip()) for h in headings))
                if not (ops_like or re.search(r"(?i)run-?book", stem + " " + " ".join(headings[:2]))):
                    continue
            if named and not (in_rb_dir or in_ops_dir or linked) and not re.search(r"(?i)(run|play)-?book", stem):
                # OPERATIONS.md / ONCALL.md: only at the top (or in docs/), and only when it reads like operating
                # instructions; deeper `operations.rst` pages are product documentation (e.g. salt's doc/topics/)
                if path.count("/") > 1:
                    continue
                if not (sections or _code_blocks(text) or len(re.findall(r"(?m)^[ \t]*(?:\d+\.|[-*])[ \t]+[^\n]*`[^`\n]+`", text)) >= 2):
                    continue
            reviewed = _fm_date(fm, "last_reviewed", "last_reviewed_on", "last_review", "reviewed", "review_date", "reviewed_at",
                                "last_updated", "updated", "date")
            changed = self._changed(path)
            dates_from = "git" if self.git is not None else ("front-matter" if reviewed else "none")
            rb_changes = [d.date().isoformat() for d, _ in (self.git.file(path).changes if self.git and self.git.file(path) else [])][:50]
            attrs = {
                "title": redact(_title(text, fm, path), 120),
                "service": str(fm.get("service") or _service_of(path)),
                "template": template,
                "index": index and not template,
                "sections": sections,
                "code_blocks": _code_blocks(text),
                "inline_commands": len(INLINE_CMD_RX.findall(text)),
                "last_changed": changed,
                "last_reviewed": reviewed,
                "dates_from": dates_from,
                "change_dates": rb_changes,
            }
            kind = "runbook template" if template else "runbook index" if attrs["index"] else "runbook"
            yield ctx.file_evidence(
                "doc.runbook", path, line=1, attributes=attrs,
                strength=Strength.DIRECT if (in_rb_dir or named or linked) else Strength.STRONG,
                summary=f"{'operational procedure' if procedure else kind} with {len(sections)} standard section(s), {attrs['code_blocks']} code block(s)",
            )

    # ---- postmortems ----------------------------------------------------------------------------
    def _postmortems(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        for path in tree.files:
            low = path.lower()
            if not low.endswith(DOC_EXT + (".txt",)) or EXCLUDE_RX.search(path):
                continue
            in_dir = bool(POSTMORTEM_DIR_RX.search(path.rsplit("/", 1)[0] + "/")) if "/" in path else False
            named = bool(POSTMORTEM_NAME_RX.search(path.rsplit("/", 1)[-1]))
            # `2025-09-29-flags-is-down.md` in a postmortem repository's root: no telling name or folder,
            # so only the full incident-review shape (3 of impact/timeline/root cause/action items) counts
            dated = bool(DATE_IN_NAME.search(path.rsplit("/", 1)[-1]))
            if not (in_dir or named or dated) or low.startswith((".github/issue_template", ".gitlab/issue_templates")):
                continue
            text = tree.text(path)
            if not text or not text.strip():
                continue
            fm = front_matter(text)
            stem = _stem(path)
            entries = [] if "template" in low else _incident_entries(text, named or in_dir)
            if len(entries) >= 2:
                # an incident log: one page, one dated section per incident (MoJ Cloud Platform's incident-log)
                yield from self._log_entries(ctx, path, text, entries)
                continue
            headings = _headings(text, path) + _labels(text)
            sections = [s for s, rx in PM_SECTION_RX.items() if any(rx.search(h) for h in headings)]
            template = "template" in low or fm.get("template") is True
            if not template and named and not in_dir and (
                    PM_GUIDE_TITLE_RX.search(_title(text, fm, path)) or len(PM_PLACEHOLDER_RX.findall(text)) >= 1):
                # `incident-reports.md` titled "Write an incident report", with `Date: YYYY-MM-DD` fields:
                # guidance on the report, i.e. its template - not a write-up of an incident
                template = True
            index = stem in INDEX_NAMES and len(sections) < 2
            core = set(sections) & {"impact", "timeline", "root_cause", "action_items"}
            if not index and len(core) < (1 if named else 2 if in_dir else 3):
                continue  # a folder called incidents/ or retros/ (or a dated file name) alone does not make a postmortem
            if not (in_dir or named) and (index or template):
                continue
            if index and not (in_dir and re.search(r"(?i)post[-_ ]?mortem|incident (review|report)|post-incident|\bpir\b", text)):
                continue  # an index page counts only when it lists incident reviews
            pm_date, date_from = _fm_date(fm, "date", "incident_date", "occurred", "created", "started"), "front-matter"
            if not pm_date:
                pm_date, date_from = _name_date(path), "filename"
            if not pm_date and self.git is not None:
                added = self.git.added(path) or self.git.file(path) and self.git.file(path).first_seen
                pm_date, date_from = (added.date().isoformat() if added else None), "git"
            if not pm_date:
                date_from = "none"
            action_text = _section_text(text, PM_SECTION_RX["action_items"]) or _label_text(text, PM_SECTION_RX["action_items"]) or ""
            links = len(ISSUE_LINK_RX.findall(action_text)) if action_text else 0
            attrs = {
                "title": redact(_title(text, fm, path), 120),
                "date": pm_date,
                "date_from": date_from,
                "sections": sections,
                "blameless": bool(BLAMELESS_RX.search(text)),
                "action_item_links": links,
                "action_items_owned": bool(action_text and OWNER_RX.search(action_text)),
                "category": redact(str(fm.get("category") or fm.get("class") or fm.get("classification") or
                                       fm.get("incident_type") or ""), 60) or None,
                "template": template,
                "index": index and not template,
            }
            kind = "postmortem template" if template else "postmortem index" if attrs["index"] else "postmortem"
            yield ctx.file_evidence("doc.postmortem", path, line=1, attributes=attrs,
                                    summary=f"{kind} ({', '.join(sections) or 'no standard sections'})")

    def _log_entries(self, ctx: CollectContext, path: str, text: str,
                     entries: list[tuple[int, int, str, str]]) -> Iterator[Evidence]:
        """One doc.postmortem per dated incident section of an incident log, located at its heading."""
        lines = text.splitlines()
        for start, level, heading, day in entries:
            end = len(lines)
            for j in range(start + 1, len(lines)):
                m = re.match(r"^\s*(#{1,6})\s+", lines[j])
                if m and len(m.group(1)) <= level:
                    end = j
                    break
            chunk = "\n".join(lines[start + 1:end])
            labels = _headings(chunk, path) + _labels(chunk)
            sections = [s for s, rx in PM_SECTION_RX.items() if any(rx.search(h) for h in labels)]
            action_text = _section_text(chunk, PM_SECTION_RX["action_items"]) or _label_text(chunk, PM_SECTION_RX["action_items"]) or ""
            attrs = {
                "title": redact(heading, 120),
                "date": day,
                "date_from": "heading",
                "sections": sections,
                "blameless": bool(BLAMELESS_RX.search(chunk)),
                "action_item_links": len(ISSUE_LINK_RX.findall(action_text)) if action_text else 0,
                "action_items_owned": bool(action_text and OWNER_RX.search(action_text)),
                "category": None,
                "template": False,
                "index": False,
                "log_entry": True,
            }
            yield ctx.file_evidence("doc.postmortem", path, line=start + 1, attributes=attrs,
                                    summary=f"incident log entry {day} ({', '.join(sections) or 'no standard sections'})")

    def _incident_templates(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        rx = re.compile(r"(?i)incident|post[-_ ]?mortem|outage|\bpir\b|\brca\b")
        for path in tree.glob(".github/ISSUE_TEMPLATE/*", ".gitlab/issue_templates/*", ".gitlab/merge_request_templates/*"):
            name = path.rsplit("/", 1)[-1]
            if not rx.search(name):
                continue
            text = tree.text(path) or ""
            if path.lower().endswith((".yml", ".yaml")):
                kind = "issue-form"
                data = tree.yaml(path)
                labels = _form_labels(data)
            else:
                kind = "mr-template" if "merge_request" in path.lower() else "issue-template"
                labels = _headings(text, path)
            sections = [s for s, srx in PM_SECTION_RX.items() if any(srx.search(lb) for lb in labels)]
            yield ctx.file_evidence(
                "doc.incident_template", path, line=1,
                attributes={"kind": kind, "postmortem": bool(re.search(r"(?i)post[-_ ]?mortem|review|\bpir\b|\brca\b", name)) or len(sections) >= 3,
                            "sections": sections, "blameless": bool(BLAMELESS_RX.search(text))},
                summary=f"incident {kind} ({', '.join(sections) or 'no review sections'})",
            )

    def _incident_trends(self, ctx: CollectContext) -> Iterator[Evidence]:
        rx = re.compile(r"(?i)(incident|postmortem|reliability|ops)[-_ ]?(trend|review|report)s?[-_ ]?(20\d\d[-_][01]\d)|"
                        r"(^|/)(incident-)?trends/[^/]*(20\d\d[-_][01]\d)")
        for path in ctx.tree.files:
            if not path.lower().endswith(DOC_EXT) or EXCLUDE_RX.search(path):
                continue
            m = rx.search(path)
            if m:
                period = MONTH_IN_NAME.search(path.rsplit("/", 1)[-1]) or MONTH_IN_NAME.search(path)
                yield ctx.file_evidence("doc.incident_trend", path, line=1,
                                        attributes={"period": f"{period.group(1)}-{period.group(2)}" if period else None},
                                        summary="incident trend report")

    def _incident_tooling(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        for path in tree.files:
            name = path.rsplit("/", 1)[-1].lower()
            if name in INCIDENT_TOOL_FILES and path.count("/") <= 1:
                yield ctx.file_evidence("doc.incident_tooling", path, line=1, attributes={"tool": INCIDENT_TOOL_FILES[name]},
                                        strength=Strength.WEAK, summary=f"{INCIDENT_TOOL_FILES[name]} configuration")
        for path in tree.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
            text = tree.text(path) or ""
            if re.search(r"(?m)^\s*(issues|issue_comment)\s*:", text) and re.search(r"(?i)incident|post-?mortem", text):
                yield ctx.file_evidence("doc.incident_tooling", path, line=tree.line_of(path, re.compile(r"(?i)incident")),
                                        attributes={"tool": "issue-workflow"}, strength=Strength.WEAK,
                                        summary="workflow reacting to incident issues")

    # ---- debt ------------------------------------------------------------------------------------
    def _debt(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        for path in tree.files:
            if EXCLUDE_RX.search(path):
                continue
            if REGISTER_RX.search(path) and path.lower().endswith(REGISTER_EXT):
                ev = self._register(ctx, path)
                if ev is not None:
                    yield ev
            elif DEBT_DOC_RX.search(path) and (path.count("/") == 0 or path.lower().startswith(("docs/", "doc/"))):
                text = tree.text(path) or ""
                yield ctx.file_evidence("doc.debt_doc", path, line=1,
                                        attributes={"title": redact(_title(text, front_matter(text), path), 120)},
                                        strength=Strength.STRONG, summary="technical-debt document")

    def _debt_signals(self, ctx: CollectContext) -> Iterator[Evidence]:
        """Informal debt tracking a reader sees in the repository itself (WAF++ OPS-100 level 2, "Informal"):
        debt sections/labels in release-notes configuration, debt/maintenance issue templates, lint-debt
        ("todo"/baseline) files, and TODO/FIXME/HACK markers in code (a bounded sweep)."""
        tree = ctx.tree
        yield from _release_note_debt(ctx)
        for path in tree.glob(".github/ISSUE_TEMPLATE/*", ".gitlab/issue_templates/*"):
            stem = _stem(path).rsplit(".", 1)[0]
            m = DEBT_TEMPLATE_RX.search(stem)
            if not m:
                continue
            debt = bool(re.search(r"(?i)debt|toil", stem))
            yield ctx.file_evidence("doc.debt_label", path, line=1,
                                    attributes={"via": "issue-template", "name": redact(stem, 60), "debt": debt},
                                    strength=Strength.STRONG if debt else Strength.WEAK,
                                    summary=f"{'debt' if debt else 'maintenance'} issue template {stem}")
        for path in tree.files:
            name = path.rsplit("/", 1)[-1].lower()
            tool = LINT_DEBT_FILES.get(name)
            if tool is None or EXCLUDE_RX.search(path):
                continue
            text = tree.text(path) or ""
            entries = len([ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")])
            if entries:
                yield ctx.file_evidence("doc.lint_debt", path, line=1, attributes={"tool": tool, "lines": entries},
                                        strength=Strength.STRONG, summary=f"{tool} lint-debt file ({entries} lines)")
        yield from _scheduled_upkeep_filing(ctx)
        yield from _debt_markers(ctx)

    def _register(self, ctx: CollectContext, path: str) -> Evidence | None:
        tree = ctx.tree
        text = tree.text(path)
        if text is None:
            return None
        fmt = path.rsplit(".", 1)[-1].lower().replace("yml", "yaml")
        entries, meta_review, ok = parse_register(text, fmt, lambda: tree.yaml(path), lambda: tree.json(path))
        if not ok:
            ctx.warn("repo", "debt register could not be read as a list of entries (expected entries[] or table rows)", path)
        attrs = register_stats(entries)
        review = meta_review or _header_review(text)
        history, quarters = self._register_history(path, fmt, ctx.now)
        attrs.update({
            "format": fmt,
            "parsed": ok,
            "last_review": review,
            "last_changed": self._changed(path),
            "dates_from": "git" if self.git is not None else "none",
            "history": history,
            "quarters": quarters,
        })
        return ctx.file_evidence(
            "doc.debt_register", path, line=1, attributes=attrs,
            summary=f"debt register: {attrs['entries']} entr(y/ies), {attrs['complete']} complete, {attrs['open']} open",
        )

    def _register_history(self, path: str, fmt: str, now: datetime) -> tuple[list[dict], list[dict]]:
        """Register snapshots at quarter ends (git), for toil trends and paydown-versus-creation."""
        if self.git is None or fmt not in ("yaml", "csv", "json", "md"):
            return [], []
        fh = self.git.file(path)
        if fh is None or not fh.changes:
            return [], []
        snaps: list[dict] = []
        prev_ids: tuple[set, set] | None = None
        quarters: list[dict] = []
        ends = [now - timedelta(days=91 * k) for k in range(4, -1, -1)]  # 4 quarter boundaries back to now
        for end in ends:
            sha = next((s for d, s in fh.changes if d <= end), None)
            if sha is None:
                prev_ids = (set(), set())
                continue
            content = self.git.show(sha, path)
            if content is None:
                continue
            entries, _, ok = parse_register(content, fmt, lambda c=content: _yaml_load(c), lambda c=content: _json_load(c))
            if not ok:
                continue
            st = register_stats(entries)
            ids_open = {str(e.get("id")) for e in entries if e.get("id") is not None and not _resolved(e)}
            ids_res = {str(e.get("id")) for e in entries if e.get("id") is not None and _resolved(e)}
            snaps.append({"date": end.date().isoformat(), "entries": st["entries"], "open": st["open"],
                          "toil_open": st["toil_open"]})
            if prev_ids is not None:
                p_open, p_res = prev_ids
                created = len((ids_open | ids_res) - (p_open | p_res))
                paid = len({i for i in p_open if i in ids_res or i not in ids_open | ids_res})
                quarters.append({"end": end.date().isoformat(), "created": created, "resolved": paid})
            prev_ids = (ids_open, ids_res)
        return snaps, quarters

    def _adr(self, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        dirs: dict[str, list[str]] = {}
        for path in tree.files:
            if not path.lower().endswith(DOC_EXT) or EXCLUDE_RX.search(path):
                continue
            m = ADR_DIR_RX.search(path)
            if not m:
                continue
            d = path[: m.end() - 1]
            stem = _stem(path)
            if stem in INDEX_NAMES or "template" in stem:
                continue
            dirs.setdefault(d, []).append(path)
        register_ids = self._register_ids(ctx)
        for d, files in dirs.items():
            if len(files) < 1:
                continue
            mentions = 0
            for f in files:
                t = tree.text(f) or ""
                if re.search(r"(?i)technical debt|tech[- ]debt|operational debt|\btoil\b", t) or any(i in t for i in register_ids):
                    mentions += 1
            yield ctx.file_evidence("doc.adr", d, attributes={"count": len(files), "mentions_debt": mentions},
                                    strength=Strength.WEAK if mentions else Strength.DIRECT,
                                    summary=f"{len(files)} ADR(s), {mentions} mention debt")

    def _register_ids(self, ctx: CollectContext) -> set[str]:
        ids: set[str] = set()
        for path in ctx.tree.files:
            if REGISTER_RX.search(path) and path.lower().endswith((".yml", ".yaml")):
                data = ctx.tree.yaml(path)
                entries = data.get("entries") if isinstance(data, dict) else data
                for e in entries if isinstance(entries, list) else []:
                    if isinstance(e, dict) and e.get("id") and len(str(e["id"])) >= 4:
                        ids.add(str(e["id"]))
        return ids

    def _policies(self, ctx: CollectContext) -> Iterator[Evidence]:
        for path in ctx.tree.files:
            if not path.lower().endswith(DOC_EXT) or EXCLUDE_RX.search(path):
                continue
            top = path.count("/") == 0 or path.lower().startswith(("docs/", "doc/", "ops/", "operations/", "runbooks/", "handbook/"))
            if not top:
                continue
            for topic, rx in POLICY_TOPICS:
                if rx.search(path.rsplit("/", 1)[-1]):
                    yield ctx.file_evidence("doc.policy", path, line=1, attributes={"topic": topic},
                                            strength=Strength.WEAK, summary=f"{topic} document")
                    break

    # ---- runbook automation ---------------------------------------------------------------------
    def _automation(self, ctx: CollectContext, runbooks: list[Evidence]) -> Iterator[Evidence]:
        tree = ctx.tree
        cand_rx = re.compile(r"(?i)(ssm|automation|run-?books?|documents)/[^/]*\.(ya?ml|json)$|ssm[^/]*\.(ya?ml|json)$")
        for path in tree.files:
            if EXCLUDE_RX.search(path) or not cand_rx.search(path):
                continue
            data = tree.json(path) if path.lower().endswith(".json") else tree.yaml(path)
            if isinstance(data, dict) and str(data.get("schemaVersion")) == "0.3" and data.get("mainSteps"):
                yield ctx.file_evidence("doc.automation", path, line=1, attributes={"tool": "ssm-automation"},
                                        strength=Strength.STRONG, summary="SSM Automation document")
        for path in tree.with_suffix(".tf"):
            text = tree.text(path)
            if not text or ("aws_ssm_document" not in text and "azurerm_automation_runbook" not in text):
                continue
            for b in blocks(tree.hcl(path)):
                if b.type != "resource" or not b.labels:
                    continue
                if b.labels[0] == "aws_ssm_document" and str(b.body.get("document_type")) == "Automation":
                    tool = "ssm-automation"
                elif b.labels[0] == "azurerm_automation_runbook":
                    tool = "azure-automation"
                else:
                    continue
                line = tree.line_of(path, re.compile(rf'resource\s+"{b.labels[0]}"\s+"{re.escape(b.labels[1])}"'))
                yield ctx.file_evidence("doc.automation", path, line=line, attributes={"tool": tool},
                                        strength=Strength.STRONG, summary=f"{tool} {b.labels[1]} in Terraform")
        for path in tree.files:
            low = path.lower()
            if "rundeck" in low and low.endswith((".yml", ".yaml")):
                docs = tree.yaml_docs(path)
                jobs = docs[0] if docs else None
                if isinstance(jobs, list) and any(isinstance(j, dict) and "sequence" in j for j in jobs):
                    yield ctx.file_evidence("doc.automation", path, line=1, attributes={"tool": "rundeck"},
                                            strength=Strength.STRONG, summary="Rundeck job definition")
            elif ("stackstorm" in low or "/actions/" in low and "packs/" in low) and low.endswith((".yml", ".yaml")):
                data = tree.yaml(path)
                if isinstance(data, dict) and data.get("runner_type") and data.get("entry_point"):
                    yield ctx.file_evidence("doc.automation", path, line=1, attributes={"tool": "stackstorm"},
                                            strength=Strength.STRONG, summary="StackStorm action")
        rb_text = "\n".join(tree.text(e.locator.path) or "" for e in runbooks if e.locator.path)
        if rb_text:
            for path in tree.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
                name = path.rsplit("/", 1)[-1]
                text = tree.text(path) or ""
                if "workflow_dispatch" in text and re.search(rf"(workflows/|\b){re.escape(name)}\b", rb_text):
                    yield ctx.file_evidence("doc.automation", path, line=tree.line_of(path, "workflow_dispatch"),
                                            attributes={"tool": "workflow-dispatch"}, strength=Strength.STRONG,
                                            summary="manually dispatched ops workflow linked from a runbook")


# ---- operational procedure pages ------------------------------------------------------------------

# Runbooks without "runbook" in the path: a docs page named for an operation (disaster recovery, restore, failover,
# rollback, rebuild, maintenance mode, <component>-upgrade, key rotation, break-glass) that gives its steps.
PROCEDURE_DIR_RX = re.compile(r"(?i)^(docs?|documentation|guides?|manual|handbook|wiki|ops|operations|sre|platform)$")
PROCEDURE_RX = re.compile(
    r"(?i)(^|[-_ ])(disaster[-_ ]?recovery|dr[-_ ]?(plan|procedure|test(ing)?)|recover(y|ing)?|restor(e|ing)|fail[-_ ]?over|"
    r"rebuild(ing)?|roll[-_ ]?back|incident[-_ ]?(response|playbook|procedure)|break[-_ ]?glass|emergency[-_ ]?access|"
    r"maintenance[-_ ]?(mode|page|window)|outage)([-_ ]|$)"
)
# upgrades, migrations and rotations count only for a named component (`aks-upgrade`, `postgres-upgrade`,
# `node-pool-migration`), not a product's generic `upgrading.md` guide for its users
ROUTINE_RX = re.compile(r"(?i)^(?=.*[a-z0-9][-_ ])(.*[-_ ])?(upgrad(e|ing)|migrat(e|ion|ing)|rotat(e|ion|ing))([-_ ].*)?$")
OPS_CLI_RX = re.compile(
    r"(?m)(?:^[ \t]*(?:\$[ \t]*)?|`)(?:kubectl|az|aws|gcloud|terraform|terragrunt|helm|psql|pg_dump|pg_restore|mysql|"
    r"redis-cli|systemctl|journalctl|vault|etcdctl|eksctl|oc|ansible-playbook|knife|konduit\.sh|make|gh)[ \t]+[a-z$-]"
)


def _procedure_candidate(path: str) -> bool:
    parts = path.split("/")
    if len(parts) > 1 and not any(PROCEDURE_DIR_RX.match(d) for d in parts[:-1]):
        return False
    stem = _stem(path)
    return bool(PROCEDURE_RX.search(stem) or ROUTINE_RX.match(stem))


def _reads_like_procedure(text: str, sections: list[str]) -> bool:
    """Operating steps: at least 3 operations commands, or numbered steps under a remediation/rollback/verification heading."""
    if len(OPS_CLI_RX.findall(text)) >= 3:
        return True
    steps = len(re.findall(r"(?m)^[ \t]*\d+\.[ \t]+\S", text))
    return steps >= 3 and bool(set(sections) & {"remediation", "rollback", "verification", "diagnosis"})


# ---- informal debt tracking -----------------------------------------------------------------------

DEBT_WORD_RX = re.compile(r"(?i)tech(nical)?[-_ ]?debt|ops[-_ ]?debt|operational[-_ ]?debt|\btoil\b|\bdebt\b")
# issue templates for debt, or for maintenance/chores/refactoring (weak: "maintenance" may mean org support)
DEBT_TEMPLATE_RX = re.compile(r"(?i)debt|toil|maintenance|chore|refactor|housekeeping|upkeep")
# lint debt kept as a file: generated "todo"/baseline lists of known violations to pay down
LINT_DEBT_FILES = {
    ".rubocop_todo.yml": "rubocop", ".rubocop-todo.yml": "rubocop", ".eslint-todo.json": "eslint",
    "eslint-suppressions.json": "eslint", ".eslintrc-todo.json": "eslint", "phpstan-baseline.neon": "phpstan",
    "psalm-baseline.xml": "psalm", "detekt-baseline.xml": "detekt", "lint-baseline.xml": "android-lint",
    ".betterer.results": "betterer", ".mypy-baseline.txt": "mypy", "mypy-baseline.txt": "mypy",
    ".pylint-baseline": "pylint", ".standard_todo.yml": "standardrb", ".haml-lint_todo.yml": "haml-lint",
    ".erb-lint_todo.yml": "erb-lint", ".scss-lint_todo.yml": "scss-lint",
}
RELEASE_NOTE_FILES = (".github/release.yml", ".github/release.yaml", ".github/release-drafter.yml",
                      ".github/release-drafter.yaml", ".github/*changelog*.json", ".github/*changelog*.yml",
                      "*changelog*config*.json", ".github/configs/*changelog*.json")
# `# TODO: remove after 2023-06-30`, `// FIXME(name)`, `{{/* TODO ... */}}`: a marker opening a comment
MARKER_RX = re.compile(r"(?:#|//|/\*|^\s*\*|--|;|<!--)\s*(?:TODO|FIXME|HACK)\b")
MARKER_EXT = (".py", ".rb", ".go", ".java", ".kt", ".kts", ".js", ".jsx", ".mjs", ".ts", ".tsx", ".cs", ".scala", ".rs",
              ".php", ".ex", ".exs", ".swift", ".c", ".h", ".cc", ".cpp", ".sh", ".bash", ".tf", ".hcl", ".yaml", ".yml",
              ".erb", ".groovy", ".sql", ".ps1", ".jsonnet", ".libsonnet", ".vue", ".svelte")
MARKER_EXCLUDE_RX = re.compile(r"(?i)(^|/)(e2e|generated|gen|dist|build|third[-_]party|migrations)(/|$)|\.min\.|_test\.go$|"
                               r"(^|/)test_[^/]*\.py$|\.(test|spec)\.|_spec\.rb$")
MAX_MARKER_FILES = 3000
MAX_MARKER_BYTES = 300_000
MARKER_STOP = 100  # enough to say "many"; the sweep stops counting there


def _release_note_debt(ctx: CollectContext) -> Iterator[Evidence]:
    """A release-notes category for debt (`## Tech Debt` fed by a `tech-debt` label): debt is labelled and reported."""
    tree = ctx.tree
    for path in dict.fromkeys(tree.glob(*RELEASE_NOTE_FILES)):
        data = tree.json(path) if path.lower().endswith(".json") else tree.yaml(path)
        if isinstance(data, dict) and isinstance(data.get("changelog"), dict):
            data = data["changelog"]  # GitHub's .github/release.yml
        cats = data.get("categories") if isinstance(data, dict) else None
        for cat in cats if isinstance(cats, list) else []:
            if not isinstance(cat, dict):
                continue
            labels = [str(x) for x in (cat.get("labels") or ([cat["label"]] if cat.get("label") else [])) if x]
            title = str(cat.get("title") or "")
            hit = next((x for x in [title, *labels] if DEBT_WORD_RX.search(x)), None)
            if hit:
                yield ctx.file_evidence("doc.debt_label", path, line=tree.line_of(path, DEBT_WORD_RX) or 1,
                                        attributes={"via": "release-notes", "name": redact(hit.strip("# "), 60),
                                                    "labels": labels[:10], "debt": True},
                                        strength=Strength.STRONG, summary=f"release-notes section for debt: {redact(hit, 60)}")
                break


FILE_WORK_RX = re.compile(r"(?i)gh\s+issue\s+create|gh\s+project\s+item-(add|create)|actions/add-to-project|"
                          r"create-issue-from-file|create-an-issue|issues\.create\(|glab\s+issue\s+create|/issues\b.*-X\s*POST")
UPKEEP_WORK_RX = re.compile(r"(?i)upgrad|outdated|deprecat|\bstale|maintenance|tech[-_ ]?debt|\btoil\b|end[-_ ]?of[-_ ]?life|"
                            r"\beol\b|housekeeping|clean[-_ ]?up|renew|rotat|patch(ing)?\b|version")


def _scheduled_upkeep_filing(ctx: CollectContext) -> Iterator[Evidence]:
    """A scheduled workflow that files upkeep work as issues or board items (a monthly "upgrade X" issue, a weekly
    stale-dependency card): maintenance is tracked on the team's board by a schedule, not left to memory."""
    tree = ctx.tree
    for path in tree.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        text = tree.text(path) or ""
        if not re.search(r"(?m)^\s*schedule\s*:", text):
            continue
        m = FILE_WORK_RX.search(text)
        if not m:
            continue
        data = tree.yaml(path)
        name = str(data.get("name") or path.rsplit("/", 1)[-1]) if isinstance(data, dict) else path.rsplit("/", 1)[-1]
        # what is filed must be upkeep: said by the workflow's name or file name, or by the filed item's title
        titles = " ".join(ln for ln in text.splitlines() if FILE_WORK_RX.search(ln) or re.match(r"\s*title\s*:", ln))
        if not UPKEEP_WORK_RX.search(f"{name} {path.rsplit('/', 1)[-1]} {titles}"):
            continue
        yield ctx.file_evidence("doc.upkeep_filing", path, line=text.count("\n", 0, m.start()) + 1,
                                attributes={"name": redact(name, 80), "files_to": "project" if "project" in m.group(0).lower() else "issues"},
                                strength=Strength.STRONG, summary=f"scheduled workflow {redact(name, 60)} files upkeep work")


def _debt_markers(ctx: CollectContext) -> Iterator[Evidence]:
    """TODO/FIXME/HACK comments in product code and configuration (tests, samples, vendored and generated code left
    out). Bounded: at most MAX_MARKER_FILES files, stops counting at MARKER_STOP markers."""
    tree = ctx.tree
    count, files, first_hit, examples, scanned = 0, 0, None, [], 0
    for path in tree.with_suffix(*MARKER_EXT):
        if count >= MARKER_STOP or scanned >= MAX_MARKER_FILES:
            break
        if EXCLUDE_RX.search(path) or MARKER_EXCLUDE_RX.search(path) or path.startswith(".github/"):
            continue
        try:
            if (tree.root / path).stat().st_size > MAX_MARKER_BYTES:
                continue
        except OSError:
            continue
        text = tree.text(path)
        scanned += 1
        if not text or ("TODO" not in text and "FIXME" not in text and "HACK" not in text):
            continue
        hits = [i for i, line in enumerate(text.splitlines(), start=1) if len(line) < 500 and MARKER_RX.search(line)]
        if hits:
            count += len(hits)
            files += 1
            first_hit = first_hit or (path, hits[0])
            if len(examples) < 5:
                examples.append(f"{path}:{hits[0]}")
    if first_hit:
        capped = count >= MARKER_STOP
        yield ctx.file_evidence("doc.debt_marker", first_hit[0], line=first_hit[1],
                                attributes={"count": count, "files": files, "capped": capped, "examples": examples},
                                strength=Strength.WEAK,
                                summary=f"{'>= ' if capped else ''}{count} TODO/FIXME/HACK marker(s) in {files} file(s)")


# ---- parsing helpers ------------------------------------------------------------------------------

def _headings(text: str, path: str) -> list[str]:
    """Headings of Markdown, AsciiDoc or reStructuredText (plus bold-only lines used as headings)."""
    out: list[str] = []
    fm = FRONT_MATTER.match(text)
    lines = text[fm.end():].splitlines() if fm else text.splitlines()
    in_code = False
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            continue
        m = re.match(r"^(#{1,6}|={1,6})\s+(.+?)\s*#*$", s)
        if m:
            out.append(m.group(2))
            continue
        m = re.match(r"^(\*\*|__)([^*_]{2,80})(\*\*|__):?\s*$", s)
        if m:
            out.append(m.group(2))
            continue
        # setext (Markdown) and reStructuredText headings: a text line underlined with === / --- / ~~~
        if s and i + 1 < len(lines) and not re.match(r"^([-=~*_])\1*$", s) and not s.startswith(("|", "-", "*", ">")) \
                and re.match(r"^([=\-~^\"'`#*+])\1{2,}\s*$", lines[i + 1].strip()):
            out.append(s)
    return out


def _labels(text: str) -> list[str]:
    """Bold field labels that open a line or list item (`- **Impact**: ...`, `**Key events**`): incident logs
    and reports written as lists use them where others write headings."""
    out = []
    in_code = False
    for line in text.splitlines():
        if line.strip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if not in_code:
            m = LABEL_RX.match(line)
            if m:
                out.append(m.group(2).strip())
    return out


def _label_text(text: str, rx: re.Pattern[str]) -> str | None:
    """The body under the first field label matching `rx`: its own line and the more-indented lines after it."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = LABEL_RX.match(line)
        if m and rx.search(m.group(2)):
            indent = len(m.group(1))
            body = [line[m.end():]]
            for nxt in lines[i + 1:]:
                n = LABEL_RX.match(nxt)
                if (n and len(n.group(1)) <= indent) or re.match(r"^\s*#{1,6}\s", nxt):
                    break
                body.append(nxt)
            return "\n".join(body)
    return None


def _incident_entries(text: str, log_named: bool) -> list[tuple[int, int, str, str]]:
    """Dated incident headings of a page: (line index, heading level, heading, ISO date). A heading counts when it
    carries a date and says incident/outage, or - in a file named or filed as an incident log - any dated heading."""
    out = []
    in_code = False
    for i, line in enumerate(text.splitlines()):
        if line.strip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        m = None if in_code else re.match(r"^\s*(#{1,6})\s+(.+?)\s*#*$", line)
        if not m:
            continue
        d = re.search(r"(20\d\d)-([01]\d)-([0-3]\d)", m.group(2))
        if not d or not (log_named or INCIDENT_ENTRY_RX.search(m.group(2))):
            continue
        try:
            day = date(int(d.group(1)), int(d.group(2)), int(d.group(3))).isoformat()
        except ValueError:
            continue
        out.append((i, len(m.group(1)), m.group(2).strip(), day))
    return out


def _section_text(text: str, rx: re.Pattern[str]) -> str | None:
    """The body of the first heading matching `rx`, up to the next heading of the same or higher level."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\s*(#{1,6}|={1,6})\s+(.+)$", line)
        if m and rx.search(m.group(2)):
            level = len(m.group(1))
            body = []
            for nxt in lines[i + 1:]:
                n = re.match(r"^\s*(#{1,6}|={1,6})\s+", nxt)
                if n and len(n.group(1)) <= level:
                    break
                body.append(nxt)
            return "\n".join(body)
    return None


def _code_blocks(text: str) -> int:
    fences = len(re.findall(r"(?m)^\s*(```|~~~)", text)) // 2
    rst = len(re.findall(r"(?m)^\s*\.\. code(-block)?::", text))
    adoc = len(re.findall(r"(?m)^\[source", text))
    return fences + rst + adoc


def _alert_runbook_targets(ctx: CollectContext) -> set[str]:
    """Documents in this repository that alert rules name as their runbook.

    GitLab's runbooks keep one README per service (`docs/<service>/README.md`) and every alert
    carries `runbook: docs/<service>/README.md`; nothing in the path says "runbook". The alert's
    annotation does. Read by keyword over the rule files' text (the alerting collector reads the same
    files, so the tree's cache makes this cheap); relative links resolve from the rule file or the
    repository root, repository URLs (`.../blob/<ref>/<path>`) by their path."""
    tree = ctx.tree
    out: set[str] = set()
    for path in tree.with_suffix(".yml", ".yaml", ".jsonnet", ".libsonnet", ".json"):
        if EXCLUDE_RX.search(path):
            continue
        text = tree.text(path)
        if not text or "runbook" not in text and "playbook" not in text:
            continue
        base = path.rsplit("/", 1)[0] if "/" in path else ""
        for ref in set(RUNBOOK_REF_RX.findall(text)):
            if "{{" in ref or "$" in ref:
                continue
            m = REPO_LINK_RX.match(ref)
            rel = m.group(1) if m else ("" if ref.startswith(("http://", "https://")) else ref)
            rel = rel.split("#", 1)[0].split("?", 1)[0].strip("/") if rel else ""
            if not rel:
                continue
            for cand in (posixpath.normpath(posixpath.join(base, rel)), posixpath.normpath(rel)):
                for c in (cand, f"{cand}/README.md", f"{cand}/readme.md", f"{cand}/index.md"):
                    if c.lower().endswith(DOC_EXT) and tree.exists(c):
                        out.add(c)
    return out


def _mostly_links(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return True
    links = sum(1 for ln in lines if re.match(r"^\s*([-*+]|\d+\.)\s+.*\]\(|^\s*\|.*\]\(", ln))
    return links / len(lines) >= 0.5


def _title(text: str, fm: dict[str, Any], path: str) -> str:
    if fm.get("title"):
        return str(fm["title"])
    m = re.search(r"(?m)^\s*(#|=)\s+(.+)$", text)
    return m.group(2).strip() if m else path.rsplit("/", 1)[-1]


def _service_of(path: str) -> str:
    parts = path.split("/")
    for i, p in enumerate(parts[:-1]):
        if re.fullmatch(r"(?i)run-?books?|play-?books?|on-?call|operations", p) and i + 2 < len(parts):
            return parts[i + 1]
    return parts[-1].rsplit(".", 1)[0]


def _to_date(v: Any) -> str | None:
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        m = re.search(r"(20\d\d|19\d\d)-([01]\d)-([0-3]\d)", v)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                return None
    return None


def _fm_date(fm: dict[str, Any], *keys: str) -> str | None:
    for k in keys:
        d = _to_date(fm.get(k))
        if d:
            return d
    return None


def _name_date(path: str) -> str | None:
    m = DATE_IN_NAME.search(path.rsplit("/", 1)[-1]) or DATE_IN_NAME.search(path)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _form_labels(data: Any) -> list[str]:
    out: list[str] = []
    body = data.get("body") if isinstance(data, dict) else None
    for item in body if isinstance(body, list) else []:
        attrs = item.get("attributes") if isinstance(item, dict) else None
        if isinstance(attrs, dict):
            for key in ("label", "description"):
                if attrs.get(key):
                    out.append(str(attrs[key])[:200])
        if isinstance(item, dict) and item.get("id"):
            out.append(str(item["id"]).replace("_", " "))
    return out


def _yaml_load(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _json_load(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return None


def _norm_key(k: Any) -> str:
    key = re.sub(r"[\s\-/]+", "_", str(k).strip().lower())
    return FIELD_ALIASES.get(key, key)


def parse_register(text: str, fmt: str, load_yaml: Any, load_json: Any) -> tuple[list[dict[str, Any]], str | None, bool]:
    """(entries with normalised keys, last review date from the document, parsed OK)."""
    rows: list[dict[str, Any]] = []
    review: str | None = None
    if fmt in ("yaml", "json"):
        data = load_yaml() if fmt == "yaml" else load_json()
        items = None
        if isinstance(data, dict):
            for k in ("last_review", "last_reviewed", "reviewed", "review_date", "last_review_date"):
                review = review or _to_date(data.get(k))
            meta = data.get("metadata") or data.get("meta")
            if isinstance(meta, dict):
                for k in ("last_review", "last_reviewed", "reviewed", "review_date", "last_review_date"):
                    review = review or _to_date(meta.get(k))
            for k in ("entries", "items", "debt", "debts", "register", "toil", "records"):
                if isinstance(data.get(k), list):
                    items = data[k]
                    break
        elif isinstance(data, list):
            items = data
        if items is None:
            return [], review, False
        rows = [{_norm_key(k): v for k, v in e.items()} for e in items if isinstance(e, dict)]
        return rows, review, bool(rows) or items == []
    if fmt == "csv":
        lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
        try:
            reader = csv.DictReader(io.StringIO("\n".join(lines)))
            rows = [{_norm_key(k): (v.strip() if isinstance(v, str) else v) for k, v in r.items() if k is not None}
                    for r in reader]
        except csv.Error:
            return [], None, False
        ok = bool(reader.fieldnames) and "id" in {_norm_key(f) for f in reader.fieldnames or []}
        return rows, None, ok
    # Markdown: the first table whose header names the register fields
    table = [ln for ln in text.splitlines() if ln.strip().startswith("|")]
    if len(table) >= 2:
        header = [_norm_key(c) for c in table[0].strip().strip("|").split("|")]
        for ln in table[2:]:
            cells = [c.strip() for c in ln.strip().strip("|").split("|")]
            if len(cells) == len(header):
                rows.append(dict(zip(header, cells, strict=True)))
        return rows, None, "id" in header or "title" in header
    return [], None, False


def _resolved(e: dict[str, Any]) -> bool:
    return str(e.get("status") or "").strip().lower() in RESOLVED


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(str(v).strip())
    except (TypeError, ValueError):
        return None


def register_stats(entries: list[dict[str, Any]]) -> dict[str, Any]:
    complete = 0
    missing: dict[str, int] = {}
    for e in entries:
        gaps = [f for f in REQUIRED_FIELDS if e.get(f) in (None, "", [])]
        if not gaps:
            complete += 1
        for g in gaps:
            missing[g] = missing.get(g, 0) + 1
    open_entries = [e for e in entries if not _resolved(e)]
    toil = [_num(e.get("toil_hours_per_week")) for e in open_entries]
    pm_rx = re.compile(r"(?i)post-?mortem|\bpir\b|incident")
    # free-text fields only count with a specific reference ("postmortem 2025-11-02", INC-123, postmortems/x.md),
    # since "incident" alone there often describes the debt itself
    ref_rx = re.compile(r"(?i)post-?mortem|\bpir\b|incident[- ]?(#|\d|review|report)|\bINC-?\d+|(post-?mortems?|incidents)/")
    links = sum(1 for e in entries if any(
        pm_rx.search(f"{k} {v}") if k in ("source", "postmortem", "origin", "links", "link", "references", "refs", "notes")
        else ref_rx.search(str(v)) if k in ("title", "description", "summary", "details", "context", "reason") else False
        for k, v in e.items()))
    return {
        "entries": len(entries),
        "complete": complete,
        "missing_fields": sorted(missing, key=lambda k: -missing[k]),
        "toil_numeric": all(t is not None for t in toil),
        "toil_open": round(sum(t for t in toil if t is not None), 2),
        "open": len(open_entries),
        "resolved": len(entries) - len(open_entries),
        "postmortem_links": links,
    }


def _header_review(text: str) -> str | None:
    for line in text.splitlines()[:30]:
        m = REVIEW_RX.search(line)
        if m:
            return _to_date(m.group(3))
    return None


def _ensure_utc(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)
