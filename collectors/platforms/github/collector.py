"""Settings and activity evidence of a GitHub repository (source `github`).

Rules this collector keeps:
- It only reads (GET). The calls and their cost are planned in `fetch.py`.
- A call that is denied never turns into "absent": the part is reported with
  `ctx.source_status("github", PARTIAL, "<what> unreadable: token lacks <permission>")` and an
  `scm.unreadable` evidence item, which probes check before concluding absence (PARTIAL still
  counts as a usable source). A rate limit we could not wait out marks the source `rate_limited`.
- Absence is proven where GitHub allows it without admin rights: the branch says
  `protected: false` and rules-for-branch is empty -> no `scm.branch_rules`, and nothing unreadable.
- Locators are API URLs (or html_url where GitHub has a page), so a reviewer can open them.

A repository is read part by part (`PARTS`), one module per part of the API: `settings.py`,
`actions.py`, `issues.py`, `pulls.py`, `deployments.py`; their shared state is a `GitHubRun` (`run.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from wafops.collectors.base import CollectContext, Collector
from wafops.collectors.platforms.common.calls import results
from wafops.collectors.platforms.github import actions, deployments, fetch, issues, pulls, settings
from wafops.collectors.platforms.github.auth import AuthError
from wafops.collectors.platforms.github.client import client_for
from wafops.collectors.platforms.github.run import GitHubRun
from wafops.scanner.core.model import Evidence, SourceState, Subject

# the parts of a repository, in the order they are read (later parts use what earlier ones left in the run)
PARTS: tuple[Callable[[GitHubRun], Iterator[Evidence]], ...] = (
    settings.branch_rules,  # rulesets and classic protection of the default branch
    settings.environments,  # approval gates
    actions.runs,  # workflow runs: PR runs, schedules, durations
    actions.workflows,
    settings.code_scanning,
    issues.incidents,
    pulls.reviews,  # merged PRs (-> run.merged) and who approved them
    issues.labels,
    deployments.releases,
    deployments.deployments_and_dora,
)


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
        run = GitHubRun(subject, ctx, client)
        return list(evidence(run))


def evidence(run: GitHubRun) -> Iterator[Evidence]:
    """The default branch, then the planned calls' results (started by the resolver, or now), then every part."""
    yield from settings.read_branch(run)
    run.res = results(run.s.meta.get("prefetch"),
                      lambda: fetch.start(run.c, run.owner, run.name, run.branch, run.opts))
    yield from run.run_parts(PARTS)
