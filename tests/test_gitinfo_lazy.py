"""The cheap history reader (commits from `git log --format`, per-file dates on demand) must say exactly
what the old single `git log --name-status` pass said, on a generated repository with merges, renames,
deletes, re-added files, odd file names, a file that becomes a folder and commits before the window."""

from __future__ import annotations

import os
import random
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from wafops.scanner.core.gitinfo import _likely_paths, clear_cache, full_file_histories, git_info, likely_read

from tests.helpers import NOW

NAMES = ["docs/runbooks/db.md", "docs/runbooks/cache.md", "docs/postmortems/2026-01-outage.md",
         "docs/adr/0001-use-git.md", "ops/tech-debt.yaml", "README.md", "OPERATIONS.md",
         "services/a/RUNBOOK.md", "services/b/RUNBOOK.md", "docs/odd name *[x].md", "docs/ünïcode.md", ":(top)colon.md",
         "src/app.py", "src/lib/util.py", "src/lib/deep/x.go", "config/app.yaml", "notes.txt", "docs/folder"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    return env


def build(root: Path, commits: int = 400, seed: int = 3) -> None:
    """Deterministic history over ~600 days (the window is 400) on main, with side branches that live
    for three commits while main moves on, merged by merge commits that keep main's version of some of
    the branch's files (as an "ours" conflict resolution does: then the merge is TREESAME to main for
    that path, and a simplified `git log -- path` would hide the branch's commit); renames, deletes,
    re-adds, a file that becomes a folder, odd names, and commits dated before their parent."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=_env())
    rnd = random.Random(seed)
    out: list[bytes] = []
    present: set[str] = set()
    mark, tip, topic = 0, 0, 0
    side_ops: list[bytes] = []
    start = NOW - timedelta(days=600)

    def modify(path: str, n: int) -> bytes:
        body = f"{path} {n}\n".encode()
        return f'M 100644 inline "{path}"\ndata {len(body)}\n'.encode() + body + b"\n"

    def ops_for(n: int) -> list[bytes]:
        ops: list[bytes] = []
        for _ in range(rnd.randint(1, 3)):
            path = rnd.choice(NAMES)
            r = rnd.random()
            if path == "docs/folder" and r < 0.3 and path in present:
                ops.append(f"D {path}\n".encode())  # a file that becomes a folder
                present.discard(path)
                path = "docs/folder/inner.md"
            elif path == "docs/folder" and any(p.startswith("docs/folder/") for p in present):
                path = "docs/folder/inner.md"
            if path in present and r < 0.12:
                ops.append(f'D "{path}"\n'.encode())
                present.discard(path)
                continue
            moved = path.replace(".", "-moved.", 1) if "." in path else path + "-moved"
            if path in present and r < 0.22 and moved not in present:
                ops.append(f'R "{path}" "{moved}"\n'.encode())
                present.discard(path)
                present.add(moved)
                continue
            ops.append(modify(path, n))
            present.add(path)
        return ops

    def commit(ref: str, parent: int, when, msg: str, ops: list[bytes], merge: int = 0) -> int:
        nonlocal mark
        mark += 1
        ts = f"{int(when.timestamp())} +0000"
        data = msg.encode() + b"\n"
        out.append(f"commit {ref}\nmark :{mark}\nauthor Dev <d{mark % 4}@x.io> {ts}\n"
                   f"committer Dev <d{mark % 4}@x.io> {ts}\n".encode() + b"data %d\n" % len(data) + data
                   + (f"from :{parent}\n".encode() if parent else b"") + (f"merge :{merge}\n".encode() if merge else b"")
                   + b"".join(ops) + b"\n")
        return mark

    for n in range(commits):
        when = start + timedelta(days=600 * n / commits)
        if n % 37 == 5:
            when -= timedelta(hours=30)  # committed "before" its parent
        phase = n % 12
        if tip and phase in (4, 5, 6):  # a side branch forked at main's tip, three commits long
            ops = [modify(rnd.choice(NAMES[:-1]), n) for _ in range(rnd.randint(1, 2))]
            topic = commit("refs/heads/topic", topic if phase > 4 else tip, when, f"side {n}", ops)
            side_ops += ops
            continue
        if phase == 9 and topic:  # merge it: replay the branch's changes, keeping main's side of every third one
            kept = [op for i, op in enumerate(side_ops) if i % 3 != 1]
            tip = commit("refs/heads/main", tip, when, f"Merge pull request #{n} from dev/topic", kept, merge=topic)
            topic, side_ops = 0, []
            for op in kept:
                present.add(op.split(b'"')[1].decode())
            continue
        tip = commit("refs/heads/main", tip, when, f"change {n}", ops_for(n))
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input=b"".join(out), check=True, env=_env())
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "-f", "main"], check=True, env=_env())


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lazy") / "repo"
    build(root)
    return root


def _differences(info, full: dict, paths) -> list[str]:
    """Paths whose lazy answer differs from the full pass (history, added date, last change), with what differs."""
    out = []
    for path in paths:
        got, want = info.files.get(path), full.get(path)
        if (got is None) != (want is None):
            out.append(f"{path}: {'missing' if got is None else 'unexpected'}")
        elif want is not None and (got.changes != want.changes or got.added != want.added
                                   or info.last_changed(path) != want.last_changed or info.added(path) != want.added):
            out.append(f"{path}: {got.changes[:2]} / {got.added} != {want.changes[:2]} / {want.added}")
    return out


def test_cheap_and_full_paths_agree(repo: Path) -> None:
    info = git_info(str(repo), NOW)
    full = full_file_histories(info.root, info.since)
    assert len(info.commits) > 250 and sum(c.is_merge for c in info.commits) > 20
    assert any(p.endswith("-moved.md") for p in full) and "docs/folder/inner.md" in full
    head = set(subprocess.run(["git", "-C", str(repo), "-c", "core.quotepath=off", "ls-files"], capture_output=True,
                              text=True, check=True, env=_env()).stdout.splitlines())
    docs = sorted(p for p in head if likely_read(p))
    assert len(docs) > 8
    assert _differences(info, full, docs) == []
    assert info.files.walks == 1  # every document at HEAD (what the docs collector asks about) in one walk
    others = sorted(p for p in full if p not in docs)
    assert _differences(info, full, others + ["never/there.md", "src", "docs", "docs/", "src/lib"]) == []
    assert info.files.walks <= 1 + len({p.rpartition("/")[0] for p in others}) + 4
    assert dict(info.files.items()).keys() == full.keys()  # iterating = the full pass


def test_cheap_path_for_one_odd_path_first(repo: Path) -> None:
    """The first question is about a path the prefetch would not pick: answers still match."""
    info = git_info(str(repo), NOW)
    full = full_file_histories(info.root, info.since)
    assert _differences(info, full, ["src/lib/util.py", "config/app.yaml", "docs/odd name *[x].md", "docs/ünïcode.md"]) == []
    assert _differences(info, full, sorted(full)) == []


@pytest.mark.parametrize("days", [30, 200, 1000])
def test_windows_of_other_sizes_agree(repo: Path, days: int) -> None:
    info = git_info(str(repo), NOW, window_days=days)
    full = full_file_histories(info.root, info.since)
    assert full  # even the 30-day window holds changed files
    assert _differences(info, full, sorted(full) + ["README.md", "nope.md"]) == []


def test_document_search_in_a_listing_matches_likely_read() -> None:
    names = ["a/b.md", "x/Debt-register.yaml", "ops/TOIL.json", "README.MD", "x.md.erb", "x.yaml", "debt/x.yaml",
             "a/register.py", "q/tech-debt.yml", "deep/a/b/c.rst", "z.txt", "docs.md/x", "ünï/Runbook.adoc"]
    listing = b"\0".join(n.encode() for n in names) + b"\0"
    assert sorted(_likely_paths(listing)) == sorted(n for n in names if likely_read(n))


def test_documents_are_walked_with_few_pathspecs(repo: Path) -> None:
    items, later = git_info(str(repo), NOW).files._likely_items()
    assert later == []  # a small tree: every document in the first walk
    assert "docs" in items and not any(i.startswith("docs/") for i in items)  # a documentation folder: one pathspec
    assert "services" in items  # a folder of documents only
    assert "README.md" in items and not any(i.startswith("src") for i in items)


@pytest.mark.parametrize("prefetch_all, misses_max", [(2, 1), (2, 100), (0, 0)])
def test_big_tree_limits_keep_answers_exact(repo: Path, monkeypatch, prefetch_all: int, misses_max: int) -> None:
    """With many documents only the likely ones go first, the rest on the first miss; with questions all
    over the tree a full pass answers the rest: the answers stay the same either way."""
    import wafops.scanner.core.gitinfo as gitinfo

    monkeypatch.setattr(gitinfo, "PREFETCH_ALL", prefetch_all)
    monkeypatch.setattr(gitinfo, "MISSES_MAX", misses_max)
    info = git_info(str(repo), NOW)
    full = full_file_histories(info.root, info.since)
    assert _differences(info, full, ["src/app.py", "notes.txt"] + sorted(full) + ["never/there.md"]) == []
