"""GitHub pull requests: those merged in the window (for DORA's lead time), and at full depth whether
someone other than the author approved each (`reviews`, one call per merged PR up to a cap).

Without the pulls call, merged PRs come from the issues list (issues carry `pull_request.merged_at`).
"""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.platforms.common import activity
from wafops.collectors.platforms.github import mapping
from wafops.collectors.platforms.github.run import GitHubRun
from wafops.scanner.core.model import Evidence


def reviews(run: GitHubRun) -> Iterator[Evidence]:
    """`scm.reviews`; leaves the merge times in `run.merged`."""
    issues, pulls = run.res.get("issues"), run.res.get("pulls")
    start = run.start
    source, merged = None, []
    if pulls is not None and pulls.ok:
        source = pulls
        merged = [{"number": p.get("number"), "merged_at": p.get("merged_at"), "user": (p.get("user") or {}).get("login")}
                  for p in pulls.data or [] if isinstance(p, dict) and p.get("merged_at")]
    elif pulls is not None and not pulls.ok:
        yield from run.unreadable("pulls", pulls.error)
    if source is None and issues is not None and issues.ok:
        source = issues
        merged = mapping.merged_prs_from_issues(issues.data or [])
    if source is None:
        run.merged = []
        return
    merged = [m for m in merged if (mapping.ts(m["merged_at"]) or start) >= start]
    reviewed, checked = 0, 0
    if "reviews" in run.calls:
        cap = int(run.opts.get("github_max_review_prs", 30))
        for m in merged[:cap]:
            r = run.get("reviews", f"{run.base}/pulls/{m['number']}/reviews", {"per_page": 100})
            if not r.ok:
                yield from run.unreadable("reviews", r.error)
                break
            checked += 1
            if any(isinstance(rv, dict) and rv.get("state") == "APPROVED"
                   and (rv.get("user") or {}).get("login") not in (None, m["user"]) for rv in r.data or []):
                reviewed += 1
    yield activity.reviews(run, f"{run.html}/pulls?q=is%3Amerged", "PR(s)", len(merged), checked, reviewed,
                           source.complete)
    run.merged = [mapping.ts(m["merged_at"]) for m in merged if mapping.ts(m["merged_at"])]
