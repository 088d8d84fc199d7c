#!/usr/bin/env bash
# `make deploy-files-check`: the shipped deploy files are valid.
# - deploy/nginx/portal.conf with `nginx -t` (Debian's nginx), in an nginx.conf of its own
#   with a throwaway certificate and cache folder: nothing is started, nothing in /etc changes.
# - deploy/systemd/* with `systemd-analyze verify` (when systemd-analyze exists), pointing the
#   units at this checkout's venv so their commands exist.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TMP=$(mktemp -d /tmp/portal-deploycheck.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=portal.test" \
  -keyout "$TMP/privkey.pem" -out "$TMP/fullchain.pem" 2>/dev/null
mkdir -p "$TMP/cache"
sed -e "s#/etc/ssl/portal/#$TMP/#g" -e "s#/var/cache/nginx/portal#$TMP/cache#" \
  deploy/nginx/portal.conf >"$TMP/portal.conf"
cat >"$TMP/nginx.conf" <<CONF
pid $TMP/nginx.pid;
error_log $TMP/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $TMP/body;
    proxy_temp_path $TMP/proxy;
    include $TMP/portal.conf;
}
CONF
"$NGINX" -t -q -e "$TMP/error.log" -p "$TMP" -c "$TMP/nginx.conf"
echo "nginx -t: deploy/nginx/portal.conf ok"

if command -v systemd-analyze >/dev/null; then
  mkdir -p "$TMP/systemd"
  for unit in deploy/systemd/*; do
    sed -e "s#/srv/portal/venv#$ROOT/.venv#g" -e "s#/srv/portal/app#$ROOT#g" \
      "$unit" >"$TMP/systemd/$(basename "$unit")"
  done
  # Instances of the templates, as the timers and `systemctl enable` name them.
  (cd "$TMP/systemd" && for t in portal-*.timer; do
    instance=$(sed -n 's/^Unit=//p' "$t"); ln -sf portal-manage@.service "$instance"; done
    ln -sf portal-worker@.service portal-worker@1.service)
  # verify reports problems on stderr (it exits non-zero only for some): any line fails.
  out=$(cd "$TMP/systemd" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
    ./portal-web.service ./portal-worker@1.service ./portal-manage@*_*.service ./portal-*.timer 2>&1 \
    | grep -v -E "Failed to (connect to|open) .*bus|is not running|Unknown user|portal-manage@\.service" || true)
  if [ -n "$out" ]; then echo "$out" >&2; exit 1; fi
  echo "systemd-analyze verify: deploy/systemd ok"
else
  echo "systemd-analyze not found: systemd units not verified"
fi
