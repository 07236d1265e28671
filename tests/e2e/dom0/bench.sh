# Helpers shared by the benchmark scenarios (pv-latency, pv-load) in dom0
# (busybox sh). Sourced after /e2e/lib.sh.
# shellcheck shell=sh

# dom0's busy time (user, nice, system, irq, softirq) in USER_HZ ticks.
cpu_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }
up_cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }

# bench_said LOG LABEL: guest/pvbench.sh answered LABEL on the console LOG
# (the answer is the log's last line: only its tail is read).
bench_said() { tail -c 600 "$1" 2>/dev/null | grep -q "@@G pvbench $2 "; }
# bench_wait LOG LABEL SECONDS PER_SECOND: wait up to SECONDS for the
# answer, looking PER_SECOND times a second.
bench_wait() {
    local i=0 step
    step=$(awk -v n="$4" 'BEGIN { print 1 / n }')
    while [ "$i" -lt $(($3 * $4)) ]; do
        bench_said "$1" "$2" && return 0
        sleep "$step"; i=$((i + 1))
    done
    return 1
}
# bench_background LOG SECONDS PER_SECOND: dom0's busy ticks per 100 s
# while only the same waiting loop runs (for a label that never comes).
bench_background() {
    local b0 t0 b1 t1
    b0=$(cpu_busy); t0=$(up_cs)
    bench_wait "$1" never "$2" "$3"
    b1=$(cpu_busy); t1=$(up_cs)
    echo "$(((b1 - b0) * 10000 / (t1 - t0)))"
}

# The median of a[1..k], for the scenarios' awk summaries:
#   awk "$AWK_MEDIAN"' ... END { print med(x, k) }'
AWK_MEDIAN='
function med(a, k,   i, j, t) {
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
        if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return a[int((k + 1) / 2)] }'

# ours_pv_cfg ARG...: the xl.cfg lines that make xl start our QEMU ($Q) as
# the backend of a PV guest, ARGs its device_model_args_pv (pv.rst's recipe).
ours_pv_cfg() {
    local a sep=
    echo 'passthrough = "enabled"'
    echo 'e820_host = 1'
    echo 'device_model_version = "qemu-xen"'
    echo "device_model_override = \"$Q\""
    printf 'device_model_args_pv = [ '
    for a in "$@"; do printf '%s"%s"' "$sep" "$a"; sep=', '; done
    echo ' ]'
    echo 'channel = [ "name=org.xenpt.pv-pci,connection=pty" ]'
}
