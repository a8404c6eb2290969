"""Architecture decision records (doc.adr): one piece of evidence per ADR folder."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.repo.docs import markup
from wafops.collectors.repo.docs.markup import DOC_EXT, EXCLUDE_RX, INDEX_NAMES
from wafops.collectors.repo.docs.registers import register_ids
from wafops.collectors.repo.docs.state import DocsScan
from wafops.scanner.core.model import Evidence, Strength

ADR_DIR_RX = re.compile(r"(?i)(^|/)(adrs?|decisions|architecture[-_]decisions|decision-records)/")


def adr(scan: DocsScan) -> Iterator[Evidence]:
    """Detector: ADR folders (doc.adr), and how many of their records mention debt or a register entry."""
    ctx = scan.ctx
    tree = ctx.tree
    dirs: dict[str, list[str]] = {}
    for path in tree.with_suffix(*DOC_EXT):
        if EXCLUDE_RX.search(path):
            continue
        m = ADR_DIR_RX.search(path)
        if not m:
            continue
        d = path[: m.end() - 1]
        stem = markup.stem(path)
        if stem in INDEX_NAMES or "template" in stem:
            continue
        dirs.setdefault(d, []).append(path)
    ids = register_ids(ctx)
    for d, files in dirs.items():
        if len(files) < 1:
            continue
        mentions = 0
        for f in files:
            t = tree.text(f) or ""
            if re.search(r"(?i)technical debt|tech[- ]debt|operational debt|\btoil\b", t) or any(i in t for i in ids):
                mentions += 1
        yield ctx.file_evidence("doc.adr", d, attributes={"count": len(files), "mentions_debt": mentions},
                                strength=Strength.WEAK if mentions else Strength.DIRECT,
                                summary=f"{len(files)} ADR(s), {mentions} mention debt")
