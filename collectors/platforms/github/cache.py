"""The HTTP cache moved to `collectors/platforms/common/cache.py` (shared with GitLab); kept as an alias."""

from wafops.collectors.platforms.common.cache import (
    DEFAULT_CACHE_DIR,
    CachedResponse,
    HttpCache,
    as_json,
    credential_hash,
)

__all__ = ["DEFAULT_CACHE_DIR", "CachedResponse", "HttpCache", "as_json", "credential_hash"]
