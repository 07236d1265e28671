# Helpers for guest scripts (busybox sh). Sourced. Everything goes to the
# console, which dom0 reads back (xenconsoled log or the HVM serial file).
export PATH=/usr/bin:/usr/sbin:/bin:/sbin
OUTD=/tmp/out
mkdir -p "$OUTD"
gpass() { echo "@@G PASS: $1"; }
gfail() { echo "@@G FAIL: $1: $2"; }
ginfo() { echo "@@G INFO: $*"; }
# gfile PATH NAME: keep a file for the host (sent as one tarball at the end).
gfile() { [ "$1" = "$OUTD/$2" ] || cp "$1" "$OUTD/$2"; }
# gcapture NAME CMD...: run CMD, keep its output (stdout+stderr) as file NAME.
gcapture() { local n=$1; shift; "$@" >"$OUTD/$n" 2>&1; }
# gsend: all kept files, as one gzip'ed tar, base64 between markers with md5.
gsend() {
    tar czf /tmp/files.tar.gz -C "$OUTD" . 2>/dev/null || return 1
    echo "@@GFILE files.tar.gz $(md5sum </tmp/files.tar.gz | cut -d' ' -f1) $(wc -c </tmp/files.tar.gz)"
    # Paced, 8 lines at a time: behind a stubdomain (serial -> hvc3 ->
    # dom0's QEMU 7.2), one run in four stalled for good once the burst had
    # filled the console ring, a few bytes lost before; a ring that never
    # fills does not depend on the wakeup that went missing.
    base64 /tmp/files.tar.gz | {
        n=0
        while IFS= read -r l; do
            echo "$l"
            n=$((n + 1))
            [ $((n % 8)) -ne 0 ] || sleep 0.1
        done
    }
    echo "@@GEND files.tar.gz"
}
# dhcp_lease NAME: a DHCP lease on $NET from the outer QEMU's slirp, the
# exchange kept as file NAME.
dhcp_lease() { gcapture "$1" udhcpc -f -n -q -t 4 -T 3 -i "$NET" -s /e2e/guest/udhcpc.sh; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }'; }
wait_for() {
    local t=$1 i=0; shift
    while [ "$i" -lt "$t" ]; do "$@" && return 0; sleep 1; i=$((i + 1)); done
    "$@"
}
# irq_count PATTERN: total of the /proc/interrupts counts on lines matching PATTERN.
irq_count() {
    grep -E "$1" /proc/interrupts | awk '{ for (i = 2; i <= NF; i++) { if ($i ~ /^[0-9]+$/) s += $i; else break } } END { print s + 0 }'
}
