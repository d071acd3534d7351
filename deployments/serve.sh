#!/usr/bin/env bash
# `make serve`: a Prefect server and a process worker in the background, every MALUX deployment on it.
# `make serve-stop`: stop both. The UI is at http://127.0.0.1:$MALUX_PREFECT_PORT (4200 by default).
# The server's database is PostgreSQL when MALUX_PREFECT_DB_URL is set (postgresql+asyncpg://...), else SQLite
# under $STATE/prefect-home. Logs and pid files: $STATE (default <MALUX_DATA_DIR or ./data>/serve).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
STATE=${MALUX_SERVE_DIR:-${MALUX_DATA_DIR:-data}/serve}
PORT=${MALUX_PREFECT_PORT:-4200}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)

export PREFECT_API_URL="http://127.0.0.1:$PORT/api"   # without it the CLI talks to a throwaway server
export PREFECT_HOME=${PREFECT_HOME:-$STATE/prefect-home}
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export MALUX_PROJECT_DIR=${MALUX_PROJECT_DIR:-$(pwd)}  # where the worker finds flows/ (prefect.yaml pull step)
if [ -n "${MALUX_PREFECT_DB_URL:-}" ]; then
  export PREFECT_SERVER_DATABASE_CONNECTION_URL="$MALUX_PREFECT_DB_URL"
fi

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_one() {  # $1 pid file, $2 what: TERM the whole process group (the worker's flow runs too), then KILL
  if alive "$1"; then
    local pid; pid=$(cat "$1")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    echo "$2 stopped"
  fi
  rm -f "$1"
}

start() {
  if alive "$STATE/server.pid"; then
    echo "Prefect server already running (pid $(cat "$STATE/server.pid")) at $PREFECT_API_URL"
  else
    echo "starting Prefect server on 127.0.0.1:$PORT (database: ${MALUX_PREFECT_DB_URL:+PostgreSQL}${MALUX_PREFECT_DB_URL:-SQLite in $PREFECT_HOME}); log $STATE/server.log"
    setsid "$BIN/prefect" server start --host 127.0.0.1 --port "$PORT" >"$STATE/server.log" 2>&1 &
    echo $! >"$STATE/server.pid"
    for _ in $(seq 1 120); do
      curl -fsS "$PREFECT_API_URL/health" >/dev/null 2>&1 && break
      alive "$STATE/server.pid" || { tail -n 30 "$STATE/server.log"; exit 1; }
      sleep 0.5
    done
    curl -fsS "$PREFECT_API_URL/health" >/dev/null || { echo "server not healthy after 60 s"; exit 1; }
  fi
  "$BIN/python" deployments/setup_server.py
  "$BIN/prefect" --no-prompt deploy --all
  if alive "$STATE/worker.pid"; then
    echo "worker already running (pid $(cat "$STATE/worker.pid"))"
  else
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY=30 setsid "$BIN/prefect" worker start --pool malux-process --type process \
      --name "malux-$(hostname)" >"$STATE/worker.log" 2>&1 &
    echo $! >"$STATE/worker.pid"
    echo "worker started on pool malux-process; log $STATE/worker.log"
  fi
  echo "UI: http://127.0.0.1:$PORT  (make serve-stop to stop)"
}

case "${1:-start}" in
  start) start ;;
  stop) stop_one "$STATE/worker.pid" worker; stop_one "$STATE/server.pid" "Prefect server" ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
