#!/usr/bin/env bash
# End-to-end benchmark of the Resa API: build the dataset, serve it with gunicorn, load it.
#
#   bench/run.sh                      # SQLite then PostgreSQL, full size
#   BENCH_DBS=sqlite BENCH_SCALE=0.1 BENCH_DURATION=5 bench/run.sh   # quick look
#
# Knobs (environment):
#   BENCH_DBS        "sqlite postgresql"      databases to run, in order
#   BENCH_SCALE      1                        dataset size factor (1 = 200,000 reservations)
#   BENCH_SKIP_BUILD 0                        1: reuse the dataset and context already built
#   BENCH_CLIENTS    1,8                      concurrency levels of each scenario
#   BENCH_DURATION   10                       seconds measured per scenario and level
#   BENCH_WARMUP     2                        seconds of warm-up before each measure
#   BENCH_PORT       8765                     loopback port of gunicorn
#   BENCH_PG_URL     postgres://postgres@127.0.0.1:5432/resa_bench
#   BENCH_ONLY       ""                       comma-separated scenarios (default: all)
#
# The SQLite dataset lives in bench/results/bench.sqlite3, never in the development
# db.sqlite3. Everything listens on 127.0.0.1 only. Results: bench/results/.
set -euo pipefail

cd "$(dirname "$0")/.."
RACINE=$PWD
PY=$RACINE/.venv/bin/python
GUNICORN=$RACINE/.venv/bin/gunicorn
RESULTATS=$RACINE/bench/results
mkdir -p "$RESULTATS"

BENCH_DBS=${BENCH_DBS:-"sqlite postgresql"}
BENCH_SCALE=${BENCH_SCALE:-1}
BENCH_SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
BENCH_CLIENTS=${BENCH_CLIENTS:-1,8}
BENCH_DURATION=${BENCH_DURATION:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_PORT=${BENCH_PORT:-8765}
BENCH_PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/resa_bench}
BENCH_ONLY=${BENCH_ONLY:-}

# Production-like settings: no debug, a real secret, plain HTTP on loopback.
export DEBUG=0
export SECRET_KEY=${SECRET_KEY:-bench-only-secret-key-$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz}
export SECURE_SSL_REDIRECT=0
export ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SETTINGS_MODULE=resa_project.settings
export LOG_LEVEL=${LOG_LEVEL:-WARNING}
# Serves the bare DRF view GET /bench/vide (resa_project/bench_view.py, scenario bare_drf):
# what DRF costs by itself, measured side by side with the real endpoints in the same run.
export RESA_BENCH=1

GUNICORN_PID=""
arreter_gunicorn() {
    if [[ -n "$GUNICORN_PID" ]] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
        kill -TERM "$GUNICORN_PID"
        for _ in $(seq 1 50); do
            kill -0 "$GUNICORN_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -0 "$GUNICORN_PID" 2>/dev/null && kill -KILL "$GUNICORN_PID"
    fi
    GUNICORN_PID=""
}
trap arreter_gunicorn EXIT INT TERM

url_de() {
    case "$1" in
        sqlite) echo "sqlite:///$RESULTATS/bench.sqlite3" ;;
        postgresql) echo "$BENCH_PG_URL" ;;
        *) echo "unknown database: $1" >&2; exit 2 ;;
    esac
}

pret() {
    "$PY" - "$1" <<'EOF'
import sys, time, urllib.request
fin = time.monotonic() + 60
while time.monotonic() < fin:
    try:
        # A generous timeout: a retry while the first schema is still being generated would
        # send a second concurrent /openapi.json to the worker, and drf-spectacular's lazy
        # loading of its extensions is not thread-safe (tfranzel/drf-spectacular#1122: a 500).
        with urllib.request.urlopen(sys.argv[1], timeout=30) as r:
            if r.status == 200:
                sys.exit(0)
    except Exception:
        time.sleep(0.3)
sys.exit(1)
EOF
}

if "$PY" - "$BENCH_PORT" <<'EOF'
import socket, sys
s = socket.socket()
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
EOF
then
    echo "Port $BENCH_PORT is already in use on 127.0.0.1: set BENCH_PORT." >&2
    exit 1
fi

echo "# Resa benchmark $(date -Iseconds) on $(nproc) CPUs, $(uname -sr)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

for db in $BENCH_DBS; do
    export DATABASE_URL
    DATABASE_URL=$(url_de "$db")
    contexte=$RESULTATS/context_$db.json
    echo
    echo "## $db ($DATABASE_URL)"
    if [[ "$BENCH_SKIP_BUILD" != 1 || ! -f "$contexte" ]]; then
        "$PY" -W ignore bench/build_dataset.py --flush --scale "$BENCH_SCALE" --context "$contexte" \
            | tee "$RESULTATS/build_$db.log"
    fi

    journal=$RESULTATS/gunicorn_$db.log
    if [[ -f gunicorn.conf.py ]]; then
        # The project's configuration (workers, threads, timeouts), bound to loopback here.
        GUNICORN_BIND=127.0.0.1:$BENCH_PORT GUNICORN_LOG_LEVEL=warning \
            "$GUNICORN" -c gunicorn.conf.py --bind "127.0.0.1:$BENCH_PORT" \
            --access-logfile /dev/null resa_project.wsgi >"$journal" 2>&1 &
    else
        "$GUNICORN" -k gthread -w 5 --threads 4 --bind "127.0.0.1:$BENCH_PORT" \
            --log-level warning resa_project.wsgi >"$journal" 2>&1 &
    fi
    GUNICORN_PID=$!
    if ! pret "http://127.0.0.1:$BENCH_PORT/openapi.json"; then
        echo "gunicorn did not become ready; see $journal" >&2
        tail -20 "$journal" >&2
        exit 1
    fi
    echo "gunicorn ready (pid $GUNICORN_PID)"

    "$PY" bench/load.py --base "http://127.0.0.1:$BENCH_PORT" --context "$contexte" \
        --clients "$BENCH_CLIENTS" --duration "$BENCH_DURATION" --warmup "$BENCH_WARMUP" \
        --label "$db" --output "$RESULTATS/load_$db.json" ${BENCH_ONLY:+--only "$BENCH_ONLY"} \
        | tee "$RESULTATS/load_$db.md"
    arreter_gunicorn
    if grep -qE "Traceback|Error" "$journal"; then
        echo "server errors logged in $journal:"
        grep -E "Traceback|Error" "$journal" | sort | uniq -c | head -20
    fi
done

echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Results: $RESULTATS/load_<db>.json and .md"
