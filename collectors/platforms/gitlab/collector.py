"""Settings and activity evidence of a GitLab project (source `gitlab`).

Same evidence kinds and attribute names as the GitHub collector (`scm.branch_rules`,
`scm.environment`, `scm.runs`, `scm.deployments`, `scm.reviews`, `scm.incidents`, `scm.labels`,
`dora.metrics`, `scm.unreadable`), plus `change.freeze` for deploy freeze periods, so every probe
reads GitLab as it reads GitHub. Rules this collector keeps:
- It only reads (GET). The calls and their cost are planned in `fetch.py`.
- A call that is denied never turns into "absent": `scm.unreadable` + a `partial` source + a warning
  (`collectors/platforms/common/unreadable.py`, shared with GitHub). A 403 `insufficient_scope`
  names the scope; other 403/404s name the role the call needs.
- Tiers are not permissions: a feature the group's tier lacks (approval rules, protected
  environments on Free) is a *plan limitation*: known absent, so criteria that need it are
  *not met*, with "plan limitation" in the reason - not *not assessed*. When the tier is unknown
  (self-managed EE without `gitlab_tier`) a 403/404 on a Premium endpoint stays *not assessed*.
- Absence is proven where GitLab allows it: the branch says `protected: false` -> no protection.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.platforms.common import dora
from wafops.collectors.platforms.common import unreadable as unread
from wafops.collectors.platforms.common.calls import CallResult, results
from wafops.collectors.platforms.common.http import error_code
from wafops.collectors.platforms.common.payloads import debt_used, label_names, ts
from wafops.collectors.platforms.gitlab import fetch, mapping
from wafops.collectors.platforms.gitlab.client import ApiError, GitLabClient, client_for, enc
from wafops.scanner.core.model import Evidence, SourceState, Strength, Subject

# what each call needs: scope and role (see docs/gitlab.md)
PERMISSION = {
    "branch": "read_api scope and Reporter role",
    "protected_branches": "read_api scope and Maintainer role",
    "approval_rules": "read_api scope and Developer role",
    "approvals": "read_api scope and Developer role",
    "environments": "read_api scope and Reporter role",
    "protected_environments": "read_api scope and Maintainer role",
    "deployments": "read_api scope and Reporter role",
    "pipelines": "read_api scope and Reporter role",
    "pipeline_schedules": "read_api scope and Developer role",
    "merge_requests": "read_api scope and Reporter role",
    "mr_approvals": "read_api scope and Reporter role",
    "issues": "read_api scope and Guest role",
    "labels": "read_api scope and Guest role",
    "freeze_periods": "read_api scope and Developer role",
    "dora": "read_api scope and Reporter role",
}
# the part each call decides (the `what` probes check with wafops.rules.probes.unreadable)
WHAT = {
    "branch": "branch_protection",
    "protected_branches": "branch_protection",
    "approval_rules": "branch_rulesets",
    "approvals": "branch_rulesets",
    "environments": "environments",
    "protected_environments": "environments",
    "deployments": "deployments",
    "pipelines": "workflow_runs",
    "pipeline_schedules": "pipeline_schedules",
    "merge_requests": "pull_requests",
    "mr_approvals": "pull_requests",
    "issues": "issues",
    "labels": "labels",
    "freeze_periods": "freeze_periods",
    "dora": "dora_api",
}

# options this plugin understands (checked up front by scanner/core/options.py)
OPTION_TYPES = {
    "gitlab_url": "url",
    "gitlab_tier": "choice:free|premium|ultimate",
    "gitlab_depth": "choice:minimal|standard|full",
    "gitlab_calls": "str",
    "gitlab_max_pages": "int",
    "gitlab_max_list_pages": "int",
    "gitlab_max_wait": "float",
    "gitlab_retries": "int",
    "gitlab_backoff": "float",
    "gitlab_concurrency": "int",
    "gitlab_timeout": "float",
    "gitlab_max_calls": "int",
    "gitlab_max_review_mrs": "int",
    "gitlab_skip_files": "bool",
    "window_days": "int",
    "incident_labels": "regex",
    "debt_labels": "regex",
    "incident_link_hours": "float",
    "dora_min_deploys": "int",
    "dora_min_incidents": "int",
}


class GitLabCollector(Collector):
    name = "gitlab"
    source = "gitlab"
    role = "scm"
    description = ("GitLab settings and activity: protected branches, approval rules, protected environments, "
                   "pipelines, deployments, merge requests, incidents, freeze periods, DORA")
    needs = "a gitlab:GROUP or gitlab:GROUP/PROJECT target and a token (GITLAB_TOKEN, read_api) or CI_JOB_TOKEN"
    controls = ("WAF-OPS-010", "WAF-OPS-020", "WAF-OPS-050", "WAF-OPS-070", "WAF-OPS-080", "WAF-OPS-090", "WAF-OPS-100")
    option_types = OPTION_TYPES

    def applies(self, subject: Subject, ctx: CollectContext) -> bool:
        return subject.meta.get("platform") == "gitlab" and isinstance(subject.meta.get("project"), dict)

    def collect(self, subject: Subject, ctx: CollectContext) -> Iterable[Evidence]:
        client = client_for(ctx.options)
        git = ctx.statuses.get("git")
        if subject.meta.get("tmpdir") and (git is None or git.status is SourceState.NOT_CONFIGURED):
            ctx.source_status("git", SourceState.NOT_CONFIGURED,
                              f"no git history: files come from a GitLab archive at {subject.commit}; "
                              "history-based criteria need a local clone")
        return list(_Run(subject, ctx, client).evidence())


class _Run:
    """One project's collection; holds the results so the parts can share them."""

    def __init__(self, subject: Subject, ctx: CollectContext, client: GitLabClient) -> None:
        self.s, self.ctx, self.c = subject, ctx, client
        self.p: dict[str, Any] = subject.meta["project"]
        self.pid = self.p["id"]
        self.branch: str = subject.meta.get("default_branch") or "main"
        self.opts = ctx.options
        self.window = int(self.opts.get("window_days", 90))
        self.pattern = self.opts.get("production_pattern") or None
        self.calls = fetch.selected_calls(self.opts)
        self.failures: list[tuple[str, ApiError]] = []
        self.base = f"/projects/{self.pid}"
        self.web = str(self.p.get("web_url") or f"{client.host}/{self.p['path_with_namespace']}").rstrip("/")
        ns = (self.p.get("namespace") or {}).get("full_path") or self.p["path_with_namespace"].rsplit("/", 1)[0]
        self.tier: str = subject.meta.get("tier") or client.tier(ns, self.opts.get("gitlab_tier"))
        self.pages = fetch.max_pages(self.opts)

    @property
    def now(self) -> datetime:
        return self.ctx.now

    # ---- helpers -----------------------------------------------------------------------------
    def ev(self, kind: str, url: str, attrs: dict[str, Any], summary: str = "", strength: Strength = Strength.DIRECT) -> Evidence:
        return self.ctx.api_evidence(kind, "gitlab", url, attributes=attrs, summary=summary, strength=strength)

    def unreadable(self, call: str, err: ApiError) -> Iterator[Evidence]:
        """A denied/failed call: not assessed (or, for a Premium call on a Free group, a plan limitation)."""
        self.failures.append((call, err))
        what, perm = WHAT.get(call, call), PERMISSION.get(call, "read_api scope")
        need = fetch.NEEDS_TIER.get(call)
        if error_code(err) == "insufficient_scope":
            denied = "token lacks the read_api scope (insufficient_scope)"
        elif need and err.status in (403, 404) and fetch.tier_lacks(call, self.tier):
            yield self.plan_limited(call, err.url, err.status)
            return
        elif need and err.status in (403, 404) and self.tier == "unknown":
            denied = (f"the feature needs GitLab {need.title()} or the token lacks {perm}; the tier is unknown "
                      "(set --option gitlab_tier=free|premium|ultimate)")
        else:
            denied = None
        yield unread.unreadable(self.ctx, "gitlab", "GitLab", what=what, call=call, err=err, permission=perm,
                                denied=denied)

    def plan_limited(self, call: str, url: str, status: int | None = None) -> Evidence:
        need = fetch.NEEDS_TIER[call]
        return unread.plan_limited(self.ctx, "gitlab", what=WHAT.get(call, call), call=call,
                                   feature=fetch.FEATURE.get(call, call), needs=f"GitLab {need.title()}",
                                   tier=f"GitLab {self.tier.title()}", url=url, status=status)

    def wanted(self, call: str) -> bool:
        return call in self.calls

    def get(self, call: str, path: str, params: dict[str, Any] | None = None, single: bool = False) -> CallResult:
        return fetch.run(self.c, call, path, params, single=single, pages=self.pages)

    # ---- main --------------------------------------------------------------------------------
    def evidence(self) -> Iterator[Evidence]:
        branch = self.s.meta.get("branch")
        if branch is None and not self.s.meta.get("empty"):
            err = self.s.meta.get("branch_error")
            if err is None:
                r = self.get("branch", f"{self.base}/repository/branches/{enc(self.branch)}", single=True)
                err, branch = r.error, r.data if isinstance(r.data, dict) else None
            if err is not None:
                yield from self.unreadable("branch", err)
        protected = bool(branch.get("protected")) if isinstance(branch, dict) else None
        res = results(self.s.meta.get("prefetch"), lambda: fetch.start(self.c, self.pid, self.tier, self.opts, protected))

        rules = yield from self.approval_rules(res.get("approval_rules"), protected)
        yield from self.branch_rules(branch, rules)
        envs = yield from self.environments(res.get("environments"))
        runs = res.get("pipelines")
        yield from self.pipelines(runs)
        yield from self.schedules(res.get("pipeline_schedules"))
        issues = res.get("issues")
        yield from self.incidents(issues)
        merged = yield from self.merge_requests(res.get("merge_requests"))
        yield from self.labels(res.get("labels"), issues)
        yield from self.freezes(res.get("freeze_periods"))
        yield from self.deployments_and_dora(res.get("deployments"), envs, issues, merged)
        if self.failures and all(e.status == 401 for _, e in self.failures) and len(self.failures) >= 2:
            self.ctx.source_status("gitlab", SourceState.DENIED, "the token was refused (HTTP 401)")

    # ---- protected branch and approval rules ---------------------------------------------------
    def approval_rules(self, r: CallResult | None, protected: bool | None) -> Any:
        """Approval rules (Premium); None when not read. A Free group gets a plan limitation instead."""
        url = self.c.url(f"{self.base}/approval_rules")
        if not self.wanted("approval_rules") or protected is False:
            return None
        if fetch.tier_lacks("approval_rules", self.tier):
            yield self.plan_limited("approval_rules", url)
            return None
        if r is None:
            return None
        if not r.ok:
            yield from self.unreadable("approval_rules", r.error)
            return None
        return [x for x in r.data or [] if isinstance(x, dict)]

    def branch_rules(self, branch: dict[str, Any] | None, rules: list[dict[str, Any]] | None) -> Iterator[Evidence]:
        if branch is None:
            return  # unreadable, already reported (or an empty repository)
        burl = self.s.meta.get("branch_url") or self.c.url(f"{self.base}/repository/branches/{enc(self.branch)}")
        if not branch.get("protected"):
            return  # absence proven by the branch itself
        if not self.wanted("protected_branches"):
            yield unread.not_read(self.ctx, "gitlab", "branch_protection", "protected branches skipped (gitlab_calls)", burl)
            return
        r = self.get("protected_branches", f"{self.base}/protected_branches", {"per_page": 100})
        if not r.ok:
            yield from self.unreadable("protected_branches", r.error)
            return
        pb = mapping.protection_for(r.data or [], self.branch)
        if pb is None:
            # protected by a group-level or inherited rule the project list does not show
            pb = {"name": self.branch, "push_access_levels": [], "merge_access_levels": [],
                  "allow_force_push": False, "code_owner_approval_required": False}
            if not branch.get("developers_can_push") and branch.get("can_push") is False:
                pb["push_access_levels"] = [{"access_level": 0, "access_level_description": "No one"}]
        settings = None
        if rules and mapping.approvals_required(rules, self.branch, True) > 0 and self.wanted("approvals"):
            a = self.get("approvals", f"{self.base}/approvals", single=True)
            if a.ok and isinstance(a.data, dict):
                settings = a.data
            elif a.error is not None:
                yield from self.unreadable("approvals", a.error)
        attrs = mapping.branch_rules(pb, self.branch, self.p, rules, settings)
        n = attrs["required_reviews"]
        yield self.ev("scm.branch_rules", r.url, attrs,
                      summary=f"protected branch {self.branch}: push {', '.join(attrs['push_access']) or 'n/a'}, "
                      f"merge {', '.join(attrs['merge_access']) or 'n/a'}" + (f"; {n} approval(s) required" if n else ""))

    # ---- environments --------------------------------------------------------------------------
    def environments(self, envs: CallResult | None) -> Any:
        if envs is None:
            if self.wanted("environments"):
                return []
            yield unread.not_read(self.ctx, "gitlab", "environments", "not part of gitlab_calls",
                                  self.c.url(f"{self.base}/environments"))
            return []
        if not envs.ok:
            yield from self.unreadable("environments", envs.error)
            return []
        items = [e for e in envs.data or [] if isinstance(e, dict) and e.get("name")]
        prod = [e for e in items if mapping.is_production_env(e.get("name"), e.get("tier"), self.pattern)]
        protected: dict[str, dict[str, Any]] = {}
        read = False
        purl = self.c.url(f"{self.base}/protected_environments")
        if prod and self.wanted("protected_environments"):
            if fetch.tier_lacks("protected_environments", self.tier):
                yield self.plan_limited("protected_environments", purl)
            else:
                r = self.get("protected_environments", f"{self.base}/protected_environments", {"per_page": 100})
                if r.ok:
                    read = True
                    protected = {str(x.get("name")): x for x in r.data or [] if isinstance(x, dict)}
                else:
                    yield from self.unreadable("protected_environments", r.error)
        out = []
        for e in items:
            attrs = mapping.environment(e, protected.get(str(e["name"])), self.pattern, read)
            out.append(attrs)
            gate = f"{attrs['required_reviewers']} required approval(s)" if attrs["required_reviewers"] else "no approval gate"
            url = f"{self.web}/-/environments/{e.get('id')}" if e.get("id") is not None else envs.url
            yield self.ev("scm.environment", url, attrs, summary=f"environment {attrs['name']} (tier {attrs['tier']}): {gate}")
        return out

    # ---- pipelines -----------------------------------------------------------------------------
    def pipelines(self, runs: CallResult | None) -> Iterator[Evidence]:
        if runs is None:
            return
        if not runs.ok:
            yield from self.unreadable("pipelines", runs.error)
            return
        attrs = mapping.runs_summary([p for p in runs.data or [] if isinstance(p, dict)], self.branch, self.now,
                                     self.window, runs.complete, self.p.get("ci_config_path"))
        yield self.ev("scm.runs", f"{self.web}/-/pipelines", attrs,
                      summary=f"{attrs['sample']} recent pipelines; {attrs['schedule_runs_48h']} scheduled in 48 h")

    def schedules(self, sch: CallResult | None) -> Iterator[Evidence]:
        if sch is None:
            return
        if not sch.ok:
            yield from self.unreadable("pipeline_schedules", sch.error)
            return
        for s in sch.data or []:
            if isinstance(s, dict):
                yield self.ev("scm.schedule", f"{self.web}/-/pipeline_schedules", {
                    "description": s.get("description"), "cron": s.get("cron"), "active": bool(s.get("active")),
                    "ref": s.get("ref"), "next_run_at": s.get("next_run_at")})

    # ---- issues, merge requests, labels, freezes ------------------------------------------------
    def incidents(self, issues: CallResult | None) -> Iterator[Evidence]:
        if issues is None:
            return
        if not issues.ok:
            yield from self.unreadable("issues", issues.error)
            return
        start = self.now - timedelta(days=self.window)
        incs = [i for i in issues.data or [] if isinstance(i, dict) and mapping.is_incident(i, self.opts.get("incident_labels"))
                and (ts(i.get("created_at")) or start) >= start]
        closed = [i for i in incs if i.get("closed_at")]
        hours = [(ts(i["closed_at"]) - ts(i["created_at"])).total_seconds() / 3600
                 for i in closed if ts(i.get("closed_at")) and ts(i.get("created_at"))]
        attrs = {
            "window_days": self.window,
            "count": len(incs),
            "closed": len(closed),
            "median_hours_to_close": dora.p50(hours),
            "labels": sorted({n for i in incs for n in label_names(i)}),
            "typed_incidents": sum(1 for i in incs if str(i.get("issue_type") or i.get("type") or "").lower() == "incident"),
            "complete": issues.complete,
        }
        yield self.ev("scm.incidents", f"{self.web}/-/issues/?type[]=incident", attrs,
                      summary=f"{len(incs)} incident(s) in {self.window} days")

    def merge_requests(self, mrs: CallResult | None) -> Any:
        if mrs is None:
            return None
        if not mrs.ok:
            yield from self.unreadable("merge_requests", mrs.error)
            return None
        start = self.now - timedelta(days=self.window)
        merged = [m for m in mrs.data or [] if isinstance(m, dict) and (t := ts(m.get("merged_at"))) and t >= start]
        reviewed = checked = 0
        if self.wanted("mr_approvals") and not fetch.tier_lacks("mr_approvals", self.tier):
            for m in merged[: int(self.opts.get("gitlab_max_review_mrs", 30))]:
                r = self.get("mr_approvals", f"{self.base}/merge_requests/{m.get('iid')}/approvals", single=True)
                if not r.ok:
                    yield from self.unreadable("mr_approvals", r.error)
                    break
                checked += 1
                author = (m.get("author") or {}).get("username")
                by = [(a.get("user") or {}).get("username") for a in (r.data or {}).get("approved_by") or [] if isinstance(a, dict)]
                if any(u and u != author for u in by):
                    reviewed += 1
        attrs = {
            "window_days": self.window,
            "merged": len(merged),
            "checked": checked,
            "reviewed": reviewed if checked else None,
            "ratio": round(reviewed / checked, 3) if checked else None,
            "complete": mrs.complete,
        }
        summary = f"{len(merged)} merge request(s) merged in {self.window} days" + (
            f"; {reviewed}/{checked} approved by another person" if checked else "")
        yield self.ev("scm.reviews", f"{self.web}/-/merge_requests?state=merged", attrs, summary=summary)
        return [t for m in merged if (t := ts(m.get("merged_at")))]

    def labels(self, labels: CallResult | None, issues: CallResult | None) -> Iterator[Evidence]:
        items = [i for i in issues.data or [] if isinstance(i, dict)] if issues is not None and issues.ok else None
        if labels is not None and labels.ok:
            names = sorted({lab.get("name") for lab in labels.data or [] if isinstance(lab, dict) and lab.get("name")})
            origin, url = "labels-api", f"{self.web}/-/labels"
        elif labels is not None:
            yield from self.unreadable("labels", labels.error)
            return
        elif items is not None:
            names = sorted({n for i in items for n in label_names(i)})
            origin, url = "issues", f"{self.web}/-/issues"
        else:
            return
        used = debt_used(items or [], self.now, 180, self.opts.get("debt_labels")) if items is not None else None
        yield self.ev("scm.labels", url, {"labels": names, "debt_used_180d": used, "origin": origin})

    def freezes(self, fp: CallResult | None) -> Iterator[Evidence]:
        if fp is None:
            return
        if not fp.ok:
            yield from self.unreadable("freeze_periods", fp.error)
            return
        for f in fp.data or []:
            if not isinstance(f, dict):
                continue
            attrs = {"mechanism": "gitlab-freeze-period", "origin": "api", "freeze_start": f.get("freeze_start"),
                     "freeze_end": f.get("freeze_end"), "cron_timezone": f.get("cron_timezone")}
            # GitLab sets CI_DEPLOY_FREEZE during the period; deploy jobs are held when they check it
            yield self.ev("change.freeze", f"{self.web}/-/settings/ci_cd", attrs, strength=Strength.STRONG,
                          summary=f"deploy freeze period {f.get('freeze_start')} .. {f.get('freeze_end')} "
                          f"({f.get('cron_timezone') or 'UTC'})")

    # ---- deployments and DORA ------------------------------------------------------------------
    def deployments_and_dora(self, deps: CallResult | None, envs: list[dict[str, Any]], issues: CallResult | None,
                             merged: list[datetime] | None) -> Iterator[Evidence]:
        if deps is None:
            return
        if not deps.ok:
            yield from self.unreadable("deployments", deps.error)
            return
        start = self.now - timedelta(days=self.window)
        tiers = {str(e.get("name")): e.get("tier") for e in envs or []}
        items = [d for d in deps.data or [] if isinstance(d, dict)]
        out: list[dora.Deploy] = []
        for d in items:
            name = mapping.deployment_env(d)
            if not mapping.is_production_env(name, tiers.get(str(name)), self.pattern):
                continue
            created = ts(d.get("created_at"))
            if not created or created < start or created > self.now:
                continue
            state, at = mapping.deployment_state(d)
            if state == "skip":
                continue
            out.append(dora.Deploy(at or created, state, str(d.get("sha") or "")))
        recent = [d for d in items if (ts(d.get("created_at")) or start) >= start]
        attrs = {
            "window_days": self.window,
            "production": len(out),
            "successful": sum(1 for d in out if d.state == "success"),
            "failed": sum(1 for d in out if d.state == "failure"),
            "unknown_state": 0,
            "status_from": "deployments",
            "environments": sorted({str(n) for d in recent if (n := mapping.deployment_env(d))}),
            "complete": deps.complete,
        }
        yield self.ev("scm.deployments", f"{self.web}/-/environments", attrs,
                      summary=f"{attrs['production']} production deployment(s) in {self.window} days")
        incs = None
        if issues is not None and issues.ok:
            incs = [dora.Incident(c, ts(i.get("closed_at"))) for i in issues.data or []
                    if isinstance(i, dict) and mapping.is_incident(i, self.opts.get("incident_labels"))
                    and (c := ts(i.get("created_at")))]
        metrics = dora.from_platform(out, merged, incs, self.now, self.window, self.opts, "deployments")
        metrics["status_from"] = "deployments"
        metrics["computed_by"] = "wafops"
        metrics["tier"] = self.tier  # GitLab itself shows DORA charts on Ultimate only
        api = yield from self.dora_api()
        if api:
            metrics.update(api)
            names = {"lead_time_hours_p50": "lead_time", "change_failure_rate": "change_failure_rate",
                     "time_to_restore_hours_p50": "time_to_restore"}
            metrics["insufficient"] = [m for m in metrics["insufficient"] if m not in {names[k] for k in api}]
            metrics["computed_by"] = "gitlab-dora-api"
        summary = dora.summary(metrics, self.window)
        yield self.ev("dora.metrics", f"{self.web}/-/pipelines/charts?chart=dora", metrics, summary=summary)

    def dora_api(self) -> Any:
        """GitLab's own DORA figures (Ultimate, full depth): lead time, CFR and time to restore over the window."""
        if not self.wanted("dora"):
            return {}
        url = self.c.url(f"{self.base}/dora/metrics")
        if fetch.tier_lacks("dora", self.tier):
            yield self.plan_limited("dora", url)
            return {}
        start = (self.now - timedelta(days=self.window)).date().isoformat()
        out: dict[str, Any] = {}
        for metric, key, scale in (("lead_time_for_changes", "lead_time_hours_p50", 1 / 3600),
                                   ("change_failure_rate", "change_failure_rate", 1.0),
                                   ("time_to_restore_service", "time_to_restore_hours_p50", 1 / 3600)):
            r = self.get("dora", f"{self.base}/dora/metrics",
                         {"metric": metric, "start_date": start, "end_date": self.now.date().isoformat(), "interval": "all"},
                         single=True)
            if not r.ok:
                yield from self.unreadable("dora", r.error)
                return {}
            vals = [x.get("value") for x in r.data or [] if isinstance(x, dict) and x.get("value") is not None]
            if vals:
                out[key] = round(float(vals[-1]) * scale, 3)
        return out
