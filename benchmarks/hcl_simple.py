"""How much of a folder's Terraform the plain-HCL fast path reads, how fast, and whether it ever differs
from python-hcl2 (it must not: every difference is printed, and the exit code is 1).

    python benchmarks/hcl_simple.py FOLDER [FOLDER ...]

Each .tf file is checked whole and block by block (the scan parses the blocks collectors ask for, cut
by `hcl_blocks.split_blocks`). Figures: the share read by the fast path, and CPU seconds for those texts
by the fast path and by python-hcl2 (the inline-transforming parse that `hcl.parse_hcl` falls back to).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from wafops.scanner.core import hcl, hcl_parser, hcl_simple
from wafops.scanner.core.hcl_blocks import block_source, split_blocks


def _reference(text: str) -> object:
    """python-hcl2's answer without the fast path (an exception's type when it does not parse)."""
    try:
        return hcl._clean(hcl_parser.parse(text, hcl.serialization_options()))
    except Exception as err:  # noqa: BLE001 (a parse failure is an answer here)
        return f"error: {type(err).__name__}"


def _texts(folders: list[str]) -> list[tuple[str, str]]:
    out = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.tf")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            out.append((str(path), text))
            for k, segment in enumerate(split_blocks(text) or ()):
                out.append((f"{path}#block{k}", block_source(text, segment)))
    return out


def main(folders: list[str]) -> int:
    texts = _texts(folders)
    read, differ = [], 0
    for name, text in texts:
        fast = hcl_simple.parse(text)
        if fast is None:
            continue
        read.append(text)
        expected = _reference(text)
        if fast != expected:
            differ += 1
            print(f"DIFFERS {name}\n  fast: {fast!r:.300}\n  hcl2: {expected!r:.300}")
    t0 = time.process_time()
    for text in read:
        hcl_simple.parse(text)
    t1 = time.process_time()
    for text in read:
        _reference(text)
    t2 = time.process_time()
    chars = sum(len(t) for _, t in texts)
    print(f"{len(texts)} texts (files and their blocks), {chars} characters")
    print(f"read by the fast path: {len(read)} texts ({len(read) / max(1, len(texts)):.0%}), "
          f"{sum(map(len, read)) / max(1, chars):.0%} of the characters; differences from python-hcl2: {differ}")
    print(f"CPU for those texts: fast path {t1 - t0:.3f} s, python-hcl2 {t2 - t1:.3f} s "
          f"({(t2 - t1) / max(t1 - t0, 1e-9):.1f}x)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["."]))
