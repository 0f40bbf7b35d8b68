#!/usr/bin/env bash
# fuzz.sh [SECONDS_PER_TARGET]: runs every cargo-fuzz target of fuzz/ for SECONDS_PER_TARGET
# seconds (default 45) and prints one line per target:
#   RELIABILITY<TAB>fuzz-<target><TAB><executions><TAB>executions, <crashes> crashes, <corpus> corpus
# Needs the nightly toolchain (libFuzzer's instrumentation is nightly-only); installs cargo-fuzz
# into $CACHE_DIR/cargo-tools once. Builds every target once into fuzz/target (kept between runs).
# Each run reads the committed seed corpus fuzz/corpus/<target> and writes what it finds to
# $CACHE_DIR/fuzz-corpus/<target>, so the checkout stays clean. libFuzzer's output goes to
# $CACHE_DIR/fuzz-logs/<target>.log. Exits non-zero after all targets if any of them crashed
# (the input is saved under fuzz/artifacts/<target>/ and its path printed on stderr).
set -euo pipefail

SECONDS_PER_TARGET="${1:-45}"
if ! [[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]]; then
    echo "uso: scripts/fuzz.sh [SECONDS_PER_TARGET]" >&2
    exit 2
fi

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# As in the Makefile.
if [[ -n "${HOME:-}" ]]; then
    CACHE_DIR="${CACHE_DIR:-$HOME/.cache/comunicapp}"
else
    CACHE_DIR="${CACHE_DIR:-$REPO_ROOT/.cache}"
fi
JOBS="${JOBS:-2}"
CARGO_FUZZ_VERSION="0.13.2"
TARGETS=(amount notice qr datamatrix rf return_url dto)
# A single input running this long is a hang: libFuzzer reports it as a crash (timeout-*).
PER_INPUT_TIMEOUT=20

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz.sh: the nightly Rust toolchain is not installed (cargo-fuzz needs it): rustup toolchain install nightly" >&2
    exit 1
fi

TOOLS="$CACHE_DIR/cargo-tools"
LOG_DIR="$CACHE_DIR/fuzz-logs"
mkdir -p "$LOG_DIR"
source "$REPO_ROOT/scripts/cache-lock.sh"
cache_lock cargo-tools
if [[ ! -x "$TOOLS/bin/cargo-fuzz" ]]; then
    echo "fuzz.sh: installing cargo-fuzz $CARGO_FUZZ_VERSION into $TOOLS" >&2
    cargo install -j "$JOBS" --locked --root "$TOOLS" "cargo-fuzz@$CARGO_FUZZ_VERSION" \
        >"$LOG_DIR/install.log" 2>&1 || {
        cat "$LOG_DIR/install.log" >&2
        exit 1
    }
fi
export PATH="$TOOLS/bin:$PATH"
# cargo-fuzz has no -j of its own; cargo reads the job count from here.
export CARGO_BUILD_JOBS="$JOBS"

cd "$REPO_ROOT"
if ! cargo +nightly fuzz build >"$LOG_DIR/build.log" 2>&1; then
    cat "$LOG_DIR/build.log" >&2
    echo "fuzz.sh: building the fuzz targets failed" >&2
    exit 1
fi

failed=0
for target in "${TARGETS[@]}"; do
    work="$CACHE_DIR/fuzz-corpus/$target"
    log="$LOG_DIR/$target.log"
    mkdir -p "$work" "fuzz/corpus/$target"
    status=0
    cargo +nightly fuzz run "$target" "$work" "fuzz/corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout="$PER_INPUT_TIMEOUT" \
        >"$log" 2>&1 </dev/null || status=$?
    # "Done N runs in S second(s)" closes a clean run; after a crash the last "#N" line counts.
    executions="$(sed -nE 's/^Done ([0-9]+) runs in .*/\1/p' "$log" | tail -n 1)"
    if [[ -z "$executions" ]]; then
        executions="$(sed -nE 's/^#([0-9]+)[[:space:]].*/\1/p' "$log" | tail -n 1)"
    fi
    corpus="$(sed -nE 's/^#[0-9]+[[:space:]].* corp: ([0-9]+)\/.*/\1/p' "$log" | tail -n 1)"
    artifacts="$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log")"
    crashes=0
    if [[ -n "$artifacts" ]]; then
        crashes="$(printf '%s\n' "$artifacts" | wc -l | tr -d ' ')"
    fi
    if ((status != 0)) && ((crashes == 0)); then
        # Killed or refused to start without saving an input: still a failure.
        crashes=1
        artifacts="(no input saved; see $log)"
    fi
    printf 'RELIABILITY\tfuzz-%s\t%s\texecutions, %s crashes, %s corpus\n' \
        "$target" "${executions:-0}" "$crashes" "${corpus:-0}"
    if ((crashes > 0)); then
        failed=1
        while IFS= read -r artifact; do
            echo "fuzz.sh: $target crashed: $artifact (log: $log)" >&2
        done <<<"$artifacts"
    fi
done
exit "$failed"
