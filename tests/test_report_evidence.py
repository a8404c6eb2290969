"""The JSON result lists the evidence criteria cite; the rest is counted by kind unless --all-evidence."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from wafops.scanner.cli import main
from wafops.scanner.reports.json_report import validate

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "repos" / "platform-core"


def _scan(tmp_path: Path, *extra: str) -> dict:
    out = tmp_path / f"r{len(extra)}.json"
    r = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--format", "json", "-o", str(out), *extra])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    validate(doc)
    return doc


def test_uncited_evidence_is_counted_by_kind_and_cited_evidence_is_all_there(tmp_path):
    full, lean = _scan(tmp_path, "--all-evidence"), _scan(tmp_path)
    cited = {eid for s in lean["subjects"] for c in s["controls"] for cr in c["criteria"] for eid in cr["evidence"]}
    assert cited and {e["id"] for e in lean["evidence"]} == cited  # every cited item opens, nothing else listed
    uncited = [e for e in full["evidence"] if e["id"] not in cited]
    assert uncited, "the example should hold evidence no criterion cites"
    counts: dict[str, int] = {}
    for e in uncited:
        counts[e["kind"]] = counts.get(e["kind"], 0) + 1
    assert lean["evidence_summary"] == {"listed": len(cited), "all_evidence": False, "uncited_by_kind": counts}
    assert full["evidence_summary"] == {"listed": len(full["evidence"]), "all_evidence": True, "uncited_by_kind": {}}
    assert lean["subjects"] == full["subjects"]  # levels and criteria do not depend on what is listed
