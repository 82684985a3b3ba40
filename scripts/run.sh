#!/usr/bin/env bash
# Starts the platform the embedded way (shared/DESIGN.md §4.4): one ASGI server (HTTP and
# WebSocket), a Celery worker and Celery beat. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
BIN=.venv/bin

stop() {
  trap - INT TERM EXIT
  echo "Stopping…"
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

$BIN/celery -A config worker --loglevel=WARNING --concurrency=2 -n "worker@%h" &
$BIN/celery -A config beat --loglevel=WARNING &
$BIN/daphne -b "$HOST" -p "$PORT" config.asgi:application &

cat <<MSG

  长三角联防联控协同平台 is starting on http://$HOST:$PORT/
  Demo logins (demo only), password demo-pass-2026:
    sh-liaison js-liaison zj-liaison ah-liaison yrd-office wuxi-hospital
    sh-insurance js-insurance js-transport sh-leader yrd-leader   (admin: /admin/ as admin)
  Press Ctrl-C to stop.

MSG
wait -n
