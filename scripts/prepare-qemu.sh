#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Turn this repository into a QEMU source tree and build it:
#   1. extract the pinned upstream tarball into build/qemu-src (only when the
#      pin, our patches or our removal list changed),
#   2. remove the upstream files we replace, apply patches/*.patch,
#   3. overlay our tree (only changed files are rewritten, so ninja rebuilds
#      just what we edited),
#   4. configure a minimal Xen-enabled x86_64-softmmu once, build with ccache.
# The device model ends up at build/qemu-system-x86_64.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/qemu-pin.sh"

SRC=$top/build/qemu-src
BLD=$top/build/qemu
OVERLAY_DIRS=(hw include tests docs configs)
REMOVE_LIST=$top/scripts/overlay-remove.txt
DEVICES=xenpt-overlay
CONFIGURE_ARGS=("${QEMU_CONFIGURE_BASE[@]}" --enable-werror
    --without-default-devices --with-devices-x86_64=$DEVICES)
TARGETS=(qemu-system-x86_64 ${XENPT_EXTRA_TARGETS:-})

export CCACHE_DIR=${CCACHE_DIR:-/var/cache/xenpt-overlay/ccache}
export CCACHE_BASEDIR=$top
export CCACHE_NOHASHDIR=1
# ccache hashes the locale (the compiler's messages depend on it): the
# same as in the build roots (release-qemu.sh, deb.sh), so that they share
export LANG=C.UTF-8
unset LC_ALL LC_CTYPE LC_MESSAGES
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

log() { printf 'prepare-qemu: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# One QEMU build at a time on this machine (helper sessions share it).
exec 8>/var/lock/xenpt-qemu-build.lock
flock 8

source_stamp() {
    {
        echo "$QEMU_DEB_VERSION $QEMU_ORIG_SHA256"
        cat "$REMOVE_LIST"
        for p in "$top"/patches/*.patch; do
            [ -e "$p" ] && { echo "== $p"; cat "$p"; }
        done
    } | sha256sum | cut -d' ' -f1
}

overlay_manifest() {
    (cd "$top" && git ls-files -co --exclude-standard -- "${OVERLAY_DIRS[@]}" |
        sort)
}

extract() {
    local tarball
    tarball=$("$top/scripts/fetch-qemu.sh")
    log "extracting $(basename "$tarball") into ${SRC#"$top"/}"
    rm -rf "$SRC"
    mkdir -p "$SRC"
    tar -xf "$tarball" -C "$SRC" --strip-components=1
    local f
    while read -r f; do
        case "$f" in ''|'#'*) continue ;; esac
        [ -e "$SRC/$f" ] || die "overlay-remove.txt names $f, absent upstream"
        rm -f "$SRC/$f"
    done < "$REMOVE_LIST"
    for p in "$top"/patches/*.patch; do
        [ -e "$p" ] || continue
        if ! patch -d "$SRC" -p1 --batch --forward --silent \
                --no-backup-if-mismatch < "$p" >/dev/null; then
            die "patch $(basename "$p") no longer applies to QEMU" \
                "$QEMU_DEB_VERSION; refresh it (the source tree is left" \
                "in ${SRC#"$top"/} for inspection)"
        fi
    done
    : > "$SRC/.xenpt-manifest"
}

link_firmware() {
    # In a build tree QEMU finds firmware only under its qemu-bundle; the +ds
    # tarball carries none, so point it at Debian's packaged images.
    local dir=$BLD/qemu-bundle/usr/share/qemu f
    mkdir -p "$dir"
    for f in /usr/share/seabios/*.bin /usr/lib/ipxe/qemu/*.rom \
             /usr/share/qemu/linuxboot*.bin /usr/share/qemu/kvmvapic.bin \
             /usr/share/qemu/multiboot*.bin /usr/share/qemu/pvh.bin; do
        [ -e "$f" ] && ln -sfn "$f" "$dir/$(basename "$f")"
    done
    return 0
}

stamp=$(source_stamp)
if [ "$(cat "$SRC/.xenpt-stamp" 2>/dev/null)" != "$stamp" ]; then
    extract
    echo "$stamp" > "$SRC/.xenpt-stamp"
fi

# A file that left our tree may shadow upstream's or linger: start afresh.
manifest=$(overlay_manifest)
if [ -n "$(comm -23 "$SRC/.xenpt-manifest" <(echo "$manifest"))" ]; then
    log "files were removed from the overlay; re-extracting"
    extract
    echo "$stamp" > "$SRC/.xenpt-stamp"
fi
(cd "$top" && echo "$manifest" |
    rsync -rc --files-from=- ./ "$SRC/")
echo "$manifest" > "$SRC/.xenpt-manifest"

args_stamp=$(printf '%s\n' "${CONFIGURE_ARGS[@]}" | sha256sum | cut -d' ' -f1)
if [ ! -f "$BLD/build.ninja" ] ||
   [ "$(cat "$BLD/.xenpt-configure" 2>/dev/null)" != "$args_stamp" ]; then
    log "configuring in ${BLD#"$top"/}"
    rm -rf "$BLD"
    mkdir -p "$BLD"
    (cd "$BLD" && "$SRC/configure" "${CONFIGURE_ARGS[@]}" > configure.log 2>&1) ||
        { tail -n 30 "$BLD/configure.log" >&2; die "configure failed"; }
    echo "$args_stamp" > "$BLD/.xenpt-configure"
fi

log "building ${TARGETS[*]}"
ninja -C "$BLD" "${TARGETS[@]}" >&2
link_firmware
ln -sfn qemu/qemu-system-x86_64 "$top/build/qemu-system-x86_64"
log "device model: build/qemu-system-x86_64"
