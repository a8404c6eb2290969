"""Thresholds a user sets in `wafops.yml`, checked against the probes' parameters and the catalog's criteria.

It lives with the rules because it must know them; the option types it shares come from the ground floor."""

from __future__ import annotations

from typing import Any

from wafops.rules.catalog import load_catalog
from wafops.rules.probes import PROBES
from wafops.scanner.core.options import ConfigError, coerce, suggest


def check_thresholds(thresholds: Any, where: str = "thresholds: ") -> dict[str, dict[str, Any]]:
    """Per probe or criterion id, parameters the probe(s) have, with the type of their default."""
    if not isinstance(thresholds, dict):
        raise ConfigError(f"{where}expected a mapping of probe or criterion ids")
    criteria = {cr.id: cr for c in load_catalog() for cr in c.criteria}
    valid = set(PROBES) | set(criteria)
    out: dict[str, dict[str, Any]] = {}
    for key, params in thresholds.items():
        key = str(key)
        if key in PROBES:
            defaults = dict(PROBES[key].defaults)
        elif key in criteria:
            defaults = {}
            for ref in criteria[key].any_of:
                defaults.update(PROBES[ref.probe].defaults if ref.probe in PROBES else {})
                defaults.update(ref.params)
        else:
            raise ConfigError(f"{where}unknown probe or criterion {key!r}{suggest(key, valid)}")
        if not isinstance(params, dict):
            raise ConfigError(f"{where}{key}: expected a mapping of parameters, e.g. {{{', '.join(defaults) or 'name'}: ...}}")
        checked: dict[str, Any] = {}
        for name, value in params.items():
            name = str(name)
            if name not in defaults:
                known = ", ".join(sorted(defaults)) or "none"
                raise ConfigError(f"{where}{key}: unknown parameter {name!r}{suggest(name, defaults)} (parameters: {known})")
            checked[name] = _like(defaults[name], value, f"{where}{key}.", name)
        out[key] = checked
    return out


def _like(default: Any, value: Any, where: str, name: str) -> Any:
    """`value` with the type of the probe's default for it."""
    if isinstance(default, bool):
        return coerce(name, "bool", value, where) if isinstance(value, bool) else _refuse(where, name, value, "true or false")
    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return _refuse(where, name, value, "a whole number")
    if isinstance(default, float):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return _refuse(where, name, value, "a number")
    if isinstance(default, str):
        return value if isinstance(value, str) else _refuse(where, name, value, "a string")
    if isinstance(default, list | tuple):
        return list(value) if isinstance(value, list | tuple) else _refuse(where, name, value, "a list")
    if isinstance(default, dict):
        return value if isinstance(value, dict) else _refuse(where, name, value, "a mapping")
    return value  # a default of None: any value


def _refuse(where: str, name: str, value: Any, expected: str) -> Any:
    raise ConfigError(f"{where}{name}: {value!r} is not {expected}")
