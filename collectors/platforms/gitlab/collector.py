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

A project is read part by part (`PARTS`), one module per part of the API: `branches.py`,
`environments.py`, `pipelines.py`, `issues.py`, `merge_requests.py`, `deployments.py`; their shared
state is a `GitLabRun` (`run.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.platforms.common.calls import results
from wafops.collectors.platforms.gitlab import (
    branches,
    deployments,
    environments,
    fetch,
    issues,
    merge_requests,
    pipelines,
)
from wafops.collectors.platforms.gitlab.client import client_for
from wafops.collectors.platforms.gitlab.run import GitLabRun
from wafops.scanner.core.model import Evidence, SourceState, Subject

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
        return list(evidence(GitLabRun(subject, ctx, client)))


# the parts of a project, in the order they are read (later parts use what earlier ones left in the run)
PARTS: tuple[Callable[[GitLabRun], Iterator[Evidence]], ...] = (
    branches.approval_rules,  # -> run.rules (Premium)
    branches.branch_rules,  # protected branch settings, with the approval rules
    environments.environments,  # -> run.envs (production tiers, for DORA)
    pipelines.pipelines,
    pipelines.schedules,
    issues.incidents,
    merge_requests.merge_requests,  # -> run.merged, and who approved them
    issues.labels,
    pipelines.freezes,
    deployments.deployments_and_dora,
)


def evidence(run: GitLabRun) -> Iterator[Evidence]:
    """The default branch, then the planned calls' results (started by the resolver, or now), then every part."""
    yield from branches.read_branch(run)
    run.res = results(run.s.meta.get("prefetch"),
                      lambda: fetch.start(run.c, run.pid, run.tier, run.opts, run.protected))
    yield from run.run_parts(PARTS)
