"""The collector plugin contract.

A collector reads one source for one subject and yields `Evidence`. It is registered in the
`wafops.collectors` entry-point group (see pyproject.toml), so a third-party package can add one
without touching the core:

    [project.entry-points."wafops.collectors"]
    mytool = "mypkg.collector:MyCollector"

Collectors do all I/O; everything after them is pure. A collector must never write to what it
scans. Problems with single files or calls are reported through `ctx.warn` and the collector goes
on; a collector that cannot read its source at all calls `ctx.source_status(...)` (or raises, and
the engine records the source as `error`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import (
    Evidence,
    Locator,
    ScanWarning,
    SourceState,
    SourceStatus,
    Strength,
    Subject,
    utcnow,
)


@dataclass
class CollectContext:
    """What a collector gets besides the subject: the shared file view, options, and sinks."""

    subject: Subject
    tree: RepoTree | None = None
    options: dict[str, Any] = field(default_factory=dict)
    now: datetime = field(default_factory=utcnow)
    warnings: list[ScanWarning] = field(default_factory=list)
    statuses: dict[str, SourceStatus] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)  # collectors whose outcome an earlier scan kept (not run)

    def warn(self, source: str, message: str, path: str | None = None) -> None:
        self.warnings.append(ScanWarning(self.subject.id, source, message, path))

    def source_status(self, source: str, state: SourceState, reason: str = "") -> None:
        """Record how far a source could be read. A worse status never gets overwritten by a better one."""
        old = self.statuses.get(source)
        if old is None or state.severity >= old.status.severity:
            self.statuses[source] = SourceStatus(source, state, reason)

    def run_detectors(self, collector: str, steps: Iterable[Callable[..., Iterable[Evidence] | None]],
                      *args: Any) -> list[Evidence]:
        """Run a collector's detectors one by one, each called with `args` (the collector's per-subject state).

        A detector that raises costs a warning naming it, never the evidence the others (or it,
        up to the failure) found. Steps either return evidence or append to their own list.
        """
        out: list[Evidence] = []
        for step in steps:
            fn = getattr(step, "func", step)  # functools.partial keeps the detector in .func
            name = getattr(fn, "__name__", "detector").strip("_")
            try:
                for item in step(*args) or ():
                    out.append(item)
            except Exception as err:
                self.warn("repo", f"{collector} collector: {name} failed: {type(err).__name__}: {err}")
        return out

    # ---- evidence builders --------------------------------------------------------------------
    def file_locator(self, path: str, line: int | None = None) -> Locator:
        s = self.subject
        if s.permalink:
            url = s.permalink.rstrip("/") + "/" + path + (f"#L{line}" if line else "")
            return Locator(path=path, line=line, commit=s.commit, url=url)
        return Locator(path=path, line=line, commit=s.commit)

    def file_evidence(
        self,
        kind: str,
        path: str,
        *,
        line: int | None = None,
        attributes: dict[str, Any] | None = None,
        strength: Strength = Strength.DIRECT,
        summary: str = "",
        source: str = "repo",
    ) -> Evidence:
        return Evidence(
            kind=kind,
            subject=self.subject.id,
            source=source,
            locator=self.file_locator(path, line),
            attributes=attributes or {},
            strength=strength,
            collected_at=self.now,
            summary=summary,
        )

    def api_evidence(
        self,
        kind: str,
        source: str,
        url: str,
        *,
        attributes: dict[str, Any] | None = None,
        strength: Strength = Strength.DIRECT,
        summary: str = "",
        resource: str | None = None,
    ) -> Evidence:
        return Evidence(
            kind=kind,
            subject=self.subject.id,
            source=source,
            locator=Locator(url=url, resource=resource),
            attributes=attributes or {},
            strength=strength,
            collected_at=self.now,
            summary=summary,
        )


class Collector:
    """Base class for collectors. Subclasses set the class attributes and implement `collect`."""

    name: ClassVar[str] = ""
    source: ClassVar[str] = "repo"
    # what kind of source it is, for probes that need "a code host" or "a cloud" rather than one vendor:
    # "scm" (a code-hosting platform) or "cloud" (see wafops.scanner.core.sources); "" for none
    role: ClassVar[str] = ""
    # what results say of this source when it was not part of the scan (and how to add it)
    not_scanned: ClassVar[str] = "not scanned"
    description: ClassVar[str] = ""
    needs: ClassVar[str] = "a directory tree (a checkout)"
    controls: ClassVar[tuple[str, ...]] = ()
    # how long it takes on a large checkout, relative to others (1: an average repository collector); only
    # the order in which two processes take collectors depends on it (heaviest first)
    weight: ClassVar[float] = 1.0
    # what its outcome depends on besides the subject, the options and wafops' code, so that a re-scan may
    # reuse it when none changed (wafops.scanner.reuse): "tree" (the files of the walk: the collector finds
    # files by the walk's list only), "git" (the checkout's history, counted back from the scan's clock).
    # Empty: it reads something else (an API) and always runs.
    reads: ClassVar[tuple[str, ...]] = ()

    def applies(self, subject: Subject, ctx: CollectContext) -> bool:
        """Whether this collector can run for the subject (file collectors need a tree)."""
        return ctx.tree is not None

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:  # pragma: no cover
        raise NotImplementedError

    def hcl_blocks(self, subject: Subject, ctx: CollectContext) -> Iterable[tuple[str, Wanted]]:
        """The .tf files `collect` will parse and the blocks it reads of each: the `(path, wanted)` it
        will hand to `ctx.tree.hcl`, picked by the same cheap test.

        Why: the engine parses every collector's blocks once, in worker processes, before any collector
        runs (and before the collectors are split over two processes, which would each parse a block
        both read). Only speed depends on it: a block left out is parsed when it is asked for.
        """
        return ()

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {
            "name": cls.name,
            "source": cls.source,
            "role": cls.role,
            "description": cls.description,
            "needs": cls.needs,
            "controls": list(cls.controls),
        }


class TargetResolver:
    """Turns a target string with a scheme (e.g. `github:acme`) into subjects.

    Registered in the `wafops.targets` entry-point group under the scheme name. Local paths are
    handled by the core.
    """

    scheme: ClassVar[str] = ""
    description: ClassVar[str] = ""
    # git remote hosts this platform serves (`github` matches github.com and GitHub Enterprise hosts), so a
    # local scan of a checkout can name the target that would settle what it could not read
    remote_hosts: ClassVar[tuple[str, ...]] = ()

    def resolve(self, target: str, options: dict[str, Any], warn: Any) -> list[Subject]:  # pragma: no cover
        raise NotImplementedError

    def prepare(self, subject: Subject, options: dict[str, Any], warn: Any) -> None:
        """Make `subject.workdir` available (e.g. download a tarball). Default: nothing to do."""

    def cleanup(self, subject: Subject) -> None:
        """Remove what `prepare` created."""


class TargetError(ValueError):
    """A target that cannot be scanned at all (usage error, exit code 2).

    Part of the plugin contract, so a resolver raises it without importing the engine."""


class ScanSourceError(RuntimeError):
    """A target whose source could not be read at all (an API outage, an HTML page): exit code 3."""

    def __init__(self, message: str, source: str = "") -> None:
        super().__init__(message)
        self.source = source or "scan"
