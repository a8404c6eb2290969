#!/usr/bin/env bash
# Post-deploy smoke test against the public endpoint of a service.
set -euo pipefail
base=${1:?base url}
curl -fsS --retry 10 --retry-delay 5 "$base/healthz"
curl -fsS -o /dev/null -w '%{http_code}\n' "$base/v1/ping" | grep -q 200
