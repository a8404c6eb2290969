"""The JSON result: the contract every other format is rendered from (see scanner/schema)."""

from __future__ import annotations

import json
from collections import Counter
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from wafops.scanner import __version__

if TYPE_CHECKING:  # the reports read results, they never run a scan
    from wafops.scanner.core.model import Evidence
    from wafops.scanner.engine import ScanResult
from wafops.scanner.core.redaction import redact

SCHEMA_VERSION = "2"


def to_dict(result: ScanResult, all_evidence: bool = True) -> dict[str, Any]:
    """The result as the JSON contract. With `all_evidence` false, evidence no criterion cites is counted by
    kind in `evidence_summary` instead of listed: an auditor opens what backs a level; the rest of a large
    scan (thousands of items) would only make the report slow to write and to read."""
    subjects = []
    evidence: dict[str, Evidence] = {}
    warnings = [w.to_json() for w in result.warnings]
    for sr in result.subjects:
        subjects.append(
            {
                "id": sr.subject.id,
                "kind": sr.subject.kind,
                "commit": sr.subject.commit,
                "path_in_repo": sr.subject.meta.get("path_in_repo", ""),
                **({"members": list(sr.subject.meta.get("members") or [])} if sr.subject.kind == "workload" else {}),
                "sources": [st.to_json() for st in sr.sources.values()],
                **({"reused": list(sr.reused)} if sr.reused else {}),
                "controls": [c.to_json() for c in sr.controls],
            }
        )
        for e in sr.evidence:
            evidence.setdefault(e.id, e)
        warnings.extend(w.to_json() for w in sr.warnings)
    listed, uncited = _cited_only(subjects, evidence) if not all_evidence else (list(evidence.values()), Counter())
    listed_json = [e.to_json() for e in listed]  # serialised once, and only what the report lists
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "wafops", "version": __version__},
        "started_at": result.started_at.isoformat(),
        "finished_at": result.finished_at.isoformat(),
        "complete": result.complete,
        "sources": [st.to_json() for st in result.sources],
        "subjects": subjects,
        "evidence": listed_json,
        "evidence_summary": {"listed": len(listed), "all_evidence": all_evidence,
                             "uncited_by_kind": dict(sorted(uncited.items()))},
        "warnings": warnings,
        "plugin_errors": list(result.plugin_errors),
        "summary": summary(subjects),
    }
    return redact(doc)  # one pass over every field that leaves the process (scanner/core/redaction.py)


def _cited_only(subjects: list[dict[str, Any]], evidence: dict[str, Evidence]) -> tuple[list[Evidence], Counter[str]]:
    """The evidence some criterion cites (in scan order), and how many of each kind nothing cites."""
    cited = {eid for s in subjects for c in s["controls"] for cr in c["criteria"] for eid in cr["evidence"]}
    listed = [e for eid, e in evidence.items() if eid in cited]
    uncited = Counter(e.kind for eid, e in evidence.items() if eid not in cited)
    return listed, uncited


def summary(subjects: list[dict[str, Any]]) -> dict[str, Any]:
    """Per control: the distribution of levels, the weakest subjects, the most common gap."""
    per: dict[str, dict[str, Any]] = {}
    for s in subjects:
        for c in s["controls"]:
            entry = per.setdefault(c["id"], {"levels": Counter(), "not_assessed": 0, "subjects": [], "gaps": Counter()})
            if c["level"] is None:
                entry["not_assessed"] += 1
            else:
                entry["levels"][str(c["level"])] += 1
                entry["subjects"].append((c["level"], s["id"]))
            for cr in c["criteria"]:
                if cr["level"] == (c["level"] or 1) + 1 and cr["status"] != "met":
                    entry["gaps"][cr["text"]] += 1
    out = {}
    for cid, e in sorted(per.items()):
        low = min((lvl for lvl, _sid in e["subjects"]), default=None)
        weakest = sorted(x for x in e["subjects"] if x[0] == low)[:5]  # the subjects at the lowest level
        gap = e["gaps"].most_common(1)
        out[cid] = {
            "levels": {str(k): e["levels"].get(str(k), 0) for k in range(1, 6)},
            "not_assessed": e["not_assessed"],
            "weakest": [sid for _lvl, sid in weakest],
            "most_common_gap": gap[0][0] if gap else None,
        }
    return out


def dumps(result: ScanResult) -> str:
    return json.dumps(to_dict(result), indent=2, sort_keys=False)


def schema() -> dict[str, Any]:
    return json.loads(files("wafops.scanner").joinpath("schema/result.schema.json").read_text())


def validate(doc: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when `doc` does not follow the shipped schema."""
    import jsonschema

    jsonschema.validate(doc, schema())


def upgrade(doc: dict[str, Any]) -> dict[str, Any]:
    """A result of schema_version 1 (levels from the strict all-criteria model) read as version 2.

    Why: baselines kept by scheduled scans outlive an upgrade; a gate must keep comparing, not stop with a
    usage error. Version 1 levels were the strict floor, so they become `confirmed_level` as well as
    `level`: comparing with `--strict` is exact, and the new estimates are never below them.
    """
    if not isinstance(doc, dict) or doc.get("schema_version") != "1":
        return doc
    for subject in doc.get("subjects") or []:
        for c in subject.get("controls") or []:
            c.setdefault("confirmed_level", c.get("level"))
            c.setdefault("confidence", "none" if c.get("level") is None else "high")
            c.setdefault("unverified", [])
    doc["schema_version"] = SCHEMA_VERSION
    return doc
