"""A fake Azure Resource Manager endpoint for tests: real HTTPS on loopback, with a certificate made at
test time (trustme), so the real management SDK, credential and transport talk to it unchanged.

- answers the api-version each list is read with (another one is a 400 `InvalidApiVersionParameter`, as ARM does);
- pages every list (`nextLink`, absolute, `$skiptoken`), `page_size` items a page;
- records every request (method, path, query) in `requests`;
- injects failures: `fail(pattern, status, code, headers=..., times=...)` answers requests whose path matches
  with an ARM error body (403 AuthorizationFailed, 429 with Retry-After, 409 MissingSubscriptionRegistration, 5xx);
- checks the bearer token (401 `InvalidAuthenticationToken` otherwise).

Payloads are built by `tests/fake_azure/payloads.py` in the shapes of Azure's published REST examples.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "fake-arm-token"

# collection (last path segment, lower case) -> the api-version the collector/SDK sends for it
LISTS = {
    "subscriptions": "2022-12-01", "resources": "2025-04-01", "resourcegroups": "2025-04-01",
    "deployments": "2025-04-01", "locks": "2020-05-01", "policyassignments": "2023-04-01",
    "remediations": "2021-10-01", "metricalerts": "2018-03-01", "scheduledqueryrules": "2023-12-01",
    "activitylogalerts": "2020-10-01", "actiongroups": "2023-01-01", "smartdetectoralertrules": "2021-04-01",
    "webtests": "2022-06-15", "components": "2020-02-02", "diagnosticsettings": "2021-05-01-preview",
    "workspaces": "2022-10-01", "workbooks": "2022-04-01", "dashboards": "2020-09-01-preview", "slots": "2023-12-01",
    "containerapps": "2024-03-01", "trafficmanagerprofiles": "2022-04-01", "frontdoors": "2021-06-01",
    "origingroups": "2024-02-01", "origins": "2024-02-01", "configurationstores": "2023-03-01",
    "containers": "2023-05-01", "automationaccounts": "2023-11-01", "runbooks": "2023-11-01", "jobs": "2023-11-01",
    "values": "2015-04-01",
}
# the one POST the collector makes (a query the Reader role allows; docs/azure.md)
READ_POST = re.compile(r"^/subscriptions/[^/]+/providers/microsoft\.policyinsights/policystates/latest/summarize$")
# single objects: path suffix -> api-version
OBJECTS = {"config/web": "2023-12-01", "blobservices/default": "2023-05-01"}


@dataclass
class Failure:
    pattern: re.Pattern[str]
    status: int
    code: str
    headers: dict[str, str]
    times: int | None  # None: always


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    authorized: bool


@dataclass
class FakeArm:
    page_size: int = 50
    latency: float = 0.0  # seconds added to every answer (the benchmark's network)
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    blobs: dict[str, dict[str, dict[str, bytes]]] = field(default_factory=dict)  # account -> container -> blob
    headers: dict[str, str] = field(default_factory=dict)  # sent with every answer (e.g. the read budget left)

    # ---- data ------------------------------------------------------------------------------------------
    def add(self, path: str, *items: dict[str, Any]) -> None:
        self.lists.setdefault(_norm(path), []).extend(items)

    def put(self, path: str, obj: dict[str, Any]) -> None:
        self.objects[_norm(path)] = obj

    def blob(self, account: str, container: str, name: str, data: bytes) -> str:
        """A blob on the fake Blob service data plane; returns the account's blob endpoint."""
        self.blobs.setdefault(account, {}).setdefault(container, {})[name] = data
        return f"{self.url}/blob/{account}/"

    def fail(self, pattern: str, status: int, code: str, headers: dict[str, str] | None = None,
             times: int | None = None) -> None:
        self.failures.insert(0, Failure(re.compile(pattern, re.I), status, code, headers or {}, times))

    # ---- server ----------------------------------------------------------------------------------------
    def start(self, workdir: Path) -> FakeArm:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = workdir / "fake-arm-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stalls)

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake._handle(self)

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self)

            do_PUT = do_PATCH = do_DELETE = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- answers ---------------------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        query = parse_qs(parts.query)
        auth = h.headers.get("Authorization", "") == f"Bearer {TOKEN}"
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        self.requests.append(Request(h.command, parts.path, query, auth))
        if self.latency:
            time.sleep(self.latency)
        status, body, headers = self._answer(h.command, parts.path, query, auth)
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/xml" if data.startswith(b"<?xml") else "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        h.send_header("x-ms-request-id", "fake")
        for k, v in self.headers.items():
            h.send_header(k, v)
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _answer(self, method: str, path: str, query: dict[str, list[str]], auth: bool) -> tuple[int, Any, dict[str, str]]:
        if not auth:
            return 401, _err("InvalidAuthenticationToken", "The access token is invalid."), {}
        for f in self.failures:
            if f.pattern.search(path) and (f.times is None or f.times > 0):
                if f.times is not None:
                    f.times -= 1
                return f.status, _err(f.code, f"injected {f.status} {f.code}"), dict(f.headers)
        norm = _norm(path)
        version = (query.get("api-version") or [""])[0]
        if norm.startswith("/blob/") and method == "GET":
            return self._blob(path, query)
        if method == "POST" and READ_POST.match(norm):
            if version != "2019-10-01":
                return _bad_version(version, "2019-10-01")
            return 200, self.objects.get(norm) or {"value": [{"results": {"nonCompliantResources": 0}, "policyAssignments": []}]}, {}
        if method != "GET":
            return 405, _err("MethodNotAllowed", f"{method} is not served by the fake"), {}
        last = norm.rsplit("/", 1)[-1]
        for suffix, want in OBJECTS.items():
            if norm.endswith("/" + suffix):
                if version != want:
                    return _bad_version(version, want)
                if norm in self.objects:
                    return 200, self.objects[norm], {}
                return 404, _err("ResourceNotFound", f"{path} not found"), {}
        if norm in self.objects:
            return 200, self.objects[norm], {}
        if re.fullmatch(r"/subscriptions/[^/]+", norm):
            return 404, _err("SubscriptionNotFound", "The subscription could not be found."), {}
        if last not in LISTS:
            return 404, _err("ResourceNotFound", f"{path} not found"), {}
        if version != LISTS[last]:
            return _bad_version(version, LISTS[last])
        items = self.lists.get(norm, [])
        start = int((query.get("$skiptoken") or ["0"])[0])
        page = items[start:start + self.page_size]
        body: dict[str, Any] = {"value": page}
        if start + self.page_size < len(items):
            q = {k: v[0] for k, v in query.items()}
            q["$skiptoken"] = str(start + self.page_size)
            body["nextLink"] = f"{self.url}{path}?{urlencode(q)}"
        return 200, body, {}

    def _blob(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(path).path.split("/")[2:]
        account, container = (parts + ["", ""])[:2]
        blobs = self.blobs.get(account, {}).get(container)
        if blobs is None:
            return 404, _err("ContainerNotFound", "The specified container does not exist."), {}
        if len(parts) == 2 and (query.get("comp") or [""])[0] == "list":
            names = "".join(f"<Blob><Name>{n}</Name></Blob>" for n in sorted(blobs))
            return 200, (f'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="{container}">'
                         f"<Blobs>{names}</Blobs><NextMarker /></EnumerationResults>").encode(), {}
        name = "/".join(parts[2:])
        if name in blobs:
            return 200, blobs[name], {}
        return 404, _err("BlobNotFound", "The specified blob does not exist."), {}

    # ---- checks ----------------------------------------------------------------------------------------
    def writes(self) -> list[Request]:
        """Requests that are neither a GET nor the read-only POST query docs/azure.md lists."""
        return [r for r in self.requests if r.method != "GET" and not (r.method == "POST" and READ_POST.match(_norm(r.path)))]


def _norm(path: str) -> str:
    return urlsplit(path).path.rstrip("/").lower()


def _err(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _bad_version(got: str, want: str) -> tuple[int, Any, dict[str, str]]:
    return 400, _err("InvalidApiVersionParameter", f"The api-version '{got}' is invalid. The supported versions are '{want}'."), {}
