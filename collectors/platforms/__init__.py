"""Collectors for code-hosting platforms; what they share lives in platforms/common."""
