"""Git history collector (not built yet: yields no evidence)."""

from collectors.base import Collector


class GitHistoryCollector(Collector):
    name = "git"
    source = "git"
    description = "Git history (placeholder)"

    def collect(self, subject, ctx):
        return []
