"""GitLab merge requests: those merged in the window (for DORA's lead time), and at full depth whether
someone other than the author approved each (`mr_approvals`, Premium; one call per merged MR up to a cap)."""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.platforms.common import activity
from wafops.collectors.platforms.common.payloads import ts
from wafops.collectors.platforms.gitlab import fetch
from wafops.collectors.platforms.gitlab.run import GitLabRun
from wafops.scanner.core.model import Evidence


def merge_requests(run: GitLabRun) -> Iterator[Evidence]:
    """`scm.reviews`; leaves the merge times in `run.merged` (None when merge requests were not read)."""
    run.merged = None
    mrs = yield from run.result("merge_requests")
    if mrs is None:
        return
    start = run.start
    merged = [m for m in mrs.data or [] if isinstance(m, dict) and (t := ts(m.get("merged_at"))) and t >= start]
    reviewed = checked = 0
    if run.wanted("mr_approvals") and not fetch.tier_lacks("mr_approvals", run.tier):
        for m in merged[: int(run.opts.get("gitlab_max_review_mrs", 30))]:
            r = run.get("mr_approvals", f"{run.base}/merge_requests/{m.get('iid')}/approvals", single=True)
            if not r.ok:
                yield from run.unreadable("mr_approvals", r.error)
                break
            checked += 1
            author = (m.get("author") or {}).get("username")
            by = [(a.get("user") or {}).get("username") for a in (r.data or {}).get("approved_by") or [] if isinstance(a, dict)]
            if any(u and u != author for u in by):
                reviewed += 1
    yield activity.reviews(run, f"{run.web}/-/merge_requests?state=merged", "merge request(s)", len(merged), checked,
                           reviewed, mrs.complete)
    run.merged = [t for m in merged if (t := ts(m.get("merged_at")))]
