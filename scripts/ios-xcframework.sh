#!/usr/bin/env bash
# Builds ComunicAppFFI.xcframework for the Xcode project in ios/. macOS with Xcode only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ "$(uname)" != "Darwin" ]]; then
    echo "ios-xcframework: needs macOS with Xcode (xcodebuild); this is $(uname)" >&2
    exit 1
fi
for target in aarch64-apple-ios aarch64-apple-ios-sim; do
    cargo build --release -p comunicapp-ffi --lib --target "$target"
done
bash scripts/bindings.sh
rm -rf build/ComunicAppFFI.xcframework
mkdir -p build/headers
cp build/bindings/swift/comunicapp_ffiFFI.h build/headers/
cp build/bindings/swift/comunicapp_ffiFFI.modulemap build/headers/module.modulemap
xcodebuild -create-xcframework \
    -library target/aarch64-apple-ios/release/libcomunicapp_ffi.a -headers build/headers \
    -library target/aarch64-apple-ios-sim/release/libcomunicapp_ffi.a -headers build/headers \
    -output build/ComunicAppFFI.xcframework
echo "build/ComunicAppFFI.xcframework: add it to the Xcode project with build/bindings/swift/ComunicAppFFI.swift"
