"""Small helpers every translation uses: values as text, first items, runbook links in free text."""

from __future__ import annotations

import json
import re
from typing import Any

URL = re.compile(r"https?://[^\s\"'<>)\]]+")


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | dict):
        return json.dumps(v, default=str)
    return str(v)


def _first(v: Any) -> Any:
    return v[0] if isinstance(v, list) and v else v


def runbook_in_text(text: str | None) -> str | None:
    """A runbook link in free text (an alarm's description, a monitor message): `runbook: <link>`, else the
    first URL."""
    if not text:
        return None
    m = re.search(r"(?i)(?:runbook|playbook)[^:\n]{0,20}[:=]\s*(\S+)", text)
    if m:
        return m.group(1).rstrip(".,;)")
    m = URL.search(text)
    return m.group(0).rstrip(".,;") if m else None
