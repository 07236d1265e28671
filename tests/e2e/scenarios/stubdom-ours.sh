#!/bin/sh
# e2e-timeout: 540
# Ours in a Linux stubdomain: the hvm-ours guest (e1000 INTx, e1000e MSI-X
# at creation, the edu (MSI) by xl pci-attach, all three unplugged while
# it runs (QMP device_del: neither libxl 4.17 nor 4.20 can xl pci-detach a
# function of a guest with a stubdomain, see hvm-pt.sh), the hostile config
# writes), with our QEMU in the stubdomain image of the release (`make
# stubdom`, `make stubdom-trixie`) at libxl's default paths: the xl.cfg
# only says device_model_stubdomain_override = 1 (on Debian 13 also
# device_model_override, lib.sh's stubdom_xl_cfg). dom0 allows interrupt control
# (pciback's allow_interrupt_control) for each function before it reaches
# the stubdomain; stubdom-dies covers it off.
HVM_SCENARIO=stubdom-ours
HVM_STUBDOM=1
HVM_DM=
HVM_NAME=stubours
HVM_PCI="8086:100e 8086:10d3 1b36:0010"
HVM_HOTADD=1234:11e8
# libxl's default (128 MB) cannot hold the rootfs with the guest's kernel
# and initrd in it (the kernel runs out of memory unpacking it)
HVM_STUBDOM_MEM=256
HVM_CFGWRITES=1
# dom0's view after: as before but the MSI message registers Xen programmed
# (see check_restored)
HVM_RESTORE=stubdom
# Traced to QEMU's stderr: the stubdomain's console 0, dom0's qemu-dm log.
HVM_DM_ARGS='"-trace", "enable=xen_pci_func_decision", "-trace", "enable=xen_pci_func_intr_control", "-trace", "enable=xen_pci_func_dom0_resets", "-trace", "enable=xen_pci_func_stubdom_addr", "-trace", "enable=xen_pt_map_*", "-trace", "enable=xen_pci_func_intx", "-trace", "enable=xen_pci_func_msi*", "-trace", "enable=xen_pt_realize", "-trace", "enable=xen_pt_msi*"'
. /e2e/hvm-pt.sh
