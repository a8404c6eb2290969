"""The source registry: which sources a scan can read, and the role each plays.

A probe asks for a *role* when any source of that kind would decide it: `needs=("repo", "scm")` means "the
repository files, and a code-hosting platform" — GitHub, GitLab, or a platform a plugin adds later. A probe
names a single source only when that vendor's evidence alone would decide it. So a new code host or cloud
touches no probe: its collector declares `role = "scm"` (or `"cloud"`), and discovering it registers the
source here.

The shipped sources are listed below, so probes evaluated outside a scan (tests, a library user) know them
too; `tests/test_sources.py` checks the list agrees with what the shipped collectors declare.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES: dict[str, str] = {
    "repo": "the files of a repository checkout",
    "git": "the git history of a checkout",
    "scm": "a code-hosting platform (settings, pull requests, deployments, issues)",
    "cloud": "a cloud account or subscription",
}



@dataclass(frozen=True)
class Source:
    """One source: its role, what a result says when it was not part of the scan, and the git remote hosts
    whose checkouts it could read (so a local scan can say `scan github:OWNER/REPO` to settle a gap)."""

    name: str
    role: str  # one of ROLES, or "" (a need can then name it only by its own name)
    not_scanned: str = "not scanned"
    remote_hosts: tuple[str, ...] = ()


# the shipped collectors' sources (plugins add theirs when discovered: Collector.role / not_scanned,
# TargetResolver.remote_hosts)
SHIPPED: tuple[Source, ...] = (
    Source("repo", "repo", "no files: the subject has no directory tree"),
    Source("git", "git", "no git history: the directory is not the top of a git repository"),
    Source("github", "scm", "not scanned: GitHub settings and activity were not read "
           "(scan github:OWNER/REPO with a token)", ("github",)),
    Source("gitlab", "scm", "not scanned: GitLab settings and activity were not read "
           "(no GitLab collector ran for this subject)", ("gitlab",)),
    Source("aws", "cloud", "not scanned: no AWS account was part of this scan"),
    Source("azure", "cloud", "not scanned: no Azure subscription was part of this scan"),
)


@dataclass
class SourceRegistry:
    """The sources a scan knows. A role name used where a source is expected stands for all its sources."""

    sources: dict[str, Source]

    def role_of(self, name: str) -> str | None:
        src = self.sources.get(name)
        return src.role if src else None

    def register(self, source: Source) -> None:
        if source.role and source.role not in ROLES:
            raise ValueError(f"source {source.name!r}: unknown role {source.role!r} (known: {', '.join(ROLES)})")
        known = self.sources.get(source.name)
        if known is not None:  # a second collector or a resolver of a known source adds, never erases
            source = Source(source.name, source.role or known.role,
                            known.not_scanned if source.not_scanned == "not scanned" else source.not_scanned,
                            source.remote_hosts or known.remote_hosts)
        self.sources[source.name] = source

    def names(self) -> list[str]:
        return sorted(self.sources)

    def not_scanned(self, name: str) -> str:
        src = self.sources.get(name)
        return src.not_scanned if src else "not scanned"

    def for_remote_host(self, host: str) -> str | None:
        """The source whose platform serves a git remote on this host (`github.example.com` -> github)."""
        host = host.lower()
        for src in self.sources.values():
            if any(h in host for h in src.remote_hosts):
                return src.name
        return None

    def members(self, name: str) -> tuple[str, ...]:
        """The sources a need names: a role's sources in name order, else the source itself."""
        if name in ROLES:
            found = tuple(sorted(s.name for s in self.sources.values() if s.role == name))
            return found or (name,)
        return (name,)

    def expand(self, need: str) -> tuple[str, ...]:
        """Every source that satisfies a need: `scm`, `github`, or alternatives joined by `|`."""
        out: list[str] = []
        for alt in need.split("|"):
            out.extend(s for s in self.members(alt) if s not in out)
        return tuple(out)


REGISTRY = SourceRegistry({s.name: s for s in SHIPPED})
