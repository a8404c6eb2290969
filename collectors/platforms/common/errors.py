"""What a platform call can end in, and how its URL may be shown in a message.

Shared by GitHub and GitLab; `http.py` re-exports these names for its callers.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


class ApiError(Exception):
    """A call that did not succeed; `status` is the HTTP status (0 for a connection error)."""

    def __init__(self, status: int, url: str, message: str = "") -> None:
        self.status = status
        self.url = url
        self.message = message
        super().__init__(f"GET {url}: {status} {message}".strip())


class RateLimited(ApiError):
    """The API throttled us for longer than we are willing to wait."""


class BudgetExhausted(ApiError):
    """The scan's call budget (`max_calls`) is spent; the call was not made."""


class CredentialError(RuntimeError):
    """The credential could not be obtained (message never contains the secret)."""


def safe_url(url: str) -> str:
    """The URL without query string or userinfo: what may appear in a message."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def error_code(err: ApiError) -> str:
    """A short machine-readable hint from an error message (`insufficient_scope` ...)."""
    return "insufficient_scope" if "insufficient_scope" in (err.message or "") else ""
