"""LaunchDarkly feature flags (project `shop`). New checkout features ship dark behind a flag."""

import os

import ldclient
from ldclient import Context
from ldclient.config import Config

_client = None


def init() -> None:
    global _client
    sdk_key = os.environ.get("LD_SDK_KEY")
    if not sdk_key:  # tests and local runs: every flag evaluates to its default
        ldclient.set_config(Config("offline", offline=True))
    else:
        ldclient.set_config(Config(sdk_key))
    _client = ldclient.get()


def enabled(flag: str, user_id: str | None = None, default: bool = False) -> bool:
    if _client is None:
        return default
    ctx = Context.builder(user_id or "anonymous").kind("user").build()
    return bool(_client.variation(flag, ctx, default))
