"""Where the GitHub credential comes from: a token, or a GitHub App installation.

Why a separate module: the credential is the one secret wafops handles. It lives only in memory,
inside `Credentials`, is sent only as an `Authorization` header to the configured API host, and
is never part of a repr, an exception text, a log line, a cache entry or a report. Tokens are read
from the environment (GITHUB_TOKEN, GH_TOKEN), never from `--option`, so they do not appear in
process listings or shell history.

GitHub App auth uses PyGithub (`GithubIntegration` signs the JWT and exchanges it for an
installation token); the installation token is refreshed a few minutes before it expires.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from wafops.collectors.platforms.common.cache import credential_hash
from wafops.collectors.platforms.common.errors import CredentialError


class AuthError(CredentialError):
    """The credential could not be obtained (message never contains the secret)."""


class Credentials:
    """Produces the Authorization header; `kind` and `ident` are safe to show, the secret is not."""

    def __init__(self, kind: str, token: str | None = None, app: dict[str, Any] | None = None,
                 base_url: str = "https://api.github.com") -> None:
        self.kind = kind  # token | app | anonymous
        self._token = token
        self._app = app or {}
        self._base_url = base_url
        self._expires: datetime | None = None
        self._lock = threading.Lock()
        self.ident = credential_hash(token) if token else (
            f"app-{self._app.get('app_id')}-{self._app.get('installation_id')}" if kind == "app" else "anonymous"
        )

    def __repr__(self) -> str:  # never show the secret
        return f"Credentials(kind={self.kind!r})"

    def header(self) -> str | None:
        if self.kind == "anonymous":
            return None
        if self.kind == "app":
            with self._lock:
                if self._token is None or (self._expires and datetime.now(UTC) > self._expires - timedelta(minutes=5)):
                    self._refresh_app_token()
        return f"Bearer {self._token}" if self._token else None

    def invalidate(self) -> None:
        """After a 401 on an App token: fetch a new one next time."""
        if self.kind == "app":
            with self._lock:
                self._token = None

    def _refresh_app_token(self) -> None:
        from github import Auth, GithubIntegration

        try:
            key = open(os.path.expanduser(self._app["key_file"]), encoding="utf-8").read()
        except OSError as err:
            raise AuthError(f"GitHub App private key file unreadable: {err.strerror}") from None
        try:
            gi = GithubIntegration(
                auth=Auth.AppAuth(int(self._app["app_id"]), key), base_url=self._base_url, retry=None
            )
            tok = gi.get_access_token(int(self._app["installation_id"]))
        except Exception as err:  # PyGithub errors carry the status and body, never our key
            status = getattr(err, "status", None)
            raise AuthError(
                f"GitHub App installation token could not be created (app {self._app['app_id']}, "
                f"installation {self._app['installation_id']}, status {status or type(err).__name__})"
            ) from None
        self._token = tok.token
        exp = tok.expires_at
        self._expires = exp if isinstance(exp, datetime) and exp.tzinfo else datetime.now(UTC) + timedelta(minutes=50)


def credentials_from(options: dict[str, Any], base_url: str, env: dict[str, str] | None = None) -> Credentials:
    """Token from GITHUB_TOKEN / GH_TOKEN; else GitHub App settings (options or WAFOPS_GITHUB_APP_*); else anonymous."""
    env = dict(os.environ) if env is None else env
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    if token and token.strip():
        return Credentials("token", token=token.strip(), base_url=base_url)
    app_id = options.get("github_app_id") or env.get("WAFOPS_GITHUB_APP_ID")
    key_file = options.get("github_app_key_file") or env.get("WAFOPS_GITHUB_APP_KEY_FILE")
    inst = options.get("github_installation_id") or env.get("WAFOPS_GITHUB_INSTALLATION_ID")
    if app_id or key_file or inst:
        if not (app_id and key_file and inst):
            raise AuthError(
                "GitHub App auth needs all of: app id (WAFOPS_GITHUB_APP_ID), private key file "
                "(WAFOPS_GITHUB_APP_KEY_FILE) and installation id (WAFOPS_GITHUB_INSTALLATION_ID)"
            )
        return Credentials("app", app={"app_id": app_id, "key_file": key_file, "installation_id": inst}, base_url=base_url)
    return Credentials("anonymous", base_url=base_url)
