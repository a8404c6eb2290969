"""The change collector: one detector loop over the source formats of change management."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.repo.change import bots, documents, workflows
from wafops.collectors.repo.change.codeowners import codeowners
from wafops.collectors.repo.change.common import ChangeScan
from wafops.collectors.repo.change.freeze import freeze
from wafops.collectors.repo.change.labels import labels
from wafops.collectors.repo.change.settings import settings_yml
from wafops.collectors.repo.change.templates import pr_templates
from wafops.collectors.repo.change.terraform import hcl_blocks, terraform
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Evidence, Subject


def risk_routing(scan: ChangeScan) -> Iterator[Evidence]:
    """How risky changes get extra eyes: the path labeler, CI risk gates, policy-bot."""
    yield from bots.labeler(scan)
    yield from workflows.risk_gates(scan)
    yield from bots.policy_bot(scan)


def merge_checks(scan: ChangeScan) -> Iterator[Evidence]:
    """Review policy kept as code and enforced by a merge check: approval-count bots (Zappr, PullApprove,
    Mergeable) and PR checks that fail unless the change carries a category label or a changelog entry.
    What such a check demands is demanded of every change (`change.merge_check`, strong)."""
    yield from bots.review_bots(scan)
    yield from workflows.pull_request_checks(scan)


# in this order (the evidence keeps it); a detector that fails costs a warning naming it
DETECTORS: tuple[Callable[[ChangeScan], Iterable[Evidence]], ...] = (
    codeowners, pr_templates, documents.policy_docs, freeze, bots.dependency_bots, labels, risk_routing,
    terraform, settings_yml, merge_checks, documents.deploy_windows,
)


class ChangeCollector(Collector):
    name = "change"
    reads = ("tree",)  # see Collector.reads
    source = "repo"
    description = "Change management: CODEOWNERS, PR/MR templates, freezes, dependency bots, labels, branch rules as code"
    controls = ("WAF-OPS-050", "WAF-OPS-100")

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        return ctx.run_detectors("change", DETECTORS, ChangeScan.of(ctx))

    def hcl_blocks(self, subject: Subject, ctx: CollectContext) -> Iterable[tuple[str, Wanted]]:
        return hcl_blocks(ctx.tree) if ctx.tree is not None else []
