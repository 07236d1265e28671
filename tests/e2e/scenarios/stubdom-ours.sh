#!/bin/sh
# e2e-timeout: 900
# Ours in a Linux stubdomain: the hvm-ours guest (e1000 INTx, e1000e MSI-X
# at creation, the edu (MSI) by xl pci-attach, all three unplugged while
# it runs (QMP device_del: neither libxl 4.17 nor 4.20 can xl pci-detach a
# function of a guest with a stubdomain, see hvm-pt.sh), the hostile config
# writes), with our QEMU in the stubdomain image of the release (`make
# stubdom`, `make stubdom-trixie`) where the package installs it: the
# package's example (debian/examples/hvm-stubdom.cfg) gives the xl.cfg its
# passthrough lines. (The bed's image there is the package's with the
# guest's kernel and initrd appended, lib/images.sh stage_stubdom.) dom0
# allows interrupt control
# (pciback's allow_interrupt_control) for each function before it reaches
# the stubdomain; stubdom-dies covers it off.
HVM_SCENARIO=stubdom-ours
HVM_STUBDOM=1
HVM_DM=
HVM_EXAMPLE=hvm-stubdom.cfg
HVM_NAME=stubours
HVM_PCI="8086:100e 8086:10d3 1b36:0010"
# The slot 00:08 functions and the xHCI controllers in the Debian 12 bed
# (the Debian 13 one runs them on the PV paths). On Debian 13 the guest
# with them passed every check once and triple-faulted once, 80 s into its
# boot (2026-12-06; tests/e2e/evidence/stubdom-triple-fault-...), as HVM
# guests of every scenario do now and then: the guest is then created once
# more (tests/e2e/README.md, "Guests created once more").
HVM_SLOT8=bookworm
HVM_XHCI=bookworm
HVM_VF=bookworm
HVM_HOTADD=1234:11e8
HVM_CFGWRITES=1
# dom0's view after: as before but the MSI message registers Xen programmed
# (see check_restored)
HVM_RESTORE=stubdom
# Traced to QEMU's stderr: the stubdomain's console 0, dom0's qemu-dm log.
# power_mgmt (as Qubes' libxl passes it per function; Debian's libxl does
# not): the guest puts the NVMe in D3hot and back, dom0 sees each state.
HVM_PM=1
HVM_DM_ARGS='"-trace", "enable=xen_pci_func_decision", "-trace", "enable=xen_pci_func_intr_control", "-trace", "enable=xen_pci_func_dom0_resets", "-trace", "enable=xen_pci_func_stubdom_addr", "-trace", "enable=xen_pt_map_*", "-trace", "enable=xen_pci_func_intx", "-trace", "enable=xen_pci_func_msi*", "-trace", "enable=xen_pt_realize", "-trace", "enable=xen_pt_msi*", "-trace", "enable=xen_pci_func_pm", "-global", "xen-pci-passthrough.power_mgmt=on"'
. /e2e/hvm-pt.sh
