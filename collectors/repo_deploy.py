"""Safe deployment collector (not built yet: yields no evidence)."""

from collectors.base import Collector


class DeployCollector(Collector):
    name = "deploy"
    description = "Safe deployment (placeholder)"

    def collect(self, subject, ctx):
        return []
