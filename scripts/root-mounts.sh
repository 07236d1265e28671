# SPDX-License-Identifier: GPL-2.0-or-later
#
# Bind mounts into a build root, undone when the script exits (sourced by
# scripts/release-qemu.sh and scripts/deb.sh; the caller defines die()).
#
#   root_bind SRC DEST [ro]    bind-mount SRC at DEST (read-only with ro)
#
# Every mount made is unmounted, last first, at exit, also after a failure.
# shellcheck shell=bash

ROOT_MOUNTS=()
root_unmount_all() {
    local i
    for (( i = ${#ROOT_MOUNTS[@]} - 1; i >= 0; i-- )); do
        umount "${ROOT_MOUNTS[i]}" 2>/dev/null || true
    done
}
trap root_unmount_all EXIT
root_bind() {
    mount --bind "$1" "$2" || die "bind-mounting $1"
    ROOT_MOUNTS+=("$2")
    [ "${3:-}" = ro ] && { mount -o remount,bind,ro "$2" || die "read-only $2"; }
    return 0
}
