# Guest part of pv-latency and pv-load (busybox sh, run by /init): find
# the function e2e.dev names (default the e1000), then run the config-read loops dom0 asks for, one per line on the console
# ("run LABEL COUNT"; "quit" ends), each answered with one line
#   @@G pvbench LABEL cfgread: ... per_read_ns=...
# dom0 measures its own CPU time around each loop.
. /e2e/guest/glib.sh
if [ "$(cat /sys/hypervisor/guest_type 2>/dev/null)" = PV ]; then
    modprobe xen-pcifront || gfail pvbench "modprobe xen-pcifront failed"
fi
DEV=${E2E_DEV:-8086:100e}
BDF=
i=0
while [ -z "$BDF" ] && [ "$i" -lt 60 ]; do
    BDF=$(lspci -D -n -d "$DEV" | head -n1 | cut -d' ' -f1)
    [ -n "$BDF" ] || { sleep 1; i=$((i + 1)); }
done
if [ -z "$BDF" ]; then
    gfail pvbench "no $DEV after 60 s"
    exit 0
fi
# Warm up: the first reads after pcifront connects are slower.
cfgread "$BDF" 200 0 2 >/dev/null 2>&1
echo "@@G pvbench-ready bdf=$BDF"
while read -r cmd label n; do
    case "$cmd" in
    run) echo "@@G pvbench $label $(cfgread "$BDF" "$n" 0 2 2>&1)" ;;
    quit) break ;;
    esac
done
echo "@@G pvbench-end"
