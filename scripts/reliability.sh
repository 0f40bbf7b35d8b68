#!/usr/bin/env bash
# make reliability: every hardening check of the core, one table row each, with its count.
#
# Each row is a test layer that prints `RELIABILITY<TAB>row<TAB>count<TAB>what` lines when it
# passes (several lines of one row are summed); a layer that fails marks its row FAIL and the
# script exits non-zero after printing the whole table. The cargo rows also run in `make test`
# (the concurrency one for 5 s there, 60 s here); fuzzing runs only here.
#
#   bash scripts/reliability.sh [--fuzz-seconds N] [--concurrency-seconds N] [--no-fuzz]
# Logs of every row: target/reliability/<row>.log.
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
export CACHE_DIR="${CACHE_DIR:-${HOME:+$HOME/.cache/comunicapp}}"; CACHE_DIR="${CACHE_DIR:-$REPO_ROOT/.cache}"
CARGO="${CARGO:-cargo}"
JOBS="${JOBS:-2}"
FUZZ_SECONDS=45
CONCURRENCY_SECONDS=60
FUZZ=1
while (($#)); do
    case "$1" in
        --fuzz-seconds) FUZZ_SECONDS="$2"; shift 2 ;;
        --concurrency-seconds) CONCURRENCY_SECONDS="$2"; shift 2 ;;
        --no-fuzz) FUZZ=0; shift ;;
        *) echo "reliability: unknown option $1" >&2; exit 2 ;;
    esac
done

LOGS="$REPO_ROOT/target/reliability"
rm -rf "$LOGS"
mkdir -p "$LOGS"
RESULTS="$LOGS/results.tsv"
: >"$RESULTS"

# layer ROW COMMAND...: runs the command, keeps the RELIABILITY lines it printed, and adds a
# failing line when it exited non-zero or printed none.
layer() {
    local row="$1"; shift
    local log="$LOGS/$row.log" rc lines
    echo "reliability: $row …" >&2
    "$@" >"$log" 2>&1
    rc=$?
    lines="$(grep -P '^RELIABILITY\t' "$log" || true)"
    if [[ -z "$lines" ]]; then
        printf '1\tRELIABILITY\t%s\t0\tno row printed, see %s\n' "$row" "$log" >>"$RESULTS"
        return
    fi
    printf '%s\n' "$lines" | sed "s/^/$rc\t/" >>"$RESULTS"
    if ((rc)); then
        printf '%s\tRELIABILITY\t%s\t0\tfailed (exit %s), see %s\n' "$rc" "$row" "$rc" "$log" >>"$RESULTS"
    fi
}

cargo_test() {
    "$CARGO" test -j"$JOBS" -p comunicapp-sandbox --test "$1" -- --nocapture
}

echo "reliability: building the tests" >&2
"$CARGO" test -j"$JOBS" -p comunicapp-sandbox --no-run --tests >"$LOGS/build.log" 2>&1 \
    || { echo "reliability: the tests do not build, see $LOGS/build.log" >&2; exit 1; }

layer faults cargo_test reliability_faults
layer crash cargo_test ricarica_crash
layer bad-input cargo_test bad_input
layer storage cargo_test reliability_storage
COMUNICAPP_CONCURRENCY_SECS="$CONCURRENCY_SECONDS" layer concurrency cargo_test reliability_concurrency
layer privacy cargo_test reliability_privacy
layer audit bash scripts/supply-chain.sh audit
layer deny bash scripts/supply-chain.sh deny
if ((FUZZ)); then
    layer fuzz bash scripts/fuzz.sh "$FUZZ_SECONDS"
fi

python3 - "$RESULTS" <<'PY'
import sys
from collections import OrderedDict

rows = OrderedDict()
for line in open(sys.argv[1], encoding="utf-8"):
    rc, _, row, count, what = line.rstrip("\n").split("\t", 4)
    entry = rows.setdefault(row, {"ok": True, "count": 0, "what": []})
    entry["ok"] &= rc == "0"
    try:
        entry["count"] += int(count.replace(",", ""))
    except ValueError:
        entry["ok"] = False
    entry["what"].append(what)

width = max(len(r) for r in rows) if rows else 4
print(f"{'row':<{width}}  {'count':>9}  result  what")
failed = 0
for row, e in rows.items():
    result = "pass" if e["ok"] else "FAIL"
    failed += not e["ok"]
    print(f"{row:<{width}}  {e['count']:>9,}  {result:<6}  {'; '.join(e['what'])}")
print(f"{len(rows) - failed} of {len(rows)} rows passing")
sys.exit(1 if failed else 0)
PY
