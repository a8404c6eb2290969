#!/usr/bin/env bash
# Post-deploy smoke test: fails the deploy job when the API is not healthy.
# Usage: scripts/smoke-test.sh https://api.staging.shop.acme.example
set -euo pipefail
BASE=${1:?base url}
curl -fsS --retry 5 --retry-delay 3 "$BASE/healthz"
curl -fsS "$BASE/v1/products/sku-1" | grep -q '"sku"'
echo "smoke test passed for $BASE"
