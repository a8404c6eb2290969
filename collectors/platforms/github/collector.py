"""Settings and activity evidence of a GitHub repository (source `github`).

Rules this collector keeps:
- It only reads (GET). The calls and their cost are planned in `fetch.py`.
- A call that is denied never turns into "absent": the part is reported with
  `ctx.source_status("github", PARTIAL, "<what> unreadable: token lacks <permission>")` and an
  `scm.unreadable` evidence item, which probes check before concluding absence (PARTIAL still
  counts as a usable source). A rate limit we could not wait out marks the source `rate_limited`.
- Absence is proven where GitHub allows it without admin rights (design 2.2): the branch says
  `protected: false` and rules-for-branch is empty -> no `scm.branch_rules`, and nothing unreadable.
- Locators are API URLs (or html_url where GitHub has a page), so a reviewer can open them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.platforms.common import dora
from wafops.collectors.platforms.common import unreadable as unread
from wafops.collectors.platforms.common.calls import CallResult
from wafops.collectors.platforms.github import fetch, mapping
from wafops.collectors.platforms.github.auth import AuthError
from wafops.collectors.platforms.github.client import ApiError, GitHubClient, client_for
from wafops.scanner.core.model import Evidence, SourceState, Strength, Subject

# what each call needs (fine-grained permission names; see docs/github.md)
PERMISSION = {
    "branch": "Metadata: read",
    "rules": "Metadata: read",
    "classic": "Administration: read",
    "rulesets": "Metadata: read (bypass actors need repository admin)",
    "environments": "Actions: read",
    "runs": "Actions: read",
    "workflows": "Actions: read",
    "deployments": "Deployments: read",
    "deployment_statuses": "Deployments: read",
    "issues": "Issues: read",
    "labels": "Issues: read",
    "pulls": "Pull requests: read",
    "reviews": "Pull requests: read",
    "releases": "Contents: read",
    "code_scanning": "Administration: read or Code scanning alerts: read",
}
WHAT = {
    "branch": "branch_protection",
    "rules": "branch_rulesets",
    "classic": "branch_protection",
    "rulesets": "ruleset_bypass",
    "environments": "environments",
    "runs": "workflow_runs",
    "workflows": "workflows",
    "deployments": "deployments",
    "deployment_statuses": "deployment_statuses",
    "issues": "issues",
    "labels": "labels",
    "pulls": "pull_requests",
    "reviews": "reviews",
    "releases": "releases",
    "code_scanning": "code_scanning",
}


class GitHubCollector(Collector):
    name = "github"
    source = "github"
    role = "scm"
    description = "GitHub settings and activity: branch rules, environments, runs, deployments, reviews, incidents, DORA"
    needs = "a github:ORG or github:ORG/REPO target and a token (GITHUB_TOKEN) or GitHub App"
    controls = ("WAF-OPS-010", "WAF-OPS-020", "WAF-OPS-050", "WAF-OPS-070", "WAF-OPS-080", "WAF-OPS-090", "WAF-OPS-100")
    option_types = {"github_max_calls": "int"}  # the shared call budget (collectors/platforms/common/http.py)

    def applies(self, subject: Subject, ctx: CollectContext) -> bool:
        return subject.meta.get("platform") == "github" and isinstance(subject.meta.get("repo"), dict)

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        try:
            client = client_for(ctx.options)
        except AuthError as err:
            ctx.source_status("github", SourceState.DENIED, str(err))
            return []
        git = ctx.statuses.get("git")
        if subject.meta.get("tmpdir") and (git is None or git.status is SourceState.NOT_CONFIGURED):
            # the git collector saw a temp dir; say what really happened (and hide the temp path)
            ctx.source_status("git", SourceState.NOT_CONFIGURED,
                              f"no git history: files come from a GitHub tarball at {subject.commit}; "
                              "history-based criteria need a local clone")
        run = _Run(subject, ctx, client)
        return list(run.evidence())


class _Run:
    """One repository's collection; holds the results so the parts can share them."""

    def __init__(self, subject: Subject, ctx: CollectContext, client: GitHubClient) -> None:
        self.s, self.ctx, self.c = subject, ctx, client
        self.repo: dict[str, Any] = subject.meta["repo"]
        self.owner, self.name = self.repo["full_name"].split("/", 1)
        self.branch: str = subject.meta.get("default_branch") or "main"
        self.opts = ctx.options
        self.window = int(self.opts.get("window_days", 90))
        self.pattern = self.opts.get("production_pattern") or None
        self.calls = fetch.selected_calls(self.opts)
        self.failures: list[tuple[str, ApiError]] = []
        self.base = f"/repos/{fetch.enc(self.owner)}/{fetch.enc(self.name)}"
        self.html = (self.repo.get("html_url") or f"{client.html_base()}/{self.repo['full_name']}").rstrip("/")

    @property
    def now(self) -> datetime:
        return self.ctx.now

    # ---- helpers -----------------------------------------------------------------------------
    def ev(self, kind: str, url: str, attrs: dict[str, Any], summary: str = "", strength: Strength = Strength.DIRECT) -> Evidence:
        return self.ctx.api_evidence(kind, "github", url, attributes=attrs, summary=summary, strength=strength)

    def unreadable(self, call: str, err: ApiError) -> Iterator[Evidence]:
        """Record a part we could not read, so nobody infers its absence (shared rules: platform_common)."""
        self.failures.append((call, err))
        yield unread.unreadable(self.ctx, "github", "GitHub", what=WHAT.get(call, call), call=call, err=err,
                                permission=PERMISSION.get(call, "read access"))

    def not_read(self, what: str, why: str, url: str) -> Evidence:
        """A part left out on purpose (cost budget): also recorded, so absence is not inferred."""
        return unread.not_read(self.ctx, "github", what, why, url)

    def get(self, call: str, path: str, params: dict[str, Any] | None = None, key: str | None = None,
            pages: int = 1) -> CallResult:
        return fetch.run_call(self.c, call, path, params or {}, key, pages)

    # ---- main --------------------------------------------------------------------------------
    def evidence(self) -> Iterator[Evidence]:
        branch = self.s.meta.get("branch")
        if branch is None:
            err = self.s.meta.get("branch_error")
            if err is None:
                r = self.get("branch", f"{self.base}/branches/{fetch.enc(self.branch)}")
                err, branch = r.error, r.data
                if branch is not None:
                    self.s.meta["branch_url"] = r.url
            if err is not None:
                yield from self.unreadable("branch", err)
        futures = self.s.meta.get("prefetch")
        res = fetch.results(futures, lambda: fetch.start(self.c, self.owner, self.name, self.branch, self.opts))

        yield from self.branch_rules(branch, res.get("rules"))
        yield from self.environments(res.get("environments"))
        runs = res.get("runs")
        if runs is not None:
            if runs.ok:
                attrs = mapping.runs_summary(runs.data, self.branch, self.now, self.window, runs.complete)
                yield self.ev("scm.runs", f"{self.html}/actions", attrs,
                              summary=f"{attrs['sample']} recent workflow runs; {attrs['schedule_runs_48h']} scheduled in 48 h")
            else:
                yield from self.unreadable("runs", runs.error)
        yield from self.workflows(res.get("workflows"))
        yield from self.code_scanning(res.get("code_scanning"))
        issues = res.get("issues")
        yield from self.issues(issues)
        merged = yield from self.reviews(issues, res.get("pulls"))
        yield from self.labels(res.get("labels"), issues)
        yield from self.releases(res.get("releases"))
        yield from self.deployments_and_dora(res.get("deployments"), runs, issues, merged, res.get("releases"))
        if self.failures and all(e.status == 401 for _, e in self.failures) and len(self.failures) >= 2:
            self.ctx.source_status("github", SourceState.DENIED, "the token was refused (HTTP 401)")

    # ---- branch rules ------------------------------------------------------------------------
    def branch_rules(self, branch: dict[str, Any] | None, rules: CallResult | None) -> Iterator[Evidence]:
        ruleset_attrs = None
        if rules is not None:
            if rules.ok:
                ruleset_attrs = mapping.rules_for_branch(rules.data or [], self.branch)
                if ruleset_attrs is not None:
                    if "rulesets" in self.calls:
                        ruleset_attrs["enforce_admins"] = self._bypass(ruleset_attrs["rulesets"])
                    n = ruleset_attrs["required_reviews"]
                    yield self.ev("scm.branch_rules", rules.url, ruleset_attrs,
                                  summary=f"rulesets on {self.branch}: {', '.join(ruleset_attrs['rule_types'])}"
                                  + (f"; {n} approving review(s) required" if n else ""))
            else:
                yield from self.unreadable("rules", rules.error)
        if branch is None:
            return  # already reported as unreadable
        protected = branch.get("protected")
        burl = self.s.meta.get("branch_url") or self.c.url(f"{self.base}/branches/{fetch.enc(self.branch)}")
        if not protected:
            return  # classic protection absent, proven by the branch itself (readable without admin)
        if "classic" not in self.calls:
            yield self.not_read("branch_protection", "classic protection skipped (github_calls)", burl)
            return
        r = self.get("classic", f"{self.base}/branches/{fetch.enc(self.branch)}/protection")
        if r.ok and isinstance(r.data, dict):
            attrs = mapping.classic_protection(r.data, self.branch)
            yield self.ev("scm.branch_rules", r.url, attrs,
                          summary=f"classic protection on {self.branch}: {attrs['required_reviews']} review(s)")
        elif r.error is not None and r.error.status == 404 and "not protected" in r.error.message.lower():
            return  # `protected` came from rulesets only
        elif r.error is not None:
            yield from self.unreadable("classic", r.error)

    def _bypass(self, ids: list[Any]) -> bool | None:
        """True when every active ruleset has no bypass actors (admins cannot skip it)."""
        seen = []
        for rid in ids[:10]:
            r = self.get("rulesets", f"{self.base}/rulesets/{rid}")
            if not r.ok or not isinstance(r.data, dict) or "bypass_actors" not in r.data:
                return None  # bypass actors are only shown to those who may edit the ruleset
            seen.append(not r.data.get("bypass_actors") and r.data.get("enforcement") == "active")
        return all(seen) if seen else None

    # ---- environments ------------------------------------------------------------------------
    def environments(self, envs: CallResult | None) -> Iterator[Evidence]:
        if envs is None:
            yield self.not_read("environments", "not part of github_calls", self.c.url(f"{self.base}/environments"))
            return
        if not envs.ok:
            yield from self.unreadable("environments", envs.error)
            return
        for env in envs.data or []:
            if not isinstance(env, dict) or not env.get("name"):
                continue
            attrs = mapping.environment(env, self.pattern)
            url = env.get("html_url") or env.get("url") or envs.url
            gate = f"{attrs['required_reviewers']} required reviewer(s)" if attrs["required_reviewers"] else "no approval gate"
            yield self.ev("scm.environment", url, attrs, summary=f"environment {attrs['name']}: {gate}")

    # ---- workflows, code scanning --------------------------------------------------------------
    def workflows(self, wf: CallResult | None) -> Iterator[Evidence]:
        if wf is None:
            return
        if not wf.ok:
            yield from self.unreadable("workflows", wf.error)
            return
        for w in wf.data or []:
            if isinstance(w, dict) and w.get("path"):
                yield self.ev("scm.workflow", w.get("html_url") or w.get("url") or wf.url,
                              {"path": w["path"], "state": w.get("state"), "name": w.get("name")})

    def code_scanning(self, cs: CallResult | None) -> Iterator[Evidence]:
        if cs is None:
            return
        if not cs.ok:
            yield from self.unreadable("code_scanning", cs.error)
            return
        data = cs.data if isinstance(cs.data, dict) else {}
        yield self.ev("scm.code_scanning", cs.url, {"state": data.get("state"), "languages": data.get("languages") or []})

    # ---- issues: incidents, reviews, labels --------------------------------------------------
    def issues(self, issues: CallResult | None) -> Iterator[Evidence]:
        if issues is None:
            return
        if not issues.ok:
            yield from self.unreadable("issues", issues.error)
            return
        start = self.now - timedelta(days=self.window)
        incs = [i for i in mapping.incidents(issues.data or [], self.opts.get("incident_labels"))
                if (mapping.ts(i.get("created_at")) or start) >= start]
        closed = [i for i in incs if i.get("closed_at")]
        hours = [(mapping.ts(i["closed_at"]) - mapping.ts(i["created_at"])).total_seconds() / 3600
                 for i in closed if mapping.ts(i.get("closed_at")) and mapping.ts(i.get("created_at"))]
        attrs = {
            "window_days": self.window,
            "count": len(incs),
            "closed": len(closed),
            "median_hours_to_close": dora.p50(hours),
            "labels": sorted({n for i in incs for n in mapping.label_names(i)}),
            "complete": issues.complete,
        }
        yield self.ev("scm.incidents", f"{self.html}/issues", attrs, summary=f"{len(incs)} incident issue(s) in {self.window} days")

    def reviews(self, issues: CallResult | None, pulls: CallResult | None) -> Any:
        """Merged PRs in the window; at full depth also whether someone other than the author approved."""
        start = self.now - timedelta(days=self.window)
        source, merged = None, []
        if pulls is not None and pulls.ok:
            source = pulls
            merged = [{"number": p.get("number"), "merged_at": p.get("merged_at"), "user": (p.get("user") or {}).get("login")}
                      for p in pulls.data or [] if isinstance(p, dict) and p.get("merged_at")]
        elif pulls is not None and not pulls.ok:
            yield from self.unreadable("pulls", pulls.error)
        if source is None and issues is not None and issues.ok:
            source = issues
            merged = mapping.merged_prs_from_issues(issues.data or [])
        if source is None:
            return []
        merged = [m for m in merged if (mapping.ts(m["merged_at"]) or start) >= start]
        reviewed, checked = 0, 0
        if "reviews" in self.calls:
            cap = int(self.opts.get("github_max_review_prs", 30))
            for m in merged[:cap]:
                r = self.get("reviews", f"{self.base}/pulls/{m['number']}/reviews", {"per_page": 100})
                if not r.ok:
                    yield from self.unreadable("reviews", r.error)
                    break
                checked += 1
                if any(isinstance(rv, dict) and rv.get("state") == "APPROVED"
                       and (rv.get("user") or {}).get("login") not in (None, m["user"]) for rv in r.data or []):
                    reviewed += 1
        attrs = {
            "window_days": self.window,
            "merged": len(merged),
            "checked": checked,
            "reviewed": reviewed if checked else None,
            "ratio": round(reviewed / checked, 3) if checked else None,
            "complete": source.complete,
        }
        summary = f"{len(merged)} PR(s) merged in {self.window} days" + (f"; {reviewed}/{checked} approved by another person" if checked else "")
        yield self.ev("scm.reviews", f"{self.html}/pulls?q=is%3Amerged", attrs, summary=summary)
        return [mapping.ts(m["merged_at"]) for m in merged if mapping.ts(m["merged_at"])]

    def labels(self, labels: CallResult | None, issues: CallResult | None) -> Iterator[Evidence]:
        items = issues.data if issues is not None and issues.ok else None
        if labels is not None and labels.ok:
            names = sorted({lab.get("name") for lab in labels.data or [] if isinstance(lab, dict) and lab.get("name")})
            origin, url = "labels-api", labels.url
        elif labels is not None:
            yield from self.unreadable("labels", labels.error)
            return
        elif items is not None:
            names = sorted({n for i in items for n in mapping.label_names(i)})
            origin, url = "issues", issues.url
        else:
            return
        used = mapping.debt_used(items or [], self.now, 180, self.opts.get("debt_labels")) if items is not None else None
        yield self.ev("scm.labels", url, {"labels": names, "debt_used_180d": used, "origin": origin})

    def releases(self, rel: CallResult | None) -> Iterator[Evidence]:
        if rel is None:
            return
        if not rel.ok:
            yield from self.unreadable("releases", rel.error)
            return
        start = self.now - timedelta(days=self.window)
        pubs = sorted(t for r in rel.data or [] if isinstance(r, dict) and not r.get("draft")
                      and (t := mapping.ts(r.get("published_at"))))
        attrs = {"window_days": self.window, "count": sum(1 for t in pubs if t >= start),
                 "last": pubs[-1].isoformat() if pubs else None}
        yield self.ev("scm.releases", f"{self.html}/releases", attrs)

    # ---- deployments and DORA ----------------------------------------------------------------
    def deployments_and_dora(self, deps: CallResult | None, runs: CallResult | None, issues: CallResult | None,
                             merged: list[datetime] | None, rel: CallResult | None) -> Iterator[Evidence]:
        if deps is None:
            return
        if not deps.ok:
            yield from self.unreadable("deployments", deps.error)
            return
        start = self.now - timedelta(days=self.window)
        items = [d for d in deps.data or [] if isinstance(d, dict)]
        prod = [d for d in items if mapping.is_prod_deployment(d, self.pattern)]
        run_items = runs.data if runs is not None and runs.ok else []
        use_statuses = "deployment_statuses" in self.calls
        cap = int(self.opts.get("github_max_deployment_statuses", 50))
        out: list[dora.Deploy] = []
        status_from = "statuses" if use_statuses else ("runs" if run_items else "none")
        for i, d in enumerate(prod):
            created = mapping.ts(d.get("created_at"))
            if not created or created < start:
                continue
            state, at = "unknown", None
            if use_statuses and i < cap:
                r = self.get("deployment_statuses", f"{self.base}/deployments/{d.get('id')}/statuses", {"per_page": 100})
                if r.ok:
                    state, at = mapping.state_from_statuses(r.data or [])
                else:
                    yield from self.unreadable("deployment_statuses", r.error)
                    use_statuses = False
            if state == "unknown" and run_items:
                state, at = mapping.state_from_runs(d, run_items)
            out.append(dora.Deploy(at or created, state, str(d.get("sha") or "")))
        recent = [d for d in items if (mapping.ts(d.get("created_at")) or start) >= start]
        attrs = {
            "window_days": self.window,
            "production": len(out),
            "successful": sum(1 for d in out if d.state == "success"),
            "failed": sum(1 for d in out if d.state == "failure"),
            "unknown_state": sum(1 for d in out if d.state == "unknown"),
            "status_from": status_from,
            "environments": sorted({str(d.get("environment")) for d in recent if d.get("environment")}),
            "complete": deps.complete,
        }
        yield self.ev("scm.deployments", f"{self.html}/deployments", attrs,
                      summary=f"{attrs['production']} production deployment(s) in {self.window} days")
        source = "deployments"
        if not out and rel is not None and rel.ok:
            source = "releases"
            out = [dora.Deploy(t, "success") for r in rel.data or [] if isinstance(r, dict)
                   and not r.get("draft") and not r.get("prerelease") and (t := mapping.ts(r.get("published_at")))]
        incs = None
        if issues is not None and issues.ok:
            incs = [dora.Incident(c, mapping.ts(i.get("closed_at")))
                    for i in mapping.incidents(issues.data or [], self.opts.get("incident_labels"))
                    if (c := mapping.ts(i.get("created_at")))]
        metrics = dora.from_platform(out, merged, incs, self.now, self.window, self.opts, source)
        metrics["status_from"] = status_from
        summary = dora.summary(metrics, self.window)
        yield self.ev("dora.metrics", f"{self.html}/deployments", metrics, summary=summary,
                      strength=Strength.DIRECT if status_from == "statuses" else Strength.STRONG)
