#!/usr/bin/env bash
# The Android shell compiles here: kotlinc (the Maven-fetched kotlin-compiler-embeddable, with the
# Compose compiler plugin) compiles every Kotlin source of android/app together with the screens
# (android/ui), the Kotlin layer and the bindings, against the real Jetpack artifacts (each AAR's
# classes.jar) and org.robolectric:android-all for the framework (android/app-check/pom.xml).
# Gradle cannot be had here: the APK itself is built on a workstation (android/README.md).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=scripts/android-env.sh
source scripts/android-env.sh

bash scripts/bindings.sh

OUT="$REPO_ROOT/build/app-check"
DEPS="$OUT/deps"
mvn_q() { mvn -B -ntp -q -Dmaven.repo.local="$CACHE_DIR/m2" "$@"; }

# The app's classpath: AARs and jars, as Maven resolved them; an AAR's code is its classes.jar.
rm -rf "$DEPS"
mvn_q -f android/app-check/pom.xml dependency:copy-dependencies -DoutputDirectory="$DEPS"
python3 - "$DEPS" <<'PY'
import pathlib, sys, zipfile
deps = pathlib.Path(sys.argv[1])
for aar in sorted(deps.glob("*.aar")):
    with zipfile.ZipFile(aar) as z:
        names = z.namelist()
        if "classes.jar" in names:
            (deps / (aar.stem + ".jar")).write_bytes(z.read("classes.jar"))
        for inner in (n for n in names if n.startswith("libs/") and n.endswith(".jar")):
            (deps / (aar.stem + "-" + pathlib.Path(inner).name)).write_bytes(z.read(inner))
    aar.unlink()
PY
CLASSPATH_APP="$(find "$DEPS" -name '*.jar' | sort | paste -sd: -)"

# The compiler itself, and the Compose plugin it loads.
mvn_q -f android/app-check/kotlinc.xml dependency:build-classpath -Dmdep.outputFile="$OUT/kotlinc.classpath"
KOTLINC_CP="$(cat "$OUT/kotlinc.classpath")"
COMPOSE_PLUGIN="$(tr ':' '\n' <"$OUT/kotlinc.classpath" | grep '/kotlin-compose-compiler-plugin-embeddable-')"

SOURCES=(android/app/src/main/kotlin android/ui/src/main/kotlin android/core-kotlin/src/main/kotlin build/bindings/kotlin)
rm -rf "$OUT/classes"
started=$(date +%s)
java -cp "$KOTLINC_CP" org.jetbrains.kotlin.cli.jvm.K2JVMCompiler \
    -no-stdlib -no-reflect -jvm-target 17 \
    -Xplugin="$COMPOSE_PLUGIN" \
    -classpath "$CLASSPATH_APP" \
    -d "$OUT/classes" \
    "${SOURCES[@]}"
count=$(find "$OUT/classes/it/comunicapp/app" -name '*.class' | wc -l)
((count > 0)) || { echo "android-shell-check: no class compiled" >&2; exit 1; }
echo "android-shell-check: android/app compiled against $(find "$DEPS" -name '*.jar' | wc -l) jars (android-all + Jetpack), $count shell classes, in $(( $(date +%s) - started )) s"
