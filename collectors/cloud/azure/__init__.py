"""Azure: a subscription read with the Reader role (see docs/azure.md)."""
