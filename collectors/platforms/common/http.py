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
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from wafops.collectors.platforms.common.cache import CachedResponse, HttpCache
from wafops.scanner.core import deadline
from wafops.scanner.core.notices import notice


class _LazyRequests:
    """`requests`, imported on first use: a local scan loads the platform plugins but never an HTTP client,
    which would cost a large share of its start-up time."""

    def __getattr__(self, name: str) -> Any:
        import requests as module

        globals()["requests"] = module
        return getattr(module, name)


requests: Any = _LazyRequests()

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


class BudgetExhausted(ApiError):
    """The scan's call budget (`max_calls`) is spent; the call was not made."""


class CredentialError(RuntimeError):
    """The credential could not be obtained (message never contains the secret)."""


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


def with_page(url: str, page: str) -> str:
    """`url` with its `page` query parameter set (for X-Next-Page pagination)."""
    parts = urlsplit(url)
    q = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"] + [("page", page)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(q), ""))


def next_link(url: str, headers: Any) -> str | None:
    """The pagination header as a `Link` value: GitHub/GitLab `Link`, else GitLab's `X-Next-Page`."""
    link = headers.get("Link")
    if link and _LINK_NEXT.search(link):
        return link
    nxt = (headers.get("X-Next-Page") or "").strip()
    if nxt:
        return f'<{with_page(url, nxt)}>; rel="next"'
    return link or None


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
        self.connect_timeout = min(connect_timeout, timeout)
        self.read_timeout = min(read_timeout or timeout, timeout)
        self.max_call_seconds = max_call_seconds
        self.cache = cache
        self.cred_ident = cred_ident
        self.max_wait = max_wait
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.cache_blobs = cache_blobs
        self.max_blob_bytes = max_blob_bytes
        self.max_calls = max_calls if max_calls and max_calls > 0 else None
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._local = threading.local()
        self._pause_until = 0.0
        self._pause_why = ""
        self._pause_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix=self.thread_prefix)
        self._api_host = urlsplit(self.base_url).netloc
        self._concurrency = max(1, concurrency)

    # ---- what a platform says ---------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        """The credential header(s); raise CredentialError when it cannot be had."""
        return {}

    def extra_headers(self) -> dict[str, str]:
        return {"User-Agent": "wafops"}

    def on_unauthorized(self, attempt: int) -> bool:
        """A 401: return True to retry once (e.g. after refreshing an expiring token)."""
        return False

    # ---- plumbing ---------------------------------------------------------------------------
    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            from requests.adapters import HTTPAdapter

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

    def _spend(self, url: str) -> None:
        """One request of the call budget, or BudgetExhausted."""
        with self._stats_lock:
            if self.max_calls is not None and self.stats["requests"] >= self.max_calls:
                self.stats["budget_refused"] += 1
                raise BudgetExhausted(0, safe_url(url), f"call budget of {self.max_calls} requests spent")
            self.stats["requests"] += 1

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        if path.startswith(("http://", "https://")):
            full = path
        else:
            full = self.base_url + "/" + path.lstrip("/")
        if params:
            full += ("&" if "?" in full else "?") + urlencode(params)
        return full

    def _headers(self, accept: str, cached: CachedResponse | None, url: str) -> dict[str, str]:
        h = {"Accept": accept, **self.extra_headers()}
        if urlsplit(url).netloc == self._api_host:  # never send the credential to another host
            h.update(self.auth_headers())
        if cached is not None:
            if cached.etag:
                h["If-None-Match"] = cached.etag
            elif cached.last_modified:
                h["If-Modified-Since"] = cached.last_modified
        return h

    def _wait_for_pause(self, url: str = "") -> None:
        while True:
            with self._pause_lock:
                delay = self._pause_until - time.time()
            if delay <= 0:
                return
            left = deadline.remaining()
            if left is not None and delay >= left:
                raise RateLimited(0, safe_url(url), f"rate limited for {delay:.0f}s more, past the scan deadline")
            with self._pause_lock:
                why = self._pause_why
            notice(f"{self.platform}: waiting {delay:.0f}s for the rate limit ({why}); requests resume then")
            time.sleep(min(delay, 1.0))

    @staticmethod
    def _remaining(resp: requests.Response) -> str | None:
        return resp.headers.get("X-RateLimit-Remaining") or resp.headers.get("RateLimit-Remaining")

    @staticmethod
    def _reset(resp: requests.Response) -> float | None:
        return _float(resp.headers.get("X-RateLimit-Reset") or resp.headers.get("RateLimit-Reset"))

    def _note_limits(self, resp: requests.Response) -> None:
        if self._remaining(resp) == "0" and resp.status_code < 400:
            reset = self._reset(resp)
            if reset:
                wait = reset - time.time() + 1
                if 0 < wait <= self.max_wait:
                    with self._pause_lock:
                        self._pause_until = max(self._pause_until, time.time() + wait)
                        self._pause_why = "no requests left until the limit resets"

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
        if self._remaining(resp) == "0":
            reset = self._reset(resp)
            return max(0.0, (reset - time.time() + 1) if reset else 60.0)
        if resp.status_code == 429 or "rate limit" in _message(resp).lower():
            return 60.0  # a limit without a hint: wait a minute
        return None

    # ---- GET --------------------------------------------------------------------------------
    def get(self, path: str, params: dict[str, Any] | None = None, accept: str | None = None) -> Reply:
        """GET one URL (conditional when cached); raises ApiError for anything but 2xx/304."""
        accept = accept or self.json_accept
        url = self.url(path, params)
        key = HttpCache.key(url, accept, self.cred_ident) if self.cache else ""
        cached = self.cache.get(key) if self.cache else None
        last_err: ApiError | None = None
        started = time.monotonic()
        for attempt in range(self.retries + 1):
            if attempt and last_err is not None and not self._time_for_retry(started):
                raise last_err
            self._wait_for_pause(url)
            try:
                headers = self._headers(accept, cached, url)
            except CredentialError as err:
                raise ApiError(401, safe_url(url), str(err)) from None
            try:
                with self._slots:
                    self._check_deadline(url)
                    self._spend(url)
                    resp = self._fetch(url, headers, self.max_call_seconds - (time.monotonic() - started))
            except _TooSlow as err:
                self._count("timeouts")
                last_err = ApiError(0, safe_url(url), str(err))
                self._sleep_backoff(attempt, started)
                continue
            except requests.RequestException as err:
                self._count("connection_errors")
                last_err = ApiError(0, safe_url(url), _describe(err, self))
                self._sleep_backoff(attempt, started)
                continue
            self._count(f"status_{resp.status_code}")
            self._note_limits(resp)
            if resp.status_code == 304 and cached is not None:
                self._count("not_modified")
                return Reply(cached.status, _loads(cached.body), url, cached.link, not_modified=True)
            if 200 <= resp.status_code < 300:
                body = resp.text
                try:
                    data = _json_body(resp, body)
                except _Truncated as err:  # a cut connection or a proxy hiccup: worth another try
                    self._count("invalid_json")
                    last_err = ApiError(resp.status_code, safe_url(url), str(err))
                    self._sleep_backoff(attempt, started)
                    continue
                except _NotJson as err:  # an HTML login or proxy page: asking again gives the same page
                    self._count("not_json")
                    raise ApiError(resp.status_code, safe_url(url), str(err)) from None
                link = next_link(url, resp.headers)
                if self.cache and (resp.headers.get("ETag") or resp.headers.get("Last-Modified")):
                    self.cache.put(key, CachedResponse(resp.status_code, body, resp.headers.get("ETag"),
                                                       resp.headers.get("Last-Modified"), link))
                return Reply(resp.status_code, data, url, link)
            wait = self._rate_wait(resp)
            if wait is not None:
                self._count("rate_limited")
                last_err = RateLimited(resp.status_code, safe_url(url), f"rate limited (retry after {wait:.0f}s)")
                left = deadline.remaining()
                if wait > self.max_wait or attempt == self.retries or (left is not None and wait >= left):
                    raise last_err
                with self._pause_lock:
                    self._pause_until = max(self._pause_until, time.time() + wait)
                    self._pause_why = f"HTTP {resp.status_code} on {urlsplit(url).path}, retry after {wait:.0f}s"
                if wait >= 1:
                    notice(f"{self.platform}: rate limited (HTTP {resp.status_code}); waiting {wait:.0f}s before "
                           f"retrying {urlsplit(url).path}")
                continue
            if resp.status_code == 401 and self.on_unauthorized(attempt):
                continue
            if resp.status_code >= 500:
                last_err = ApiError(resp.status_code, safe_url(url), _message(resp))
                self._sleep_backoff(attempt, started)
                continue
            raise ApiError(resp.status_code, safe_url(url), _message(resp))
        assert last_err is not None
        raise last_err

    # ---- time ---------------------------------------------------------------------------------
    def _check_deadline(self, url: str) -> None:
        if deadline.passed():
            self._count("deadline_refused")
            raise ApiError(0, safe_url(url), "not requested: the scan deadline (--deadline) passed")

    def _total(self) -> float:
        """Seconds the next request may take in all: `timeout`, or less when the scan deadline is near."""
        left = deadline.remaining()
        return self.timeout if left is None else max(0.001, min(self.timeout, left))

    def _time_for_retry(self, started: float) -> bool:
        """Another attempt fits in this call's `max_call_seconds` (and before the scan deadline)."""
        spent = time.monotonic() - started
        left = deadline.remaining()
        return spent + 0.5 < self.max_call_seconds and (left is None or left > 0)

    def _fetch(self, url: str, headers: dict[str, str], limit: float | None = None) -> requests.Response:
        """One GET whose body is read within the total time (and the call's `limit`); _TooSlow when it is not."""
        total = self._total() if limit is None else max(0.001, min(self._total(), limit))
        ends = time.monotonic() + total
        resp = self._session().get(url, headers=headers, allow_redirects=True, stream=True,
                                   timeout=(min(self.connect_timeout, total), min(self.read_timeout, total)))
        try:
            data = _read_until(resp, ends, total, None)
        finally:
            resp.close()
        resp._content = data  # what requests would have read, so .text and .json() work
        resp._content_consumed = True
        return resp

    def _sleep_backoff(self, attempt: int, started: float | None = None) -> None:
        if attempt < self.retries:
            delay = min(self.max_wait, self.backoff * (2**attempt))
            if started is not None:
                delay = min(delay, max(0.0, self.max_call_seconds - (time.monotonic() - started)))
            left = deadline.remaining()
            time.sleep(delay if left is None else min(delay, left))

    def pages(self, path: str, params: dict[str, Any] | None = None, *, max_pages: int = 1,
              key: str | None = None) -> tuple[list[Any], Reply, bool]:
        """Follow the next page (Link rel="next" or X-Next-Page) up to max_pages. Returns (items, first reply, complete)."""
        first = reply = self.get(path, params)
        items: list[Any] = []
        pages = 0
        while True:
            data = reply.data
            chunk = (data.get(key) if isinstance(data, dict) else data) if key else data
            if chunk is None and (data is None or (key and isinstance(data, dict) and key not in data and not data)):
                chunk = []  # no content: nothing to list
            if not isinstance(chunk, list):  # the wrong shape is no answer, never an empty list
                self._count("wrong_shape")
                where = f" under {key!r}" if key else ""
                raise ApiError(reply.status, safe_url(reply.url),
                               f"answered {type(data).__name__} where a list{where} was expected")
            items.extend(chunk)
            pages += 1
            nxt = reply.next_url
            if not nxt:
                return items, first, True
            if pages >= max_pages:
                return items, first, False
            reply = self.get(nxt)

    # ---- immutable downloads (tarballs, archives) ---------------------------------------------
    def blob(self, path: str, cache_name: str, accept: str | None = None) -> bytes:
        """GET a download that is immutable per `cache_name` (a commit's archive): cached copy first.

        A redirect to another host (GitHub's codeload) is followed without the credential.
        """
        key = HttpCache.key(f"blob:{self.base_url}/{cache_name}", "tar", self.cred_ident)
        if self.cache and self.cache_blobs:
            data = self.cache.get_blob(key)
            if data is not None:
                self._count("tarball_cache_hits")
                return data
        url = self.url(path)
        accept = accept or self.json_accept
        started = time.monotonic()
        for attempt in range(self.retries + 1):
            self._wait_for_pause(url)
            try:
                with self._slots:
                    self._check_deadline(url)
                    self._spend(url)
                    # an archive may be large: BLOB_TIME_FACTOR times the request total, still a bound
                    total = self._total() if deadline.remaining() is not None and deadline.remaining() < \
                        self.timeout * BLOB_TIME_FACTOR else self.timeout * BLOB_TIME_FACTOR
                    ends = time.monotonic() + total
                    timeouts = (min(self.connect_timeout, total), min(self.read_timeout, total))
                    resp = self._session().get(url, headers=self._headers(accept, None, url),
                                               timeout=timeouts, allow_redirects=False, stream=True)
                    self._count(f"status_{resp.status_code}")
                    if resp.status_code in (301, 302, 303, 307, 308) and resp.headers.get("Location"):
                        target = urljoin(url, resp.headers["Location"])
                        self._count("downloads")
                        resp.close()
                        resp = self._session().get(target, headers=self._headers("*/*", None, target),
                                                   timeout=timeouts, stream=True)
                    if resp.status_code == 200:
                        data = _read_until(resp, ends, total, self.max_blob_bytes)
                        if data is None:
                            raise ApiError(413, safe_url(url), f"archive larger than {self.max_blob_bytes} bytes")
                        if self.cache and self.cache_blobs:
                            self.cache.put_blob(key, data)
                        return data
            except CredentialError as err:
                raise ApiError(401, safe_url(url), str(err)) from None
            except (requests.RequestException, _TooSlow) as err:
                self._count("connection_errors")
                msg = str(err) if isinstance(err, _TooSlow) else _describe(err, self)
                if attempt == self.retries or not self._time_for_retry(started):
                    raise ApiError(0, safe_url(url), msg) from None
                self._sleep_backoff(attempt, started)
                continue
            wait = self._rate_wait(resp)
            if wait is not None and wait <= self.max_wait and attempt < self.retries:
                if wait >= 1:
                    notice(f"{self.platform}: rate limited (HTTP {resp.status_code}); waiting {wait:.0f}s before "
                           "retrying a download")
                left = deadline.remaining()
                time.sleep(wait if left is None else min(wait, left))
                continue
            if resp.status_code >= 500 and attempt < self.retries:
                self._sleep_backoff(attempt)
                continue
            raise ApiError(resp.status_code, safe_url(url), _message(resp))
        raise ApiError(0, safe_url(url), "download failed")

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


BLOB_TIME_FACTOR = 10  # an archive download may take this many request totals (300 s by default)


class _TooSlow(Exception):
    """The body did not arrive within the request's total time (a trickling or stalled server)."""


class _NotJson(ValueError):
    pass


class _Truncated(ValueError):
    pass


def _read_until(resp: requests.Response, ends: float, total: float, cap: int | None) -> bytes | None:
    """The body, read as it arrives (`read1`: one receive at a time) until `ends`; None over `cap` bytes.

    `iter_content(n)` would block until n bytes came, so a server sending a byte every few seconds
    could hold a request for hours; here every receive is followed by a look at the clock.
    """
    chunks, size = [], 0
    raw = resp.raw
    while True:
        if time.monotonic() > ends:
            raise _TooSlow(f"timed out: the answer took longer than {total:g}s in all (a slow or trickling server)")
        try:
            chunk = raw.read1(65536, decode_content=True)
        except AttributeError:  # an urllib3 without read1
            chunk = raw.read(65536, decode_content=True)
        except Exception as err:  # urllib3 errors (read timeout, protocol) as requests raises them
            if "timed out" in str(err).lower() or "timeout" in type(err).__name__.lower():
                raise _TooSlow(f"timed out: no data for {total:g}s") from None
            raise requests.ConnectionError(type(err).__name__) from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if cap is not None and size > cap:
            resp.close()
            return None
        chunks.append(chunk)


def _json_body(resp: requests.Response, body: str) -> Any:
    """The JSON of a 2xx answer; _NotJson (HTML, text) or _Truncated (cut or invalid JSON) otherwise."""
    ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if not body.strip():
        if resp.status_code in (204, 205) or not ctype or "json" in ctype:
            return None
    if ctype and "json" not in ctype:
        head = " ".join(body.strip().split())[:60]
        raise _NotJson(f"answered {ctype} instead of JSON (a proxy or login page?): {head!r}")
    try:
        return json.loads(body)
    except ValueError as err:
        what = "truncated" if body.strip()[:1] in ("{", "[") else "not"
        raise _Truncated(f"answered {what} JSON ({len(body)} bytes: {err})") from None


def _describe(err: Exception, client: PlatformClient) -> str:
    """A connection error in words (no URL: it may carry a token)."""
    name = type(err).__name__
    if isinstance(err, requests.ConnectTimeout):
        return f"{name}: no connection within {client.connect_timeout:g}s"
    if isinstance(err, requests.ReadTimeout):
        return f"{name}: no answer within {client.read_timeout:g}s"
    return name


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
    """The platform's error text: GitHub `message`, GitLab `message` (string or dict) or `error`."""
    try:
        data = resp.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    msg = data.get("message") or data.get("error") or ""
    if isinstance(msg, dict):
        msg = "; ".join(f"{k}: {v}" for k, v in msg.items())
    return str(msg)[:200]


def error_code(err: ApiError) -> str:
    """A short machine-readable hint from an error message (`insufficient_scope` ...)."""
    return "insufficient_scope" if "insufficient_scope" in (err.message or "") else ""


def truthy(v: Any, default: bool = False) -> bool:
    if v is None:
        return default
    return str(v).lower() in ("1", "true", "yes", "on")
