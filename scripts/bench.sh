#!/usr/bin/env bash
# make bench: every speed, size and memory row against its baseline, measured in this run, and
# one table at the end (scripts/bench_table.py). Nothing here is asserted by make test.
#   BENCH_QUICK=1  criterion's shortest runs (a smoke test of the harness, not figures)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_ROOT="$PWD"
JOBS="${JOBS:-2}"
OUT="$REPO_ROOT/target/bench"
mkdir -p "$OUT"
rm -f "$OUT"/*.json

CRITERION_ARGS=(--noplot)
if [[ -n "${BENCH_QUICK:-}" ]]; then
    CRITERION_ARGS+=(--warm-up-time 0.2 --measurement-time 0.5)
fi

echo "bench: the core against its baselines (criterion)" >&2
cargo bench -q -j"$JOBS" -p comunicapp-bench --bench core -- "${CRITERION_ARGS[@]}" >&2

echo "bench: wire, requests per flow, peak memory" >&2
cargo build -q -j"$JOBS" --profile bench -p comunicapp-bench --bin facts
target/release/facts >"$OUT/facts.json"
python3 - "$OUT/rss.json" <<'PY'
import json, resource, subprocess, sys
def peak(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sync = peak(["target/release/facts", "sync-rss", "50000"])
json.dump({"sync_50000_kib": sync}, open(sys.argv[1], "w"))
PY
cargo build -q -j"$JOBS" --profile bench -p comunicapp-sandbox --bin demo
python3 - "$OUT/rss.json" <<'PY'
import json, resource, subprocess, sys
subprocess.run(["target/release/demo"], check=True, stdout=subprocess.DEVNULL)
facts = json.load(open(sys.argv[1]))
facts["demo_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
json.dump(facts, open(sys.argv[1], "w"))
PY

echo "bench: the release library (LTO, as shipped)" >&2
cargo build -q -j"$JOBS" --release -p comunicapp-ffi
LIB="$REPO_ROOT/target/release/libcomunicapp_ffi.so"
strip -o "$OUT/libcomunicapp_ffi.stripped.so" "$LIB"
python3 scripts/bench_table.py --sizes "$LIB" "$OUT/libcomunicapp_ffi.stripped.so" >"$OUT/size.json"

echo "bench: one FFI call from the JVM (JNA) and from Swift, on the release library" >&2
bash scripts/bindings.sh
CACHE_DIR="${CACHE_DIR:-${HOME:+$HOME/.cache/comunicapp}}"; CACHE_DIR="${CACHE_DIR:-$REPO_ROOT/.cache}"
mvn -B -q -ntp -f android/core-kotlin/pom.xml \
    -Dmaven.repo.local="$CACHE_DIR/m2" \
    -Dbindings.dir="$REPO_ROOT/build/bindings/kotlin" \
    -Dnative.lib.dir="$REPO_ROOT/target/release" \
    -Dtest=FfiCallBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Dcomunicapp.bench.out="$OUT/jvm-ffi.json" \
    test >&2
SWIFT_LIB_DIR=/comunicapp/target/release SWIFT_TEST_FILTER=FfiCallBench \
    COMUNICAPP_BENCH_OUT=/comunicapp/target/bench/swift-ffi.json \
    bash scripts/swift-test.sh >&2

python3 scripts/bench_table.py --table "$OUT"
