#!/usr/bin/env bash
# Testing layer 4b: the Android app's screens and view models (android/ui), compiled with
# JetBrains' Compose for desktop under Maven and tested with Compose's test API
# (runComposeUiTest) on the JVM, JNA loading the real host library. The view-model tests and the
# whole top-up story run against a sandbox portal of their own (scripts/with-sandbox.sh).
# Maven's repository is cached in $CACHE_DIR/m2, shared with scripts/kotlin-test.sh.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=scripts/android-env.sh
source scripts/android-env.sh

bash scripts/bindings.sh

bash scripts/with-sandbox.sh bash -c 'exec mvn -B -ntp -f android/ui/pom.xml \
    -Dmaven.repo.local="$1" \
    -Dbindings.dir="$2/build/bindings/kotlin" \
    -Dnative.lib.dir="$2/target/debug" \
    -Dsandbox.url="$SANDBOX_URL" \
    -Dsandbox.user="$SANDBOX_USER" \
    -Dsandbox.password="$SANDBOX_PASSWORD" \
    test' android-ui-test "$CACHE_DIR/m2" "$REPO_ROOT"
