"""Every setting a user can give (wafops.yml, `--option KEY=VALUE`), with its type, checked up front.

A misspelled key or a wrongly typed value is a configuration error (exit code 2) with the nearest
valid name suggested, never a silently ignored setting or a criterion turned "not assessed".

Collector options are declared here for the collectors shipped with wafops; a plugin declares its
own in a class attribute `option_types = {"mytool_url": "url", ...}` on its Collector or
TargetResolver class. Thresholds are checked against the probes' parameters (their defaults).
"""

from __future__ import annotations

import difflib
import re
from typing import Any
from urllib.parse import urlsplit

TYPES = ("str", "int", "float", "bool", "list", "regex", "url", "choice")

# name -> (type, help); a "choice:a|b|c" type lists the allowed values
COLLECTOR_OPTIONS: dict[str, tuple[str, str]] = {
    "production_pattern": ("regex", "environment names that are production"),
    "github_url": ("url", "GitHub API base URL"),
    "include": ("list", "only repositories matching these globs"),
    "exclude": ("list", "skip repositories matching these globs"),
    "topics": ("list", "only repositories with one of these topics"),
    "include_archived": ("bool", "scan archived repositories too"),
    "include_forks": ("bool", "scan forks too"),
    "github_skip_files": ("bool", "read the GitHub API only, no tarball"),
    "http_cache": ("bool", "use the HTTP cache"),
    "cache_tarballs": ("bool", "keep tarballs in the HTTP cache"),
    "cache_dir": ("str", "HTTP cache folder"),
    "github_app_id": ("str", "GitHub App id"),
    "github_app_key_file": ("str", "GitHub App private key file"),
    "github_installation_id": ("str", "GitHub App installation id"),
    "github_depth": ("choice:minimal|standard|full", "how many GitHub calls per repository"),
    "github_calls": ("str", "calls to add (+name) or drop (-name)"),
    "github_max_pages": ("int", "pages per paginated call"),
    "github_max_wait": ("float", "longest rate-limit wait in seconds"),
    "github_retries": ("int", "retries of a failed request"),
    "github_backoff": ("float", "first retry delay in seconds"),
    "github_concurrency": ("int", "requests in flight"),
    "github_timeout": ("float", "total seconds one request may take (a trickling body cannot extend it)"),
    "github_connect_timeout": ("float", "seconds to connect"),
    "github_read_timeout": ("float", "seconds without a byte before a request fails"),
    "github_max_call_seconds": ("float", "seconds one call may take with its retries (default 120)"),
    "github_max_calls": ("int", "requests the whole scan may make (the call budget)"),
    "github_max_review_prs": ("int", "merged pull requests whose reviews are read (full depth)"),
    "github_max_deployment_statuses": ("int", "deployments whose statuses are read"),
}

CONFIG_KEYS = ("options", "thresholds", "as_of", "waivers", "attestations", "workloads")


class ConfigError(ValueError):
    """A setting that is not known or not of its type (exit code 2)."""


def suggest(name: str, valid: list[str] | tuple[str, ...] | set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(valid), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def declared(plugins: Any = None) -> dict[str, str]:
    """name -> type of every collector option: the core ones plus what installed plugins declare."""
    out = {k: t for k, (t, _h) in COLLECTOR_OPTIONS.items()}
    if plugins is not None:
        classes = [type(c) for c in plugins.collectors] + [type(r) for r in plugins.resolvers.values()]
        for cls in classes:
            for k, t in (getattr(cls, "option_types", None) or {}).items():
                out.setdefault(str(k), str(t))
    return out


def coerce(name: str, kind: str, value: Any, where: str) -> Any:
    """`value` as `kind`; strings (from --option) are converted, other wrong types refused."""
    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{where}{name}: {value!r} is not {expected}")

    if kind == "int":
        if isinstance(value, bool):
            raise bad("a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return int(value)
        raise bad("a whole number")
    if kind == "float":
        if isinstance(value, bool):
            raise bad("a number")
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                f = float(value)
            except ValueError:
                raise bad("a number") from None
            if f != f or f in (float("inf"), float("-inf")):
                raise bad("a finite number")
            return f
        raise bad("a number")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise bad("true or false")
    if kind == "list":
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        if isinstance(value, list | tuple) and all(isinstance(v, str | int | float) for v in value):
            return [str(v) for v in value]
        raise bad("a list of strings")
    if kind == "regex":
        if not isinstance(value, str):
            raise bad("a regular expression (a string)")
        try:
            re.compile(value)
        except re.error as err:
            raise ConfigError(f"{where}{name} {value!r} is not a regular expression: {err}") from None
        return value
    if kind == "url":
        if not isinstance(value, str):
            raise bad("a URL")
        check_url(value, f"{where}{name}")
        return value.rstrip("/")
    if kind.startswith("choice:"):
        allowed = kind.split(":", 1)[1].split("|")
        text = str(value).strip().lower()
        if text not in allowed:
            raise ConfigError(f"{where}{name}: {value!r} is not one of {', '.join(allowed)}{suggest(text, allowed)}")
        return text
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise bad("a string")


def check_url(value: str, what: str) -> None:
    """An http(s) URL with a host, or ConfigError: checked before any request is made."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port  # raises for a bad port
    except ValueError as err:
        raise ConfigError(f"{what}: {value!r} is not a URL ({err})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{what}: {value!r} is not an http(s) URL with a host (e.g. https://ghe.example.com/api/v3)")
    if any(c.isspace() for c in value.strip()) or (port is not None and not 0 < port < 65536):
        raise ConfigError(f"{what}: {value!r} is not a valid URL")


def check_options(options: dict[str, Any], plugins: Any = None, where: str = "") -> dict[str, Any]:
    """The collector options with their declared types, or ConfigError for an unknown or mistyped one.

    `plugins` may be a function returning them: plugins are then loaded (slow: cloud SDKs) only
    when an option is not one of the core ones.
    """
    known = declared(None)
    if plugins is not None and any(name not in known for name in options):
        known = declared(plugins() if callable(plugins) else plugins)
    out: dict[str, Any] = {}
    for name, value in options.items():
        kind = known.get(name)
        if kind is None:
            raise ConfigError(f"{where}unknown option {name!r}{suggest(name, known)}"
                              " (plugins declare theirs in `option_types`)")
        out[name] = coerce(name, kind, value, where)
    return out


def check_config_keys(data: Any, path: str) -> None:
    if not isinstance(data, dict):
        raise ConfigError(f"config {path}: expected a mapping with {', '.join(CONFIG_KEYS)}")
    for key in data:
        if key not in CONFIG_KEYS:
            raise ConfigError(f"config {path}: unknown key {key!r}{suggest(str(key), CONFIG_KEYS)}"
                              f" (keys: {', '.join(CONFIG_KEYS)})")
