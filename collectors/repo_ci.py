"""CI/CD pipeline definitions collector (not built yet: yields no evidence)."""

from collectors.base import Collector


class CiCollector(Collector):
    name = "ci"
    description = "CI/CD pipeline definitions (placeholder)"

    def collect(self, subject, ctx):
        return []
