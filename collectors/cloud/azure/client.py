"""Read-only access to Azure Resource Manager through the management SDK's pipeline.

One `Arm` per scan target: a `ResourceManagementClient` (azure-mgmt-resource) for the inventory and
resource groups, and the same client's authenticated pipeline (`send_request`) for the GETs of other
providers (Microsoft.Insights, Microsoft.Web, Microsoft.Authorization, ...), so every request shares
one credential, one retry policy, one transport and one CA configuration.

Read-only, by construction:
- the pipeline is built without `ARMAutoResourceProviderRegistrationPolicy`: the SDK would otherwise
  answer a 409 `MissingSubscriptionRegistration` with `POST .../providers/{ns}/register`, a write;
- `ReadOnlyPolicy` refuses any request that is not a GET before it leaves the process, except the
  POST query operations the Reader role allows and docs/azure.md lists (`READ_POSTS`: the policy
  compliance summary);
- nothing calls `listKeys`, `config/appsettings/list` or other secret-returning operations.

Credentials: `AZURE_ACCESS_TOKEN` (a bearer token, e.g. `az account get-access-token`) is used as is
when set, otherwise `DefaultAzureCredential` (environment service principal, workload identity,
managed identity, Azure CLI). The endpoint is `--azure-url` / `AZURE_RESOURCE_MANAGER_URL` (Azure
China, US Government, Azure Stack), default the public cloud. Certificates are verified with the
usual settings (`REQUESTS_CA_BUNDLE`).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

PUBLIC_CLOUD = "https://management.azure.com"

# POST operations that only read (the Reader role grants them): anything else that is not a GET is refused
READ_POSTS = (
    re.compile(r"(?i)^/subscriptions/[^/]+/providers/Microsoft\.PolicyInsights/policyStates/latest/summarize$"),
)

# what each failure means for the scan (see docs/azure.md)
DENIED = "denied"
THROTTLED = "throttled"
UNREGISTERED = "unregistered"
ERROR = "error"


class ArmError(Exception):
    """A request that did not give an answer: HTTP status, ARM error code, what it means."""

    def __init__(self, call: str, status: int | None, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"{call}: {status or ''} {code}: {message}".strip())
        self.call = call
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @property
    def kind(self) -> str:
        if self.status in (401, 403) or self.code in ("AuthorizationFailed", "InvalidAuthenticationToken", "LinkedAuthorizationFailed",
                                                      "ClientAuthenticationError", "CredentialUnavailableError"):
            return DENIED
        if self.status == 429 or self.code in ("TooManyRequests", "SubscriptionRequestsThrottled"):
            return THROTTLED
        if self.code in ("MissingSubscriptionRegistration", "SubscriptionNotRegistered"):
            return UNREGISTERED
        return ERROR

    @property
    def reason(self) -> str:
        if self.code in ("ClientAuthenticationError", "CredentialUnavailableError"):
            return (f"no Azure credential could get a token ({self.message.splitlines()[0][:160] if self.message else self.code}); "
                    "set AZURE_ACCESS_TOKEN, a service principal or workload identity, or run az login")
        if self.status == 401 or self.code == "InvalidAuthenticationToken":
            return (f"the token was refused on {self.call} ({self.code or self.status}): expired, or issued for another "
                    "cloud, tenant or audience than this Resource Manager endpoint")
        if self.kind == DENIED:
            return (f"access denied to {self.call} ({self.code or self.status}); the Reader role on the subscription "
                    "allows it (docs/azure.md)")
        if self.kind == THROTTLED:
            wait = f", Retry-After {self.retry_after:g} s" if self.retry_after else ""
            return f"throttled by Azure Resource Manager on {self.call} (HTTP 429{wait}); retries ran out"
        if self.kind == UNREGISTERED:
            return f"{self.call}: the resource provider is not registered in the subscription ({self.code})"
        return f"{self.call} failed ({self.status or 'no response'} {self.code}: {self.message[:160]})"


class WriteRefused(RuntimeError):
    """A request that is not a read reached the pipeline: a bug, stopped before it left the process."""


class ReadBudget:
    """Slows down before Resource Manager throttles: when an answer says few reads are left in the subscription's
    budget (`x-ms-ratelimit-remaining-subscription[-global]-reads`), the next requests wait `pause` seconds.
    Shared by the threads of one subscription's read."""

    HEADERS = ("x-ms-ratelimit-remaining-subscription-global-reads", "x-ms-ratelimit-remaining-subscription-reads")

    def __init__(self, low: int = 25, pause: float = 1.0) -> None:
        self.low, self.pause = low, pause
        self.until = 0.0
        self.waited = 0.0
        self._lock = threading.Lock()

    def seen(self, headers: Any) -> None:
        for h in self.HEADERS:
            value = headers.get(h)
            if value is not None and str(value).strip().isdigit() and int(value) < self.low:
                with self._lock:
                    self.until = max(self.until, time.monotonic() + self.pause)
                return

    def wait(self) -> None:
        delay = self.until - time.monotonic()
        if delay > 0:
            with self._lock:
                self.waited += delay
            time.sleep(delay)


def _policies(credential: Any, scope: str, retries: int, backoff: float, max_wait: float, counter: Any,
              budget: ReadBudget | None = None) -> list[Any]:
    from azure.core.pipeline import policies
    from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy

    class CappedRetry(policies.RetryPolicy):
        """Honours Retry-After (429/503), but never waits longer than `max_wait` seconds at a time."""

        def get_retry_after(self, response: Any) -> float | None:
            value = super().get_retry_after(response)
            return None if value is None else min(float(value), max_wait)

    class ReadOnlyPolicy(policies.SansIOHTTPPolicy):
        def on_request(self, request: Any) -> None:
            method = request.http_request.method.upper()
            path = urlsplit(request.http_request.url).path
            if method != "GET" and not (method == "POST" and any(rx.match(path) for rx in READ_POSTS)):
                raise WriteRefused(f"refused {method} {request.http_request.url}: wafops only reads")
            if budget is not None:
                budget.wait()
            counter()

        def on_response(self, request: Any, response: Any) -> None:
            if budget is not None:
                budget.seen(response.http_response.headers)

    return [
        policies.RequestIdPolicy(),
        policies.HeadersPolicy(),
        policies.UserAgentPolicy(sdk_moniker="wafops"),
        policies.ProxyPolicy(),
        policies.ContentDecodePolicy(),
        # no ARMAutoResourceProviderRegistrationPolicy: registering a provider is a write
        policies.RedirectPolicy(),
        CappedRetry(retry_total=retries, retry_backoff_factor=backoff, retry_backoff_max=max_wait),
        ARMChallengeAuthenticationPolicy(credential, scope),
        ReadOnlyPolicy(),
        policies.CustomHookPolicy(),
        policies.NetworkTraceLoggingPolicy(),
        policies.DistributedTracingPolicy(),
        policies.SensitiveHeaderCleanupPolicy(),
        ARMHttpLoggingPolicy(),
    ]


class StaticToken:
    """AZURE_ACCESS_TOKEN as a TokenCredential: used as is, for whatever scope is asked."""

    def __init__(self, token: str) -> None:
        self._token = token.strip()

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(self._token, int(time.time()) + 3600)


def endpoint(options: dict[str, Any]) -> str:
    return str(options.get("azure_url") or os.environ.get("AZURE_RESOURCE_MANAGER_URL") or PUBLIC_CLOUD).rstrip("/")


def credential() -> Any:
    token = os.environ.get("AZURE_ACCESS_TOKEN")
    if token and token.strip():
        return StaticToken(token)
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


@dataclass
class Calls:
    """Requests made (every one a GET), for the benchmark and the read-only test."""

    n: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            self.n += 1


class Arm:
    """One credential, one pipeline; `get` and `pages` for any ARM path, `sdk` for azure-mgmt-resource."""

    def __init__(self, options: dict[str, Any], subscription_id: str = "00000000-0000-0000-0000-000000000000",
                 cred: Any = None) -> None:
        try:
            from azure.mgmt.resource.resources import ResourceManagementClient
        except ImportError:  # the 0.x-25.x layout
            from azure.mgmt.resource import ResourceManagementClient  # type: ignore[no-redef]
        self.base = endpoint(options)
        self.calls = Calls()
        self.max_pages = int(options.get("azure_max_pages") or 200)
        scope = self.base + "/.default"
        cred = cred or credential()
        self.budget = ReadBudget(int(options.get("azure_min_reads_left") or 25), float(options.get("azure_read_pause", 1.0)))
        self.sdk = ResourceManagementClient(
            cred, subscription_id, base_url=self.base, credential_scopes=[scope],
            policies=_policies(cred, scope, int(options.get("azure_retries", 3)),
                               float(options.get("azure_backoff", 0.8)), float(options.get("azure_max_wait", 30)),
                               self.calls, self.budget),
        )

    def url(self, path: str, api_version: str, params: dict[str, Any] | None = None) -> str:
        if path.startswith(("https://", "http://")):
            return path
        query = {"api-version": api_version, **(params or {})}
        return f"{self.base}{path}?{urlencode(query)}"

    def get(self, path: str, api_version: str, params: dict[str, Any] | None = None, call: str = "",
            method: str = "GET") -> Any:
        """The JSON answer of a GET (or of a listed read-only POST query, `method="POST"`), or ArmError."""
        from azure.core.exceptions import AzureError
        from azure.core.rest import HttpRequest

        url = self.url(path, api_version, params)
        name = call or _call_name(path)
        try:
            resp = self.sdk.send_request(HttpRequest(method, url, json={} if method == "POST" else None))
        except AzureError as err:
            raise ArmError(name, None, type(err).__name__, str(err)[:200]) from None
        if resp.status_code >= 400:
            code, message = "", ""
            try:
                body = resp.json()
                err = body.get("error") if isinstance(body, dict) else None
                if isinstance(err, dict):
                    code, message = str(err.get("code") or ""), str(err.get("message") or "")
            except Exception:
                message = (resp.text() or "")[:200]
            ra = resp.headers.get("Retry-After")
            try:
                retry_after = float(ra) if ra else None
            except ValueError:
                retry_after = None
            raise ArmError(name, resp.status_code, code, message, retry_after)
        try:
            return resp.json()
        except Exception:
            raise ArmError(name, resp.status_code, "NotJson", "the answer is not JSON") from None

    def pages(self, path: str, api_version: str, params: dict[str, Any] | None = None, call: str = "",
              limit: int | None = None) -> Iterator[dict[str, Any]]:
        """Items of an ARM list, following `nextLink` (at most `azure_max_pages` pages, or `limit` items)."""
        url: str | None = self.url(path, api_version, params)
        seen = 0
        for _ in range(self.max_pages):
            if not url:
                return
            body = self.get(url, api_version, call=call or _call_name(path))
            for item in (body.get("value") or []) if isinstance(body, dict) else []:
                if isinstance(item, dict):
                    yield item
                    seen += 1
                    if limit is not None and seen >= limit:
                        return
            url = body.get("nextLink") if isinstance(body, dict) else None
            if url and urlsplit(url).scheme not in ("https", "http"):
                return


class BlobReader:
    """Opt-in (`azure_read_state`): GETs on the Blob service data plane, to read Terraform state in memory.

    Reading blob content needs a data role (Storage Blob Data Reader) and a token for the storage scope:
    `AZURE_STORAGE_ACCESS_TOKEN` as is, else DefaultAzureCredential (an ARM token from AZURE_ACCESS_TOKEN is
    not valid there). Never account keys: `listKeys` is not called. GET only, like the ARM pipeline."""

    SCOPE = "https://storage.azure.com/.default"

    def __init__(self, options: dict[str, Any], calls: Calls) -> None:
        from azure.core import PipelineClient
        from azure.core.pipeline import policies

        token = os.environ.get("AZURE_STORAGE_ACCESS_TOKEN")
        if not token and os.environ.get("AZURE_ACCESS_TOKEN"):
            raise ArmError("GET blob", None, "NoStorageToken",
                           "AZURE_ACCESS_TOKEN is a Resource Manager token; set AZURE_STORAGE_ACCESS_TOKEN (a token for "
                           "https://storage.azure.com/) to read Terraform state")
        cred = StaticToken(token) if token else credential()
        pol = _policies(cred, self.SCOPE, int(options.get("azure_retries", 3)), float(options.get("azure_backoff", 0.8)),
                        float(options.get("azure_max_wait", 30)), calls)
        from azure.core.pipeline.policies import BearerTokenCredentialPolicy

        pol = [BearerTokenCredentialPolicy(cred, self.SCOPE) if type(p).__name__ == "ARMChallengeAuthenticationPolicy" else p
               for p in pol]
        pol.insert(1, policies.HeadersPolicy({"x-ms-version": "2021-08-06"}))
        self.client = PipelineClient(base_url="", policies=pol)
        self.max_bytes = int(options.get("azure_max_state_bytes") or 50_000_000)

    def get(self, url: str) -> bytes:
        from azure.core.exceptions import AzureError
        from azure.core.rest import HttpRequest

        try:
            resp = self.client.send_request(HttpRequest("GET", url))
        except AzureError as err:
            raise ArmError("GET blob", None, type(err).__name__, str(err)[:200]) from None
        if resp.status_code >= 400:
            code = resp.headers.get("x-ms-error-code") or ""
            raise ArmError("GET blob", resp.status_code, code, (resp.text() or "")[:160])
        data = resp.read()
        if len(data) > self.max_bytes:
            raise ArmError("GET blob", resp.status_code, "TooLarge", f"a state file over {self.max_bytes} bytes")
        return data


def _call_name(path: str) -> str:
    """A short name of the operation for reasons: `GET Microsoft.Insights/metricAlerts`."""
    p = urlsplit(path).path if path.startswith("http") else path.split("?", 1)[0]
    parts = [x for x in p.split("/") if x]
    if "providers" in parts:
        i = len(parts) - 1 - parts[::-1].index("providers")
        tail = parts[i + 1:]
        if len(tail) >= 2:
            return "GET " + "/".join([tail[0]] + tail[1::2])
    if parts and parts[-1].lower() == "resourcegroups":
        return "GET resourceGroups"
    return "GET " + (parts[-1] if parts else "/")
