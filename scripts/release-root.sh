#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A build root of another Debian release, made from Debian's archive with
# mmdebstrap (no container runtime), cached; prints its path.
#
#   scripts/release-root.sh RELEASE        RELEASE: bookworm (Debian 12)
#                                          or trixie (Debian 13)
#
# Holds that release's toolchain and what the standalone build and the
# device model need (meson, ninja, glib, the Xen libraries: libxen-dev), and
# dpkg-buildpackage's and lintian's for its package. Kept in
# $XENPT_ROOTS (default /var/cache/xenpt-roots)/RELEASE; made again when
# its package list changes (a stamp beside it). Needs root.
set -euo pipefail

release=${1:-}
case "$release" in
bookworm|trixie) ;;
*) echo "release-root: unknown release '$release' (known: bookworm, trixie)" >&2; exit 2 ;;
esac
roots=${XENPT_ROOTS:-/var/cache/xenpt-roots}
root=$roots/$release
# the standalone build's needs, then the device model's (QEMU's configure
# as scripts/qemu-pin.sh gives it: Xen, KVM, no TCG)
pkgs=build-essential,meson,ninja-build,pkg-config,libglib2.0-dev,libxen-dev
pkgs=$pkgs,python3-venv,python3-pycotap,flex,bison,libpixman-1-dev,zlib1g-dev,libfdt-dev,ccache
# and the package build's (scripts/deb.sh)
pkgs=$pkgs,debhelper,lintian
# Debian 12's meson (1.0) is older than QEMU 10's minimum (1.5) and its
# pycotap is only in backports: a bookworm root takes both from
# bookworm-backports, as the host build does (scripts/setup-host.sh) and as
# Debian's own backport of QEMU 10 is built
# with the release's updates and security suites, as a Debian system has
# them (and as this Debian 12 host has: so the bookworm root's compiler
# and headers are the host's, and ccache serves the package build from
# the host build)
sources=("deb http://deb.debian.org/debian $release main"
         "deb http://deb.debian.org/debian $release-updates main"
         "deb http://deb.debian.org/debian-security $release-security main")
if [ "$release" = bookworm ]; then
    sources+=("deb http://deb.debian.org/debian bookworm-backports main")
    pkgs=${pkgs/meson,/meson\/bookworm-backports,}
    pkgs=${pkgs/python3-pycotap,/python3-pycotap\/bookworm-backports,}
fi
want="$release $pkgs ${sources[*]}"

log() { printf 'release-root: %s\n' "$*" >&2; }

# One maker per root: a caller that finds another making it waits for it
# (make check makes the roots in the background while it compiles).
mkdir -p "$roots"
exec 7>"$roots/.$release.lock"
flock 7

if [ -f "$root.stamp" ] && [ "$(cat "$root.stamp")" = "$want" ] && [ -x "$root/usr/bin/meson" ]; then
    echo "$root"
    exit 0
fi
[ "$(id -u)" = 0 ] || { log "run as root (mmdebstrap)"; exit 1; }
command -v mmdebstrap >/dev/null || { log "mmdebstrap missing (scripts/setup-host.sh installs it)"; exit 1; }
mkdir -p "$roots"
# Nothing may stay mounted inside (release-qemu.sh bind-mounts build trees
# there; a killed run leaves them): rm -rf would go through a bind mount.
for d in "$root" "$root.new"; do
    awk -v r="$d/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do umount "$m" || { log "cannot unmount $m"; exit 1; }; done
    if awk -v r="$d/" 'index($2, r) == 1 { f = 1 } END { exit !f }' /proc/mounts; then
        log "still mounted under $d: not removing it"; exit 1
    fi
done
rm -rf "$root" "$root.new" "$root.stamp"
log "making the $release build root in $root (Debian's archive)"
t0=$(date +%s)
if ! mmdebstrap --quiet --variant=apt --include="$pkgs" "$release" "$root.new" \
        "${sources[@]}" >"$roots/$release.log" 2>&1; then
    tail -n 20 "$roots/$release.log" >&2
    rm -rf "$root.new"
    log "mmdebstrap failed (log: $roots/$release.log)"
    exit 1
fi
mv "$root.new" "$root"
echo "$want" >"$root.stamp"
log "done in $(( $(date +%s) - t0 )) s ($(du -sm "$root" | cut -f1) MB)"
echo "$root"
