"""What every document family shares: which files are documents at all, and how their text reads (headings,
field labels, sections, code blocks, titles, dates in front matter and file names)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from wafops.scanner.core.vocabulary import FRONT_MATTER

# `.mdx` (Docusaurus/Nextra docs sites) and `.md.erb` (the GOV.UK tech-docs template alphagov, MoJ, HMRC and DfE
# run their runbook sites on: `source/<page>.html.md.erb`) are Markdown too
DOC_EXT = (".md", ".markdown", ".adoc", ".asciidoc", ".rst", ".mdx", ".md.erb")
_DOC_SUFFIX_RX = re.compile(r"(?i)(\.(erb|md|mdx|markdown|html|adoc|asciidoc|rst|txt))+$")
EXCLUDE_RX = re.compile(
    r"(?i)(^|/)(tests?|testdata|test-data|fixtures?|__tests__|spec|examples?|samples?|node_modules|vendor|third_party|"
    r"\.changeset|changelogs?)(/|$)"
)
INDEX_NAMES = {"readme", "index", "_index", "summary", "toc", "contents", "overview", "_sidebar", "sidebar"}
# `- **Impact**: ...`, `**Key events**`: field labels that incident logs use in place of headings
LABEL_RX = re.compile(r"^(\s*)(?:[-*+]\s+)?(?:\*\*|__)([^*_\n]{2,40}?):?(?:\*\*|__):?(?=\s|$)")
BLAMELESS_RX = re.compile(r"(?i)blameless|blame-?free|no[- ]blame|schuldfrei|ohne schuldzuweisung")
ISSUE_LINK_RX = re.compile(r"(?<![\w/])#\d+\b|https?://\S+/(-/)?(issues|pull|merge_requests|browse)/[\w-]+|\b[A-Z][A-Z0-9]{1,9}-\d+\b")
OWNER_RX = re.compile(r"(?i)@[\w-]+|\bowner\b|\bassignee\b|verantwortlich|zuständig")
DATE_IN_NAME = re.compile(r"(20\d\d)[-_]?([01]\d)[-_]?([0-3]\d)")
MONTH_IN_NAME = re.compile(r"(20\d\d)[-_]([01]\d)(?!\d)")


def stem(path: str) -> str:
    """File name without its document suffixes (`incident-log.html.md.erb` -> `incident-log`), lower case."""
    name = path.rsplit("/", 1)[-1]
    return (_DOC_SUFFIX_RX.sub("", name) or name).lower()


def headings(text: str, path: str) -> list[str]:
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


def labels(text: str) -> list[str]:
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


def label_text(text: str, rx: re.Pattern[str]) -> str | None:
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


def section_text(text: str, rx: re.Pattern[str]) -> str | None:
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


def code_blocks(text: str) -> int:
    fences = len(re.findall(r"(?m)^\s*(```|~~~)", text)) // 2
    rst = len(re.findall(r"(?m)^\s*\.\. code(-block)?::", text))
    adoc = len(re.findall(r"(?m)^\[source", text))
    return fences + rst + adoc


def mostly_links(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return True
    links = sum(1 for ln in lines if re.match(r"^\s*([-*+]|\d+\.)\s+.*\]\(|^\s*\|.*\]\(", ln))
    return links / len(lines) >= 0.5


def title(text: str, fm: dict[str, Any], path: str) -> str:
    if fm.get("title"):
        return str(fm["title"])
    m = re.search(r"(?m)^\s*(#|=)\s+(.+)$", text)
    return m.group(2).strip() if m else path.rsplit("/", 1)[-1]


def to_date(v: Any) -> str | None:
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


def fm_date(fm: dict[str, Any], *keys: str) -> str | None:
    for k in keys:
        d = to_date(fm.get(k))
        if d:
            return d
    return None


def name_date(path: str) -> str | None:
    m = DATE_IN_NAME.search(path.rsplit("/", 1)[-1]) or DATE_IN_NAME.search(path)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None
