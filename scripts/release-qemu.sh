#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The device model built against another Debian release's libraries (its
# Xen, glib, toolchain), in that release's build root
# (scripts/release-root.sh), from the same prepared source tree as ours
# (scripts/prepare-qemu.sh: pinned tarball, overlay, patches).
#
#   scripts/release-qemu.sh RELEASE     -> build/qemu-RELEASE/qemu-system-x86_64
#   scripts/release-qemu.sh RELEASE run CMD...
#       run CMD in the root with the built tree at /src/pkg/src/qemu-build
#       (after building it), e.g.
#       run /src/pkg/src/qemu-build/qemu-system-x86_64 -device help
#
# The source tree and the build directory are bind-mounted into the root
# (the source read-only) where scripts/deb.sh has them for the package
# build of the release, so that ccache serves that build from this one
# in direct mode (the same paths). Needs root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/qemu-pin.sh"
release=${1:?usage: release-qemu.sh RELEASE [run CMD...]}
shift

log() { printf 'release-qemu: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

"$top/scripts/prepare-qemu.sh" >/dev/null
root=$("$top/scripts/release-root.sh" "$release")
bld=$top/build/qemu-$release
ccache_dir=${CCACHE_DIR:-/var/cache/xenpt-overlay/ccache}
# deb.sh's places: its source tree is /src/pkg/src
rsrc=/src/pkg/src
mkdir -p "$bld" "$ccache_dir" "$root$rsrc/qemu-src" "$root$rsrc/qemu-build" "$root/src/ccache"

exec 8>/var/lock/xenpt-qemu-build.lock
flock 8
# shellcheck source=root-mounts.sh
. "$top/scripts/root-mounts.sh"
root_bind "$top/build/qemu-src" "$root$rsrc/qemu-src" ro
root_bind "$bld" "$root$rsrc/qemu-build"
root_bind "$ccache_dir" "$root/src/ccache"
inroot() {
    chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
        CCACHE_DIR=/src/ccache CCACHE_BASEDIR=/src CCACHE_NOHASHDIR=1 "$@"
}

args=("${QEMU_CONFIGURE_BASE[@]}" --enable-werror --without-default-devices
      --with-devices-x86_64=xenpt-overlay)
stamp=$(printf '%s\n' "$release" "$rsrc" "${args[@]}" | sha256sum | cut -d' ' -f1)
if [ ! -f "$bld/build.ninja" ] || [ "$(cat "$bld/.xenpt-configure" 2>/dev/null)" != "$stamp" ]; then
    log "configuring in ${bld#"$top"/} ($release)"
    find "$bld" -mindepth 1 -delete
    inroot sh -c 'cd "$0"/qemu-build && exec "$0"/qemu-src/configure "$@"' "$rsrc" "${args[@]}" \
        >"$top/build/qemu-$release.configure.log" 2>&1 ||
        { tail -n 30 "$top/build/qemu-$release.configure.log" >&2; die "configure failed"; }
    echo "$stamp" >"$bld/.xenpt-configure"
fi
log "building qemu-system-x86_64 ($release)"
inroot ninja -C "$rsrc/qemu-build" qemu-system-x86_64 >"$top/build/qemu-$release.build.log" 2>&1 ||
    { tail -n 40 "$top/build/qemu-$release.build.log" >&2; die "build failed"; }
log "device model: build/qemu-$release/qemu-system-x86_64 (libxenctrl: $(inroot sh -c 'dpkg-query -W -f="\${Version}" "$(dpkg -S "$(readlink -f /usr/lib/x86_64-linux-gnu/libxenctrl.so)" | cut -d: -f1)"' 2>/dev/null))"
if [ "${1:-}" = run ]; then
    shift
    inroot "$@"
fi
