"""GitHub organisation scanning: `wafops scan github:ORG[/REPO]` (see docs/github.md)."""
