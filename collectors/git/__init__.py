"""Collectors that read git history (cadence, merges, tags, per-file dates)."""
