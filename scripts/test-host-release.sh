#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What a host of the other Debian release (12 or 13) than this one needs of
# the build, checked from this host (the whole `make deb` on a Debian 13
# host is proved by scripts/deb-on-trixie.sh, on demand):
#   - scripts/setup-host.sh's packages for that release all resolve in that
#     release's archive (apt-get --simulate, through the e2e bed's private
#     apt configuration of the release, tests/e2e/lib/pkg.sh);
#   - on such a host, `make stubdom` and `make stubdom-trixie` take our
#     QEMU built for the image's release: the host's build (make qemu) for
#     the host's release, the release root's (scripts/release-qemu.sh) for
#     the other (make -n, HOST_RELEASE given on the command line).
# Prints one line per case, "ok: ..." or "not ok: ...", and exits 1 if any
# failed. Needs root (apt's private lists).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bad=0
ok() { echo "ok: $*"; }
nok() { echo "not ok: $*"; bad=1; }

host=$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}")
case "$host" in
bookworm) other=trixie ;;
trixie) other=bookworm ;;
*) echo "not ok: host release '$host' is neither bookworm nor trixie"; exit 1 ;;
esac

# 1. the other release's host packages
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t pkgs < <("$top/scripts/setup-host.sh" --packages "$other")
# (pkg.sh keeps the release's apt configuration and lists in its cache)
if E2E_RELEASE=$other bash -c '. "$1/tests/e2e/lib/common.sh"; . "$1/tests/e2e/lib/pkg.sh"
        apt_ready; shift
        apt-get "${APT_OPTS[@]}" --simulate --no-install-recommends install "$@"' \
        _ "$top" "${pkgs[@]}" >"$tmp/sim" 2>&1 &&
   [ "$(grep -c '^Inst ' "$tmp/sim")" -ge "${#pkgs[@]}" ]; then
    ok "setup-host.sh's ${#pkgs[@]} packages for $other resolve in $other's archive ($(grep -c '^Inst ' "$tmp/sim") to install into an empty system)"
else
    tail -n 5 "$tmp/sim"
    nok "setup-host.sh's packages for $other do not resolve in $other's archive"
fi

# 2. which device model each image takes on a host of either release
# stubdom_dm HOST TARGET: the QEMU build make runs first for TARGET
stubdom_dm() {
    make -n -C "$top" "$2" HOST_RELEASE="$1" 2>/dev/null |
        awk '/release-qemu.sh/ { print "root " $NF; exit } /prepare-qemu.sh/ { print "host"; exit }'
}
for h in bookworm trixie; do
    for t in bookworm trixie; do
        target=stubdom
        [ "$t" = bookworm ] || target=stubdom-$t
        want="root $t"
        [ "$h" = "$t" ] && want=host
        got=$(stubdom_dm "$h" "$target")
        if [ "$got" = "$want" ]; then
            ok "on a $h host make $target takes our QEMU built $([ "$want" = host ] && echo "on the host" || echo "in the $t root")"
        else
            nok "on a $h host make $target takes '${got:-nothing}', not '$want'"
        fi
    done
done
exit "$bad"
