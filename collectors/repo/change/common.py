"""What every change detector shares: the per-subject scan state and small value helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.scanner.core.files import RepoTree

DOC_EXT = (".md", ".markdown", ".adoc", ".rst", ".txt")
SETTINGS_PATHS = (".github/settings.yml", ".github/settings.yaml")
WORKFLOW_GLOBS = (".github/workflows/*.yml", ".github/workflows/*.yaml")


@dataclass
class ChangeScan:
    """One subject's change scan: the context to report through, the file view and the production pattern."""

    ctx: CollectContext
    tree: RepoTree
    pattern: str | None = None

    @classmethod
    def of(cls, ctx: CollectContext) -> ChangeScan:
        assert ctx.tree is not None
        return cls(ctx, ctx.tree, ctx.options.get("production_pattern"))


def label_names(data: Any) -> list[str]:
    if isinstance(data, dict):
        data = data.get("labels", data)
        if isinstance(data, dict):
            return [str(k) for k in data]
    if not isinstance(data, list):
        return []
    out = []
    for item in data:
        if isinstance(item, dict) and item.get("name"):
            out.append(str(item["name"]))
        elif isinstance(item, str):
            out.append(item)
    return out
