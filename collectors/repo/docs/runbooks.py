"""Runbooks (doc.runbook): a file becomes a runbook only by living in a runbook/playbook folder (or being named
so), by an alert rule naming it as its runbook, or by sitting in an operations/on-call folder AND reading like
one (symptom, diagnosis, remediation, escalation headings); a page named for an operation counts when it gives
the steps (procedures.py)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import NamedTuple

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.docs import markup
from wafops.collectors.repo.docs.markup import DATE_IN_NAME, DOC_EXT, EXCLUDE_RX, INDEX_NAMES
from wafops.collectors.repo.docs.postmortems import POSTMORTEM_NAME_RX
from wafops.collectors.repo.docs.procedures import procedure_candidate, reads_like_procedure
from wafops.collectors.repo.docs.state import DocsScan
from wafops.scanner.core.model import Evidence, Strength
from wafops.scanner.core.vocabulary import front_matter, redact

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
REPO_LINK_RX = re.compile(r"^https?://[^/]+/.+?/(?:-/)?(?:blob|tree)/[^/]+/([^?#]+)")
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
INLINE_CMD_RX = re.compile(
    r"`\$?\s*(kubectl|aws|az|gcloud|curl|systemctl|journalctl|docker|psql|mysql|redis-cli|helm|sudo|terraform|"
    r"oc|ssh|dig|nslookup|top|df|du|grep|tail|cat|ls|ps|promtool|vault|consul|etcdctl|git|make|python|npm|"
    r"\./)[^`\n]*`"
)


class _Place(NamedTuple):
    """Why a document may be a runbook: where it lives, what it is called, whether an alert links it."""

    linked: bool
    in_rb_dir: bool
    named: bool
    in_ops_dir: bool
    procedure: bool

    @property
    def direct(self) -> bool:
        """A runbook folder, a runbook name, or an alert's link: the team itself calls it a runbook."""
        return self.in_rb_dir or self.named or self.linked


def runbooks(scan: DocsScan) -> Iterator[Evidence]:
    """Detector: runbooks (doc.runbook), kept in the scan for the automation detector."""
    ctx = scan.ctx
    tree = ctx.tree
    linked_targets = alert_runbook_targets(ctx)
    for path in tree.with_suffix(*DOC_EXT):
        if EXCLUDE_RX.search(path):
            continue
        place = _placement(path, linked_targets)
        if place is None:
            continue
        text = tree.text(path)
        if not text or not text.strip():
            continue
        headings = markup.headings(text, path)
        sections = [s for s, rx in SECTION_RX.items() if any(rx.search(h) for h in headings)]
        if not _reads_as_runbook(path, text, place, headings, sections):
            continue
        ev = _runbook(scan, path, text, place, sections)
        scan.runbooks.append(ev)
        yield ev


def _placement(path: str, linked_targets: set[str]) -> _Place | None:
    """Where the file sits and what it is called; None when nothing about it says runbook, or when it is an
    incident review filed next to the runbooks."""
    folder = path.rsplit("/", 1)[0] + "/"
    linked = path in linked_targets
    in_rb_dir = bool(RUNBOOK_DIR_RX.search(folder)) if "/" in path else False
    named = bool(RUNBOOK_NAME_RX.search(path))
    in_ops_dir = bool(OPS_DIR_RX.search(path)) or (
        "/" in path and bool(PLAYBOOK_DIR_RX.search(folder)) and "/roles/" not in path
    ) or ("/" in path and bool(ALERT_DOC_DIR_RX.search(folder)))
    procedure = not (in_rb_dir or named or in_ops_dir or linked) and procedure_candidate(path)
    if not (in_rb_dir or named or in_ops_dir or linked or procedure):
        return None
    if POSTMORTEM_NAME_RX.search(path.rsplit("/", 1)[-1]) or re.search(
        r"(?i)(^|/)(post[-_]?mortems?|incident[-_]templates?|pirs?|rcas?)/", path
    ) or (re.search(r"(?i)(^|/)incidents?/", path) and DATE_IN_NAME.search(path.rsplit("/", 1)[-1])):
        return None  # incident reviews filed next to runbooks are postmortems, not runbooks
    return _Place(linked, in_rb_dir, named, in_ops_dir, procedure)


def _reads_as_runbook(path: str, text: str, place: _Place, headings: list[str], sections: list[str]) -> bool:
    """What the place alone does not settle, the content must: steps, runbook sections, operating instructions."""
    stem = markup.stem(path)
    if place.procedure and not reads_like_procedure(text, sections):
        return False  # a page named for an operation must also give the steps (commands, numbered remediation)
    if place.in_ops_dir and not place.direct:
        # an operations/on-call folder holds many kinds of pages: only runbook-shaped ones count
        ops_like = len(set(sections) & {"symptoms", "diagnosis", "remediation", "escalation"}) >= 2
        if not ops_like and ALERT_DOC_DIR_RX.search(path.rsplit("/", 1)[0] + "/") and ALERT_TALK_RX.search(text):
            # a per-alert page (GOV.UK's `manual/alerts/<alert>.html.md`): what the alert means plus
            # what to do - a standard section, a "Description"/"Impact" heading, or commands to run
            ops_like = bool(sections) and (
                len(sections) >= 2 or markup.code_blocks(text) > 0 or len(INLINE_CMD_RX.findall(text)) > 0
                or any(ALERT_PAGE_HEADING_RX.match(h.strip()) for h in headings))
        if not (ops_like or re.search(r"(?i)run-?book", stem + " " + " ".join(headings[:2]))):
            return False
    if place.named and not (place.in_rb_dir or place.in_ops_dir or place.linked) \
            and not re.search(r"(?i)(run|play)-?book", stem):
        # OPERATIONS.md / ONCALL.md: only at the top (or in docs/), and only when it reads like operating
        # instructions; deeper `operations.rst` pages are product documentation (e.g. salt's doc/topics/)
        if path.count("/") > 1:
            return False
        if not (sections or markup.code_blocks(text) or len(re.findall(r"(?m)^[ \t]*(?:\d+\.|[-*])[ \t]+[^\n]*`[^`\n]+`", text)) >= 2):
            return False
    return True


def _runbook(scan: DocsScan, path: str, text: str, place: _Place, sections: list[str]) -> Evidence:
    """The doc.runbook evidence: title, service, sections, commands, and review dates (git or front matter)."""
    fm = front_matter(text)
    stem = markup.stem(path)
    template = "template" in path.lower() or fm.get("template") is True
    # a service README an alert links as its runbook is that service's runbook, not an index page
    index = (stem in INDEX_NAMES and not place.linked) or (not sections and markup.mostly_links(text))
    reviewed = markup.fm_date(fm, "last_reviewed", "last_reviewed_on", "last_review", "reviewed", "review_date",
                              "reviewed_at", "last_updated", "updated", "date")
    changed = scan.changed(path)
    git = scan.git
    dates_from = "git" if git is not None else ("front-matter" if reviewed else "none")
    rb_changes = [d.date().isoformat() for d, _ in (git.file(path).changes if git and git.file(path) else [])][:50]
    attrs = {
        "title": redact(markup.title(text, fm, path), 120),
        "service": str(fm.get("service") or service_of(path)),
        "template": template,
        "index": index and not template,
        "sections": sections,
        "code_blocks": markup.code_blocks(text),
        "inline_commands": len(INLINE_CMD_RX.findall(text)),
        "last_changed": changed,
        "last_reviewed": reviewed,
        "dates_from": dates_from,
        "change_dates": rb_changes,
    }
    kind = "runbook template" if template else "runbook index" if attrs["index"] else "runbook"
    return scan.ctx.file_evidence(
        "doc.runbook", path, line=1, attributes=attrs,
        strength=Strength.DIRECT if place.direct else Strength.STRONG,
        summary=f"{'operational procedure' if place.procedure else kind} with {len(sections)} standard section(s), "
                f"{attrs['code_blocks']} code block(s)",
    )


def alert_runbook_targets(ctx: CollectContext) -> set[str]:
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


def service_of(path: str) -> str:
    parts = path.split("/")
    for i, p in enumerate(parts[:-1]):
        if re.fullmatch(r"(?i)run-?books?|play-?books?|on-?call|operations", p) and i + 2 < len(parts):
            return parts[i + 1]
    return parts[-1].rsplit(".", 1)[0]
