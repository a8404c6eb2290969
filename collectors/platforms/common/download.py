"""Immutable downloads of a platform client: a commit's archive (GitHub tarball, GitLab archive.tar.gz).

An archive is immutable per commit, so a stored copy is used without any request. A redirect to
another host (GitHub's codeload) is followed without the credential. An archive may be large: its
download may take `BLOB_TIME_FACTOR` request totals (still a bound) and at most `max_blob_bytes`.
Rate limits, retries, the call budget and the deadline apply as to every other request.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from wafops.collectors.platforms.common import wire
from wafops.collectors.platforms.common.errors import ApiError, CredentialError, safe_url
from wafops.scanner.core import deadline
from wafops.scanner.core.notices import notice

if TYPE_CHECKING:
    from wafops.collectors.platforms.common.http import PlatformClient

BLOB_TIME_FACTOR = 10  # an archive download may take this many request totals (300 s by default)
_REDIRECTS = (301, 302, 303, 307, 308)


def download(client: PlatformClient, path: str, cache_name: str, accept: str | None = None) -> bytes:
    """GET a download that is immutable per `cache_name`: the stored copy first, else the platform."""
    key = client.conditional.blob_key(client.base_url, cache_name)
    data = client.conditional.get_blob(key)
    if data is not None:
        client.budget.count("tarball_cache_hits")
        return data
    url = client.url(path)
    accept = accept or client.json_accept
    started = time.monotonic()
    retry = client.retry
    for attempt in range(retry.retries + 1):
        client.limits.wait(url)
        try:
            with client.slots:
                resp, data = _attempt(client, url, accept, key)
                if data is not None:
                    return data
        except CredentialError as err:
            raise ApiError(401, safe_url(url), str(err)) from None
        except (wire.requests.RequestException, wire.TooSlow) as err:
            client.budget.count("connection_errors")
            msg = str(err) if isinstance(err, wire.TooSlow) else client.wire.describe(err)
            if attempt == retry.retries or not retry.time_for_retry(started):
                raise ApiError(0, safe_url(url), msg) from None
            retry.sleep_backoff(attempt, started)
            continue
        wait = client.limits.refusal_wait(resp)
        if wait is not None and wait <= client.limits.max_wait and attempt < retry.retries:
            if wait >= 1:
                notice(f"{client.platform}: rate limited (HTTP {resp.status_code}); waiting {wait:.0f}s before "
                       "retrying a download")
            left = deadline.remaining()
            time.sleep(wait if left is None else min(wait, left))
            continue
        if resp.status_code >= 500 and attempt < retry.retries:
            retry.sleep_backoff(attempt)
            continue
        raise ApiError(resp.status_code, safe_url(url), wire.message(resp))
    raise ApiError(0, safe_url(url), "download failed")


def _attempt(client: PlatformClient, url: str, accept: str, key: str) -> tuple[Any, bytes | None]:
    """One request (and its redirect): (response, the archive when it came, stored) or (response, None)."""
    client.budget.check_deadline(url)
    client.budget.spend(url)
    timeout = client.wire.timeout
    total = client.wire.total() if deadline.remaining() is not None and deadline.remaining() < \
        timeout * BLOB_TIME_FACTOR else timeout * BLOB_TIME_FACTOR
    ends = time.monotonic() + total
    timeouts = client.wire.timeouts(total)
    resp = client.wire.session().get(url, headers=client.headers_for(accept, None, url),
                                     timeout=timeouts, allow_redirects=False, stream=True)
    client.budget.count(f"status_{resp.status_code}")
    if resp.status_code in _REDIRECTS and resp.headers.get("Location"):
        target = urljoin(url, resp.headers["Location"])
        client.budget.count("downloads")
        resp.close()
        resp = client.wire.session().get(target, headers=client.headers_for("*/*", None, target),
                                         timeout=timeouts, stream=True)
    if resp.status_code != 200:
        return resp, None
    data = wire.read_until(resp, ends, total, client.max_blob_bytes)
    if data is None:
        raise ApiError(413, safe_url(url), f"archive larger than {client.max_blob_bytes} bytes")
    client.conditional.put_blob(key, data)
    return resp, data
