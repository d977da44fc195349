#!/usr/bin/env bash
# Run OneRoof on the embedded default (SQLite, no other server) with the demo data, at
# http://127.0.0.1:8000 (Arabic; English at /en/). Re-running keeps the data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
setup_venv ""
export ONEROOF_SECURE_SSL="${ONEROOF_SECURE_SSL:-false}"   # plain http on this machine
.venv/bin/oneroof migrate --noinput -v0
.venv/bin/oneroof load_demo
.venv/bin/oneroof collectstatic --noinput -v0
HOST="${ONEROOF_HOST:-127.0.0.1}"
PORT="${ONEROOF_PORT:-8000}"
echo "==> OneRoof is at http://$HOST:$PORT/ (English: http://$HOST:$PORT/en/). Ctrl+C stops it."
echo "    Kiosk: /kiosk/al-rayyan/ · Display board: /board/al-rayyan/ · Counter console: /console/"
# One ASGI process serves pages, the API and the live screens' websockets. Without Redis the
# channel layer lives in this process, so it must stay one worker; with REDIS_URL set, more
# workers (ONEROOF_WORKERS) may share it. Production: docs/operations.md.
WORKERS=1
[ -n "${REDIS_URL:-}" ] && WORKERS="${ONEROOF_WORKERS:-2}"
exec .venv/bin/granian --interface asginl --host "$HOST" --port "$PORT" \
  --workers "$WORKERS" --log-level warning oneroof.asgi:application
