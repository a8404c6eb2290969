"""Runbook automation (doc.automation): SSM Automation documents (files and Terraform), Azure Automation runbooks,
Rundeck jobs, StackStorm actions, and manually dispatched workflows a runbook links to."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.docs.markup import EXCLUDE_RX
from wafops.collectors.repo.docs.state import DocsScan
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.hcl import blocks
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.model import Evidence, Strength

_SSM_CANDIDATE_RX = re.compile(r"(?i)(ssm|automation|run-?books?|documents)/[^/]*\.(ya?ml|json)$|ssm[^/]*\.(ya?ml|json)$")
# how the case-folded name of every _SSM_CANDIDATE_RX match ends (`$` also matches before a final newline): tested
# first, it spares the pattern most paths. Exact: what `(?i)` accepts for these letters case-folds to them.
_SSM_ENDINGS = (".yml", ".yaml", ".json", ".yml\n", ".yaml\n", ".json\n")


def automation(scan: DocsScan) -> Iterator[Evidence]:
    """Detector: executable runbooks; runs after the runbook detector (dispatched workflows need its runbooks)."""
    ctx = scan.ctx
    yield from _ssm_documents(ctx)
    yield from _terraform_runbooks(ctx)
    yield from _job_definitions(ctx)
    yield from _dispatched_workflows(ctx, scan.runbooks)


def _ssm_documents(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    for path in tree.files:
        if not path.casefold().endswith(_SSM_ENDINGS) or not _SSM_CANDIDATE_RX.search(path) or EXCLUDE_RX.search(path):
            continue
        data = tree.json(path) if path.lower().endswith(".json") else tree.yaml(path)
        if isinstance(data, dict) and str(data.get("schemaVersion")) == "0.3" and data.get("mainSteps"):
            yield ctx.file_evidence("doc.automation", path, line=1, attributes={"tool": "ssm-automation"},
                                    strength=Strength.STRONG, summary="SSM Automation document")


# the blocks `_terraform_runbooks` reads from a parse
WANTED = Wanted(resource_types=frozenset({"aws_ssm_document", "azurerm_automation_runbook"}))


def hcl_blocks(tree: RepoTree) -> list[tuple[str, Wanted]]:
    """The .tf files `_terraform_runbooks` parses, and the blocks it reads."""
    return [(path, WANTED) for path in _terraform_paths(tree)]


def _terraform_paths(tree: RepoTree) -> list[str]:
    return [path for path, text in tree.iter_text(tree.with_suffix(".tf"))
            if "aws_ssm_document" in text or "azurerm_automation_runbook" in text]


def _terraform_runbooks(ctx: CollectContext) -> Iterator[Evidence]:
    tree = ctx.tree
    for path in _terraform_paths(tree):
        for b in blocks(tree.hcl(path, WANTED)):
            if b.type != "resource" or not b.labels:
                continue
            if b.labels[0] == "aws_ssm_document" and str(b.body.get("document_type")) == "Automation":
                tool = "ssm-automation"
            elif b.labels[0] == "azurerm_automation_runbook":
                tool = "azure-automation"
            else:
                continue
            line = tree.line_of(path, re.compile(rf'resource\s+"{b.labels[0]}"\s+"{re.escape(b.labels[1])}"'))
            yield ctx.file_evidence("doc.automation", path, line=line, attributes={"tool": tool},
                                    strength=Strength.STRONG, summary=f"{tool} {b.labels[1]} in Terraform")


def _job_definitions(ctx: CollectContext) -> Iterator[Evidence]:
    """Rundeck job definitions and StackStorm actions."""
    tree = ctx.tree
    for path in tree.files:
        low = path.lower()
        if "rundeck" in low and low.endswith((".yml", ".yaml")):
            docs = tree.yaml_docs(path)
            jobs = docs[0] if docs else None
            if isinstance(jobs, list) and any(isinstance(j, dict) and "sequence" in j for j in jobs):
                yield ctx.file_evidence("doc.automation", path, line=1, attributes={"tool": "rundeck"},
                                        strength=Strength.STRONG, summary="Rundeck job definition")
        elif ("stackstorm" in low or "/actions/" in low and "packs/" in low) and low.endswith((".yml", ".yaml")):
            data = tree.yaml(path)
            if isinstance(data, dict) and data.get("runner_type") and data.get("entry_point"):
                yield ctx.file_evidence("doc.automation", path, line=1, attributes={"tool": "stackstorm"},
                                        strength=Strength.STRONG, summary="StackStorm action")


def _dispatched_workflows(ctx: CollectContext, runbooks: list[Evidence]) -> Iterator[Evidence]:
    """Manually dispatched GitHub workflows a runbook names: the runbook's steps run as a button."""
    tree = ctx.tree
    rb_text = "\n".join(tree.text(e.locator.path) or "" for e in runbooks if e.locator.path)
    if not rb_text:
        return
    for path in tree.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        name = path.rsplit("/", 1)[-1]
        text = tree.text(path) or ""
        # the workflow's own (short) text first: only dispatchable workflows are looked for in all the runbooks
        if "workflow_dispatch" in text and name in rb_text and re.search(rf"(workflows/|\b){re.escape(name)}\b", rb_text):
            yield ctx.file_evidence("doc.automation", path, line=tree.line_of(path, "workflow_dispatch"),
                                    attributes={"tool": "workflow-dispatch"}, strength=Strength.STRONG,
                                    summary="manually dispatched ops workflow linked from a runbook")
