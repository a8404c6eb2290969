"""What `wafops scan` decides after the scan: where the result goes, and which gate fails.

Exit codes (the contract CI jobs rely on):
  0  done
  1  a gate failed (--fail-under, --fail-on-regression)
  2  usage or configuration error (nothing was scanned)
  3  the scan could not complete: every subject's sources failed, or the result could not be
     written where asked (it was written to a fallback path, named on stderr)
  130 interrupted (the subjects finished so far are written)

The result is always written before any gate is evaluated, so a failing gate never loses it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_GATE = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130

_EXT = {"json": ".json", "sarif": ".sarif", "markdown": ".md", "table": ".txt"}


@dataclass
class Written:
    """Where the report went; `error` when it could not go where it was asked to."""

    path: str | None = None
    error: str | None = None
    fallback: str | None = None
    broken_pipe: bool = False
    notes: list[str] = field(default_factory=list)


def write_file(text: str, output: str, fmt: str) -> Written:
    """Write `text` to `output`; when that fails, to a fallback file in the temporary directory."""
    try:
        Path(output).write_text(text, encoding="utf-8")
        return Written(path=output)
    except OSError as err:
        reason = f"cannot write {output}: {err.strerror or err}"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for folder in (tempfile.gettempdir(), os.getcwd()):
        fallback = os.path.join(folder, f"wafops-result-{stamp}-{os.getpid()}{_EXT.get(fmt, '.txt')}")
        try:
            Path(fallback).write_text(text, encoding="utf-8")
            return Written(error=reason, fallback=fallback)
        except OSError:
            continue
    return Written(error=reason)


def write_stdout(text: str) -> Written:
    """Write to stdout; a reader that went away (`| head`) is no error of the scan."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
        return Written(path="-")
    except BrokenPipeError:
        silence_stdout()
        return Written(path="-", broken_pipe=True)


def silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (e.g. tests)
        pass


# ---- gates -----------------------------------------------------------------------------------
def below(doc: dict[str, Any], fail_under: int, field: str = "level") -> list[str]:
    """--fail-under: every assessed control below the level, naming subject, control and level."""
    out = []
    skip = waived(doc)
    for s in doc["subjects"]:
        for c in s["controls"]:
            level = c.get(field, c["level"])
            if (s["id"], c["id"]) in skip:
                continue
            if level is not None and level < fail_under:
                out.append(f"{s['id']} {c['id']}: level {level}, below {fail_under}")
    return out


def waived(doc: dict[str, Any]) -> set[tuple[str, str]]:
    """(subject, control) pairs under a waiver that has not expired: the gates leave them out (and say so)."""
    return {(s["id"], c["id"]) for s in doc["subjects"] for c in s["controls"]
            if (c.get("decision") or {}).get("state") == "waived"}


def nothing_scanned(doc: dict[str, Any]) -> str | None:
    """A gate over zero subjects proves nothing: the reason it must fail, or None."""
    if doc["subjects"]:
        return None
    hint = "; ".join(w.get("message", "") for w in doc.get("warnings", [])[:3])
    return "no subject was scanned" + (f" ({hint})" if hint else "")


BAD_STATES = {"error", "denied", "rate_limited"}


def could_not_complete(doc: dict[str, Any]) -> str | None:
    """Every subject's every attempted source failed: the result says nothing about the subjects."""
    if not doc["subjects"]:
        return None
    reasons = []
    for s in doc["subjects"]:
        tried = [src for src in s.get("sources", []) if src["status"] not in ("not_configured", "not_applicable")]
        if not tried or any(src["status"] not in BAD_STATES for src in tried):
            return None
        src = tried[0]
        reasons.append(f"{s['id']}: {src['source']} {src['status']}" + (f" ({src['reason']})" if src.get("reason") else ""))
    more = f" and {len(reasons) - 3} more" if len(reasons) > 3 else ""
    return "no source of any subject could be read: " + "; ".join(reasons[:3]) + more
