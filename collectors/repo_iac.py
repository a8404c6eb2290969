"""Infrastructure as code collector (not built yet: yields no evidence)."""

from collectors.base import Collector


class IacCollector(Collector):
    name = "iac"
    description = "Infrastructure as code (placeholder)"

    def collect(self, subject, ctx):
        return []
