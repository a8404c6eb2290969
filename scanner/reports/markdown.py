"""Markdown summary (for a CI job summary or a PR comment), rendered from the JSON result.

GitHub refuses job summaries over 1 MiB, so for a large organisation the summary shows the weakest and
the strongest subjects and says where the rest is (the JSON artifact), instead of failing the upload.
"""

from __future__ import annotations

from typing import Any

from wafops.scanner.assess.decisions import describe
from wafops.scanner.reports import short_name

MAX_BYTES = 1_000_000  # under GitHub's 1 MiB job-summary limit
SHOWN_EACH_END = 25  # a large organisation: this many weakest and strongest subjects are shown


def _shown(subjects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """All subjects, or for a large organisation the weakest and the strongest (by the sum of levels)."""
    if len(subjects) <= 2 * SHOWN_EACH_END:
        return subjects
    ranked = sorted(subjects, key=lambda s: (sum(c["level"] or 0 for c in s["controls"]), s["id"]))
    return ranked[:SHOWN_EACH_END] + ranked[-SHOWN_EACH_END:]


def render(doc: dict[str, Any]) -> str:
    text = _render(doc, _shown(doc["subjects"]), details=True)
    if len(text.encode()) > MAX_BYTES:
        text = _render(doc, _shown(doc["subjects"]), details=False)
    return text


def _render(doc: dict[str, Any], subjects: list[dict[str, Any]], details: bool) -> str:
    lines = ["# WAF-OPS maturity", ""]
    if not doc["subjects"]:
        return "\n".join(lines + ["No subjects were scanned."])
    if len(subjects) < len(doc["subjects"]):
        lines += [f"{len(doc['subjects'])} subjects: the {SHOWN_EACH_END} weakest and the {SHOWN_EACH_END} strongest "
                  "are shown; the JSON result (the job's artifact) holds every subject.", ""]
    ids = [c["id"] for c in doc["subjects"][0]["controls"]]
    lines.append("| subject | " + " | ".join(f"{i.replace('WAF-OPS-', '')} {short_name(i)}" for i in ids) + " |")
    lines.append("|---|" + "---|" * len(ids))
    for s in subjects:
        cells = []
        for c in s["controls"]:
            if c["level"] is None:
                cells.append("n/a")
                continue
            cell = str(c["level"])
            if (c.get("confirmed_level") or c["level"]) < c["level"]:
                cell += "*"
            if c["status"] == "partially_assessed":
                cell += f" (≤{c['ceiling']})"
            cells.append(cell)
        lines.append(f"| {s['id']} | " + " | ".join(cells) + " |")
    lines += ["", "n/a: not assessed (a source that decides level 2 was not scanned); N*: estimated, not every "
              "criterion confirmed; N (≤M): partially assessed.", ""]
    if not details:
        return "\n".join(lines + ["Details per subject are left out to keep this summary under 1 MiB; "
                                  "`wafops report RESULT.json --format markdown` on the artifact shows them."])
    for s in subjects:
        lines.append(f"## {s['id']}")
        if s.get("reused"):
            lines.append(f"- evidence of {', '.join(s['reused'])} reused from an earlier scan of the same, unchanged "
                         "files (each item keeps the time it was collected at)")
        for c in s["controls"]:
            lvl = "not assessed" if c["level"] is None else f"level {c['level']}"
            if c["level"] is not None and c.get("confirmed_level") is not None:
                lvl += f", confirmed {c['confirmed_level']}"
            lines.append(f"- **{c['id']} {c['title']}**: {lvl} ({c['status'].replace('_', ' ')})")
            if c.get("decision"):
                lines.append(f"  - {describe(c['decision'])}")
            lines += [f"  - {cr['id']}: {describe(cr['decision'])}" for cr in c["criteria"] if cr.get("decision")]
            for u in c.get("unverified", [])[:3]:
                lines.append(f"  - unverified: L{u['level']} {u['criterion']}, settle with {', '.join(u['settle_with'])}")
            for gap in c["next_level"][:3]:
                lines.append(f"  - next: {gap}")
        lines.append("")
    return "\n".join(lines)
