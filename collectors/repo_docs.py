"""Operational documents collector (not built yet: yields no evidence)."""

from collectors.base import Collector


class DocsCollector(Collector):
    name = "docs"
    description = "Operational documents (placeholder)"

    def collect(self, subject, ctx):
        return []
