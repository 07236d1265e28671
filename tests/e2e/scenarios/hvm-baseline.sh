#!/bin/sh
# e2e-timeout: 840
# Baseline HVM: xl creates an HVM guest (direct kernel boot) with pci=[e1000],
# device model = Debian's qemu-system-xen 7.2 (upstream xen-pt), at libxl's
# default path. Body: dom0/hvm-pt.sh (an "ours" variant only changes HVM_DM to
# /usr/local/bin/xenpt-qemu).
HVM_SCENARIO=hvm-baseline
HVM_DM=/usr/libexec/xen-qemu-system-i386
HVM_NAME=hvmbase
HVM_PCI="8086:100e 1b36:0010"
# The xHCI controllers in the Debian 12 bed; not the slot 00:08 functions
# in make check (mapping the 1 GiB BAR costs this guest about a minute):
# with HVM_SLOT8=bookworm the guest read dom0's ROM bytes and the 1 GiB
# BAR worked (two boots and CI's make check, 2026-12-06).
HVM_XHCI=bookworm
HVM_VF=bookworm
# A benchmark boot (make bench-e2e) passes slot 00:08 for the 1 GiB BAR's
# window, as hvm-ours does.
[ "${E2E_BENCH:-0}" = 1 ] && HVM_SLOT8=bookworm
# what upstream leaves behind is recorded, not judged
HVM_RESTORE=info
# config ioreqs traced, for the benchmark's access count
HVM_TRACE=/var/log/xen/hvmbase-trace.log
HVM_DM_ARGS='"-trace", "enable=cpu_ioreq_config_*", "-D", "/var/log/xen/hvmbase-trace.log"'
. /e2e/hvm-pt.sh
