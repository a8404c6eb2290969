"""Cheap, regex-level reading of Terraform/Terragrunt text for the IaC collector.

Why not python-hcl2 everywhere: it costs 4-30 ms per file, and a monorepo holds thousands of .tf
files. Module calls, provider blocks and Terragrunt units only need a handful of literal
attributes, so we cut the block's text out by brace matching and read those attributes with
regexes. Full parses (through the shared, cached `RepoTree.hcl`) are kept for the few files that
hold backends or resource types whose bodies matter.
"""

from __future__ import annotations

import re
from typing import Any

_HEREDOC_RX = re.compile(r"<<-?\s*\"?([A-Za-z_][A-Za-z0-9_]*)\"?[ \t]*\n")


# the characters the brace matcher acts on, and those that end or escape a string: the text between them is
# skipped at C speed (re.search) rather than looked at one character at a time in Python
_BLOCK_SPECIAL = re.compile(r'["#/<{}]')
_STRING_SPECIAL = re.compile(r'["\\\n]')


def block_text(text: str, line: int) -> str:
    """The text of the block whose header starts on `line` (1-based), from `{` to its matching `}`.

    Strings, comments and heredocs are skipped so braces inside them do not count. An unbalanced
    block yields the rest of the file, which is harmless for attribute regexes.
    """
    pos = 0
    for _ in range(line - 1):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return ""
        pos = nxt + 1
    start = text.find("{", pos)
    if start < 0:
        return ""
    depth = 0
    i, n = start, len(text)
    while (m := _BLOCK_SPECIAL.search(text, i)) is not None:
        i = m.start()
        c = text[i]
        if c == '"':
            i = _string_end(text, i + 1)
        elif c == "#" or (c == "/" and text.startswith("//", i)):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        elif c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        elif c == "<" and text.startswith("<<", i):
            h = _HEREDOC_RX.match(text, i)
            if h:
                end = re.compile(r"^[ \t]*" + re.escape(h.group(1)) + r"[ \t]*$", re.M).search(text, h.end())
                i = n if end is None else end.end()
                continue
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    return text[start:]


def _string_end(text: str, i: int) -> int:
    """Where a string opened just before `i` stops: its closing quote, or the line's end (an unclosed string
    ends with its line); a backslash skips the character after it."""
    while (m := _STRING_SPECIAL.search(text, i)) is not None:
        if m.group() != "\\":
            return m.start()
        i = m.start() + 2
    return len(text)


_BRACKETS = re.compile(r"([{}\[\]])")


def top_level(body: str) -> str:
    """The body with nested `{...}` and `[...]` contents blanked, so regexes see depth-1 attributes only.

    Cut at the brackets (re.split) and blank whole runs between them, rather than one character at a time."""
    out = []
    depth = 0
    for k, part in enumerate(_BRACKETS.split(body[1:-1] if body.startswith("{") else body)):
        if k % 2:  # a bracket itself: always kept
            depth = depth + 1 if part in "{[" else max(0, depth - 1)
            out.append(part)
        elif depth == 0:
            out.append(part)
        elif part:  # nested: every character but the line breaks becomes a space
            out.append("\n".join(" " * len(piece) for piece in part.split("\n")))
    return "".join(out)


def attr_str(body: str, name: str) -> str | None:
    """A string literal `name = "..."` (None when absent or an expression)."""
    m = re.search(r'(?m)^[ \t]*' + re.escape(name) + r'[ \t]*=[ \t]*"([^"\n]*)"', body)
    return m.group(1) if m else None


def attr_raw(body: str, name: str) -> str | None:
    """The raw right-hand side of `name = ...` on its line."""
    m = re.search(r"(?m)^[ \t]*" + re.escape(name) + r"[ \t]*=[ \t]*(.+?)[ \t]*$", body)
    return m.group(1) if m else None


def attr_bool(body: str, name: str) -> bool | None:
    raw = attr_raw(body, name)
    if raw is None:
        return None
    raw = raw.strip().strip('"').lower()
    if raw == "true":
        return True
    if raw == "false":
        return False
    return None


def has_attr(body: str, name: str) -> bool:
    return re.search(r"(?m)^[ \t]*" + re.escape(name) + r"[ \t]*=", body) is not None


def has_block(body: str, name: str) -> bool:
    return re.search(r"(?m)^[ \t]*" + re.escape(name) + r"[ \t]*(\{|=\s*\{)", body) is not None


ACCOUNT_RX = re.compile(r"(?<![0-9])([0-9]{12})(?![0-9])")
GUID_RX = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)


def provider_facts(name: str, body: str) -> dict[str, Any]:
    """alias, literal region, assume_role, and account ids (AWS 12-digit ids, Azure subscription GUIDs)."""
    top = top_level(body)
    region = attr_str(top, "region") or attr_str(top, "location") or attr_str(top, "project")
    accounts: list[str] = []
    role = re.search(r"(?m)^[ \t]*role_arn[ \t]*=[ \t]*\"([^\"\n]*)\"", body)
    if role:
        accounts += ACCOUNT_RX.findall(role.group(1))
    allowed = re.search(r"allowed_account_ids[ \t]*=[ \t]*\[([^\]]*)\]", body)
    if allowed:
        accounts += ACCOUNT_RX.findall(allowed.group(1))
    if name == "azurerm":
        sub = attr_str(top, "subscription_id")
        if sub and GUID_RX.fullmatch(sub):
            accounts.append(sub)
    if name == "google":
        project = attr_str(top, "project")
        if project:
            accounts.append(project)
    return {
        "name": name,
        "alias": attr_str(top, "alias"),
        "region": region,
        "region_expr": None if region else (attr_raw(top, "region") or attr_raw(top, "location")),
        "assume_role": has_block(body, "assume_role") or has_attr(body, "role_arn"),
        "role": role.group(1) if role else None,
        "account_ids": sorted(set(accounts)),
    }


_REGISTRY_RX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_-]*(//.*)?$")
_PRIVATE_RX = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}(:\d+)?/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+(//.*)?$")
_MOVING_REFS = {"main", "master", "develop", "dev", "trunk", "head", "latest"}


def module_source(source: str, version: str | None) -> tuple[str, bool]:
    """(source_kind, pinned) for a module `source` (and its `version` attribute)."""
    s = source.strip()
    low = s.lower()
    if s.startswith(("./", "../")) or s in (".", ".."):
        return "local", True  # versioned with the caller
    if low.startswith("tfr://"):
        return "registry", "version=" in low
    if low.startswith(("git::", "git@", "github.com/", "bitbucket.org/", "gitlab.com/")) or ".git" in low.split("?")[0][-5:] \
            or low.startswith("https://") and ".git" in low:
        ref = re.search(r"[?&]ref=([^&]+)", s)
        pinned = bool(ref) and ref.group(1).lower() not in _MOVING_REFS
        return "git", pinned
    if low.startswith(("s3::", "gcs::")):
        return ("s3" if low.startswith("s3") else "gcs"), False
    if low.startswith(("http://", "https://")):
        return "http", False
    if _PRIVATE_RX.match(s):
        return "private-registry", bool(version)
    if _REGISTRY_RX.match(s):
        return "registry", bool(version)
    if low.startswith(("hg::", "s3.", "git")):
        return "git", "ref=" in low
    return "other", False
