"""Debt registers (doc.debt_register): parsed as YAML, JSON, CSV or a Markdown table into entries with normalised
fields, checked for completeness, and read back at quarter ends from git for toil trends and paydown."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta
from typing import Any

import yaml
from wafops.collectors.base import CollectContext
from wafops.collectors.repo.docs import markup
from wafops.collectors.repo.docs.state import DocsScan
from wafops.scanner.core.gitinfo import GitInfo
from wafops.scanner.core.model import Evidence

REGISTER_RX = re.compile(
    r"(?i)(^|/)(ops-debt-register|operational-debt[^/]*|ops-debt[^/]*|[^/]*debt[-_]register[^/]*|toil[-_]register[^/]*|"
    r"toil\.md|tech-?debt[^/]*\.(ya?ml|csv|json)|technical-debt[^/]*\.(ya?ml|csv|json))$"
)
REGISTER_EXT = (".yml", ".yaml", ".csv", ".md", ".json")
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


def register(scan: DocsScan, path: str) -> Evidence | None:
    """A debt register (doc.debt_register): entries, completeness, review date, history from git."""
    ctx = scan.ctx
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
    history, quarters = _register_history(scan.git, path, fmt, ctx.now)
    attrs.update({
        "format": fmt,
        "parsed": ok,
        "last_review": review,
        "last_changed": scan.changed(path),
        "dates_from": "git" if scan.git is not None else "none",
        "history": history,
        "quarters": quarters,
    })
    return ctx.file_evidence(
        "doc.debt_register", path, line=1, attributes=attrs,
        summary=f"debt register: {attrs['entries']} entr(y/ies), {attrs['complete']} complete, {attrs['open']} open",
    )


def _register_history(git: GitInfo | None, path: str, fmt: str, now: datetime) -> tuple[list[dict], list[dict]]:
    """Register snapshots at quarter ends (git), for toil trends and paydown-versus-creation."""
    if git is None or fmt not in ("yaml", "csv", "json", "md"):
        return [], []
    fh = git.file(path)
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
        content = git.show(sha, path)
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


def register_ids(ctx: CollectContext) -> set[str]:
    """Ids of the debt register entries (long enough to be told apart from ordinary words)."""
    ids: set[str] = set()
    for path in ctx.tree.files:
        if path.lower().endswith((".yml", ".yaml")) and REGISTER_RX.search(path):  # the cheap test first
            data = ctx.tree.yaml(path)
            entries = data.get("entries") if isinstance(data, dict) else data
            for e in entries if isinstance(entries, list) else []:
                if isinstance(e, dict) and e.get("id") and len(str(e["id"])) >= 4:
                    ids.add(str(e["id"]))
    return ids


def _yaml_load(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _json_load(text: str) -> Any:
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
                review = review or markup.to_date(data.get(k))
            meta = data.get("metadata") or data.get("meta")
            if isinstance(meta, dict):
                for k in ("last_review", "last_reviewed", "reviewed", "review_date", "last_review_date"):
                    review = review or markup.to_date(meta.get(k))
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
            return markup.to_date(m.group(3))
    return None
