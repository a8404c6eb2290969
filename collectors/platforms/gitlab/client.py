"""The GitLab REST (v4) client: the shared platform floor plus GitLab's credential, hosts and tiers.

Why not python-gitlab for the data calls: like PyGithub it has no conditional-request cache, and an
unchanged group re-scan must cost 304s, not full pages (see `collectors/platforms/common/http.py`,
shared with GitHub: ETag cache, `RateLimit-Reset`/`Retry-After`, retries, call budget, both
pagination styles). python-gitlab's conventions are kept: `PRIVATE-TOKEN` for personal, project and
group access tokens, `JOB-TOKEN` for `CI_JOB_TOKEN`, the API under `<host>/api/v4`.

Credentials come from the environment only (GITLAB_TOKEN, else CI_JOB_TOKEN), are sent only to the
API host, and never appear in a message, a cache entry or a report (cache entries are keyed by a
salted hash of the token).

Tiers: Premium/Ultimate features (approval rules, protected environments and their approvals, the
DORA API) do not exist on Free. The tier is taken from `gitlab_tier` (option), else the top-level
namespace's `plan` (GitLab.com shows it), else `/metadata` (a Community Edition instance is Free),
else it is unknown.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import quote

from wafops.collectors.platforms.common.cache import HttpCache, credential_hash
from wafops.collectors.platforms.common.http import ApiError, PlatformClient, truthy
from wafops.collectors.platforms.common.registry import Clients, cache_dir

DEFAULT_URL = "https://gitlab.com"
TIERS = ("free", "premium", "ultimate")
_PLAN_TIER = {
    "free": "free", "default": "free", "early_adopter": "free",
    "bronze": "premium", "silver": "premium", "premium": "premium", "premium_trial": "premium",
    "gold": "ultimate", "ultimate": "ultimate", "ultimate_trial": "ultimate", "opensource": "ultimate",
    "ultimate_trial_paid_customer": "ultimate",
}


def enc(s: Any) -> str:
    return quote(str(s), safe="")


def tier_of_plan(plan: Any) -> str | None:
    return _PLAN_TIER.get(str(plan or "").lower())


class Credentials:
    """Produces the credential header; `kind` and `ident` are safe to show, the secret is not."""

    def __init__(self, kind: str, token: str | None = None) -> None:
        self.kind = kind  # token | job | anonymous
        self._token = token
        self.ident = credential_hash(token) if token else "anonymous"

    def __repr__(self) -> str:  # never show the secret
        return f"Credentials(kind={self.kind!r})"

    def headers(self) -> dict[str, str]:
        if not self._token:
            return {}
        return {"JOB-TOKEN": self._token} if self.kind == "job" else {"PRIVATE-TOKEN": self._token}


def credentials_from(env: dict[str, str] | None = None) -> Credentials:
    env = dict(os.environ) if env is None else env
    token = (env.get("GITLAB_TOKEN") or "").strip()
    if token:
        return Credentials("token", token)
    job = (env.get("CI_JOB_TOKEN") or "").strip()
    if job:
        return Credentials("job", job)
    return Credentials("anonymous")


def host_url(options: dict[str, Any], env: dict[str, str] | None = None) -> str:
    """https://gitlab.com, or the self-managed instance (--gitlab-url, GITLAB_URL, CI_SERVER_URL)."""
    env = dict(os.environ) if env is None else env
    url = str(options.get("gitlab_url") or env.get("GITLAB_URL") or env.get("CI_SERVER_URL") or DEFAULT_URL)
    url = url.rstrip("/")
    return url[: -len("/api/v4")] if url.endswith("/api/v4") else url


class GitLabClient(PlatformClient):
    platform = "gitlab"
    thread_prefix = "wafops-gl"

    def __init__(self, host: str, creds: Credentials, cache: HttpCache | None = None, **kw: Any) -> None:
        super().__init__(host.rstrip("/") + "/api/v4", cache, cred_ident=creds.ident, **kw)
        self.host = host.rstrip("/")
        self.creds = creds
        self._tiers: dict[str, str] = {}
        self._tier_lock = threading.Lock()
        self._edition: str | None = None

    def auth_headers(self) -> dict[str, str]:
        return self.creds.headers()

    def archive(self, project_id: Any, sha: str) -> bytes:
        """The .tar.gz of a commit; immutable per sha, so a cached copy is used without a request."""
        return self.blob(f"/projects/{project_id}/repository/archive.tar.gz?sha={enc(sha)}", f"{project_id}@{sha}",
                         accept="*/*")

    def tier(self, namespace_path: str, forced: str | None = None) -> str:
        """free | premium | ultimate | unknown, for the top-level namespace of `namespace_path`."""
        if forced and forced.lower() in TIERS:
            return forced.lower()
        top = (namespace_path or "").split("/", 1)[0]
        with self._tier_lock:
            if top in self._tiers:
                return self._tiers[top]
            tier = None
            try:
                ns = self.get(f"/namespaces/{enc(top)}").data
                tier = tier_of_plan(ns.get("plan")) if isinstance(ns, dict) else None
            except ApiError:
                tier = None
            if tier is None:
                if self._edition is None:
                    try:
                        meta = self.get("/metadata").data or {}
                        self._edition = "ee" if meta.get("enterprise") else "ce" if "enterprise" in meta else "?"
                    except ApiError:
                        self._edition = "?"
                tier = "free" if self._edition == "ce" else "unknown"
            self._tiers[top] = tier
            return tier


_CLIENTS: Clients[GitLabClient] = Clients()


def client_for(options: dict[str, Any]) -> GitLabClient:
    """The shared client for these options (resolver and collector use the same one)."""
    host = host_url(options)
    creds = credentials_from()
    folder = cache_dir(options)
    return _CLIENTS.get((host, creds.ident, folder or ""), lambda: GitLabClient(
        host, creds, HttpCache(folder) if folder else None,
        max_wait=float(options.get("gitlab_max_wait", 900)),
        retries=int(options.get("gitlab_retries", 3)),
        backoff=float(options.get("gitlab_backoff", 1.0)),
        concurrency=int(options.get("gitlab_concurrency", 8)),
        timeout=float(options.get("gitlab_timeout", 30)),
        cache_blobs=truthy(options.get("cache_tarballs"), True),
        max_calls=int(options.get("gitlab_max_calls", 0) or 0) or None,
    ))


def reset_clients() -> None:
    _CLIENTS.reset()
