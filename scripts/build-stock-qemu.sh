#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Stock QEMU from the same pinned tarball, without our overlay: upstream's
# xen-pci-passthrough, the baseline of the stubdomain scenarios (upstream
# 10.0.13 finds a function behind a stubdomain's pcifront; Debian 12's QEMU
# 7.2 cannot). Only the edk2 build fix (patches/0001) and our device list
# (configs/devices/x86_64-softmmu/xenpt-overlay.mak, which upstream's
# xen-pt needs as much as ours) are added. Same configure line as
# prepare-qemu.sh, --enable-werror included. Result:
# build/stock/qemu/qemu-system-x86_64 (built only when missing or when the
# pin changed).
#
# The tree is laid out as ours is (qemu-src/ beside the build directory
# qemu/) and compiled with the same flags and locale, so ccache serves
# every object the two share: only upstream's xen-pt files, the few that
# include what our overlay replaces, and the links are built again (cold:
# about a minute after ours, instead of a whole build).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/qemu-pin.sh"

SRC=$top/build/stock/qemu-src
BLD=$top/build/stock/qemu
DEVICES=xenpt-overlay
# ours' options exactly (prepare-qemu.sh), so that the compiler commands
# of the objects the trees share are the same
CONFIGURE_ARGS=("${QEMU_CONFIGURE_BASE[@]}" --enable-werror
    --without-default-devices --with-devices-x86_64=$DEVICES)

export CCACHE_DIR=${CCACHE_DIR:-/var/cache/xenpt-overlay/ccache}
export CCACHE_BASEDIR=$top/build/stock
export CCACHE_NOHASHDIR=1
# ccache hashes the locale (the compiler's messages depend on it): the
# same as in the build roots (release-qemu.sh, deb.sh), so that they share
export LANG=C.UTF-8
unset LC_ALL LC_CTYPE LC_MESSAGES
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

log() { printf 'build-stock-qemu: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# One QEMU build at a time on this machine.
exec 8>/var/lock/xenpt-qemu-build.lock
flock 8

stamp=$(cat "$0" "$top/scripts/qemu-pin.sh" "$top/patches/0001-pc-bios-skip-edk2-blobs.patch" \
        "$top/configs/devices/x86_64-softmmu/$DEVICES.mak" | sha256sum | cut -d' ' -f1)
if [ -x "$BLD/qemu-system-x86_64" ] && [ "$(cat "$BLD/.stock-stamp" 2>/dev/null)" = "$stamp" ]; then
    log "stock QEMU up to date: ${BLD#"$top"/}/qemu-system-x86_64"
    exit 0
fi
tarball=$("$top/scripts/fetch-qemu.sh")
log "extracting $(basename "$tarball") into ${SRC#"$top"/}"
rm -rf "$SRC" "$BLD" "$top/build/qemu-stock" "$top/build/qemu-stock-src"
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
