#!/bin/sh
# e2e-timeout: 60
# Scenarios 2 and 6: the guest's view of each function through our device
# models against the baseline's view of the same function in the same boot
# (pv-ours vs pv-baseline: Linux's xen-pciback; hvm-ours vs hvm-baseline:
# upstream xen-pt), byte by byte, before any driver touched it. Only the
# documented differences may appear:
#   PV, any function   0x3c interrupt line (the domU's own numbering)
#   PV, e1000e         0xe8-0xe9 PCI Express Device Control (virtual),
#                      0x100-0x103 extended capability header (DSN hidden)
#   HVM, e1000         0x04-0x07 command/status, 0x10-0x27 BARs, 0x30-0x33
#                      ROM BAR (hvmloader places them), 0x3c interrupt line
# and our device model in a stubdomain (stubdom-ours) against the same in
# dom0 (hvm-ours), every function: only the BAR and ROM BAR addresses
# (0x10-0x27, 0x30-0x33), which hvmloader lays out by the guest's whole
# device set, and the two guests' sets differ (slot 00:08 and the xHCI
# controllers, passed by both in the Debian 12 bed only), and the interrupt
# line (0x3c) only where libxl gave the function another guest slot
# (hvmloader routes INTx by slot; libxl orders a stubdomain guest's
# functions otherwise: the e1000 at 00:06.0 there, 00:03.0 in dom0's, seen
# in the Debian 12 bed, 2026-12-07).
. /e2e/lib.sh
scenario_begin shared-views

# allowed OFFSET LIST: whether the (decimal) offset is in the ranges of LIST
# ("lo-hi" or single hex offsets).
allowed() {
    local o=$1 r lo hi; shift
    for r in "$@"; do
        lo=$((${r%-*})); hi=$((${r#*-}))
        [ "$o" -ge "$lo" ] && [ "$o" -le "$hi" ] && return 0
    done
    return 1
}

# compare NAME BASE OURS RANGE...: PASS/FAIL view-NAME (HELD_BDF: the
# function's BDF, when HELD lists a register of it).
compare() {
    local name=$1 a=$2 b=$3 bad= o n=0; shift 3
    if [ ! -s "$a" ] || [ ! -s "$b" ]; then
        fail "view-$name" "missing $a or $b: run the baseline and ours first, in the same boot"
        return
    fi
    if [ "$(wc -c <"$a")" != "$(wc -c <"$b")" ]; then
        fail "view-$name" "config sizes differ: $(wc -c <"$a") vs $(wc -c <"$b")"
        return
    fi
    cmp -l "$a" "$b" | awk '{ print $1 - 1 }' >"$RES/diff-$name.txt"
    while read -r o; do
        n=$((n + 1))
        allowed "$o" "$@" && continue
        # a register an ended try's device model left in the host for the
        # rest of the boot (dom0/lib.sh intr_restore): the command word
        # too, which the device models derive from it
        if [ -n "$HELD_BDF" ] && { held_only "$HELD_BDF" "$(printf '0x%03x' "$o")" || allowed "$o" 0x04-0x05; }; then
            info "$name: 0x$(printf '%03x' "$o") differs where $HELD_BDF holds a register an ended try left"
            continue
        fi
        bad="$bad $(printf '0x%03x' "$o")"
    done <"$RES/diff-$name.txt"
    info "$name: $n bytes differ ($(while read -r o; do printf '0x%03x ' "$o"; done <"$RES/diff-$name.txt"))"
    if [ -z "$bad" ]; then
        pass "view-$name"
    else
        fail "view-$name" "undocumented differences at$bad"
    fi
}

# held ID: HELD_BDF for the function ID (vendor:device) if HELD lists it
held() {
    HELD_BDF=$(find_devs "$1" | head -n1)
    grep -q "^$HELD_BDF " "$HELD" 2>/dev/null || HELD_BDF=
}
PB=/results/pv-baseline/domU-config
PO=/results/pv-ours/domU-config
HB=/results/hvm-baseline/guest-config
HO=/results/hvm-ours/guest-config
held 8086:100e
compare pv-e1000 "$PB-8086-100e.bin" "$PO-8086-100e.bin" 0x3c
held 8086:10d3
compare pv-e1000e "$PB-8086-10d3.bin" "$PO-8086-10d3.bin" 0x3c 0xe8-0xe9 0x100-0x103
held 1234:11e8
compare pv-edu "$PB-1234-11e8.bin" "$PO-1234-11e8.bin" 0x3c
held 8086:100e
compare hvm-e1000 "$HB-8086-100e.bin" "$HO-8086-100e.bin" 0x04-0x07 0x10-0x27 0x30-0x33 0x3c
SO=/results/stubdom-ours/guest-config
# guest_slot SCENARIO ID: the function's address in that scenario's guest
# (its lspci -D -nn before any driver)
guest_slot() {
    grep -m1 "\[$2\]" "/results/$1/guest-lspci-nn.txt" 2>/dev/null | cut -d' ' -f1
}
# line_if_moved ID: MOVED=0x3c when the two guests have the function in
# different slots (an INFO line says which), else empty
line_if_moved() {
    local a b
    MOVED=
    a=$(guest_slot hvm-ours "$1"); b=$(guest_slot stubdom-ours "$1")
    [ "$a" = "$b" ] && return 0
    info "$1: guest slot $a with the device model in dom0, $b in the stubdomain: interrupt lines may differ"
    MOVED=0x3c
}
# the two guests' device sets differ, so do the addresses hvmloader gives
held 8086:100e
line_if_moved 8086:100e
compare stubdom-e1000 "$HO-8086-100e.bin" "$SO-8086-100e.bin" 0x10-0x27 0x30-0x33 $MOVED
held 8086:10d3
line_if_moved 8086:10d3
compare stubdom-e1000e "$HO-8086-10d3.bin" "$SO-8086-10d3.bin" 0x10-0x27 0x30-0x33 $MOVED
held 1234:11e8
line_if_moved 1234:11e8
compare stubdom-edu "$HO-1234-11e8.bin" "$SO-1234-11e8.bin" 0x10-0x27 0x30-0x33 $MOVED
exit 0
