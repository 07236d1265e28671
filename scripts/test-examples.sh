#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The package's example xl.cfg files (debian/examples) are the recipes the
# docs show and the end-to-end tests run (tests/e2e/dom0/lib.sh recipe):
# each example has its "# -- passthrough --" part; each page that shows
# one holds every line of that part (indented, as a literal block); each
# built package (build/deb/RELEASE/qemu-xenpt_*.deb) ships the examples
# byte for byte. Prints one line per case, "ok: ..." or "not ok: ...",
# and exits 1 if any failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ex=$top/debian/examples
docs=$top/docs/system/xen-passthrough
bad=0
ok() { echo "ok: $*"; }
nok() { echo "not ok: $*"; bad=1; }

# part EXAMPLE: its lines after the marker
part() { sed -e '1,/^# -- passthrough --$/d' "$ex/$1"; }

# shown EXAMPLE PAGE: PAGE holds each line of EXAMPLE's part
shown() {
    local e=$1 page=$2 l miss=()
    while IFS= read -r l; do
        grep -qxF "    $l" "$page" || miss+=("$l")
    done < <(part "$e")
    if [ "${#miss[@]}" = 0 ]; then
        ok "${page#"$top"/} shows $e"
    else
        nok "${page#"$top"/} lacks lines of $e: $(printf '%s | ' "${miss[@]}")"
    fi
}

for e in hvm-dom0.cfg hvm-stubdom.cfg pv.cfg; do
    if [ -f "$ex/$e" ] && grep -qx '# -- passthrough --' "$ex/$e" &&
       [ "$(part "$e" | grep -c .)" -gt 0 ]; then
        ok "$e has its passthrough part"
    else
        nok "$e missing or without a passthrough part"
    fi
done
shown hvm-dom0.cfg "$docs/install.rst"
shown hvm-stubdom.cfg "$docs/install.rst"
shown hvm-stubdom.cfg "$docs/stubdom.rst"
shown hvm-stubdom.cfg "$top/debian/README.Debian"
shown pv.cfg "$docs/pv.rst"

# the packages built (make deb) ship them unchanged
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for deb in "$top"/build/deb/*/qemu-xenpt_*_amd64.deb; do
    [ -f "$deb" ] || continue
    rm -rf "$tmp/x"; mkdir "$tmp/x"
    dpkg-deb -x "$deb" "$tmp/x"
    d=$tmp/x/usr/share/doc/qemu-xenpt/examples
    if diff -r "$ex" "$d" >"$tmp/diff" 2>&1; then
        ok "$(basename "$deb") ships the examples as in debian/examples"
    else
        nok "$(basename "$deb"): examples differ: $(head -n3 "$tmp/diff" | tr '\n' ' ')"
    fi
done
exit "$bad"
