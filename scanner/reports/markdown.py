"""Markdown summary (for a CI job summary or a PR comment), rendered from the JSON result."""

from __future__ import annotations

from typing import Any


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
            elif c["status"] == "partially_assessed":
                cells.append(f"{c['level']} (≤{c['ceiling']})")
            else:
                cells.append(str(c["level"]))
        lines.append(f"| {s['id']} | " + " | ".join(cells) + " |")
    lines += ["", "n/a: not assessed (a source that decides level 2 was not scanned); N (≤M): partially assessed.", ""]
    for s in doc["subjects"]:
        lines.append(f"## {s['id']}")
        for c in s["controls"]:
            lvl = "not assessed" if c["level"] is None else f"level {c['level']}"
            lines.append(f"- **{c['id']} {c['title']}**: {lvl} ({c['status'].replace('_', ' ')})")
            for gap in c["next_level"][:3]:
                lines.append(f"  - next: {gap}")
        lines.append("")
    return "\n".join(lines)
