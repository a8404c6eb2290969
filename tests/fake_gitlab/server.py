"""A fake GitLab REST API (v4) on loopback, for tests and the benchmark.

Real HTTP (ThreadingHTTPServer in a thread), so the client's caching, pagination and limit
handling are exercised for real. It
- serves groups with subgroups and projects (`FakeProject`), with payload field names and types
  shaped like GitLab's published examples (see tests/fake_gitlab/NOTICE.md; written here, not copied);
- paginates lists with `Link` + `X-Next-Page`/`X-Page`/`X-Total` (offset style), or with
  `X-Next-Page` only (`pagination="x-next-page"`);
- sends a weak `ETag` on every JSON 200 and answers 304 to a matching `If-None-Match`;
- sends `RateLimit-*` headers; injects statuses (401/403/404/429/5xx), `Retry-After`, GitLab error
  bodies (`insufficient_scope`), and latency per request;
- has a tier: on `free`, Premium endpoints (approval rules, approvals, protected environments, MR
  approvals, DORA) answer 404 and `GET /namespaces/:id` shows `plan: free`;
- serves `GET /projects/:id/repository/archive.tar.gz?sha=` with a top-level `<path>-<sha>-<sha>/`;
- records every request (method, path, conditional, status) and every credential header value.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.loopback import serve

PREMIUM_PATHS = re.compile(r"/(approval_rules|approvals|protected_environments|dora/metrics)$")


@dataclass
class FakeProject:
    path: str
    namespace: str  # full path of the (sub)group
    sha: str = "0" * 40
    default_branch: str | None = "main"
    files: dict[str, str] = field(default_factory=dict)
    archived: bool = False
    fork: bool = False
    topics: list[str] = field(default_factory=list)
    protected: bool = False
    protected_branches: list[dict[str, Any]] = field(default_factory=list)
    approval_rules: list[dict[str, Any]] = field(default_factory=list)
    approvals: dict[str, Any] = field(default_factory=dict)
    environments: list[dict[str, Any]] = field(default_factory=list)
    protected_environments: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    pipelines: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    merge_requests: list[dict[str, Any]] = field(default_factory=list)
    mr_approvals: dict[int, dict[str, Any]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    freeze_periods: list[dict[str, Any]] = field(default_factory=list)
    only_allow_merge_if_pipeline_succeeds: bool = False
    dora: dict[str, float] = field(default_factory=dict)  # metric -> value (Ultimate DORA API)
    id: int = 0

    @property
    def full_path(self) -> str:
        return f"{self.namespace}/{self.path}"


@dataclass
class Injection:
    pattern: str
    status: int
    times: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


class FakeGitLab:
    def __init__(self, projects: list[FakeProject], groups: list[str], *, tier: str = "premium", page_size: int = 100,
                 list_page_size: int | None = None, pagination: str = "link", tokens: set[str] | None = None,
                 latency: float = 0.0, show_plan: bool = True) -> None:
        self.projects = {p.full_path: p for p in projects}
        for i, p in enumerate(projects, 1):
            p.id = p.id or 100 + i
        self.by_id = {p.id: p for p in projects}
        self.groups = {g: 10 + i for i, g in enumerate(sorted(set(groups)))}
        self.tier = tier
        self.show_plan = show_plan
        self.page_size = page_size
        self.list_page_size = list_page_size or page_size
        self.pagination = pagination  # link (Link + X-Next-Page) | x-next-page (headers only)
        self.tokens = tokens
        self.latency = latency
        self.injections: list[Injection] = []
        self.log: list[dict[str, Any]] = []
        self.credentials: list[str] = []
        self._lock = threading.Lock()
        self._tar_cache: dict[str, bytes] = {}
        self.server: ThreadingHTTPServer | None = None

    # ---- lifecycle -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeGitLab:
        self.server, self.thread = serve(self._handle)
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> FakeGitLab:
        return self.start()

    def __exit__(self, *a: Any) -> None:
        self.stop()

    def inject(self, pattern: str, status: int, times: int | None = None, headers: dict[str, str] | None = None,
               body: Any = None) -> None:
        self.injections.append(Injection(pattern, status, times, headers or {}, body))

    def methods(self) -> set[str]:
        return {e["method"] for e in self.log}

    # ---- dispatch -----------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        if self.latency:
            time.sleep(self.latency)
        parts = urlsplit(h.path)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
        cred = h.headers.get("PRIVATE-TOKEN") or h.headers.get("JOB-TOKEN") or ""
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        entry = {"method": method, "path": path, "query": parts.query,
                 "conditional": bool(h.headers.get("If-None-Match")), "status": None}
        with self._lock:
            self.log.append(entry)
            if cred:
                self.credentials.append(cred)
        status, body, headers = self._route(method, path, query, cred, h.headers.get("If-None-Match"))
        entry["status"] = status
        raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
        h.send_response(status)
        h.send_header("RateLimit-Limit", "2000")
        h.send_header("RateLimit-Remaining", headers.pop("RateLimit-Remaining", "1999"))
        h.send_header("RateLimit-Reset", str(int(time.time()) + 60))
        for k, v in headers.items():
            h.send_header(k, v)
        if "Content-Type" not in headers and status != 304:
            h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(raw) if status != 304 else 0))
        h.end_headers()
        if status != 304:
            h.wfile.write(raw)

    def _route(self, method: str, path: str, q: dict[str, str], cred: str, inm: str | None) -> tuple[int, Any, dict[str, str]]:
        if path == "/_stats":  # fake-only: counts for the benchmark (fake in another process)
            with self._lock:
                api = [e for e in self.log if e["path"] != "/_stats"]
                out = {"api": len(api), "by_status": dict(Counter(str(e["status"]) for e in api)),
                       "methods": sorted({e["method"] for e in api}),
                       "archives": sum(1 for e in api if e["path"].endswith("/archive.tar.gz"))}
                if q.get("reset"):
                    self.log.clear()
            return 200, out, {}
        for inj in list(self.injections):
            if re.search(inj.pattern, path):
                with self._lock:
                    if inj.times is not None:
                        if inj.times <= 0:
                            continue
                        inj.times -= 1
                body = inj.body if inj.body is not None else {"message": f"{inj.status} " + {
                    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}.get(inj.status, "Internal Server Error")}
                return inj.status, body, dict(inj.headers)
        if method != "GET":
            return 405, {"message": "405 Method Not Allowed"}, {}
        if self.tokens is not None and cred not in self.tokens:
            return 401, {"message": "401 Unauthorized"}, {}
        if not path.startswith("/api/v4/"):
            return 404, {"error": "404 Not Found"}, {}
        rest = path[len("/api/v4"):]
        m = re.fullmatch(r"/projects/(\d+)/repository/archive\.tar\.gz", rest)
        if m:
            p = self.by_id.get(int(m.group(1)))
            if p is None or q.get("sha") != p.sha:
                return 404, {"message": "404 Project Not Found"}, {}
            return 200, self.archive(p), {"Content-Type": "application/x-gzip"}
        status, data, extra = self._api(rest, q)
        if status != 200:
            return status, data, extra
        if isinstance(data, list):
            data, headers = self._page(path, q, data)
            extra.update(headers)
        raw = json.dumps(data).encode()
        etag = 'W/"' + hashlib.md5(raw).hexdigest() + '"'
        extra["ETag"] = etag
        extra["Cache-Control"] = "max-age=0, private, must-revalidate"
        if inm and inm == etag:
            return 304, None, extra
        return 200, raw, extra

    def _page(self, path: str, q: dict[str, str], items: list[Any]) -> tuple[list[Any], dict[str, str]]:
        cap = self.list_page_size if re.search(r"/groups/[^/]+/projects$", path) else self.page_size
        per = min(int(q.get("per_page", 20)), cap)
        page = max(1, int(q.get("page", 1)))
        chunk = items[(page - 1) * per: page * per]
        total_pages = max(1, -(-len(items) // per))
        headers = {"X-Page": str(page), "X-Per-Page": str(per), "X-Total": str(len(items)),
                   "X-Total-Pages": str(total_pages), "X-Prev-Page": str(page - 1) if page > 1 else "",
                   "X-Next-Page": str(page + 1) if page < total_pages else ""}
        if self.pagination == "link" and page < total_pages:
            rest = "&".join(f"{k}={v}" for k, v in q.items() if k != "page")
            headers["Link"] = f'<{self.url}{path}?{rest}&page={page + 1}>; rel="next"'
        return chunk, headers

    def _project(self, ident: str) -> FakeProject | None:
        ident = unquote(ident)
        return self.by_id.get(int(ident)) if ident.isdigit() else self.projects.get(ident)

    def _api(self, rest: str, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if rest == "/metadata":
            return 200, {"version": "17.5.0-ee", "revision": "0a1b2c3d", "kas": {"enabled": False}, "enterprise": True}, {}
        m = re.fullmatch(r"/namespaces/([^/]+)", rest)
        if m:
            full = unquote(m.group(1))
            if full not in self.groups:
                return 404, {"message": "404 Namespace Not Found"}, {}
            ns = {"id": self.groups[full], "name": full.rsplit("/", 1)[-1], "path": full.rsplit("/", 1)[-1],
                  "kind": "group", "full_path": full, "parent_id": None, "web_url": f"https://gitlab.example.com/groups/{full}"}
            if self.show_plan:
                ns["plan"] = self.tier
            return 200, ns, {}
        m = re.fullmatch(r"/groups/([^/]+)/projects", rest)
        if m:
            full = unquote(m.group(1))
            if full not in self.groups:
                return 404, {"message": "404 Group Not Found"}, {}
            sub = q.get("include_subgroups") == "true"
            items = [p for p in self.projects.values()
                     if p.namespace == full or (sub and p.namespace.startswith(full + "/"))]
            if q.get("archived") == "false":
                items = [p for p in items if not p.archived]
            items.sort(key=lambda p: p.id)
            return 200, [self.project_json(p) for p in items], {}
        m = re.fullmatch(r"/projects/([^/]+)(/.*)?", rest)
        if not m:
            return 404, {"error": "404 Not Found"}, {}
        p = self._project(m.group(1))
        if p is None:
            return 404, {"message": "404 Project Not Found"}, {}
        sub = m.group(2) or ""
        if sub == "":
            return 200, self.project_json(p), {}
        if self.tier == "free" and PREMIUM_PATHS.search(sub):
            return 404, {"message": "404 Not Found"}, {}
        if p.default_branch and sub == f"/repository/branches/{p.default_branch}":
            return 200, self.branch_json(p), {}
        simple = {
            "/protected_branches": p.protected_branches, "/approval_rules": p.approval_rules,
            "/environments": p.environments, "/protected_environments": p.protected_environments,
            "/deployments": p.deployments, "/pipelines": p.pipelines, "/pipeline_schedules": p.schedules,
            "/merge_requests": p.merge_requests, "/issues": p.issues, "/labels": p.labels,
            "/freeze_periods": p.freeze_periods,
        }
        if sub in simple:
            return 200, list(simple[sub]), {}
        if sub == "/approvals":
            return 200, dict(p.approvals or {"approvals_before_merge": 0, "reset_approvals_on_push": False,
                                              "merge_requests_author_approval": True}), {}
        m2 = re.fullmatch(r"/merge_requests/(\d+)/approvals", sub)
        if m2:
            return 200, p.mr_approvals.get(int(m2.group(1)), {"approved": False, "approved_by": []}), {}
        if sub == "/dora/metrics":
            if self.tier != "ultimate":
                return 403, {"message": "403 Forbidden"}, {}
            v = p.dora.get(q.get("metric", ""))
            return 200, [{"date": q.get("start_date"), "value": v}], {}
        return 404, {"error": "404 Not Found"}, {}

    # ---- payloads ----------------------------------------------------------------------------
    def project_json(self, p: FakeProject) -> dict[str, Any]:
        """A project entity as in `GET /groups/:id/projects` (the fields wafops reads and common ones)."""
        web = f"https://gitlab.example.com/{p.full_path}"
        out: dict[str, Any] = {
            "id": p.id, "description": f"{p.path} service", "name": p.path.replace("-", " ").title(),
            "name_with_namespace": f"{p.namespace} / {p.path}", "path": p.path, "path_with_namespace": p.full_path,
            "created_at": "2024-01-01T10:00:00.000Z", "default_branch": p.default_branch, "tag_list": list(p.topics),
            "topics": list(p.topics), "ssh_url_to_repo": f"git@gitlab.example.com:{p.full_path}.git",
            "http_url_to_repo": f"{web}.git", "web_url": web, "readme_url": None, "forks_count": 0, "star_count": 0,
            "last_activity_at": "2026-11-20T10:00:00.000Z",
            "namespace": {"id": self.groups.get(p.namespace, 1), "name": p.namespace.rsplit("/", 1)[-1],
                          "path": p.namespace.rsplit("/", 1)[-1], "kind": "group", "full_path": p.namespace,
                          "parent_id": None, "web_url": f"https://gitlab.example.com/groups/{p.namespace}"},
            "archived": p.archived, "visibility": "private", "empty_repo": p.default_branch is None,
            "issues_enabled": True, "merge_requests_enabled": True, "jobs_enabled": True,
            "only_allow_merge_if_pipeline_succeeds": p.only_allow_merge_if_pipeline_succeeds,
            "ci_config_path": "", "open_issues_count": 0,
        }
        if p.fork:
            out["forked_from_project"] = {"id": 1, "path_with_namespace": "upstream/" + p.path}
        return out

    def branch_json(self, p: FakeProject) -> dict[str, Any]:
        return {
            "name": p.default_branch, "merged": False, "protected": p.protected, "default": True,
            "developers_can_push": False, "developers_can_merge": False, "can_push": True,
            "web_url": f"https://gitlab.example.com/{p.full_path}/-/tree/{p.default_branch}",
            "commit": {"id": p.sha, "short_id": p.sha[:8], "title": "Merge branch 'feature' into 'main'",
                       "created_at": "2026-11-20T09:00:00.000Z", "parent_ids": ["1" * 40],
                       "message": "Merge branch 'feature' into 'main'", "author_name": "Dev",
                       "authored_date": "2026-11-20T09:00:00.000Z", "committed_date": "2026-11-20T09:00:00.000Z",
                       "web_url": f"https://gitlab.example.com/{p.full_path}/-/commit/{p.sha}"},
        }

    def archive(self, p: FakeProject) -> bytes:
        key = f"{p.full_path}@{p.sha}"
        if key in self._tar_cache:
            return self._tar_cache[key]
        buf = io.BytesIO()
        top = f"{p.path}-{p.sha}-{p.sha}"
        with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": p.sha}) as tar:
            d = tarfile.TarInfo(top + "/")
            d.type, d.mode = tarfile.DIRTYPE, 0o775
            tar.addfile(d)
            for rel, content in sorted(p.files.items()):
                data = content.encode()
                ti = tarfile.TarInfo(f"{top}/{rel}")
                ti.size, ti.mode, ti.mtime = len(data), 0o664, 1700000000
                tar.addfile(ti, io.BytesIO(data))
        self._tar_cache[key] = buf.getvalue()
        return self._tar_cache[key]
