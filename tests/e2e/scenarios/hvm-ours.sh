#!/bin/sh
# e2e-timeout: 420
# Ours HVM: the same guest as hvm-baseline, with our QEMU (our
# xen-pci-passthrough) as device_model_override, started by xl/libxl.
HVM_SCENARIO=hvm-ours
HVM_DM=/usr/local/bin/xenpt-qemu
HVM_NAME=hvmours
. /e2e/hvm-pt.sh
