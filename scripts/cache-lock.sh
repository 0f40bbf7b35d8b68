# Sourced by the scripts that fill the shared cache ($CACHE_DIR: the Swift chroot, the Maven
# repository, npm's tree-sitter, cargo-installed tools). Every checkout on the machine shares it,
# so two runs at once (a CI clone beside a workstation's `make test`) would otherwise build the
# same chroot or write the same Maven files together.
#
# cache_lock NAME: waits (up to 45 min) for $CACHE_DIR/NAME.lock and holds it until the script
# exits; the kernel drops it when the process dies, so a killed run never leaves it held.
cache_lock() {
    local name="$1" fd
    mkdir -p "$CACHE_DIR"
    exec {fd}>"$CACHE_DIR/$name.lock"
    if ! flock -n "$fd"; then
        echo "cache-lock: waiting for another run holding $CACHE_DIR/$name.lock" >&2
        flock -w 2700 "$fd" || { echo "cache-lock: $name still held after 45 min" >&2; return 1; }
    fi
}
