#!/bin/sh
# e2e-timeout: 960
# Ours HVM: the same guest as hvm-baseline, with our QEMU (our
# xen-pci-passthrough) as device_model_override, started by xl/libxl: the
# package's example (debian/examples/hvm-dom0.cfg) gives the xl.cfg its
# passthrough lines.
# Besides the e1000 (INTx, DMA), the guest gets the e1000e (MSI-X, PCIe) at
# creation, with /dev/mem gone from dom0, the NVMe (MSI-X, 17 vectors; its
# namespace written and read back), and the edu (MSI) by xl pci-attach
# while it runs; all leave by xl pci-detach. In both beds also an SR-IOV
# virtual function (of the bed's SR-IOV NVMe, its namespace written and
# read back): the VF's MSI-X on both releases (the Debian 13 stall
# tests/e2e/README.md describes was seen once with it, in sixteen boots).
HVM_SCENARIO=hvm-ours
HVM_DM=/usr/libexec/qemu-xenpt/qemu-system-x86_64
HVM_EXAMPLE=hvm-dom0.cfg
HVM_NAME=hvmours
HVM_PCI="8086:100e 8086:10d3 1b36:0010"
HVM_SLOT8=bookworm
HVM_XHCI=bookworm
HVM_VF=1
HVM_HOTADD=1234:11e8
HVM_NO_DEVMEM=1
HVM_CFGWRITES=1
HVM_PCIBACK_POLICY=1
# Trace the filter's decisions and the BAR/interrupt wiring of our device.
HVM_TRACE=/var/log/xen/hvmours-trace.log
# The benchmark's counted runs also trace our host config reads.
HVM_HOST_READS=1
HVM_DM_ARGS='"-trace", "enable=cpu_ioreq_config_*", "-trace", "enable=xen_pci_func_decision", "-trace", "enable=xen_pt_map_*", "-trace", "enable=xen_pci_func_intx", "-trace", "enable=xen_pci_func_msi*", "-trace", "enable=xen_pt_realize", "-trace", "enable=xen_pt_msi*", "-trace", "enable=xen_pt_unrealize", "-trace", "enable=xen_pci_host_reset", "-trace", "enable=xen_pci_host_write", "-trace", "enable=xen_pci_func_*policy", "-D", "/var/log/xen/hvmours-trace.log"'
. /e2e/hvm-pt.sh
