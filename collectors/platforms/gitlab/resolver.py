"""`gitlab:GROUP[/SUBGROUP...]` and `gitlab:GROUP/PROJECT` targets: discovery, and one archive per project.

Discovery is one paginated list, `GET /groups/:id/projects?include_subgroups=true` (100 a page,
archived projects left out by the API, forks by us), so a group of 1,000 projects costs 10 calls.
A path with a slash is tried as a project first, then as a (sub)group.

`prepare()` reads the tier (once per top-level group), the default branch (HEAD sha and
`protected`), starts the project's API calls in the background (`fetch.start`) so they overlap
with the download, then downloads the archive of that commit and extracts it safely. Locators
become GitLab permalinks at that commit: `<web_url>/-/blob/<sha>/<path>#L<line>`.
"""

from __future__ import annotations

from typing import Any

from wafops.collectors.platforms.common.errors import CredentialError
from wafops.collectors.platforms.common.http import truthy
from wafops.collectors.platforms.common.resolver import PlatformResolver
from wafops.collectors.platforms.common.selection import wanted
from wafops.collectors.platforms.gitlab import fetch
from wafops.collectors.platforms.gitlab.client import ApiError, GitLabClient, client_for, enc
from wafops.scanner.core.model import Subject


def select_projects(projects: list[dict[str, Any]], options: dict[str, Any]) -> list[dict[str, Any]]:
    """Archived and forks out by default; --include/--exclude globs on path or full path; topics."""
    return [p for p in projects if isinstance(p, dict) and p.get("path_with_namespace") and wanted(
        (str(p.get("path") or ""), str(p["path_with_namespace"]), str(p.get("name") or "")),
        p.get("topics") or p.get("tag_list") or [], options,
        archived=bool(p.get("archived")), fork=bool(p.get("forked_from_project")),
        gone=bool(p.get("marked_for_deletion_at") or p.get("marked_for_deletion_on")))]


class GitLabResolver(PlatformResolver):
    scheme = "gitlab"
    tmp_prefix = "wafops-gl-"
    remote_hosts = ("gitlab",)
    description = "gitlab:GROUP[/SUBGROUP] or gitlab:GROUP/PROJECT — every project of a group via the GitLab API"

    def resolve(self, target: str, options: dict[str, Any], warn: Any) -> list[Subject]:
        spec = target.partition(":")[2].strip().strip("/")
        if not spec:
            raise self.failure(f"{target}: expected gitlab:GROUP[/SUBGROUP...] or gitlab:GROUP/PROJECT", 404)
        client = client_for(options)
        try:
            projects = None
            if "/" in spec:
                try:
                    projects = [client.get(f"/projects/{enc(spec)}").data]
                except ApiError as err:
                    if err.status != 404:
                        raise
            if projects is None:
                projects = select_projects(self._list(client, spec, options, warn), options)
        except CredentialError as err:
            raise self.failure(f"{target}: {err}", 401) from None
        except ApiError as err:
            hint = {401: "the token was refused", 403: "access denied or rate limited",
                    404: "no such group or project, or not visible to this token"}
            raise self.failure(f"{target}: {hint.get(err.status, 'GitLab API error')} ({err})", err.status) from None
        subjects = []
        for p in sorted((p for p in projects if isinstance(p, dict) and p.get("path_with_namespace")),
                        key=lambda p: p["path_with_namespace"]):
            subjects.append(Subject(
                id=f"gitlab:{p['path_with_namespace']}",
                kind="repository",
                meta={"platform": "gitlab", "project": p, "default_branch": p.get("default_branch")},
            ))
        if not subjects:
            warn(f"gitlab:{spec}", "gitlab", "no projects matched (archived projects and forks are excluded by default)")
        return subjects

    def _list(self, client: GitLabClient, group: str, options: dict[str, Any], warn: Any) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"include_subgroups": "true", "with_shared": "false", "order_by": "id",
                                  "sort": "asc", "per_page": 100}
        if not truthy(options.get("include_archived")):
            params["archived"] = "false"
        items, _, complete = client.pages(f"/groups/{enc(group)}/projects", params,
                                          max_pages=int(options.get("gitlab_max_list_pages", 1000)))
        if not complete:
            warn(f"gitlab:{group}", "gitlab", "project list truncated")
        return [i for i in items if isinstance(i, dict)]

    def prepare(self, subject: Subject, options: dict[str, Any], warn: Any) -> None:
        client = client_for(options)
        p = subject.meta["project"]
        pid = p["id"]
        ns = (p.get("namespace") or {}).get("full_path") or p["path_with_namespace"].rsplit("/", 1)[0]
        tier = client.tier(ns, options.get("gitlab_tier"))
        subject.meta["tier"] = tier
        branch = subject.meta.get("default_branch")
        if not branch:
            subject.meta["empty"] = True
            raise RuntimeError("the repository is empty (no default branch)")
        try:
            b = client.get(f"/projects/{pid}/repository/branches/{enc(branch)}")
        except ApiError as err:
            subject.meta["branch_error"] = err
            raise RuntimeError(f"default branch {branch!r} unreadable: {err.status} {err.message}".strip()) from None
        data = b.data if isinstance(b.data, dict) else {}
        sha = (data.get("commit") or {}).get("id")
        subject.meta["branch"] = data
        subject.meta["branch_url"] = b.url
        subject.meta["prefetch"] = fetch.start(client, pid, tier, options, bool(data.get("protected")))
        if not sha:
            raise RuntimeError(f"default branch {branch!r} has no commit")
        subject.commit = sha
        web = str(p.get("web_url") or f"{client.host}/{p['path_with_namespace']}").rstrip("/")
        subject.permalink = f"{web}/-/blob/{sha}/"
        if truthy(options.get("gitlab_skip_files")):
            return
        self.unpack(subject, client.archive(pid, sha), warn)
