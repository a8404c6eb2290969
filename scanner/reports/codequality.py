"""GitLab Code Quality report (`--format gitlab-codequality`), for the merge-request widget.

GitLab's format is a JSON array of issues, each with `description`, `check_name`, `fingerprint`,
`severity` (info, minor, major, critical, blocker) and `location.path` + `location.lines.begin`.
One issue per gap to the next level, located like the SARIF results (the file where a reviewer would
act, relative to the repository root); fingerprints depend on subject and criterion only, so they
stay the same across runs and GitLab can tell new findings from old ones.
"""

from __future__ import annotations

import hashlib
from typing import Any

from wafops.scanner.assess.decisions import describe
from wafops.scanner.reports.sarif import subject_files, where

SEVERITY = {"not_met": "minor", "not_assessed": "info"}


def render(doc: dict[str, Any]) -> list[dict[str, Any]]:
    evidence = {e["id"]: e for e in doc.get("evidence", [])}
    issues: list[dict[str, Any]] = []
    for subject in doc["subjects"]:
        files = subject_files(subject, evidence)
        prefix = subject.get("path_in_repo", "") or ""
        for control in subject["controls"]:
            nxt = (control["level"] or 1) + 1
            current = "not assessed" if control["level"] is None else f"level {control['level']}"
            for crit in control["criteria"]:
                if crit["level"] != nxt or crit["status"] == "met":
                    continue
                path, line = where(crit, control, files, evidence)
                decision = crit.get("decision") or control.get("decision") or {}
                accepted = decision.get("state") in ("waived", "attested")
                issues.append({
                    "type": "issue",
                    "check_name": crit["id"],
                    "description": f"{control['id']} is {current}; for level {crit['level']}: {crit['text']} "
                                   f"({crit['status'].replace('_', ' ')})"
                                   + (f" [{describe(decision)}]" if decision else ""),
                    "categories": ["Operational Excellence"],
                    "severity": "info" if accepted else SEVERITY.get(crit["status"], "info"),
                    "fingerprint": hashlib.sha256(f"wafops|{subject['id']}|{crit['id']}".encode()).hexdigest(),
                    "location": {"path": prefix + path.removeprefix("./"), "lines": {"begin": line or 1}},
                })
    return issues
