#!/usr/bin/env bash
# Start the services the test suite talks to, where they are installed but stopped.
# Idempotent: a service already running is left alone.
set -u

pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

if command -v pg_isready >/dev/null 2>&1 && ! pg_ready; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || echo "could not start PostgreSQL $version"
    for _ in $(seq 1 30); do pg_ready && break; sleep 0.5; done
  fi
fi
pg_ready && echo "PostgreSQL: ready on 127.0.0.1:5432" || echo "PostgreSQL: not reachable on 127.0.0.1:5432"
bash "$(dirname "$0")/kannel.sh" || true
# Headless Chromium for the monitoring note's PDF and its rendering test (tasks/report/chromium.py): install it when we can.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium"
  (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; }) ||
    echo "could not install chromium"
fi
command -v chromium >/dev/null 2>&1 && echo "Chromium: $(command -v chromium)" || echo "Chromium: not installed"
exit 0
