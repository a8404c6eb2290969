"""The data that flows through wafops: collectors -> evidence -> criteria -> levels -> reports.

Everything here is plain data (dataclasses). Collectors produce `Evidence`, `SourceStatus` and
`ScanWarning`; the level evaluator turns evidence into `CriterionResult` and `ControlResult`.
Nothing in this module does I/O, so every later stage can be tested without a network.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from json.encoder import encode_basestring_ascii as _json_string
from typing import Any

from wafops.scanner.core.redaction import mask


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Strength(StrEnum):
    """How firmly a piece of evidence shows what a criterion asks.

    direct: the thing itself (a branch rule read from the API, an alert rule in a file); strong: a reliable
    sign of it (a Terraform resource that configures it); weak: a hint (a file name, a habit in git history).
    Weak evidence alone never confirms level 3 or above (scanner/assess/levels.py)."""

    DIRECT = "direct"
    STRONG = "strong"
    WEAK = "weak"

    @property
    def rank(self) -> int:
        return {"weak": 0, "strong": 1, "direct": 2}[self.value]


class SourceState(StrEnum):
    OK = "ok"
    PARTIAL = "partial"
    NOT_CONFIGURED = "not_configured"
    DENIED = "denied"
    RATE_LIMITED = "rate_limited"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"

    @property
    def severity(self) -> int:
        """How much of the source is missing: a worse status is never replaced by a better one."""
        return {"ok": 0, "not_applicable": 0, "partial": 1, "not_configured": 2, "rate_limited": 3, "denied": 3,
                "error": 4}[self.value]


# Sources a criterion can depend on. A third-party collector may add its own name.
SOURCES = ("repo", "git", "github", "gitlab", "aws", "azure")


@dataclass(frozen=True)
class Locator:
    """Where a human can open the evidence: a file and line at a commit, an API URL or a resource id."""

    path: str | None = None
    line: int | None = None
    commit: str | None = None
    url: str | None = None
    resource: str | None = None  # ARN or Azure resource id

    def __str__(self) -> str:
        if self.url:
            return self.url
        if self.resource:
            return self.resource
        text = self.path or "."
        if self.line:
            text += f":{self.line}"
        if self.commit:
            text += f"@{self.commit}"
        return text


@dataclass(frozen=True)
class Evidence:
    """One observed fact with its provenance.

    `kind` is a dotted name from the catalogue in `collectors/KINDS.md` (e.g. `ci.job`,
    `iac.backend`). `attributes` hold only parsed, non-secret facts.
    """

    kind: str
    subject: str
    source: str
    locator: Locator
    attributes: dict[str, Any] = field(default_factory=dict)
    strength: Strength = Strength.DIRECT
    collected_at: datetime = field(default_factory=utcnow)
    summary: str = ""

    @property
    def id(self) -> str:
        parts = [self.kind, self.subject, str(self.locator), self.attributes.get("name", "")]
        if all(type(p) is str for p in parts):  # what json.dumps writes for a list of strings, at half the cost
            key = "[" + ", ".join(map(_json_string, parts)) + "]"
        else:
            key = json.dumps(parts, sort_keys=True, default=str)
        return "ev-" + hashlib.sha1(key.encode()).hexdigest()[:12]

    def get(self, name: str, default: Any = None) -> Any:
        return self.attributes.get(name, default)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "subject": self.subject,
            "source": self.source,
            "locator": str(self.locator),
            "strength": self.strength.value,
            "summary": mask(self.summary),
            "collected_at": self.collected_at.isoformat(),
            "attributes": _jsonable(self.attributes),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return mask(value)
    if value is None or isinstance(value, int | float | bool):
        return value
    return mask(str(value))


@dataclass(frozen=True)
class SourceStatus:
    """Whether a source was scanned for a subject, and if not, why."""

    source: str
    status: SourceState
    reason: str = ""

    @property
    def usable(self) -> bool:
        """Absence of evidence from this source may be read as absence in reality."""
        return self.status in (SourceState.OK, SourceState.PARTIAL)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "status": self.status.value, "reason": self.reason}


@dataclass(frozen=True)
class ScanWarning:
    """Something the scan could not read; the scan went on."""

    subject: str
    source: str
    message: str
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"subject": self.subject, "source": self.source, "message": mask(self.message)}
        if self.path:
            out["path"] = self.path
        return out


@dataclass
class Subject:
    """What gets a level: a repository, a cloud account, or a workload pooling several."""

    id: str
    kind: str = "repository"
    workdir: str | None = None  # a directory tree for file collectors (a checkout or an extracted tarball)
    commit: str | None = None
    permalink: str | None = None  # e.g. https://github.com/o/r/blob/{commit}/ ; file locators become URLs
    meta: dict[str, Any] = field(default_factory=dict)


class Outcome(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_ASSESSED = "not_assessed"


class ControlStatus(StrEnum):
    ASSESSED = "assessed"
    PARTIALLY_ASSESSED = "partially_assessed"
    NOT_ASSESSED = "not_assessed"


@dataclass
class CriterionResult:
    id: str
    level: int
    text: str
    status: Outcome
    reason: str
    evidence: list[str] = field(default_factory=list)
    strength: Strength | None = None
    sources: list[str] = field(default_factory=list)
    role: str = "defining"  # "defining" (the WAF++ table cell of its level) or "supporting" (checklist items)
    decision: dict[str, Any] | None = None  # a waiver or attestation from wafops.yml (scanner/assess/decisions.py)

    @property
    def accepted(self) -> bool:
        """Not observed as met, but waived (until expiry) or attested by a person: counts for the estimate only."""
        return self.status is not Outcome.MET and bool(self.decision) and \
            self.decision.get("state") in ("waived", "attested")

    @property
    def weakly_met(self) -> bool:
        """Found, but only through weak evidence at level 3+ ("cannot confirm"): counts as support, never as proof."""
        return self.status is Outcome.NOT_ASSESSED and self.strength is Strength.WEAK and bool(self.evidence)

    def to_json(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "level": self.level,
            "role": self.role,
            "text": self.text,
            "status": self.status.value,
            "reason": mask(self.reason),
            "evidence": list(self.evidence),
            "sources": list(self.sources),
        }
        if self.strength:
            out["strength"] = self.strength.value
        if self.decision:
            out["decision"] = {k: mask(v) if isinstance(v, str) else v for k, v in self.decision.items()}
        return out


@dataclass
class ControlResult:
    id: str
    title: str
    level: int | None
    status: ControlStatus
    ceiling: int | None
    criteria: list[CriterionResult]
    next_level: list[str]
    level_name: str = ""
    missing_sources: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)  # never observable by any scanner (from the catalog)
    confirmed_level: int | None = None  # the strict floor: every criterion of levels 2..N met
    confidence: str = ""  # high | medium | low: how far the estimate rests on confirmed criteria
    pending: list[dict[str, Any]] = field(default_factory=list)  # criteria not assessed, and what would settle them
    decision: dict[str, Any] | None = None  # a waiver of the whole control (its gates then skip it)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "level": self.level,
            "confirmed_level": self.confirmed_level,
            "confidence": self.confidence,
            "level_name": self.level_name,
            "status": self.status.value,
            "ceiling": self.ceiling,
            "criteria": [c.to_json() for c in self.criteria],
            "next_level": list(self.next_level),
            "missing_sources": list(self.missing_sources),
            "unverified": [dict(u, reason=mask(u["reason"])) for u in self.pending],
            "unverified_criteria": list(self.unverified),
            **({"decision": {k: mask(v) if isinstance(v, str) else v for k, v in self.decision.items()}}
               if self.decision else {}),
        }


@dataclass
class SubjectResult:
    subject: Subject
    controls: list[ControlResult]
    sources: dict[str, SourceStatus]
    evidence: list[Evidence]
    warnings: list[ScanWarning]
    reused: list[str] = field(default_factory=list)  # collectors not run: an earlier scan's outcome replayed
