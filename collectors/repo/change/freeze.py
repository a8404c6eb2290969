"""When changes may not ship: pipelines that check a deploy freeze, and freeze calendars or scripts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.repo.change.common import ChangeScan
from wafops.scanner.core.model import Evidence, Strength

FREEZE_RX = re.compile(
    r"(?i)\bCI_DEPLOY_FREEZE\b|deploy(ment)?[-_ ]?freeze|change[-_ ]?freeze|code[-_ ]?freeze|freeze[-_ ]?(window|period|calendar|check)"
)
PIPELINE_GLOBS = (".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml", ".gitlab/ci/*.yml",
                  "azure-pipelines*.yml", ".circleci/config.yml", "jenkinsfile")
FREEZE_FILE_GLOBS = ("*freeze*", "*change-calendar*", "*change_calendar*", "*deploy-window*", "*deployment-window*")


def freeze(scan: ChangeScan) -> Iterator[Evidence]:
    seen: set[str] = set()
    yield from _pipeline_checks(scan, seen)
    yield from _freeze_files(scan, seen)


def _pipeline_checks(scan: ChangeScan, seen: set[str]) -> Iterator[Evidence]:
    tree = scan.tree
    for path in tree.glob(*PIPELINE_GLOBS):
        text = tree.text(path)
        if not text or not FREEZE_RX.search(text):
            continue
        mech = "gitlab-freeze" if "CI_DEPLOY_FREEZE" in text else "script"
        seen.add(path)
        yield scan.ctx.file_evidence(
            "change.freeze", path, line=tree.line_of(path, FREEZE_RX), attributes={"mechanism": mech},
            strength=Strength.STRONG, summary=f"pipeline checks a deploy freeze ({mech})",
        )


def _freeze_files(scan: ChangeScan, seen: set[str]) -> Iterator[Evidence]:
    tree = scan.tree
    for path in tree.glob(*FREEZE_FILE_GLOBS):
        low = path.lower()
        if path in seen or "/test" in low or "node_modules" in low or not low.endswith(
            (".yml", ".yaml", ".json", ".sh", ".py", ".ics", ".toml")
        ):
            continue
        text = tree.text(path) or ""
        if not re.search(r"(?i)freeze|window|blackout", text):
            continue
        mech = "calendar" if low.endswith((".ics", ".yml", ".yaml", ".json", ".toml")) else "script"
        yield scan.ctx.file_evidence(
            "change.freeze", path, line=1, attributes={"mechanism": mech}, strength=Strength.STRONG,
            summary=f"freeze {mech} file",
        )
