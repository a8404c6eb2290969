"""How a platform collector reports a part it could not read, so nobody infers its absence.

Shared by GitHub and GitLab. Every such part becomes
- a source status (`partial`, or `rate_limited`; a worse status is never overwritten),
- a warning naming the part and why, and
- an `scm.unreadable` evidence item (`what`, `call`, `status`, `permission`, `reason`), which probes
  check (`wafops.rules.probes.unreadable`) before they read missing evidence as absence: *not assessed*.

A *plan limitation* is different: the feature does not exist on the tier the group/instance is on
(GitLab Free has no approval rules or protected-environment approvals). Nothing is hidden from the
scanner there - the practice is simply not in place - so the item carries `plan_limitation: true`
and probes report the criterion as *not met*, with "plan limitation" as the reason.
"""

from __future__ import annotations

from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.platforms.common.errors import ApiError, BudgetExhausted, RateLimited
from wafops.scanner.core.model import Evidence, SourceState


def unreadable(ctx: CollectContext, source: str, platform: str, *, what: str, call: str, err: ApiError,
               permission: str, denied: str | None = None) -> Evidence:
    """Record a denied or failed call. `denied` overrides the "token lacks <permission>" wording."""
    if isinstance(err, RateLimited):
        reason = f"{what} unreadable: rate limited by {platform} ({err.message})"
        ctx.source_status(source, SourceState.RATE_LIMITED, reason)
    elif isinstance(err, BudgetExhausted):
        reason = f"{what} not read: {err.message}"
        ctx.source_status(source, SourceState.PARTIAL, reason)
    elif err.status in (401, 403, 404):
        reason = f"{what} unreadable: {denied or f'token lacks {permission}'} (HTTP {err.status})"
        ctx.source_status(source, SourceState.PARTIAL, reason)
    elif err.status == 409:
        reason = f"{what} unreadable: the repository is empty (HTTP 409)"
        ctx.source_status(source, SourceState.PARTIAL, reason)
    else:
        reason = f"{what} unreadable: {platform} answered {err.status or 'no response'} {err.message}".strip()
        ctx.source_status(source, SourceState.PARTIAL, reason)
    ctx.warn(source, reason)
    return ctx.api_evidence("scm.unreadable", source, err.url, summary=reason, attributes={
        "what": what, "call": call, "status": err.status, "permission": permission, "reason": reason})


def not_read(ctx: CollectContext, source: str, what: str, why: str, url: str) -> Evidence:
    """A part left out on purpose (cost budget, options): also recorded, so absence is not inferred."""
    reason = f"{what} not read: {why}"
    ctx.source_status(source, SourceState.PARTIAL, reason)
    return ctx.api_evidence("scm.unreadable", source, url, summary=reason, attributes={
        "what": what, "call": None, "status": None, "permission": None, "reason": reason})


def plan_limited(ctx: CollectContext, source: str, *, what: str, call: str, feature: str, needs: str,
                 tier: str, url: str, status: int | None = None, warn: bool = True) -> Evidence:
    """The tier lacks the feature: the part is known to be absent (not met), and says why."""
    reason = f"plan limitation: {feature} need {needs}; this group is on {tier}"
    if warn:
        ctx.warn(source, f"{what}: {reason}")
    attrs: dict[str, Any] = {"what": what, "call": call, "status": status, "permission": None, "reason": reason,
                             "plan_limitation": True, "tier": tier, "needs_tier": needs, "feature": feature}
    return ctx.api_evidence("scm.unreadable", source, url, summary=reason, attributes=attrs)
