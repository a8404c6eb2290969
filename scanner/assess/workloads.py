"""Workloads: repositories, cloud accounts and subscriptions assessed together as one subject.

A team's maturity is its code *and* its account: an alarm in the account that links a runbook kept in
the repository is "paging alerts link runbooks". `wafops.yml` declares

    workloads:
      - name: payments
        repositories: [./payments-api, github:acme/payments-infra]
        aws_accounts: ["123456789012"]
        azure_subscriptions: []

Each member target is scanned as usual; the workload is one more subject whose evidence is the members'
evidence pooled (every item keeps its own subject, source and locator) and whose source statuses are
the members' statuses combined, so "not read" in one member is never taken for absence. Target keys are
generic: a list under `<scheme>_...` names targets of any installed resolver (see TARGET_KEYS).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wafops.scanner.core.model import ScanWarning, SourceState, SourceStatus, Subject, SubjectResult

# key -> scheme its bare items get (None: items are targets as written: paths, github:..., gitlab:...)
TARGET_KEYS: dict[str, str | None] = {
    "repositories": None,
    "targets": None,
    "aws_accounts": "aws",
    "azure_subscriptions": "azure",
}
WORKLOAD_KEYS = ("name", *TARGET_KEYS)
BY = ("workload", "subject", "both")


class WorkloadError(ValueError):
    """A `workloads:` entry that is not valid (a configuration error, exit code 2)."""


@dataclass(frozen=True)
class Workload:
    name: str
    targets: tuple[str, ...]

    @property
    def subject_id(self) -> str:
        return f"workload:{self.name}"


def _target(key: str, item: Any) -> str:
    if not isinstance(item, str | int) or isinstance(item, bool) or not str(item).strip():
        raise WorkloadError(f"{key}: {item!r} is not a target (a path, github:ORG/REPO, or an id)")
    text = str(item).strip()
    scheme = TARGET_KEYS[key]
    if scheme and not text.startswith(f"{scheme}:"):
        return f"{scheme}:{text}"
    return text


def parse(raw: Any, where: str = "workloads") -> list[Workload]:
    """The `workloads:` list of wafops.yml, checked: unknown keys, missing names and bad items are errors."""
    from wafops.scanner.core.options import suggest

    if raw is None:
        return []
    if not isinstance(raw, list):
        raise WorkloadError(f"{where}: expected a list of workloads ({{name, repositories, aws_accounts, ...}})")
    out: list[Workload] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(entry, dict):
            raise WorkloadError(f"{at}: expected a mapping with name and targets")
        for key in entry:
            if key not in WORKLOAD_KEYS:
                raise WorkloadError(f"{at}: unknown key {key!r}{suggest(str(key), WORKLOAD_KEYS)} "
                                    f"(keys: {', '.join(WORKLOAD_KEYS)})")
        name = entry.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", name):
            raise WorkloadError(f"{at}: name must be a word of letters, digits, '.', '_' or '-' (got {name!r})")
        if name in seen:
            raise WorkloadError(f"{at}: workload {name!r} is declared twice")
        seen.add(name)
        targets: list[str] = []
        for key in TARGET_KEYS:
            items = entry.get(key)
            if items is None:
                continue
            if not isinstance(items, list):
                raise WorkloadError(f"{at}.{key}: expected a list")
            for item in items:
                t = _target(key, item)
                if t not in targets:
                    targets.append(t)
        if not targets:
            raise WorkloadError(f"{at}: workload {name!r} names no repository, account or subscription")
        out.append(Workload(name, tuple(targets)))
    return out


def resolve(targets: list[str], workloads: list[Workload],
            resolve_targets: Callable[[list[str]], list[Subject]]) -> tuple[list[Subject], dict[str, list[str]]]:
    """Subjects of the command-line targets and every workload member; target -> its subject ids."""
    if not workloads:
        return resolve_targets(targets), {}
    wanted: list[str] = []
    for t in [*targets, *(t for w in workloads for t in w.targets)]:
        if t not in wanted:
            wanted.append(t)
    subjects: list[Subject] = []
    by_id: dict[str, Subject] = {}
    members: dict[str, list[str]] = {}
    for t in wanted:
        ids = []
        for s in resolve_targets([t]):
            old = by_id.get(s.id)
            if old is not None and (old.workdir, old.meta.get("account")) == (s.workdir, s.meta.get("account")):
                ids.append(old.id)  # the same repository or account reached through two targets
                continue
            if old is not None:
                n = 2
                while f"{s.id}#{n}" in by_id:
                    n += 1
                s.id = f"{s.id}#{n}"
            by_id[s.id] = s
            subjects.append(s)
            ids.append(s.id)
        members[t] = ids
    return subjects, members


def combine_sources(results: Iterable[SubjectResult]) -> dict[str, SourceStatus]:
    """Per source: ok when every member that reads it read it; partial (naming the member) when one did not;
    the best status when no member read it."""
    per: dict[str, list[tuple[str, SourceStatus]]] = {}
    for r in results:
        for name, st in r.sources.items():
            per.setdefault(name, []).append((r.subject.id, st))
    out: dict[str, SourceStatus] = {}
    for name, items in sorted(per.items()):
        tried = [(sid, st) for sid, st in items if st.status is not SourceState.NOT_CONFIGURED]
        good = [(sid, st) for sid, st in tried if st.usable]
        bad = [(sid, st) for sid, st in tried if not st.usable or st.status is SourceState.PARTIAL]
        if not tried:
            out[name] = min((st for _sid, st in items), key=lambda st: st.status.severity)
        elif not good:
            sid, st = max(bad, key=lambda x: x[1].status.severity)
            out[name] = SourceStatus(name, st.status, f"{sid}: {st.reason}".strip(": "))
        elif bad:
            sid, st = max(bad, key=lambda x: x[1].status.severity)
            out[name] = SourceStatus(name, SourceState.PARTIAL, f"{sid}: {st.status.value}"
                                     + (f" ({st.reason})" if st.reason else ""))
        else:
            out[name] = SourceStatus(name, SourceState.OK)
    return out


def pool(results: list[SubjectResult], workloads: list[Workload], members: dict[str, list[str]],
         evaluate: Callable[[str, list, dict[str, SourceStatus], datetime], list], now: datetime, by: str = "workload",
         interrupted: bool = False) -> list[SubjectResult]:
    """One subject per workload (its members' evidence pooled); with `by=workload` they replace their members."""
    done = {r.subject.id: r for r in results}
    pooled: list[SubjectResult] = []
    assigned: set[str] = set()
    for w in workloads:
        ids = [sid for t in w.targets for sid in members.get(t, [])]
        ids = list(dict.fromkeys(ids))
        assigned.update(ids)
        parts = [done[sid] for sid in ids if sid in done]
        warnings = [ScanWarning(w.subject_id, "workload", f"member {t} resolved to no subject")
                    for t in w.targets if not members.get(t)]
        if interrupted and len(parts) < len(ids):
            continue  # an interrupted scan reports no half-pooled workload
        evidence = [e for p in parts for e in p.evidence]
        sources = combine_sources(parts)
        subject = Subject(id=w.subject_id, kind="workload", meta={"members": ids})
        controls = evaluate(subject.id, evidence, sources, now)
        pooled.append(SubjectResult(subject, controls, sources, evidence, warnings))
    if by == "subject":
        return results
    if by == "both":
        return pooled + results
    return pooled + [r for r in results if r.subject.id not in assigned]
