"""A self-contained HTML report (inline CSS and JS, no network): rendered from the JSON result.

For the platform lead and the auditor: the subjects x controls matrix coloured by level (estimated
levels that are not yet confirmed are hatched), filter and sort, and for each cell the criteria with
their reasons, the evidence behind them as links a reviewer can open, what the next level needs, and
what could not be verified. Rendered with Jinja2 (autoescaping on), never by string concatenation.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from wafops.scanner.assess.decisions import describe
from wafops.scanner.core.redaction import mask

LEVEL_COLOURS = {1: "#d73027", 2: "#fc8d59", 3: "#fee08b", 4: "#91cf60", 5: "#1a9850"}


def _env() -> Environment:
    env = Environment(loader=PackageLoader("wafops.scanner.reports", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["mask"] = lambda v: mask(str(v)) if v is not None else ""
    env.filters["describe"] = lambda d: mask(describe(d))
    return env


def _link(locator: str) -> str | None:
    """A locator a browser can open: URLs are links; file:line and resource ids are shown as text."""
    return locator if locator.startswith(("https://", "http://")) else None


def _distribution(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Per control, how many subjects sit at each level (and how many are not assessed), for the chart."""
    out = []
    for cid, entry in (doc.get("summary") or {}).items():
        levels = Counter({int(k): v for k, v in entry.get("levels", {}).items()})
        total = sum(levels.values()) + entry.get("not_assessed", 0)
        out.append({"id": cid, "levels": [levels.get(n, 0) for n in range(1, 6)], "na": entry.get("not_assessed", 0),
                    "total": max(total, 1)})
    return out


def render(doc: dict[str, Any]) -> str:
    evidence = {e["id"]: dict(e, href=_link(e.get("locator", ""))) for e in doc.get("evidence", [])}
    controls = [(c["id"], c["title"]) for c in doc["subjects"][0]["controls"]] if doc.get("subjects") else []
    unread = [s for s in doc.get("sources", []) if s.get("status") not in ("ok", "not_applicable", "not_configured")]
    template = _env().get_template("report.html.j2")
    return template.render(doc=doc, evidence=evidence, controls=controls, colours=LEVEL_COLOURS,
                           distribution=_distribution(doc), unread=unread)
