"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers, rendered from the JSON result.

One result per gap: a criterion of the next level that is not met (`warning`) or could not be
assessed (`note`). Each result is located where a reviewer would act, relative to the repository
root (`%SRCROOT%`), so code scanning can place it:
  1. the first file the criterion's own evidence points at;
  2. else a file of the same control's evidence (the workflow that deploys, the Terraform root, the
     alert rules file), preferring the files of the highest met criterion;
  3. else a file of the evidence kinds that belong to the control (`ci.*` for CI/CD, `iac.*` for IaC …);
  4. else any file of the subject's evidence; only a subject with no file at all falls back to the
     repository's top (`README.md`), which is what code scanning shows for repository-level alerts.
Permalinks (GitHub `/blob/<sha>/path#Ln`, GitLab `/-/blob/<sha>/path#Ln`) become paths again.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlparse

from wafops.scanner.assess.decisions import describe

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000  # GitHub code scanning accepts at most this many results per run
_FILE_LOCATOR = re.compile(r"^(?P<path>[^:@\s]+?)(?::(?P<line>\d+))?(?:@(?P<commit>[0-9a-f]{7,40}|WORKTREE))?$")
_PERMALINK = re.compile(r"/(?:-/)?blob/[0-9a-f]{7,40}/(?P<path>[^#?]+)(?:#L(?P<line>\d+))?")
CONTROL_KINDS = {
    "WAF-OPS-010": ("ci.",),
    "WAF-OPS-020": ("iac.",),
    "WAF-OPS-030": ("obs.",),
    "WAF-OPS-040": ("alert.", "obs."),
    "WAF-OPS-050": ("change.", "scm.", "ci."),
    "WAF-OPS-060": ("docs.", "runbook.", "alert."),
    "WAF-OPS-070": ("docs.", "postmortem.", "incident."),
    "WAF-OPS-080": ("deploy.", "ci."),
    "WAF-OPS-090": ("iac.", "drift.", "ci."),
    "WAF-OPS-100": ("docs.", "debt."),
}


def file_of(locator: str | None) -> tuple[str, int | None] | None:
    """(path, line) of a file locator or a file permalink; None for API URLs and resource ids."""
    if not locator or locator.startswith("arn:") or locator.startswith("/subscriptions/"):
        return None
    if "://" in locator:
        url = urlparse(locator)
        m = _PERMALINK.search(url.path + ("#" + url.fragment if url.fragment else ""))
        return (unquote(m.group("path")), int(m.group("line")) if m.group("line") else None) if m else None
    m = _FILE_LOCATOR.match(locator)
    if not m:
        return None
    return m.group("path"), int(m.group("line")) if m.group("line") else None


def subject_files(subject: dict[str, Any], evidence: dict[str, dict[str, Any]]) -> list[tuple[str, tuple]]:
    """(kind, file) of every piece of the subject's evidence that points at a file, in a stable order."""
    out = []
    for e in evidence.values():
        if e.get("subject") == subject["id"]:
            f = file_of(e.get("locator"))
            if f:
                out.append((e["kind"], f))
    return sorted(out, key=lambda kf: (kf[1][0], kf[1][1] or 0, kf[0]))


def where(crit: dict[str, Any], control: dict[str, Any], files: list[tuple[str, tuple]],
           evidence: dict[str, dict[str, Any]]) -> tuple[str, int | None]:
    def first(ids: list[str]) -> tuple | None:
        for i in ids:
            f = file_of(evidence.get(i, {}).get("locator"))
            if f:
                return f
        return None

    found = first(crit.get("evidence", []))
    if found:
        return found
    met = sorted((c for c in control["criteria"] if c["status"] == "met"), key=lambda c: -c["level"])
    for other in met + [c for c in control["criteria"] if c["status"] != "met"]:
        found = first(other.get("evidence", []))
        if found:
            return found
    kinds = CONTROL_KINDS.get(control["id"], ())
    for kind, f in files:
        if kind.startswith(kinds):
            return f
    if files:
        return files[0][1]
    return "README.md", None


def _location(path: str, line: int | None, prefix: str) -> dict[str, Any]:
    loc: dict[str, Any] = {"artifactLocation": {"uri": prefix + path.removeprefix("./"), "uriBaseId": "%SRCROOT%"}}
    if line:
        loc["region"] = {"startLine": line}
    return {"physicalLocation": loc}


def _rule(crit: dict[str, Any], control: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": crit["id"],
        "name": crit["id"].replace("-", "_"),
        "shortDescription": {"text": crit["text"][:1000]},
        "fullDescription": {"text": f"{control['id']} {control['title']}, level {crit['level']}: {crit['text']}"},
        "help": {"text": f"Needed for level {crit['level']} of {control['id']} ({control['title']}). "
                         "Run `wafops controls " + control["id"] + "` for every criterion."},
        "properties": {"control": control["id"], "level": crit["level"], "tags": ["waf-ops", control["id"]]},
    }


def render(doc: dict[str, Any]) -> dict[str, Any]:
    evidence = {e["id"]: e for e in doc.get("evidence", [])}
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for subject in doc["subjects"]:
        files = subject_files(subject, evidence)
        prefix = subject.get("path_in_repo", "") or ""
        for control in subject["controls"]:
            nxt = (control["level"] or 1) + 1
            for crit in control["criteria"]:
                if crit["level"] != nxt or crit["status"] == "met":
                    continue
                rules.setdefault(crit["id"], _rule(crit, control))
                current = "not assessed" if control["level"] is None else f"level {control['level']}"
                path, line = where(crit, control, files, evidence)
                decision = crit.get("decision") or control.get("decision") or {}
                results.append({
                    "ruleId": crit["id"],
                    "level": "warning" if crit["status"] == "not_met" else "note",
                    "message": {"text": f"{subject['id']}: {control['id']} is {current}; for level {crit['level']}: "
                                        f"{crit['text']} ({crit['status'].replace('_', ' ')}: {crit['reason']})"},
                    "locations": [_location(path, line, prefix)],
                    "partialFingerprints": {"wafops/v1": f"{subject['id']}|{crit['id']}"},
                    "properties": {"subject": subject["id"], "control": control["id"], "status": crit["status"]},
                    **({"suppressions": [{"kind": "external", "status": "accepted", "justification": describe(decision)}]}
                       if decision.get("state") in ("waived", "attested") else {}),
                })
                if decision:
                    results[-1]["message"]["text"] += f" [{describe(decision)}]"
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "wafops", "version": doc["tool"]["version"],
                            "informationUri": "https://github.com/", "rules": list(rules.values())}},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The root of the scanned repository."}}},
        "results": results[:MAX_RESULTS],
        "automationDetails": {"id": "wafops/"},
    }
    if len(results) > MAX_RESULTS:
        run["properties"] = {"truncated": f"{len(results) - MAX_RESULTS} result(s) left out: code scanning "
                                          f"accepts {MAX_RESULTS} per run; the JSON result has them all"}
    return {"version": "2.1.0", "$schema": SARIF_SCHEMA, "runs": [run]}
