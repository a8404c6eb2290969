"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers, rendered from the JSON result.

One result per gap: a criterion of the next level that is not met (`warning`) or could not be
assessed (`note`). The location is the first file the criterion's evidence points at (or the
README when it cites none), so the alert opens next to what needs to change.
"""

from __future__ import annotations

import re
from typing import Any

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_FILE_LOCATOR = re.compile(r"^(?P<path>[^:@\s]+?)(?::(?P<line>\d+))?(?:@(?P<commit>[0-9a-f]{7,40}|WORKTREE))?$")


def _location(locator: str | None) -> dict[str, Any]:
    m = _FILE_LOCATOR.match(locator or "")
    if locator and m and "://" not in locator and not locator.startswith("arn:"):
        loc: dict[str, Any] = {"artifactLocation": {"uri": m.group("path")}}
        if m.group("line"):
            loc["region"] = {"startLine": int(m.group("line"))}
        return {"physicalLocation": loc}
    return {"physicalLocation": {"artifactLocation": {"uri": "README.md"}}}


def render(doc: dict[str, Any]) -> dict[str, Any]:
    evidence = {e["id"]: e for e in doc.get("evidence", [])}
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for subject in doc["subjects"]:
        for control in subject["controls"]:
            nxt = (control["level"] or 1) + 1
            for crit in control["criteria"]:
                if crit["level"] != nxt or crit["status"] == "met":
                    continue
                rules.setdefault(crit["id"], {
                    "id": crit["id"],
                    "name": crit["id"].replace("-", "_"),
                    "shortDescription": {"text": crit["text"][:1000]},
                    "fullDescription": {"text": f"{control['id']} {control['title']}, level {crit['level']}: {crit['text']}"},
                    "help": {"text": f"Needed for level {crit['level']} of {control['id']} ({control['title']}). "
                                     "Run `wafops controls " + control["id"] + "` for every criterion."},
                    "properties": {"control": control["id"], "level": crit["level"], "tags": ["waf-ops", control["id"]]},
                })
                cited = [evidence[i]["locator"] for i in crit["evidence"] if i in evidence]
                current = "not assessed" if control["level"] is None else f"level {control['level']}"
                results.append({
                    "ruleId": crit["id"],
                    "level": "warning" if crit["status"] == "not_met" else "note",
                    "message": {"text": f"{subject['id']}: {control['id']} is {current}; for level {crit['level']}: "
                                        f"{crit['text']} ({crit['status'].replace('_', ' ')}: {crit['reason']})"},
                    "locations": [_location(cited[0] if cited else None)],
                    "partialFingerprints": {"wafops/v1": f"{subject['id']}|{crit['id']}"},
                    "properties": {"subject": subject["id"], "control": control["id"], "status": crit["status"]},
                })
    return {
        "version": "2.1.0",
        "$schema": SARIF_SCHEMA,
        "runs": [{
            "tool": {"driver": {"name": "wafops", "version": doc["tool"]["version"],
                                "informationUri": "https://github.com/", "rules": list(rules.values())}},
            "results": results,
            "automationDetails": {"id": f"wafops/{doc['started_at']}"},
        }],
    }
