"""GitLab environments: names and tiers, and for production ones their protection and deployment approvals
(protected environments, Premium)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wafops.collectors.platforms.gitlab import fetch, mapping
from wafops.collectors.platforms.gitlab.run import GitLabRun
from wafops.scanner.core.model import Evidence


def environments(run: GitLabRun) -> Iterator[Evidence]:
    """`scm.environment` per environment; their attributes into `run.envs` (DORA's production tiers)."""
    envs = run.res.get("environments")
    run.envs = []
    if envs is None:
        if run.wanted("environments"):
            return
        yield run.not_read("environments", "not part of gitlab_calls", run.c.url(f"{run.base}/environments"))
        return
    if not envs.ok:
        yield from run.unreadable("environments", envs.error)
        return
    items = [e for e in envs.data or [] if isinstance(e, dict) and e.get("name")]
    prod = [e for e in items if mapping.is_production_env(e.get("name"), e.get("tier"), run.pattern)]
    protected: dict[str, dict[str, Any]] = {}
    read = False
    purl = run.c.url(f"{run.base}/protected_environments")
    if prod and run.wanted("protected_environments"):
        if fetch.tier_lacks("protected_environments", run.tier):
            yield run.plan_limited("protected_environments", purl)
        else:
            r = run.get("protected_environments", f"{run.base}/protected_environments", {"per_page": 100})
            if r.ok:
                read = True
                protected = {str(x.get("name")): x for x in r.data or [] if isinstance(x, dict)}
            else:
                yield from run.unreadable("protected_environments", r.error)
    for e in items:
        attrs = mapping.environment(e, protected.get(str(e["name"])), run.pattern, read)
        run.envs.append(attrs)
        gate = f"{attrs['required_reviewers']} required approval(s)" if attrs["required_reviewers"] else "no approval gate"
        url = f"{run.web}/-/environments/{e.get('id')}" if e.get("id") is not None else envs.url
        yield run.ev("scm.environment", url, attrs, summary=f"environment {attrs['name']} (tier {attrs['tier']}): {gate}")
