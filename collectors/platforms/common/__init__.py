"""What the hosting-platform collectors (GitHub, GitLab) share: the HTTP floor (conditional cache,
limits, retries, call budget), DORA computation, payload helpers and the "unreadable" handling."""
