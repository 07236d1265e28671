#!/bin/sh
# e2e-timeout: 300
# e2e-releases: trixie (make check's time: our undo paths against Xen's hypercalls, the same in both releases; run by name on Debian 12)
# Our PV backend's undo paths against real Xen. x-hv-fail makes the chosen
# hypercall steps fail without being made (as Xen refusing them would);
# Xen itself says what is left.
#   1. Grant (assign=on) of the e1000 (memory BAR, I/O BAR, INTx) to a
#      paused PV domain, failing at each step in turn: recording it as in
#      use, IOMMU assignment, memory, I/O ports, GSI map, pirq permission.
#      Each time QEMU must refuse naming the step, leave no in-use record,
#      and Xen's rangesets of the domain ('q' debug key: I/O ports,
#      interrupts, I/O memory) must be as before. Then the same grant
#      without a failure must succeed (Xen refuses to assign a function
#      left assigned, and the in-use record would be ours), and the
#      rangesets must then hold the e1000's ranges.
#   2. The guest runs with the e1000 and the edu while the MSI pirq map
#      fails: edu_msi's MSI enable is refused (guest/hvfail.sh), dom0's
#      function has MSI off and Xen gave the domain no interrupt more;
#      with the failure cleared (qom-set x-hv-fail 0) the guest's retry
#      gets 16 of 16 MSIs.
#   3. QEMU stopped while the guest still runs: Xen's rangesets of the
#      domain are as before the grant; after the guest, dom0's view of both
#      functions is as before.
. /e2e/lib.sh
scenario_begin pv-hv-fail

Q=/usr/local/bin/xenpt-qemu
E1000=$(find_devs 8086:100e | head -n1)
EDU=$(find_devs 1234:11e8 | head -n1)
[ -n "$E1000" ] || { fail dom0-devices "no e1000 (8086:100e) in dom0"; exit 1; }
[ -n "$EDU" ] || { fail dom0-devices "no edu (1234:11e8) in dom0"; exit 1; }
info "functions: e1000 $E1000, edu $EDU"
assign_all "$E1000" "$EDU"
save_configs before "$E1000" "$EDU"

# x-hv-fail's bits: XenPciHv's op numbers (hw/xen/pci-func/xen-pci-hv.h)
HV_MAP_PIRQ_GSI=0 HV_MAP_PIRQ_MSI=1 HV_IRQ_PERM=9 HV_IOMEM_PERM=10
HV_IOPORT_PERM=11 HV_ASSIGN=12 HV_CLAIM=13

# xen_ranges DOMID FILE: what Xen lets the domain use, from the 'q' debug
# key's dump: its rangesets (I/O Ports, Interrupts, I/O Memory), one per
# line, saved in $RES/FILE; false if Xen printed none for it.
xen_ranges() {
    xl dmesg -c >/dev/null
    xl debug-keys q
    xl dmesg | tr -d '\r' | sed -E 's/^\(XEN\) (\[[^]]*\] )?//' |
        awk -v h="Rangesets belonging to domain $1:" '
            $0 == h { on = 1; next }
            on && /^    / { sub(/^ +/, ""); print; next }
            { on = 0 }' >"$RES/$2"
    grep -q . "$RES/$2"
}

# libxl's in-use record of the e1000 (xenstore /libxl/pci/<bdf>/domid)
REC=/libxl/pci/$(echo "$E1000" | tr ':.' '--')/domid

pv_ours_cfg /tmp/hvfail.cfg hvfail "console=hvc0 quiet e2e.scenario=hvfail e2e.end=wait"
LOG=/var/log/xen/console/guest-hvfail.log
xl_create /tmp/hvfail.cfg -p || exit 1
D=$(xl domid hvfail)
info "domid $D"
if xen_ranges "$D" ranges-before.txt; then
    info "Xen's rangesets of domain $D before: $(tr '\n' ';' <"$RES/ranges-before.txt")"
else
    fail xen-ranges "no 'Rangesets belonging to domain $D' in Xen's 'q' dump"
fi

# 1. each grant step failing
ok=1
for step in "$HV_CLAIM:recording it as in use" "$HV_ASSIGN:assigning it (IOMMU)" \
            "$HV_IOMEM_PERM:allowing its memory" "$HV_IOPORT_PERM:allowing its I/O ports" \
            "$HV_MAP_PIRQ_GSI:mapping its GSI" "$HV_IRQ_PERM:allowing its pirq"; do
    bit=${step%%:*} what=${step#*:}
    f=grant-fails-$bit.txt
    capture "$f" timeout 60 "$Q" -machine xenpv -xen-domid "$D" -xen-attach -nodefaults \
        -display none -serial none \
        -device "xen-pciback-pv,id=pvpci,frontend-id=$D,hosts=$E1000,assign=on,x-hv-fail=$((1 << bit))"
    rc=$?
    if [ "$rc" = 0 ] || ! grep -qF "$E1000: granting domain $D access failed at $what" "$RES/$f"; then
        ok=; fail grant-undone "step '$what': exit $rc; $(tail -n2 "$RES/$f" | tr '\n' ' ')"
        continue
    fi
    if xenstore-read "$REC" >/dev/null 2>&1; then
        ok=; fail grant-undone "step '$what': in-use record left: $REC = $(xenstore-read "$REC")"
    fi
    xen_ranges "$D" "ranges-fails-$bit.txt"
    if ! cmp -s "$RES/ranges-before.txt" "$RES/ranges-fails-$bit.txt"; then
        ok=; fail grant-undone "step '$what': Xen's rangesets now $(tr '\n' ';' <"$RES/ranges-fails-$bit.txt")"
    fi
    info "step '$what' failed and was undone: $(grep -m1 'failed at' "$RES/$f")"
done
[ -n "$ok" ] && pass grant-undone

# 2. the same grant succeeds, the guest runs with the MSI map failing
hmp_open mon
# shellcheck disable=SC2046
"$Q" -machine xenpv -xen-domid "$D" -xen-attach -nodefaults \
    -display none -serial none $(hmp_args mon) \
    -trace 'enable=xen_pciback_pv_*' -trace 'enable=xen_pci_func_*' -D "$RES/qemu-trace.log" \
    -device "xen-pciback-pv,id=pvpci,frontend-id=$D,hosts=$E1000;$EDU,assign=on,x-hv-fail=$((1 << HV_MAP_PIRQ_MSI))" \
    >"$RES/qemu.log" 2>&1 &
QPID=$!
wait_for 30 pvb_ready "$D" "$QPID"
if kill -0 "$QPID" 2>/dev/null && [ -n "$(pvb_state "$D")" ] &&
   [ "$(xenstore-read "$REC" 2>/dev/null)" = "$D" ]; then
    pass grant-after-undo
else
    fail grant-after-undo "record '$(xenstore-read "$REC" 2>/dev/null)'; $(tail -n3 "$RES/qemu.log" | tr '\n' ' ')"
fi
xen_ranges "$D" ranges-granted.txt
if cmp -s "$RES/ranges-before.txt" "$RES/ranges-granted.txt"; then
    fail xen-ranges "Xen's rangesets unchanged by the grant: $(tr '\n' ';' <"$RES/ranges-granted.txt")"
else
    pass xen-ranges
fi
info "Xen's rangesets of domain $D granted: $(tr '\n' ';' <"$RES/ranges-granted.txt")"
t0=$(uptime_s)
capture xl-unpause.log xl unpause "$D" || fail xl-unpause "$(tail -n1 "$RES/xl-unpause.log")"
if guest_said hvfail "$LOG" '@@G hvfail-refused' 240; then
    capture dom0-lspci-edu-refused.txt lspci -vv -s "$EDU"
    xen_ranges "$D" ranges-refused.txt
    if ! grep -q 'MSI: Enable-' "$RES/dom0-lspci-edu-refused.txt"; then
        fail msi-undone "dom0's edu: $(grep 'MSI:' "$RES/dom0-lspci-edu-refused.txt")"
    elif ! cmp -s "$RES/ranges-granted.txt" "$RES/ranges-refused.txt"; then
        fail msi-undone "Xen's rangesets changed: $(tr '\n' ';' <"$RES/ranges-refused.txt")"
    else
        pass msi-undone
    fi
    hmp_qom_set hv-fail-cleared mon pvpci x-hv-fail 0
else
    fail msi-undone "the guest never said hvfail-refused"
fi
guest_done hvfail "$LOG" "$t0" 240

# 3. QEMU stopped under the running guest: every grant revoked
kill "$QPID" 2>/dev/null
wait_for 20 sh -c "! kill -0 $QPID 2>/dev/null" || { info "QEMU did not exit: SIGKILL"; kill -9 "$QPID"; }
xen_ranges "$D" ranges-released.txt
if cmp -s "$RES/ranges-before.txt" "$RES/ranges-released.txt" &&
   ! xenstore-read "$REC" >/dev/null 2>&1; then
    pass released
else
    fail released "record '$(xenstore-read "$REC" 2>/dev/null)'; Xen's rangesets $(tr '\n' ';' <"$RES/ranges-released.txt")"
fi
capture xl-destroy.log xl destroy hvfail || fail released "xl destroy hvfail: $(tail -n1 "$RES/xl-destroy.log")"
[ -f "$LOG" ] && guest_collect "$LOG" domU
grep -q 'xen_pci_func_msi' "$RES/qemu-trace.log" &&
    info "traced: $(grep -m1 'xen_pci_func_msi' "$RES/qemu-trace.log")"

check_restored check "$E1000" "$EDU"
unassign_all "$E1000" "$EDU"
info "scenario took $(elapsed "$T_BEGIN") s"
exit 0
