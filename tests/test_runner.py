"""Collectors in two processes give what one process gives, and lose nothing when the child fails.

The runner forks once the tree is walked; parent and child take collectors in turn and the outcomes
are replayed in the plugins' order. These tests run the same collectors both ways over one tree and
compare everything a collector leaves: evidence (and its order), warnings, source statuses, tree
warnings and unread files. The two-process path is forced on small trees (MIN_FILES lowered) and a
spy checks that it really ran.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from wafops.collectors.base import CollectContext, Collector
from wafops.scanner import runner
from wafops.scanner.core.files import MAX_FILE_BYTES, RepoTree
from wafops.scanner.core.model import Evidence, SourceState, Subject

from tests.helpers import NOW, write_tree

PARENT = os.getpid()


class Reader(Collector):
    """Evidence for every file whose text holds `word`; reads the oversized file too (it is unread)."""

    source = "repo"

    def __init__(self, name: str, word: str) -> None:
        self.name, self.word = name, word

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterator[Evidence]:
        tree = ctx.tree
        assert tree is not None
        tree.text("big.txt")
        tree.text(f"big-{self.name}.txt")  # its own unreadable file: the tree warnings' order shows
        for path in tree.files:
            text = tree.text(path) or ""
            if self.word in text:
                yield ctx.file_evidence("test.hit", path, line=1, summary=f"{self.name}:{path}")
        ctx.warn("repo", f"{self.name} done")
        ctx.source_status("repo", SourceState.PARTIAL, f"{self.name} saw {len(tree.files)} files")


class Failing(Collector):
    name = "failing"
    source = "git"

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterator[Evidence]:
        yield ctx.file_evidence("test.hit", "a.txt")
        raise RuntimeError("boom")


class Slow(Reader):
    """Busy for a moment, so the other process takes the next collectors."""

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterator[Evidence]:
        import time

        time.sleep(0.3)
        yield from super().collect(subject, ctx)


def _in_child(ctx: CollectContext, name: str) -> bool:
    """Whether this runs in the forked child (leaving a mark the test can look for)."""
    if os.getpid() == PARENT:
        return False
    (ctx.tree.root.parent / f"child-ran-{name}").write_text(str(os.getpid()))
    return True


class DiesInChild(Slow):
    """Kills the process it runs in when that is the forked child: the parent must run it again."""

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterator[Evidence]:
        if _in_child(ctx, self.name):
            os._exit(3)
        yield from super().collect(subject, ctx)


class Unsendable(Slow):
    """Evidence that cannot be pickled when made in the child: the parent must run it again."""

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterator[Evidence]:
        child = _in_child(ctx, self.name)
        for item in super().collect(subject, ctx):
            if child:
                item.attributes["fn"] = lambda: None
            yield item


class HclReader(Slow):
    """Parses the Terraform files in worker processes (the child must be allowed children)."""

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterator[Evidence]:
        _in_child(ctx, self.name)
        tree = ctx.tree
        paths = tree.with_suffix(".tf")
        tree.prefetch_hcl(paths)
        for path in paths:
            for rtype in (tree.hcl(path) or {}).get("resource", []):
                yield ctx.file_evidence("test.resource", path, summary=f"{self.name}:{sorted(rtype)}")
        yield from super().collect(subject, ctx)


def _context(root) -> CollectContext:
    tree = RepoTree.scan(root, cache=None)
    return CollectContext(subject=Subject("local:t", workdir=str(root)), tree=tree, now=NOW)


@pytest.fixture()
def root(tmp_path):
    tmp_path = tmp_path / "tree"
    files = {f"f{i}.txt": ("alpha " if i % 2 else "beta ") * 3 for i in range(40)}
    files["a.txt"] = "alpha"
    # (a for expression: not plain HCL, so python-hcl2 parses it, in worker processes where there are enough)
    files.update({f"tf/m{i}.tf": f'resource "aws_sns_topic" "t{i}" {{\n  name = [for e in var.envs : "t{i}-${{e}}"]\n}}\n'
                  for i in range(4)})
    write_tree(tmp_path, files)
    for name in ("big", "big-a", "big-b", "big-c", "big-d"):
        (tmp_path / f"{name}.txt").write_text("x" * (MAX_FILE_BYTES + 1))
    return tmp_path


def _run(root, collectors, fork: bool, monkeypatch) -> tuple[CollectContext, list, dict, bool]:
    monkeypatch.setattr(runner, "MIN_FILES", 1)
    if not fork:
        monkeypatch.setenv("WAFOPS_NO_FORK", "1")
    else:
        monkeypatch.delenv("WAFOPS_NO_FORK", raising=False)
    forked = []
    real = runner._in_two_processes

    def spy(cs, ctx, *args, **kwargs):
        out = real(cs, ctx, *args, **kwargs)
        forked.append(out is not None)
        return out

    monkeypatch.setattr(runner, "_in_two_processes", spy)
    ctx = _context(root)
    ran: dict[str, bool] = {}
    evidence = runner.run_collectors(collectors, ctx, ran)
    return ctx, evidence, ran, any(forked)


def _everything(ctx: CollectContext, evidence, ran) -> dict:
    tree = ctx.tree
    return {
        "evidence": [(e.id, e.summary) for e in evidence],
        "warnings": [(w.source, w.message, w.path) for w in ctx.warnings],
        "statuses": {k: (s.status, s.reason) for k, s in ctx.statuses.items()},
        "tree_warnings": [(w.path, w.message) for w in tree.warnings],
        "unread": dict(tree.unread),
        "unread_by": {k: sorted(v) for k, v in tree.unread_by.items()},
        "ran": ran,
    }


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="two processes need two CPUs")
def test_two_processes_leave_what_one_leaves(root, monkeypatch):
    def make() -> list[Collector]:
        slow, heavy = Slow("c", "alpha"), Reader("d", "x")
        slow.weight, heavy.weight = 4.0, 5.0  # taken first: the process that takes d reads big.txt, then a
        return [Reader("a", "alpha"), Reader("b", "beta"), Failing(), slow, heavy]

    serial = _everything(*_run(root, make(), False, monkeypatch)[:3])
    ctx, evidence, ran, forked = _run(root, make(), True, monkeypatch)
    assert forked, "the two-process path did not run"
    assert _everything(ctx, evidence, ran) == serial
    assert serial["evidence"] and serial["ran"] == {"repo": True, "git": False}
    assert serial["unread_by"]["big.txt"] == ["a", "b", "c", "d"]
    assert [p for p, _m in serial["tree_warnings"]] == ["big.txt", "big-a.txt", "big-b.txt", "big-c.txt", "big-d.txt"]
    assert [m for _s, m, _p in serial["warnings"]][:2] == ["a done", "b done"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="two processes need two CPUs")
@pytest.mark.parametrize("odd", [DiesInChild, Unsendable])
def test_what_the_child_could_not_send_is_collected_again(root, monkeypatch, odd):
    make = lambda: [Slow("a", "alpha"), Slow("a2", "beta"), odd("b", "beta"), odd("c", "alpha"),  # noqa: E731
                    odd("d", "beta")]
    serial = _everything(*_run(root, make(), False, monkeypatch)[:3])
    ctx, evidence, ran, forked = _run(root, make(), True, monkeypatch)
    assert forked
    assert list(root.parent.glob("child-ran-*")), "no odd collector ran in the child"
    assert _everything(ctx, evidence, ran) == serial
    assert len([e for e in evidence if e.summary.startswith("d:")]) == 20


def test_no_fork_with_other_threads_or_small_trees(root, monkeypatch):
    import threading

    ctx = _context(root)
    two = [Reader("a", "alpha"), Reader("b", "beta")]
    assert not runner._fork_worth_it(two, ctx)  # 42 files: under MIN_FILES
    monkeypatch.setattr(runner, "MIN_FILES", 1)
    assert runner._fork_worth_it(two, ctx) == ((os.cpu_count() or 1) >= 2)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert not runner._fork_worth_it(two, ctx)  # a fork would copy another thread's held locks
    finally:
        stop.set()
        t.join()

    class Platform(Reader):
        role = "scm"

    assert not runner._fork_worth_it([Reader("a", "alpha"), Platform("p", "beta")], ctx)


class AsksHcl(Reader):
    """Reads Terraform it names in `hcl_blocks`: parsed ahead, before the collectors are taken in turn."""

    def hcl_blocks(self, subject, ctx):
        return [(p, None) for p in ctx.tree.with_suffix(".tf")]

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterator[Evidence]:
        _in_child(ctx, self.name)
        for path in ctx.tree.with_suffix(".tf"):
            for rtype in (ctx.tree.hcl(path) or {}).get("resource", []):
                yield ctx.file_evidence("test.resource", path, summary=f"{self.name}:{sorted(rtype)}")
        yield from super().collect(subject, ctx)


class EarlySlow(Slow):
    def collect(self, subject: Subject, ctx: CollectContext) -> Iterator[Evidence]:
        _in_child(ctx, self.name)
        yield from super().collect(subject, ctx)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="two processes need two CPUs")
def test_collectors_that_read_no_terraform_run_in_an_early_child_while_it_is_parsed(root, monkeypatch):
    make = lambda: [EarlySlow("e1", "alpha"), AsksHcl("h1", "beta"), EarlySlow("e2", "beta"),  # noqa: E731
                    AsksHcl("h2", "alpha")]
    serial = _everything(*_run(root, make(), False, monkeypatch)[:3])
    parsed_when_forked = []
    real = runner._parse_ahead

    def spy(cs, ctx, asks):
        parsed_when_forked.append(sorted(p.name for p in root.parent.glob("child-ran-e*")))
        return real(cs, ctx, asks)

    monkeypatch.setattr(runner, "_parse_ahead", spy)
    ctx, evidence, ran, forked = _run(root, make(), True, monkeypatch)
    assert forked and _everything(ctx, evidence, ran) == serial
    pids = {p.name[len("child-ran-"):]: p.read_text() for p in root.parent.glob("child-ran-*")}
    assert pids.keys() >= {"e1", "e2"} and pids["e1"] == pids["e2"], "both in one child, the early one"
    assert pids["e1"] not in {pids.get("h1"), pids.get("h2")}, "the early child took Terraform readers"
    assert len([e for e in evidence if e.kind == "test.resource"]) == 8
    assert parsed_when_forked, "the parse ahead did not run"


def test_without_terraform_to_read_no_early_child_is_made(root, monkeypatch):
    made = []
    real = runner._fork_child
    monkeypatch.setattr(runner, "_fork_child", lambda cs, ctx, skip: made.append(set(skip)) or real(cs, ctx, skip))
    make = lambda: [Slow("a", "alpha"), Slow("b", "beta"), Reader("c", "alpha")]  # noqa: E731
    serial = _everything(*_run(root, make(), False, monkeypatch)[:3])
    ctx, evidence, ran, forked = _run(root, make(), True, monkeypatch)
    assert forked and _everything(ctx, evidence, ran) == serial
    assert made == [set()], "one child, taking turns over every collector"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="two processes need two CPUs")
def test_the_child_may_parse_in_worker_processes(root, monkeypatch):
    from wafops.scanner.core import files, hcl_workers

    monkeypatch.setattr(hcl_workers, "PARALLEL_MIN_FILES", 1)
    make = lambda: [Slow("a", "alpha"), Slow("a2", "beta"), HclReader("h1", "x"), HclReader("h2", "x")]  # noqa: E731
    monkeypatch.setattr(files, "_CONTENT_CACHE", {})
    serial = _everything(*_run(root, make(), False, monkeypatch)[:3])
    monkeypatch.setattr(files, "_CONTENT_CACHE", {})  # parsed again, in the child's workers
    ctx, evidence, ran, forked = _run(root, make(), True, monkeypatch)
    assert forked and list(root.parent.glob("child-ran-h*")), "no parsing collector ran in the child"
    assert _everything(ctx, evidence, ran) == serial
    assert len([e for e in evidence if e.kind == "test.resource"]) == 8
    assert not [w for w in ctx.warnings if "failed" in w.message]
