"""Plugin discovery through entry points (like pytest and pluggy do it).

Two groups:
- `wafops.collectors`: classes derived from `wafops.collectors.base.Collector`;
- `wafops.targets`: classes derived from `wafops.collectors.base.TargetResolver`, keyed by URL scheme
  (`github`, `gitlab`, ...). Local paths need no resolver.

A broken third-party plugin is reported and skipped; it never stops the scan.

The shipped platform and cloud plugins (GitHub, GitLab, AWS, Azure) serve only subjects their own
resolver made: they are discovered from `DEFERRED` without importing them, and their module (API
clients, SDK glue: ~0.2 s of imports) is loaded when a subject of their platform is scanned or
anything else about them is asked. A local scan never loads them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from wafops.collectors.base import Collector, TargetError, TargetResolver
from wafops.scanner.core.sources import REGISTRY, Source

COLLECTOR_GROUP = "wafops.collectors"
TARGET_GROUP = "wafops.targets"

# entry point -> what discovery reads of the class: a collector's (name, source, role, the `platform` its
# subjects carry: it applies to no other), a resolver's (scheme, remote_hosts). tests/test_plugins.py checks
# each against the class.
DEFERRED: dict[str, tuple[Any, ...]] = {
    "wafops.collectors.platforms.github.collector:GitHubCollector": ("github", "github", "scm", "github"),
    "wafops.collectors.platforms.gitlab.collector:GitLabCollector": ("gitlab", "gitlab", "scm", "gitlab"),
    "wafops.collectors.cloud.aws.collector:AwsCollector": ("aws", "aws", "cloud", "aws"),
    "wafops.collectors.cloud.azure.collector:AzureCollector": ("azure", "azure", "cloud", "azure"),
    "wafops.collectors.platforms.github.resolver:GitHubResolver": ("github", ("github",)),
    "wafops.collectors.platforms.gitlab.resolver:GitLabResolver": ("gitlab", ("gitlab",)),
    "wafops.collectors.cloud.aws.collector:AwsResolver": ("aws", ()),
    "wafops.collectors.cloud.azure.resolver:AzureResolver": ("azure", ()),
}
_LOAD_LOCK = threading.RLock()  # subjects are scanned in threads: a deferred plugin is loaded once


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
            obj = _deferred(ep, group, errors) if ep.value in DEFERRED else ep.load()
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


class _DeferredMeta(type):
    """`option_types` read on the class (wafops.scanner.core.options.declared) loads the real class."""

    @property
    def option_types(cls) -> Any:
        return getattr(cls._target(), "option_types", None)  # type: ignore[attr-defined]


class _Deferred:
    """What a deferred plugin's stand-in shares: its entry point, loaded once, on demand."""

    _ep: Any = None
    _errors: list[str] = []  # noqa: RUF012 (each stand-in class gets discovery's list)
    _real_class: Any = None
    _real: Any = None

    @classmethod
    def _target(cls) -> Any:
        with _LOAD_LOCK:
            if cls._real_class is None:
                cls._real_class = cls._ep.load()
            return cls._real_class

    def _instance(self) -> Any:
        with _LOAD_LOCK:
            if self._real is None:
                self._real = self._target()()
            return self._real

    def __getattr__(self, name: str) -> Any:  # what the contract does not name (option_types, helpers)
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._instance(), name)


class _DeferredCollector(_Deferred, Collector, metaclass=_DeferredMeta):
    platform = ""  # the `platform` meta of the subjects it serves (set per entry point)

    def applies(self, subject: Any, ctx: Any) -> bool:
        """False, without loading, for a subject of another platform (the real `applies` says no to those);
        a plugin that fails to load is reported like one that failed at discovery."""
        if subject.meta.get("platform") != self.platform:
            return False
        try:
            real = self._instance()
        except Exception as err:
            message = f"plugin {self._ep.name} ({self._ep.value}) failed to load: {err}"
            if message not in self._errors:
                self._errors.append(message)
            return False
        return bool(real.applies(subject, ctx))


class _DeferredResolver(_Deferred, TargetResolver, metaclass=_DeferredMeta):
    def resolve(self, target: str, options: dict[str, Any], warn: Any) -> Any:
        try:
            real = self._instance()
        except Exception as err:
            raise TargetError(f"{target}: the {self.scheme} plugin failed to load: {err}") from err
        return real.resolve(target, options, warn)


def _forward(stand_in: type, contract: type, static: tuple[str, ...]) -> None:
    """Everything else of the plugin contract is answered by the real plugin: its methods, class methods
    and attributes (description, needs, controls ...), so a method added to the contract later is never
    answered by the base class's default on the real plugin's behalf."""
    for name, value in vars(contract).items():
        if name.startswith("_") or name in vars(stand_in) or name in static:
            continue
        if isinstance(value, classmethod):
            setattr(stand_in, name, classmethod(
                lambda cls, *args, _n=name, **kw: getattr(cls._target(), _n)(*args, **kw)))
        elif callable(value):
            setattr(stand_in, name, lambda self, *args, _n=name, **kw: getattr(self._instance(), _n)(*args, **kw))
        else:
            setattr(stand_in, name, property(lambda self, _n=name: getattr(self._instance(), _n)))


_COLLECTOR_STATIC = ("name", "source", "role", "platform", "not_scanned")
_RESOLVER_STATIC = ("scheme", "remote_hosts")
_forward(_DeferredCollector, Collector, _COLLECTOR_STATIC)
_forward(_DeferredResolver, TargetResolver, _RESOLVER_STATIC)


def _deferred(ep: Any, group: str, errors: list[str]) -> type:
    """A stand-in class for a DEFERRED entry point, carrying what discovery reads of it."""
    meta = DEFERRED[ep.value]
    attrs: dict[str, Any] = {"_ep": ep, "_errors": errors, "__module__": __name__}
    if group == COLLECTOR_GROUP:
        attrs.update(zip(_COLLECTOR_STATIC, (*meta, Collector.not_scanned), strict=True))
        return type(f"Deferred_{ep.name}", (_DeferredCollector,), attrs)
    attrs.update(zip(_RESOLVER_STATIC, meta, strict=True))
    return type(f"Deferred_{ep.name}", (_DeferredResolver,), attrs)
