"""A read-only REST client for hosting platforms (GitHub, GitLab), built for scanning many repositories cheaply.

Why not the platforms' SDKs (PyGithub, python-gitlab) for the data calls: neither has a
conditional-request cache, and the whole cost model of an organisation/group scan rests on one (a
304 is free, or nearly). This client is a thin layer on `requests` that
- only ever sends GET;
- revalidates every cached response with If-None-Match / If-Modified-Since (`cache.py`);
- honours primary limits (remaining 0 -> every thread waits until the reset time: GitHub's
  `X-RateLimit-Reset`, GitLab's `RateLimit-Reset`) and throttling answers (403/429 with
  `Retry-After`), each wait bounded by `max_wait`; a limit that would need a longer wait raises
  `RateLimited` so the caller marks the source `rate_limited` and goes on;
- retries 5xx and connection errors a few times with backoff;
- bounds the requests in flight (`concurrency`) across every repository of the scan, and the
  requests of a whole scan (`max_calls`, the call budget; `BudgetExhausted` when spent);
- follows pagination in both styles: `Link: <...>; rel="next"` and GitLab's `X-Next-Page`;
- never puts the credential, or a redirect URL's query string (download URLs may carry a
  short-lived token), into an exception text, and sends the credential only to the API host;
- bounds every request in time: connect and read timeouts, and a total (`timeout`, default 30 s)
  that a body trickling in byte by byte cannot extend; retries stop when one call has used
  `max_call_seconds` (default 120 s); nothing waits past the scan deadline (`wafops.scanner.core.deadline`);
- trusts only what is JSON: a 2xx answer that is not JSON (an HTML proxy or login page) or is
  truncated raises `ApiError` with the reason, never becomes empty data.

A platform subclasses it and says how it authenticates (`auth_headers`) and what else it sends.

The parts, one module each: `wire.py` (one bounded GET, JSON only), `conditional.py` (the ETag
cache), `limits.py` (rate limits and retries), `budget.py` (call budget, deadline, counters),
`pagination.py` (replies and next pages), `download.py` (immutable archives), `errors.py`.
This module puts them together.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode, urlsplit

from wafops.collectors.platforms.common import wire
from wafops.collectors.platforms.common.budget import CallBudget
from wafops.collectors.platforms.common.cache import CachedResponse, HttpCache
from wafops.collectors.platforms.common.conditional import Conditional
from wafops.collectors.platforms.common.download import download
from wafops.collectors.platforms.common.errors import (
    ApiError,
    BudgetExhausted,
    CredentialError,
    RateLimited,
    error_code,
    safe_url,
)
from wafops.collectors.platforms.common.limits import RateLimits, Retries
from wafops.collectors.platforms.common.pagination import Reply, follow, next_link, with_page
from wafops.scanner.core import deadline
from wafops.scanner.core.notices import notice

# the errors and page helpers stay importable from here (tests and plugins did before the split);
# the platform code imports them from errors.py / pagination.py where they live
__all__ = [
    "ApiError", "BudgetExhausted", "CredentialError", "PlatformClient", "RateLimited", "error_code", "next_link",
    "safe_url", "truthy", "with_page",
]


class PlatformClient:
    """GET-only HTTP with a conditional cache, limits, retries, a call budget and bounded concurrency."""

    platform = "platform"
    json_accept = "application/json"
    thread_prefix = "wafops-http"

    def __init__(
        self,
        base_url: str,
        cache: HttpCache | None = None,
        *,
        cred_ident: str = "anonymous",
        max_wait: float = 900.0,
        retries: int = 3,
        backoff: float = 1.0,
        concurrency: int = 8,
        timeout: float = 30.0,
        cache_blobs: bool = True,
        max_blob_bytes: int = 200 * 1024 * 1024,
        max_calls: int | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float | None = None,
        max_call_seconds: float = 120.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cache = cache
        self.cred_ident = cred_ident
        self.max_blob_bytes = max_blob_bytes
        self.wire = wire.Wire(timeout=timeout, connect_timeout=connect_timeout, read_timeout=read_timeout,
                              concurrency=concurrency)
        self.conditional = Conditional(cache, cred_ident, cache_blobs)
        self.limits = RateLimits(self.platform, max_wait)
        self.retry = Retries(retries, backoff, max_wait, max_call_seconds)
        self.budget = CallBudget(max_calls)
        self.stats = self.budget.stats
        self.slots = threading.BoundedSemaphore(max(1, concurrency))
        self.pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix=self.thread_prefix)
        self._api_host = urlsplit(self.base_url).netloc

    # ---- what a platform says ---------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        """The credential header(s); raise CredentialError when it cannot be had."""
        return {}

    def extra_headers(self) -> dict[str, str]:
        return {"User-Agent": "wafops"}

    def on_unauthorized(self, attempt: int) -> bool:
        """A 401: return True to retry once (e.g. after refreshing an expiring token)."""
        return False

    # ---- requests -----------------------------------------------------------------------------
    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        if path.startswith(("http://", "https://")):
            full = path
        else:
            full = self.base_url + "/" + path.lstrip("/")
        if params:
            full += ("&" if "?" in full else "?") + urlencode(params)
        return full

    def headers_for(self, accept: str, cached: CachedResponse | None, url: str) -> dict[str, str]:
        h = {"Accept": accept, **self.extra_headers()}
        if urlsplit(url).netloc == self._api_host:  # never send the credential to another host
            h.update(self.auth_headers())
        h.update(self.conditional.validators(cached))
        return h

    def _count(self, key: str, n: int = 1) -> None:
        self.budget.count(key, n)

    # ---- GET --------------------------------------------------------------------------------
    def get(self, path: str, params: dict[str, Any] | None = None, accept: str | None = None) -> Reply:
        """GET one URL (conditional when cached); raises ApiError for anything but 2xx/304."""
        accept = accept or self.json_accept
        url = self.url(path, params)
        key, cached = self.conditional.lookup(url, accept)
        last_err: ApiError | None = None
        started = time.monotonic()
        retry = self.retry
        for attempt in range(retry.retries + 1):
            if attempt and last_err is not None and not retry.time_for_retry(started):
                raise last_err
            self.limits.wait(url)
            try:
                headers = self.headers_for(accept, cached, url)
            except CredentialError as err:
                raise ApiError(401, safe_url(url), str(err)) from None
            try:
                with self.slots:
                    self.budget.check_deadline(url)
                    self.budget.spend(url)
                    resp = self.wire.fetch(url, headers, retry.left(started))
            except wire.TooSlow as err:
                self._count("timeouts")
                last_err = ApiError(0, safe_url(url), str(err))
                retry.sleep_backoff(attempt, started)
                continue
            except wire.requests.RequestException as err:
                self._count("connection_errors")
                last_err = ApiError(0, safe_url(url), self.wire.describe(err))
                retry.sleep_backoff(attempt, started)
                continue
            self._count(f"status_{resp.status_code}")
            self.limits.note(resp)
            if resp.status_code == 304 and cached is not None:
                self._count("not_modified")
                return self.conditional.revalidated(cached, url)
            if 200 <= resp.status_code < 300:
                try:
                    return self._answer(resp, url, key)
                except wire.Truncated as err:  # a cut connection or a proxy hiccup: worth another try
                    self._count("invalid_json")
                    last_err = ApiError(resp.status_code, safe_url(url), str(err))
                    retry.sleep_backoff(attempt, started)
                    continue
            wait = self.limits.refusal_wait(resp)
            if wait is not None:
                last_err = self._throttled(resp, url, attempt, wait)
                continue
            if resp.status_code == 401 and self.on_unauthorized(attempt):
                continue
            if resp.status_code >= 500:
                last_err = ApiError(resp.status_code, safe_url(url), wire.message(resp))
                retry.sleep_backoff(attempt, started)
                continue
            raise ApiError(resp.status_code, safe_url(url), wire.message(resp))
        assert last_err is not None
        raise last_err

    def _answer(self, resp: Any, url: str, key: str) -> Reply:
        """The reply of a 2xx answer, stored for revalidation; wire.Truncated to try again, ApiError if not JSON."""
        body = resp.text
        try:
            data = wire.json_body(resp, body)
        except wire.NotJson as err:  # an HTML login or proxy page: asking again gives the same page
            self._count("not_json")
            raise ApiError(resp.status_code, safe_url(url), str(err)) from None
        link = next_link(url, resp.headers)
        self.conditional.store(key, resp, body, link)
        return Reply(resp.status_code, data, url, link)

    def _throttled(self, resp: Any, url: str, attempt: int, wait: float) -> RateLimited:
        """A rate-limit refusal: pause every request and return the error to retry on; raise it when the wait
        is longer than `max_wait`, past the scan deadline, or the attempts are spent."""
        self._count("rate_limited")
        err = RateLimited(resp.status_code, safe_url(url), f"rate limited (retry after {wait:.0f}s)")
        left = deadline.remaining()
        if wait > self.limits.max_wait or attempt == self.retry.retries or (left is not None and wait >= left):
            raise err
        self.limits.pause(wait, f"HTTP {resp.status_code} on {urlsplit(url).path}, retry after {wait:.0f}s")
        if wait >= 1:
            notice(f"{self.platform}: rate limited (HTTP {resp.status_code}); waiting {wait:.0f}s before "
                   f"retrying {urlsplit(url).path}")
        return err

    def pages(self, path: str, params: dict[str, Any] | None = None, *, max_pages: int = 1,
              key: str | None = None) -> tuple[list[Any], Reply, bool]:
        """Follow the next page (Link rel="next" or X-Next-Page) up to max_pages. Returns (items, first reply, complete)."""
        return follow(self.get, self._count, path, params, max_pages, key)

    # ---- immutable downloads (tarballs, archives) ---------------------------------------------
    def blob(self, path: str, cache_name: str, accept: str | None = None) -> bytes:
        """GET a download that is immutable per `cache_name` (a commit's archive): cached copy first.

        A redirect to another host (GitHub's codeload) is followed without the credential.
        """
        return download(self, path, cache_name, accept)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def truthy(v: Any, default: bool = False) -> bool:
    if v is None:
        return default
    return str(v).lower() in ("1", "true", "yes", "on")
