#!/bin/sh
# e2e-timeout: 420
# Baseline HVM: xl creates an HVM guest (direct kernel boot) with pci=[e1000],
# device model = Debian's qemu-system-xen 7.2 (upstream xen-pt), at libxl's
# default path. Body: dom0/hvm-pt.sh (an "ours" variant only changes HVM_DM to
# /usr/local/bin/xenpt-qemu).
HVM_SCENARIO=hvm-baseline
HVM_DM=/usr/libexec/xen-qemu-system-i386
HVM_NAME=hvmbase
HVM_PCI="8086:100e 1b36:0010"
# what upstream leaves behind is recorded, not judged
HVM_RESTORE=info
# config ioreqs traced, for the benchmark's access count
HVM_TRACE=/var/log/xen/hvmbase-trace.log
HVM_DM_ARGS='"-trace", "enable=cpu_ioreq_config_*", "-D", "/var/log/xen/hvmbase-trace.log"'
. /e2e/hvm-pt.sh
