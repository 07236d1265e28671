#!/bin/sh
# e2e-timeout: 300
# Baseline PV: Linux's xen-pciback in dom0 -> xen-pcifront in a PV domU.
# The e1000 (INTx) is the device under test; the edu (MSI) and the e1000e
# (MSI-X, PCIe, behind a root port) are passed too, for their lspci views,
# the NVMe, whose namespace the guest writes and reads back, and both
# functions of slot 00:08 (a display's ROM, a 1 GiB BAR) and both xHCI
# controllers with their USB disks (these in the Debian 13 bed only).
. /e2e/lib.sh
scenario_begin pv-baseline

E1000=$(find_devs 8086:100e | head -n1)
EDU=$(find_devs 1234:11e8 | head -n1)
E1000E=$(find_devs 8086:10d3 | head -n1)
NVME=$(find_devs 1b36:0010 | head -n1)
# the slot 00:08 functions and the xHCI controllers: Debian 13 bed only
SLOT8= XHCI=
in_bed "slot 00:08 (ROM, 1 GiB BAR)" trixie && SLOT8=$(slot8_devs)
in_bed "xHCI controllers" trixie && XHCI=$(xhci_devs)
if [ -z "$E1000" ]; then
    fail dom0-devices "no e1000 (8086:100e) in dom0"; exit 1
fi
# an SR-IOV virtual function of the bed's SR-IOV NVMe: Debian 12 bed only
vf_take bookworm || exit 1
DEVS="$E1000 $EDU $E1000E $NVME $SLOT8 $XHCI $VF"
info "devices: e1000=$E1000 edu=${EDU:-none} e1000e=${E1000E:-none} nvme=${NVME:-none} slot 08: ${SLOT8:-none} xhci: ${XHCI:-none}"

# dom0's view, before assignment
save_dom0_views $DEVS
# reference: the same config-read loop in dom0 (PV dom0, no driver bound)
capture dom0-cfgread.txt cfgread "$E1000" 2000 0 2 && info "dom0 $(cat "$RES/dom0-cfgread.txt")"

assign_all $DEVS
capture assignable-list.txt xl pci-assignable-list
pcilist=
for d in $DEVS; do pcilist="$pcilist${pcilist:+, }'$d'"; done

cat >/tmp/pvbase.cfg <<EOF
name = "pvbase"
type = "pv"
kernel = "/e2e/guest/vmlinuz"
ramdisk = "/e2e/guest/initrd.img"
extra = "console=hvc0 quiet e2e.scenario=baseline e2e.dev=8086:100e e2e.unplug=1 e2e.pm=1$([ -n "$NVME" ] && nvme_arg)$([ -n "$VF" ] && nvmevf_arg pv)$([ -n "$SLOT8" ] && slot8_arg pciback)"
memory = 256
vcpus = 1
pci = [ $pcilist ]
on_poweroff = "destroy"
on_crash = "destroy"
EOF
save_file /tmp/pvbase.cfg pvbase.cfg

LOG=/var/log/xen/console/guest-pvbase.log
t0=$(uptime_s)
xl_create /tmp/pvbase.cfg || exit 1
mark guest-started
# the guest puts the NVMe in D3hot and back (e2e.pm=1): pciback lets its
# frontend's power state writes reach the function; dom0 reads its PMCSR
# in each state and once the guest released it
[ -n "$NVME" ] && { pm_watch "$NVME" "$LOG" & PM_WATCH=$!; }
unplug_all pvbase "$LOG" $DEVS
mark detached
# the guest powers off by itself after its checks
guest_done pvbase "$LOG" "$t0" 240
mark guest-finished
capture xl-list.txt xl list
dom_finish pvbase
mark guest-gone
save_file /var/log/xen/xl-pvbase.log xl.log
capture xl-dmesg.txt xl dmesg
[ -n "$NVME" ] && pm_verdict "$NVME"
[ -f "$LOG" ] && guest_collect "$LOG" domU
mark collected

# dom0 vs domU config bytes of each passed function
diff_domu_configs $DEVS

mark compared
unassign_all $DEVS
[ -n "$VFPF" ] && vf_teardown "$VFPF"
mark removed
info "scenario took $(elapsed "$T_BEGIN") s"
exit 0
