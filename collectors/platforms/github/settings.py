"""Repository settings on GitHub: the default branch, its rules (rulesets, classic protection), environments,
code scanning.

Absence is proven where GitHub allows it without admin rights: the branch says
`protected: false` and rules-for-branch is empty -> no `scm.branch_rules`, and nothing unreadable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wafops.collectors.platforms.github import fetch, mapping
from wafops.collectors.platforms.github.run import GitHubRun
from wafops.scanner.core.model import Evidence


def read_branch(run: GitHubRun) -> Iterator[Evidence]:
    """The default branch (`protected`, HEAD): from the resolver, else asked now."""
    branch = run.s.meta.get("branch")
    if branch is None:
        err = run.s.meta.get("branch_error")
        if err is None:
            r = run.get("branch", f"{run.base}/branches/{fetch.enc(run.branch)}")
            err, branch = r.error, r.data
            if branch is not None:
                run.s.meta["branch_url"] = r.url
        if err is not None:
            yield from run.unreadable("branch", err)
    run.head = branch


def branch_rules(run: GitHubRun) -> Iterator[Evidence]:
    """Rulesets on the default branch, then classic protection when the branch says it is protected."""
    rules = run.res.get("rules")
    if rules is not None:
        if rules.ok:
            ruleset_attrs = mapping.rules_for_branch(rules.data or [], run.branch)
            if ruleset_attrs is not None:
                if "rulesets" in run.calls:
                    ruleset_attrs["enforce_admins"] = _bypass(run, ruleset_attrs["rulesets"])
                n = ruleset_attrs["required_reviews"]
                yield run.ev("scm.branch_rules", rules.url, ruleset_attrs,
                             summary=f"rulesets on {run.branch}: {', '.join(ruleset_attrs['rule_types'])}"
                             + (f"; {n} approving review(s) required" if n else ""))
        else:
            yield from run.unreadable("rules", rules.error)
    branch = run.head
    if branch is None:
        return  # already reported as unreadable
    protected = branch.get("protected")
    burl = run.s.meta.get("branch_url") or run.c.url(f"{run.base}/branches/{fetch.enc(run.branch)}")
    if not protected:
        return  # classic protection absent, proven by the branch itself (readable without admin)
    if "classic" not in run.calls:
        yield run.not_read("branch_protection", "classic protection skipped (github_calls)", burl)
        return
    r = run.get("classic", f"{run.base}/branches/{fetch.enc(run.branch)}/protection")
    if r.ok and isinstance(r.data, dict):
        attrs = mapping.classic_protection(r.data, run.branch)
        yield run.ev("scm.branch_rules", r.url, attrs,
                     summary=f"classic protection on {run.branch}: {attrs['required_reviews']} review(s)")
    elif r.error is not None and r.error.status == 404 and "not protected" in r.error.message.lower():
        return  # `protected` came from rulesets only
    elif r.error is not None:
        yield from run.unreadable("classic", r.error)


def _bypass(run: GitHubRun, ids: list[Any]) -> bool | None:
    """True when every active ruleset has no bypass actors (admins cannot skip it)."""
    seen = []
    for rid in ids[:10]:
        r = run.get("rulesets", f"{run.base}/rulesets/{rid}")
        if not r.ok or not isinstance(r.data, dict) or "bypass_actors" not in r.data:
            return None  # bypass actors are only shown to those who may edit the ruleset
        seen.append(not r.data.get("bypass_actors") and r.data.get("enforcement") == "active")
    return all(seen) if seen else None


def environments(run: GitHubRun) -> Iterator[Evidence]:
    envs = run.res.get("environments")
    if envs is None:
        yield run.not_read("environments", "not part of github_calls", run.c.url(f"{run.base}/environments"))
        return
    if not envs.ok:
        yield from run.unreadable("environments", envs.error)
        return
    for env in envs.data or []:
        if not isinstance(env, dict) or not env.get("name"):
            continue
        attrs = mapping.environment(env, run.pattern)
        url = env.get("html_url") or env.get("url") or envs.url
        gate = f"{attrs['required_reviewers']} required reviewer(s)" if attrs["required_reviewers"] else "no approval gate"
        yield run.ev("scm.environment", url, attrs, summary=f"environment {attrs['name']}: {gate}")


def code_scanning(run: GitHubRun) -> Iterator[Evidence]:
    cs = yield from run.result("code_scanning")
    if cs is None:
        return
    data = cs.data if isinstance(cs.data, dict) else {}
    yield run.ev("scm.code_scanning", cs.url, {"state": data.get("state"), "languages": data.get("languages") or []})
