#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The standalone build (engine, PV op core, function layer and their unit
# tests) with another Debian release's toolchain and libraries, in its build
# root (scripts/release-root.sh).
#
#   scripts/release-core.sh RELEASE
#
# Copies the sources (not build*/ or .git) into the root's /src, configures
# and builds build-core there (inside the root, by chroot), and writes into
# build/core-RELEASE/ one launcher per test program meson registered, which
# runs it inside the root, and their names in tests.txt (make check runs
# them and counts their TAP cases). Needs root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
release=${1:?usage: release-core.sh RELEASE}
root=$("$top/scripts/release-root.sh" "$release")
out=$top/build/core-$release

mkdir -p "$root/src" "$out"
rsync -a --delete --exclude='/build*' --exclude='/.git' --exclude='/src' \
    "$top/" "$root/src/tree/"
inroot() { chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
if [ ! -f "$root/src/build-core/build.ninja" ]; then
    inroot meson setup /src/build-core /src/tree >"$out/setup.log" 2>&1 ||
        { tail -n 30 "$out/setup.log" >&2; exit 1; }
fi
inroot ninja -C /src/build-core >"$out/build.log" 2>&1 ||
    { tail -n 40 "$out/build.log" >&2; exit 1; }
# every TAP test meson registered (scripts/unit-tests.sh), listed in
# tests.txt for make check
inroot meson introspect /src/build-core --tests |
    "$top/scripts/unit-tests.sh" - /src/build-core >"$out/tests.list"
mapfile -t tests <"$out/tests.list"
: >"$out/tests.txt"
for t in "${tests[@]}"; do
    echo "$(basename "$t")" >>"$out/tests.txt"
    printf '#!/bin/sh\n# %s, built and run in the %s root\nexec chroot %s /src/build-core/%s "$@"\n' \
        "$(basename "$t")" "$release" "$root" "$t" >"$out/$(basename "$t")"
    chmod +x "$out/$(basename "$t")"
done
inroot sh -c 'echo "$(. /etc/os-release; echo "$PRETTY_NAME"): gcc $(gcc -dumpfullversion), glib $(pkg-config --modversion glib-2.0), Xen headers $(dpkg-query -W -f="\${Version}" libxen-dev)"'
