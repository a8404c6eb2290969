"""Words every match of a regular expression holds, read from the pattern itself by the stdlib's parser.

Why: a large case-insensitive alternation (`\\bpytest\\b|\\btox\\b|...`) has no literal prefix the regex engine
could skip ahead with, so it is tried in full at every offset of the text. Testing first whether the
case-folded text holds one of the words its matches must hold rules most texts out at C speed.

Exact, not a heuristic: a word is only taken from literal characters that the pattern matches in a row
(outside repeats, lookarounds and optional parts), and only from ASCII characters other than the letter i.
Every character that `(?i)` lets stand for such a character case-folds to it (the Kelvin sign to k, the long
s to s); the letter i is left out because `(?i)` also matches the dotted and dotless Turkish i, whose case
folds are not i. So a match always leaves one of the words in `text.casefold()`.
"""

from __future__ import annotations

import re
from typing import Any

try:
    from re import _parser as sre_parse  # the stdlib's own regex parser (Python 3.11+)
except ImportError:  # pragma: no cover - without it no pattern gets words, and every pattern is tried
    sre_parse = None

MIN_WORD = 2  # a shorter word would rule out too few texts to be worth the test


def required_words(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lower-case words one of which every match of `rx` holds, case-folded; None when the pattern does not
    say (then it must simply be tried)."""
    if sre_parse is None or not isinstance(rx.pattern, str):
        return None
    try:
        items = list(sre_parse.parse(rx.pattern, rx.flags))
    except Exception:  # noqa: BLE001 - an unexpected parse: no words, the pattern is tried as before
        return None
    words = _sequence_words(items)
    return tuple(sorted(words)) if words else None


def _sequence_words(items: list[tuple[Any, Any]]) -> set[str] | None:
    """Words for a sequence of parsed items, every one of which a match passes through: a run of literal
    characters at this level, or the words of a group or of an alternation (one set from each alternative)."""
    best: set[str] | None = None

    def consider(found: set[str] | None) -> None:
        nonlocal best
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is sre_parse.LITERAL:
            run.append(chr(av))
            continue
        consider(_safe_word("".join(run)))
        run = []
        if op is sre_parse.SUBPATTERN:
            consider(_sequence_words(list(av[-1])))
        elif op is sre_parse.BRANCH:
            alternatives = [_sequence_words(list(alt)) for alt in av[1]]
            if all(alternatives):  # every alternative says its words: a match holds one of them
                consider({w for words in alternatives if words for w in words})
    return best


def _safe_word(run: str) -> set[str] | None:
    """The longest stretch of the run made of characters case-folding is exact for, lower-cased."""
    longest = max(re.split(r"[^\x00-\x7f]|[iI]", run), key=len, default="")
    return {longest.lower()} if len(longest) >= MIN_WORD else None


def may_match(words: tuple[str, ...] | None, folded: str) -> bool:
    """False only when no match of the pattern can be in the text whose case fold is `folded`."""
    return words is None or any(w in folded for w in words)
