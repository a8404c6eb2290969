"""Collectors that read the files of one repository checkout (CI, IaC, observability, alerting, change, docs, deploy)."""
