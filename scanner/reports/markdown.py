"""Markdown summary (for a CI job summary or a PR comment), rendered from the JSON result."""

from __future__ import annotations

from typing import Any

from scanner.decisions import describe


def render(doc: dict[str, Any]) -> str:
    lines = ["# WAF-OPS maturity", ""]
    if not doc["subjects"]:
        return "\n".join(lines + ["No subjects were scanned."])
    ids = [c["id"] for c in doc["subjects"][0]["controls"]]
    lines.append("| subject | " + " | ".join(i.replace("WAF-OPS-", "OPS-") for i in ids) + " |")
    lines.append("|---|" + "---|" * len(ids))
    for s in doc["subjects"]:
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
    for s in doc["subjects"]:
        lines.append(f"## {s['id']}")
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
