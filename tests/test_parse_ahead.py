"""The Terraform blocks a collector says it will parse (`hcl_blocks`) are those it parses.

The engine parses the union of every collector's `hcl_blocks` once, in worker processes, before the
collectors run (and before they are split over two processes). A collector whose `hcl_blocks` drifted
from what it really parses would not be wrong, only slow: this test keeps them equal on the example
repositories, by recording every `(path, wanted)` each collector hands to `RepoTree.hcl` itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wafops.collectors.base import CollectContext
from wafops.collectors.repo.alerting import AlertingCollector
from wafops.collectors.repo.change.collector import ChangeCollector
from wafops.collectors.repo.ci.collector import CiCollector
from wafops.collectors.repo.deploy import DeployCollector
from wafops.collectors.repo.docs import DocsCollector
from wafops.collectors.repo.iac import IacCollector
from wafops.collectors.repo.observability import ObservabilityCollector
from wafops.scanner import runner
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.model import Subject

from tests.helpers import NOW

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "repos"
READERS = [AlertingCollector(), ChangeCollector(), CiCollector(), DeployCollector(), DocsCollector(), IacCollector(),
           ObservabilityCollector()]


def _ctx(repo: str) -> CollectContext:
    tree = RepoTree.scan(EXAMPLES / repo, cache=None)
    return CollectContext(subject=Subject(f"local:{repo}", workdir=str(EXAMPLES / repo)), tree=tree, now=NOW)


@pytest.mark.parametrize("collector", READERS, ids=lambda c: c.name)
@pytest.mark.parametrize("repo", ["platform-core", "shop-api"])
def test_hcl_blocks_are_the_blocks_the_collector_parses(collector, repo, monkeypatch):
    ctx = _ctx(repo)
    asked: list[tuple[str, object]] = []
    real = RepoTree.hcl

    def spy(self, path, wanted=None):
        asked.append((path, wanted))
        return real(self, path, wanted)

    monkeypatch.setattr(RepoTree, "hcl", spy)
    said = list(collector.hcl_blocks(ctx.subject, ctx))
    list(collector.collect(ctx.subject, ctx))
    assert all(wanted is not None for _p, wanted in asked), "every reader names the blocks it reads"
    assert sorted(set(said), key=repr) == sorted(set(asked), key=repr)


def test_the_examples_exercise_most_readers():
    """The equality above is only worth something where collectors parse: most of them do here."""
    parsing = set()
    for repo in ("platform-core", "shop-api"):
        ctx = _ctx(repo)
        parsing |= {c.name for c in READERS if list(c.hcl_blocks(ctx.subject, ctx))}
    assert {"alerting", "iac", "observability", "change"} <= parsing


def test_the_union_is_parsed_before_the_collectors_run(monkeypatch):
    ctx = _ctx("platform-core")
    calls: list[list[tuple[str, object]]] = []
    real = RepoTree.prefetch_hcl_blocks
    monkeypatch.setattr(RepoTree, "prefetch_hcl_blocks", lambda self, asks: calls.append(list(asks)) or real(self, asks))
    runner._parse_ahead(READERS, ctx, runner._asks(READERS, ctx))
    union = {ask for c in READERS for ask in c.hcl_blocks(ctx.subject, ctx)}
    assert union and calls and set(calls[0]) == union
