"""Postmortems (doc.postmortem): incident reviews must carry incident-review sections; an incident log kept in one
page gives one postmortem per dated section. Dates from front matter, the file name, or git (first addition)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.docs import markup
from wafops.collectors.repo.docs.markup import (
    BLAMELESS_RX,
    DATE_IN_NAME,
    DOC_EXT,
    EXCLUDE_RX,
    INDEX_NAMES,
    ISSUE_LINK_RX,
    OWNER_RX,
)
from wafops.collectors.repo.docs.state import DocsScan
from wafops.scanner.core.model import Evidence
from wafops.scanner.core.vocabulary import front_matter, redact

# guidance on how to write an incident report, or a blank one: imperative title or placeholder fields
PM_GUIDE_TITLE_RX = re.compile(r"(?i)^(how to |writing |write |guide|guidance|template)|\btemplate\b")
PM_PLACEHOLDER_RX = re.compile(r"YYYY-MM-DD|\[(date|name of incident|incident title|summary)\]|<(date|incident[^>]*)>|"
                               r"\{\{\s*(date|title)\s*\}\}", re.I)
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
PM_SECTION_RX: dict[str, re.Pattern[str]] = {
    "impact": re.compile(r"(?i)impact|auswirkung|betroffen|customer effect|user effect"),
    "timeline": re.compile(r"(?i)timeline|time line|chronolog|zeitlinie|zeitstrahl|ablauf|sequence of events|key events"),
    "root_cause": re.compile(r"(?i)root[- ]?cause|\bcauses?\b|contributing factors|\bwhy\b|five whys|5 whys|ursache"),
    "action_items": re.compile(r"(?i)action[- ]?items?|follow[- ]?ups?|corrective|preventive|next steps|to-?dos?|"
                               r"maßnahmen|massnahmen|aufgaben|remediation|improvements|planned actions|"
                               r"what we('| a)re (doing|changing)|review actions"),
    "lessons": re.compile(r"(?i)lessons?|learn|what went (well|wrong)|went well|erkenntnis|gelernt"),
}


def postmortems(scan: DocsScan) -> Iterator[Evidence]:
    """Detector: postmortems (doc.postmortem), one per incident section of an incident log."""
    ctx = scan.ctx
    tree = ctx.tree
    for path in tree.with_suffix(*DOC_EXT, ".txt"):
        low = path.lower()
        if EXCLUDE_RX.search(path):
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
        stem = markup.stem(path)
        entries = [] if "template" in low else incident_entries(text, named or in_dir)
        if len(entries) >= 2:
            # an incident log: one page, one dated section per incident (MoJ Cloud Platform's incident-log)
            yield from _log_entries(ctx, path, text, entries)
            continue
        headings = markup.headings(text, path) + markup.labels(text)
        sections = [s for s, rx in PM_SECTION_RX.items() if any(rx.search(h) for h in headings)]
        template = "template" in low or fm.get("template") is True
        if not template and named and not in_dir and (
                PM_GUIDE_TITLE_RX.search(markup.title(text, fm, path)) or len(PM_PLACEHOLDER_RX.findall(text)) >= 1):
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
        pm_date, date_from = _incident_date(scan, path, fm)
        action_text = markup.section_text(text, PM_SECTION_RX["action_items"]) or markup.label_text(text, PM_SECTION_RX["action_items"]) or ""
        links = len(ISSUE_LINK_RX.findall(action_text)) if action_text else 0
        attrs = {
            "title": redact(markup.title(text, fm, path), 120),
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


def _incident_date(scan: DocsScan, path: str, fm: dict[str, Any]) -> tuple[str | None, str]:
    """(day of the incident, where it was read): front matter, else the file name, else git's first addition."""
    pm_date, date_from = markup.fm_date(fm, "date", "incident_date", "occurred", "created", "started"), "front-matter"
    if not pm_date:
        pm_date, date_from = markup.name_date(path), "filename"
    if not pm_date and scan.git is not None:
        added = scan.git.added(path) or scan.git.file(path) and scan.git.file(path).first_seen
        pm_date, date_from = (added.date().isoformat() if added else None), "git"
    if not pm_date:
        date_from = "none"
    return pm_date, date_from


def _log_entries(ctx: CollectContext, path: str, text: str,
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
        labels = markup.headings(chunk, path) + markup.labels(chunk)
        sections = [s for s, rx in PM_SECTION_RX.items() if any(rx.search(h) for h in labels)]
        action_text = markup.section_text(chunk, PM_SECTION_RX["action_items"]) or markup.label_text(chunk, PM_SECTION_RX["action_items"]) or ""
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


def incident_entries(text: str, log_named: bool) -> list[tuple[int, int, str, str]]:
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
