#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A Linux stubdomain image for our QEMU, from Debian packages only:
#
#   stubdom/build.sh                  build (only when an input changed)
#   stubdom/build.sh install [DIR]    copy the two files to libxl's default
#                                     names in DIR (default: libxl's boot
#                                     directory, /usr/lib/xen-<ver>/boot)
#
# Products, in build/stubdom/ (STUBDOM_OUT):
#   qemu-stubdom-linux-kernel   Debian's kernel (bzImage) of the release
#   qemu-stubdom-linux-rootfs   xz-compressed newc cpio: busybox, our QEMU
#                               (STUBDOM_QEMU: another one, e.g. a baseline)
#                               and exactly the libraries it needs, the Xen
#                               modules incl. xen-pcifront, xenstore tools,
#                               vchan-socket-proxy, /init (stubdom/init)
#   manifest.txt                inputs (package versions, QEMU sha256), sizes
#
# Packages are fetched with apt-get download and unpacked, never installed
# (cache: /var/cache/xenpt-e2e, shared with the e2e bed). Needs root.
set -euo pipefail

STUBDOM_SRC=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/e2e/lib/common.sh
. "$STUBDOM_SRC/../tests/e2e/lib/common.sh"
# shellcheck source=../tests/e2e/lib/pkg.sh
. "$STUBDOM_SRC/../tests/e2e/lib/pkg.sh"

log() { printf '[stubdom %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[stubdom] ERROR: %s\n' "$*" >&2; exit 1; }

# E2E_RELEASE (lib/common.sh) picks the Debian release of everything in it
SOUT=${STUBDOM_OUT:-$STUBDOM_OURS}
QEMU_BIN=${STUBDOM_QEMU:-$OURS_QEMU}
# What the stubdomain's kernel loads (closure from .modinfo).
STUB_MODULES=(xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-pcifront)

kernel_ver() { kver; }

inputs_key() {
    { for p in "${STUB_PKGS[@]}" "$(kernel_pkg)"; do
          echo "$p $(cat "$PKGS/$p/.e2e-version")"; done
      sha256sum "$(readlink -f "$QEMU_BIN")" | cut -d' ' -f1
      cat "$STUBDOM_SRC/build.sh" "$STUBDOM_SRC/init" \
          "$REPO/tests/e2e/lib/pkg.sh" "$REPO/tests/e2e/lib/common.sh"; } | sha256sum | cut -c1-16
}

stage_rootfs() {
    local r=$1 kp kv
    kp=$PKGS/$(kernel_pkg); kv=$(kernel_ver)
    rm -rf "$r"
    mkdir -p "$r"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,var/log} \
             "$r"/usr/{bin,sbin,lib/$ARCH_TRIPLET,libexec/qemu-xenpt,share/qemu/keymaps} "$r/lib64"
    root_basics "$r"
    local x
    for x in xenstore-read xenstore-write xenstore-list xenstore-exists xenstore-ls xenstore; do
        cp -a "$PKGS/xenstore-utils/usr/bin/$x" "$r/usr/bin/"
    done
    cp "$PKGS/xen-utils-$XEN_VER/usr/lib/xen-$XEN_VER/bin/vchan-socket-proxy" "$r/usr/bin/"
    # the device model, whichever QEMU it is (init runs /usr/bin/qemu-dm), where
    # our package puts it: it finds /usr/share/qemu relative to that place
    strip --strip-debug -o "$r/usr/libexec/qemu-xenpt/qemu-system-x86_64" "$(readlink -f "$QEMU_BIN")"
    ln -s ../libexec/qemu-xenpt/qemu-system-x86_64 "$r/usr/bin/qemu-dm"
    # what QEMU reads at start: the option ROM for -kernel, the keymap
    # libxl's -vnc/-k may name
    cp "$PKGS/qemu-system-data/usr/share/qemu/linuxboot_dma.bin" "$r/usr/share/qemu/"
    cp "$PKGS/qemu-system-data/usr/share/qemu/keymaps/"{en-us,common,modifiers} \
       "$r/usr/share/qemu/keymaps/" 2>/dev/null || true
    install_modules "$(kmods)" "$r/lib/modules/$kv" "${STUB_MODULES[@]}"
    cp "$STUBDOM_SRC/init" "$r/init"
    chmod 755 "$r/init"
    echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
    echo 'root:x:0:' >"$r/etc/group"
    local dm=$r/usr/libexec/qemu-xenpt/qemu-system-x86_64
    prefetch_libs "$dm" "$r/usr/bin/vchan-socket-proxy" "$r/usr/bin/xenstore"
    resolve_libs "$r" "$dm" "$r/usr/bin/vchan-socket-proxy" \
        "$r/usr/bin/xenstore" "$r/usr/bin/xenstore-read"
    # glibc's loader itself (resolve_libs copies the NEEDED sonames)
    cp -L "$(find_lib ld-linux-x86-64.so.2)" "$r/usr/lib/$ARCH_TRIPLET/"
    # libgcc_s is dlopen()ed by pthread_cancel
    cp -L "$(find_lib libgcc_s.so.1)" "$r/usr/lib/$ARCH_TRIPLET/"
    find "$r/usr/lib/$ARCH_TRIPLET" -name '*.so*' -type f -exec strip --strip-unneeded {} + 2>/dev/null || true
}

build() {
    local key kp t0 r=$SOUT/stage
    t0=$(now_ms)
    [ -x "$QEMU_BIN" ] || die "our QEMU ($QEMU_BIN) is not built: make qemu"
    fetch_pkgs "${STUB_PKGS[@]}" "$(kernel_pkg)"
    key=$(inputs_key)
    if [ "$(cat "$SOUT/inputs.key" 2>/dev/null)" = "$key" ] &&
       [ -s "$SOUT/qemu-stubdom-linux-rootfs" ] && [ -s "$SOUT/qemu-stubdom-linux-kernel" ]; then
        log "stubdomain image up to date ($SOUT)"
        return 0
    fi
    log "building the stubdomain image"
    mkdir -p "$SOUT"
    rm -f "$SOUT/inputs.key"
    stage_rootfs "$r"
    mk_cpio "$r" "$SOUT/rootfs.cpio"
    # xz: libxc unpacks a gzip ramdisk itself, sizing it from its last
    # bytes, which breaks (and crashed xl) once an archive is appended; Linux
    # finds an archive appended after xz (not after zstd, in 6.1).
    xz -T0 --check=crc32 --lzma2=dict=1MiB -9 -c "$SOUT/rootfs.cpio" >"$SOUT/qemu-stubdom-linux-rootfs"
    # zero padding to 512 bytes (Linux skips it): an archive appended after
    # it (the guest's kernel= and ramdisk= files) must start 4-aligned
    local size pad
    size=$(stat -c %s "$SOUT/qemu-stubdom-linux-rootfs"); pad=$(( (512 - size % 512) % 512 ))
    [ "$pad" -eq 0 ] || head -c "$pad" /dev/zero >>"$SOUT/qemu-stubdom-linux-rootfs"
    kp=$PKGS/$(kernel_pkg)
    cp "$kp/boot/vmlinuz-$(kernel_ver)" "$SOUT/qemu-stubdom-linux-kernel"
    {
        echo "kernel $(kernel_pkg) $(cat "$kp/.e2e-version")"
        for p in "${STUB_PKGS[@]}"; do echo "package $p $(cat "$PKGS/$p/.e2e-version")"; done
        echo "qemu $(sha256sum "$(readlink -f "$QEMU_BIN")" | cut -d' ' -f1)"
        echo "size kernel $(stat -c %s "$SOUT/qemu-stubdom-linux-kernel")"
        echo "size rootfs $(stat -c %s "$SOUT/qemu-stubdom-linux-rootfs") (cpio $(stat -c %s "$SOUT/rootfs.cpio") uncompressed)"
    } >"$SOUT/manifest.txt"
    rm -f "$SOUT/rootfs.cpio"
    rm -rf "$r"
    echo "$key" >"$SOUT/inputs.key"
    log "stubdomain image built in $(fmt_ms $(( $(now_ms) - t0 ))): kernel" \
        "$(du -k "$SOUT/qemu-stubdom-linux-kernel" | cut -f1) KB, rootfs" \
        "$(du -k "$SOUT/qemu-stubdom-linux-rootfs" | cut -f1) KB (xz)"
}

# install_image [DIR]: into DIR, by default the boot directory of the Xen
# this image's QEMU is linked to (/usr/lib/xen-4.17/boot for Debian 12's,
# /usr/lib/xen-4.20/boot for Debian 13's), which must exist: an image of
# the other release would run a QEMU linked to another Xen's libraries.
install_image() {
    local dir=${1:-} own=${XENPT_LIBXL_ROOT:-}/usr/lib/xen-$XEN_VER/boot
    if [ -z "$dir" ]; then
        dir=$own
        [ -d "$dir" ] || die "no $dir: this host has not Xen $XEN_VER's" \
            "toolstack ($(ls -d "${XENPT_LIBXL_ROOT:-}"/usr/lib/xen-*/boot 2>/dev/null |
            tr '\n' ' ')); this image is for Debian $E2E_RELEASE (E2E_RELEASE)"
    fi
    [ -s "$SOUT/qemu-stubdom-linux-rootfs" ] || die "no image in $SOUT: run make stubdom"
    mkdir -p "$dir"
    install -m 644 "$SOUT/qemu-stubdom-linux-kernel" "$SOUT/qemu-stubdom-linux-rootfs" "$dir/"
    log "installed into $dir"
}

[ "$(id -u)" = 0 ] || die "run as root (apt-get download into $CACHE)"
case "${1:-build}" in
build) build ;;
install) build; install_image "${2:-}" ;;
*) die "usage: $0 [build | install [DIR]]" ;;
esac
