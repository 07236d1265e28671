# Common settings and helpers for the e2e test bed (host side). Sourced, not run.
# shellcheck shell=bash

E2E_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$E2E_SRC/../.." && pwd)

# The Debian release the bed is made of (Xen, dom0 and guest kernel, xl, the
# baseline QEMU, our package): bookworm (Debian 12, Xen 4.17, Linux 6.1) or
# trixie (Debian 13, Xen 4.20, Linux 6.12). Each has its own package cache
# and output directory.
E2E_RELEASE=${E2E_RELEASE:-bookworm}
case "$E2E_RELEASE" in
bookworm) XEN_VER=4.17; KVER_SERIES=6.1; rel_sfx= ;;
trixie) XEN_VER=4.20; KVER_SERIES=6.12; rel_sfx=-trixie ;;
*) printf '[e2e] ERROR: E2E_RELEASE=%s: bookworm or trixie\n' "$E2E_RELEASE" >&2; exit 1 ;;
esac
export E2E_RELEASE   # stubdom/build.sh and check-expected.sh read it too
CACHE=${E2E_CACHE:-/var/cache/xenpt-e2e}${rel_sfx:+/$E2E_RELEASE}
OUT=${E2E_OUT:-$REPO/build/e2e$rel_sfx}
DEBS=$CACHE/debs
PKGS=$CACHE/pkgs
IMG=$OUT/images
RESULTS=$OUT/results
LOGS=$OUT/logs

# The outer QEMU (Debian's qemu-system-x86 7.2, see docs/nested-xen notes).
OUTER_QEMU=${E2E_OUTER_QEMU:-/usr/bin/qemu-system-x86_64}
# The host's Debian release. The bed (or stubdomain image) of that release
# takes the host's apt and libraries and our host build; another release's
# a private apt configuration (lib/pkg.sh), its build root
# (scripts/release-root.sh) and our build in that root
# (scripts/release-qemu.sh RELEASE: build/qemu-RELEASE).
HOST_RELEASE=$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}")
bed_is_host() { [ "$E2E_RELEASE" = "$HOST_RELEASE" ]; }
# Our device model (later "ours" scenarios); optional for the baselines:
# built against the release's libraries (on Debian 12: make qemu-trixie
# for Debian 13's; on Debian 13: make qemu-bookworm for Debian 12's).
if bed_is_host; then
    OURS_QEMU=${E2E_OURS_QEMU:-$REPO/build/qemu-system-x86_64}
else
    OURS_QEMU=${E2E_OURS_QEMU:-$REPO/build/qemu-$E2E_RELEASE/qemu-system-x86_64}
fi
# Our stubdomain image for the release (stubdom/build.sh's output)
STUBDOM_OURS=$REPO/build/stubdom$rel_sfx
# the packages the stubdomain image is made of (stubdom/build.sh), besides
# the kernel's
STUB_PKGS=(busybox-static xenstore-utils xen-utils-$XEN_VER qemu-system-data libc6)
# or our Debian package (make deb), unpacked into dom0 as dpkg would
OURS_DEB=${E2E_OURS_DEB:-}

ARCH_TRIPLET=x86_64-linux-gnu

# Debian packages that make up the bed (libraries they need are resolved
# automatically from ELF NEEDED entries, see lib/pkg.sh: resolve_libs).
PKG_LIST=(
    xen-hypervisor-$XEN_VER-amd64 xen-utils-$XEN_VER xen-utils-common xenstore-utils
    libxenmisc$XEN_VER libxenstore4 libxencall1 libxendevicemodel1 libxenevtchn1
    libxenforeignmemory1 libxengnttab1 libxenhypfs1 libxentoolcore1 libxentoollog1
    busybox-static pciutils libpci3 pci.ids strace udev libsystemd-shared
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

# pkg_file PKG PATH: PATH (absolute, without /usr) in the unpacked PKG,
# under /usr or not (Debian 13's packages moved theirs to /usr)
pkg_file() {
    local f
    for f in "$PKGS/$1$2" "$PKGS/$1/usr$2"; do
        [ -e "$f" ] && { echo "$f"; return 0; }
    done
    echo "pkg_file: $2 not in package $1 ($E2E_RELEASE)" >&2
    return 1
}

# Busybox from the unpacked package runs on the host too (cpio -o, etc.).
bb() { "$(pkg_file busybox-static /bin/busybox)" "$@"; }

# root_basics ROOT: usrmerge links (/lib -> usr/lib, /var/run -> ../run),
# busybox with a link per applet, the loader where ELF files look for it.
# The directories exist already.
root_basics() {
    local r=$1 a
    ln -s usr/lib "$r/lib"   # /lib/x86_64-linux-gnu is ld.so's default path too
    ln -s ../run "$r/var/run"
    cp "$(pkg_file busybox-static /bin/busybox)" "$r/bin/busybox"
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

# nvme_pattern TAG: the 4 MiB a guest writes to its region of the bed's
# NVMe namespace (the same as guest/baseline.sh's nvme_pattern): 4096 lines
# of 1024 bytes, "xenpt-e2e nvme TAG block N" padded with blanks.
nvme_pattern() {
    awk -v t="$1" 'BEGIN { for (i = 0; i < 4096; i++) printf "%-1023s\n", "xenpt-e2e nvme " t " block " i }'
}

# usb_pattern: the file on the bed's USB disk (lib/boot.sh USB_IMG), which
# a guest reads back (the same as guest/baseline.sh's usb_pattern): 1024
# lines of 1024 bytes, "xenpt-e2e usb block N" padded with blanks.
usb_pattern() {
    awk 'BEGIN { for (i = 0; i < 1024; i++) printf "%-1023s\n", "xenpt-e2e usb block " i }'
}
