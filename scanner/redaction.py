"""Masking of secret-looking values: the last line of defence before anything leaves the process.

Collectors already avoid copying values (they keep booleans and keywords); every string that goes
into a report passes through `mask` once more, so a collector bug cannot leak a token.
"""

from __future__ import annotations

import re

SECRETISH = re.compile(
    r"(?i)(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_\-]{20,}|AKIA[0-9A-Z]{16}"
    r"|xox[baprs]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|(?:password|passwd|secret|token|api[_-]?key)\s*[:=]\s*\S+"
    r"|[^\s/:@\"'=]+:[^\s/@\"']+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
    r"|(?:\s-u|--user)\s+\S+:\S+|authorization:\s*(?:token|bearer|basic)\s+\S+)"
)


def mask(text: str) -> str:
    """`text` with every secret-looking value replaced by [redacted]."""
    return SECRETISH.sub("[redacted]", text) if text else text
