"""GitLab group and project scanning: `wafops scan gitlab:GROUP[/SUB...]` or `gitlab:GROUP/PROJECT` (see docs/gitlab.md)."""
