#!/bin/sh
# e2e-timeout: 420
# e2e-on-demand: a recording without checks (3-4.5 min a boot), run by name (E2E_SCENARIOS=stubdom-upstream make e2e / e2e-trixie)
# Baseline in a stubdomain, recorded and not judged (E2E_RECORD: its
# checks are INFO lines, results/stubdom-upstream/record.txt): the
# stubdom-ours guest with upstream's xen-pt in the same stubdomain image:
# stock QEMU 10.0.13 from the same pinned tarball instead of ours
# (scripts/build-stock-qemu.sh, stubdom/build.sh with STUBDOM_QEMU), given
# by stubdomain_ramdisk. allow_interrupt_control is on for every function, as
# for ours.
export E2E_RECORD=1
HVM_SCENARIO=stubdom-upstream
HVM_STUBDOM=1
HVM_DM=/e2e/stubdom-upstream/rootfs
HVM_NAME=stubup
HVM_PCI="8086:100e 8086:10d3 1b36:0010"
# Not here in make check (its time): the slot 00:08 functions and the xHCI
# controllers, recorded once with HVM_SLOT8=trixie HVM_XHCI=trixie
# (2026-12-06, Debian 13): everything works, the guest reads no ROM (as
# through pciback), MSI shows 1 of 1 messages.
# The SR-IOV VF in the Debian 12 bed, as stubdom-ours.
HVM_VF=bookworm
HVM_HOTADD=1234:11e8
HVM_RESTORE=info
HVM_STUBDOM_MEM=256
( . /e2e/hvm-pt.sh )
exit 0
