# Sourced by scripts/kotlin-test.sh and the scripts/android-*.sh entry points: the JDK, Maven and the fonts they need,
# installed from Debian only when missing, and CACHE_DIR (shared with the other test layers).
CACHE_DIR="${CACHE_DIR:-${HOME:+$HOME/.cache/comunicapp}}"; CACHE_DIR="${CACHE_DIR:-$REPO_ROOT/.cache}"
mkdir -p "$CACHE_DIR/m2"
CACHE_DIR="$(cd "$CACHE_DIR" && pwd)"
# One Maven run at a time writes the shared repository.
source "$(dirname "${BASH_SOURCE[0]}")/cache-lock.sh"
cache_lock m2

# Refreshes the package lists only if apt cannot find the packages as they are.
apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" \
        || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; }
}
java_major() { javac -version 2>&1 | sed -nE 's/^javac ([0-9]+).*/\1/p'; }
if ! command -v javac >/dev/null || (($(java_major || echo 0) < 17)); then
    apt_install default-jdk-headless
fi
command -v mvn >/dev/null || apt_install maven
# Skia finds its fonts through fontconfig; the screens are drawn and measured with DejaVu.
if [[ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || ! command -v fc-list >/dev/null; then
    apt_install fonts-dejavu-core fontconfig
fi
