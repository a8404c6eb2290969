"""Tracked debt: debt registers (registers.py) and technical-debt documents."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.repo.docs import markup
from wafops.collectors.repo.docs.markup import EXCLUDE_RX
from wafops.collectors.repo.docs.registers import REGISTER_EXT, REGISTER_RX, register
from wafops.collectors.repo.docs.state import DocsScan
from wafops.scanner.core.model import Evidence, Strength
from wafops.scanner.core.vocabulary import front_matter, redact

DEBT_DOC_RX = re.compile(r"(?i)(^|/)(tech[-_]?debt|technical[-_]debt|debt)\.(md|markdown|adoc|rst)$|(^|/)docs?/([^/]*/)*tech(nical)?[-_]?debt[^/]*\.(md|adoc|rst)$")


def debt(scan: DocsScan) -> Iterator[Evidence]:
    """Detector: debt registers and technical-debt documents."""
    ctx = scan.ctx
    tree = ctx.tree
    for path in tree.files:
        if EXCLUDE_RX.search(path):
            continue
        if REGISTER_RX.search(path) and path.lower().endswith(REGISTER_EXT):
            ev = register(scan, path)
            if ev is not None:
                yield ev
        elif DEBT_DOC_RX.search(path) and (path.count("/") == 0 or path.lower().startswith(("docs/", "doc/"))):
            text = tree.text(path) or ""
            yield ctx.file_evidence("doc.debt_doc", path, line=1,
                                    attributes={"title": redact(markup.title(text, front_matter(text), path), 120)},
                                    strength=Strength.STRONG, summary="technical-debt document")
