#!/bin/sh
# e2e-timeout: 420
# Ours HVM: the same guest as hvm-baseline, with our QEMU (our
# xen-pci-passthrough) as device_model_override, started by xl/libxl.
HVM_SCENARIO=hvm-ours
HVM_DM=/usr/local/bin/xenpt-qemu
HVM_NAME=hvmours
# Trace the filter's decisions and the BAR/interrupt wiring of our device.
HVM_DM_ARGS='"-trace", "enable=xen_pt_decision", "-trace", "enable=xen_pt_map_*", "-trace", "enable=xen_pt_intx_*", "-trace", "enable=xen_pt_realize", "-D", "/var/log/xen/hvmours-trace.log"'
. /e2e/hvm-pt.sh
