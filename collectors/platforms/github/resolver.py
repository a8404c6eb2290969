"""`github:ORG` and `github:ORG/REPO` targets: discovery, and one tarball per repository.

Why a tarball: the file collectors then run unchanged on a directory tree, exactly as in a local
scan, at a cost of one call per repository instead of one per file. Locators become GitHub
permalinks at the scanned commit (`subject.permalink`).

`prepare()` reads the default branch (HEAD sha and `protected`), starts the repository's API calls
in the background (`fetch.start`) so they overlap with the download, then downloads and extracts
the tarball with the `data` extraction filter (no absolute paths, no `..`, no links out of the
tree, no device files).
"""

from __future__ import annotations

from typing import Any

from wafops.collectors.base import ScanSourceError, TargetError
from wafops.collectors.platforms.common.http import truthy
from wafops.collectors.platforms.common.resolver import PlatformResolver
from wafops.collectors.platforms.common.selection import wanted
from wafops.collectors.platforms.github import fetch
from wafops.collectors.platforms.github.auth import AuthError
from wafops.collectors.platforms.github.client import ApiError, GitHubClient, client_for
from wafops.scanner.core.model import Subject


def select_repos(repos: list[dict[str, Any]], options: dict[str, Any]) -> list[dict[str, Any]]:
    """Archived, disabled and forks out by default; --include/--exclude globs on name or owner/name; topics."""
    return [r for r in repos if isinstance(r, dict) and wanted(
        (r.get("name", ""), r.get("full_name", "")), r.get("topics") or [], options,
        archived=bool(r.get("archived")), fork=bool(r.get("fork")), gone=bool(r.get("disabled")))]


class GitHubResolver(PlatformResolver):
    scheme = "github"
    tmp_prefix = "wafops-gh-"
    remote_hosts = ("github",)
    description = "github:ORG or github:ORG/REPO — every repository of an organisation via the GitHub API"

    def resolve(self, target: str, options: dict[str, Any], warn: Any) -> list[Subject]:
        spec = target.partition(":")[2].strip().strip("/")
        if not spec or spec.count("/") > 1:
            raise TargetError(f"{target}: expected github:ORG or github:ORG/REPO")
        try:
            client = client_for(options)
        except AuthError as err:
            raise TargetError(f"{target}: {err}") from None
        owner, _, name = spec.partition("/")
        try:
            if name:
                repos = [client.get(f"/repos/{fetch.enc(owner)}/{fetch.enc(name)}").data]
                if not isinstance(repos[0], dict) or not repos[0].get("full_name"):
                    raise ScanSourceError(f"{target}: GitHub answered no repository (a {type(repos[0]).__name__} "
                                          "without full_name)", "github")
            else:
                repos = self._list(client, owner, warn)
                repos = select_repos(repos, options)
        except ApiError as err:
            hint = {401: "the token was refused", 403: "access denied or rate limited", 404: "not found or not visible to this token"}
            raise self.failure(f"{target}: {hint.get(err.status, 'GitHub API error')} ({err})", err.status) from None
        subjects = []
        for r in sorted(repos, key=lambda r: r.get("full_name", "")):
            if not isinstance(r, dict) or not r.get("full_name"):
                continue
            subjects.append(
                Subject(
                    id=f"github:{r['full_name']}",
                    kind="repository",
                    meta={"platform": "github", "repo": r, "default_branch": r.get("default_branch") or "main"},
                )
            )
        if not subjects:
            warn(f"github:{spec}", "github", "no repositories matched (archived and forks are excluded by default)")
        return subjects

    def _list(self, client: GitHubClient, owner: str, warn: Any) -> list[dict[str, Any]]:
        path = f"/orgs/{fetch.enc(owner)}/repos"
        try:
            items, _, complete = client.pages(path, {"type": "all", "per_page": 100}, max_pages=1000)
        except ApiError as err:
            if err.status != 404:
                raise
            # not an organisation: a user account
            items, _, complete = client.pages(f"/users/{fetch.enc(owner)}/repos", {"type": "owner", "per_page": 100}, max_pages=1000)
        if not complete:
            warn(f"github:{owner}", "github", "repository list truncated")
        return [i for i in items if isinstance(i, dict)]

    def prepare(self, subject: Subject, options: dict[str, Any], warn: Any) -> None:
        client = client_for(options)
        repo = subject.meta["repo"]
        owner, name = repo["full_name"].split("/", 1)
        branch = subject.meta["default_branch"]
        try:
            b = client.get(f"/repos/{fetch.enc(owner)}/{fetch.enc(name)}/branches/{fetch.enc(branch)}")
        except ApiError as err:
            subject.meta["branch_error"] = err
            if err.status == 404 and repo.get("size") == 0:
                raise RuntimeError("the repository is empty") from None
            raise RuntimeError(f"default branch {branch!r} unreadable: {err.status} {err.message}") from None
        data = b.data if isinstance(b.data, dict) else {}
        sha = (data.get("commit") or {}).get("sha")
        subject.meta["branch"] = data
        subject.meta["branch_url"] = b.url
        subject.meta["prefetch"] = fetch.start(client, owner, name, branch, options)
        if not sha:
            raise RuntimeError(f"default branch {branch!r} has no commit")
        subject.commit = sha
        html = repo.get("html_url") or f"{client.html_base()}/{repo['full_name']}"
        subject.permalink = f"{html.rstrip('/')}/blob/{sha}/"
        if truthy(options.get("github_skip_files")):
            return
        self.unpack(subject, client.tarball(owner, name, sha), warn)

