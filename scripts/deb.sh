#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Debian packages of the device model, one per Debian release, built the
# Debian way (debian/, dpkg-buildpackage) in a build root of that release
# (scripts/release-root.sh), checked with that release's lintian.
#
#   scripts/deb.sh build RELEASE     -> build/deb/RELEASE/qemu-xenpt_*.deb
#   scripts/deb.sh lint RELEASE      lintian of RELEASE on it (errors fail)
#   scripts/deb.sh install RELEASE   install it with apt into a clean system
#                                    of RELEASE (mmdebstrap) and start the
#                                    installed device model there
# DEB_STUBDOM=DIR puts the stubdomain image in DIR (stubdom/build.sh's
# output) into the package, at /usr/lib/qemu-xenpt/stubdom.
#
# The package's source tree (build/deb/RELEASE/src) is debian/ from this
# repository plus qemu-src/, the prepared QEMU source (scripts/prepare-
# qemu.sh: pinned tarball, overlay, patches) bind-mounted read-only. The
# build directory qemu-src/../qemu-build has the same place relative to the
# source as every other build of it here, so the shared ccache serves it.
# RELEASE: bookworm (Debian 12, Xen 4.17) or trixie (Debian 13, Xen 4.20).
# Needs root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/qemu-pin.sh"

mode=${1:?usage: deb.sh build|install RELEASE}
release=${2:?usage: deb.sh build|install RELEASE}
case "$release" in
bookworm) debver=deb12 ;;
trixie) debver=deb13 ;;
*) echo "deb.sh: unknown release '$release' (known: bookworm, trixie)" >&2; exit 2 ;;
esac
out=$top/build/deb/$release
[ -z "${DEB_STUBDOM:-}" ] || DEB_STUBDOM=$(realpath "$DEB_STUBDOM")
PKG=qemu-xenpt

log() { printf 'deb.sh: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# 10.0.13+xenpt<commits>~deb12: newer with each commit of ours, and the
# Debian 12 build older than the Debian 13 one (an upgrade replaces it)
pkg_version() {
    local upstream=${QEMU_DEB_VERSION#*:} n
    upstream=${upstream%%+*}
    n=$(git -C "$top" rev-list --count HEAD 2>/dev/null) || die "no git history for the version"
    echo "$upstream+xenpt$n~$debver"
}

# debian/ of the package: the repository's, with the generated parts
stage_debian() {
    local d=$1 ver=$2 files
    rm -rf "$d"
    cp -a "$top/debian" "$d"
    printf '%s\n' "${QEMU_CONFIGURE_BASE[@]}" --enable-werror \
        --without-default-devices --with-devices-x86_64=xenpt-overlay >"$d/configure-args"
    files=$(sed -e '/^$/d' -e 's#^#qemu-src/#' "$top/build/qemu-src/.xenpt-manifest" |
        tr '\n' ' ' | fold -s -w 70 | sed -e '2,$s/^/ /')
    awk -v f="$files" '{ sub(/@OVERLAY_FILES@/, f); print }' "$d/copyright.in" >"$d/copyright"
    rm "$d/copyright.in"
    cat >"$d/changelog" <<EOF
$PKG ($ver) $release; urgency=medium

  * Build of $(git -C "$top" rev-parse --short=12 HEAD) for Debian ${debver#deb}
    ($release), on QEMU $QEMU_DEB_VERSION.

 -- $(sed -n 's/^Maintainer: //p' "$d/control")  $(date -R -d "@$(git -C "$top" log -1 --format=%ct)")
EOF
    { echo "source: $(git -C "$top" rev-parse HEAD)$(git -C "$top" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
      echo "qemu: $QEMU_DEB_PACKAGE $QEMU_DEB_VERSION ($QEMU_ORIG_TARBALL, sha256 $QEMU_ORIG_SHA256)"
      echo "release: Debian ${debver#deb} ($release)"; } >"$d/build-info"
    if [ -n "${DEB_STUBDOM:-}" ]; then
        [ -s "$DEB_STUBDOM/qemu-stubdom-linux-rootfs" ] || die "DEB_STUBDOM: no stubdomain image in $DEB_STUBDOM"
        mkdir -p "$d/stubdom"
        cp "$DEB_STUBDOM/qemu-stubdom-linux-kernel" "$DEB_STUBDOM/qemu-stubdom-linux-rootfs" "$d/stubdom/"
    fi
}

# shellcheck source=root-mounts.sh
. "$top/scripts/root-mounts.sh"

build() {
    local root ver src ccache_dir t0 deb
    [ "$(id -u)" = 0 ] || die "run as root (build root, bind mounts)"
    "$top/scripts/prepare-qemu.sh" >/dev/null
    root=$("$top/scripts/release-root.sh" "$release")
    ver=$(pkg_version)
    src=$out/src
    ccache_dir=${CCACHE_DIR:-/var/cache/xenpt-overlay/ccache}
    exec 8>/var/lock/xenpt-qemu-build.lock
    flock 8
    mkdir -p "$src/qemu-src" "$src/qemu-build" "$root/src/pkg" "$root/src/ccache"
    rm -f "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes "$out/lintian.txt"
    stage_debian "$src/debian" "$ver"
    # dpkg-buildpackage leaves its products beside the source tree: in $out
    root_bind "$out" "$root/src/pkg"
    root_bind "$top/build/qemu-src" "$root/src/pkg/src/qemu-src" ro
    root_bind "$ccache_dir" "$root/src/ccache"
    log "building $PKG $ver in the $release root"
    t0=$(date +%s)
    # -nc: the build directory is kept (configure runs again, ninja rebuilds
    # what changed; the ccache serves the rest); no dbgsym package
    if ! chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
            CCACHE_DIR=/src/ccache CCACHE_BASEDIR=/src CCACHE_NOHASHDIR=1 \
            DEB_BUILD_OPTIONS=noautodbgsym \
            sh -c 'cd /src/pkg/src && dpkg-buildpackage -b -nc -us -uc' >"$out/build.log" 2>&1; then
        tail -n 40 "$out/build.log" >&2
        die "dpkg-buildpackage failed (log: ${out#"$top"/}/build.log)"
    fi
    deb=$out/${PKG}_${ver}_amd64.deb
    [ -f "$deb" ] || die "dpkg-buildpackage made no ${deb#"$out"/}"
    log "built ${deb#"$top"/} in $(( $(date +%s) - t0 )) s ($(du -k "$deb" | cut -f1) KB)"
}

# the newest package built for the release
built_deb() {
    local deb
    deb=$(ls -t "$out"/${PKG}_*_amd64.deb 2>/dev/null | head -n1)
    [ -n "$deb" ] || die "no package in ${out#"$top"/} (deb.sh build $release)"
    echo "$deb"
}

# lintian of the release on the .deb (all tags, pedantic included): an
# error fails
lint() {
    local root deb rc=0
    root=$("$top/scripts/release-root.sh" "$release")
    deb=$(built_deb)
    mkdir -p "$root/src/lint"
    cp "$deb" "$root/src/lint/"
    chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
        lintian --fail-on error --info --display-info --pedantic "/src/lint/$(basename "$deb")" >"$out/lintian.txt" 2>&1 || rc=$?
    rm -rf "$root/src/lint"
    log "lintian ($release): $(grep -c '^E:' "$out/lintian.txt" || true) errors," \
        "$(grep -c '^W:' "$out/lintian.txt" || true) warnings (${out#"$top"/}/lintian.txt)"
    # exit 1: an error tag; 2: lintian itself failed
    if grep -q '^E:' "$out/lintian.txt" || [ "$rc" != 0 ]; then
        grep -E '^(E|W):' "$out/lintian.txt" >&2 || tail -n 20 "$out/lintian.txt" >&2
        die "lintian: errors or a failed run (exit $rc)"
    fi
}

# apt installs the .deb into a fresh minimal system of the release (its
# Depends from Debian's archive: the release with its updates and security
# suites, as a Debian system has them and as the package was built
# against, scripts/release-root.sh); the installed binary is then started
install_test() {
    local deb t0
    deb=$(built_deb)
    t0=$(date +%s)
    rm -rf "$out/installed"
    mkdir -p "$out/installed"
    # where the installed QEMU finds what it loads from Debian's packages
    # (its -L help: data and firmware directories): "FILE DIRECTORY" lines
    cat >"$out/installed/find-data.sh" <<'EOF'
q=/usr/libexec/qemu-xenpt/qemu-system-x86_64
for f in linuxboot_dma.bin keymaps/en-us vgabios-stdvga.bin; do
    for d in $($q -L help); do
        [ -e "$d/$f" ] && { echo "$f $(readlink -f "$d")"; break; }
    done
done
EOF
    # the intr-control service as installed: tool, list (a conffile), unit
    # and its enabling link, udev rule
    cat >"$out/installed/intr-control.sh" <<'EOF'
ls -l /usr/libexec/qemu-xenpt/intr-control
dpkg-query -W -f='${Conffiles}\n' qemu-xenpt
for u in /lib/systemd/system /usr/lib/systemd/system; do
    [ -f $u/qemu-xenpt-intr-control.service ] && { echo "unit: present"; break; }
done
echo "enabled: $(readlink /etc/systemd/system/multi-user.target.wants/qemu-xenpt-intr-control.service)"
for r in /lib/udev/rules.d /usr/lib/udev/rules.d; do
    [ -f $r/60-qemu-xenpt.rules ] && { echo "udev rule: $(grep -c '^ACTION=="bind", SUBSYSTEM=="pci", DRIVER=="pciback", RUN' $r/60-qemu-xenpt.rules)"; break; }
done
EOF
    log "installing $(basename "$deb") into a clean $release system"
    if ! mmdebstrap --quiet --variant=apt --format=null --include="$deb" \
            --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
            --customize-hook='chroot "$1" dpkg-query -W -f="\${Package} \${Version} \${Status}\n" '"$PKG"' >'"$out/installed/status.txt" \
            --customize-hook='chroot "$1" /usr/libexec/qemu-xenpt/qemu-system-x86_64 -device xen-pci-passthrough,help >'"$out/installed/hvm-help.txt"' 2>&1' \
            --customize-hook='chroot "$1" /usr/libexec/qemu-xenpt/qemu-system-x86_64 -device xen-pciback-pv,help >'"$out/installed/pv-help.txt"' 2>&1' \
            --customize-hook='chroot "$1" sh <'"$out/installed/find-data.sh"' >'"$out/installed/data-files.txt" \
            --customize-hook='chroot "$1" sh <'"$out/installed/intr-control.sh"' >'"$out/installed/intr-control.txt"' 2>&1' \
            "$release" /dev/null "deb http://deb.debian.org/debian $release main" \
            "deb http://deb.debian.org/debian $release-updates main" \
            "deb http://deb.debian.org/debian-security $release-security main" \
            >"$out/installed/mmdebstrap.log" 2>&1; then
        tail -n 20 "$out/installed/mmdebstrap.log" >&2
        die "installing into a clean $release system failed"
    fi
    local bad=() v=${deb##*/"${PKG}"_}
    v=${v%_amd64.deb}
    grep -qx "$PKG $v install ok installed" "$out/installed/status.txt" ||
        bad+=("dpkg status: $(cat "$out/installed/status.txt")")
    grep -q 'hostaddr=' "$out/installed/hvm-help.txt" || bad+=("xen-pci-passthrough,help: $(head -n2 "$out/installed/hvm-help.txt")")
    grep -q 'hosts=' "$out/installed/pv-help.txt" || bad+=("xen-pciback-pv,help: $(head -n2 "$out/installed/pv-help.txt")")
    # qemu-system-data's and seabios' files, where those packages put them
    printf '%s\n' 'linuxboot_dma.bin /usr/share/qemu' 'keymaps/en-us /usr/share/qemu' \
        'vgabios-stdvga.bin /usr/share/seabios' | cmp -s - "$out/installed/data-files.txt" ||
        bad+=("QEMU's data files (FILE DIR): $(tr '\n' ';' <"$out/installed/data-files.txt")")
    # the intr-control service: its tool, its list (a conffile), its unit
    # and the link enabling it, its udev rule where udev reads rules
    grep -q '^-rwxr-xr-x .* /usr/libexec/qemu-xenpt/intr-control$' "$out/installed/intr-control.txt" &&
        grep -q '^ /etc/qemu-xenpt/allow-interrupt-control [0-9a-f]*$' "$out/installed/intr-control.txt" &&
        grep -qx 'unit: present' "$out/installed/intr-control.txt" &&
        grep -q '^enabled: .*/qemu-xenpt-intr-control.service$' "$out/installed/intr-control.txt" ||
        bad+=("intr-control service: $(tr '\n' ';' <"$out/installed/intr-control.txt")")
    [ ${#bad[@]} = 0 ] || die "installed package: ${bad[*]}"
    log "installed with apt and started in $(( $(date +%s) - t0 )) s: $(cat "$out/installed/status.txt")"
}

case "$mode" in
build) build ;;
lint) lint ;;
install) install_test ;;
*) die "unknown mode '$mode' (build, lint, install)" ;;
esac
