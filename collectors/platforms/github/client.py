"""A read-only GitHub REST client built for scanning many repositories cheaply.

The HTTP floor (conditional-request cache, primary/secondary rate limits, retries, bounded
concurrency, call budget, pagination) is shared with the GitLab collector:
`collectors/platforms/common/http.py`. What is GitHub's own lives here:
- the credential: a token, or a GitHub App installation token refreshed after a 401 (`auth.py`,
  whose token exchange is the single non-GET request, and touches no repository);
- GitHub's headers (`Accept: application/vnd.github+json`, `X-GitHub-Api-Version`);
- tarballs: `/repos/{o}/{r}/tarball/{sha}` -> 302 -> codeload (followed without the credential),
  immutable per commit and cached as a file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from wafops.collectors.platforms.common.cache import HttpCache
from wafops.collectors.platforms.common.http import (  # noqa: F401  (ApiError, safe_url: re-exported)
    ApiError,
    PlatformClient,
    safe_url,
)
from wafops.collectors.platforms.common.registry import Clients, cache_dir
from wafops.collectors.platforms.github.auth import Credentials

DEFAULT_API = "https://api.github.com"
JSON_ACCEPT = "application/vnd.github+json"


class GitHubClient(PlatformClient):
    platform = "github"
    json_accept = JSON_ACCEPT
    thread_prefix = "wafops-gh"

    def __init__(self, base_url: str, creds: Credentials, cache: HttpCache | None = None, **kw: Any) -> None:
        """`kw`: PlatformClient's limits (max_wait, retries, timeout, concurrency, max_calls, cache_blobs...)."""
        super().__init__(base_url or DEFAULT_API, cache, cred_ident=creds.ident, **kw)
        self.creds = creds

    def auth_headers(self) -> dict[str, str]:
        auth = self.creds.header()  # AuthError is a CredentialError
        return {"Authorization": auth} if auth else {}

    def extra_headers(self) -> dict[str, str]:
        return {"X-GitHub-Api-Version": "2022-11-28", "User-Agent": "wafops"}

    def on_unauthorized(self, attempt: int) -> bool:
        if self.creds.kind == "app" and attempt == 0:
            self.creds.invalidate()
            return True
        return False

    def html_base(self) -> str:
        """https://github.com for api.github.com; https://HOST for GHES https://HOST/api/v3."""
        parts = urlsplit(self.base_url)
        if parts.netloc == "api.github.com":
            return "https://github.com"
        path = parts.path[: -len("/api/v3")] if parts.path.endswith("/api/v3") else parts.path
        return urlunsplit((parts.scheme, parts.netloc, path, "", "")).rstrip("/")

    def tarball(self, owner: str, repo: str, sha: str) -> bytes:
        """The .tar.gz of a commit. Immutable per sha, so a cached copy is used without a request."""
        return self.blob(f"/repos/{owner}/{repo}/tarball/{sha}", f"{owner}/{repo}@{sha}")


# ---- one client per (host, credential, cache dir) for the whole scan -------------------------
_CLIENTS: Clients[GitHubClient] = Clients()


def client_for(options: dict[str, Any]) -> GitHubClient:
    """The shared client for these options (resolver and collector must use the same one)."""
    import os

    from wafops.collectors.platforms.github.auth import credentials_from

    base = (options.get("github_url") or os.environ.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
    creds = credentials_from(options, base)
    folder = cache_dir(options)
    return _CLIENTS.get((base, creds.ident, folder or ""), lambda: GitHubClient(
        base,
        creds,
        HttpCache(folder) if folder else None,
        max_wait=float(options.get("github_max_wait", 900)),
        retries=int(options.get("github_retries", 3)),
        backoff=float(options.get("github_backoff", 1.0)),
        concurrency=int(options.get("github_concurrency", 8)),
        timeout=float(options.get("github_timeout", 30)),
        cache_blobs=str(options.get("cache_tarballs", "true")).lower() not in ("0", "false", "no", "off"),
        max_calls=int(options.get("github_max_calls", 0) or 0) or None,
        connect_timeout=float(options.get("github_connect_timeout", 10)),
        read_timeout=float(options.get("github_read_timeout", 0) or 0) or None,
        max_call_seconds=float(options.get("github_max_call_seconds", 120)),
    ))


def reset_clients() -> None:
    """Drop shared clients (tests and the benchmark use it between runs)."""
    _CLIENTS.reset()
