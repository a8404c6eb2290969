"""WAF-OPS-100 level pins: registers as real files, reviews and trends from real git history."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.gitinfo import clear_cache
from collectors.repo_change import ChangeCollector
from collectors.repo_docs import DocsCollector
from scanner.model import ControlStatus, Evidence
from tests.helpers import collect_with, write_tree
from tests.test_git_history import Repo
from tests.test_ops050 import ev, level
from tests.test_repo_docs import REGISTER


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


def scan(root: Path) -> list[Evidence]:
    return collect_with(DocsCollector(), root)[0] + collect_with(ChangeCollector(), root)[0]


def entry(i: int, toil: float, status: str = "open", source: str = "") -> str:
    return (f"  - id: OPS-DEBT-{i:03d}\n    title: item {i}\n    category: toil\n    severity: high\n"
            f"    toil_hours_per_week: {toil}\n    owner: team\n    created_date: 2026-01-01\n"
            f"    target_resolution_date: 2027-01-01\n    status: {status}\n" + (f"    source: {source}\n" if source else ""))


def test_nothing_tracked_needs_the_platform_to_say_level_1(tmp_path: Path) -> None:
    write_tree(tmp_path, {"README.md": "# lib\n"})
    assert level("ops100", scan(tmp_path), repo="ok").status is ControlStatus.NOT_ASSESSED
    res = level("ops100", scan(tmp_path) + [ev("scm.labels", "github", labels=["bug"], debt_used_180d=0)],
                repo="ok", github="ok")
    assert res.level == 1 and res.status is ControlStatus.ASSESSED


def test_tech_debt_doc_or_labels_are_level_2(tmp_path: Path) -> None:
    write_tree(tmp_path, {"TECH_DEBT.md": "# Tech debt\n- old ORM\n"})
    res = level("ops100", scan(tmp_path), repo="ok")
    assert res.level == 2 and res.status is ControlStatus.ASSESSED  # no register: L3 fails from the repo alone
    res = level("ops100", [ev("scm.labels", "github", labels=["tech-debt"], debt_used_180d=3)], repo="ok", github="ok")
    assert res.level == 2


def test_incomplete_register_is_level_2(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ops-debt-register.yml": REGISTER})  # 2 of 3 complete, one open entry without toil hours
    res = level("ops100", scan(tmp_path), repo="ok")
    crit = {c.id: c.status.value for c in res.criteria}
    assert res.level == 2 and crit["ops100-complete"] == "not_met" and crit["ops100-toil-hours"] == "not_met"


def test_maintained_register_is_level_3_and_needs_history_for_more(tmp_path: Path) -> None:
    text = "# Last review: 2026-10-01\nentries:\n" + entry(1, 4) + entry(2, 2) + entry(3, 0, "resolved")
    write_tree(tmp_path, {"ops-debt-register.yml": text})
    res = level("ops100", scan(tmp_path), repo="ok")
    assert res.level == 3 and res.status is ControlStatus.ASSESSED  # no postmortem links: L4 fails
    old = text.replace("2026-10-01", "2026-01-01")
    write_tree(tmp_path, {"ops-debt-register.yml": old})
    res = level("ops100", scan(tmp_path), repo="ok")
    crit = {c.id: c.status.value for c in res.criteria}
    assert crit["ops100-reviewed"] == "not_met" and res.level == 2


def test_no_review_date_without_git_is_not_assessed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ops-debt-register.yml": "entries:\n" + entry(1, 4)})
    res = level("ops100", scan(tmp_path), repo="ok")
    assert res.level == 2 and res.status is ControlStatus.PARTIALLY_ASSESSED


def test_falling_toil_and_paydown_reach_level_5(tmp_path: Path) -> None:
    r = Repo(tmp_path / "svc")
    pm = "docs/postmortems/2026-01-01-db.md"
    r.commit({"ops-debt-register.yml": "entries:\n" + entry(1, 10, source=pm) + entry(2, 8) + entry(3, 6)}, "q0", 250)
    r.commit({"ops-debt-register.yml": "entries:\n" + entry(1, 10, "resolved", pm) + entry(2, 8, "resolved") + entry(3, 6)
              + entry(4, 2)}, "q1", 160)
    r.commit({"ops-debt-register.yml": "entries:\n" + entry(1, 10, "resolved", pm) + entry(2, 8, "resolved")
              + entry(3, 6, "resolved") + entry(4, 2, "resolved") + entry(5, 1)}, "q2", 20)
    res = level("ops100", scan(r.root), repo="ok", git="ok")
    assert res.level == 5, [(c.id, c.status.value, c.reason) for c in res.criteria]
    crit = {c.id: c for c in res.criteria}
    assert crit["ops100-toil-trend"].reason.endswith("2026-05-24 24, 2026-08-23 8, 2026-11-22 1")


def test_rising_toil_stops_at_level_3(tmp_path: Path) -> None:
    r = Repo(tmp_path / "svc")
    pm = "postmortem docs/postmortems/x.md"
    r.commit({"ops-debt-register.yml": "entries:\n" + entry(1, 2, source=pm)}, "q0", 250)
    r.commit({"ops-debt-register.yml": "entries:\n" + entry(1, 2, source=pm) + entry(2, 5)}, "q1", 160)
    r.commit({"ops-debt-register.yml": "entries:\n" + entry(1, 2, source=pm) + entry(2, 5) + entry(3, 5)}, "q2", 20)
    res = level("ops100", scan(r.root), repo="ok", git="ok")
    crit = {c.id: c.status.value for c in res.criteria}
    assert res.level == 3 and crit["ops100-toil-trend"] == "not_met" and crit["ops100-postmortem-links"] == "met"
