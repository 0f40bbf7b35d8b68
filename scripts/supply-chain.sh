#!/usr/bin/env bash
# The dependencies' checks, for `make audit` (in `make test`) and `make reliability`:
#   audit: known advisories, with cargo-audit against the workplace's snapshot of the RustSec
#          database when it is there (../shared/advisory-db), else the live one;
#   deny:  licences, duplicate versions, sources, with cargo-deny and deny.toml.
# Each tool is installed once into $CACHE_DIR/cargo-tools (pinned, under the cache's lock).
# Prints one `RELIABILITY<TAB>row<TAB>count<TAB>what` line when the check passes.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
export CACHE_DIR="${CACHE_DIR:-${HOME:+$HOME/.cache/comunicapp}}"; CACHE_DIR="${CACHE_DIR:-$REPO_ROOT/.cache}"
CARGO="${CARGO:-cargo}"
JOBS="${JOBS:-2}"
TOOLS="$CACHE_DIR/cargo-tools"
AUDIT_VERSION=0.22.1
DENY_VERSION=0.20.2
ADVISORY_DB="$REPO_ROOT/../shared/advisory-db"

install_tool() { # crate version
    local bin="$TOOLS/bin/$1"
    if [[ -x "$bin" ]] && "$bin" --version 2>/dev/null | grep -q "$2"; then
        return
    fi
    source "$REPO_ROOT/scripts/cache-lock.sh"
    cache_lock cargo-tools
    "$CARGO" install -q -j"$JOBS" --locked --force --root "$TOOLS" "$1@$2" >&2
}

crates_in_lock() { grep -c '^name = ' Cargo.lock; }

case "${1:-}" in
    audit)
        install_tool cargo-audit "$AUDIT_VERSION"
        if [[ -d "$ADVISORY_DB" ]]; then
            out="$("$TOOLS/bin/cargo-audit" audit --db "$ADVISORY_DB" --no-fetch 2>&1)" || { echo "$out"; exit 1; }
        else
            out="$("$TOOLS/bin/cargo-audit" audit 2>&1)" || { echo "$out"; exit 1; }
        fi
        echo "$out" >&2
        advisories="$(echo "$out" | sed -nE 's/.*Loaded ([0-9]+) security advisories.*/\1/p' | head -n1)"
        printf 'RELIABILITY\taudit\t%s\tcrates checked against %s advisories, 0 vulnerable\n' \
            "$(crates_in_lock)" "${advisories:-?}"
        ;;
    deny)
        install_tool cargo-deny "$DENY_VERSION"
        # The advisories are cargo-audit's (above, against the offline snapshot); deny checks
        # what audit does not.
        "$TOOLS/bin/cargo-deny" check --hide-inclusion-graph licenses bans sources >&2
        printf 'RELIABILITY\tdeny\t%s\tcrates: licences allowed, no unlisted duplicate versions, crates.io only\n' \
            "$(crates_in_lock)"
        ;;
    *)
        echo "usage: supply-chain.sh audit|deny" >&2
        exit 2
        ;;
esac
