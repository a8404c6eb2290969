"""DORA computation moved to `collectors/platform_common/dora.py` (shared with GitLab); kept as an alias."""

from collectors.platform_common.dora import Deploy, Incident, compute, p50, working_days

__all__ = ["Deploy", "Incident", "compute", "p50", "working_days"]
