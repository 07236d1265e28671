#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `make bench-e2e`: the end-to-end benchmarks, on real Xen nested under QEMU
# TCG, in one boot (build what is missing first):
#   PV:  config-read round trips in the domU (2000 sysfs reads of the vendor
#        ID, tools/cfgread), our xen-pciback-pv vs the kernel's xen-pciback;
#        and (scenario pv-latency) the same read, medians of 3 loops, our
#        backend in the main loop with its busy polling off and on and in an
#        IOThread with QEMU's adaptive polling off and up to 100 us, beside
#        xen-pciback, with dom0's CPU time per op (all of dom0, background
#        taken off) and our QEMU's; (scenario pv-load) four PV domUs
#        reading at once, each its own function: aggregate reads/s, the
#        slowest guest's time per read, dom0 CPU per read, xen-pciback vs
#        ours (one QEMU per guest, IOThread, polling off and up to 100 us);
#   HVM: the guest kernel's enumeration of the e1000 (remove + rescan) and
#        20 dumps of its whole config space, ours vs upstream xen-pt: time,
#        and the device model's host config syscalls per guest access
#        (strace -c; accesses counted from the cpu_ioreq_config trace);
#   HVM data path: the NVMe read in the guest (16 MiB, 4 KiB direct
#        reads) and the 1 GiB BAR written (256 MiB through its sysfs
#        mapping; Debian 12 bed), ours vs upstream xen-pt: the rate, the rate divided by
#        dom0's on the same function in the same boot (scenario dom0-io),
#        and the device model's exits per I/O (its handle_ioreq trace in
#        the BAR's range during a second run; target 0);
#   stubdomain: the same two workloads with the device model in a Linux
#        stubdomain, ours vs upstream xen-pt: time, and the config round
#        trips through pcifront per guest access (dom0's xen-pciback event
#        channel interrupts in the window; guest accesses as hvm-ours
#        counted them for the same guest kernel and function).
# One boot per Debian release (BENCH_RELEASES, default "bookworm trixie"),
# each with that release's Xen, kernels, xl and baselines and our package
# for it in dom0; every figure is printed per release, ratios within one
# boot. Prints the figures; asserts nothing about time.
#
#   scripts/bench-e2e.sh            boot and measure
#   scripts/bench-e2e.sh --report   only print the figures of the last runs
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
RELEASES=${BENCH_RELEASES:-bookworm trixie}
SCENARIOS=${BENCH_SCENARIOS:-dom0-io pv-baseline hvm-baseline pv-ours pv-latency pv-load hvm-ours stubdom-ours stubdom-upstream}

# bed_var RELEASE NAME: the value tests/e2e/lib/common.sh gives NAME for
# that release's bed (its output directories).
bed_var() { (E2E_RELEASE=$1; . tests/e2e/lib/common.sh; echo "${!2}"); }

# measure RELEASE: our package and stubdomain image for RELEASE, then one
# boot of that release's bed running the benchmark scenarios.
measure() {
    local rel=$1 stub deb
    if [ "$rel" = bookworm ]; then
        scripts/prepare-qemu.sh
    else
        scripts/release-qemu.sh "$rel"
    fi
    stub=$(bed_var "$rel" STUBDOM_OURS)
    E2E_RELEASE=$rel stubdom/build.sh
    DEB_STUBDOM=$stub scripts/deb.sh build "$rel"
    deb=$(ls -t build/deb/"$rel"/qemu-xenpt_*_amd64.deb | head -n1)
    E2E_BENCH=1 E2E_RELEASE=$rel E2E_OURS_DEB=$deb tests/e2e/run.sh $SCENARIOS || true
}

if [ "${1:-}" != --report ]; then
    scripts/setup-host.sh
    for rel in $RELEASES; do measure "$rel"; done
fi

# per_read_ns FILE: the per-read time cfgread printed in FILE.
per_read_ns() {
    sed -n 's/.*per_read_ns=\([0-9]*\).*/\1/p' "$1" 2>/dev/null | tail -n1 || true
}
# field FILE WORKLOAD NAME: NAME=value from WORKLOAD's line of a bench.txt.
field() {
    awk -v w="$2" -v k="$3" '$1 == w { for (i = 2; i <= NF; i++)
        if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' \
        "$1" 2>/dev/null || true
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
us() { awk -v n="$1" 'BEGIN { if (n != "") printf "%.0f", n / 1000; else print "n/a" }'; }
mibs() { awk -v b="$1" -v s="$2" 'BEGIN { if (b > 0 && s > 0) printf "%.2f", b / 1048576 / s }'; }
per() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.3f", a / b; else print "n/a" }'; }

# report RELEASE: the figures of RELEASE's last run.
report() {
    local rel=$1 R
    R=$(bed_var "$rel" RESULTS)

    pvb=$(per_read_ns "$R/pv-baseline/domU-cfgread.txt")
    pvo=$(per_read_ns "$R/pv-ours/domU-cfgread.txt")
    hb=$R/hvm-baseline/bench.txt
    ho=$R/hvm-ours/bench.txt

    echo
    echo "===== end-to-end benchmarks, $rel (nested Xen under TCG, one boot: $(cat "$(bed_var "$rel" IMG)/versions.txt" 2>/dev/null | sed -n 's/^xen-hypervisor[^ ]* /Xen /p' | head -n1)) ====="
    printf '%-58s %14s %14s %8s\n' "figure" "ours" "baseline" "ratio"
    printf '%-58s %14s %14s %8s\n' "PV: config read round trip in the domU (us)" \
        "$(us "${pvo:-}")" "$(us "${pvb:-}")" "$(ratio "${pvo:-0}" "${pvb:-0}")"
    # pv-latency: "MODE latency_us dom0_cpu_us_per_op qemu_cpu_us_per_op loops"
    pl=$R/pv-latency/summary.txt
    plf() { awk -v m="$1" -v c="$2" '$1 == m { print $c }' "$pl" 2>/dev/null || true; }
    for m in poll-us=0 poll-us=100 iothread iothread-poll=100us; do
        printf '%-58s %14s %14s %8s\n' "PV, $m: config read round trip (us)" \
            "$(plf $m 2)" "$(plf pciback 2)" "$(ratio "$(plf $m 2)" "$(plf pciback 2)")"
        printf '%-58s %14s %14s %8s\n' "PV, $m: dom0 CPU per op (us; ours: QEMU $(plf $m 4))" \
            "$(plf $m 3)" "$(plf pciback 3)" "$(ratio "$(plf $m 3)" "$(plf pciback 3)")"
    done
    # pv-load: "MODE aggregate_reads_per_s slowest_guest_us_per_read dom0_cpu_us_per_read rounds"
    ld=$R/pv-load/summary.txt
    ldf() { awk -v m="$1" -v c="$2" '$1 == m { print $c }' "$ld" 2>/dev/null || true; }
    for m in iothread iothread-poll=100us; do
        printf '%-58s %14s %14s %8s\n' "PV, 4 at once, $m: reads/s (all guests)" \
            "$(ldf $m 2)" "$(ldf pciback 2)" "$(ratio "$(ldf $m 2)" "$(ldf pciback 2)")"
        printf '%-58s %14s %14s %8s\n' "PV, 4 at once, $m: slowest guest us/read" \
            "$(ldf $m 3)" "$(ldf pciback 3)" "$(ratio "$(ldf $m 3)" "$(ldf pciback 3)")"
        printf '%-58s %14s %14s %8s\n' "PV, 4 at once, $m: dom0 CPU us/read" \
            "$(ldf $m 4)" "$(ldf pciback 4)" "$(ratio "$(ldf $m 4)" "$(ldf pciback 4)")"
    done
    for w in rescan dump; do
        case $w in
        rescan) what="HVM: kernel enumeration of the e1000 (remove + rescan)" ;;
        dump) what="HVM: 20 full config-space dumps of the e1000" ;;
        esac
        eo=$(field "$ho" $w seconds); eb=$(field "$hb" $w seconds)
        printf '%-58s %14s %14s %8s\n' "$what (s)" "${eo:-n/a}" "${eb:-n/a}" \
            "$(ratio "${eo:-0}" "${eb:-0}")"
        printf '%-58s %14s %14s %8s\n' "  guest config accesses" \
            "$(field "$ho" $w guest_accesses)" "$(field "$hb" $w guest_accesses)" ""
        printf '%-58s %14s %14s %8s\n' "  host config syscalls per guest access" \
            "$(field "$ho" $w per_access)" "$(field "$hb" $w per_access)" ""
    done
    # the data path: "W seconds=S ios=N bytes=B bar=.. dm_exits=E per_io=X"
    # in bench.txt, "W ... bytes=B seconds=S" in dom0-io's dom0-io.txt
    d0=$R/dom0-io/dom0-io.txt
    for w in nvme bigbar; do
        case $w in
        nvme) what="HVM: NVMe read, 16 MiB in 4 KiB direct reads (MiB/s)" ;;
        bigbar) what="HVM: 1 GiB BAR written, 256 MiB (MiB/s)" ;;
        esac
        ro=$(mibs "$(field "$ho" $w bytes)" "$(field "$ho" $w seconds)")
        rb=$(mibs "$(field "$hb" $w bytes)" "$(field "$hb" $w seconds)")
        rd=$(mibs "$(field "$d0" $w bytes)" "$(field "$d0" $w seconds)")
        printf '%-58s %14s %14s %8s\n' "$what" "${ro:-n/a}" "${rb:-n/a}" "$(ratio "$ro" "$rb")"
        printf '%-58s %14s %14s %8s\n' "  passthrough / dom0 (dom0: ${rd:-n/a} MiB/s)" \
            "$(ratio "$ro" "$rd")" "$(ratio "$rb" "$rd")" ""
        printf '%-58s %14s %14s %8s\n' "  device model exits per I/O (in the BAR)" \
            "$(field "$ho" $w per_io)" "$(field "$hb" $w per_io)" ""
    done
    so=$R/stubdom-ours/bench.txt
    su=$R/stubdom-upstream/bench.txt
    for w in rescan dump; do
        case $w in
        rescan) what="stubdom: kernel enumeration of the e1000" ;;
        dump) what="stubdom: 20 full config-space dumps of the e1000" ;;
        esac
        acc=$(field "$ho" $w guest_accesses)
        eo=$(field "$so" $w seconds); eu=$(field "$su" $w seconds)
        printf '%-58s %14s %14s %8s\n' "$what (s)" "${eo:-n/a}" "${eu:-n/a}" \
            "$(ratio "${eo:-0}" "${eu:-0}")"
        printf '%-58s %14s %14s %8s\n' "  pcifront round trips per guest access" \
            "$(per "$(field "$so" $w pcifront_round_trips)" "${acc:-0}")" \
            "$(per "$(field "$su" $w pcifront_round_trips)" "${acc:-0}")" ""
        printf '%-58s %14s %14s %8s\n' "  ours: stubdomain / dom0 device model (time)" \
            "$(ratio "${eo:-0}" "$(field "$ho" $w seconds)")" "" ""
    done
    if [ "$rel" = bookworm ]; then
        echo "(baseline: Linux's xen-pciback for PV, Debian's qemu-system-xen 7.2"
        echo " with upstream xen-pt for HVM, stock QEMU 10.0.13 in the stubdomain;"
    else
        echo "(baseline: Linux's xen-pciback for PV, Debian 13's qemu-system-xen"
        echo " 10.0.13 (upstream xen-pt, the same QEMU version) for HVM and in the"
        echo " stubdomain;"
    fi
    echo " targets: PV ratio"
    echo " <= 1.0 with polling off, dom0 CPU per op <= 1.25 x xen-pciback's,"
    echo " HVM <= 0.25 host syscalls per guest access, 0 device model exits"
    echo " per data-path I/O, stubdomain <= 0.25"
    echo " pcifront round trips per guest access on the enumeration and ours'"
    echo " enumeration in the stubdomain <= 1.3 x ours in dom0)"
}

for rel in $RELEASES; do report "$rel"; done
