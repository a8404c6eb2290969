"""The conditional-request layer of a platform client, over the on-disk `HttpCache` (`cache.py`).

A response with an ETag or Last-Modified is stored; the next GET of the same URL (same Accept, same
credential) sends If-None-Match / If-Modified-Since, and a 304 answer is served from the stored body,
so an unchanged repository costs 304s, not full pages. Immutable downloads (a commit's archive) are
stored as files and reused without any request.
"""

from __future__ import annotations

from typing import Any

from wafops.collectors.platforms.common.cache import CachedResponse, HttpCache
from wafops.collectors.platforms.common.pagination import Reply
from wafops.collectors.platforms.common.wire import loads


class Conditional:
    """Validators to send, 304s to answer from the cache, responses and blobs to store. No cache: no-ops."""

    def __init__(self, cache: HttpCache | None, cred_ident: str, blobs: bool) -> None:
        self.cache = cache
        self.cred_ident = cred_ident
        self.blobs = blobs

    def lookup(self, url: str, accept: str) -> tuple[str, CachedResponse | None]:
        """The cache key of a GET and its stored response, if any."""
        key = HttpCache.key(url, accept, self.cred_ident) if self.cache else ""
        cached = self.cache.get(key) if self.cache else None
        return key, cached

    @staticmethod
    def validators(cached: CachedResponse | None) -> dict[str, str]:
        """The conditional headers for a stored response (ETag first)."""
        if cached is None:
            return {}
        if cached.etag:
            return {"If-None-Match": cached.etag}
        if cached.last_modified:
            return {"If-Modified-Since": cached.last_modified}
        return {}

    @staticmethod
    def revalidated(cached: CachedResponse, url: str) -> Reply:
        """The reply a 304 stands for: the stored one."""
        return Reply(cached.status, loads(cached.body), url, cached.link, not_modified=True)

    def store(self, key: str, resp: Any, body: str, link: str | None) -> None:
        """Keep a 2xx answer that can be revalidated."""
        if self.cache and (resp.headers.get("ETag") or resp.headers.get("Last-Modified")):
            self.cache.put(key, CachedResponse(resp.status_code, body, resp.headers.get("ETag"),
                                               resp.headers.get("Last-Modified"), link))

    # ---- immutable downloads ------------------------------------------------------------------
    def blob_key(self, base_url: str, cache_name: str) -> str:
        return HttpCache.key(f"blob:{base_url}/{cache_name}", "tar", self.cred_ident)

    def get_blob(self, key: str) -> bytes | None:
        if self.cache and self.blobs:
            return self.cache.get_blob(key)
        return None

    def put_blob(self, key: str, data: bytes) -> None:
        if self.cache and self.blobs:
            self.cache.put_blob(key, data)
