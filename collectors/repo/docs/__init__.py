"""Operational documents collector: runbooks, postmortems, debt registers, ADRs, policies, automation.

Why strict selection: a generic `docs/` page is not a runbook and a sprint retro is not a
postmortem. A file becomes a runbook only by living in a runbook/playbook folder (or being named
so), or by sitting in an operations/on-call folder AND reading like one (symptom, diagnosis,
remediation, escalation headings). Postmortems must carry incident-review sections. Dates come
from git (last change, first addition) when the subject is a full (non-shallow) repository, else
from front matter or the file name; a shallow clone never supplies dates, because every file would
look freshly changed.

One module per document family, all run through the detector loop below over one `DocsScan`
(state.py); markup.py holds what the families share (which files are documents, how text reads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.repo.docs.adr import adr
from wafops.collectors.repo.docs.automation import automation
from wafops.collectors.repo.docs.automation import hcl_blocks as automation_blocks
from wafops.collectors.repo.docs.debt import debt
from wafops.collectors.repo.docs.debt_signals import debt_signals
from wafops.collectors.repo.docs.incidents import incident_templates, incident_tooling, incident_trends
from wafops.collectors.repo.docs.policies import policies
from wafops.collectors.repo.docs.postmortems import postmortems
from wafops.collectors.repo.docs.runbooks import runbooks
from wafops.collectors.repo.docs.state import DocsScan
from wafops.scanner.core.gitinfo import GitError, GitInfo, git_info
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Evidence, Subject

# in this order: automation reads the runbooks the runbook detector found
DETECTORS: tuple[Callable[[DocsScan], Iterator[Evidence]], ...] = (
    runbooks, postmortems, incident_templates, incident_trends, debt, debt_signals, adr, policies, automation,
    incident_tooling,
)


class DocsCollector(Collector):
    name = "docs"
    reads = ("tree", "git")  # see Collector.reads
    source = "repo"
    description = "Operational documents: runbooks, postmortems, debt registers, ADRs, policies, runbook automation"
    controls = ("WAF-OPS-060", "WAF-OPS-070", "WAF-OPS-100")

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        # per-call state lives in DocsScan: one collector instance serves subjects on several threads
        scan = DocsScan(ctx, _git(subject, ctx))
        return ctx.run_detectors("docs", DETECTORS, scan)

    def hcl_blocks(self, subject: Subject, ctx: CollectContext) -> Iterable[tuple[str, Wanted]]:
        return automation_blocks(ctx.tree) if ctx.tree is not None else []


def _git(subject: Subject, ctx: CollectContext) -> GitInfo | None:
    """Full history only: a shallow clone would date every file to its single commit."""
    try:
        info = git_info(subject.workdir, ctx.now)
        if info is not None and not info.shallow:
            info.prefetch_files()  # the documents' dates: a git failure here means front-matter dates, as at load
    except GitError:
        return None
    return info if info is not None and not info.shallow else None


__all__ = ["DETECTORS", "DocsCollector"]
