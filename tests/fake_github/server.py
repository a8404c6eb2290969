"""A fake GitHub REST API on loopback, for tests and the benchmark.

Real HTTP (ThreadingHTTPServer in a thread), so the client's caching, pagination, redirects and
rate-limit handling are exercised for real. It
- serves an organisation (`FakeOrg`) whose payloads use the field names and types of GitHub's
  published API description (modelled on /work/shared/api-examples/github, not copied);
- paginates with `Link: <...>; rel="next"` (page size capped by `page_size`);
- sends `ETag` on every 200 and answers 304 to a matching `If-None-Match`;
- sends X-RateLimit-* headers and can inject statuses (403/404/409/429/5xx), `Retry-After`, and
  latency per request;
- serves tarballs like GitHub: /repos/{o}/{r}/tarball/{ref} -> 302 -> a codeload-like URL ->
  .tar.gz with a top-level `<owner>-<repo>-<sha7>/` folder and the commit in the pax header;
- records every request (method, path, whether it was conditional, status) so tests can assert
  that the scanner only reads, and never sees the Authorization value twice;
- misbehaves on request (`fault`): hang without answering, trickle the body a byte at a time,
  answer 200 with an HTML page (a proxy or SSO login), or cut a JSON body short, for every
  matching request, `times` of them, or a seeded fraction (`rate`) of them.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import tarfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.loopback import serve


@dataclass
class FakeRepo:
    name: str
    owner: str = "acme"
    sha: str = "0" * 40
    default_branch: str = "main"
    files: dict[str, str] = field(default_factory=dict)
    archived: bool = False
    fork: bool = False
    topics: list[str] = field(default_factory=list)
    protected: bool = False
    rules: list[dict[str, Any]] = field(default_factory=list)
    classic: dict[str, Any] | None = None
    rulesets: dict[int, dict[str, Any]] = field(default_factory=dict)
    environments: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    workflows: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    statuses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    reviews: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    labels: list[dict[str, Any]] = field(default_factory=list)
    releases: list[dict[str, Any]] = field(default_factory=list)
    code_scanning: dict[str, Any] | None = None
    id: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class Injection:
    """Answer requests whose path matches `pattern` with `status` (`times` times, or forever)."""

    pattern: str
    status: int
    times: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    message: str = ""
    mode: str = ""  # "" (answer `status`) | hang | trickle | html | truncate
    delay: float = 0.0  # hang: seconds before answering (0: until the server stops); trickle: seconds per byte
    rate: float | None = None  # only this fraction of matching requests (seeded, reproducible)


HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Sign in - Corporate SSO</title></head>"
             b"<body><form action=/login>Sign in to continue</form></body></html>")

class FakeGitHub:
    def __init__(self, repos: list[FakeRepo], org: str = "acme", *, page_size: int = 100, list_page_size: int | None = None,
                 tokens: set[str] | None = None, latency: float = 0.0) -> None:
        self.org = org
        self.repos = {r.name: r for r in repos}
        for i, r in enumerate(repos, 1):
            r.id = r.id or 1000 + i
        self.page_size = page_size
        self.list_page_size = list_page_size or page_size  # page size of the org repository list
        self.tokens = tokens  # None: any or no token accepted
        self.latency = latency
        self.injections: list[Injection] = []
        self.log: list[dict[str, Any]] = []
        self.auth_headers: list[str] = []
        self._lock = threading.Lock()
        self._tar_cache: dict[str, bytes] = {}
        self.rate_remaining = 5000
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.rng = random.Random(8)
        self.faults_served: list[tuple[str, str]] = []  # (mode or status, path)

    # ---- lifecycle -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeGitHub:
        self.server, self.thread = serve(self._handle)
        return self

    def stop(self) -> None:
        self.stopping.set()  # releases hanging and trickling handlers
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *a: Any) -> None:
        self.stop()

    def inject(self, pattern: str, status: int, times: int | None = None, headers: dict[str, str] | None = None,
               message: str = "", rate: float | None = None) -> None:
        self.injections.append(Injection(pattern, status, times, headers or {}, message, rate=rate))

    def fault(self, pattern: str, mode: str, *, times: int | None = None, delay: float = 0.0,
              rate: float | None = None) -> None:
        """Misbehave on matching requests: hang, trickle, html or truncate (see the module doc)."""
        assert mode in ("hang", "trickle", "html", "truncate"), mode
        self.injections.append(Injection(pattern, 200, times, mode=mode, delay=delay, rate=rate))

    def _pick(self, path: str, modes: bool) -> Injection | None:
        """The first injection that applies to this request (and spend one of its `times`)."""
        for inj in list(self.injections):
            if bool(inj.mode) != modes or not re.search(inj.pattern, path):
                continue
            with self._lock:
                if inj.times is not None and inj.times <= 0:
                    continue
                if inj.rate is not None and self.rng.random() >= inj.rate:
                    continue
                if inj.times is not None:
                    inj.times -= 1
                self.faults_served.append((inj.mode or str(inj.status), path))
            return inj
        return None

    def _wait(self, seconds: float) -> bool:
        """Sleep (0: until stopped); False when the server is stopping."""
        return not self.stopping.wait(seconds if seconds > 0 else None)

    def methods(self) -> set[str]:
        return {e["method"] for e in self.log}

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()

    # ---- dispatch -----------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        if self.latency:
            time.sleep(self.latency)
        parts = urlsplit(h.path)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
        auth = h.headers.get("Authorization") or ""
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        entry = {"method": method, "path": path, "query": parts.query,
                 "conditional": bool(h.headers.get("If-None-Match")), "status": None}
        with self._lock:
            self.log.append(entry)
            if auth:
                self.auth_headers.append(auth)
        fault = self._pick(path, modes=True) if not path.startswith("/_stats") else None
        if fault is not None and fault.mode == "hang":
            entry["status"] = "hang"
            self._wait(fault.delay)
            return
        if fault is not None and fault.mode == "html":
            entry["status"] = 200
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(len(HTML_PAGE)))
            h.end_headers()
            h.wfile.write(HTML_PAGE)
            return
        status, body, headers = self._route(method, path, query, auth, h.headers.get("If-None-Match"))
        entry["status"] = status
        raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
        if fault is not None and fault.mode == "truncate" and status == 200 and len(raw) > 1:
            raw = raw[: len(raw) // 2]
            headers.pop("ETag", None)
        h.send_response(status)
        with self._lock:
            if not path.startswith("/_codeload"):
                self.rate_remaining = max(0, self.rate_remaining - (0 if status == 304 else 1))
            remaining = self.rate_remaining
        h.send_header("X-RateLimit-Limit", "5000")
        h.send_header("X-RateLimit-Remaining", headers.pop("X-RateLimit-Remaining", str(remaining)))
        h.send_header("X-RateLimit-Reset", str(int(time.time()) + 3600))
        for k, v in headers.items():
            h.send_header(k, v)
        if "Content-Type" not in headers and status != 304:
            h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(raw) if status != 304 else 0))
        h.end_headers()
        if status != 304 and fault is not None and fault.mode == "trickle":
            for i in range(len(raw)):
                try:
                    h.wfile.write(raw[i:i + 1])
                    h.wfile.flush()
                except OSError:
                    return
                if not self._wait(fault.delay or 1.0):
                    return
        elif status != 304:
            h.wfile.write(raw)

    def _route(self, method: str, path: str, q: dict[str, str], auth: str, inm: str | None) -> tuple[int, Any, dict[str, str]]:
        inj = self._pick(path, modes=False)
        if inj is not None:
            msg = inj.message or {403: "Resource not accessible by personal access token", 404: "Not Found",
                                  409: "Git Repository is empty.", 429: "API rate limit exceeded"}.get(inj.status, "Server Error")
            return inj.status, {"message": msg, "documentation_url": "https://docs.github.com/rest", "status": str(inj.status)}, dict(inj.headers)
        m = re.fullmatch(r"/app/installations/(\d+)/access_tokens", path)
        if m and method == "POST":
            if not auth.startswith("Bearer ey"):  # a JWT
                return 401, {"message": "A JSON web token could not be decoded"}, {}
            return 201, {"token": "ghs_FAKEINSTALLATIONTOKEN0000000000000", "expires_at": "2099-01-01T00:00:00Z",
                         "permissions": {"metadata": "read"}, "repository_selection": "all"}, {}
        if method != "GET":
            return 404, {"message": "Not Found"}, {}
        if self.tokens is not None:
            tok = auth.removeprefix("Bearer ").removeprefix("token ")
            if tok not in self.tokens and not tok.startswith("ghs_FAKE"):
                return 401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}, {}
        if path == "/_stats":  # fake-only: counts for the benchmark when the fake runs in another process
            with self._lock:
                from collections import Counter

                api = [e for e in self.log if not e["path"].startswith(("/_codeload", "/_stats"))]
                out = {"api": len(api), "downloads": sum(1 for e in self.log if e["path"].startswith("/_codeload")),
                       "by_status": dict(Counter(str(e["status"]) for e in api)),
                       "methods": sorted({e["method"] for e in self.log})}
                if q.get("reset"):
                    self.log.clear()
            return 200, out, {}
        m = re.fullmatch(r"/_codeload/([^/]+)/([^/]+)/tar\.gz/([0-9a-f]+)", path)
        if m:
            repo = self.repos.get(m.group(2))
            if not repo:
                return 404, {"message": "Not Found"}, {}
            return 200, self.tarball(repo), {"Content-Type": "application/x-gzip"}
        status, data, extra = self._api(path, q)
        if status != 200:
            return status, data, extra
        if isinstance(data, list):
            data, link = self._page(path, q, data)
            if link:
                extra["Link"] = link
        elif isinstance(data, dict) and "_wrap" in data:
            key = data.pop("_wrap")
            items, link = self._page(path, q, data[key])
            data = {"total_count": len(data[key]), key: items}
            if link:
                extra["Link"] = link
        raw = json.dumps(data).encode()
        etag = '"' + hashlib.sha1(raw).hexdigest() + '"'
        extra["ETag"] = etag
        if inm and inm == etag:
            return 304, None, extra
        return 200, raw, extra

    def _page(self, path: str, q: dict[str, str], items: list[Any]) -> tuple[list[Any], str | None]:
        cap = self.list_page_size if path.startswith("/orgs/") else self.page_size
        per = min(int(q.get("per_page", 30)), cap)
        page = max(1, int(q.get("page", 1)))
        chunk = items[(page - 1) * per: page * per]
        if page * per < len(items):
            rest = "&".join(f"{k}={v}" for k, v in q.items() if k != "page")
            return chunk, f'<{self.url}{path}?{rest}&page={page + 1}>; rel="next"'
        return chunk, None

    def _api(self, path: str, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        m = re.fullmatch(r"/orgs/([^/]+)/repos", path)
        if m:
            if m.group(1) != self.org:
                return 404, {"message": "Not Found"}, {}
            return 200, [self.repo_json(r) for r in self.repos.values()], {}
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if not m or m.group(1) != self.org or m.group(2) not in self.repos:
            return 404, {"message": "Not Found"}, {}
        r, rest = self.repos[m.group(2)], m.group(3) or ""
        base = f"{self.url}/repos/{r.full_name}"
        if rest == "":
            return 200, self.repo_json(r), {}
        if rest == f"/branches/{r.default_branch}":
            return 200, {"name": r.default_branch, "commit": {"sha": r.sha, "url": f"{base}/commits/{r.sha}"},
                         "_links": {"self": f"{base}/branches/{r.default_branch}", "html": f"https://github.com/{r.full_name}/tree/{r.default_branch}"},
                         "protected": r.protected, "protection": {"enabled": r.protected},
                         "protection_url": f"{base}/branches/{r.default_branch}/protection"}, {}
        if rest == f"/branches/{r.default_branch}/protection":
            if r.classic is None:
                return 404, {"message": "Branch not protected", "documentation_url": "https://docs.github.com/rest"}, {}
            return 200, r.classic, {}
        if rest == f"/rules/branches/{r.default_branch}":
            return 200, r.rules, {}
        m2 = re.fullmatch(r"/rulesets/(\d+)", rest)
        if m2:
            rs = r.rulesets.get(int(m2.group(1)))
            return (200, rs, {}) if rs else (404, {"message": "Not Found"}, {})
        m2 = re.fullmatch(r"/tarball/(.+)", rest)
        if m2:
            return 302, b"", {"Location": f"{self.url}/_codeload/{r.owner}/{r.name}/tar.gz/{r.sha}", "Content-Type": "text/html"}
        if rest == "/environments":
            return 200, {"_wrap": "environments", "environments": r.environments}, {}
        if rest == "/actions/runs":
            return 200, {"_wrap": "workflow_runs", "workflow_runs": r.runs}, {}
        if rest == "/actions/workflows":
            return 200, {"_wrap": "workflows", "workflows": r.workflows}, {}
        if rest == "/deployments":
            return 200, r.deployments, {}
        m2 = re.fullmatch(r"/deployments/(\d+)/statuses", rest)
        if m2:
            return 200, r.statuses.get(int(m2.group(1)), []), {}
        if rest == "/issues":
            return 200, r.issues, {}
        if rest == "/pulls":
            return 200, r.pulls, {}
        m2 = re.fullmatch(r"/pulls/(\d+)/reviews", rest)
        if m2:
            return 200, r.reviews.get(int(m2.group(1)), []), {}
        if rest == "/labels":
            return 200, r.labels, {}
        if rest == "/releases":
            return 200, r.releases, {}
        if rest == "/code-scanning/default-setup":
            return 200, r.code_scanning or {"state": "not-configured", "languages": [], "query_suite": "default",
                                            "updated_at": None, "schedule": None}, {}
        return 404, {"message": "Not Found"}, {}

    # ---- payloads ----------------------------------------------------------------------------
    def repo_json(self, r: FakeRepo) -> dict[str, Any]:
        """A minimal-repository item (GET /orgs/{org}/repos), the fields wafops reads plus common ones."""
        return {
            "id": r.id, "node_id": f"R_{r.id}", "name": r.name, "full_name": r.full_name, "private": True,
            "owner": {"login": r.owner, "id": 1, "type": "Organization", "site_admin": False},
            "html_url": f"https://github.com/{r.full_name}", "description": f"{r.name} service", "fork": r.fork,
            "url": f"{self.url}/repos/{r.full_name}", "archived": r.archived, "disabled": False,
            "visibility": "private", "pushed_at": "2026-11-20T10:00:00Z", "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2026-11-20T10:00:00Z", "default_branch": r.default_branch, "topics": list(r.topics),
            "size": 120, "has_issues": True, "has_wiki": False, "language": "Python", "open_issues_count": 0,
            "permissions": {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True},
        }

    def tarball(self, r: FakeRepo) -> bytes:
        key = f"{r.full_name}@{r.sha}"
        if key in self._tar_cache:
            return self._tar_cache[key]
        buf = io.BytesIO()
        top = f"{r.owner}-{r.name}-{r.sha[:7]}"
        with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": r.sha}) as tar:
            d = tarfile.TarInfo(top + "/")
            d.type, d.mode = tarfile.DIRTYPE, 0o775
            tar.addfile(d)
            for rel, content in sorted(r.files.items()):
                data = content.encode()
                ti = tarfile.TarInfo(f"{top}/{rel}")
                ti.size, ti.mode, ti.mtime = len(data), 0o664, 1700000000
                tar.addfile(ti, io.BytesIO(data))
        self._tar_cache[key] = buf.getvalue()
        return self._tar_cache[key]
