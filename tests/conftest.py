"""Suite-wide fixtures: the persistent parse cache never touches the real home folder.

Every test gets a fresh, empty cache folder (`WAFOPS_PARSE_CACHE_DIR`, inherited by the subprocesses a
test starts); module- and session-scoped fixtures, which run before the per-test fixture, share one
folder of the session. The process-wide `--no-cache` setting a CLI test may make is reset after it.

Collector outcomes are not reused from one scan to the next in the same process (`reuse.ENABLED`): tests
scan one tree many ways (patched collectors, other options) and compare; tests/test_reuse.py switches it on.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wafops.scanner import reuse
from wafops.scanner.core import parse_cache


@pytest.fixture(scope="session", autouse=True)
def _session_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(parse_cache.ENV_DIR, str(tmp_path_factory.mktemp("parse-cache-session")))
        mp.delenv(parse_cache.ENV_OFF, raising=False)
        yield


@pytest.fixture(autouse=True)
def _parse_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(parse_cache.ENV_DIR, str(tmp_path_factory.mktemp("parse-cache")))
    monkeypatch.setattr(reuse, "ENABLED", False)
    parse_cache.configure()
    yield
    parse_cache.configure()
