#!/bin/sh
# e2e-timeout: 900
# e2e-bench-only: run by make bench-e2e, not by make check
# PV config-read latency and dom0 CPU per op, in one boot: the same domU
# (guest/pvbench.sh) reading the e1000's vendor ID through xen-pcifront,
# first served by Linux's xen-pciback (pci=), then by our backend started
# by xl (device_model_args_pv): in QEMU's main loop with its own busy
# polling off (poll-us=0) and on (poll-us=100), alternated; then in an
# IOThread (iothread=), QEMU's adaptive polling off (poll-max-ns=0) and up
# to 100 us, alternated. Each loop is PVLAT_READS reads, ROUNDS times per
# setting; dom0 reads its CPU time (/proc/stat, all of dom0: QEMU, kernel
# threads, interrupts) and our QEMU's (/proc/PID/stat) around each loop.
# Figures only (INFO lines, summary.txt); the check is that every read
# returned the vendor ID.
. /e2e/lib.sh
. /e2e/bench.sh
scenario_begin pv-latency

Q=/usr/local/bin/xenpt-qemu
E1000=$(find_devs 8086:100e | head -n1)
[ -n "$E1000" ] || { fail dom0-devices "no e1000 (8086:100e) in dom0"; exit 1; }
N=${PVLAT_READS:-3000}
ROUNDS=${PVLAT_ROUNDS:-3}
LOG=/var/log/xen/console/guest-pvlat.log
assign_all "$E1000"
: >"$RES/phases.txt"
BAD=

# A process's user + system time in ticks (0 without a process).
proc_cpu() { [ -n "$1" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Wait up to $2 s for label $1, polling 10 times a second (the same loop
# measures dom0's background, below).
wait_label() { bench_wait "$LOG" "$1" "$2" 10; }
background() { bench_background "$LOG" 4 10; }   # ticks per 100 s
# phase MODE LABEL DOMID QPID: one loop; appends
# "MODE LABEL per_read_ns elapsed_cs busy_ticks qemu_ticks" to phases.txt.
phase() {
    local mode=$1 label=$2 dom=$3 qpid=$4 tty b0 b1 q0 q1 t0 t1 line per
    tty=$(xenstore-read "/local/domain/$dom/console/tty" 2>/dev/null)
    [ -n "$tty" ] || { BAD="$BAD $label:no-tty"; return 1; }
    b0=$(cpu_busy); q0=$(proc_cpu "$qpid"); t0=$(up_cs)
    echo "run $label $N" >"$tty"
    if ! wait_label "$label" 300; then
        BAD="$BAD $label:no-answer"; return 1
    fi
    b1=$(cpu_busy); q1=$(proc_cpu "$qpid"); t1=$(up_cs)
    line=$(tr -d '\r' <"$LOG" | grep "@@G pvbench $label " | tail -n1)
    per=$(echo "$line" | sed -n 's/.*per_read_ns=\([0-9]*\).*/\1/p')
    echo "$line" | grep -q "reads=$N value=0x8086 changed=0 errors=0" ||
        BAD="$BAD $label:${line#*cfgread: }"
    echo "$mode $label ${per:-0} $((t1 - t0)) $((b1 - b0)) $((q1 - q0))" >>"$RES/phases.txt"
}
guest_ready() {
    if guest_said pvlat "$LOG" '@@G pvbench-ready' 180; then return 0; fi
    fail measured "$1: the guest never became ready"
    cp "$LOG" "$RES/console-$1.log" 2>/dev/null
    return 1
}
finish_guest() {
    tty=$(xenstore-read "/local/domain/$1/console/tty" 2>/dev/null)
    [ -n "$tty" ] && echo "quit" >"$tty"
    capture "xl-destroy-$2.log" xl destroy pvlat
    wait_for 20 dom_gone pvlat
    cp "$LOG" "$RES/console-$2.log" 2>/dev/null
}
base_cfg() { # base_cfg FILE
    cat >"$1" <<CFG
name = "pvlat"
type = "pv"
kernel = "/e2e/guest/vmlinuz"
ramdisk = "/e2e/guest/initrd.img"
extra = "console=hvc0 quiet e2e.scenario=pvbench"
memory = 256
vcpus = 1
on_poweroff = "destroy"
on_crash = "destroy"
CFG
}

# 1. Linux's xen-pciback.
base_cfg /tmp/pvlat-pb.cfg
echo "pci = [ '$E1000' ]" >>/tmp/pvlat-pb.cfg
save_file /tmp/pvlat-pb.cfg pvlat-pciback.cfg
if xl_create_as xl-create-pciback /tmp/pvlat-pb.cfg && guest_ready pciback; then
    d=$(xl domid pvlat)
    BG_PB=$(background)
    r=1
    while [ "$r" -le "$ROUNDS" ]; do phase pciback "pb-$r" "$d" ""; r=$((r + 1)); done
    finish_guest "$d" pciback
fi

# 2. and 3. Ours, started by xl: ours_guest NAME MODE:SETTING... -- ARGS:
# a guest whose QEMU gets ARGS (device_model_args_pv, one per word); each
# MODE (a name in the figures) is measured after SETTING (an HMP command,
# '+' for ' ') is applied, the modes alternated ROUNDS times.
ours_guest() {
    local name=$1 modes= d qpid r m cmd st
    shift
    while [ "$1" != -- ]; do modes="$modes $1"; shift; done
    shift
    base_cfg "/tmp/pvlat-$name.cfg"
    ours_pv_cfg "$@" >>"/tmp/pvlat-$name.cfg"
    save_file "/tmp/pvlat-$name.cfg" "pvlat-$name.cfg"
    rm -f "$LOG"
    xl_create_as "xl-create-$name" "/tmp/pvlat-$name.cfg" && guest_ready "$name" || return 1
    d=$(xl domid pvlat)
    qpid=$(pvb_qemu "$d")
    eval "BG_$name=\$(background)"
    r=1
    while [ "$r" -le "$ROUNDS" ]; do
        for m in $modes; do
            cmd=$(echo "${m#*:}" | tr '+' ' ')
            xl qemu-monitor-command pvlat "$cmd" >>"$RES/settings-$name.txt" 2>&1
            phase "${m%%:*}" "${m%%:*}-$r" "$d" "$qpid"
        done
        r=$((r + 1))
    done
    # The system calls our QEMU makes per op, in the first mode (strace
    # slows the loop; its time is not a figure).
    if [ -n "$qpid" ]; then
        m=${modes# }; m=${m%% *}
        xl qemu-monitor-command pvlat "$(echo "${m#*:}" | tr '+' ' ')" >/dev/null 2>&1
        strace -c -f -o "$RES/strace-$name.txt" -p "$qpid" 2>/dev/null &
        st=$!
        sleep 1
        phase "strace-$name" "strace-$name" "$d" "$qpid"
        kill -INT "$st" 2>/dev/null; wait "$st" 2>/dev/null
        info "$name, ${m%%:*}: our QEMU's system calls per op: $(awk -v n="$N" '
            $NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" { c[$NF] = $4; t += $4 }
            END { printf "%.2f (", t / n; for (k in c) if (c[k] / n >= 0.05) printf " %s %.2f", k, c[k] / n; printf " )" }' "$RES/strace-$name.txt")"
    fi
    xl qemu-monitor-command pvlat "qom-get pvpci counters" >"$RES/counters-$name.txt" 2>&1
    finish_guest "$d" "$name"
}
# The main loop, our own polling (poll-us) off and on.
ours_guest mainloop poll-us=0:qom-set+pvpci+poll-us+0 poll-us=100:qom-set+pvpci+poll-us+100 -- \
    -device "xen-pciback-pv,id=pvpci,hosts=$E1000,assign=on"
# An IOThread, QEMU's adaptive polling off and at most 100 us.
ours_guest iothread iothread:qom-set+/objects/pvio+poll-max-ns+0 \
    iothread-poll=100us:qom-set+/objects/pvio+poll-max-ns+100000 -- \
    -object iothread,id=pvio,poll-max-ns=0 \
    -device "xen-pciback-pv,id=pvpci,hosts=$E1000,assign=on,iothread=pvio,poll-us=0"
unassign_all "$E1000"

# Medians per mode: read latency, dom0 CPU per op (background taken off),
# our QEMU's CPU per op.
summary() { # summary MODE BG
    awk -v m="$1" -v bg="${2:-0}" -v n="$N" "$AWK_MEDIAN"'
        $1 == m { k++; lat[k] = $3 / 1000
                  cpu[k] = ($5 - bg * $4 / 10000) * 10000 / n; q[k] = $6 * 10000 / n }
        END { if (k) printf "%s %.0f %.0f %.0f %d\n", m, med(lat, k), med(cpu, k), med(q, k), k }
    ' "$RES/phases.txt"
}
{
    summary pciback "$BG_PB"
    summary poll-us=0 "${BG_mainloop:-0}"
    summary poll-us=100 "${BG_mainloop:-0}"
    summary iothread "${BG_iothread:-0}"
    summary iothread-poll=100us "${BG_iothread:-0}"
} >"$RES/summary.txt"
while read -r m lat cpu q k; do
    info "$m: ${lat} us per config read, dom0 CPU ${cpu} us per op$( [ "$m" = pciback ] || echo ", our QEMU ${q} us per op") (median of $k loops of $N reads)"
done <"$RES/summary.txt"
info "dom0 background (ticks per 100 s): pciback guest ${BG_PB:-?}, main loop ${BG_mainloop:-?}, IOThread ${BG_iothread:-?}"
loops=$(grep -vc '^strace' "$RES/phases.txt")
if [ "$loops" -ne $((ROUNDS * 5)) ]; then
    fail measured "$loops of $((ROUNDS * 5)) loops measured:$BAD"
fi
# Every read of every loop returned the vendor ID, and every loop ran.
if [ -z "$BAD" ] && [ "$loops" -eq $((ROUNDS * 5)) ]; then
    pass reads-correct
else
    fail reads-correct "$loops of $((ROUNDS * 5)) loops:$BAD"
fi
info "scenario took $(elapsed "$T_BEGIN") s"
exit 0
