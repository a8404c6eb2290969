"""probot settings (`.github/settings.yml`): branch protection, environments and labels applied by the
settings app. Strong evidence, though live settings can drift from the file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.repo.change.common import SETTINGS_PATHS, ChangeScan, label_names
from wafops.collectors.repo.change.terraform import branch_policy
from wafops.collectors.translate import scm
from wafops.collectors.translate.scm import declared_flag, declared_int
from wafops.scanner.core.model import Evidence, Strength
from wafops.scanner.core.vocabulary import is_production


def settings_yml(scan: ChangeScan) -> Iterator[Evidence]:
    tree = scan.tree
    for path in SETTINGS_PATHS:
        if not tree.exists(path):
            continue
        data = tree.yaml(path)
        if not isinstance(data, dict):
            continue
        yield from _branches(scan, path, data)
        yield from _environments(scan, path, data)


def _name_line(scan: ChangeScan, path: str, name: str) -> int | None:
    return scan.tree.line_of(path, re.compile(rf"name:\s*['\"]?{re.escape(name)}['\"]?\s*$"))


def _branches(scan: ChangeScan, path: str, data: dict[str, Any]) -> Iterator[Evidence]:
    for br in data.get("branches") or []:
        if not isinstance(br, dict):
            continue
        prot = br.get("protection")
        if not isinstance(prot, dict):
            continue
        # the file mirrors the REST request; an empty status-check entry requires nothing
        shape = {**prot, "required_status_checks": prot.get("required_status_checks") or None}
        attrs = scm.github_protection(shape, str(br.get("name") or ""), origin="settings-yml", declared=True)
        yield scan.ctx.file_evidence(
            "scm.branch_rules", path, line=_name_line(scan, path, attrs["branch"]), attributes=attrs,
            strength=Strength.STRONG, summary=f"settings.yml branch {attrs['branch']}: {scm.rules_summary(attrs)}",
        )


def _environments(scan: ChangeScan, path: str, data: dict[str, Any]) -> Iterator[Evidence]:
    for env in data.get("environments") or []:
        if not isinstance(env, dict) or not env.get("name"):
            continue
        name = str(env["name"])
        reviewers = env.get("reviewers") or []
        attrs = {
            "origin": "settings-yml", "name": name, "production": is_production(name, scan.pattern),
            "required_reviewers": len(reviewers) if isinstance(reviewers, list) else 0,
            "prevent_self_review": declared_flag(env.get("prevent_self_review")),
            "wait_timer": declared_int(env.get("wait_timer"), 0),
            "branch_policy": branch_policy(env.get("deployment_branch_policy")),
            "admin_bypass": None, "custom_rules": 0,
        }
        yield scan.ctx.file_evidence(
            "scm.environment", path, line=_name_line(scan, path, name), attributes=attrs, strength=Strength.STRONG,
            summary=f"settings.yml environment {name}: {attrs['required_reviewers']} reviewer(s)",
        )


def settings_labels(scan: ChangeScan) -> Iterator[Evidence]:
    tree = scan.tree
    for path in SETTINGS_PATHS:
        if tree.exists(path):
            data = tree.yaml(path)
            names = label_names(data.get("labels")) if isinstance(data, dict) else []
            if names:
                yield scan.ctx.file_evidence("change.labels", path, line=tree.line_of(path, re.compile(r"^labels:")),
                                             attributes={"labels": names[:300]},
                                             summary=f"{len(names)} label(s) in settings.yml")
