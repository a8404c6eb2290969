"""The HTTP cache moved to `collectors/platform_common/cache.py` (shared with GitLab); kept as an alias."""

from collectors.platform_common.cache import (
    DEFAULT_CACHE_DIR,
    CachedResponse,
    HttpCache,
    as_json,
    credential_hash,
)

__all__ = ["DEFAULT_CACHE_DIR", "CachedResponse", "HttpCache", "as_json", "credential_hash"]
