"""Waivers and attestations from wafops.yml: decisions people record, never silently hidden.

- A **waiver** accepts a gap for a while: a criterion (or a whole control) for the subjects matching a
  glob, with a reason, an owner and an expiry date. While it holds, the waived criterion counts as met
  for the estimated level (never for `confirmed_level`), and a waived control is left out of the gates.
  It stops applying the day after its expiry and then shows as *waiver expired*.
- An **attestation** satisfies a criterion no scanner can observe (a blameless culture, a quarterly
  debt review) with a link as its evidence, an owner and a date. It shows as *attested*, never as
  observed, counts for the estimated level only, and never raises `confirmed_level`.

Why: an auditor must be able to see every accepted risk and every claim made by a person, who made it
and until when; a gate must not fail forever on a gap the organisation decided to accept.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "criterion": {"type": "string", "minLength": 1},
            "control": {"type": "string", "minLength": 1},
            "subjects": {"type": "string", "minLength": 1},
            "reason": {"type": "string", "minLength": 1},
            "owner": {"type": "string", "minLength": 1},
            "expires": {},
            "evidence": {"type": "string", "pattern": "^https?://"},
            "date": {},
        },
        "oneOf": [{"required": ["criterion"]}, {"required": ["control"]}],
    },
}
WAIVER_REQUIRED = ("reason", "owner", "expires")
ATTESTATION_REQUIRED = ("evidence", "owner", "date")


class DecisionError(ValueError):
    """A waiver or attestation that is not well formed (a configuration error, exit code 2)."""


@dataclass(frozen=True)
class Decision:
    kind: str  # "waiver" | "attestation"
    target: str  # a criterion id or a control id (WAF-OPS-NNN)
    scope: str  # "criterion" | "control"
    subjects: str  # glob over subject ids
    owner: str
    reason: str = ""
    expires: date | None = None
    evidence: str = ""
    on: date | None = None  # the attestation's date

    def applies_to(self, subject_id: str) -> bool:
        return fnmatch.fnmatchcase(subject_id, self.subjects) or fnmatch.fnmatchcase(
            subject_id.split(":", 1)[-1], self.subjects)

    def state(self, today: date) -> str:
        """waived | waiver_expired | attested."""
        if self.kind == "attestation":
            return "attested"
        return "waived" if self.expires is None or today <= self.expires else "waiver_expired"

    def to_json(self, today: date) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "state": self.state(today), "owner": self.owner,
                               "subjects": self.subjects}
        if self.reason:
            out["reason"] = self.reason
        if self.expires:
            out["expires"] = self.expires.isoformat()
        if self.evidence:
            out["evidence"] = self.evidence
        if self.on:
            out["date"] = self.on.isoformat()
        return out


def _date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as err:
        raise DecisionError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from err


def _one(kind: str, raw: dict[str, Any], where: str, known: set[str]) -> Decision:
    need = WAIVER_REQUIRED if kind == "waiver" else ATTESTATION_REQUIRED
    missing = [k for k in need if not raw.get(k)]
    if missing:
        raise DecisionError(f"{where}: a {kind} needs {', '.join(missing)}")
    scope = "criterion" if raw.get("criterion") else "control"
    target = str(raw.get("criterion") or raw.get("control"))
    if scope == "control":
        target = target.upper() if target.upper().startswith("WAF-OPS-") else "WAF-OPS-" + target.zfill(3)
    if kind == "attestation" and scope == "control":
        raise DecisionError(f"{where}: an attestation names one criterion it satisfies, not a whole control")
    if known and target not in known:
        import difflib

        close = difflib.get_close_matches(target, sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else " (see `wafops controls`)"
        raise DecisionError(f"{where}: unknown {scope} {target!r}{hint}")
    return Decision(
        kind=kind, target=target, scope=scope, subjects=str(raw.get("subjects") or "*"), owner=str(raw["owner"]),
        reason=str(raw.get("reason") or ""),
        expires=_date(raw["expires"], f"{where}.expires") if raw.get("expires") else None,
        evidence=str(raw.get("evidence") or ""),
        on=_date(raw["date"], f"{where}.date") if raw.get("date") else None,
    )


def load(config: dict[str, Any], known: set[str] | None = None) -> list[Decision]:
    """Waivers and attestations of a wafops.yml, checked: a clear message on every mistake.

    Most scans have none: jsonschema (~60 ms to import) is loaded only when there is a list to check
    (an empty list always passes the schema)."""
    out: list[Decision] = []
    for key, kind in (("waivers", "waiver"), ("attestations", "attestation")):
        items = config.get(key) or []
        if isinstance(items, list) and not items:
            continue
        import jsonschema

        try:
            jsonschema.validate(items, SCHEMA)
        except jsonschema.ValidationError as err:
            where = "/".join(str(p) for p in err.absolute_path)
            raise DecisionError(f"{key}/{where}: {err.message}") from err
        out += [_one(kind, raw, f"{key}[{i}]", known or set()) for i, raw in enumerate(items)]
    return out


def for_subject(decisions: list[Decision], subject_id: str) -> dict[str, Decision]:
    """criterion or control id -> the decision that applies to this subject (the first one listed wins)."""
    out: dict[str, Decision] = {}
    for d in decisions:
        if d.applies_to(subject_id):
            out.setdefault(d.target, d)
    return out


def describe(decision: dict[str, Any] | None) -> str:
    """One line for every report format: what a person decided, who, and until when."""
    if not decision:
        return ""
    state, owner = decision.get("state"), decision.get("owner", "?")
    if state == "waived":
        return f"waived until {decision.get('expires', '?')} by {owner}: {decision.get('reason', '')}"
    if state == "waiver_expired":
        return f"waiver expired on {decision.get('expires', '?')} (was {owner}: {decision.get('reason', '')})"
    if state == "attested":
        return f"attested by {owner} on {decision.get('date', '?')}, not observed: {decision.get('evidence', '')}"
    return ""
