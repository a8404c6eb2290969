"""Git history collector: how changes land on the default branch (source `git`).

Why: without the hosting platform's API, history is the only outcome evidence of review practice.
On a branch where changes arrive through pull/merge requests, nearly every first-parent commit is
a PR merge (`Merge pull request #12`, `See merge request g/p!3`, `Merged PR 7:` on Azure DevOps)
or a squash commit (`... (#123)`, or committed by GitHub's web-flow identity). Direct pushes show
up as plain commits. The ratio is weak evidence (it shows habit, not enforcement).

A shallow clone (CI checkouts with `--depth 1`) has no history worth reading: the source becomes
`partial` and history-based probes answer "not assessed", never "absent".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

from wafops.collectors.base import CollectContext, Collector
from wafops.scanner.core.gitinfo import Commit, GitError, GitInfo, git_info, parse_date, run_git
from wafops.scanner.core.model import Evidence, SourceState, Strength, Subject

PR_MERGE_RX = re.compile(
    r"^Merge pull request #\d+"  # GitHub merge commit
    r"|See merge request [\w./-]*!\d+"  # GitLab merge commit (body)
    r"|^Merged PR \d+"  # Azure DevOps
    r"|\(#\d+\)\s*$"  # GitHub squash merge
    r"|\(pull request #\d+\)"  # Bitbucket
    r"|^Merge branch '[^']+' into '[^']+'$"  # GitLab merge commit subject (body carries the !iid)
    r"|^(Auto merge of|Merge) #\d+",  # bors / homu merge queues
    re.M,
)
WEB_FLOW = "noreply@github.com"  # GitHub's committer identity for merges made through a PR


def is_pr_merge(c: Commit, body: str = "") -> bool:
    """Whether a first-parent commit landed through a pull/merge request."""
    if PR_MERGE_RX.search(c.subject) or (body and PR_MERGE_RX.search(body)):
        return True
    return c.committer_email.lower() == WEB_FLOW and c.author_email.lower() != WEB_FLOW


class GitHistoryCollector(Collector):
    name = "git"
    source = "git"
    role = "git"
    description = "Local git history: PR-merge share of the default branch, commit and tag cadence, per-file dates"
    needs = "a directory that is the top of a git work tree (full history; a shallow clone is partial)"
    controls = ("WAF-OPS-050", "WAF-OPS-060", "WAF-OPS-070", "WAF-OPS-100")

    def applies(self, subject: Subject, ctx: CollectContext) -> bool:
        return bool(subject.workdir)

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        try:
            info = git_info(subject.workdir, ctx.now)
        except GitError as err:
            ctx.warn("git", f"git history could not be read: {err}")
            ctx.source_status("git", SourceState.ERROR, f"git history could not be read: {err}")
            return []
        if info is None:
            ctx.source_status(
                "git", SourceState.NOT_CONFIGURED,
                f"no git history: {subject.workdir} is not the top of a git repository",
            )
            return []
        if info.shallow:
            ctx.source_status(
                "git", SourceState.PARTIAL,
                f"shallow clone ({len(info.commits)} commit(s) present): history-based criteria not assessed",
            )
        else:
            ctx.source_status("git", SourceState.OK)
        return [self._history(info, ctx)]

    def _history(self, info: GitInfo, ctx: CollectContext) -> Evidence:
        now = ctx.now
        d90, d365 = now - timedelta(days=90), now - timedelta(days=365)
        commits_90 = [c for c in info.commits if c.date >= d90]
        fp_365 = [c for c in info.first_parent(d365) if not c.is_bot]
        bodies = _merge_bodies(info, fp_365)
        fp_90 = [c for c in fp_365 if c.date >= d90]
        pr_90 = [c for c in fp_90 if is_pr_merge(c, bodies.get(c.sha, ""))]
        pr_365 = [c for c in fp_365 if is_pr_merge(c, bodies.get(c.sha, ""))]
        bots_90 = sum(1 for c in info.first_parent(d90) if c.is_bot)
        attrs = {
            "head": info.head,
            "branch": info.branch,
            "shallow": info.shallow,
            "commits_90d": len(commits_90),
            "first_parent_90d": len(fp_90),
            "pr_merges_90d": len(pr_90),
            "pr_merge_ratio": round(len(pr_90) / len(fp_90), 3) if fp_90 else None,
            "first_parent_365d": len(fp_365),
            "pr_merges_365d": len(pr_365),
            "pr_merge_ratio_365d": round(len(pr_365) / len(fp_365), 3) if fp_365 else None,
            "bot_commits_90d": bots_90,
            "last_commit": info.commits[0].date.isoformat() if info.commits else _last_commit(info),
            "first_commit": _first_commit(info),
            "tags_365d": _tags_since(info, d365),
            "authors_90d": len({c.author_email.lower() for c in commits_90}),
        }
        ratio = attrs["pr_merge_ratio"]
        summary = (
            f"{len(fp_90)} first-parent commit(s) on {info.branch or 'HEAD'} in 90 days, "
            f"{len(pr_90)} via pull/merge requests" + (f" ({round(ratio * 100)} %)" if ratio is not None else "")
        )
        if info.shallow:
            summary = "shallow clone: " + summary
        return ctx.file_evidence(
            "git.history", ".", attributes=attrs, strength=Strength.WEAK if info.shallow else Strength.DIRECT,
            summary=summary, source="git",
        )


def _merge_bodies(info: GitInfo, commits: list[Commit]) -> dict[str, str]:
    """Bodies of merge commits whose subject alone does not say where they came from (GitLab)."""
    wanted = [c.sha for c in commits if c.is_merge and not PR_MERGE_RX.search(c.subject)]
    if not wanted:
        return {}
    out: dict[str, str] = {}
    try:
        text = run_git(info.root, "log", "--no-walk=unsorted", "--format=%x1e%H%x1f%b", *wanted[:2000])
    except GitError:
        return out
    for chunk in text.split("\x1e"):
        sha, _, body = chunk.partition("\x1f")
        if sha.strip():
            out[sha.strip()] = body
    return out


def _last_commit(info: GitInfo) -> str | None:
    try:
        return run_git(info.root, "log", "-1", "--format=%cI", "HEAD", timeout=20).strip() or None
    except GitError:
        return None


def _first_commit(info: GitInfo) -> str | None:
    if not info.truncated_window and info.commits:
        return info.commits[-1].date.isoformat()
    try:
        out = run_git(info.root, "rev-list", "--max-parents=0", "--format=%cI", "HEAD", timeout=30)
    except GitError:
        return None
    dates = [d for d in (parse_date(line) for line in out.splitlines() if not line.startswith("commit ")) if d]
    return min(dates).isoformat() if dates else None


def _tags_since(info: GitInfo, since) -> int:
    try:
        out = run_git(info.root, "for-each-ref", "refs/tags", "--format=%(creatordate:iso-strict)", timeout=30)
    except GitError:
        return 0
    return sum(1 for line in out.splitlines() if (d := parse_date(line)) and d >= since)
