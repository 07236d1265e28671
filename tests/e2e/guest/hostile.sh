#!/bin/sh
# Guest part of pv-hostile: no xen-pcifront; pvfront-hostile talks the PV-PCI
# protocol to the backend itself (event storms, invalid ops, flag flips,
# AER garbage, bad connects, disconnects mid-op) and checks between phases
# that a valid config read still gets the right answer in time. Its
# PASS/FAIL/INFO lines become @@G lines; TALLY (the errors the backend
# answered) goes to dom0 as an INFO line starting with "tally:".
. /e2e/guest/glib.sh
DEV=${E2E_DEV:-1234:11e8}
TYPE=$(cat /sys/hypervisor/guest_type 2>/dev/null || echo unknown)
ginfo "guest type=$TYPE kernel=$(uname -r)"
if [ "$TYPE" != PV ]; then
    gfail hostile "needs a PV guest, this is $TYPE"
    exit 1
fi
for m in xen-evtchn xen-gntalloc; do
    modprobe "$m" || gfail modules "modprobe $m failed"
done
wait_for 10 test -c /dev/xen/evtchn -a -c /dev/xen/gntalloc -a -c /dev/xen/xenbus ||
    gfail devices "$(ls -l /dev/xen 2>&1 | tr '\n' ' ')"

t0=$(uptime_s)
# Streamed: each verdict reaches the console as soon as it is known. A
# shell watchdog kills the tool after 100 s (busybox's timeout applet once
# crashed, NULL dereference, before the tool even started).
{
    pvfront-hostile -d "$DEV" -w 60 2>&1 &
    pid=$!
    ( sleep 100; kill -9 "$pid" ) >/dev/null 2>&1 &
    wd=$!
    wait "$pid"
    rc=$?
    kill "$wd" 2>/dev/null
    echo "RC: $rc"
} |
    tee "$OUTD/pvfront-hostile.txt" | {
    n=0 rc=
    while IFS= read -r l; do
        case "$l" in
        PASS:*) gpass "${l#PASS: }"; n=$((n + 1)) ;;
        FAIL:*) l=${l#FAIL: }; gfail "${l%%: *}" "${l#*: }"; n=$((n + 1)) ;;
        INFO:*) ginfo "${l#INFO: }" ;;
        TALLY:*) ginfo "tally: ${l#TALLY: }" ;;
        RC:*) rc=${l#RC: } ;;
        *) ginfo "pvfront-hostile: $l" ;;
        esac
    done
    # A crash, the time limit or a start failure is a failure of its own.
    case "$rc" in
    0|1) gpass completed ;;
    *) gfail completed "exit status '$rc' after $n verdicts (137: killed at the time limit)" ;;
    esac
}
ginfo "pvfront-hostile ran $(elapsed "$t0") s"
gcapture dmesg-after.txt dmesg
