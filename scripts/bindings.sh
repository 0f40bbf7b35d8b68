#!/usr/bin/env bash
# Generates the Kotlin and Swift bindings from the host build of comunicapp-ffi (UniFFI library
# mode, which reads bindings/uniffi.toml), into build/bindings/{kotlin,swift}, and copies the Swift
# ones into the Swift package, whose targets cannot point outside their package folder.
# Idempotent: files are rewritten only when their content changed, so Swift and Maven rebuild
# nothing on a second run.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
JOBS="${JOBS:-2}"
CARGO="${CARGO:-cargo}"
LIB="target/debug/libcomunicapp_ffi.so"
OUT="build/bindings"
SWIFT_PKG="ios/ComunicAppCore"

"$CARGO" build -q -j"$JOBS" -p comunicapp-ffi --lib --bin uniffi-bindgen

# Generate into a scratch folder, then copy over only what differs.
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/comunicapp-bindings.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
for lang in kotlin swift; do
    target/debug/uniffi-bindgen generate --library "$LIB" --language "$lang" \
        --out-dir "$SCRATCH/$lang" --no-format >/dev/null
done

# sync_file SRC DEST: copies when DEST is missing or different (keeps mtimes for build caches).
sync_file() {
    mkdir -p "$(dirname "$2")"
    cmp -s "$1" "$2" || cp "$1" "$2"
}

for lang in kotlin swift; do
    # A file the generator stopped producing must not linger and get compiled.
    if [[ -d "$OUT/$lang" ]]; then
        (cd "$OUT/$lang" && find . -type f) | while read -r f; do
            [[ -e "$SCRATCH/$lang/$f" ]] || rm -f "$OUT/$lang/$f"
        done
    fi
    (cd "$SCRATCH/$lang" && find . -type f) | while read -r f; do
        sync_file "$SCRATCH/$lang/$f" "$OUT/$lang/$f"
    done
done

# The Swift package: the generated Swift file becomes the ComunicAppFFI target, the C header the
# comunicapp_ffiFFI module (its module map, kept in the package, also links the library).
sync_file "$OUT/swift/ComunicAppFFI.swift" "$SWIFT_PKG/Sources/ComunicAppFFI/ComunicAppFFI.swift"
sync_file "$OUT/swift/comunicapp_ffiFFI.h" "$SWIFT_PKG/Sources/comunicapp_ffiFFI/comunicapp_ffiFFI.h"

echo "bindings: $(find "$OUT" -type f | wc -l) files in $OUT (from $LIB)"
