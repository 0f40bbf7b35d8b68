#!/usr/bin/env bash
# Contract test: schemathesis checks the sandbox portal against core/api/portale.yaml — no 5xx,
# and every documented response matches its schema. Installs schemathesis once into
# $CACHE_DIR/venv (reused), starts the sandbox binary on a free port with a test-only bearer
# token, and exits non-zero on any failure. MAX_EXAMPLES bounds the run (default 100 per operation).
# Then the requests: every body the client sends (recorded by tests/tests/request_bodies.rs) is
# checked against its requestBody schema by check_request_bodies.py.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
CACHE_DIR=${CACHE_DIR:-${HOME:+$HOME/.cache/comunicapp}}; CACHE_DIR=${CACHE_DIR:-$ROOT/.cache}
mkdir -p "$CACHE_DIR"
CACHE_DIR=$(cd "$CACHE_DIR" && pwd)
VENV=$CACHE_DIR/venv
SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${MAX_EXAMPLES:-100}
JOBS=${JOBS:-2}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
    echo "contract: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build -q -j"$JOBS" -p comunicapp-sandbox --bin comunicapp-sandbox

TOKEN="contract-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
LOG=$(mktemp)
"$TARGET_DIR/debug/comunicapp-sandbox" --port 0 --faults --test-token "$TOKEN" >"$LOG" 2>&1 &
SANDBOX_PID=$!
cleanup() {
    kill "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
    rm -f "$LOG"
}
trap cleanup EXIT

URL=""
for _ in $(seq 1 100); do
    URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$LOG" | head -n 1 || true)
    [ -n "$URL" ] && break
    kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$LOG"; echo "contract: the sandbox did not start" >&2; exit 1; }
    sleep 0.1
done
[ -n "$URL" ] || { cat "$LOG"; echo "contract: no sandbox URL" >&2; exit 1; }
echo "contract: sandbox at $URL"

# Schemathesis keeps state in ./.schemathesis: run it from the cache, not the checkout.
# Redirects are part of the contract (OAuth, checkout): check them, never follow them.
# One worker: Python 3.11.7's ast module is not thread-safe ("AST constructor recursion depth
# mismatch" inside hypothesis when workers run as threads).
mkdir -p "$CACHE_DIR/contract"
cd "$CACHE_DIR/contract"
"$VENV/bin/schemathesis" run "$ROOT/core/api/portale.yaml" \
    --url "$URL" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --max-redirects 0 \
    --seed 20261128 \
    --workers 1 \
    --request-timeout 10 \
    --generation-database none \
    --no-color \
    --report junit --report-dir "$CACHE_DIR/contract-report"

# The other direction: what the client sends. The end-to-end test records every request body the
# core writes, as the sandbox received it; each is checked against its requestBody schema.
cd "$ROOT"
BODIES="$TARGET_DIR/request-bodies.jsonl"
COMUNICAPP_REQUEST_BODIES="$BODIES" cargo test -q -j"$JOBS" -p comunicapp-sandbox --test request_bodies >/dev/null
"$VENV/bin/python" "$ROOT/tests/contract/check_request_bodies.py" "$ROOT/core/api/portale.yaml" "$BODIES"
