"""How much of a folder's Terraform the fast path (`hcl_simple`) reads, how fast, and whether it ever
differs from python-hcl2 (it must not: every difference is printed, and the exit code is 1).

    python benchmarks/hcl_simple.py FOLDER [FOLDER ...]

Each .tf file is checked whole and block by block (the scan parses the blocks collectors ask for, cut
by `hcl_blocks.split_blocks`), two ways: plain HCL only (what the parse-ahead reads in place), and with
the attributes it cannot read cut out and handed to python-hcl2 (what `hcl.parse_hcl` does). Figures:
the share of texts each way reads, and the CPU seconds of `hcl.parse_hcl` against python-hcl2 alone
over every text.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from wafops.scanner.core import hcl, hcl_simple
from wafops.scanner.core.hcl_blocks import block_source, split_blocks


def _outcome(parse, text: str) -> object:
    try:
        return parse(text)
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


def _compare(texts: list[tuple[str, str]], cut: bool) -> tuple[int, int]:
    read = differ = 0
    for name, text in texts:
        fast = hcl_simple.parse(text, hcl._python_hcl2 if cut else None)
        if fast is None:
            continue
        read += 1
        expected = _outcome(hcl._python_hcl2, text)
        if fast != expected:
            differ += 1
            print(f"DIFFERS ({'cut' if cut else 'plain'}) {name}\n  fast: {fast!r:.300}\n  hcl2: {expected!r:.300}")
    return read, differ


def _cpu(parse, texts: list[tuple[str, str]]) -> float:
    t0 = time.process_time()
    for _, text in texts:
        _outcome(parse, text)
    return time.process_time() - t0


def main(folders: list[str]) -> int:
    texts = _texts(folders)
    chars = sum(len(t) for _, t in texts)
    print(f"{len(texts)} texts (files and their blocks), {chars} characters")
    differ = 0
    for cut in (False, True):
        read, bad = _compare(texts, cut)
        differ += bad
        how = "with non-plain attributes cut out for python-hcl2" if cut else "plain only"
        print(f"read by the fast path, {how}: {read} texts ({read / max(1, len(texts)):.0%}); "
              f"differences from python-hcl2: {bad}")
    new, old = _cpu(hcl.parse_hcl, texts), _cpu(hcl._python_hcl2, texts)
    print(f"CPU over every text: hcl.parse_hcl {new:.3f} s, python-hcl2 alone {old:.3f} s ({old / max(new, 1e-9):.1f}x)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["."]))
