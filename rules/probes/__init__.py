"""Probes: one small true/false heuristic each, with its metadata beside it.

A probe is a pure function of the evidence of one subject. It answers
  True  - the evidence shows the practice (and the Finding cites it),
  False - the sources that would show it were read and show nothing,
  None  - it cannot tell, because a source that would decide it was not read (the reason says which).
Scoring (levels) lives elsewhere (`scanner/assess/levels.py`); criteria that combine probes live in
`rules/controls/*.yaml`, which a reviewer can read without reading code.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from wafops.scanner.core.model import Evidence, SourceState, SourceStatus, Strength
from wafops.scanner.core.sources import REGISTRY


@dataclass
class Finding:
    outcome: bool | None
    reason: str
    evidence: list[Evidence] = field(default_factory=list)
    strength: Strength | None = None

    def __post_init__(self) -> None:
        if self.strength is None and self.evidence:
            self.strength = max((e.strength for e in self.evidence), key=lambda s: s.rank)


class EvidenceSet:
    """The evidence of one subject, indexed by kind, plus which sources were read."""

    def __init__(
        self,
        evidence: Iterable[Evidence],
        sources: dict[str, SourceStatus],
        now: datetime,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.all = list(evidence)
        self.sources = sources
        self.now = now
        self.params: dict[str, Any] = params or {}
        self.probe: Probe | None = None  # the probe running now (set by Probe.run)
        self._by_kind: dict[str, list[Evidence]] = {}
        self._prefixed: dict[str, list[Evidence]] = {}  # `kind.*` questions, answered once
        self._ids: dict[int, tuple[Evidence, str]] = {}  # id(item) -> (item, its evidence id), see ids()
        self._indexes: dict[tuple[str, str], dict[Any, list[int]] | None] = {}  # see having()
        for e in self.all:
            self._by_kind.setdefault(e.kind, []).append(e)

    def of(self, *kinds: str, **where: Any) -> list[Evidence]:
        """Evidence of any of the kinds (a trailing `.*` matches a prefix) whose attributes equal `where`.

        Probes ask this ~700 times a scan, for kinds of up to thousands of items: without `where` the
        kind's list is copied as it is, and a prefix's items are gathered once, not per question.
        """
        out: list[Evidence] = []
        conditions = tuple(where.items())
        for kind in kinds:
            items = self._of_prefix(kind[:-1]) if kind.endswith(".*") else self._by_kind.get(kind, [])
            if not conditions:
                out.extend(items)
            elif len(conditions) == 1:
                name, value = conditions[0]
                out.extend([e for e in items if e.attributes.get(name) == value])
            else:
                out.extend([e for e in items if all(e.attributes.get(k) == v for k, v in conditions)])
        return out

    def _of_prefix(self, prefix: str) -> list[Evidence]:
        """The items of every kind starting with `prefix`, kind by kind in the order kinds were first seen."""
        items = self._prefixed.get(prefix)
        if items is None:
            items = [e for k, es in self._by_kind.items() if k.startswith(prefix) for e in es]
            self._prefixed[prefix] = items
        return items

    def ids(self, items: Iterable[Evidence]) -> list[str]:
        """The distinct ids of `items`, in order. An id is a JSON dump and a SHA-1 of the item, and the
        criteria of one subject cite the same items ~14,000 times on a large repository: each item's id is
        computed once (kept with the item itself, so a reused object address never returns a stale id)."""
        memo = self._ids
        seen: dict[str, None] = {}
        for e in items:
            hit = memo.get(id(e))
            if hit is None or hit[0] is not e:
                hit = memo[id(e)] = (e, e.id)
            seen.setdefault(hit[1], None)
        return list(seen)

    def having(self, kind: str, name: str, values: Iterable[Any]) -> list[Evidence]:
        """Items of `kind` whose attribute `name` equals one of `values`, in scan order.

        Looked up in an index of the kind by that attribute, built once: probes ask for Terraform resource
        types ~20 times a subject, over thousands of `iac.resource` items. Unhashable values are compared
        one by one, as `in` would."""
        items = self._by_kind.get(kind, [])
        wanted = tuple(values)
        index = self._index(kind, name)
        try:
            positions = sorted({i for v in wanted for i in index.get(v, ())}) if index is not None else None
        except TypeError:
            positions = None
        if positions is None:
            return [e for e in items if e.attributes.get(name) in wanted]
        return [items[i] for i in positions]

    def _index(self, kind: str, name: str) -> dict[Any, list[int]] | None:
        """Attribute value -> positions in the kind's list; None when a value cannot be a key."""
        key = (kind, name)
        if key not in self._indexes:
            index: dict[Any, list[int]] | None = {}
            try:
                for i, e in enumerate(self._by_kind.get(kind, [])):
                    index.setdefault(e.attributes.get(name), []).append(i)  # type: ignore[union-attr]
            except TypeError:
                index = None
            self._indexes[key] = index
        return self._indexes[key]

    def where(self, kind: str, pred: Callable[[Evidence], bool]) -> list[Evidence]:
        return [e for e in self.of(kind) if pred(e)]

    def usable(self, need: str) -> bool:
        """Whether a source that satisfies the need was read: a source (`github`), a role (`scm`, any code
        host), or alternatives joined by `|`."""
        return any(st is not None and st.usable for st in map(self.sources.get, REGISTRY.expand(need)))

    def why_not(self, need: str) -> str:
        return " or ".join(self._why_not(s) for s in REGISTRY.expand(need))

    def _why_not(self, source: str) -> str:
        st = self.sources.get(source)
        if st is None:
            return f"{source}: not scanned"
        return f"{source}: {st.status.value}" + (f" ({st.reason})" if st.reason else "")

    @staticmethod
    def role(source: str) -> str | None:
        """The role of a source (`scm`, `cloud`, ...), for evidence that matters by kind of source, not vendor."""
        return REGISTRY.role_of(source)

    def p(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)


@dataclass(frozen=True)
class Probe:
    id: str
    text: str
    sources: tuple[str, ...]
    fn: Callable[[EvidenceSet], Finding]
    defaults: dict[str, Any]

    def render(self, params: dict[str, Any] | None = None) -> str:
        """The text with its thresholds filled in, so it always says the numbers in force."""
        return self.text.format_map({**self.defaults, **(params or {})})

    def run(self, ev: EvidenceSet, params: dict[str, Any] | None = None) -> Finding:
        merged = dict(self.defaults)
        merged.update(params or {})
        saved, ev.params = ev.params, merged
        saved_probe, ev.probe = ev.probe, self
        try:
            return self.fn(ev)
        finally:
            ev.params, ev.probe = saved, saved_probe


PROBES: dict[str, Probe] = {}


def probe(id: str, *, text: str, sources: Iterable[str], **defaults: Any) -> Callable:
    """Register a probe. `sources` are the sources whose evidence it reads; `defaults` its thresholds."""

    def wrap(fn: Callable[[EvidenceSet], Finding]) -> Callable[[EvidenceSet], Finding]:
        if id in PROBES:
            raise ValueError(f"probe {id} registered twice")
        unknown = {name for _l, name, _s, _c in string.Formatter().parse(text) if name} - set(defaults)
        if unknown:
            raise ValueError(f"probe {id}: its text names {sorted(unknown)}, which are not its thresholds")
        PROBES[id] = Probe(id, text, tuple(sources), fn, dict(defaults))
        return fn

    return wrap


def load_all() -> dict[str, Probe]:
    """Import every module in this package so their probes register."""
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return PROBES


# ---- helpers probes share -------------------------------------------------------------------


def found(items: Iterable[Evidence], reason: str, strength: Strength | None = None) -> Finding:
    items = list(items)
    return Finding(True, reason, items, strength)


def missing(ev: EvidenceSet, reason: str, needs: Iterable[str] = ("repo",)) -> Finding:
    """No evidence: `not_met` when every needed source was read, else `not assessed` naming the gap.

    Each entry of `needs` is a source (`repo`), a role (`scm`: any code host, `cloud`: any cloud), or
    alternatives joined by `|`; any one source read suffices.
    """
    needs = tuple(needs)
    gaps = [ev.why_not(need) for need in needs if not ev.usable(need)]
    blind_cloud = unread_parts(ev, needs)
    if gaps:
        also = "; " + blind_cloud.reason.removeprefix("not assessed, because ") if blind_cloud else ""
        return Finding(None, f"not assessed, because {'; '.join(gaps)}{also}")
    if blind_cloud:
        return blind_cloud
    if any("repo" in REGISTRY.expand(need) for need in needs):
        blind = unread_files(ev)
        if blind:
            return blind
    return Finding(False, reason)


def unread_parts(ev: EvidenceSet, needs: Iterable[str]) -> Finding | None:
    """Not assessed when a cloud collector could not read the part of a needed source that decides the running
    probe: `cloud.unreadable` items (an AccessDenied, throttling, an opted-out region, state not read) name
    the probes whose absence they hide."""
    if ev.probe is None:
        return None
    wanted = {s for need in needs for s in REGISTRY.expand(need)}
    items = [u for u in ev.of("cloud.unreadable") if u.source in wanted and ev.probe.id in (u.get("probes") or ())]
    if not items:
        return None
    reasons = sorted({f"{u.source}: {u.get('reason')}" for u in items})
    return Finding(None, "not assessed, because " + "; ".join(reasons[:3]), items)


def unread_files(ev: EvidenceSet) -> Finding | None:
    """Not assessed when a file the running probe's control reads could not be read (`repo.unreadable`).

    The engine records files a collector asked for and could not read (permissions, too large, not
    UTF-8); absence of evidence from them is not absence in the repository.
    """
    control = ""
    if ev.probe is not None:
        mod = ev.probe.fn.__module__.rsplit(".", 1)[-1]
        control = f"WAF-OPS-{mod[3:]}" if re.fullmatch(r"ops\d{3}", mod) else ""
    items = [u for u in ev.of("repo.unreadable")
             if not control or "*" in (u.get("controls") or ["*"]) or control in (u.get("controls") or ())]
    if not items:
        return None
    shown = "; ".join(f"{u.get('path')} ({u.get('reason')})" for u in items[:3])
    more = f" and {len(items) - 3} more" if len(items) > 3 else ""
    return Finding(None, f"not assessed, because repo: {len(items)} file(s) that would decide this could not be read: "
                         f"{shown}{more}", items)


def verdict(items: Iterable[Evidence], yes: str, no: str, ev: EvidenceSet, needs: Iterable[str] = ("repo",)) -> Finding:
    """The common case: true with the items when there are any, else `missing`."""
    items = list(items)
    if items:
        return found(items, yes)
    return missing(ev, no, needs)


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def pct(x: float) -> str:
    return f"{round(x * 100)} %"


def matches(rx: str, text: str | None) -> bool:
    return bool(text) and re.search(rx, text or "", re.I) is not None


def source_state(ev: EvidenceSet, source: str) -> SourceState | None:
    st = ev.sources.get(source)
    return st.status if st else None


def unreadable(ev: EvidenceSet, *what: str) -> Finding | None:
    """Not assessed when the platform collector could not read a part that would decide absence.

    Platform collectors emit `scm.unreadable` (what, reason) for calls that were denied or failed;
    a probe about that part must not read missing evidence as absence. Items marked `plan_limitation`
    (the tier lacks the feature, e.g. protected-environment approvals on GitLab Free) hide nothing:
    when only those apply, the answer is *not met* with the plan limitation as the reason.
    """
    items = [u for w in what for u in ev.of("scm.unreadable", what=w)]
    if not items:
        return None
    if all(u.get("plan_limitation") for u in items):
        # the platform's tier lacks the feature (GitLab Free): nothing was hidden, the practice is not in place
        return Finding(False, "not met, " + "; ".join(sorted({str(u.get("reason")) for u in items})[:3]), items)
    items = [u for u in items if not u.get("plan_limitation")]
    reasons = sorted({f"{u.get('what')}: {u.get('reason') or 'unreadable'}" for u in items})
    return Finding(None, "not assessed, because the platform could not be read: " + "; ".join(reasons[:3]), items)


def iso_date(text: object) -> date | None:
    """The date at the start of an ISO date/time string, or None."""
    if not text:
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return None
