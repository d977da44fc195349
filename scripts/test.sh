#!/usr/bin/env bash
# Install what is needed and run every check and test: lint, translations, Django checks,
# then the whole suite (browser tests included) on SQLite, then on PostgreSQL with Redis.
# Under CI=true, PostgreSQL, Redis and chromium are required; elsewhere their absence is
# reported and the rest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
CI="${CI:-false}"
PG_URL="${ONEROOF_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS_TEST_URL="${ONEROOF_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
missing=()

setup_venv "[test]"

# Debian's chromium drives the browser tests (never a downloaded browser); espeak-ng makes
# the display boards' announcement clips offline; Pango renders the PDF reports.
want=()
command -v chromium >/dev/null 2>&1 || want+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || want+=(espeak-ng)
# Pango (with HarfBuzz) lets WeasyPrint lay out the PDF reports with shaped Arabic.
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so" || want+=(libpango-1.0-0 libpangoft2-1.0-0)
# GNU gettext's xgettext extracts the sources' messages, to check the catalog has them all.
command -v xgettext >/dev/null 2>&1 || want+=(gettext)
if [ ${#want[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> Installing Debian's ${want[*]} for the tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}") \
    >/dev/null 2>&1 || echo "    could not install ${want[*]} with apt-get"
fi
command -v espeak-ng >/dev/null 2>&1 || missing+=("espeak-ng")
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so" || missing+=("Pango (PDF reports)")
if ! command -v chromium >/dev/null 2>&1; then
  missing+=("chromium")
  export ONEROOF_SKIP_BROWSER=1
fi

echo "==> Lint (ruff)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "==> Translations are complete"
.venv/bin/oneroof compile_translations --check-sources

echo "==> Django checks and migrations"
.venv/bin/oneroof check --fail-level WARNING
.venv/bin/oneroof makemigrations --check --dry-run
# Production settings: DEBUG off, secrets and HTTPS settings from the environment.
ONEROOF_DEBUG=false ONEROOF_SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  ONEROOF_ALLOWED_HOSTS=services.example.org ONEROOF_SECURE_SSL=true ONEROOF_SSL_REDIRECT=true \
  ONEROOF_HSTS_SECONDS=31536000 ONEROOF_HSTS_INCLUDE_SUBDOMAINS=true ONEROOF_HSTS_PRELOAD=true \
  .venv/bin/oneroof check --deploy --fail-level WARNING

echo "==> Test suite on SQLite"
env -u DATABASE_URL -u REDIS_URL .venv/bin/pytest -q -p no:cacheprovider "$@"

pg_ok=0; redis_ok=0
.venv/bin/python - "$PG_URL" <<'PY' && pg_ok=1 || true
import sys, psycopg, dj_database_url
cfg = dj_database_url.parse(sys.argv[1])
psycopg.connect(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"],
                dbname=cfg["NAME"], connect_timeout=3).close()
PY
.venv/bin/python - "$REDIS_TEST_URL" <<'PY' && redis_ok=1 || true
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()
PY
[ "$pg_ok" = 1 ] || missing+=("PostgreSQL at $PG_URL")
[ "$redis_ok" = 1 ] || missing+=("Redis at $REDIS_TEST_URL")

if [ "$pg_ok" = 1 ] && [ "$redis_ok" = 1 ]; then
  echo "==> Test suite on PostgreSQL with Redis"
  DATABASE_URL="$PG_URL" REDIS_URL="$REDIS_TEST_URL" \
    .venv/bin/pytest -q -p no:cacheprovider "$@"
fi

if [ ${#missing[@]} -gt 0 ]; then
  for m in "${missing[@]}"; do echo "!! Not available here, so its tests did not run: $m"; done
  if [ "$CI" = "true" ]; then
    echo "!! Under CI=true these are required: failing." >&2
    exit 1
  fi
fi
echo "==> All checks passed"
