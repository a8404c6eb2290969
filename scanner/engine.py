"""Scan orchestration: targets -> subjects -> collectors -> evidence -> levels.

The engine is the only place that decides *which* collectors run for a subject and what the
status of each source is; collectors only read, and the level evaluation only computes.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from wafops.collectors.base import CollectContext, ScanSourceError, TargetError, TargetResolver  # noqa: F401 (re-exported)
from wafops.rules.catalog import load_catalog
from wafops.rules.probes import EvidenceSet
from wafops.scanner.assess.decisions import for_subject
from wafops.scanner.assess.levels import evaluate_control
from wafops.scanner.core import deadline
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.model import (
    Evidence,
    ScanWarning,
    SourceState,
    SourceStatus,
    Strength,
    Subject,
    SubjectResult,
    utcnow,
)
from wafops.scanner.core.sources import REGISTRY
from wafops.scanner.plugins import Plugins, discover
from wafops.scanner.runner import run_collectors

REPO_MARKERS = (
    ".github", ".gitlab-ci.yml", "Jenkinsfile", "README.md", "README", "README.rst", "package.json",
    "pyproject.toml", "setup.py", "go.mod", "pom.xml", "Cargo.toml", "main.tf", "Makefile", "Dockerfile",
    "azure-pipelines.yml", ".circleci", "terragrunt.hcl", "src",
)

HEAD_AGE_WARN_DAYS = 30


@dataclass
class ScanOptions:
    jobs: int = 4
    now: datetime | None = None
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)
    collector_options: dict[str, Any] = field(default_factory=dict)
    only_collectors: list[str] | None = None
    as_of_head: bool = False  # judge each subject's time windows as of its HEAD commit's date
    decisions: list[Any] = field(default_factory=list)  # waivers and attestations (scanner/assess/decisions.py)
    layout: str = "auto"  # auto | single | collection
    progress: Callable[[str], None] | None = None  # called with each subject id when it is done
    on_subjects: Callable[[int], None] | None = None  # called once with the number of subjects
    deadline: float | None = None  # seconds for the whole scan (--deadline): no subject starts and no request goes after it
    workloads: list[Any] = field(default_factory=list)  # wafops.scanner.assess.workloads.Workload: members pooled into one subject
    by: str = "workload"  # with workloads: report workload | subject | both


@dataclass
class ScanResult:
    started_at: datetime
    finished_at: datetime
    subjects: list[SubjectResult]
    plugin_errors: list[str]
    warnings: list[ScanWarning]
    complete: bool = True  # False when the scan was interrupted: `subjects` holds what was finished
    deadline_passed: bool = False  # the --deadline ended the scan before every subject was scanned

    @property
    def sources(self) -> list[SourceStatus]:
        """One status per source over all subjects: the worst one, with its reason."""
        worst: dict[str, SourceStatus] = {}
        for sr in self.subjects:
            for name, st in sr.sources.items():
                old = worst.get(name)
                if old is None or st.status.severity > old.status.severity:
                    worst[name] = st
        return [worst[k] for k in sorted(worst)]




def local_subjects(path: str, layout: str = "auto") -> list[Subject]:
    root = Path(path).expanduser()
    if not root.exists():
        raise TargetError(f"{path}: no such file or directory")
    if not root.is_dir():
        raise TargetError(f"{path}: not a directory")
    if layout == "single" or (layout == "auto" and not _is_collection(root)):
        return [_local_subject(root)]
    return [_local_subject(d) for d in sorted(root.iterdir()) if d.is_dir() and not d.name.startswith(".")]


def _is_collection(root: Path) -> bool:
    """A folder of checkouts: no .git of its own, and its subfolders (not itself) look like repositories."""
    if (root / ".git").exists():
        return False
    if any((root / m).exists() for m in REPO_MARKERS if m not in ("README.md", "README", "README.rst")):
        return False
    subdirs = [d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")]
    if not subdirs:
        return False
    return any((d / ".git").exists() for d in subdirs) or all(
        any((d / m).exists() for m in REPO_MARKERS) for d in subdirs
    )


def _local_subject(d: Path) -> Subject:
    d = d.resolve()
    commit, head_date = None, None
    if (d / ".git").exists():
        try:
            out = subprocess.run(
                ["git", "-C", str(d), "log", "-1", "--format=%H %cI"], capture_output=True, text=True, timeout=20,
                check=False,
            ).stdout.split()
            commit, head_date = (out[0], out[1]) if len(out) == 2 else (None, None)
        except (OSError, subprocess.SubprocessError):
            commit = None
    meta: dict[str, Any] = {"platform": "local"}
    prefix = _repo_prefix(d)
    if prefix:
        meta["path_in_repo"] = prefix  # where this subject sits in its git repository (SARIF paths start there)
    if head_date:
        meta["head_date"] = head_date  # the HEAD commit's date: `--as-of head` judges time windows as of it
    hosted = _hosted_as(d) if commit else None
    if hosted:
        meta["hosted_as"] = hosted
    return Subject(id=f"local:{d.name}", kind="repository", workdir=str(d), commit=commit, meta=meta)


def _repo_prefix(d: Path) -> str:
    """The subject's folder relative to the top of the git repository holding it ('' at the top or outside git)."""
    try:
        return subprocess.run(["git", "-C", str(d), "rev-parse", "--show-prefix"], capture_output=True, text=True,
                              timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


_REMOTE = re.compile(r"(?:^git@|://(?:[^@/]+@)?)(?P<host>[^:/]+)[:/](?P<path>[^\s]+?)(?:\.git)?/?$")


def _hosted_as(d: Path) -> str | None:
    """`github:OWNER/REPO`, `gitlab:GROUP/PROJECT`, ... from the origin remote (the platform whose resolver
    serves that host, see the source registry), so reasons can say what to scan."""
    try:
        url = subprocess.run(["git", "-C", str(d), "config", "--get", "remote.origin.url"],
                             capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    m = _REMOTE.search(url)
    if not m:
        return None
    source = REGISTRY.for_remote_host(m.group("host"))
    return f"{source}:{m.group('path')}" if source else None


def resolve_targets(targets: list[str], plugins: Plugins, options: ScanOptions, warn: Callable[..., None]) -> list[Subject]:
    subjects: list[Subject] = []
    for target in targets:
        if target in plugins.resolvers and not os.path.exists(target):  # a bare scheme: `wafops scan aws`
            subjects.extend(plugins.resolvers[target].resolve(target, options.collector_options, warn))
            continue
        scheme, _, rest = target.partition(":")
        # `azure:` alone (every readable subscription) is a target too, when a resolver handles the scheme
        resolver = plugins.resolvers.get(scheme) if (rest or target == f"{scheme}:") and not os.path.exists(target) \
            else None
        if resolver is not None:
            subjects.extend(resolver.resolve(target, options.collector_options, warn))
        elif rest and scheme.isalpha() and len(scheme) > 1 and not os.path.exists(target):
            known = ", ".join(sorted(plugins.resolvers)) or "none installed"
            raise TargetError(f"{target}: no collector handles '{scheme}:' targets (installed: {known})")
        else:
            subjects.extend(local_subjects(target, options.layout))
    ids = [s.id for s in subjects]
    for sid in {i for i in ids if ids.count(i) > 1}:
        n = 0
        for s in subjects:
            if s.id == sid:
                n += 1
                s.id = f"{sid}#{n}"
    return subjects


def scan(targets: list[str], options: ScanOptions | None = None, plugins: Plugins | None = None) -> ScanResult:
    options = options or ScanOptions()
    plugins = plugins or discover()
    started = utcnow()
    now = options.now or started
    global_warnings: list[ScanWarning] = []

    def warn(subject: str, source: str, message: str, path: str | None = None) -> None:
        global_warnings.append(ScanWarning(subject, source, message, path))

    from wafops.scanner.assess import workloads

    subjects, members = workloads.resolve(targets, options.workloads,
                                          lambda ts: resolve_targets(ts, plugins, options, warn))
    catalog = load_catalog()
    if options.on_subjects:
        options.on_subjects(len(subjects))

    def one(subject: Subject) -> SubjectResult:
        result = scan_subject(subject, plugins, options, now, catalog)
        if options.progress:
            options.progress(subject.id)
        return result

    done: dict[str, SubjectResult] = {}
    interrupted = False
    deadline.start(options.deadline)
    try:
        if options.jobs > 1 and len(subjects) > 1:
            pool = ThreadPoolExecutor(max_workers=options.jobs)
            futures = {pool.submit(one, s): s for s in subjects}
            try:
                for fut in as_completed(futures, timeout=deadline.remaining()):
                    done[futures[fut].id] = fut.result()
            except FuturesTimeout:  # the deadline: clients refuse new requests, so running subjects end soon
                for fut in futures:
                    fut.cancel()
                wait([f for f in futures if not f.cancelled()], timeout=_grace(options.deadline))
                for fut, s in futures.items():
                    if fut.done() and not fut.cancelled() and fut.exception() is None:
                        done[s.id] = fut.result()
            finally:
                # on Ctrl-C: drop what has not started; subjects already running finish in the background
                pool.shutdown(wait=False, cancel_futures=True)
        else:
            for s in subjects:
                if deadline.passed():
                    break
                done[s.id] = one(s)
    except KeyboardInterrupt:
        interrupted = True
        missing = [s.id for s in subjects if s.id not in done]
        global_warnings.append(ScanWarning(
            "*", "scan", f"scan interrupted: {len(missing)} of {len(subjects)} subject(s) not scanned; "
            "the results below are what was collected (a re-run is answered mostly from the HTTP cache)"))
    finally:
        late = deadline.passed()
        deadline.clear()
    missed = [s.id for s in subjects if s.id not in done]
    deadline_passed = late and bool(missed) and not interrupted
    if late and not interrupted:
        global_warnings.append(ScanWarning(
            "*", "scan", f"the scan deadline of {options.deadline:g}s passed: "
            + (f"{len(missed)} of {len(subjects)} subject(s) not scanned ({', '.join(missed[:5])}"
               f"{' ...' if len(missed) > 5 else ''}); " if missed else "")
            + "calls not made by then are marked unreadable (their criteria not assessed)"))
    results = [done[s.id] for s in subjects if s.id in done]  # keep the order the targets gave
    if options.workloads:
        def evaluate(sid: str, evidence: list[Evidence], sources: dict[str, SourceStatus], at: datetime) -> list[Any]:
            ev, decided = EvidenceSet(evidence, sources, at), for_subject(options.decisions, sid)
            return [evaluate_control(c, ev, options.thresholds, decisions=decided) for c in catalog]

        results = workloads.pool(results, options.workloads, members, evaluate, now, options.by, interrupted)
    return ScanResult(started, utcnow(), results, list(plugins.errors), global_warnings,
                      complete=not (interrupted or deadline_passed), deadline_passed=deadline_passed)


def _grace(total: float | None) -> float:
    """After the deadline, how long running subjects may take to finish with what they have."""
    return min(30.0, max(5.0, 0.1 * (total or 0)))


def _resolver_for(subject: Subject, plugins: Plugins) -> TargetResolver | None:
    return plugins.resolvers.get(subject.meta.get("platform", ""))


def _subject_now(subject: Subject, options: ScanOptions, now: datetime, warnings: list[ScanWarning]) -> datetime:
    """When time windows end for this subject: --as-of, its HEAD commit's date (--as-of head), or now.

    A checkout whose HEAD is old has empty 90-day windows when judged as of today; say so, so the reader
    knows why recent-activity criteria fail, and how to judge it as of its HEAD instead.
    """
    head = subject.meta.get("head_date")
    try:
        head_dt = datetime.fromisoformat(head) if head else None
    except ValueError:
        head_dt = None
    if options.as_of_head and head_dt:
        return head_dt
    if head_dt and options.now is None and (now - head_dt).days > HEAD_AGE_WARN_DAYS:
        warnings.append(ScanWarning(
            subject.id, "git", f"HEAD commit is {(now - head_dt).days} days old ({head_dt.date()}); time windows "
            "end today, so recent-activity criteria may fail; use --as-of head to judge as of the HEAD commit"))
    return now


def scan_subject(subject: Subject, plugins: Plugins, options: ScanOptions, now: datetime, catalog: Any) -> SubjectResult:
    resolver = _resolver_for(subject, plugins)
    warnings: list[ScanWarning] = []
    now = _subject_now(subject, options, now, warnings)
    ctx = CollectContext(subject=subject, options=dict(options.collector_options), now=now, warnings=warnings)
    try:
        if resolver is not None:
            try:
                resolver.prepare(subject, options.collector_options, ctx.warn)
            except Exception as err:
                ctx.warn("repo", f"could not fetch the repository files: {err}")
                ctx.source_status("repo", SourceState.ERROR, f"files could not be fetched: {err}")
        if subject.workdir and os.path.isdir(subject.workdir):
            ctx.tree = RepoTree.scan(subject.workdir)
        ran: dict[str, bool] = {}
        evidence = collect(subject, ctx, plugins, options, ran)
        if ctx.tree is not None:
            evidence.extend(_unread_files(ctx, plugins))
        sources = _source_statuses(ctx, plugins, ran)
        if ctx.tree is not None:
            warnings.extend(ScanWarning(subject.id, "repo", w.message, w.path) for w in ctx.tree.warnings)
    finally:
        if resolver is not None:
            try:
                resolver.cleanup(subject)
            except Exception as err:  # cleanup problems are worth a warning, nothing more
                ctx.warn("repo", f"cleanup failed: {err}")
    ev = EvidenceSet(evidence, sources, now)
    decided = for_subject(options.decisions, subject.id)
    controls = [evaluate_control(c, ev, options.thresholds, decisions=decided) for c in catalog]
    return SubjectResult(subject, controls, sources, evidence, warnings, reused=list(ctx.reused))


def collect(subject: Subject, ctx: CollectContext, plugins: Plugins, options: ScanOptions,
            ran: dict[str, bool]) -> list[Evidence]:
    """Run every selected collector (see wafops.scanner.runner); `ran` records, per source, whether a
    collector of it finished."""
    chosen = [c for c in plugins.collectors if not options.only_collectors or c.name in options.only_collectors]
    return run_collectors(chosen, ctx, ran)


def _unread_files(ctx: CollectContext, plugins: Plugins) -> list[Evidence]:
    """Files a collector asked for and could not read: `repo` is partial, and one `repo.unreadable`
    item each names the controls whose criteria must not read the missing evidence as absence."""
    tree = ctx.tree
    if tree is None or not tree.unread:
        return []
    controls_of = {c.name: list(c.controls) for c in plugins.collectors}
    out = []
    for path in sorted(tree.unread):
        readers = sorted(tree.unread_by.get(path) or {"*"})
        controls = sorted({cid for r in readers for cid in controls_of.get(r, ["*"])})
        out.append(ctx.file_evidence("repo.unreadable", path.rstrip("/") or ".", strength=Strength.WEAK,
                                     attributes={"path": path, "reason": tree.unread[path], "readers": readers,
                                                 "controls": controls},
                                     summary=f"{path}: {tree.unread[path]}"))
    shown = "; ".join(f"{p} ({tree.unread[p]})" for p in sorted(tree.unread)[:3])
    more = f" and {len(tree.unread) - 3} more" if len(tree.unread) > 3 else ""
    ctx.source_status("repo", SourceState.PARTIAL, f"{len(tree.unread)} file(s) could not be read: {shown}{more}")
    return out


def _source_statuses(ctx: CollectContext, plugins: Plugins, ran: dict[str, bool]) -> dict[str, SourceStatus]:
    """A collector's own verdict wins; else ok when one of the source's collectors ran, else not scanned."""
    names = set(REGISTRY.names()) | {c.source for c in plugins.collectors}
    out: dict[str, SourceStatus] = {}
    hosted = str(ctx.subject.meta.get("hosted_as") or "")
    for name in sorted(names):
        if name in ctx.statuses:
            out[name] = ctx.statuses[name]
        elif ran.get(name):
            out[name] = SourceStatus(name, SourceState.OK)
        elif hosted.startswith(f"{name}:"):
            out[name] = SourceStatus(name, SourceState.NOT_CONFIGURED,
                                     f"not scanned: the settings and activity of {hosted} were not read "
                                     f"(scan {hosted} with a token)")
        else:
            out[name] = SourceStatus(name, SourceState.NOT_CONFIGURED, REGISTRY.not_scanned(name))
    return out
