#!/usr/bin/env bash
# `make prod-check`: the portal as production runs it, on this machine, checked end to end.
#
# Starts, with production settings on PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379):
#   - a stand-in SMS gateway (scripts/sms_gateway_stub.py) that the production SMS backend posts
#     to, so log-in codes are read as a person reads them, with no test path in the portal;
#   - two gunicorn servers on two ports (two machines behind nginx, sharing the database and
#     Redis), spoken to as nginx speaks to them (X-Forwarded-Proto: https, X-Forwarded-For);
#   - the task worker (manage.py db_worker).
# Then scripts/prod_check.py logs in, runs tasks through the worker, checks the security
# headers and that the servers are stateless (sessions, rate limits, the cache, a race for the
# last place). Everything started here is stopped on exit, whatever happens.
#
# Its own database (PROD_CHECK_DB, kept between runs so a second run only applies new
# migrations; PROD_CHECK_FRESH=1, and CI, start from an empty one) and its own Redis prefix.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
DB=${PROD_CHECK_DB:-portal_prodcheck}
PG="-h 127.0.0.1 -p 5432 -U postgres"
RUN_DIR=$(mktemp -d /tmp/portal-prodcheck.XXXXXX)
PIDS=()

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

cleanup() {
  status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${CACHE_KEY_PREFIX:-}" ]; then
    redis-cli -h 127.0.0.1 -p 6379 --scan --pattern "${CACHE_KEY_PREFIX}:*" \
      | xargs -r -n 500 redis-cli -h 127.0.0.1 -p 6379 del >/dev/null || true
  fi
  if [ "$status" -ne 0 ]; then
    for log in "$RUN_DIR"/*.log; do
      [ -s "$log" ] || continue
      echo "--- last lines of $(basename "$log")" >&2
      tail -n 30 "$log" >&2
    done
  fi
  rm -rf "$RUN_DIR"
  exit "$status"
}
trap cleanup EXIT INT TERM

secret() { "$PY" -c 'import secrets; print(secrets.token_urlsafe(60))'; }
export DJANGO_SETTINGS_MODULE=portal.settings.production
export SECRET_KEY; SECRET_KEY=$(secret)
export FIELD_ENCRYPTION_KEYS; FIELD_ENCRYPTION_KEYS=$("$PY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
export FIELD_HASH_KEY; FIELD_HASH_KEY=$(secret)
export ALLOWED_HOSTS=portal.test
export SITE_URL=https://portal.test
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export REDIS_URL=redis://127.0.0.1:6379/0
export CACHE_KEY_PREFIX="prodcheck-$$"
export TRUSTED_PROXY_COUNT=1
export SMS_PORT; SMS_PORT=$(free_port)
export SMS_BACKEND=portal.sms.HttpBackend
export SMS_API_URL="http://127.0.0.1:$SMS_PORT/send"
export SMS_API_KEY; SMS_API_KEY=$(secret)
export SMS_OUTBOX="$RUN_DIR/sms.jsonl"
export EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
export EMAIL_HOST=127.0.0.1
export MEDIA_ROOT="$RUN_DIR/media" PRIVATE_MEDIA_ROOT="$RUN_DIR/private"
export LOG_LEVEL=WARNING

echo "== prod-check: database $DB, Redis prefix $CACHE_KEY_PREFIX"
pg_isready -q $PG || { echo "PostgreSQL is not running on 127.0.0.1:5432" >&2; exit 1; }
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not running on 127.0.0.1:6379" >&2; exit 1; }
# CI always starts afresh (a database kept from another branch may hold migrations by other
# names); a developer's second run reuses it.
if [ "${PROD_CHECK_FRESH:-0}" = 1 ] || [ "${CI:-}" = true ]; then dropdb $PG --if-exists "$DB"; fi
if ! psql $PG -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  createdb $PG "$DB"
  # A check database: a commit need not wait for the disk (migrating is mostly commits).
  psql $PG -qc "ALTER DATABASE \"$DB\" SET synchronous_commit = off"
fi
step() { echo "-- $(date +%T) $*"; }
step migrate
"$PY" manage.py migrate --noinput -v0
# Static files are collected again only when a source is newer than the last collection.
if [ ! -f staticfiles/staticfiles.json ] \
  || [ -n "$(find portal content volunteers donations assistance -path '*/static/*' -newer staticfiles/staticfiles.json -print -quit)" ]; then
  step collectstatic
  "$PY" manage.py collectstatic --noinput -v0
fi
step "check --deploy"
"$PY" manage.py check --deploy --fail-level WARNING
step "starting the SMS gateway stand-in, two web servers and the worker"

"$PY" scripts/sms_gateway_stub.py "$SMS_PORT" "$SMS_OUTBOX" "$SMS_API_KEY" &
PIDS+=($!)

export WEB_A_PORT WEB_B_PORT; WEB_A_PORT=$(free_port); WEB_B_PORT=$(free_port)
for port in "$WEB_A_PORT" "$WEB_B_PORT"; do
  "$PY" -m gunicorn portal.wsgi:application --config deploy/gunicorn.conf.py \
    --bind "127.0.0.1:$port" --workers 2 --threads 2 --graceful-timeout 3 \
    >"$RUN_DIR/web-$port.log" 2>&1 &
  PIDS+=($!)
done
"$PY" manage.py db_worker --interval 0.2 --no-startup-delay >"$RUN_DIR/worker.log" 2>&1 &
PIDS+=($!)

for port in "$WEB_A_PORT" "$WEB_B_PORT"; do
  for _ in $(seq 1 60); do
    curl -s -o /dev/null -H "Host: portal.test" "http://127.0.0.1:$port/" && break
    sleep 0.5
  done
done

step checks
PYTHONUNBUFFERED=1 "$PY" scripts/prod_check.py
