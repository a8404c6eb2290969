"""wafops: evidence-based WAF-OPS maturity levels."""

__version__ = "0.1.0"
