"""How a RepoTree gets its HCL parses: the wanted blocks of a file assembled, and many files parsed ahead
in worker processes, with the persistent parse cache in front.

Why apart from `files`: the tree reads files; this is the plumbing that makes python-hcl2 (pure Python,
about 8 ms of CPU per file) affordable on a monorepo: only the blocks readers want are parsed
(`wafops.scanner.core.hcl_blocks`), in two or more processes, and a re-scan reads one cache entry per
file ("hcl-blocks": the parses of the blocks every reader together wants) instead of parsing again.

The workers ignore Ctrl-C; the main process, interrupted, cancels what is queued, stops the workers and
waits for them before the interrupt goes on (no orphaned processes).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from wafops.scanner.core import files
from wafops.scanner.core.files import RepoTree, _digest
from wafops.scanner.core.hcl_blocks import Wanted, block_source, split_blocks

# files._CONTENT_CACHE is read through its module each time (tests swap it for a fresh one)
PARALLEL_MIN_FILES = 64  # parses below this: starting worker processes costs more than it saves
WHOLE = object()  # a file whose wanted blocks cannot be parsed apart: parse it whole



@dataclass
class _Bundle:
    """One file's parse-ahead: the blocks all asks on it parse together (the whole text first when one
    asks for the whole file), and what `_answer` needs once they are parsed."""

    path: str
    text: str
    split: list[Wanted]  # the asks that take blocks
    picks: list[int]  # positions of the blocks parsed
    whole: bool
    sources: list[str]
    digests: list[str]


Bundles = dict[str, _Bundle]  # by cache key


def wanted_blocks(tree: RepoTree, text: str, wanted: Wanted) -> Any:
    """The parse of the wanted blocks of `text`, assembled in the file's order; WHOLE when the cut does
    not read the file or a wanted block does not parse alone (the whole file's parse then decides, and warns)."""
    from wafops.scanner.core.hcl import parse_hcl

    segments = split_blocks(text)
    if segments is None:
        return WHOLE
    out: dict[str, list[Any]] = {}
    for segment in segments:
        if not wanted(segment.type, segment.label):
            continue
        source = block_source(text, segment)
        digest = _digest(source)
        hit, parsed = tree.known_parse("hcl", digest)
        if not hit:
            try:
                parsed = parse_hcl(source)
            except Exception:
                return WHOLE
            tree.keep_parse("hcl", digest, parsed)
        _merge(out, parsed)
    return out


def _merge(out: dict[str, list[Any]], parsed: dict[str, list[Any]]) -> None:
    """Add one block's parse to the assembled answer, as the whole file's parse lists its blocks."""
    for btype, items in parsed.items():
        out.setdefault(btype, []).extend(items)


def prefetch(tree: RepoTree, asks: Iterable[tuple[str, Wanted | None]]) -> None:
    """Parse in worker processes what `tree.hcl(path, wanted)` will parse for each ask, filling the content
    cache; each file's bundle goes to the persistent cache as soon as its last part is parsed."""
    bundles = _bundles(tree, asks)
    todo: dict[str, str] = {}  # digest -> source, in the order of the bundles
    for bundle in bundles.values():
        for digest, source in zip(bundle.digests, bundle.sources, strict=True):
            if ("hcl", digest) not in files._CONTENT_CACHE:
                todo.setdefault(digest, source)
    plain = _read_plain(todo)
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) >= PARALLEL_MIN_FILES and workers >= 2:
        order = list(todo)
        # a file read by the fast path alone is not kept: reading it again costs what reading the entry would
        kept = {key: b for key, b in bundles.items() if not plain.issuperset(b.digests)}
        writer = _BundleWriter(tree, kept, {d: k for k, d in enumerate(order)})

        def keep(index: int, result: Any) -> None:
            if result is not None:
                files._CONTENT_CACHE[("hcl", order[index])] = result
            writer.done_up_to(index)

        parse_in_workers([todo[d] for d in order], workers, keep)
        if tree.cache is not None:
            tree.cache.flush()
    elif not plain:
        return  # each is parsed when asked
    # the answers too, here: made once before the collectors fork, they are shared, not built in each process
    for b in bundles.values():
        parses = [files._CONTENT_CACHE.get(("hcl", d)) for d in b.digests]
        if all(p is not None for p in parses):
            _answer(tree, b.path, b.text, b.split, b.picks, parses, b.whole)


def _read_plain(todo: dict[str, str]) -> set[str]:
    """Read here what `hcl_simple` reads alone (about 50 microseconds a block, less than handing it to a
    worker), into the content cache; those are taken out of `todo` and their digests returned. (A worker
    reads the rest again, cutting out for python-hcl2 only what it must: cutting here would run python-hcl2
    in this process.)"""
    from wafops.scanner.core import hcl_simple

    plain = set()
    for digest, source in list(todo.items()):
        parsed = hcl_simple.parse(source)
        if parsed is not None:
            files._CONTENT_CACHE[("hcl", digest)] = parsed
            plain.add(digest)
            del todo[digest]
    return plain


def _bundles(tree: RepoTree, asks: Iterable[tuple[str, Wanted | None]]) -> Bundles:
    """Per file not yet parsed: what the asks on it parse together. A bundle found in the persistent cache
    answers the asks on its file at once (`_answer`) and is left out.

    The key is the file's digest and the positions of the blocks parsed: the cut is deterministic for a
    text (and the cut's code is part of the entry's version), so no block needs hashing on a re-scan.
    Also returned, per bundle: what `_answer` needs once its parts are parsed."""
    by_path: dict[str, list[Wanted | None]] = {}
    for path, wanted in asks:
        if not tree.has_parse(path, wanted):
            by_path.setdefault(path, []).append(wanted)
    bundles: Bundles = {}
    for path, wanteds in by_path.items():
        text = tree.text(path)
        if text is None:
            continue
        segments = split_blocks(text) if files.SPLIT_HCL else None
        split = [w for w in dict.fromkeys(wanteds) if w is not None] if segments is not None else []
        whole = segments is None or None in wanteds
        picks = [k for k, s in enumerate(segments or ()) if any(w(s.type, s.label) for w in split)]
        texts = ([text] if whole else []) + [block_source(text, segments[k]) for k in picks]  # type: ignore[index]
        if not texts:
            continue
        key = f"{_digest(text)}{'+whole' if whole else ''}:{','.join(map(str, picks))}"
        hit, parses = tree.cache.get("hcl-blocks", key) if tree.cache is not None else (False, None)
        if hit and isinstance(parses, list) and len(parses) == len(texts):
            _answer(tree, path, text, split, picks, parses, whole)
            continue
        digests = [_digest(s) for s in texts]
        if not all(("hcl", d) in files._CONTENT_CACHE for d in digests):
            bundles[key] = _Bundle(path, text, split, picks, whole, texts, digests)
    return bundles


def _answer(tree: RepoTree, path: str, text: str, split: list[Wanted], picks: list[int], parses: list[Any],
            whole: bool) -> None:
    """Answer the asks on one file from its bundle: the whole parse into the content cache, and for each
    `wanted` the assembly `tree.hcl(path, wanted)` would make of its blocks."""
    if whole:
        files._CONTENT_CACHE[("hcl", _digest(text))] = parses[0]
        parses = parses[1:]
    segments = split_blocks(text) or ()
    for wanted in split:
        out: dict[str, list[Any]] = {}
        for k, parsed in zip(picks, parses, strict=True):
            if wanted(segments[k].type, segments[k].label):
                _merge(out, parsed)
        tree.remember_hcl(path, wanted, out)


class _BundleWriter:
    """Writes each file's bundle of parses to the persistent cache as soon as its last part is parsed,
    while the workers parse the rest (the main process only waits for them otherwise)."""

    def __init__(self, tree: RepoTree, bundles: Bundles, index: dict[str, int]) -> None:
        self.cache = tree.cache
        # bundles by the position of the last of their parts to be parsed (-1: all known already)
        self.waiting = sorted(((max((index.get(d, -1) for d in b.digests), default=-1), key, b.digests)
                               for key, b in bundles.items()), reverse=True)

    def done_up_to(self, index: int) -> None:
        while self.waiting and self.waiting[-1][0] <= index:
            _last, key, digests = self.waiting.pop()
            parses = [files._CONTENT_CACHE.get(("hcl", d)) for d in digests]
            if self.cache is not None and all(p is not None for p in parses):  # a failed part: not kept
                self.cache.put("hcl-blocks", key, parses)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process' to handle


def _sigint(how: int) -> None:
    if hasattr(signal, "pthread_sigmask"):  # (not on Windows, where no worker is forked either)
        signal.pthread_sigmask(how, {signal.SIGINT})


def _start_method() -> str:
    """fork when this process runs one thread: the workers start at once, sharing what is loaded (python-hcl2
    too), and leave no forkserver and no resource tracker behind (about 17 MB that lived on through the
    collectors). forkserver otherwise (a multi-subject scan parses from threads, and fork is not safe then)."""
    import multiprocessing
    import threading

    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "forkserver"


def parse_in_workers(texts: list[str], workers: int, keep: Callable[[int, Any], None]) -> bool:
    """parse_hcl_or_none of each text in worker processes; `keep(index, result)` for each, in order, as
    they arrive. False when processes cannot start or the pool breaks (the rest is parsed when asked).

    Interrupted (KeyboardInterrupt, SystemExit), the queued parses are cancelled, the workers
    stopped and waited for, and the interrupt re-raised.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from wafops.scanner.core import hcl_parser
    from wafops.scanner.core.hcl import parse_hcl_or_none

    hcl_parser.parser()  # built (loaded) once here: forked workers share it instead of each loading it
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(_start_method()),
                                   initializer=_ignore_sigint)
    except (OSError, RuntimeError, ValueError):
        return False
    try:
        chunks = max(1, len(texts) // (workers * 4))
        # Ctrl-C waits while the workers start (here): a worker forked but not yet known to the pool would
        # not be stopped below, and the scan would wait for it at exit
        _sigint(signal.SIG_BLOCK)
        gc.freeze()  # forked workers: their garbage collector must not write to (and so copy) every shared page
        try:
            results = pool.map(parse_hcl_or_none, texts, chunksize=chunks)
        finally:
            gc.unfreeze()
            _sigint(signal.SIG_UNBLOCK)  # a Ctrl-C that waited is raised here, in the `try`
        for index, result in enumerate(results):
            keep(index, result)
    except (OSError, RuntimeError, ValueError):  # a broken pool
        pool.shutdown(wait=True, cancel_futures=True)
        return False
    except BaseException:
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:  # a worker may be deep in a long chunk: stop it rather than wait
            with contextlib.suppress(Exception):
                proc.terminate()
        for proc in procs:
            with contextlib.suppress(Exception):
                proc.join(5)
        with contextlib.suppress(Exception):
            pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True)
    return True
