"""Observability configuration collector (not built yet: yields no evidence)."""

from collectors.base import Collector


class ObservabilityCollector(Collector):
    name = "observability"
    description = "Observability configuration (placeholder)"

    def collect(self, subject, ctx):
        return []
