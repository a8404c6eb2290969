#!/bin/bash
# Run ON billing01 as user deploy:  cd /var/www/billing && ./bin/deploy.sh [tag]
# Pulls master (or the given tag), installs dependencies and restarts php-fpm.
set -e

TARGET=${1:-master}
cd /var/www/billing

echo "Deploying $TARGET on $(hostname) ..."
git fetch --all --tags
git checkout "$TARGET"
git pull origin "$TARGET" || true

composer install --no-dev --optimize-autoloader

# clear the template cache, otherwise old invoice layouts stay around
rm -rf var/cache/*

sudo systemctl restart php7.4-fpm
echo "done. check https://billing.intra.acme.local/"
