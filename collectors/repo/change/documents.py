"""Change management written down: change-process documents and release pages that fix deployment windows."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.repo.change.common import DOC_EXT, ChangeScan
from wafops.scanner.core.model import Evidence, Strength
from wafops.scanner.core.vocabulary import is_sample_path

POLICY_DOC_GLOBS = (
    "change_management.md", "change-management.md", "changemanagement.md", "change_process.md",
    "change-process.md", "docs/change-management*", "docs/change_management*", "docs/*/change-management*",
    "docs/change-process*", "docs/*/change-process*", "docs/*change-policy*", "docs/*/change-policy*",
)
DEPLOY_DOC_GLOBS = ("DEPLOY*.md", "DEPLOYMENT*.md", "RELEASE*.md", "RELEASING*.md", "docs/deploy*", "docs/release*",
                    "docs/*/deploy*", "docs/*/release*", "docs/change-*", "docs/*/change-*")
WINDOW_RX = re.compile(
    r"(?i)\b(?:deploy(?:ment)?|release|change)[- ]windows?\b"
    r"|\b(?:production |prod )?(?:deploy(?:ment)?s|releases)\s+(?:take place|happen|go out|are done|run)\s+(?:only\s+)?on\s+"
    r"(?:mondays?|tuesdays?|wednesdays?|thursdays?|fridays?)")


def policy_docs(scan: ChangeScan) -> Iterator[Evidence]:
    ctx = scan.ctx
    for path in scan.tree.glob(*POLICY_DOC_GLOBS):
        if not path.lower().endswith(DOC_EXT):
            continue
        text = scan.tree.text(path)
        if not text:
            continue
        cats = [c for c in ("standard", "normal", "emergency") if re.search(rf"(?i)\b{c}\b[ -]*(changes?)?", text)]
        attrs = {
            "categories": cats,
            "emergency_path": bool(re.search(r"(?i)emergency|hotfix|break[- ]?glass", text)),
            "freeze": bool(re.search(r"(?i)freeze|change window|blackout", text)),
        }
        yield ctx.file_evidence(
            "change.policy_doc", path, line=1, attributes=attrs, strength=Strength.WEAK,
            summary=f"change-management document naming {', '.join(cats) or 'no'} change categories",
        )
        if attrs["freeze"]:
            yield ctx.file_evidence(
                "change.freeze", path, line=scan.tree.line_of(path, re.compile(r"(?i)freeze|change window|blackout")),
                attributes={"mechanism": "doc"}, strength=Strength.WEAK, summary="freeze rules written down",
            )


def deploy_windows(scan: ChangeScan) -> Iterator[Evidence]:
    """Release/deployment process pages that fix when production changes may ship ("production deployments take
    place on Tuesdays and Thursdays", a deployment window with a cut-off): a change window, written (weak)."""
    tree = scan.tree
    for path in tree.glob(*DEPLOY_DOC_GLOBS):
        if not path.lower().endswith(DOC_EXT) or is_sample_path(path):
            continue
        text = tree.text(path) or ""
        m = WINDOW_RX.search(text)
        if not m:
            continue
        yield scan.ctx.file_evidence("change.freeze", path, line=tree.line_of(path, WINDOW_RX) or 1,
                                     attributes={"mechanism": "deploy-window-doc"}, strength=Strength.WEAK,
                                     summary="deployment windows written down")
        return
