#!/usr/bin/env bash
# Testing layer 3: the generated Kotlin bindings + the Kotlin layer (android/core-kotlin), JUnit on
# the JVM, JNA loading the real host library target/debug/libcomunicapp_ffi.so. Built with Maven;
# its local repository is cached in $CACHE_DIR/m2 so a second run downloads nothing. The session
# tests run against the sandbox portal that scripts/with-sandbox.sh starts for the run.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# The JDK, Maven and CACHE_DIR, as for the Android app's checks.
source scripts/android-env.sh

bash scripts/bindings.sh

mkdir -p "$CACHE_DIR/m2"
# The session tests talk to a sandbox of their own; single quotes: with-sandbox.sh sets the
# variables, the inner shell expands them.
bash scripts/with-sandbox.sh bash -c 'exec mvn -B -ntp -f android/core-kotlin/pom.xml \
    -Dmaven.repo.local="$1" \
    -Dbindings.dir="$2/build/bindings/kotlin" \
    -Dnative.lib.dir="$2/target/debug" \
    -Dsandbox.url="$SANDBOX_URL" \
    -Dsandbox.user="$SANDBOX_USER" \
    -Dsandbox.password="$SANDBOX_PASSWORD" \
    test' kotlin-test "$CACHE_DIR/m2" "$REPO_ROOT"
