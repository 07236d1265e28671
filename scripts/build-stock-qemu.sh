#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Stock QEMU from the same pinned tarball, without our overlay: upstream's
# xen-pci-passthrough, the baseline of the stubdomain scenarios (upstream
# 10.0.13 finds a function behind a stubdomain's pcifront; Debian 12's QEMU
# 7.2 cannot). Only the edk2 build fix (patches/0001) and our device list
# (configs/devices/x86_64-softmmu/xenpt-overlay.mak, which upstream's
# xen-pt needs as much as ours) are added. Same configure line as
# prepare-qemu.sh. Result: build/qemu-stock/qemu-system-x86_64 (built only
# when missing or when the pin changed).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/qemu-pin.sh"

SRC=$top/build/qemu-stock-src
BLD=$top/build/qemu-stock
DEVICES=xenpt-overlay
# ours' options but -Werror (upstream's code is not ours to fix)
CONFIGURE_ARGS=("${QEMU_CONFIGURE_BASE[@]}"
    --without-default-devices --with-devices-x86_64=$DEVICES)

export CCACHE_DIR=${CCACHE_DIR:-/var/cache/xenpt-overlay/ccache}
export CCACHE_BASEDIR=$SRC
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

log() { printf 'build-stock-qemu: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# One QEMU build at a time on this machine.
exec 8>/var/lock/xenpt-qemu-build.lock
flock 8

stamp=$(cat "$top/scripts/qemu-pin.sh" "$top/patches/0001-pc-bios-skip-edk2-blobs.patch" \
        "$top/configs/devices/x86_64-softmmu/$DEVICES.mak" | sha256sum | cut -d' ' -f1)
if [ -x "$BLD/qemu-system-x86_64" ] && [ "$(cat "$BLD/.stock-stamp" 2>/dev/null)" = "$stamp" ]; then
    log "stock QEMU up to date: ${BLD#"$top"/}/qemu-system-x86_64"
    exit 0
fi
tarball=$("$top/scripts/fetch-qemu.sh")
log "extracting $(basename "$tarball") into ${SRC#"$top"/}"
rm -rf "$SRC" "$BLD"
mkdir -p "$SRC" "$BLD"
tar -xf "$tarball" -C "$SRC" --strip-components=1
patch -d "$SRC" -p1 --batch --forward --silent --no-backup-if-mismatch \
    <"$top/patches/0001-pc-bios-skip-edk2-blobs.patch" >/dev/null ||
    die "patches/0001 no longer applies"
cp "$top/configs/devices/x86_64-softmmu/$DEVICES.mak" "$SRC/configs/devices/x86_64-softmmu/"
log "configuring and building in ${BLD#"$top"/} (cold: ~4 min)"
(cd "$BLD" && "$SRC/configure" "${CONFIGURE_ARGS[@]}" >configure.log 2>&1) ||
    { tail -n 30 "$BLD/configure.log" >&2; die "configure failed"; }
ninja -C "$BLD" qemu-system-x86_64 >"$BLD/build.log" 2>&1 ||
    { tail -n 30 "$BLD/build.log" >&2; die "build failed"; }
echo "$stamp" >"$BLD/.stock-stamp"
log "stock QEMU: ${BLD#"$top"/}/qemu-system-x86_64"
