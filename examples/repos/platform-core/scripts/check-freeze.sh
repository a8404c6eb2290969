#!/usr/bin/env bash
# Fails (exit 1) when today is inside a change-freeze window from change-freeze.yaml,
# unless the PR that produced this commit carries the change:emergency label.
set -euo pipefail
today=$(date -u +%F)
if yq -e ".freezes[] | select(.start <= \"$today\" and .end >= \"$today\")" change-freeze.yaml >/dev/null 2>&1; then
  labels=$(gh pr list --state merged --search "${GITHUB_SHA}" --json labels --jq '.[0].labels[].name' || true)
  if grep -qx "change:emergency" <<<"$labels"; then
    echo "::warning::change freeze active, emergency change allowed"
    exit 0
  fi
  echo "::error::change freeze active ($(yq ".freezes[] | select(.start <= \"$today\" and .end >= \"$today\") | .reason" change-freeze.yaml)); production deploys are blocked"
  exit 1
fi
echo "no change freeze today ($today)"
