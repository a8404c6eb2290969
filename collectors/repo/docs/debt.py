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

# how the case-folded name of every debt register (REGISTER_EXT) or DEBT_DOC_RX match ends (`$` also matches before
# a final newline): tested first, it spares the two patterns most paths. Exact: what `(?i)` accepts for these
# letters, and what lower() maps to them, case-folds to them.
_DEBT_ENDINGS = REGISTER_EXT + (".markdown", ".adoc", ".rst", ".md\n", ".markdown\n", ".adoc\n", ".rst\n")
DEBT_DOC_RX = re.compile(r"(?i)(^|/)(tech[-_]?debt|technical[-_]debt|debt)\.(md|markdown|adoc|rst)$|(^|/)docs?/([^/]*/)*tech(nical)?[-_]?debt[^/]*\.(md|adoc|rst)$")


def debt(scan: DocsScan) -> Iterator[Evidence]:
    """Detector: debt registers and technical-debt documents."""
    ctx = scan.ctx
    tree = ctx.tree
    for path in tree.files:
        # the rare names first, the exclusion only for them (it used to be tried on every path of the tree)
        if not path.casefold().endswith(_DEBT_ENDINGS):
            continue
        is_register = REGISTER_RX.search(path) is not None and path.lower().endswith(REGISTER_EXT)
        if (not is_register and DEBT_DOC_RX.search(path) is None) or EXCLUDE_RX.search(path):
            continue
        if is_register:
            ev = register(scan, path)
            if ev is not None:
                yield ev
        elif path.count("/") == 0 or path.lower().startswith(("docs/", "doc/")):
            text = tree.text(path) or ""
            yield ctx.file_evidence("doc.debt_doc", path, line=1,
                                    attributes={"title": redact(markup.title(text, front_matter(text), path), 120)},
                                    strength=Strength.STRONG, summary="technical-debt document")
