"""pattern_words: the words read from a pattern are held by every match of it, case-folded (so a substring test
may rule the pattern out), including under (?i) with the characters that fold unusually."""

from __future__ import annotations

import random
import re

from wafops.collectors.repo.pattern_words import may_match, required_words


def test_words_of_an_alternation_and_a_group() -> None:
    assert required_words(re.compile(r"(?i)\bpytest\b|\btox\b")) == ("pytest", "tox")
    assert required_words(re.compile(r"(?:^|/)scripts/[\w-]*test\.sh")) == ("test.sh",)  # the longest word
    assert required_words(re.compile(r"(?i)pylint")) == ("pyl",)  # the letter i is left out
    assert required_words(re.compile(r"a|[bc]d")) is None  # an alternative without a word: no words
    assert required_words(re.compile(r"\w+")) is None


def test_a_match_leaves_a_word_in_the_case_folded_text() -> None:
    rx = re.compile(r"(?i)\bkubectl (?:apply|rollout)\b|\bhelm\s+upgrade|flux-local|\bssh\b", re.M)
    words = required_words(rx)
    assert words is not None
    pieces = ["kubectl", "KUBECTL", "\u212aubectl", "apply", "rollout", "helm", "upgrade", "flux-local", "ſſh", "SSH",
              " ", "\n", "x", "-"]
    rnd = random.Random(1)
    for _ in range(20_000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 6)))
        if rx.search(text):
            assert may_match(words, text.casefold()), text


def test_no_words_means_the_pattern_is_tried() -> None:
    assert may_match(None, "anything")
    assert not may_match(("abc",), "xyz")
