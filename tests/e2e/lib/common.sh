# Common settings and helpers for the e2e test bed (host side). Sourced, not run.
# shellcheck shell=bash

E2E_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$E2E_SRC/../.." && pwd)
CACHE=${E2E_CACHE:-/var/cache/xenpt-e2e}
OUT=${E2E_OUT:-$REPO/build/e2e}
DEBS=$CACHE/debs
PKGS=$CACHE/pkgs
IMG=$OUT/images
RESULTS=$OUT/results
LOGS=$OUT/logs

# The outer QEMU (Debian's qemu-system-x86 7.2, see docs/nested-xen notes).
OUTER_QEMU=${E2E_OUTER_QEMU:-/usr/bin/qemu-system-x86_64}
# Our device model (later "ours" scenarios); optional for the baselines.
OURS_QEMU=${E2E_OURS_QEMU:-$REPO/build/qemu-system-x86_64}
# or our Debian package (make deb), unpacked into dom0 as dpkg would
OURS_DEB=${E2E_OURS_DEB:-}

KVER_SERIES=6.1            # bookworm kernel series
ARCH_TRIPLET=x86_64-linux-gnu

# Debian packages that make up the bed (libraries they need are resolved
# automatically from ELF NEEDED entries, see lib/pkg.sh: resolve_libs).
PKG_LIST=(
    xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils
    libxenmisc4.17 libxenstore4 libxencall1 libxendevicemodel1 libxenevtchn1
    libxenforeignmemory1 libxengnttab1 libxenhypfs1 libxentoolcore1 libxentoollog1
    busybox-static pciutils libpci3 pci.ids strace
    qemu-system-xen qemu-system-data seabios
    libc6 libgcc-s1
)

log()  { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '[e2e] ERROR: %s\n' "$*" >&2; exit 1; }

# Elapsed-time helpers (bash 5: $EPOCHREALTIME, no forks).
now_ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }
fmt_ms() { printf '%d.%01d s' $(( $1 / 1000 )) $(( ($1 % 1000) / 100 )); }

# sha256 of a list of files/strings, used as cache keys.
hash_files() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# Busybox from the unpacked package runs on the host too (cpio -o, etc.).
bb() { "$PKGS/busybox-static/bin/busybox" "$@"; }

# root_basics ROOT: usrmerge links (/lib -> usr/lib, /var/run -> ../run),
# busybox with a link per applet, the loader where ELF files look for it.
# The directories exist already.
root_basics() {
    local r=$1 a
    ln -s usr/lib "$r/lib"   # /lib/x86_64-linux-gnu is ld.so's default path too
    ln -s ../run "$r/var/run"
    cp "$PKGS/busybox-static/bin/busybox" "$r/bin/busybox"
    for a in $(bb --list); do
        [ "$a" = busybox ] || [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
    done
    ln -s "/usr/lib/$ARCH_TRIPLET/ld-linux-x86-64.so.2" "$r/lib64/ld-linux-x86-64.so.2"
}

# Write a newc cpio of directory $1 to file $2 (owner root).
mk_cpio() {
    local dir=$1 out=$2
    ( cd "$dir" && find . -mindepth 1 | sed 's,^\./,,' | LC_ALL=C sort | bb cpio -o -H newc -R 0:0 ) >"$out.tmp" 2>/dev/null \
        || die "cpio of $dir failed"
    # Pad to 512 bytes: archives are concatenated and each must start 4-aligned.
    local size pad
    size=$(stat -c %s "$out.tmp"); pad=$(( (512 - size % 512) % 512 ))
    [ "$pad" -eq 0 ] || head -c "$pad" /dev/zero >>"$out.tmp"
    mv "$out.tmp" "$out"
}
