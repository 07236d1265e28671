#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fetch Debian's QEMU source package at the pinned version into a cache
# directory outside the work tree and verify the orig tarball's sha256.
# Prints the verified tarball's path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/qemu-pin.sh"

CACHE=${XENPT_CACHE:-/var/cache/xenpt-overlay}
tarball="$CACHE/$QEMU_ORIG_TARBALL"

log() { printf 'fetch-qemu: %s\n' "$*" >&2; }

verify() {
    local got
    got=$(sha256sum "$1" | cut -d' ' -f1)
    if [ "$got" != "$QEMU_ORIG_SHA256" ]; then
        log "sha256 mismatch for $1"
        log "  expected $QEMU_ORIG_SHA256"
        log "  got      $got"
        return 1
    fi
}

mkdir -p "$CACHE"
# one download at a time (make check fetches it in the background)
exec 7>"$CACHE/.fetch-qemu.lock"
flock 7
if [ -f "$tarball" ] && verify "$tarball"; then
    echo "$tarball"
    exit 0
fi
rm -f "$tarball"
log "downloading $QEMU_DEB_PACKAGE=$QEMU_DEB_VERSION (source) into $CACHE"
(cd "$CACHE" &&
    apt-get source --download-only -qq \
        "$QEMU_DEB_PACKAGE=$QEMU_DEB_VERSION") >&2 || {
    log "apt-get source failed: is the deb-src line for $QEMU_DEB_SRC_SUITE"
    log "present (scripts/setup-host.sh writes it) and 'apt-get update' done?"
    exit 1
}
[ -f "$tarball" ] || { log "$tarball missing after download"; exit 1; }
verify "$tarball" || { rm -f "$tarball"; exit 1; }
echo "$tarball"
