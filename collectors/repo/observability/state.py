"""What the observability detectors share for one subject: the evidence so far, its dedupe keys, and what
the manifest reader learnt about services (read again by the source sweep and the manifest summary)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.model import Evidence, Strength

MAX_CONFIG_BYTES = 512_000


@dataclass
class ObsRun:
    """State of one collection: evidence so far and dedupe keys."""

    ctx: CollectContext
    tree: RepoTree
    out: list[Evidence] = field(default_factory=list)
    seen: set[tuple[Any, ...]] = field(default_factory=set)
    manifests: list[tuple[str, str, int]] = field(default_factory=list)  # (path, ecosystem, runtime deps)
    frontends: set[str] = field(default_factory=set)  # manifests of browser apps (UI framework, no server framework)
    load_tests: set[str] = field(default_factory=set)  # manifests of load generators (a load-testing framework at runtime)
    service_dirs: set[str] = field(default_factory=set)
    manifest_dirs: set[str] | None = None  # filled on first use, after the manifests were read
    config_files: list[str] | None = None  # config-like files the text sweeps read (config_sweep), listed once

    @classmethod
    def start(cls, ctx: CollectContext) -> ObsRun:
        assert ctx.tree is not None
        return cls(ctx, ctx.tree)

    def emit(self, kind: str, path: str, attrs: dict[str, Any], *, line: int | None = None,
             pattern: str | re.Pattern[str] | None = None, strength: Strength = Strength.STRONG, summary: str = "",
             key: Any = None) -> None:
        k = (kind, path, key if key is not None else json.dumps(attrs, sort_keys=True, default=str))
        if k in self.seen:
            return
        self.seen.add(k)
        if line is None and pattern:
            line = self.tree.line_of(path, pattern)
        self.out.append(self.ctx.file_evidence(kind, path, line=line, attributes=attrs, strength=strength,
                                               summary=summary or f"{kind} in {path}"))

    def warn(self, path: str, message: str) -> None:
        self.ctx.warn("repo", message, path)

    def has(self, path: str, rx: str) -> bool:
        text = self.tree.text(path)
        return bool(text and re.search(rx, text))

    def service_of(self, path: str) -> str:
        """The directory of the closest manifest above a source file (the service it belongs to)."""
        dirs = self.manifest_dirs
        if dirs is None:
            dirs = {m[0].rsplit("/", 1)[0] if "/" in m[0] else "." for m in self.manifests}
            self.manifest_dirs = dirs
        d = path.rsplit("/", 1)[0] if "/" in path else "."
        while True:
            if d in dirs:
                return d
            if d == ".":
                return "."
            d = d.rsplit("/", 1)[0] if "/" in d else "."


@dataclass(frozen=True)
class YamlDoc:
    """One parsed YAML document and the fields most readers look at first."""

    path: str
    name: str  # lower-case file name, a template suffix dropped (`prometheus.yml.erb` -> `prometheus.yml`)
    doc: dict[str, Any]
    api: str
    kind: str
    meta: dict[str, Any]
    spec: dict[str, Any]
    mname: str  # metadata.name

    @classmethod
    def of(cls, path: str, name: str, doc: dict[str, Any]) -> YamlDoc:
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
        return cls(path, name, doc, str(doc.get("apiVersion") or ""), str(doc.get("kind") or ""), meta, spec,
                   str(meta.get("name") or ""))
