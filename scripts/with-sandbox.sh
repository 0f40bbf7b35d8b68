#!/usr/bin/env bash
# with-sandbox.sh CMD...: runs CMD against a fresh sandbox portal of its own.
# Builds and starts target/debug/comunicapp-sandbox on a free port (admin/faults on, the parent's
# registration confirmed after 2 s), exports SANDBOX_URL, SANDBOX_USER and SANDBOX_PASSWORD as the
# sandbox printed them, runs CMD and stops the sandbox however CMD ends. Exits with CMD's status.
set -euo pipefail

if (($# == 0)); then
    echo "uso: scripts/with-sandbox.sh CMD..." >&2
    exit 2
fi

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="${JOBS:-2}"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"

(cd "$REPO_ROOT" && cargo build -q -j"$JOBS" -p comunicapp-sandbox --bin comunicapp-sandbox)

LOG="$(mktemp "${TMPDIR:-/tmp}/comunicapp-sandbox.XXXXXX")"
"$TARGET_DIR/debug/comunicapp-sandbox" --port 0 --registration-delay-secs 2 --faults >"$LOG" 2>&1 &
SANDBOX_PID=$!
cleanup() {
    kill "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
    rm -f "$LOG"
}
trap cleanup EXIT
# An interrupted run still goes through the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM

# The credentials line comes right after the URL line; wait for both.
URL="" CREDENTIALS=""
for _ in $(seq 1 100); do
    URL="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$LOG" | head -n 1 || true)"
    CREDENTIALS="$(sed -nE 's/^ *demo parent: *([^ ]+) \/ ([^ ]+) *$/\1 \2/p' "$LOG" | head -n 1)"
    [[ -n "$URL" && -n "$CREDENTIALS" ]] && break
    kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$LOG" >&2; echo "with-sandbox: the sandbox did not start" >&2; exit 1; }
    sleep 0.1
done
if [[ -z "$URL" || -z "$CREDENTIALS" ]]; then
    cat "$LOG" >&2
    echo "with-sandbox: no URL or demo credentials in the sandbox's output" >&2
    exit 1
fi

export SANDBOX_URL="$URL"
export SANDBOX_USER="${CREDENTIALS% *}"
export SANDBOX_PASSWORD="${CREDENTIALS#* }"
echo "with-sandbox: sandbox at $SANDBOX_URL (pid $SANDBOX_PID)" >&2

# Not exec: the trap must outlive CMD to stop the sandbox.
status=0
"$@" || status=$?
exit "$status"
