#!/bin/sh
# e2e-timeout: 300
# e2e-bench-only: run by make bench-e2e, not by make check
# Benchmark boot only (make bench-e2e; scripts/bench-e2e.sh runs it first):
# dom0's own I/O rate on the functions the HVM benchmark drives through
# passthrough, in the same boot, for the passthrough/dom0 ratios:
#   nvme    the NVMe read with dom0's nvme driver: 16 MiB in 4 KiB direct
#           reads (busybox dd iflag=direct), as the guests read it
#           (guest/baseline.sh bench_nvme)
#   bigbar  256 MiB written at the start of the ivshmem's 1 GiB BAR 2
#           through its sysfs mapping (tools/barwrite; the guests write the
#           same there; the checks' pages are at its end)
# Each run once to warm up, then timed. The nvme driver is unbound and
# unloaded afterwards, the BAR's memory decoding switched off again: the
# functions are left unbound for the scenarios after.
. /e2e/lib.sh
scenario_begin dom0-io
: >"$RES/dom0-io.txt"

NVME=$(find_devs 1b36:0010 | head -n1)
# io_time CMD...: seconds CMD took (it must succeed), or empty
io_time() {
    local t0
    t0=$(uptime_s)
    "$@" 2>>"$RES/dd.txt" || return 1
    elapsed "$t0"
}
# record W SECS FIGURES WHY: W-io passes with "W FIGURES seconds=SECS"
# in dom0-io.txt when the run gave SECS; else it fails with WHY.
record() {
    if [ -n "$2" ]; then
        echo "$1 $3 seconds=$2" >>"$RES/dom0-io.txt"
        pass "$1-io"
    else
        fail "$1-io" "$4"
    fi
}
nvme_read() { dd if=/dev/nvme0n1 of=/dev/null bs=4k count="$1" iflag=direct; }
if [ -n "$NVME" ]; then
    # Only this NVMe: the bed's SR-IOV one (8086:5845) stays unbound.
    echo 0 >/sys/bus/pci/drivers_autoprobe
    for m in $(cat /e2e/kmod/modules.load); do
        insmod "/e2e/kmod/$m" 2>>"$RES/insmod.txt"
    done
    echo "$NVME" >/sys/bus/pci/drivers/nvme/bind 2>>"$RES/insmod.txt"
    echo 1 >/sys/bus/pci/drivers_autoprobe
    if wait_for 30 test -b /dev/nvme0n1; then
        nvme_read 256
        secs=$(io_time nvme_read 4096)
        record nvme "$secs" "bdf=$NVME bytes=16777216 ios=4096" "dd from /dev/nvme0n1: $(tail -n1 "$RES/dd.txt")"
    else
        fail nvme-io "no /dev/nvme0n1 30 s after loading nvme (driver: $(readlink "/sys/bus/pci/devices/$NVME/driver"); $(tail -n2 "$RES/insmod.txt" | tr '\n' ' '))"
    fi
    echo "$NVME" >/sys/bus/pci/drivers/nvme/unbind 2>/dev/null
    rmmod nvme 2>/dev/null
    [ -e "/sys/bus/pci/devices/$NVME/driver" ] &&
        fail nvme-io "$NVME still bound to $(readlink "/sys/bus/pci/devices/$NVME/driver")"
else
    info "no NVMe (1b36:0010) in dom0"
fi

BIG=$(find_devs 1af4:1110 | head -n1)
if [ -n "$BIG" ]; then
    echo 1 >"/sys/bus/pci/devices/$BIG/enable"
    barwrite "$BIG" 2 268435456 >"$RES/barwrite.txt" 2>&1
    echo 0 >"/sys/bus/pci/devices/$BIG/enable"
    secs=$(sed -n 's/.* seconds=\([0-9.]*\) readback=ok$/\1/p' "$RES/barwrite.txt")
    record bigbar "$secs" "bdf=$BIG bytes=268435456" "barwrite: $(tail -n1 "$RES/barwrite.txt")"
else
    info "no ivshmem (1af4:1110) in dom0: this bed has no slot 00:08"
fi
info "dom0 I/O: $(tr '\n' ';' <"$RES/dom0-io.txt")"
exit 0
