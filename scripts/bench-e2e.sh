#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `make bench-e2e`: the end-to-end benchmarks, on real Xen nested under QEMU
# TCG, in one boot (build what is missing first):
#   PV:  config-read round trips in the domU (2000 sysfs reads of the vendor
#        ID, tools/cfgread), our xen-pciback-pv vs the kernel's xen-pciback;
#   HVM: the guest's full config-space enumeration of the e1000 (20 passes
#        over its config space), ours vs upstream xen-pt, and the device
#        model's host config syscalls per guest access (strace -c).
# Prints the figures; asserts nothing about time.
#
#   scripts/bench-e2e.sh            boot and measure
#   scripts/bench-e2e.sh --report   only print the figures of the last run
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
R=build/e2e/results

if [ "${1:-}" != --report ]; then
    scripts/setup-host.sh
    scripts/prepare-qemu.sh
    tests/e2e/run.sh pv-baseline hvm-baseline pv-ours hvm-ours || true
fi

# per_read_ns FILE: the per-read time cfgread printed in FILE.
per_read_ns() { sed -n 's/.*per_read_ns=\([0-9]*\).*/\1/p' "$1" 2>/dev/null | tail -n1; }
# field FILE NAME: NAME=value from a bench.txt line.
field() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" "$1" 2>/dev/null | head -n1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
us() { awk -v n="$1" 'BEGIN { if (n != "") printf "%.0f", n / 1000; else print "n/a" }'; }

pvb=$(per_read_ns "$R/pv-baseline/domU-cfgread.txt")
pvo=$(per_read_ns "$R/pv-ours/domU-cfgread.txt")
hb=$R/hvm-baseline/bench.txt
ho=$R/hvm-ours/bench.txt

echo
echo "===== end-to-end benchmarks (nested Xen under TCG, one boot) ====="
printf '%-58s %14s %14s %8s\n' "figure" "ours" "baseline" "ratio"
printf '%-58s %14s %14s %8s\n' "PV: config read round trip in the domU (us)" \
    "$(us "${pvo:-}")" "$(us "${pvb:-}")" "$(ratio "${pvo:-0}" "${pvb:-0}")"
eb=$(field "$hb" seconds); eo=$(field "$ho" seconds)
printf '%-58s %14s %14s %8s\n' "HVM: e1000 config enumeration, 20 passes (s)" \
    "${eo:-n/a}" "${eb:-n/a}" "$(ratio "${eo:-0}" "${eb:-0}")"
printf '%-58s %14s %14s %8s\n' "HVM: per guest config access (us)" \
    "$(field "$ho" per_read_us)" "$(field "$hb" per_read_us)" ""
printf '%-58s %14s %14s %8s\n' "HVM: host config syscalls per guest access" \
    "$(field "$ho" per_access)" "$(field "$hb" per_access)" ""
echo "(baseline: Linux's xen-pciback for PV, Debian's qemu-system-xen 7.2"
echo " with upstream xen-pt for HVM; targets: PV ratio <= 1.0, HVM <= 0.25"
echo " host syscalls per guest access)"
