"""Replies and pagination, in both styles: `Link: <...>; rel="next"` (GitHub, GitLab) and GitLab's `X-Next-Page`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from wafops.collectors.platforms.common.errors import ApiError, safe_url

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


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


def follow(get: Callable[..., Reply], count: Callable[[str], None], path: str, params: dict[str, Any] | None,
           max_pages: int, key: str | None) -> tuple[list[Any], Reply, bool]:
    """Follow the next page with `get` up to max_pages. Returns (items, first reply, complete).

    A page of the wrong shape (an object where a list was expected) is an ApiError, never an empty list.
    """
    first = reply = get(path, params)
    items: list[Any] = []
    pages = 0
    while True:
        data = reply.data
        chunk = (data.get(key) if isinstance(data, dict) else data) if key else data
        if chunk is None and (data is None or (key and isinstance(data, dict) and key not in data and not data)):
            chunk = []  # no content: nothing to list
        if not isinstance(chunk, list):  # the wrong shape is no answer, never an empty list
            count("wrong_shape")
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
        reply = get(nxt)
