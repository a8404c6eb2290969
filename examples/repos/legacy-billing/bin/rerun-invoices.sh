#!/bin/bash
# Re-run the invoice generation for one month, e.g. after the order import failed.
# Usage: ./bin/rerun-invoices.sh 2026-10
set -e
MONTH=$1
if [ -z "$MONTH" ]; then
  echo "usage: $0 YYYY-MM" >&2
  exit 1
fi
php bin/console.php invoices:generate --month="$MONTH" --no-mail
echo "Invoices generated. Check them in the UI before running invoices:send!"
