#!/bin/sh
# e2e-timeout: 330
# Ours PV: the same PV domU as pv-baseline, but its functions are served by
# our QEMU's xen-pciback-pv backend (backend type pci-qemu) instead of the
# kernel's xen-pciback. xl creates the guest without pci=; QEMU attaches to
# the domain and does the assignment itself (assign=on).
# The e1000 and the e1000e are there from the start; the edu is hot-added
# while the guest runs (qom-set add-host: the guest's edu_msi driver must get
# its MSI through our enable_msi path), then every function is hot-removed
# (qom-set remove-host) while the guest still runs. Before the hot add, the
# backend runs an AER recovery of the e1000 through the frontend
# (x-inject-aer): the guest's driver must bring the device back.
# In the Debian 12 bed an SR-IOV virtual function too (of the bed's SR-IOV
# NVMe; what a PV guest gets of it: guest/baseline.sh vf_pv_check).
. /e2e/lib.sh
scenario_begin pv-ours

Q=/usr/local/bin/xenpt-qemu
E1000=$(find_devs 8086:100e | head -n1)
EDU=$(find_devs 1234:11e8 | head -n1)
E1000E=$(find_devs 8086:10d3 | head -n1)
NVME=$(find_devs 1b36:0010 | head -n1)
[ -n "$E1000" ] || { fail dom0-devices "no e1000 (8086:100e) in dom0"; exit 1; }
[ -n "$EDU" ] || { fail dom0-devices "no edu (1234:11e8) in dom0"; exit 1; }
# the slot 00:08 functions and the xHCI controllers: Debian 13 bed only
SLOT8= XHCI=
in_bed "slot 00:08 (ROM, 1 GiB BAR)" trixie && SLOT8=$(slot8_devs)
in_bed "xHCI controllers" trixie && XHCI=$(xhci_devs)
[ -n "$NVME" ] || { fail dom0-devices "no NVMe (1b36:0010) in dom0"; exit 1; }
# an SR-IOV virtual function of the bed's SR-IOV NVMe: Debian 12 bed only
vf_take bookworm || exit 1
[ -n "$SLOT8" ] || [ "$E2E_RELEASE" != trixie ] || { fail dom0-devices "no display (1234:1111) in dom0"; exit 1; }
DEVS="$E1000 $EDU $E1000E $NVME $SLOT8 $XHCI $VF"
HOSTS=$(echo $E1000 $E1000E $NVME $SLOT8 $XHCI $VF | tr ' ' ';')
info "devices: $HOSTS"

save_dom0_views $DEVS
assign_all $DEVS
# The e1000's policy in dom0's pciback (permissive and a quirk), written
# before the guest starts: the backend must start the function with it.
pciback_policy_set "$E1000" permissive
# The function's config space as the backend will find it (pciback owns it).
save_configs before $DEVS

pv_ours_cfg /tmp/pvours.cfg pvours \
    "console=hvc0 quiet e2e.scenario=baseline e2e.dev=8086:100e e2e.unplug=1 e2e.hotadd=1234:11e8 e2e.cfgwrites=1 e2e.aer=1 e2e.pm=1$(nvme_arg)$([ -n "$VF" ] && nvmevf_arg pv)$([ -n "$SLOT8" ] && slot8_arg pciback)"

LOG=/var/log/xen/console/guest-pvours.log
t0=$(uptime_s)
# Created paused: the backend takes the functions (assign, reset) before
# the guest runs, as a toolstack would.
xl_create /tmp/pvours.cfg -p || exit 1
DOMID=$(xl domid pvours)
info "domid $DOMID"

mark qemu-start
hmp_open mon
# shellcheck disable=SC2046
"$Q" -machine xenpv -xen-domid "$DOMID" -xen-attach -nodefaults \
    -display none -serial none $(hmp_args mon) \
    -trace 'enable=xen_pciback_pv_*' -trace 'enable=xen_pci_func_*' -D "$RES/qemu-trace.log" \
    -device "xen-pciback-pv,id=pvpci,frontend-id=$DOMID,hosts=$HOSTS,assign=on,power_mgmt=on" \
    >"$RES/qemu.log" 2>&1 &
QPID=$!
# up once its backend is published (InitWait), or gone
wait_for 30 pvb_ready "$DOMID" "$QPID"
if kill -0 "$QPID" 2>/dev/null && [ -n "$(pvb_state "$DOMID")" ]; then
    pass qemu-started
else
    fail qemu-started "$(tail -n3 "$RES/qemu.log" | tr '\n' ' ')"
fi
# pciback's policy for the e1000 in effect while the guest is still paused
hmp mon qom-get pvpci policy
pciback_policy_check "$(hmp_last mon | tr -d '\r')" \
    "$E1000: permissive=on allow-interrupt-control=off quirks=$PCIBACK_QUIRK_OURS (from pciback: permissive quirks)"
capture xl-unpause.log xl unpause "$DOMID" || fail xl-unpause "$(tail -n1 "$RES/xl-unpause.log")"

mark guest-started
# power_mgmt=on: the guest puts the NVMe in D3hot and back once its NVMe
# checks are done (e2e.pm=1); dom0 reads the function's PMCSR in each
# state and once the backend released it (back in D0)
pm_watch "$NVME" "$LOG" &
PM_WATCH=$!
# AER: once the guest's network works, the backend runs an error recovery of
# the e1000 through the frontend (the guest checks that it comes back).
if guest_said pvours "$LOG" '@@G aer-ready' "$CHECKS_WAIT"; then
    hmp_qom_set aer-inject mon pvpci x-inject-aer "$E1000"
else
    fail aer-inject "guest never became ready for AER"
fi
# An address as a user may type it: 0:0:4.0 for 0000:00:04.0 (hot add
# and remove take it in that form; the backend once published nothing for
# it and refused to remove it).
short_bdf() { echo "$1" | sed -E 's/(^|:)0+([0-9a-f])/\1\2/g'; }
# Hot add of the edu once the guest is through its first checks.
if guest_said pvours "$LOG" '@@G hotadd-ready' "$CHECKS_WAIT"; then
    info "hot add and remove by the short addresses: $(short_bdf "$EDU")"
    hmp_qom_set hot-add mon pvpci add-host "$(short_bdf "$EDU")"
    # The HVM device's default policy, for the shared-verdicts comparison
    # (the guest's hostile config writes come after the edu checks).
    hmp mon qom-set pvpci allow-interrupt-control on
    hmp mon qom-get pvpci allow-interrupt-control
    info "allow-interrupt-control: $(hmp_last mon | tr -d '\r' | tail -n1)"
    hmp mon qom-get pvpci stats && info "backend stats after hot add: $(hmp_last mon | tr -s ' ' | tail -n1)"
else
    fail hot-add "guest never became ready for hot add"
fi
# Hot remove of every function, one at a time, while the guest runs.
if guest_said pvours "$LOG" '@@G unplug-ready' "$CHECKS_WAIT"; then
    ok=1
    for d in $DEVS; do
        t=$(uptime_s)
        hmp mon qom-set pvpci remove-host "$(short_bdf "$d")"
        ans=$(hmp_last mon)
        if echo "$ans" | grep -qi error; then
            ok=; fail hot-remove "qom-set remove-host $d: $ans"; continue
        fi
        # released once the frontend let it go: its state-N is Closed
        if wait_for 30 pvb_func_closed "$DOMID" "$d"; then
            info "remove-host $d: released $(elapsed "$t") s later"
        else
            ok=; fail hot-remove "$d: not released 30 s after remove-host (backend state $(pvb_state "$DOMID"))"
        fi
    done
    [ -n "$ok" ] && pass hot-remove
    capture xenstore-backend.txt xenstore-ls -f "/local/domain/0/backend/pci-qemu/$DOMID"
else
    fail hot-remove "guest never became ready for unplug"
fi
guest_done pvours "$LOG" "$t0" 240
mark guest-finished
dom_finish pvours
mark guest-gone
# The backend sees the frontend go; then QEMU is stopped: release, reset,
# restore, permissions revoked.
sleep 1
kill "$QPID" 2>/dev/null
wait_for 20 sh -c "! kill -0 $QPID 2>/dev/null" || { info "QEMU did not exit: SIGKILL"; kill -9 "$QPID"; }
capture xl-dmesg.txt xl dmesg
pm_verdict "$NVME"
[ -f "$LOG" ] && guest_collect "$LOG" domU
mark collected

# The backend's side of the AER recovery: every step answered, recovered.
if grep -q 'xen_pciback_pv_aer .*recovery recovered' "$RES/qemu-trace.log"; then
    pass aer-recovered
else
    fail aer-recovered "no 'recovery recovered' traced: $(grep xen_pciback_pv_aer "$RES/qemu-trace.log" | tail -n1)"
fi
# dom0 vs domU config bytes of each passed function
diff_domu_configs $DEVS
# After the guest: dom0's view of each function equals what it was before.
check_restored check $DEVS
unassign_all $DEVS
[ -n "$VFPF" ] && vf_teardown "$VFPF"
info "scenario took $(elapsed "$T_BEGIN") s"
exit 0
