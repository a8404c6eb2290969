"""A read-only GitHub REST client built for scanning many repositories cheaply.

Why not PyGithub's Requester for the data calls: it has no conditional-request cache, and the
whole cost model of an org scan rests on one (a 304 is free). This client is a thin layer on
`requests` that
- only ever sends GET (the single exception is the GitHub App token exchange in `auth.py`,
  which is PyGithub's and touches no repository);
- revalidates every cached response with If-None-Match / If-Modified-Since (`cache.py`);
- honours primary limits (X-RateLimit-Remaining: 0 -> wait until X-RateLimit-Reset, shared by all
  threads) and secondary limits (403/429 with Retry-After), each wait bounded by `max_wait`; a
  limit that would need a longer wait raises `RateLimited` so the caller marks the source
  `rate_limited` and goes on;
- retries 5xx and connection errors a few times with backoff;
- bounds the requests in flight (`concurrency`) across every repository of the scan;
- never puts the credential, or a redirect URL's query string (codeload URLs carry a
  short-lived token for private repositories), into an exception text.
"""

from __future__ import annotations

import email.utils
import json
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from collectors.github.auth import AuthError, Credentials
from collectors.github.cache import CachedResponse, HttpCache

DEFAULT_API = "https://api.github.com"
JSON_ACCEPT = "application/vnd.github+json"
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class ApiError(Exception):
    """A call that did not succeed; `status` is the HTTP status (0 for a connection error)."""

    def __init__(self, status: int, url: str, message: str = "") -> None:
        self.status = status
        self.url = url
        self.message = message
        super().__init__(f"GET {url}: {status} {message}".strip())


class RateLimited(ApiError):
    """The API throttled us for longer than we are willing to wait."""


@dataclass
class Reply:
    status: int
    data: Any
    url: str
    link: str | None = None
    not_modified: bool = False

    @property
    def next_url(self) -> str | None:
        m = _LINK_NEXT.search(self.link or "")
        return m.group(1) if m else None


def safe_url(url: str) -> str:
    """The URL without query string or userinfo: what may appear in a message."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class GitHubClient:
    def __init__(
        self,
        base_url: str,
        creds: Credentials,
        cache: HttpCache | None = None,
        *,
        max_wait: float = 900.0,
        retries: int = 3,
        backoff: float = 1.0,
        concurrency: int = 8,
        timeout: float = 30.0,
        cache_tarballs: bool = True,
        max_tarball_bytes: int = 200 * 1024 * 1024,
    ) -> None:
        self.base_url = (base_url or DEFAULT_API).rstrip("/")
        self.creds = creds
        self.cache = cache
        self.max_wait = max_wait
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.cache_tarballs = cache_tarballs
        self.max_tarball_bytes = max_tarball_bytes
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._local = threading.local()
        self._pause_until = 0.0
        self._pause_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="wafops-gh")
        self._api_host = urlsplit(self.base_url).netloc
        self._concurrency = max(1, concurrency)

    # ---- plumbing ---------------------------------------------------------------------------
    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.trust_env = False  # no proxy/netrc surprises; the target host is explicit
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=self._concurrency)
            s.mount("http://", adapter)
            s.mount("https://", adapter)
            self._local.session = s
        return s

    def _count(self, key: str, n: int = 1) -> None:
        with self._stats_lock:
            self.stats[key] += n

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        if path.startswith(("http://", "https://")):
            full = path
        else:
            full = self.base_url + "/" + path.lstrip("/")
        if params:
            full += ("&" if "?" in full else "?") + urlencode(params)
        return full

    def html_base(self) -> str:
        """https://github.com for api.github.com; https://HOST for GHES https://HOST/api/v3."""
        parts = urlsplit(self.base_url)
        if parts.netloc == "api.github.com":
            return "https://github.com"
        path = parts.path[: -len("/api/v3")] if parts.path.endswith("/api/v3") else parts.path
        return urlunsplit((parts.scheme, parts.netloc, path, "", "")).rstrip("/")

    def _headers(self, accept: str, cached: CachedResponse | None, url: str) -> dict[str, str]:
        h = {"Accept": accept, "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "wafops"}
        if urlsplit(url).netloc == self._api_host:  # never send the credential to another host
            try:
                auth = self.creds.header()
            except AuthError:
                raise
            if auth:
                h["Authorization"] = auth
        if cached is not None:
            if cached.etag:
                h["If-None-Match"] = cached.etag
            elif cached.last_modified:
                h["If-Modified-Since"] = cached.last_modified
        return h

    def _wait_for_pause(self) -> None:
        while True:
            with self._pause_lock:
                delay = self._pause_until - time.time()
            if delay <= 0:
                return
            time.sleep(min(delay, 1.0))

    def _note_limits(self, resp: requests.Response) -> None:
        if resp.headers.get("X-RateLimit-Remaining") == "0" and resp.status_code < 400:
            reset = _float(resp.headers.get("X-RateLimit-Reset"))
            if reset:
                wait = reset - time.time() + 1
                if 0 < wait <= self.max_wait:
                    with self._pause_lock:
                        self._pause_until = max(self._pause_until, time.time() + wait)

    def _rate_wait(self, resp: requests.Response) -> float | None:
        """Seconds to wait when the response is a rate-limit refusal; None when it is not one."""
        if resp.status_code not in (403, 429):
            return None
        retry_after = resp.headers.get("Retry-After")
        if retry_after is not None:
            secs = _float(retry_after)
            if secs is None:
                try:
                    secs = email.utils.parsedate_to_datetime(retry_after).timestamp() - time.time()
                except (TypeError, ValueError):
                    secs = 60.0
            return max(0.0, secs)
        if resp.headers.get("X-RateLimit-Remaining") == "0":
            reset = _float(resp.headers.get("X-RateLimit-Reset"))
            return max(0.0, (reset - time.time() + 1) if reset else 60.0)
        if resp.status_code == 429 or "rate limit" in _message(resp).lower():
            return 60.0  # secondary limit without a hint: GitHub asks for at least a minute
        return None

    # ---- GET --------------------------------------------------------------------------------
    def get(self, path: str, params: dict[str, Any] | None = None, accept: str = JSON_ACCEPT) -> Reply:
        """GET one URL (conditional when cached); raises ApiError for anything but 2xx/304."""
        url = self.url(path, params)
        key = HttpCache.key(url, accept, self.creds.ident) if self.cache else ""
        cached = self.cache.get(key) if self.cache else None
        last_err: ApiError | None = None
        for attempt in range(self.retries + 1):
            self._wait_for_pause()
            try:
                headers = self._headers(accept, cached, url)
            except AuthError as err:
                raise ApiError(401, safe_url(url), str(err)) from None
            try:
                with self._slots:
                    self._count("requests")
                    resp = self._session().get(url, headers=headers, timeout=self.timeout, allow_redirects=True)
            except requests.RequestException as err:
                self._count("connection_errors")
                last_err = ApiError(0, safe_url(url), type(err).__name__)
                self._sleep_backoff(attempt)
                continue
            self._count(f"status_{resp.status_code}")
            self._note_limits(resp)
            if resp.status_code == 304 and cached is not None:
                self._count("not_modified")
                return Reply(cached.status, _loads(cached.body), url, cached.link, not_modified=True)
            if 200 <= resp.status_code < 300:
                body = resp.text
                link = resp.headers.get("Link")
                if self.cache and (resp.headers.get("ETag") or resp.headers.get("Last-Modified")):
                    self.cache.put(key, CachedResponse(resp.status_code, body, resp.headers.get("ETag"),
                                                       resp.headers.get("Last-Modified"), link))
                return Reply(resp.status_code, _loads(body), url, link)
            wait = self._rate_wait(resp)
            if wait is not None:
                self._count("rate_limited")
                last_err = RateLimited(resp.status_code, safe_url(url), f"rate limited (retry after {wait:.0f}s)")
                if wait > self.max_wait or attempt == self.retries:
                    raise last_err
                with self._pause_lock:
                    self._pause_until = max(self._pause_until, time.time() + wait)
                continue
            if resp.status_code == 401 and self.creds.kind == "app" and attempt == 0:
                self.creds.invalidate()
                continue
            if resp.status_code >= 500:
                last_err = ApiError(resp.status_code, safe_url(url), _message(resp))
                self._sleep_backoff(attempt)
                continue
            raise ApiError(resp.status_code, safe_url(url), _message(resp))
        assert last_err is not None
        raise last_err

    def _sleep_backoff(self, attempt: int) -> None:
        if attempt < self.retries:
            time.sleep(min(self.max_wait, self.backoff * (2**attempt)))

    def pages(self, path: str, params: dict[str, Any] | None = None, *, max_pages: int = 1,
              key: str | None = None) -> tuple[list[Any], Reply, bool]:
        """Follow Link rel="next" up to max_pages. Returns (items, first reply, complete)."""
        first = reply = self.get(path, params)
        items: list[Any] = []
        pages = 0
        while True:
            data = reply.data
            chunk = data.get(key, []) if key and isinstance(data, dict) else data
            items.extend(chunk if isinstance(chunk, list) else [])
            pages += 1
            nxt = reply.next_url
            if not nxt:
                return items, first, True
            if pages >= max_pages:
                return items, first, False
            reply = self.get(nxt)

    # ---- tarballs ---------------------------------------------------------------------------
    def tarball(self, owner: str, repo: str, sha: str) -> bytes:
        """The .tar.gz of a commit. Immutable per sha, so a cached copy is used without a request."""
        key = HttpCache.key(f"tarball:{self.base_url}/{owner}/{repo}@{sha}", "tar", self.creds.ident)
        if self.cache and self.cache_tarballs:
            blob = self.cache.get_blob(key)
            if blob is not None:
                self._count("tarball_cache_hits")
                return blob
        url = self.url(f"/repos/{owner}/{repo}/tarball/{sha}")
        for attempt in range(self.retries + 1):
            self._wait_for_pause()
            try:
                with self._slots:
                    self._count("requests")
                    resp = self._session().get(url, headers=self._headers(JSON_ACCEPT, None, url),
                                               timeout=self.timeout, allow_redirects=False)
                    self._count(f"status_{resp.status_code}")
                    if resp.status_code in (301, 302, 303, 307, 308) and resp.headers.get("Location"):
                        target = urljoin(url, resp.headers["Location"])
                        self._count("downloads")
                        resp = self._session().get(target, headers=self._headers("*/*", None, target),
                                                   timeout=self.timeout, stream=True)
                    if resp.status_code == 200:
                        data = _read_capped(resp, self.max_tarball_bytes)
                        if data is None:
                            raise ApiError(413, safe_url(url), f"tarball larger than {self.max_tarball_bytes} bytes")
                        if self.cache and self.cache_tarballs:
                            self.cache.put_blob(key, data)
                        return data
            except requests.RequestException as err:
                self._count("connection_errors")
                if attempt == self.retries:
                    raise ApiError(0, safe_url(url), type(err).__name__) from None
                self._sleep_backoff(attempt)
                continue
            wait = self._rate_wait(resp)
            if wait is not None and wait <= self.max_wait and attempt < self.retries:
                time.sleep(wait)
                continue
            if resp.status_code >= 500 and attempt < self.retries:
                self._sleep_backoff(attempt)
                continue
            raise ApiError(resp.status_code, safe_url(url), _message(resp))
        raise ApiError(0, safe_url(url), "tarball download failed")

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _read_capped(resp: requests.Response, cap: int) -> bytes | None:
    chunks, size = [], 0
    for chunk in resp.iter_content(65536):
        size += len(chunk)
        if size > cap:
            resp.close()
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _float(v: str | None) -> float | None:
    try:
        return float(v) if v is not None else None
    except ValueError:
        return None


def _loads(body: str) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _message(resp: requests.Response) -> str:
    try:
        data = resp.json()
        msg = data.get("message", "") if isinstance(data, dict) else ""
    except ValueError:
        msg = ""
    return str(msg)[:200]


# ---- one client per (host, credential, cache dir) for the whole scan -------------------------
_CLIENTS: dict[tuple[str, str, str], GitHubClient] = {}
_CLIENTS_LOCK = threading.Lock()


def client_for(options: dict[str, Any]) -> GitHubClient:
    """The shared client for these options (resolver and collector must use the same one)."""
    import os

    from collectors.github.auth import credentials_from

    base = (options.get("github_url") or os.environ.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
    creds = credentials_from(options, base)
    cache_dir = str(options.get("cache_dir") or os.environ.get("WAFOPS_CACHE_DIR") or "~/.cache/wafops/http")
    no_cache = str(options.get("http_cache", "true")).lower() in ("0", "false", "no", "off")
    k = (base, creds.ident, "" if no_cache else cache_dir)
    with _CLIENTS_LOCK:
        c = _CLIENTS.get(k)
        if c is None:
            c = GitHubClient(
                base,
                creds,
                None if no_cache else HttpCache(cache_dir),
                max_wait=float(options.get("github_max_wait", 900)),
                retries=int(options.get("github_retries", 3)),
                backoff=float(options.get("github_backoff", 1.0)),
                concurrency=int(options.get("github_concurrency", 8)),
                timeout=float(options.get("github_timeout", 30)),
                cache_tarballs=str(options.get("cache_tarballs", "true")).lower() not in ("0", "false", "no", "off"),
            )
            _CLIENTS[k] = c
        return c


def reset_clients() -> None:
    """Drop shared clients (tests and the benchmark use it between runs)."""
    with _CLIENTS_LOCK:
        for c in _CLIENTS.values():
            c.close()
        _CLIENTS.clear()
