"""Alert rules collector (not built yet: yields no evidence)."""

from collectors.base import Collector


class AlertingCollector(Collector):
    name = "alerting"
    description = "Alert rules (placeholder)"

    def collect(self, subject, ctx):
        return []
