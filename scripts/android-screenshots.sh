#!/usr/bin/env bash
# Renders every screen of the Android app in every state (android/ui: Shots.kt), Italian and
# English, phone and tablet, light and dark, plus the phone at 200 % font scale, to
# build/screenshots/android/*.png. Headless: Skia's software rasterizer, Debian's DejaVu fonts,
# no display. SHOTS=REGEX renders only the shots whose name matches.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=scripts/android-env.sh
source scripts/android-env.sh

bash scripts/bindings.sh

OUT="$REPO_ROOT/build/screenshots/android"
rm -rf "$OUT"
mkdir -p "$OUT"
mvn -B -ntp -f android/ui/pom.xml \
    -Dmaven.repo.local="$CACHE_DIR/m2" \
    -Dbindings.dir="$REPO_ROOT/build/bindings/kotlin" \
    -Dnative.lib.dir="$REPO_ROOT/target/debug" \
    -Dscreenshots.dir="$OUT" \
    -Dshots="${SHOTS:-}" \
    -Dtest=ScreenshotRenderer -Dsurefire.failIfNoSpecifiedTests=false \
    test
echo "android-screenshots: $(find "$OUT" -name '*.png' | wc -l) PNG files in build/screenshots/android"
