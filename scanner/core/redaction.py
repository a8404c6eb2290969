"""Masking of secret-looking values: the last line of defence before anything leaves the process.

Collectors already avoid copying values (they keep booleans and keywords); every string that goes
into a report passes through `mask` once more (`redact` walks a whole result document), and so do
messages on stderr, so a collector bug or an API error that echoes a credential cannot leak it.

Linear time by construction, because one file may hold a 100 KB+ value:
- every pattern starts with a literal prefix, so attempts start only where it occurs; a pattern that
  could fail after a long run (a JWT needs two dots) may start only at the start of a run (a
  lookbehind), so a long run gets one attempt, not one per position; tokens glued to other text
  are still found (an attempt at a token prefix either matches the run or fails within a few characters);
- a run followed by something required is possessive (`++`, no backtracking) or bounded (`{0,256}`),
  so a failed attempt costs at most the run or a constant;
- passwords before `@host` are found by a scan from each `@` that stops at the previous and next
  boundary, so each character is looked at a bounded number of times (`Stats` counts it);
- every match is only recorded as a span; the output is built once from the merged spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

REDACTED = "[redacted]"
IN_URL = "redacted"  # inside a URL (userinfo, webhook path): brackets would make the host an IPv6 literal

_W = r"A-Za-z0-9_\-"  # token characters
_AWS = ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA", "ABIA", "ACCA")
# (cues, pattern): a pattern runs only on text that holds one of its cues (lower case), so plain text
# costs a few substring searches; each pattern is one linear pass
# A pattern written in lower case and marked `fold` runs on the lower-cased text (case-insensitive,
# but with the fast literal-prefix search a `(?i)` pattern does not get).
_PATTERNS: list[tuple[tuple[str, ...], str] | tuple[tuple[str, ...], str, bool]] = [
    # GitHub tokens (classic, fine-grained, app/user-to-server/refresh), GitLab tokens
    (("gh",), r"gh[pousr]_[A-Za-z0-9]{20,}+"),
    (("github_pat_",), r"github_pat_[A-Za-z0-9_]{20,}+"),
    (("gl",), r"gl(?:pat|dt|rt|ptt|cbt|soat|ft|imt|oas|agent)-[A-Za-z0-9_\-]{20,}+"),
    # AWS access key ids (long-term AKIA, temporary ASIA, ...) and raw session tokens
    (tuple(a.lower() for a in _AWS), rf"A(?:{'|'.join(a[1:] for a in _AWS)})[0-9A-Z]{{16}}"),
    (("fwogzxivyxdz", "iqojb3jpz2lu", "fqogzxivyxdz"),
     r"(?:FwoGZXIvYXdz|IQoJb3JpZ2lu|FQoGZXIvYXdz)[A-Za-z0-9/+=]{20,}+"),
    # Slack tokens and webhook URLs, Discord webhooks
    (("xox",), r"xox[abposrec]-[A-Za-z0-9\-]{10,}+"),
    (("xapp-",), r"xapp-[A-Za-z0-9\-]{10,}+"),
    (("hooks.slack.com",), r"hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9/_+\-]++)"),
    (("discord",), r"discord(?:app)?\.com/api/webhooks/([0-9]++/[a-z0-9_\-]++)", True),
    # Stripe secret/restricted keys and webhook secrets
    (("sk_", "rk_"), r"[sr]k_(?:live|test)_[A-Za-z0-9]{10,}+"),
    (("whsec_",), r"whsec_[A-Za-z0-9]{10,}+"),
    # Google API keys, npm and PyPI tokens
    (("aiza",), r"AIza[0-9A-Za-z_\-]{35}"),
    (("npm_",), r"npm_[A-Za-z0-9]{36}"),
    (("pypi-",), r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{20,}+"),
    # private keys: the header and, when present, the whole block
    (("private key",), r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:(?:[^-]|-(?!----END)){0,20000}+"
                       r"(?:-----END [A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----)?)?"),
    # JWTs (header.payload.signature), from the start of the run
    (("eyj",), rf"eyJ(?<![{_W}]eyJ)[{_W}]{{10,}}+\.eyJ[{_W}]{{10,}}+\.[{_W}]{{10,}}+"),
    # userinfo in URLs: scheme://user:password@host
    (("://",), r"(?<=://)[^\s/@:\"'<>]{0,256}+:[^\s/@\"'<>]{1,256}+(?=@)"),
    # key = value / key: value for secret-looking keys (also AWS_SESSION_TOKEN=..., DB_PASSWORD: ...)
    (("pass", "pwd", "secret", "token", "key", "credential"),
     r"(?:password|passwd|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|credentials?)"
     r"[\"']?[ \t]{0,10}+[:=][ \t]{0,10}+(?:\"[^\"\n]{0,512}+\"|'[^'\n]{0,512}+'|[^\s\"']\S*+)", True),
    # command lines: --password=SECRET / --password SECRET, curl -u user:pass (mysql -pSECRET: MYSQL_P)
    (("--pass", "--token", "--secret"), r"--(?:password|passwd|token|secret)(?:=|[ \t]++)\S++", True),
    (("-u", "--user"), r"(?:(?<=\s)-u|--user)[ \t]++[^\s:]{1,256}+:\S++"),
    # HTTP authorization headers
    (("authorization",), r"authorization[\"']?[ \t]{0,10}+[:=][ \t]{0,10}+(?:token|bearer|basic)[ \t]++\S++", True),
    (("bearer",), r"bearer[ \t]++[a-z0-9._~+/\-]{20,}+=*+", True),
]
_COMPILED = [
    (e[0], re.compile(e[1]), len(e) > 2 and e[2], re.compile(e[1], re.I) if len(e) > 2 and e[2] else None)
    for e in _PATTERNS
]
# every cue of every pattern, as one alternation (the MySQL `-p` cue is "-p", covered by "-p" below)
_ANY_CUE = re.compile("|".join(sorted({re.escape(c) for e in _PATTERNS for c in e[0]} | {"-p"}, key=len, reverse=True)))
_URL_USERINFO = next(rx for cues, rx, _f, _i in _COMPILED if cues == ("://",))
# mysql -pSECRET (the password glued to -p): only on a MySQL/MariaDB command line, where -p means it
MYSQL_P = re.compile(r"(?<![a-z0-9_])(?:mysql|mariadb)[a-z_\-]{0,12}+(?:[ \t]++[^\n]{0,200}?)?[ \t](-p)(?=[^\s\-])\S++")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_BOUNDARY = frozenset(" \t\r\n\f\v/@\"'=<>()[]{},;`|")


@dataclass
class Stats:
    """Work done by `mask`, for the linear-time tests: regex passes, and characters the Python code
    looks at around each `@` (the regex passes are linear by construction, see the module doc)."""

    passes: int = 0
    at_signs: int = 0
    steps: int = 0


def mask(text: str, stats: Stats | None = None) -> str:
    """`text` with every secret-looking value replaced by [redacted]."""
    if not text:
        return text
    if stats is None and len(text) <= _CACHED_LEN:
        return _mask_short(text)
    return _mask(text, stats)


# A report repeats the same short strings thousands of times (attribute names, kinds, paths, sources):
# each is masked once. Only short strings are kept, so the cache stays small (<= 64k x 256 characters).
_CACHED_LEN = 256


@lru_cache(maxsize=1 << 16)
def _mask_short(text: str) -> str:
    return _mask(text, None)


def _mask(text: str, stats: Stats | None) -> str:
    low = text.lower()
    if "@" not in text and not _ANY_CUE.search(low):  # no pattern's cue: nothing to mask (one C-speed scan)
        return text
    same = len(low) == len(text)  # lower() kept every offset (not so for a few non-ASCII letters)
    spans: list[tuple[int, int, str]] = []
    for cues, rx, fold, rx_i in _COMPILED:
        if not any(c in low for c in cues):
            continue
        if stats is not None:
            stats.passes += 1
        for m in (rx.finditer(low) if fold and same else (rx_i or rx).finditer(text)):
            if m.re.groups:  # only the secret part of a URL
                spans.append((m.start(1), m.end(1), IN_URL))
            else:
                spans.append((m.start(), m.end(), IN_URL if rx is _URL_USERINFO else REDACTED))
    if "-p" in text and ("mysql" in low or "mariadb" in low) and same:
        spans += [(m.end(1), m.end(), REDACTED) for m in MYSQL_P.finditer(low)]
    if "@" in text:
        spans += [(a, b, IN_URL) for a, b in _userinfo_spans(text, stats)]
    if not spans:
        return text
    spans.sort()
    parts, last = [], 0
    for a, b, repl in spans:
        if b <= last:  # inside the previous span
            continue
        if a >= last:
            parts += [text[last:a], repl]
        last = b  # a span overlapping the previous one extends it
    parts.append(text[last:])
    return "".join(parts)


def _userinfo_spans(text: str, stats: Stats | None) -> list[tuple[int, int]]:
    """`user:password@host.tld` without a scheme (git remotes, runbook links): mask `user:password`."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    prev_end = 0
    i = text.find("@")
    while i != -1:
        steps = 0
        # back to the start of the token, never past the previous '@' handled or 256 characters
        j = i
        limit = max(prev_end, i - 256)
        while j > limit and text[j - 1] not in _BOUNDARY:
            j -= 1
            steps += 1
        # forward over the host, at most 253 characters
        k = i + 1
        end = min(n, i + 254)
        while k < end and text[k] in _HOST_CHARS:
            k += 1
            steps += 1
        host = text[i + 1:k]
        user = text[j:i]
        if ":" in user and "." in host.strip(".-") and user.index(":") > 0 and not user.endswith(":"):
            spans.append((j, i))
        if stats is not None:
            stats.at_signs += 1
            stats.steps += steps + 1
        prev_end = i + 1
        i = text.find("@", i + 1)
    return spans


def redact(value: Any) -> Any:
    """A copy of a JSON-like value with every string (keys too) masked: one pass over a whole report."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {redact(k) if isinstance(k, str) else k: redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value
