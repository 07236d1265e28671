#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `make demo`: build what is missing, boot real Xen nested under QEMU TCG,
# give an e1000, an e1000e and (hot-added) an edu to a PV guest through our
# QEMU's xen-pciback-pv and to an HVM guest through our xen-pci-passthrough
# (started by xl/libxl) whose device model runs in dom0, and to the same
# HVM guest with our QEMU in a Linux stubdomain (make stubdom's image),
# then show side by side what dom0 and each guest see, the filter's
# decisions as traced, and the decisions the paths took for the same
# hostile config writes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
R=build/e2e/results

scripts/setup-host.sh
scripts/prepare-qemu.sh
rc=0
tests/e2e/run.sh pv-ours hvm-ours stubdom-ours shared-verdicts || rc=$?

show() {    # show TITLE FILE...: the files in columns
    local title=$1 f
    shift
    printf '\n===== %s =====\n' "$title"
    for f in "$@"; do
        [ -f "$f" ] || { echo "(missing: $f)"; return; }
    done
    pr -m -t -w 320 "$@" | sed 's/[[:space:]]*$//'
}

header() {  # header LABEL FILE > FILE.h: a labelled copy, lspci lines only
    { echo "--- $1"; grep -v '^[0-9a-f]0: ' "$2" | sed -n '1,40p'; } > "$2.h"
}

pv=$R/pv-ours
hvm=$R/hvm-ours
stub=$R/stubdom-ours
[ -f "$pv/dom0-lspci-0000:00:03.0.txt" ] &&
    header "dom0 (00:03.0)" "$pv/dom0-lspci-0000:00:03.0.txt"
[ -f "$pv/domU-lspci-vvv-8086-100e.txt" ] &&
    header "PV guest, xen-pciback-pv" "$pv/domU-lspci-vvv-8086-100e.txt"
[ -f "$hvm/guest-lspci-vvv-8086-100e.txt" ] &&
    header "HVM guest, xen-pci-passthrough" "$hvm/guest-lspci-vvv-8086-100e.txt"
[ -f "$stub/guest-lspci-vvv-8086-100e.txt" ] &&
    header "HVM guest, device model in a stubdomain" "$stub/guest-lspci-vvv-8086-100e.txt"
show "e1000 (8086:100e): lspci -vvv in dom0 | PV guest | HVM guest (dom0 device model) | HVM guest (stubdomain device model)" \
    "$pv/dom0-lspci-0000:00:03.0.txt.h" \
    "$pv/domU-lspci-vvv-8086-100e.txt.h" \
    "$hvm/guest-lspci-vvv-8086-100e.txt.h" \
    "$stub/guest-lspci-vvv-8086-100e.txt.h"

printf '\n===== config bytes that differ from dom0 =====\n'
for f in "$pv"/config-diff-*.txt; do
    [ -f "$f" ] && echo "PV  $(basename "$f" .txt | sed 's/config-diff-//'): $(grep '^0x' "$f" | tr '\n' ' ')"
done
[ -f "$hvm/config-diff-8086-100e.txt" ] &&
    echo "HVM 8086-100e: $(grep '^0x' "$hvm/config-diff-8086-100e.txt" | tr '\n' ' ')"
[ -f "$stub/config-diff-8086-100e.txt" ] &&
    echo "HVM in a stubdomain 8086-100e: $(grep '^0x' "$stub/config-diff-8086-100e.txt" | tr '\n' ' ')"
echo "(PV: only the interrupt line, as with pciback, plus e1000e's PCIe"
echo " device control (virtual) and the hidden DSN extended capability;"
echo " HVM: command, BARs and ROM as hvmloader placed them, interrupt line)"

printf '\n===== filter decisions (trace events) =====\n'
for t in "PV:$pv/qemu-trace.log:xen_pci_func_decision" \
         "HVM:$hvm/dm-trace.log:xen_pci_func_decision" \
         "HVM in a stubdomain:$stub/dm-trace.log:xen_pci_func_decision"; do
    IFS=: read -r label file ev <<<"$t"
    [ -f "$file" ] || { echo "$label: no trace ($file)"; continue; }
    echo "$label: $(grep "$ev" "$file" | awk '{print $3}' | sort | uniq -c |
        awk '{printf "%s %s, ", $1, $2}' | sed 's/, $//')"
    # refusals first, then some drops (awk, not head: no SIGPIPE)
    awk -v ev="$ev" 'index($0, ev) && / refused / && r++ < 2' "$file" |
        sed 's/^/    /'
    awk -v ev="$ev" 'index($0, ev) && / dropped / && d++ < 2' "$file" |
        sed 's/^/    /'
done
if [ -f "$hvm/dm-trace.log" ]; then
    awk '/xen_pt_(map|intx)/ && n++ < 4' "$hvm/dm-trace.log" |
        sed 's/^/    HVM wiring: /'
fi

sv=$R/shared-verdicts
if [ -f "$sv/pv-verdicts.txt" ] && [ -f "$sv/hvm-verdicts.txt" ]; then
    printf '\n===== the same hostile writes to the edu: PV decisions | HVM decisions | HVM in a stubdomain =====\n'
    pr -m -t -w 300 "$sv/pv-verdicts.txt" "$sv/hvm-verdicts.txt" \
        $([ -f "$sv/stubdom-verdicts.txt" ] && echo "$sv/stubdom-verdicts.txt") |
        sed 's/[[:space:]]*$//'
fi

printf '\n===== verdicts =====\n'
grep -E 'ours|shared' build/e2e/logs/latest/verdicts.txt 2>/dev/null || true
exit $rc
