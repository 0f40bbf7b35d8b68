#!/usr/bin/env bash
# Testing layer 4: the generated Swift bindings + the Swift package (ios/ComunicAppCore), XCTest,
# run by Debian trixie's Swift inside the chroot that scripts/swift-chroot.sh builds once into
# $CACHE_DIR/swift-root. The repository is bind-mounted at /comunicapp inside a private mount
# namespace, so nothing stays mounted after the run, even if it is killed; SwiftPM's build folder
# lives in the chroot and is reused by the next run.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
export CACHE_DIR="${CACHE_DIR:-${HOME:+$HOME/.cache/comunicapp}}"; CACHE_DIR="${CACHE_DIR:-$REPO_ROOT/.cache}"
mkdir -p "$CACHE_DIR"
CACHE_DIR="$(cd "$CACHE_DIR" && pwd)"

SWIFT_ROOT="$(bash scripts/swift-chroot.sh)"
# One run at a time inside the chroot: its /comunicapp mount point and SwiftPM's build folder
# are shared by every checkout.
source scripts/cache-lock.sh
cache_lock swift-run
bash scripts/bindings.sh

# make bench points these at the release library and its one FFI test; make test leaves them.
LIB_DIR="${SWIFT_LIB_DIR:-/comunicapp/target/debug}"
FILTER="${SWIFT_TEST_FILTER:-}"
BENCH_OUT="${COMUNICAPP_BENCH_OUT:-}"
mkdir -p "$SWIFT_ROOT/comunicapp"
# The session tests talk to a sandbox of their own, started on the host: the chroot shares the
# host's network namespace (unshare below makes mount and PID namespaces only), so 127.0.0.1 is
# the same loopback. env -i drops everything else, so the sandbox variables are passed by name.
bash scripts/with-sandbox.sh unshare --mount --pid --fork --propagation private \
    env SWIFT_ROOT="$SWIFT_ROOT" REPO_ROOT="$REPO_ROOT" LIB_DIR="$LIB_DIR" FILTER="$FILTER" \
    BENCH_OUT="$BENCH_OUT" bash -euo pipefail -c '
    mount -t proc proc "$SWIFT_ROOT/proc"
    mount --bind "$REPO_ROOT" "$SWIFT_ROOT/comunicapp"
    exec chroot "$SWIFT_ROOT" /usr/bin/env -i \
        HOME=/root PATH=/usr/libexec/swift/bin:/usr/bin:/bin LANG=C.UTF-8 \
        LD_LIBRARY_PATH="$LIB_DIR" COMUNICAPP_LIB_DIR="$LIB_DIR" \
        SANDBOX_URL="$SANDBOX_URL" SANDBOX_USER="$SANDBOX_USER" SANDBOX_PASSWORD="$SANDBOX_PASSWORD" \
        COMUNICAPP_BENCH_OUT="$BENCH_OUT" \
        /usr/libexec/swift/bin/swift test ${FILTER:+--filter "$FILTER"} \
            --package-path /comunicapp/ios/ComunicAppCore \
            --scratch-path /var/cache/comunicapp-swift --disable-swift-testing \
            -Xlinker -L"$LIB_DIR" -Xlinker -rpath -Xlinker "$LIB_DIR"
'
