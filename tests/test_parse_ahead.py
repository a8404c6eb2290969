"""The Terraform files a collector says it will parse (`hcl_paths`) are those it parses.

The engine parses the union of every collector's `hcl_paths` once, in worker processes, before the
collectors run (and before they are split over two processes). A collector whose `hcl_paths` drifted
from what it really parses would not be wrong, only slow: this test keeps them equal on the example
repositories, by recording what each collector hands to `prefetch_hcl` itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wafops.collectors.base import CollectContext
from wafops.collectors.repo.alerting import AlertingCollector
from wafops.collectors.repo.deploy import DeployCollector
from wafops.collectors.repo.iac import IacCollector
from wafops.collectors.repo.observability import ObservabilityCollector
from wafops.scanner import runner
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.model import Subject

from tests.helpers import NOW

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "repos"


@pytest.mark.parametrize("collector", [AlertingCollector(), DeployCollector(), IacCollector(), ObservabilityCollector()],
                         ids=lambda c: c.name)
@pytest.mark.parametrize("repo", ["platform-core", "shop-api"])
def test_hcl_paths_are_the_files_the_collector_parses(collector, repo, monkeypatch):
    tree = RepoTree.scan(EXAMPLES / repo, cache=None)
    ctx = CollectContext(subject=Subject(f"local:{repo}", workdir=str(EXAMPLES / repo)), tree=tree, now=NOW)
    asked: list[str] = []
    real = RepoTree.prefetch_hcl

    def spy(self, paths):
        paths = list(paths)
        asked.extend(paths)
        return real(self, paths)

    monkeypatch.setattr(RepoTree, "prefetch_hcl", spy)
    said = list(collector.hcl_paths(ctx.subject, ctx))
    list(collector.collect(ctx.subject, ctx))
    assert sorted(said) == sorted(set(asked))


def test_the_union_is_parsed_before_the_collectors_run(monkeypatch):
    tree = RepoTree.scan(EXAMPLES / "platform-core", cache=None)
    ctx = CollectContext(subject=Subject("local:p", workdir=str(tree.root)), tree=tree, now=NOW)
    collectors = [AlertingCollector(), DeployCollector(), IacCollector(), ObservabilityCollector()]
    calls: list[list[str]] = []
    real = RepoTree.prefetch_hcl
    monkeypatch.setattr(RepoTree, "prefetch_hcl", lambda self, paths: calls.append(list(paths)) or real(self, paths))
    runner._parse_ahead(collectors, ctx)
    union = {p for c in collectors for p in c.hcl_paths(ctx.subject, ctx)}
    assert union and calls and set(calls[0]) == union
