"""Run one subject's collectors: one after another, or in two processes over the walked tree.

Why two processes: the repository collectors are pure Python and CPU-bound. On a large checkout they
take seconds one after another while the second core idles, and threads would not help (the GIL).
So, once the tree is walked (and the Terraform every collector will read is parsed, see `_parse_ahead`),
the scan forks. The parent and the child take collectors from one shared counter, heaviest first
(`Collector.weight`), so neither idles while the other has work.

Each collector runs against its own context: evidence, warnings, source statuses and the files it
could not read are kept per collector. They are then replayed in the plugins' order, so the result is
the same, item for item, as a serial run. A collector the child did not report back (it died, or its
result could not be sent) is run again in the parent: nothing collected is lost.

Forking is only done where it is safe and worth it: a platform with `fork`, a process with no other
thread (a thread holding a lock at the fork would leave the child stuck), at least two CPUs, a tree of
`MIN_FILES` or more, and only repository and git collectors (platform and cloud collectors share
client threads and caches with their resolver). Otherwise, or with `WAFOPS_NO_FORK=1`, the
collectors run one after another in this process, as before.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import struct
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from wafops.collectors.base import CollectContext, Collector
from wafops.scanner import reuse as reuse_mod
from wafops.scanner.core.files import RepoTree, TreeWarning
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Evidence, ScanWarning, SourceState, SourceStatus

_FRAME = struct.Struct(">Q")  # the length of each pickled outcome in the child's spool
MIN_FILES = 2000  # below this, a fork and the transfer of results cost more than they save
LOCAL_ROLES = ("", "repo", "git")  # collectors that only read the local tree may run in the child


@dataclass
class Outcome:
    """What one collector left: its evidence (None: it did not run or failed) and its side effects."""

    index: int
    items: list[Evidence] | None = None
    ran: bool | None = None  # True: finished; False: failed; None: did not apply
    warnings: list[ScanWarning] = field(default_factory=list)
    statuses: list[SourceStatus] = field(default_factory=list)
    tree_warnings: list[TreeWarning] = field(default_factory=list)
    unread: list[tuple[str, str, set[str]]] = field(default_factory=list)  # path, reason, readers


def run_one(index: int, collector: Collector, ctx: CollectContext, rewarn: bool = False) -> Outcome:
    """Run one collector against a context of its own; a failure costs a warning, never a crash.

    `rewarn`: forget first what the tree remembers of files that drew a warning, so this collector warns
    again about each it reads. When collectors do not run in the plugins' order (two processes, the
    heaviest first, one run again), the replay keeps each warning where the first reader in that order
    put it, as a serial run does."""
    own = replace(ctx, warnings=[], statuses=dict(ctx.statuses))  # earlier verdicts stay readable
    tree = ctx.tree
    if rewarn and tree is not None:
        tree.forget_warned()
    mark = _tree_mark(tree)
    out = Outcome(index)
    try:
        applies = collector.applies(own.subject, own)
    except Exception as err:
        own.warn(collector.source, f"collector {collector.name}: {err}")
        applies = False
    if applies:
        if tree is not None:
            tree.reader = collector.name
        try:
            out.items = list(collector.collect(own.subject, own))
            out.ran = True
        except Exception as err:  # keep what the other collectors found
            own.warn(collector.source, f"collector {collector.name} failed: {type(err).__name__}: {err}")
            own.source_status(collector.source, SourceState.ERROR, f"collector {collector.name} failed: {err}")
            out.ran = False
    out.warnings = own.warnings
    out.statuses = [st for name, st in own.statuses.items() if ctx.statuses.get(name) is not st]
    out.tree_warnings, out.unread = _tree_delta(tree, mark)
    return out


def run_collectors(collectors: list[Collector], ctx: CollectContext, ran: dict[str, bool]) -> list[Evidence]:
    """Every collector's evidence, in order; `ran` records, per source, whether a collector of it finished.

    A collector whose inputs did not change since a scan that kept its outcome (wafops.scanner.reuse) is
    not run: its outcome is replayed in its place, as a forked collector's is."""
    reuse, kept = _prepare_reuse(collectors, ctx)
    fresh = [i for i in range(len(collectors)) if i not in kept]
    subset = [collectors[i] for i in fresh]
    keep = None if reuse is None else (lambda out, data: reuse.keep(fresh[out.index], out, data))
    outcomes = _in_two_processes(subset, ctx, keep) if _fork_worth_it(subset, ctx) else None
    forked = outcomes is not None
    evidence: list[Evidence] = []
    if outcomes is None:
        _parse_ahead(subset, ctx, _asks(subset, ctx))
        outcomes = _one_after_another(collectors, ctx, kept, ran, evidence)
    else:
        for out in outcomes:
            out.index = fresh[out.index]
        seen = _seen(ctx.tree)
        for out in sorted([*outcomes, *kept.values()], key=lambda o: o.index):
            _apply(out, collectors, ctx, ran, evidence, seen)
    if reuse is not None:
        ctx.reused = [collectors[i].name for i in sorted(kept)]
        if not forked:  # (forked, each outcome was kept as it came: pickled once, not held)
            with contextlib.suppress(Exception):  # speed only: the next scan runs them again
                reuse.store(outcomes)
    return evidence


def _one_after_another(collectors: list[Collector], ctx: CollectContext, kept: dict[int, Outcome],
                       ran: dict[str, bool], evidence: list[Evidence]) -> list[Outcome]:
    """Run the collectors not `kept` in this process, in order, each seeing the source statuses of those
    before it; the outcomes of those run. Beside replayed outcomes, a run collector's tree side effects are
    replayed as theirs are."""
    outcomes = []
    for i, collector in enumerate(collectors):
        if i in kept:
            _apply(kept[i], collectors, ctx, ran, evidence, _seen(ctx.tree))
        elif not kept:
            outcomes.append(run_one(i, collector, ctx))
            _apply(outcomes[-1], collectors, ctx, ran, evidence, None)
        else:
            mark = _tree_mark(ctx.tree)
            outcomes.append(run_one(i, collector, ctx, rewarn=True))
            _tree_reset(ctx.tree, mark)
            _apply(outcomes[-1], collectors, ctx, ran, evidence, _seen(ctx.tree))
    return outcomes


def _prepare_reuse(collectors: list[Collector], ctx: CollectContext) -> tuple[Any, dict[int, Outcome]]:
    """The subject's reuse keys and the outcomes kept under them; (None, {}) when none may be reused."""
    try:
        reuse = reuse_mod.prepare(collectors, ctx)
        return reuse, (reuse.lookup() if reuse is not None else {})
    except Exception:  # speed only: every collector runs
        return None, {}


def _seen(tree: RepoTree | None) -> set[tuple[str, str]]:
    return {(w.path, w.message) for w in tree.warnings} if tree is not None else set()


def _apply(out: Outcome, collectors: list[Collector], ctx: CollectContext, ran: dict[str, bool],
           evidence: list[Evidence], seen: set[tuple[str, str]] | None) -> None:
    """Add one collector's outcome to the subject's, as a serial run would have left it. `seen`: the
    tree warnings so far, when the tree's side effects happened in another process (None: in this one)."""
    ctx.warnings.extend(out.warnings)
    for st in out.statuses:
        ctx.source_status(st.source, st.status, st.reason)
    tree = ctx.tree
    if tree is not None and seen is not None:
        for w in out.tree_warnings:  # two processes may both warn about a file one read would have
            if (w.path, w.message) not in seen:
                seen.add((w.path, w.message))
                tree.warnings.append(w)
        for path, reason, readers in out.unread:
            tree.unread.setdefault(path, reason)
            tree.unread_by.setdefault(path, set()).update(readers)
    if out.ran is None:
        return
    source = collectors[out.index].source
    if out.ran:
        evidence.extend(out.items or [])
        ran[source] = True
    else:
        ran.setdefault(source, False)


def _asks(collectors: list[Collector], ctx: CollectContext) -> dict[int, list[tuple[str, Wanted]]]:
    """The HCL blocks each collector that runs will read (by its position), from its `hcl_blocks`."""
    asks: dict[int, list[tuple[str, Wanted]]] = {}
    if ctx.tree is None:
        return asks
    for k, collector in enumerate(collectors):
        if not _applies_quietly(collector, ctx):
            continue
        try:
            asks[k] = list(collector.hcl_blocks(ctx.subject, ctx) or ())
        except Exception:  # speed only: the collector parses its blocks itself
            continue
    return asks


def _parse_ahead(collectors: list[Collector], ctx: CollectContext,
                 asks: dict[int, list[tuple[str, Wanted]]]) -> None:
    """Parse, once (in worker processes where python-hcl2 is needed), every HCL block the collectors that
    run will read.

    Why here: three collectors parse many of the same .tf files; asked one by one each starts its own
    workers, and split over two processes each process would parse what both read. A collector whose
    `hcl_blocks` fails only loses the head start (its blocks are parsed when asked).
    """
    merged: dict[tuple[str, Wanted], None] = {}
    for k in sorted(asks):
        merged.update(dict.fromkeys(asks[k]))
    if merged and ctx.tree is not None:
        ctx.tree.prefetch_hcl_blocks(merged)


# ---- the tree's side effects, per collector ---------------------------------------------------------
def _tree_mark(tree: RepoTree | None) -> tuple[int, dict[str, str], dict[str, frozenset[str]]]:
    if tree is None:
        return 0, {}, {}
    return len(tree.warnings), dict(tree.unread), {p: frozenset(r) for p, r in tree.unread_by.items()}


def _tree_reset(tree: RepoTree | None, mark: tuple[int, dict[str, str], dict[str, frozenset[str]]]) -> None:
    if tree is not None:
        count, unread, readers = mark
        del tree.warnings[count:]
        tree.unread.clear()
        tree.unread.update(unread)
        tree.unread_by.clear()
        tree.unread_by.update({p: set(r) for p, r in readers.items()})


def _tree_delta(tree: RepoTree | None, mark: tuple[int, dict[str, str], dict[str, frozenset[str]]]
                ) -> tuple[list[TreeWarning], list[tuple[str, str, set[str]]]]:
    """The tree warnings and unread files a collector added since `mark`."""
    if tree is None:
        return [], []
    count, unread, readers = mark
    added = []
    for path, reason in tree.unread.items():
        new = set(tree.unread_by.get(path, ())) - readers.get(path, frozenset())
        if path not in unread or new:
            added.append((path, reason, new))
    return list(tree.warnings[count:]), added


# ---- two processes ----------------------------------------------------------------------------------
def _fork_worth_it(collectors: list[Collector], ctx: CollectContext) -> bool:
    if os.environ.get("WAFOPS_NO_FORK") or ctx.tree is None or len(ctx.tree.files) < MIN_FILES:
        return False
    if (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    running = [c for c in collectors if _applies_quietly(c, ctx)]
    return len(running) >= 2 and all(getattr(c, "role", "") in LOCAL_ROLES for c in running)


def _applies_quietly(collector: Collector, ctx: CollectContext) -> bool:
    """Whether the collector will run (asked again, with its warning, when it is run)."""
    try:
        return bool(collector.applies(ctx.subject, replace(ctx, warnings=[], statuses=dict(ctx.statuses))))
    except Exception:
        return False


def _in_two_processes(collectors: list[Collector], ctx: CollectContext,
                      keep: Callable[[Outcome, bytes | None], Any] | None = None) -> list[Outcome] | None:
    """Outcomes of every collector, taken in turn by this process and a forked child; None if no child.
    `keep(outcome, pickled)`: called for each outcome as it is done (this process' own while the child may
    still run, the child's as they arrive, with the bytes it sent), to keep it for a re-scan.

    The parse ahead (`_parse_ahead`) is shared with the child: it is done before the child is forked.
    So that the second core does not idle meanwhile, the collectors that read no HCL go to an early
    child, forked before the parse, and the rest are taken in turn once it is done."""
    asks = _asks(collectors, ctx)
    first = [k for k in range(len(collectors)) if k not in asks or not asks[k]]
    parsing = any(asks.values())
    early = _fork_child(collectors, ctx, skip=set(range(len(collectors))) - set(first)) if parsing and first \
        else None
    try:
        if early is not None:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a Ctrl-C waiting is raised here
        _parse_ahead(collectors, ctx, asks)
        mark = _tree_mark(ctx.tree)  # (what the parse ahead left stays, as in a run in one process)
        skip = set(first) if early is not None else set()
        late = _fork_child(collectors, ctx, skip=skip)
        if late is None:
            _abandon(early)
            return None
        mine, theirs = _with_child(collectors, ctx, late, skip, keep)
        if early is not None:
            theirs += _join(early, keep)
    except BaseException:  # Ctrl-C or a crash here: the early child must not outlive the scan
        _abandon(early)
        raise
    done = {o.index for o in mine} | {o.index for o in theirs}
    redo = [run_one(i, c, ctx, rewarn=True) for i, c in enumerate(collectors) if i not in done]
    _keep_each(keep, [(o, None) for o in redo])
    _tree_reset(ctx.tree, mark)  # this process' side effects are in its outcomes, replayed in order
    return mine + theirs + redo


def _fork_child(collectors: list[Collector], ctx: CollectContext, skip: set[int]) -> tuple[Any, Any, Any] | None:
    """A forked child taking the collectors not in `skip` in turn (with this process, through the counter),
    writing its outcomes to a spool: (child, spool, counter), or None when no child could be made.

    Returns with Ctrl-C held (blocked) while the child was being made: the caller releases it inside a
    `try` that stops the child, so an interrupt between the fork and that `try` leaves no child nobody
    stops (blocked writing its results, the parent waiting for it at exit: a hang)."""
    mp = multiprocessing.get_context("fork")
    try:
        # the child writes its outcomes here and exits at once, its memory freed while this process still
        # works (over a pipe it stayed, blocked, until this process read them: both at their peak together)
        spool = tempfile.TemporaryFile()
    except OSError:
        return None
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    gc.freeze()  # the garbage collector of the child must not write to (and so copy) every page it shares
    child = None
    try:
        counter = mp.Value("i", 0)
        child = mp.Process(target=_child, args=(collectors, ctx, counter, spool, skip))
        child.start()
    except (OSError, RuntimeError, ValueError):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        spool.close()
        return None
    except BaseException:  # an interrupt noted just before the block
        _stop(child)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        spool.close()
        raise
    finally:
        gc.unfreeze()
    return child, spool, counter


def _with_child(collectors: list[Collector], ctx: CollectContext, forked: tuple[Any, Any, Any], skip: set[int],
                keep: Callable[[Outcome, bytes | None], Any] | None) -> tuple[list[Outcome], list[Outcome]]:
    """Take turns with the child `forked` over the collectors not in `skip`: (this process' outcomes, the
    child's)."""
    child, spool, counter = forked
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a Ctrl-C waiting is raised here
        mine = _take_turns(collectors, ctx, counter, skip)
        _keep_each(keep, [(o, None) for o in mine])
        theirs = _join(forked, keep)
    except BaseException:  # Ctrl-C or a crash here: the child must not outlive the scan
        _stop(child)
        spool.close()
        raise
    return mine, theirs


def _abandon(forked: tuple[Any, Any, Any] | None) -> None:
    """Stop a child (if any) and drop what it wrote: its collectors are run again or the scan ends."""
    if forked is not None:
        _stop(forked[0])
        forked[1].close()


def _join(forked: tuple[Any, Any, Any], keep: Callable[[Outcome, bytes | None], Any] | None) -> list[Outcome]:
    """Wait for a child to leave, and read the outcomes it wrote."""
    child, spool, _counter = forked
    try:
        child.join()
        return _receive(spool, keep)
    finally:
        spool.close()


def _stop(child: Any) -> None:
    """Stop the child (if it was started) and wait for it."""
    if child is None or child.pid is None:
        return
    with contextlib.suppress(Exception):
        child.terminate()
        child.join(5)


def _take_turns(collectors: list[Collector], ctx: CollectContext, counter: Any, skip: set[int]) -> list[Outcome]:
    """Run the next collector nobody has taken yet (but those in `skip`), until none is left; the heaviest
    go first, so the process that takes the last ones waits least for the other."""
    order = sorted((i for i in range(len(collectors)) if i not in skip),
                   key=lambda i: -float(getattr(collectors[i], "weight", 1.0)))
    outcomes = []
    while True:
        with counter.get_lock():
            turn = counter.value
            counter.value += 1
        if turn >= len(order):
            return outcomes
        outcomes.append(run_one(order[turn], collectors[order[turn]], ctx, rewarn=True))


def _child(collectors: list[Collector], ctx: CollectContext, counter: Any, spool: Any, skip: set[int]) -> None:
    """The forked process: take collectors in turn, then send their outcomes and leave."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # (blocked by the parent while forking)
    code = 0
    try:
        # results go to the spool when the child has nothing left to take; the parent reads them once
        # the child has left
        outcomes = _take_turns(collectors, ctx, counter, skip)
        for outcome in outcomes:
            try:
                data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, AttributeError):
                continue  # not sendable: the parent runs this collector again
            spool.write(_FRAME.pack(len(data)) + data)
        spool.flush()
        tree = ctx.tree
        if tree is not None and tree.cache is not None:
            tree.cache.flush()
    except BaseException:
        code = 1
    finally:
        with contextlib.suppress(Exception):
            spool.flush()
        os._exit(code)  # no atexit handlers or buffers of the parent run twice


def _keep_each(keep: Callable[[Outcome, bytes | None], Any] | None, pairs: list[tuple[Outcome, bytes | None]]) -> None:
    if keep is None:
        return
    for outcome, data in pairs:
        with contextlib.suppress(Exception):  # speed only: the next scan runs it again
            keep(outcome, data)


def _receive(spool: Any, keep: Callable[[Outcome, bytes | None], Any] | None = None) -> list[Outcome]:
    """Outcomes the child wrote to the spool before it left (whole frames only: a child that died mid-write
    leaves a short last frame, and that collector is run again)."""
    out = []
    spool.seek(0)
    while True:
        head = spool.read(_FRAME.size)
        if len(head) < _FRAME.size:
            return out
        (size,) = _FRAME.unpack(head)
        data = spool.read(size)
        if len(data) < size:
            return out
        try:
            outcome = _loads(data)
        except Exception:
            continue
        if isinstance(outcome, Outcome):
            _keep_each(keep, [(outcome, data)])
            out.append(outcome)


def _loads(data: bytes) -> Any:
    """pickle.loads with the garbage collector paused: unpickling thousands of evidence items (each a few
    new containers) otherwise starts a collection every 700 allocations, about half of the time taken."""
    with reuse_mod.paused_gc():
        return pickle.loads(data)
