"""Plugin discovery through entry points (like pytest and pluggy do it).

Two groups:
- `wafops.collectors`: classes derived from `wafops.collectors.base.Collector`;
- `wafops.targets`: classes derived from `wafops.collectors.base.TargetResolver`, keyed by URL scheme
  (`github`, `gitlab`, ...). Local paths need no resolver.

A broken third-party plugin is reported and skipped; it never stops the scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from wafops.collectors.base import Collector, TargetResolver
from wafops.scanner.core.sources import REGISTRY, Source

COLLECTOR_GROUP = "wafops.collectors"
TARGET_GROUP = "wafops.targets"


@dataclass
class Plugins:
    collectors: list[Collector] = field(default_factory=list)
    resolvers: dict[str, TargetResolver] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # collector name -> distribution


def _load(group: str, errors: list[str]) -> list[tuple[str, Any, str]]:
    out = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            obj = ep.load()
        except Exception as err:  # a broken plugin must not break the scan
            errors.append(f"plugin {ep.name} ({ep.value}) failed to load: {err}")
            continue
        dist = getattr(getattr(ep, "dist", None), "name", "") or ""
        out.append((ep.name, obj, dist))
    return out


def discover() -> Plugins:
    plugins = Plugins()
    seen: set[str] = set()
    for name, cls, dist in _load(COLLECTOR_GROUP, plugins.errors):
        if name in seen:
            continue
        seen.add(name)
        try:
            inst = cls()
            if not isinstance(inst, Collector):
                raise TypeError("not a wafops.collectors.base.Collector")
        except Exception as err:
            plugins.errors.append(f"collector {name} could not be created: {err}")
            continue
        if not inst.name:
            inst.name = name  # type: ignore[misc]
        plugins.collectors.append(inst)
        plugins.origins[inst.name] = dist
        _register_source(Source(inst.source, inst.role, inst.not_scanned), plugins.errors)
    for name, cls, _dist in _load(TARGET_GROUP, plugins.errors):
        try:
            resolver = cls()
        except Exception as err:
            plugins.errors.append(f"target resolver {name} could not be created: {err}")
            continue
        scheme = getattr(resolver, "scheme", "") or name
        plugins.resolvers[scheme] = resolver
        hosts = tuple(getattr(resolver, "remote_hosts", ()) or ())
        if hosts and scheme in REGISTRY.sources:
            _register_source(Source(scheme, "", remote_hosts=hosts), plugins.errors)
    return plugins


def _register_source(source: Source, errors: list[str]) -> None:
    """A discovered collector's source joins the registry, so probes asking for its role (`scm`, `cloud`)
    count it: a new code host or cloud needs no probe or engine edit."""
    try:
        REGISTRY.register(source)
    except ValueError as err:
        errors.append(str(err))
