"""Which repositories or projects of an organisation or group a scan takes: one rule for every platform.

Archived ones and forks are left out unless asked for, so are ones being deleted or disabled;
`--include`/`--exclude` globs match any of the names given; `topics` keeps those with one of them.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import Any

from wafops.collectors.platforms.common.http import truthy


def globs(v: Any) -> list[str]:
    """A glob option as a list: a list as given, a string split on commas."""
    if not v:
        return []
    if isinstance(v, str):
        return [p.strip() for p in v.split(",") if p.strip()]
    return [str(p) for p in v]


def wanted(names: Iterable[str], topics: Iterable[str], options: dict[str, Any], *, archived: bool = False,
           fork: bool = False, gone: bool = False) -> bool:
    """Whether one repository/project is scanned, given its names, its topics and what it is."""
    names = [n for n in names if n]
    include, exclude = globs(options.get("include")), globs(options.get("exclude"))
    wanted_topics = set(globs(options.get("topics")))
    if gone:
        return False
    if archived and not truthy(options.get("include_archived")):
        return False
    if fork and not truthy(options.get("include_forks")):
        return False
    if include and not any(fnmatch.fnmatchcase(n, g) for n in names for g in include):
        return False
    if any(fnmatch.fnmatchcase(n, g) for n in names for g in exclude):
        return False
    return not wanted_topics or bool(wanted_topics & set(topics))
