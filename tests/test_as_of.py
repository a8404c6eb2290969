"""Time windows: a checkout is judged as of today, of a date, or of its HEAD commit (`--as-of head`)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from click.testing import CliRunner
from wafops.scanner.cli import main

from tests.helpers import write_tree

POSTMORTEM = """# Postmortem: checkout outage
Date: {date}

## Impact
Checkout failed for 20 minutes.
## Timeline
- 10:00 deploy
## Root cause
A bad config value.
## Action items
- [ ] add validation (owner: @alice, #12)
"""


def _old_repo(root: Path, date: str) -> Path:
    write_tree(root, {f"docs/postmortems/2024-0{i}-01-outage.md": POSTMORTEM.format(date=f"2024-0{i}-01")
                      for i in (3, 4, 5)})
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "a",
           "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.com"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "postmortems"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env)
    return root


def _scan(root: Path, *args: str) -> tuple[dict, str]:
    res = CliRunner().invoke(main, ["scan", str(root), "--format", "json", *args])
    assert res.exit_code == 0, res.output
    out = res.stdout
    return json.loads(out[out.index("{"):]), res.output


def _control(doc: dict, cid: str) -> dict:
    return next(c for c in doc["subjects"][0]["controls"] if c["id"] == cid)


def test_as_of_head_judges_windows_from_the_head_commit_and_an_old_head_is_named(tmp_path):
    repo = _old_repo(tmp_path / "old", "2024-06-01T12:00:00+00:00")
    today, _ = _scan(repo)
    warnings = [w["message"] for w in today.get("warnings", [])]
    assert any("HEAD commit is" in m and "--as-of head" in m for m in warnings), warnings
    cadence_today = next(c for c in _control(today, "WAF-OPS-070")["criteria"] if c["id"] == "ops070-cadence")
    assert cadence_today["status"] != "met", "three postmortems from 2024 are not recent as of today"

    at_head, _ = _scan(repo, "--as-of", "head")
    assert not any("HEAD commit is" in w["message"] for w in at_head.get("warnings", []))
    cadence_head = next(c for c in _control(at_head, "WAF-OPS-070")["criteria"] if c["id"] == "ops070-cadence")
    assert cadence_head["status"] == "met", cadence_head["reason"]
