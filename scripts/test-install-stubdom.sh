#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make install-stubdom installs the image of the host's Debian release into
# the boot directory of that release's Xen, and refuses a host without it.
# Run after both images are built (make check: after the packages). The
# host is faked: its os-release (OS_RELEASE) and its root for libxl's boot
# directories (XENPT_LIBXL_ROOT). Prints one line per case, "ok: ..." or
# "not ok: ...", and exits 1 if any failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
ok() { echo "ok: $*"; }
nok() { echo "not ok: $*"; bad=1; }

# install_case CODENAME XEN_DIRS...: a fake host of that release with those
# /usr/lib/xen-*/boot directories; make install-stubdom's exit status and
# output in $tmp/out.
install_case() {
    local codename=$1 d; shift
    rm -rf "$tmp/root"; mkdir -p "$tmp/root"
    for d in "$@"; do mkdir -p "$tmp/root/usr/lib/xen-$d/boot"; done
    printf 'ID=debian\nVERSION_CODENAME=%s\n' "$codename" >"$tmp/os-release"
    make -s -C "$top" install-stubdom OS_RELEASE="$tmp/os-release" \
        XENPT_LIBXL_ROOT="$tmp/root" >"$tmp/out" 2>&1
}
same_files() {
    cmp -s "$1/qemu-stubdom-linux-kernel" "$2/qemu-stubdom-linux-kernel" &&
        cmp -s "$1/qemu-stubdom-linux-rootfs" "$2/qemu-stubdom-linux-rootfs"
}

for c in "bookworm 4.17 build/stubdom" "trixie 4.20 build/stubdom-trixie"; do
    read -r rel xen img <<<"$c"
    if install_case "$rel" 4.17 4.20 &&
       same_files "$tmp/root/usr/lib/xen-$xen/boot" "$top/$img" &&
       [ -z "$(ls -A "$tmp/root/usr/lib/xen-$([ "$xen" = 4.17 ] && echo 4.20 || echo 4.17)/boot")" ]; then
        ok "a Debian $rel host gets $img in /usr/lib/xen-$xen/boot only"
    else
        nok "a Debian $rel host: $(tail -n3 "$tmp/out" | tr '\n' ' ')"
    fi
done
# Debian 13's image on a host with only Xen 4.17's toolstack: refused
if ! install_case trixie 4.17 &&
   grep -q "no $tmp/root/usr/lib/xen-4.20/boot: this host has not Xen 4.20's toolstack" "$tmp/out" &&
   [ -z "$(ls -A "$tmp/root/usr/lib/xen-4.17/boot")" ]; then
    ok "Debian 13's image refused on a host without Xen 4.20's toolstack, nothing installed"
else
    nok "Debian 13's image on a Xen 4.17 host: $(tail -n3 "$tmp/out" | tr '\n' ' ')"
fi
# Another release: refused, naming STUBDOM_RELEASE
if ! install_case sid 4.17 4.20 && grep -q "set STUBDOM_RELEASE" "$tmp/out"; then
    ok "a host of another release is refused, naming STUBDOM_RELEASE"
else
    nok "a host of another release: $(tail -n3 "$tmp/out" | tr '\n' ' ')"
fi
exit "$bad"
