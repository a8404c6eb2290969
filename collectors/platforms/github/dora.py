"""DORA computation moved to `collectors/platforms/common/dora.py` (shared with GitLab); kept as an alias."""

from wafops.collectors.platforms.common.dora import Deploy, Incident, compute, p50, working_days

__all__ = ["Deploy", "Incident", "compute", "p50", "working_days"]
