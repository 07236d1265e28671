#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `make deb` on a Debian 13 host, proved in a fresh Debian 13 system:
# mmdebstrap makes one from Debian's archive (a minimal Debian system:
# its required and important packages, as debootstrap installs; with git,
# make and ca-certificates), this repository's HEAD is cloned into it, and
# `make deb` runs there as root (chroot) from nothing: its own apt sources
# and build dependencies (scripts/setup-host.sh), build roots, package
# caches and builds. Shared with this host: /etc/resolv.conf and
# /var/cache/xenpt-overlay (QEMU's source tarball, checked against its
# pinned sha256, and ccache).
#
#   scripts/deb-on-trixie.sh      (root)
#
# The system is DEB_TRIXIE_SYS (default /var/tmp/xenpt-trixie-host), made
# again on each run. Results in build/deb-on-trixie/: make-deb.log, each
# release's package, lintian report and install-test outputs, summary.txt.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
sys=${DEB_TRIXIE_SYS:-/var/tmp/xenpt-trixie-host}
out=$top/build/deb-on-trixie
src=/src/xenpt

log() { printf 'deb-on-trixie: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap, chroot, mounts)"

# unmount_all: everything mounted under the system (ours and what its
# builds left), deepest first
unmount_all() {
    awk -v r="$sys/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
trap unmount_all EXIT

unmount_all
if awk -v r="$sys/" 'index($2, r) == 1 { f = 1 } END { exit !f }' /proc/mounts; then
    die "still mounted under $sys: not removing it"
fi
rm -rf "$sys" "$out"
mkdir -p "$out"
t0=$(date +%s)
log "making a fresh Debian 13 system in $sys"
mmdebstrap --quiet --variant=important --include=git,make,ca-certificates trixie "$sys" \
    "deb http://deb.debian.org/debian trixie main" \
    "deb http://deb.debian.org/debian trixie-updates main" \
    "deb http://deb.debian.org/debian-security trixie-security main" \
    >"$out/mmdebstrap.log" 2>&1 || { tail -n 20 "$out/mmdebstrap.log" >&2; die "mmdebstrap failed"; }
t1=$(date +%s)
# (name resolution as on this host)
cp -L /etc/resolv.conf "$sys/etc/resolv.conf"
git clone -q "$top" "$sys$src"
mkdir -p "$sys/var/cache/xenpt-overlay"
mount -t proc proc "$sys/proc"
mount -t sysfs sysfs "$sys/sys"
mount --rbind /dev "$sys/dev"
# (/var/lock is /run/lock, as on a booted system)
mount -t tmpfs tmpfs "$sys/run"
mkdir -p "$sys/run/lock"
mount --bind /var/cache/xenpt-overlay "$sys/var/cache/xenpt-overlay"

log "make deb in it (log: ${out#"$top"/}/make-deb.log)"
rc=0
chroot "$sys" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    sh -c "cd $src && make deb" >"$out/make-deb.log" 2>&1 || rc=$?
t2=$(date +%s)

{
    echo "host: $(. "$sys/etc/os-release"; echo "$PRETTY_NAME") (fresh, mmdebstrap $(date -u +%F))"
    echo "tree: $(git -C "$sys$src" rev-parse --short=12 HEAD)"
    echo "make deb: exit $rc, $(( t2 - t1 )) s (the system made in $(( t1 - t0 )) s)"
    for rel in bookworm trixie; do
        d=$sys$src/build/deb/$rel
        deb=$(ls -t "$d"/qemu-xenpt_*_amd64.deb 2>/dev/null | head -n1)
        if [ -z "$deb" ]; then
            echo "$rel: no package"
            continue
        fi
        mkdir -p "$out/$rel"
        cp "$deb" "$d/lintian.txt" "$out/$rel/" 2>/dev/null || true
        cp "$d"/installed/*.txt "$out/$rel/" 2>/dev/null || true
        echo "$rel: $(basename "$deb"), lintian: $(grep -c '^E:' "$d/lintian.txt" 2>/dev/null || true) errors," \
            "$(grep -c '^W:' "$d/lintian.txt" 2>/dev/null || true) warnings; installed: $(cat "$d/installed/status.txt" 2>/dev/null || echo none)"
        echo "$rel: device model in the clean $rel system: $(grep -c . "$d/installed/hvm-help.txt" 2>/dev/null || echo 0) lines of xen-pci-passthrough,help"
    done
    echo "stubdomain images: $(for s in stubdom stubdom-trixie; do
        printf '%s (%s) ' "$s" "$(sed -n 's/^kernel //p' "$sys$src/build/$s/manifest.txt" 2>/dev/null)"; done)"
    echo "QEMU each image took: $(for s in stubdom stubdom-trixie; do
        printf '%s %s ' "$s" "$(sed -n 's/^qemu //p' "$sys$src/build/$s/manifest.txt" 2>/dev/null | cut -c1-16)"; done)"
    for q in build/qemu-system-x86_64 build/qemu-bookworm/qemu-system-x86_64 build/qemu-trixie/qemu-system-x86_64; do
        [ -x "$sys$src/$q" ] && echo "$q: sha256 $(sha256sum "$sys$src/$q" | cut -c1-16)"
    done
} >"$out/summary.txt"
# the log without ninja's progress lines
grep -Ev '^\[[0-9]+/[0-9]+\] ' "$out/make-deb.log" >"$out/make-deb-steps.log" || true
cat "$out/summary.txt"
[ "$rc" = 0 ] || { tail -n 30 "$out/make-deb.log" >&2; die "make deb failed in the Debian 13 system"; }
log "done in $(( t2 - t0 )) s"
