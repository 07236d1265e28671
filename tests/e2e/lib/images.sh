# Image building for the e2e bed. Sourced after lib/common.sh and lib/pkg.sh.
#
# Products (in $IMG):
#   xen                 the hypervisor, uncompressed multiboot ELF
#   vmlinux             dom0 kernel, uncompressed ELF extracted from the bzImage
#   dom0-base.cpio      dom0 rootfs: busybox, Xen tools, qemu-system-xen, libs,
#                       modules, guest kernel           (cached on its inputs)
#   guest-base.cpio.xz  guest rootfs: busybox, pciutils, modules (cached)
#   ours.cpio           our device model + its libs (cached on the package or binary)
#   run.cpio            init, scenario scripts, guest initrd (rebuilt every run)
#   dom0-initrd.cpio    base + ours + run, concatenated (the kernel unpacks all)
# shellcheck shell=bash

DOM0_MODULES=(xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-pciback)
GUEST_MODULES=(xen-pcifront e1000 e1000e nvme xen-evtchn xen-gntalloc xhci-pci usb-storage sd_mod ext4 crc32c_generic)

fetch_all() {
    fetch_pkgs "${PKG_LIST[@]}" "$(kernel_pkg)"
}

# fetch_bed: every package of the bed known before our QEMU is built: the
# bed's, the test modules' build tree (kbuild_pkgs) and the stubdomain
# image's (stubdom/build.sh). make check runs it in the background while it
# compiles (run.sh with E2E_FETCH_ONLY=1).
fetch_bed() {
    fetch_all
    FETCH_NODEPS=1 fetch_pkgs $(kbuild_pkgs)
    fetch_pkgs "${STUB_PKGS[@]}"
}


# The payload of a bzImage is the (stripped) vmlinux ELF, xz-compressed
# (Debian 12) or zstd-compressed (Debian 13).
extract_vmlinux() {
    local bz=$1 out=$2 off
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" | head -n1 | cut -d: -f1)
    if [ -n "$off" ]; then
        tail -c +$((off + 1)) "$bz" | xz -dc --single-stream >"$out.tmp" 2>/dev/null
    else
        off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$bz" | head -n1 | cut -d: -f1)
        [ -n "$off" ] || die "no xz or zstd payload in $bz"
        # the payload ends before the bzImage's trailer: zstd stops at the
        # end of its frame and complains about the rest
        tail -c +$((off + 1)) "$bz" | zstd -dcq >"$out.tmp" 2>/dev/null
    fi
    [ "$(head -c4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ] || die "extracted vmlinux is not ELF"
    mv "$out.tmp" "$out"
}

# Static helper programs (tools/*.c), for dom0 and the guests.
build_tools() {
    local src out
    mkdir -p "$OUT/tools"
    for src in "$E2E_SRC"/tools/*.c; do
        out=$OUT/tools/$(basename "$src" .c)
        if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
            gcc -static -O2 -Wall -Werror -o "$out" "$src" || die "building $(basename "$src") failed"
        fi
    done
}

# The guest kernel's module build tree: Debian's linux-headers (arch and
# common) and linux-kbuild packages unpacked into one root, so their
# relative links resolve; the Makefile's absolute include is redirected.
# (Debian 12 names linux-kbuild by series, 6.1; Debian 13 by version.)
kbuild_pkgs() {
    local kv k
    kv=$(kver)
    k="${kv%-amd64}"
    echo "linux-headers-$kv" "linux-headers-$k-common"
    if [ "$E2E_RELEASE" = bookworm ]; then echo "linux-kbuild-$KVER_SERIES"; else echo "linux-kbuild-$k"; fi
}
kbuild_dir() {
    local kv root hdr
    local -a p
    kv=$(kver)
    root=$OUT/kbuild
    hdr=$root/usr/src/linux-headers-$kv
    read -ra p <<<"$(kbuild_pkgs | tr '\n' ' ')"
    if [ ! -f "$root/.ok" ] || [ "$(cat "$root/.ok")" != "$kv" ]; then
        FETCH_NODEPS=1 fetch_pkgs "${p[@]}"
        rm -rf "$root"; mkdir -p "$root"
        cp -a "$PKGS/${p[0]}/." "$PKGS/${p[1]}/." \
              "$PKGS/${p[2]}/." "$root/"
        sed -i "s#^include /usr/src/#include $root/usr/src/#" "$hdr/Makefile"
        echo "$kv" >"$root/.ok"
    fi
    echo "$hdr"
}

# Out-of-tree test modules (tools/*/Kbuild) for the guest kernel. For a
# release other than the host's built in its build root
# (scripts/release-root.sh: the release's gcc, which built its kernel;
# kbuild's tools linked against its libraries), $OUT bind-mounted there at
# the same path.
build_test_modules() {
    local hdr d name troot=
    local -a run=() mk=()
    hdr=$(kbuild_dir)
    if ! bed_is_host; then
        troot=$("$REPO/scripts/release-root.sh" "$E2E_RELEASE") || die "no $E2E_RELEASE build root"
        mkdir -p "$troot$OUT"
        mount --bind "$OUT" "$troot$OUT" || die "bind-mounting $OUT into $troot"
        run=(chroot "$troot" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8)
        # no BTF for the test module (it would need pahole)
        mk+=(CONFIG_DEBUG_INFO_BTF_MODULES=)
    fi
    for d in "$E2E_SRC"/tools/*/; do
        [ -f "$d/Kbuild" ] || continue
        name=$(basename "$d")
        rm -rf "$OUT/mod/$name"; mkdir -p "$OUT/mod/$name"
        cp "$d"/* "$OUT/mod/$name/"
        if ! "${run[@]}" make -s -C "$hdr" M="$OUT/mod/$name" "${mk[@]}" modules >"$OUT/mod/$name.log" 2>&1; then
            [ -z "$troot" ] || umount "$troot$OUT"
            tail -n 20 "$OUT/mod/$name.log" >&2; die "building module $name failed"
        fi
    done
    [ -z "$troot" ] || umount "$troot$OUT" || die "cannot unmount $troot$OUT"
}

# Common skeleton: busybox with applet links, directories, ld.so link.
stage_skeleton() {
    local r=$1
    rm -rf "$r"
    mkdir -p "$r"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,e2e} "$r"/usr/{bin,sbin,lib/$ARCH_TRIPLET,libexec,share/misc} \
             "$r"/var/{log,lib,tmp} "$r/lib64"
    root_basics "$r"
    cp "$PKGS/pciutils/usr/bin/lspci" "$PKGS/pciutils/usr/bin/setpci" "$r/usr/bin/"
    cp "$PKGS/pci.ids/usr/share/misc/pci.ids" "$r/usr/share/misc/"
    cp "$OUT"/tools/* "$r/usr/bin/"
    echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
    echo 'root:x:0:' >"$r/etc/group"
}

base_key() {
    { pkg_versions; cat "$E2E_SRC/lib/images.sh" "$E2E_SRC/lib/pkg.sh" "$E2E_SRC/lib/common.sh" "$E2E_SRC"/tools/*.c "$E2E_SRC"/tools/*/*; } |
        sha256sum | cut -c1-16
}

build_dom0_base() {
    local r=$OUT/stage/dom0 kp kv x
    kp=$PKGS/$(kernel_pkg); kv=$(kver)
    stage_skeleton "$r"
    # Xen tools: the versioned directory holds the real binaries (the
    # /usr/sbin names are wrappers reading /sys/hypervisor/version).
    mkdir -p "$r/usr/lib/xen-$XEN_VER/bin" "$r/usr/lib/xen-$XEN_VER/boot"
    cp -a "$PKGS/xen-utils-$XEN_VER/usr/lib/xen-$XEN_VER/bin/." "$r/usr/lib/xen-$XEN_VER/bin/"
    rm -f "$r"/usr/lib/xen-$XEN_VER/bin/{pygrub,xenpvnetboot,xendomains,test-*}
    cp "$PKGS/xen-utils-$XEN_VER/usr/lib/xen-$XEN_VER/boot/hvmloader" "$r/usr/lib/xen-$XEN_VER/boot/"
    for x in "$r"/usr/lib/xen-$XEN_VER/bin/*; do ln -sf "/usr/lib/xen-$XEN_VER/bin/$(basename "$x")" "$r/usr/sbin/"; done
    # libxl execs the QMP proxy of a stubdomain at Debian's path
    # (xen-utils-common's wrapper there; the real binary directly here)
    ln -sf /usr/lib/xen-$XEN_VER/bin/vchan-socket-proxy "$r/usr/bin/vchan-socket-proxy"
    # xenstore-read/-write/-ls/-watch (scenarios read the backends' state)
    cp -a "$PKGS/xenstore-utils/usr/bin/." "$r/usr/bin/"
    # strace -c on the device models (HVM benchmark: host syscalls per access)
    cp "$PKGS/strace/usr/bin/strace" "$r/usr/bin/"
    # udev's daemon (without rules but ours: stubdom scenarios run it for
    # our package's rule, dom0/lib.sh intr_control_start); its private
    # library beside the others (ld.so finds it there too)
    cp -L "$PKGS"/udev/{bin,usr/bin}/udevadm "$r/usr/bin/" 2>/dev/null
    [ -x "$r/usr/bin/udevadm" ] || die "udevadm missing from udev"
    mkdir -p "$r/usr/lib/systemd"
    ln -sf /usr/bin/udevadm "$r/usr/lib/systemd/systemd-udevd"
    cp "$PKGS"/libsystemd-shared/usr/lib/$ARCH_TRIPLET/systemd/libsystemd-shared-*.so "$r/usr/lib/$ARCH_TRIPLET/" ||
        die "libsystemd-shared-*.so missing from libsystemd-shared"
    mkdir -p "$r/etc/xen"
    cp -a "$PKGS/xen-utils-common/etc/xen/scripts" "$r/etc/xen/"
    printf 'autoballoon="off"\n' >"$r/etc/xen/xl.conf"
    # Baseline HVM device model: Debian's qemu-system-xen (QEMU 7.2, upstream xen-pt),
    # at the path libxl uses by default.
    cp "$PKGS/qemu-system-xen/usr/libexec/xen-qemu-system-i386" "$r/usr/libexec/"
    mkdir -p "$r/usr/share/qemu" "$r/usr/share/seabios"
    cp "$PKGS/qemu-system-data/usr/share/qemu/"{linuxboot.bin,linuxboot_dma.bin,multiboot.bin,multiboot_dma.bin,kvmvapic.bin} \
       "$r/usr/share/qemu/" 2>/dev/null || true
    [ -e "$r/usr/share/qemu/linuxboot_dma.bin" ] || die "linuxboot_dma.bin missing from qemu-system-data"
    # QEMU reads the en-us keymap even for "-vnc none" (libxl passes it).
    cp -a "$PKGS/qemu-system-data/usr/share/qemu/keymaps" "$r/usr/share/qemu/"
    cp -L "$PKGS/seabios/usr/share/seabios/bios-256k.bin" "$r/usr/share/seabios/"
    # dlopen()ed by glibc's pthread_cancel (xl aborts without it).
    cp -L "$PKGS/libgcc-s1/lib/$ARCH_TRIPLET/libgcc_s.so.1" "$r/usr/lib/$ARCH_TRIPLET/" 2>/dev/null ||
        cp -L "$PKGS/libgcc-s1/usr/lib/$ARCH_TRIPLET/libgcc_s.so.1" "$r/usr/lib/$ARCH_TRIPLET/"
    install_modules "$(kmods)" "$r/lib/modules/$kv" "${DOM0_MODULES[@]}"
    # The test modules, not loaded at boot (scenarios/dom0-driver.sh binds
    # edu_msi to a function in dom0: the guests run the same kernel)
    mkdir -p "$r/e2e/mod"
    cp "$OUT"/mod/*/*.ko "$r/e2e/mod/"
    # The nvme driver, not loaded at boot (the benchmark's dom0-io drives
    # the NVMe with it in dom0: scenarios/dom0-io.sh)
    install_modules "$(kmods)" "$r/e2e/kmod" nvme
    # Guest kernel (bzImage: HVM direct kernel boot and PV domU).
    mkdir -p "$r/e2e/guest"
    cp "$kp/boot/vmlinuz-$kv" "$r/e2e/guest/vmlinuz"
    mapfile -t elfs < <(elf_files "$r/bin" "$r/usr/bin" "$r/usr/sbin" "$r/usr/lib/xen-$XEN_VER/bin" "$r/usr/libexec" "$r/usr/lib/$ARCH_TRIPLET")
    prefetch_libs "${elfs[@]}"
    resolve_libs "$r" "${elfs[@]}"
    mk_cpio "$r" "$IMG/dom0-base.cpio"
}

build_guest_base() {
    local r=$OUT/stage/guest kp kv
    kp=$PKGS/$(kernel_pkg); kv=$(kver)
    stage_skeleton "$r"
    install_modules "$(kmods)" "$r/lib/modules/$kv" "${GUEST_MODULES[@]}"
    mkdir -p "$r/lib/modules/$kv/extra"
    cp "$OUT"/mod/*/*.ko "$r/lib/modules/$kv/extra/"
    prefetch_libs "$r/usr/bin/lspci" "$r/usr/bin/setpci"
    resolve_libs "$r" "$r/usr/bin/lspci" "$r/usr/bin/setpci"
    mkdir -p "$r/usr/share/udhcpc"
    mk_cpio "$r" "$IMG/guest-base.cpio"
    xz -T0 --check=crc32 --lzma2=dict=1MiB -6 -c "$IMG/guest-base.cpio" >"$IMG/guest-base.cpio.xz"
    rm -f "$IMG/guest-base.cpio"
}

# build_base: everything that depends only on packages and these scripts.
build_base() {
    local key t0
    t0=$(now_ms)
    mkdir -p "$IMG" "$LOGS"
    fetch_all
    build_tools
    key=$(base_key)
    if [ "$(cat "$IMG/base.key" 2>/dev/null)" = "$key" ] && [ -s "$IMG/dom0-base.cpio" ] &&
       [ -s "$IMG/guest-base.cpio.xz" ] && [ -s "$IMG/xen" ] && [ -s "$IMG/vmlinux" ]; then
        log "base images up to date ($(fmt_ms $(( $(now_ms) - t0 ))))"
        return 0
    fi
    log "building base images"
    rm -f "$IMG/base.key"
    gzip -dc "$PKGS/xen-hypervisor-$XEN_VER-amd64/boot/xen-$XEN_VER-amd64.gz" >"$IMG/xen"
    extract_vmlinux "$PKGS/$(kernel_pkg)/boot/vmlinuz-$(kver)" "$IMG/vmlinux"
    build_test_modules
    build_dom0_base
    build_guest_base
    pkg_versions >"$IMG/versions.txt"
    echo "$key" >"$IMG/base.key"
    log "base images built in $(fmt_ms $(( $(now_ms) - t0 ))): dom0-base $(du -m "$IMG/dom0-base.cpio" | cut -f1) MB," \
        "guest-base $(du -k "$IMG/guest-base.cpio.xz" | cut -f1) KB (xz)"
}

OURS_DIR=/usr/libexec/qemu-xenpt
# build_ours: our device model in dom0 where its package puts it
# (/usr/libexec/qemu-xenpt, so it finds /usr/share/qemu as installed): with
# E2E_OURS_DEB, that package's files (what dpkg -i unpacks; it has no
# maintainer scripts) and its Depends from the release's archive (the first
# of each alternative, as apt takes them), else the built binary
# ($OURS_QEMU). The shared libraries it needs come from the release's
# packages (resolve_libs; /opt/xenpt/libs.txt lists them).
# /usr/local/bin/xenpt-qemu runs it; usable as device_model_override.
build_ours() {
    local r=$OUT/stage/ours key src bin
    local -a deps=()
    rm -f "$IMG/ours.cpio.new"
    if [ -n "$OURS_DEB" ]; then
        [ -f "$OURS_DEB" ] || die "E2E_OURS_DEB: no such package $OURS_DEB"
        src=$OURS_DEB
    elif [ -x "$OURS_QEMU" ]; then
        src=$(readlink -f "$OURS_QEMU")
    else
        log "our QEMU ($OURS_QEMU) not built: dom0 gets no $OURS_DIR"
        : >"$IMG/ours.cpio"; echo none >"$IMG/ours.key"
        return 0
    fi
    key=$(sha256sum "$src" | cut -c1-16)
    if [ "$(cat "$IMG/ours.key" 2>/dev/null)" = "$key" ] && [ -s "$IMG/ours.cpio" ]; then
        return 0
    fi
    log "packing our QEMU ($src, $key)"
    rm -rf "$r"
    mkdir -p "$r/$OURS_DIR" "$r/opt/xenpt" "$r/usr/local/bin"
    bin=$r/$OURS_DIR/qemu-system-x86_64
    if [ -n "$OURS_DEB" ]; then
        dpkg-deb -x "$src" "$r" || die "unpacking $src failed"
        # The bed's rootfs has merged /usr (lib -> usr/lib): a package's
        # /lib files (Debian 12's systemd units) go to /usr/lib, or its lib
        # directory would replace that link when the kernel unpacks the
        # initramfs (dom0 then had no /lib/modules: no xenfs, no toolstack)
        for d in lib bin sbin; do
            if [ -d "$r/$d" ] && [ ! -L "$r/$d" ]; then
                mkdir -p "$r/usr/$d"
                cp -a "$r/$d/." "$r/usr/$d/"
                rm -rf "${r:?}/$d"
            fi
        done
        [ -x "$bin" ] || die "$src has no $OURS_DIR/qemu-system-x86_64"
        echo "package=$(dpkg-deb -f "$src" Package) $(dpkg-deb -f "$src" Version)" >"$r/opt/xenpt/MANIFEST"
        mapfile -t deps < <(dpkg-deb -f "$src" Depends | tr ',' '\n' |
            sed -e 's/|.*//' -e 's/(.*//' -e 's/[[:space:]]//g' | grep .)
        fetch_pkgs "${deps[@]}"
    else
        strip --strip-debug -o "$bin" "$src"
        : >"$r/opt/xenpt/MANIFEST"
    fi
    prefetch_libs "$bin"
    resolve_libs "$r" "$bin"
    (cd "$r/usr/lib/$ARCH_TRIPLET" && ls) >"$r/opt/xenpt/libs.txt"
    cat >"$r/usr/local/bin/xenpt-qemu" <<'EOF'
#!/bin/sh
# Our device model (tests/e2e: from our package or build/qemu-system-x86_64).
exec /usr/libexec/qemu-xenpt/qemu-system-x86_64 "$@"
EOF
    chmod +x "$r/usr/local/bin/xenpt-qemu"
    { echo "source=$src"; echo "sha256=$(sha256sum "$src" | cut -d' ' -f1)";
      echo "mtime=$(date -r "$src" '+%F %T')"; } >>"$r/opt/xenpt/MANIFEST"
    mk_cpio "$r" "$IMG/ours.cpio"
    echo "$key" >"$IMG/ours.key"
}

# build_stubdoms [upstream]: the stubdomain images (stubdom/build.sh,
# cached on their inputs): ours ($STUBDOM_OURS, what `make stubdom`
# builds) and, when asked, the baseline's: stock QEMU 10.0.13 from the
# same pinned tarball (scripts/build-stock-qemu.sh, upstream xen-pt) in the
# same image. (Debian 12's qemu-system-xen 7.2 cannot be the baseline: its
# xen-pt opens dom0's address in the stubdomain's sysfs and finds nothing.)
# Debian 13's qemu-system-xen is that same QEMU 10.0.13, built by Debian
# against the libraries of the hypervisor's release: there it is the
# baseline in the stubdomain too.
STUBDOM_UPSTREAM=$OUT/stubdom-upstream
STOCK_QEMU=$REPO/build/stock/qemu/qemu-system-x86_64
build_stubdoms() {
    if [ -x "$OURS_QEMU" ]; then
        STUBDOM_OUT=$STUBDOM_OURS STUBDOM_QEMU=$OURS_QEMU "$REPO/stubdom/build.sh" ||
            die "building our stubdomain image failed"
    fi
    [ "${1:-}" = upstream ] || return 0
    if [ "$E2E_RELEASE" = bookworm ]; then
        # (built on the host, against its libraries)
        bed_is_host || die "the Debian 12 baseline stubdomain is built on a Debian 12 host only"
        "$REPO/scripts/build-stock-qemu.sh" || die "building stock QEMU failed"
    else
        STOCK_QEMU=$(pkg_file qemu-system-xen /libexec/xen-qemu-system-i386) || die "no qemu-system-xen"
    fi
    STUBDOM_OUT=$STUBDOM_UPSTREAM STUBDOM_QEMU=$STOCK_QEMU \
        "$REPO/stubdom/build.sh" || die "building the baseline stubdomain image failed"
}

# stage_stubdom ROOT GUEST-INITRD: the stubdomain images in dom0: ours at
# libxl's default paths (linked from our package's), the baseline's in
# /e2e/stubdom-upstream/; each
# rootfs followed by a cpio with the guest kernel and initrd, which the
# device model opens inside the stubdomain (xl.cfg's kernel=, ramdisk=).
stage_stubdom() {
    local r=$1 initrd=$2 g=$OUT/stage/stubdom-guest boot=$1/usr/lib/xen-$XEN_VER/boot
    rm -rf "$g"; mkdir -p "$g/e2e/guest" "$boot" "$r/e2e/stubdom-upstream"
    cp "$PKGS/$(kernel_pkg)/boot/vmlinuz-$(kver)" "$g/e2e/guest/vmlinuz"
    cp "$initrd" "$g/e2e/guest/initrd.img"
    mk_cpio "$g" "$OUT/stage/stubdom-guest.cpio"
    if [ -s "$STUBDOM_OURS/qemu-stubdom-linux-rootfs" ]; then
        cat "$STUBDOM_OURS/qemu-stubdom-linux-rootfs" "$OUT/stage/stubdom-guest.cpio" \
            >"$boot/qemu-stubdom-linux-rootfs"
        # the same bzImage as the guests' (dom0-base has it): linked
        if cmp -s "$STUBDOM_OURS/qemu-stubdom-linux-kernel" "$g/e2e/guest/vmlinuz"; then
            ln -s /e2e/guest/vmlinuz "$boot/qemu-stubdom-linux-kernel"
        else
            cp "$STUBDOM_OURS/qemu-stubdom-linux-kernel" "$boot/"
        fi
        # the same where our package installs them (its example xl.cfg
        # names them): links, replacing the package's files (this archive
        # is unpacked after ours.cpio)
        mkdir -p "$r/usr/lib/qemu-xenpt/stubdom"
        for f in qemu-stubdom-linux-kernel qemu-stubdom-linux-rootfs; do
            ln -s "/usr/lib/xen-$XEN_VER/boot/$f" "$r/usr/lib/qemu-xenpt/stubdom/$f"
        done
    fi
    if [ -s "$STUBDOM_UPSTREAM/qemu-stubdom-linux-rootfs" ]; then
        cat "$STUBDOM_UPSTREAM/qemu-stubdom-linux-rootfs" "$OUT/stage/stubdom-guest.cpio" \
            >"$r/e2e/stubdom-upstream/rootfs"
    fi
}

# build_run SCENARIOS: init, scenario scripts and the guest initrd.
build_run() {
    local r=$OUT/stage/run g=$OUT/stage/guest-run
    rm -rf "$r" "$g"
    mkdir -p "$r/e2e/scenarios" "$r/e2e/guest" "$g/e2e/guest"
    cp "$E2E_SRC/dom0/init" "$r/init"
    cp "$E2E_SRC"/dom0/*.sh "$r/e2e/"
    # the package's intr-control tool and udev rule, for a bed without our
    # package
    install -m 0755 "$REPO/debian/intr-control" "$r/e2e/intr-control"
    cp "$REPO/debian/qemu-xenpt.udev" "$r/e2e/60-qemu-xenpt.rules"
    # the package's example xl.cfg files, which scenarios take lines from
    mkdir -p "$r/e2e/examples"
    cp "$REPO"/debian/examples/*.cfg "$r/e2e/examples/"
    cp "$E2E_SRC"/scenarios/*.sh "$r/e2e/scenarios/"
    cp "$E2E_SRC/guest/init" "$g/init"
    cp "$E2E_SRC"/guest/*.sh "$g/e2e/guest/"
    chmod +x "$r/init" "$g/init" "$r"/e2e/scenarios/*.sh "$g"/e2e/guest/*.sh
    echo "$E2E_RELEASE" >"$r/e2e/release"
    mk_cpio "$g" "$OUT/stage/guest-run.cpio"
    # The kernel unpacks concatenated archives, compressed or not.
    cat "$IMG/guest-base.cpio.xz" "$OUT/stage/guest-run.cpio" >"$r/e2e/guest/initrd.img"
    stage_stubdom "$r" "$r/e2e/guest/initrd.img"
    mk_cpio "$r" "$IMG/run.cpio"
    cat "$IMG/dom0-base.cpio" "$IMG/ours.cpio" "$IMG/run.cpio" >"$IMG/dom0-initrd.cpio"
}
