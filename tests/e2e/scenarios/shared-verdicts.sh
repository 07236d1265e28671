#!/bin/sh
# e2e-timeout: 60
# Shared engine, same verdicts: pv-ours and hvm-ours (earlier in the same
# boot) each had their guest issue the same hostile config-space writes to
# the edu (guest/cfgwrites.sh), with the same policy (permissive off,
# allow_interrupt_control on: the HVM device's default, set on the PV
# backend at run time). Here dom0 compares, write by write between the two
# marker writes, the decisions the two device models traced
# (xen_pci_func_decision, the same event on both paths) and what the guests read back.
# stubdom-ours's guest issued them too, its device model in a stubdomain:
# the same decisions and read-backs as hvm-ours's (dom0 device model).
. /e2e/lib.sh
scenario_begin shared-verdicts

PV=/results/pv-ours
HVM=/results/hvm-ours
STUB=/results/stubdom-ours
BEGIN=0xe2e0b001
END=0xe2e0e002

# verdicts TRACE EVENT OUT: the decision lines between the markers, without
# the trace prefix and the host address: "dropped 0x38/4 val 0x...: why".
verdicts() {
    awk -v ev="$2" -v b="val $BEGIN:" -v e="val $END:" '
        index($0, ev) == 0 { next }
        index($0, b) { on = 1 }
        on { sub(/^.*_decision [^ ]* /, ""); print }
        index($0, e) { on = 0 }' "$1" >"$3"
}

inputs="$PV/qemu-trace.log $HVM/dm-trace.log $PV/domU-cfgwrites.txt $HVM/guest-cfgwrites.txt"
inputs="$inputs $STUB/dm-trace.log $STUB/guest-cfgwrites.txt"
for f in $inputs; do
    if [ ! -s "$f" ]; then
        fail inputs "$f missing: run pv-ours, hvm-ours and stubdom-ours first, in the same boot"
        exit 0
    fi
done
pass inputs
verdicts "$PV/qemu-trace.log" xen_pci_func_decision "$RES/pv-verdicts.txt"
verdicts "$HVM/dm-trace.log" xen_pci_func_decision "$RES/hvm-verdicts.txt"
cp "$PV/domU-cfgwrites.txt" "$RES/pv-readback.txt"
cp "$HVM/guest-cfgwrites.txt" "$RES/hvm-readback.txt"
n=$(grep -c . "$RES/pv-verdicts.txt")
writes=$(grep -c . "$RES/pv-readback.txt")
info "PV: $n decisions for $writes writes + 2 markers; HVM: $(grep -c . "$RES/hvm-verdicts.txt")"
info "PV decisions: $(cut -d' ' -f1 "$RES/pv-verdicts.txt" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"

# Every write got one decision per register it covers, in order: the
# registers of the PCI header (and of the edu's MSI capability at 0x40)
# the writes of guest/cfgwrites.sh land on, the markers at 0x38 around
# them. Two writes cover two registers each: 0x00.l (Vendor ID, Device
# ID) and 0x3e.w (Min_Gnt, Max_Lat); device-specific bytes (0x60, 0xfc)
# are one each.
EXPECT_REGS="0x38/4 0x4/2 0x4/2 0x6/2 0x0/2 0x2/2 0xf/1 0x34/1 0x3c/1 0x3d/1"
EXPECT_REGS="$EXPECT_REGS 0x3e/1 0x3f/1 0x44/4 0x48/4 0x4c/2 0x42/2 0x4/2"
EXPECT_REGS="$EXPECT_REGS 0x42/2 0x60/4 0xfc/4 0x38/4"
got_regs=$(cut -d' ' -f2 "$RES/pv-verdicts.txt" | tr '\n' ' ' | sed 's/ $//')
if [ "$writes" -eq 17 ] && [ "$got_regs" = "$EXPECT_REGS" ]; then
    pass decisions-traced
else
    fail decisions-traced "$n PV decisions for $writes writes + 2 markers: registers '$got_regs', expected '$EXPECT_REGS'"
fi
if diff "$RES/pv-verdicts.txt" "$RES/hvm-verdicts.txt" >"$RES/verdicts.diff"; then
    pass same-verdicts
else
    fail same-verdicts "PV and HVM decided differently: $(grep '^[-+][^-+]' "$RES/verdicts.diff" | head -n 4 | tr '\n' ';')"
fi
if diff "$RES/pv-readback.txt" "$RES/hvm-readback.txt" >"$RES/readback.diff"; then
    pass same-readback
else
    fail same-readback "PV and HVM guests read back differently: $(grep '^[-+][^-+]' "$RES/readback.diff" | head -n 4 | tr '\n' ';')"
fi
# the same writes, the device model in a stubdomain
verdicts "$STUB/dm-trace.log" xen_pci_func_decision "$RES/stubdom-verdicts.txt"
cp "$STUB/guest-cfgwrites.txt" "$RES/stubdom-readback.txt"
if diff "$RES/hvm-verdicts.txt" "$RES/stubdom-verdicts.txt" >"$RES/stubdom-verdicts.diff" &&
   grep -q "val $END:" "$RES/stubdom-verdicts.txt"; then
    pass stubdom-same-verdicts
else
    fail stubdom-same-verdicts "in dom0 and in a stubdomain the device model decided differently: $(grep '^[-+][^-+]' "$RES/stubdom-verdicts.diff" | head -n 4 | tr '\n' ';')"
fi
if diff "$RES/hvm-readback.txt" "$RES/stubdom-readback.txt" >"$RES/stubdom-readback.diff"; then
    pass stubdom-same-readback
else
    fail stubdom-same-readback "the guests read back differently (dom0 vs stubdomain device model): $(grep '^[-+][^-+]' "$RES/stubdom-readback.diff" | head -n 4 | tr '\n' ';')"
fi
# The refusals the writes must meet on both paths.
check refused-intx-with-msi "INTx enable while MSI is on was not refused" \
    grep -q '^refused 0x4/2 val 0x7:' "$RES/pv-verdicts.txt"
check dropped-ids "the ID write was not dropped" \
    grep -q '^dropped 0x0/2 val 0xbeef: vendor' "$RES/pv-verdicts.txt"
check dropped-unlisted "the unlisted-register write was not dropped" \
    grep -q '^dropped 0x60/4 val 0x12345678' "$RES/pv-verdicts.txt"
exit 0
