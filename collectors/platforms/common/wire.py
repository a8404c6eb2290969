"""One GET on the wire: a session per thread, connect/read timeouts and a total time, and the body as JSON.

`requests` is imported on first use: a local scan loads the platform plugins but never an HTTP
client, which would cost a large share of its start-up time.

Every request is bounded in time: connect and read timeouts, and a total (`timeout`, default 30 s)
that a body trickling in byte by byte cannot extend (`read_until`). Only JSON is trusted: a 2xx
answer that is not JSON (an HTML proxy or login page) or is truncated is an error with the reason,
never empty data (`json_body`).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from wafops.scanner.core import deadline


class _LazyRequests:
    """`requests`, imported on first use (see the module text)."""

    def __getattr__(self, name: str) -> Any:
        import requests as module

        globals()["requests"] = module
        return getattr(module, name)


requests: Any = _LazyRequests()


class TooSlow(Exception):
    """The body did not arrive within the request's total time (a trickling or stalled server)."""


class NotJson(ValueError):
    pass


class Truncated(ValueError):
    pass


class Wire:
    """Sessions (one per thread) and the time bounds of every request of a client."""

    def __init__(self, *, timeout: float, connect_timeout: float, read_timeout: float | None,
                 concurrency: int) -> None:
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)
        self.read_timeout = min(read_timeout or timeout, timeout)
        self._concurrency = max(1, concurrency)
        self._local = threading.local()

    def session(self) -> requests.Session:
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

    def total(self) -> float:
        """Seconds the next request may take in all: `timeout`, or less when the scan deadline is near."""
        left = deadline.remaining()
        return self.timeout if left is None else max(0.001, min(self.timeout, left))

    def timeouts(self, total: float) -> tuple[float, float]:
        """(connect, read) timeouts of a request that may take `total` seconds in all."""
        return min(self.connect_timeout, total), min(self.read_timeout, total)

    def fetch(self, url: str, headers: dict[str, str], limit: float | None = None) -> requests.Response:
        """One GET whose body is read within the total time (and the call's `limit`); TooSlow when it is not."""
        total = self.total() if limit is None else max(0.001, min(self.total(), limit))
        ends = time.monotonic() + total
        resp = self.session().get(url, headers=headers, allow_redirects=True, stream=True,
                                  timeout=self.timeouts(total))
        try:
            data = read_until(resp, ends, total, None)
        finally:
            resp.close()
        resp._content = data  # what requests would have read, so .text and .json() work
        resp._content_consumed = True
        return resp

    def describe(self, err: Exception) -> str:
        """A connection error in words (no URL: it may carry a token)."""
        name = type(err).__name__
        if isinstance(err, requests.ConnectTimeout):
            return f"{name}: no connection within {self.connect_timeout:g}s"
        if isinstance(err, requests.ReadTimeout):
            return f"{name}: no answer within {self.read_timeout:g}s"
        return name


def read_until(resp: requests.Response, ends: float, total: float, cap: int | None) -> bytes | None:
    """The body, read as it arrives (`read1`: one receive at a time) until `ends`; None over `cap` bytes.

    `iter_content(n)` would block until n bytes came, so a server sending a byte every few seconds
    could hold a request for hours; here every receive is followed by a look at the clock.
    """
    chunks, size = [], 0
    raw = resp.raw
    while True:
        if time.monotonic() > ends:
            raise TooSlow(f"timed out: the answer took longer than {total:g}s in all (a slow or trickling server)")
        try:
            chunk = raw.read1(65536, decode_content=True)
        except AttributeError:  # an urllib3 without read1
            chunk = raw.read(65536, decode_content=True)
        except Exception as err:  # urllib3 errors (read timeout, protocol) as requests raises them
            if "timed out" in str(err).lower() or "timeout" in type(err).__name__.lower():
                raise TooSlow(f"timed out: no data for {total:g}s") from None
            raise requests.ConnectionError(type(err).__name__) from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if cap is not None and size > cap:
            resp.close()
            return None
        chunks.append(chunk)


def json_body(resp: requests.Response, body: str) -> Any:
    """The JSON of a 2xx answer; NotJson (HTML, text) or Truncated (cut or invalid JSON) otherwise."""
    ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if not body.strip():
        if resp.status_code in (204, 205) or not ctype or "json" in ctype:
            return None
    if ctype and "json" not in ctype:
        head = " ".join(body.strip().split())[:60]
        raise NotJson(f"answered {ctype} instead of JSON (a proxy or login page?): {head!r}")
    try:
        return json.loads(body)
    except ValueError as err:
        what = "truncated" if body.strip()[:1] in ("{", "[") else "not"
        raise Truncated(f"answered {what} JSON ({len(body)} bytes: {err})") from None


def loads(body: str) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def message(resp: requests.Response) -> str:
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


def as_float(v: str | None) -> float | None:
    try:
        return float(v) if v is not None else None
    except ValueError:
        return None
