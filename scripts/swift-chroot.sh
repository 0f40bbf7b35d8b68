#!/usr/bin/env bash
# Builds, once, the Debian 13 "trixie" chroot in which the Swift package is tested on Linux.
# Trixie ships Swift as `swiftlang` (installed under /usr/libexec/swift); the host may be an
# older Debian without it, hence a chroot rather than an apt-get install on the host. The release
# is pinned by name: `stable` moves to the next release one day and the chroot (compiler, libc)
# would change under the tests without a commit saying so.
# Idempotent: a stamp written after mmdebstrap succeeded marks the chroot complete; without the
# stamp (interrupted run) the directory is thrown away and rebuilt.
# Needs root (mmdebstrap root mode, chroot). Prints the chroot path, alone, on stdout; progress
# goes to stderr.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${CACHE_DIR:-${HOME:+$HOME/.cache/comunicapp}}"; CACHE_DIR="${CACHE_DIR:-$REPO_ROOT/.cache}"
mkdir -p "$CACHE_DIR"
CACHE_DIR="$(cd "$CACHE_DIR" && pwd)"
SWIFT_ROOT="$CACHE_DIR/swift-root"
source "$REPO_ROOT/scripts/cache-lock.sh"
cache_lock swift-root
SUITE="${SWIFT_SUITE:-trixie}"
PACKAGES="swiftlang,libc6-dev,libstdc++-14-dev,ca-certificates"
# The stamp records what was asked for, so changing the package list rebuilds the chroot.
STAMP="$CACHE_DIR/swift-root.stamp"
WANTED="suite=$SUITE packages=$PACKAGES"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANTED" && -x "$SWIFT_ROOT/usr/libexec/swift/bin/swift" ]]; then
    echo "swift-chroot: reusing $SWIFT_ROOT" >&2
    echo "$SWIFT_ROOT"
    exit 0
fi

if [[ $EUID -ne 0 ]]; then
    echo "swift-chroot: building the chroot needs root" >&2
    exit 1
fi

# Installs Debian packages only when missing; refreshes the package lists only if apt cannot
# find them as they are.
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
        || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; }
}
apt_install mmdebstrap debian-archive-keyring >&2

# The mirror this machine already uses (deb822 `URIs:` or one-line `deb` entries), skipping the
# security archive, which has no plain suite of its own under that name.
find_mirror() {
    local files=() uri
    [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] && files+=("$f")
    done
    ((${#files[@]})) || return 0
    uri="$(grep -hE '^\s*(URIs:|deb\s)' "${files[@]}" \
        | sed -E 's/^\s*URIs:\s*//; s/^\s*deb\s+(\[[^]]*\]\s+)?//; s/\s.*$//' \
        | tr ' ' '\n' | grep -E '/debian/?$' | grep -v security | head -n1 || true)"
    echo "${uri%/}"
}
MIRROR="${SWIFT_MIRROR:-$(find_mirror)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

echo "swift-chroot: building $SWIFT_ROOT from $MIRROR ($SUITE)" >&2
rm -f "$STAMP"
# A test run killed mid-way can leave /proc mounted inside; deleting through a live mount
# would reach outside the chroot, so unmount first and refuse if anything is still mounted.
if [[ -d "$SWIFT_ROOT" ]]; then
    findmnt -rn -o TARGET | grep -F "$SWIFT_ROOT/" | sort -r | xargs -r -n1 umount -l || true
    if findmnt -rn -o TARGET | grep -qF "$SWIFT_ROOT/"; then
        echo "swift-chroot: something is still mounted under $SWIFT_ROOT; not deleting it" >&2
        exit 1
    fi
fi
rm -rf --one-file-system "$SWIFT_ROOT"
mmdebstrap --variant=apt --include="$PACKAGES" "$SUITE" "$SWIFT_ROOT" "$MIRROR" >&2
echo "$WANTED" >"$STAMP"
echo "$SWIFT_ROOT"
