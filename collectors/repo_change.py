"""Change management collector (not built yet: yields no evidence)."""

from collectors.base import Collector


class ChangeCollector(Collector):
    name = "change"
    description = "Change management (placeholder)"

    def collect(self, subject, ctx):
        return []
