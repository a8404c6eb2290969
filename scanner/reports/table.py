"""Terminal output with rich: a subjects x controls matrix, and with --details every criterion."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as e_
from rich.table import Table
from rich.text import Text
from wafops.scanner.assess.decisions import describe
from wafops.scanner.reports import short_name

STATUS_STYLE = {"met": "green", "not_met": "red", "not_assessed": "yellow"}


def _cell(control: dict[str, Any]) -> Text:
    if control["level"] is None:
        return Text("n/a", style="yellow")
    text = str(control["level"])
    confirmed = control.get("confirmed_level", control["level"])
    if confirmed is not None and confirmed < control["level"]:
        text += "*"  # the estimate: not every criterion of its levels is confirmed
    if control["status"] == "partially_assessed":
        text += f"~{control['ceiling']}"
    if (control.get("decision") or {}).get("state") == "waived":
        text += "w"
    style = {1: "red", 2: "dark_orange", 3: "yellow3", 4: "green", 5: "bold green"}[control["level"]]
    return Text(text, style=style)


def render(doc: dict[str, Any], console: Console, details: bool = False) -> None:
    controls = [c["id"] for c in doc["subjects"][0]["controls"]] if doc["subjects"] else []
    table = Table(title="WAF-OPS maturity levels (columns: WAF-OPS-010 ... 100)",
                  caption="N = level; N* = estimated, not every criterion confirmed (see --details); "
                          "N~M = not every source scanned, at most M; Nw = waived; n/a = not assessed",
                  padding=(0, 1), collapse_padding=True)
    table.add_column("subject", no_wrap=True, overflow="fold")
    for cid in controls:
        table.add_column(cid.replace("WAF-OPS-", ""), justify="center", no_wrap=True, min_width=3, max_width=5)
    for s in doc["subjects"]:
        table.add_row(Text(s["id"]), *[_cell(c) for c in s["controls"]])
    console.print(table)
    console.print("  " + " · ".join(f"{cid.replace('WAF-OPS-', '')} {short_name(cid)}" for cid in controls),
                  style="dim", highlight=False)
    if len(doc["subjects"]) > 1 and doc.get("summary"):
        render_summary(doc, console)

    not_ok = [src for src in doc["sources"] if src["status"] not in ("ok", "not_applicable", "not_configured")]
    if not_ok:
        console.print("[bold]Sources not (fully) read[/bold]")
        for src in not_ok:
            console.print(e_(f"  {src['source']}: {src['status']} - {src.get('reason', '')}"), highlight=False)
    absent = sorted({src["source"] for src in doc["sources"] if src["status"] == "not_configured"})
    if absent:
        console.print(e_("Not part of this scan: " + ", ".join(absent) + " (scanning them settles the unverified "
                         "criteria that --details lists)"), style="dim", highlight=False)
    if doc.get("warnings"):
        console.print(f"[bold]{len(doc['warnings'])} warning(s)[/bold]")
        for w in doc["warnings"][:20]:
            where = f" {w['path']}:" if w.get("path") else ""
            console.print("  [yellow]![/yellow] " + e_(f"{w['subject']}{where} {w['message']}"), highlight=False)
        if len(doc["warnings"]) > 20:
            console.print(f"  ... {len(doc['warnings']) - 20} more (see --format json)")
    for err in doc.get("plugin_errors", []):
        console.print("  [red]plugin error:[/red] " + e_(err))
    if details:
        render_details(doc, console)


def render_details(doc: dict[str, Any], console: Console) -> None:
    evidence = {e["id"]: e for e in doc["evidence"]}
    for s in doc["subjects"]:
        console.rule(f"[bold]{e_(s['id'])}[/bold]")
        for c in s["controls"]:
            lvl = "not assessed" if c["level"] is None else f"level {c['level']} ({c['level_name']})"
            if c["level"] is not None and c.get("confirmed_level") is not None:
                lvl += f", confirmed {c['confirmed_level']}, confidence {c.get('confidence', '')}"
            extra = f", ceiling {c['ceiling']}" if c["status"] == "partially_assessed" else ""
            console.print(f"[bold]{e_(c['id'])} {e_(c['title'])}[/bold]: " + e_(f"{lvl}{extra} [{c['status']}]"), highlight=False)
            if c.get("decision"):
                console.print("  [magenta]" + e_(describe(c["decision"])) + "[/magenta]", highlight=False)
            for cr in c["criteria"]:
                style = STATUS_STYLE[cr["status"]]
                console.print(
                    f"  L{cr['level']} [{style}]{cr['status']:<12}[/{style}] " + e_(cr["text"]), highlight=False
                )
                console.print("      " + e_(cr["reason"]), style="dim", highlight=False)
                if cr.get("decision"):
                    console.print("      [magenta]" + e_(describe(cr["decision"])) + "[/magenta]", highlight=False)
                for eid in cr["evidence"][:5]:
                    e = evidence.get(eid)
                    if e:
                        console.print(e_(f"      -> {e['locator']}  {e.get('summary', '')}"), highlight=False)
                if len(cr["evidence"]) > 5:
                    console.print(f"      -> ... {len(cr['evidence']) - 5} more", highlight=False)
            if c.get("unverified"):
                console.print("  [bold]unverified (never lowers the level):[/bold]")
                for u in c["unverified"]:
                    console.print("   - " + e_(f"L{u['level']} {u['criterion']} ({u['role']}): settle with "
                                                f"{', '.join(u['settle_with'])}"), highlight=False)
            if c["next_level"]:
                console.print("  [bold]next level needs:[/bold]")
                for gap in c["next_level"]:
                    console.print("   - " + e_(gap), highlight=False)


def render_summary(doc: dict[str, Any], console: Console) -> None:
    """Per control across subjects (an org view): how levels spread, who is weakest, the commonest gap."""
    t = Table(title="Summary per control")
    t.add_column("control", no_wrap=True, min_width=3)
    for lvl in ("1", "2", "3", "4", "5", "n/a"):
        t.add_column(lvl, justify="right", no_wrap=True, min_width=len(lvl) + 1)
    t.add_column("weakest; most common gap to the next level", overflow="fold")
    for cid, entry in doc["summary"].items():
        levels = entry["levels"]
        gap = entry.get("most_common_gap") or ""
        gap = gap if len(gap) <= 90 else gap[:89] + "…"
        t.add_row(
            f"{cid.replace('WAF-OPS-', '')} {short_name(cid)}",
            *(str(levels.get(str(n), 0)) for n in range(1, 6)),
            str(entry["not_assessed"]),
            Text(", ".join(entry.get("weakest", [])[:3]) + ("\n" + gap if gap else "")),
        )
    console.print(t)
