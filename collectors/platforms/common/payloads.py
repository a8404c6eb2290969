"""Payload rules GitHub and GitLab share: timestamps, incident and debt labels.

Pure functions on plain dicts; each platform's `mapping.py` adds its own payload shapes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

INCIDENT_LABELS = r"(?i)(^|[^a-z])(incident|outage)([^a-z]|$)|^sev[-_ ]?[0-4]$|^p[01]$"
DEBT_LABELS = r"(?i)toil|ops[-_ ]?debt|operational[-_ ]debt|tech[-_ ]?debt|technical[-_ ]debt|manual[-_ ]process"


def ts(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def label_names(item: dict[str, Any]) -> list[str]:
    """Label names of an issue: GitHub label objects, GitLab names (or objects with with_labels_details)."""
    out = []
    for lab in item.get("labels") or []:
        name = lab.get("name") if isinstance(lab, dict) else lab
        if isinstance(name, str):
            out.append(name)
    return out


def has_label(item: dict[str, Any], pattern: str | None, default: str) -> bool:
    rx = re.compile(pattern or default)
    return any(rx.search(n) for n in label_names(item))


def debt_used(items: list[dict[str, Any]], now: datetime, days: int = 180, pattern: str | None = None) -> int:
    rx = re.compile(pattern or DEBT_LABELS)
    since = now - timedelta(days=days)
    n = 0
    for i in items:
        when = ts(i.get("updated_at")) or ts(i.get("created_at"))
        if when and when >= since and any(rx.search(name) for name in label_names(i)):
            n += 1
    return n
