"""Git history collector and the shared git helper, on real repositories built in tmp_path."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from wafops.collectors.git.history import GitHistoryCollector, is_pr_merge
from wafops.rules.probes import PROBES, load_all
from wafops.scanner.core.gitinfo import Commit, clear_cache, git_info, git_toplevel
from wafops.scanner.core.model import SourceState

from tests.helpers import NOW, collect_with, evidence_set, write_tree

load_all()


class Repo:
    """A scratch git repository whose commits carry chosen dates (days before tests.helpers.NOW)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, days_ago: float = 0, author: str = "Dev One", email: str = "dev1@example.com",
            committer_email: str | None = None) -> str:
        when = (NOW - timedelta(days=days_ago)).isoformat()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update({
            "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": committer_email or email, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
        })
        out = subprocess.run(["git", "-C", str(self.root), *args], env=env, capture_output=True, text=True, check=True)
        return out.stdout

    def commit(self, files: dict[str, str], msg: str, days_ago: float, **kw: str) -> None:
        write_tree(self.root, files)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", msg, days_ago=days_ago, **kw)

    def merge_pr(self, branch: str, files: dict[str, str], msg: str, days_ago: float, body: str = "") -> None:
        """A feature branch with one commit, merged with --no-ff (like a platform merge button)."""
        self.git("checkout", "-q", "-b", branch)
        self.commit(files, f"work on {branch}", days_ago + 0.5)
        self.git("checkout", "-q", "main")
        args = ["merge", "-q", "--no-ff", branch, "-m", msg] + (["-m", body] if body else [])
        self.git(*args, days_ago=days_ago)


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def pr_repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path / "svc")
    r.commit({"README.md": "# svc\n"}, "initial", 500)
    r.commit({"old.txt": "x"}, "old direct push", 200)
    for i in range(1, 7):
        r.merge_pr(f"f{i}", {f"f{i}.txt": str(i)}, f"Merge pull request #{i} from acme/f{i}", 80 - i * 5)
    r.commit({"sq.txt": "1"}, "feat: squash merged (#42)", 20)
    r.merge_pr("gl", {"gl.txt": "1"}, "Merge branch 'gl' into 'main'", 15, body="See merge request acme/svc!7")
    r.commit({"web.txt": "1"}, "Rebase-merged change", 12, email="dev2@example.com", committer_email="noreply@github.com")
    r.commit({"direct.txt": "1"}, "hotfix pushed directly", 10)
    r.commit({"bot.txt": "1"}, "chore: release", 5, author="github-actions[bot]", email="41898282+github-actions[bot]@users.noreply.github.com")
    r.git("tag", "v1.0.0", days_ago=5)
    r.git("tag", "-a", "v0.1.0", "-m", "old", days_ago=0)
    return r


def test_history_counts_pr_merges_on_first_parent(pr_repo: Repo) -> None:
    ev, ctx = collect_with(GitHistoryCollector(), pr_repo.root)
    assert ctx.statuses["git"].status is SourceState.OK
    (h,) = ev
    a = h.attributes
    assert h.kind == "git.history" and h.source == "git"
    assert a["branch"] == "main" and a["shallow"] is False
    # first parent in 90 d: 6 PR merges + squash + GitLab merge + web-flow + direct = 10 (bot excluded)
    assert a["first_parent_90d"] == 10
    assert a["pr_merges_90d"] == 9
    assert a["pr_merge_ratio"] == 0.9
    assert a["bot_commits_90d"] == 1
    # all commits in 90 d: 10 first-parent + bot + 7 branch commits
    assert a["commits_90d"] == 18
    assert a["first_parent_365d"] == 11 and a["pr_merges_365d"] == 9
    assert a["tags_365d"] == 2
    assert a["authors_90d"] == 3
    assert a["first_commit"].startswith((NOW - timedelta(days=500)).date().isoformat())
    assert a["last_commit"].startswith((NOW - timedelta(days=5)).date().isoformat())


def test_pr_merge_detection_patterns() -> None:
    def c(subject: str, committer: str = "a@b.c") -> Commit:
        return Commit("x", NOW, ["p"], "a@b.c", "A", committer, subject)

    assert is_pr_merge(c("Merge pull request #12 from a/b"))
    assert is_pr_merge(c("Merged PR 381: Add thing"))
    assert is_pr_merge(c("fix: thing (#1234)"))
    assert is_pr_merge(c("Merge branch 'x' into 'main'"), body="See merge request grp/proj!12")
    assert is_pr_merge(c("Rebased"), body="") is False
    assert is_pr_merge(c("Rebased", committer="noreply@github.com"))
    assert not is_pr_merge(c("fix #123 by hand"))
    assert not is_pr_merge(c("Merge branch 'feature' into develop"))


def test_gitinfo_per_file_dates(pr_repo: Repo) -> None:
    info = git_info(str(pr_repo.root), NOW)
    assert info is not None and not info.shallow
    assert info.last_changed("f1.txt").date() == (NOW - timedelta(days=75.5)).date()
    assert info.added("direct.txt").date() == (NOW - timedelta(days=10)).date()
    assert info.last_changed("README.md") is None  # only changed before the 400-day window
    assert len(info.first_parent(NOW - timedelta(days=90))) == 11
    assert git_info(str(pr_repo.root), NOW) is info  # cached per root


def test_not_a_repository(tmp_path: Path) -> None:
    write_tree(tmp_path, {"README.md": "x"})
    ev, ctx = collect_with(GitHistoryCollector(), tmp_path)
    assert ev == []
    st = ctx.statuses["git"]
    assert st.status is SourceState.NOT_CONFIGURED and "not the top of a git repository" in st.reason


def test_folder_inside_another_repository_has_no_history(pr_repo: Repo) -> None:
    pr_repo.commit({"examples/app/main.tf": "# x\n"}, "example", 3)
    assert git_toplevel(str(pr_repo.root / "examples" / "app")) is None
    ev, ctx = collect_with(GitHistoryCollector(), pr_repo.root / "examples" / "app")
    assert ev == [] and ctx.statuses["git"].status is SourceState.NOT_CONFIGURED


def test_empty_repository_is_an_error_not_a_crash(tmp_path: Path) -> None:
    Repo(tmp_path / "empty")
    ev, ctx = collect_with(GitHistoryCollector(), tmp_path / "empty")
    assert ev == [] and ctx.statuses["git"].status is SourceState.ERROR and ctx.warnings


def test_shallow_clone_is_partial_and_history_probes_not_assessed(pr_repo: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{pr_repo.root}", str(clone)], check=True,
                   capture_output=True, env={**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
                                             "GIT_CONFIG_GLOBAL": os.devnull})
    ev, ctx = collect_with(GitHistoryCollector(), clone)
    st = ctx.statuses["git"]
    assert st.status is SourceState.PARTIAL and st.reason.startswith("shallow clone (")
    assert "history-based criteria not assessed" in st.reason
    (h,) = ev
    assert h.get("shallow") is True
    es = evidence_set(ev, repo="ok", git="partial")
    finding = PROBES["changes_reviewed_before_merge"].run(es)
    assert finding.outcome is None and "shallow" in finding.reason
    assert PROBES["change_records_linked"].run(es).outcome is None


def test_history_ratio_drives_review_probe(pr_repo: Repo) -> None:
    ev, _ = collect_with(GitHistoryCollector(), pr_repo.root)
    f = PROBES["changes_reviewed_before_merge"].run(evidence_set(ev, repo="ok", git="ok"))
    assert f.outcome is True and f.strength.value == "weak" and "90 %" in f.reason


def test_direct_pushes_mean_no_review(tmp_path: Path) -> None:
    r = Repo(tmp_path / "lib")
    for i in range(8):
        r.commit({f"{i}.txt": "x"}, f"change {i}", 60 - i)
    ev, _ = collect_with(GitHistoryCollector(), r.root)
    assert ev[0].get("pr_merge_ratio") == 0.0
    f = PROBES["changes_reviewed_before_merge"].run(evidence_set(ev, repo="ok", git="ok"))
    assert f.outcome is False and "pushed directly" in f.reason
