"""A persistent HTTP cache for conditional requests to GitHub and GitLab.

Why: GitHub answers a conditional request (`If-None-Match` / `If-Modified-Since`) that matches
with 304 Not Modified, and a 304 does not count against the rate limit. Storing the ETag and body
of every 200 lets a second scan of an unchanged organisation cost almost nothing, and lets a scan
that was stopped half-way resume: everything it fetched is already on disk.

What is stored: per entry the validators (ETag, Last-Modified), the `Link` header (pagination),
the status and the body. Never the token or any request header. Entries are keyed by a hash of
(URL, Accept, a hash of the credentials) so two tokens with different rights never share an
entry; the credential hash is a salted SHA-256 and cannot be turned back into the token.

Tarballs of a commit are immutable: they are stored as files keyed by (repository, sha,
credential hash) and reused without any request.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CACHE_DIR = "~/.cache/wafops/http"


@dataclass
class CachedResponse:
    status: int
    body: str
    etag: str | None = None
    last_modified: str | None = None
    link: str | None = None


def credential_hash(secret: str | None) -> str:
    """A stable, non-reversible name for a credential (so cache entries are per credential)."""
    if not secret:
        return "anonymous"
    return hashlib.sha256(b"wafops-cache-v1\0" + secret.encode()).hexdigest()[:16]


class HttpCache:
    """ETag/Last-Modified store on disk; safe for concurrent use by threads and processes."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.dir = Path(directory).expanduser()
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            os.chmod(self.dir, 0o700)  # private repository data may be cached here
        except OSError:
            pass

    @staticmethod
    def key(url: str, accept: str, cred: str) -> str:
        return hashlib.sha256(f"{cred}\n{accept}\n{url}".encode()).hexdigest()

    def _path(self, key: str, suffix: str = ".json") -> Path:
        return self.dir / key[:2] / (key + suffix)

    def get(self, key: str) -> CachedResponse | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return CachedResponse(**data)
        except (OSError, ValueError, TypeError):
            return None

    def put(self, key: str, entry: CachedResponse) -> None:
        self._atomic_write(self._path(key), json.dumps(entry.__dict__).encode("utf-8"))

    def get_blob(self, key: str) -> bytes | None:
        try:
            return self._path(key, ".bin").read_bytes()
        except OSError:
            return None

    def put_blob(self, key: str, data: bytes) -> None:
        self._atomic_write(self._path(key, ".bin"), data)

    def _atomic_write(self, path: Path, data: bytes) -> None:
        """Write to a temp file and rename, so a scan killed mid-write never leaves a torn entry."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs requests

    def files(self) -> list[Path]:
        return [p for p in self.dir.rglob("*") if p.is_file()]


def as_json(entry: CachedResponse) -> Any:
    return json.loads(entry.body) if entry.body else None
