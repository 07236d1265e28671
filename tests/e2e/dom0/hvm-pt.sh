# HVM passthrough scenario body, sourced by scenarios/hvm-*.sh after setting:
#   HVM_SCENARIO  scenario name (results/<name>/)
#   HVM_DM        device model binary for device_model_override
#   HVM_NAME      domain name (optional)
#   HVM_DM_ARGS   extra device model arguments, xl list syntax (optional)
#   HVM_TRACE     the device model's log file (-D), which must receive the
#                 cpu_ioreq_config_* trace events (benchmark)
#   HVM_PCI       vendor:device of the functions passed at creation
#                 (default 8086:100e, the e1000)
#   HVM_SLOT8     1 (or a release: in that release's bed only): both
#                 functions of the bed's slot 00:08 (display with a ROM,
#                 1 GiB BAR) passed too
#   HVM_XHCI      1 (or a release, as HVM_SLOT8): both xHCI controllers
#                 (MSI-X; MSI) passed too
#   HVM_VF        1 (or a release, as HVM_SLOT8): an SR-IOV virtual function
#                 of the bed's SR-IOV NVMe, made by dom0's nvme driver
#                 (lib.sh vf_setup), passed too; gone again afterwards
#   HVM_HOTADD    vendor:device of a function hot-added with xl pci-attach
#                 once the guest is through its first checks (optional)
#   HVM_NO_DEVMEM 1: dom0 has no /dev/mem while the guest runs
#   HVM_CFGWRITES 1: the guest issues guest/cfgwrites.sh's hostile writes
#   HVM_HOST_READS 1: the device model has the xen_pci_host_read trace
#                 event (ours), switched on for the benchmark's counted runs
#   HVM_PCIBACK_POLICY 1: a quirk for the e1000 written to dom0's pciback
#                 before xl create must be in effect in our device model
#                 before the guest's first config access (pciback-policy)
#   HVM_RESTORE   check (default): dom0's view after must equal before;
#                 info: only report differences (baselines)
#   HVM_EXAMPLE   the package's example xl.cfg (debian/examples) whose
#                 passthrough lines the guest's xl.cfg takes (lib.sh's
#                 recipe; checked: recipe); unset: HVM_DM and HVM_STUBDOM
#                 say how the device model runs
#   HVM_PM        1: the device model has power_mgmt on (HVM_DM_ARGS) and
#                 the guest puts the NVMe in D3hot and back (power-mgmt)
#   HVM_TEST_RETRY 1: the guest ends itself with a triple fault once its
#                 hot add is done, to try the retry (ended_by_xen)
#   HVM_TEST_CREATE_FAIL 1: the first xl create names a function no host
#                 has, to try the retry after a failed xl create
#                 (create_failed_gone)
#   HVM_STUBDOM   1: the device model runs in a Linux stubdomain
#                 (device_model_stubdomain_override); HVM_DM is then the
#                 stubdomain's rootfs, "" for libxl's default one
#                 (/usr/lib/xen-<version>/boot/qemu-stubdom-linux-rootfs);
#                 the benchmark counts pcifront round trips (stub_bench);
#                 the device model's trace (stderr) is in its log,
#                 console 0 of the stubdomain
# xl creates an HVM guest (direct kernel boot, tsc_mode=native) with pci=[...];
# the guest runs guest/baseline.sh; dom0 hot-adds HVM_HOTADD, then detaches
# every function (xl pci-detach = QMP device_del) and collects everything;
# dom0's view of each function afterwards must equal its view before.
. /e2e/lib.sh
scenario_begin "$HVM_SCENARIO"
DM=$HVM_DM
NAME=${HVM_NAME:-hvmguest}

E1000=$(find_devs 8086:100e | head -n1)
[ -n "$E1000" ] || { fail dom0-devices "no e1000 (8086:100e) in dom0"; exit 1; }
STUB=${HVM_STUBDOM:-0}
if [ "$STUB" = 1 ]; then
    [ -z "$DM" ] || [ -s "$DM" ] || { fail device-model "stubdomain rootfs $DM missing"; exit 1; }
else
    [ -x "$DM" ] || { fail device-model "$DM missing"; exit 1; }
fi
DEVS=
for id in ${HVM_PCI:-8086:100e}; do
    d=$(find_devs "$id" | head -n1)
    [ -n "$d" ] || { fail dom0-devices "no $id in dom0"; exit 1; }
    DEVS="$DEVS $d"
done
SLOT8=
if in_bed "slot 00:08 (ROM, 1 GiB BAR)" "${HVM_SLOT8:-0}"; then
    SLOT8=$(slot8_devs)
    [ -n "$SLOT8" ] || { fail dom0-devices "no display (1234:1111) in dom0"; exit 1; }
    DEVS="$DEVS $SLOT8"
fi
if in_bed "xHCI controllers" "${HVM_XHCI:-0}"; then
    XHCI=$(xhci_devs)
    [ -n "$XHCI" ] || { fail dom0-devices "no xHCI (1b36:000d, 1033:0194) in dom0"; exit 1; }
    DEVS="$DEVS $XHCI"
fi
vf_take "${HVM_VF:-0}" || exit 1
DEVS="$DEVS $VF"
HOT=
if [ -n "$HVM_HOTADD" ]; then
    HOT=$(find_devs "$HVM_HOTADD" | head -n1)
    [ -n "$HOT" ] || { fail dom0-devices "no $HVM_HOTADD in dom0"; exit 1; }
fi
if [ "$STUB" = 1 ]; then
    info "device model: in a stubdomain (rootfs ${DM:-libxl's default}); functions:$DEVS${HOT:+, hot-added: $HOT}"
else
    capture dm-version.txt "$DM" --version
    info "device model: $DM ($(head -n1 "$RES/dm-version.txt")); functions:$DEVS${HOT:+, hot-added: $HOT}"
fi
save_dom0_views $DEVS $HOT
cp /proc/interrupts "$RES/dom0-interrupts-before.txt"

# A stubdomain's device model enables MSI/MSI-X through dom0's pciback,
# which lets it only with this per-function switch (libxl never sets it,
# pciback clears it at each release): our package keeps it on for the
# listed functions, its udev rule when pciback takes one (checked here),
# its service after each release (checked when the guest is gone).
pci_restore_log_on
[ "$STUB" = 1 ] && intr_control_start $DEVS $HOT
assign_all $DEVS $HOT || { intr_control_stop; exit 1; }
[ "$STUB" = 1 ] && intr_control_bound $DEVS $HOT
[ "${HVM_PCIBACK_POLICY:-0}" = 1 ] && pciback_policy_set "$E1000"
# The functions' config space as the device model will find it.
save_configs before $DEVS $HOT
pcilist=
# Each function in a guest slot of its own, the slot's two included: as one
# multi-function slot ('BB:DD.*@VSLOT') libxl 4.17 added only function 1
# and the guest never reached its checks (tests/e2e/evidence/
# hvm-multifunction-4.17-2026-12-06/; libxl's creation path adds only a
# slot's highest function, tests/e2e/README.md).
for d in $DEVS; do pcilist="$pcilist${pcilist:+, }'$d'"; done
if [ "${HVM_NO_DEVMEM:-0}" = 1 ]; then
    rm -f /dev/mem
    check no-devmem "/dev/mem still present" test ! -e /dev/mem
fi

SERIAL=/var/log/xen/$NAME-serial.log
rm -f "$SERIAL"
cat >/tmp/$NAME.cfg <<EOF
name = "$NAME"
type = "hvm"
kernel = "/e2e/guest/vmlinuz"
ramdisk = "/e2e/guest/initrd.img"
cmdline = "console=ttyS0,115200 quiet nokaslr e2e.scenario=baseline e2e.dev=8086:100e e2e.unplug=1${HVM_HOTADD:+ e2e.hotadd=$HVM_HOTADD}${HVM_CFGWRITES:+ e2e.cfgwrites=1} $([ "${E2E_BENCH:-0}" = 1 ] && echo e2e.bench=1 || echo e2e.rescan=1)$(case " $HVM_PCI " in *" 1b36:0010 "*) nvme_arg ;; esac)$([ -n "$VF" ] && nvmevf_arg)$([ "${HVM_PM:-0}" = 1 ] && echo " e2e.pm=1")$([ -n "$SLOT8" ] && slot8_arg "$([ "$STUB" = 1 ] && echo pciback || echo image)")$([ "${HVM_TEST_RETRY:-0}" = 1 ] && echo " reboot=t e2e.triplefault=1")"
$(if [ -n "${HVM_EXAMPLE:-}" ]; then
    recipe "$HVM_EXAMPLE" $DEVS
  elif [ "$STUB" = 1 ]; then
    echo 'device_model_version = "qemu-xen"'
    stubdom_xl_cfg
    [ -n "$DM" ] && echo "stubdomain_ramdisk = \"$DM\""
    [ -n "${HVM_STUBDOM_MEM:-}" ] && echo "stubdomain_memory = $HVM_STUBDOM_MEM"
  else
    echo 'device_model_version = "qemu-xen"'
    echo "device_model_override = \"$DM\""
  fi)
serial = "file:$SERIAL"
vnc = 0
sdl = 0
vga = "none"
memory = 256
vcpus = 1
# 16 possible vCPUs, one online: the NVMe driver then asks for 17 MSI-X
# vectors (an I/O queue per possible CPU and the admin queue)
maxvcpus = 16
tsc_mode = "native"
$([ -n "${HVM_EXAMPLE:-}" ] || echo "pci = [ $pcilist ]")
${HVM_DM_ARGS:+device_model_args_hvm = [ $HVM_DM_ARGS ]}
on_poweroff = "destroy"
on_crash = "destroy"
# a triple fault is a reboot for Xen: end the guest instead of restarting
# it (libxl's restart brought it back without its functions)
on_reboot = "destroy"
EOF
save_file /tmp/$NAME.cfg $NAME.cfg
[ -n "${HVM_EXAMPLE:-}" ] && recipe_check "$HVM_EXAMPLE" /tmp/$NAME.cfg $DEVS

# The benchmark windows (guest/baseline.sh, e2e.bench=1): for each workload
# the guest announces, strace -c counts the device model's host config
# syscalls (pread64/pwrite64 of sysfs config) and the device model's trace
# (cpu_ioreq_config_*, HVM_TRACE) its config ioreqs for the function.
# Figures in bench.txt, one line per workload.
# host_reads on|off: our device model's host-read trace (HVM_HOST_READS),
# through xl's monitor passthrough; only for the counted runs, so that the
# timed ones carry the same tracing as upstream's.
host_reads() {
    [ "${HVM_HOST_READS:-0}" = 1 ] || return 0
    capture "hmp-host-reads-$1.txt" xl qemu-monitor-command "$NAME" "trace-event xen_pci_host_read $1" ||
        info "could not switch the host-read trace $1: $(tail -n1 "$RES/hmp-host-reads-$1.txt")"
}
# ioreq_trace on|off: the device model's trace of every ioreq it handles
# (QEMU's handle_ioreq event, upstream's and ours), through its monitor
ioreq_trace() {
    capture "ioreq-trace-$1.txt" xl qemu-monitor-command "$NAME" "trace-event handle_ioreq $1"
}
# ioreqs_in FILE LO HI: of FILE's handle_ioreq lines, those of MMIO (type
# 1) addressed within [LO, HI] (hexadecimal), and all of them: "IN ALL"
ioreqs_in() {
    awk -v lo="$2" -v hi="$3" '
    function hex(s,   i, v) {
        s = tolower(s); sub(/^0x/, "", s); v = 0
        for (i = 1; i <= length(s); i++)
            v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return v }
    BEGIN { l = hex(lo); h = hex(hi) }
    /handle_ioreq / { all++; t = ""; a = ""
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^type=/) t = substr($i, 6)
            if ($i ~ /^port=/) a = hex(substr($i, 6))
        }
        if (t == 1 && a >= l && a <= h) n++ }
    END { print n + 0, all + 0 }' "$1"
}
# bench_ready W: the guest announced its benchmark window W; else the
# stall is recorded and bench fails (false).
bench_ready() {
    guest_said "$NAME" "$SERIAL" "@@G bench-ready $1" "$CHECKS_WAIT" && return 0
    stall_record "$NAME" "$SERIAL" "bench-$1"
    fail bench "guest never became ready for $1"; return 1
}
# io_bench W: the guest's data-path window W (nvme, bigbar): its time
# (the untraced run) and the device model's ioreqs in the BAR's range
# per I/O during the traced run.
io_bench() {
    local w=$1 n0 line bar secs ios c
    bench_ready "$w" || return 1
    n0=$(wc -l <"$HVM_TRACE")
    ioreq_trace on
    guest_said "$NAME" "$SERIAL" "@@G bench-done $w" 120
    ioreq_trace off
    # "bench W bdf=... bar=LO-HI ios=N bytes=B seconds=S dd=ok"
    line=$(tr -d '\r' <"$SERIAL" | grep "@@G INFO: bench $w " | tail -n1)
    bar=$(echo "$line" | sed -n 's/.* bar=\([0-9a-fx]*-[0-9a-fx]*\) .*/\1/p')
    secs=$(echo "$line" | sed -n 's/.* seconds=\([0-9.]*\) .*/\1/p')
    ios=$(echo "$line" | sed -n 's/.* ios=\([0-9]*\) .*/\1/p')
    tail -n +"$((n0 + 1))" "$HVM_TRACE" | grep 'handle_ioreq ' >"$RES/dm-ioreqs-$w.txt"
    if [ -z "$bar" ] || [ -z "$secs" ] || ! echo "$line" | grep -q ' dd=ok'; then
        fail bench "$w: the guest's run: ${line:-no line}"; return 1
    fi
    if ! grep -q 'handle_ioreq ' "$RES/dm-ioreqs-$w.txt"; then
        fail bench "$w: no ioreq traced in the window (is handle_ioreq on? $(head -c 200 "$RES/ioreq-trace-on.txt"))"; return 1
    fi
    c=$(ioreqs_in "$RES/dm-ioreqs-$w.txt" "${bar%-*}" "${bar#*-}")
    echo "$w seconds=$secs ios=$ios bytes=$(echo "$line" | sed -n 's/.* bytes=\([0-9]*\) .*/\1/p') bar=$bar dm_exits=${c% *} per_io=$(awk -v c="${c% *}" -v n="$ios" 'BEGIN { printf "%.3f", c / n }') ioreqs_all=${c#* }" >>"$RES/bench.txt"
}

dm_bench() {
    local dm w spid n0 line sbdf secs acc calls
    dm=$(xenstore-read "/local/domain/$(xl domid $NAME)/image/device-model-pid" 2>/dev/null)
    [ -n "$dm" ] || { fail bench "no device-model-pid in xenstore"; return 1; }
    # for the record: what the device model has open (its logs among them)
    ls -l "/proc/$dm/fd" >"$RES/dm-fds.txt" 2>&1
    : >"$RES/bench.txt"
    for w in rescan dump; do
        bench_ready "$w" || return 1
        host_reads on
        n0=$(wc -l <"$HVM_TRACE")
        strace -c -f -e trace=pread64,pwrite64 -o "$RES/dm-strace-$w.txt" -p "$dm" 2>"$RES/dm-strace-$w.err" &
        spid=$!
        guest_said "$NAME" "$SERIAL" "@@G bench-done $w" 120
        kill -INT "$spid"; wait "$spid"
        host_reads off
        # the guest's line: "bench W bdf=... sbdf=0x.. seconds=..."
        line=$(tr -d '\r' <"$SERIAL" | grep "@@G INFO: bench $w " | tail -n1)
        sbdf=$(echo "$line" | sed -n 's/.* sbdf=\(0x[0-9a-f]*\) .*/\1/p')
        secs=$(echo "$line" | sed -n 's/.* seconds=\([0-9.]*\).*/\1/p')
        # the window's config ioreqs for the function (and, ours, its host reads)
        tail -n +"$((n0 + 1))" "$HVM_TRACE" |
            grep -E "cpu_ioreq_config_.* sbdf=$sbdf reg=|xen_pci_host_read" >"$RES/dm-ioreqs-$w.txt"
        acc=$(grep -c "cpu_ioreq_config_" "$RES/dm-ioreqs-$w.txt")
        calls=$(awk '$NF ~ /^p(read|write)64$/ { s += $4 } END { print s + 0 }' "$RES/dm-strace-$w.txt")
        if [ "$acc" -gt 0 ] && [ -n "$secs" ]; then
            echo "$w seconds=$secs guest_accesses=$acc host_config_syscalls=$calls per_access=$(awk -v c="$calls" -v a="$acc" 'BEGIN { printf "%.3f", c / a }')" >>"$RES/bench.txt"
        else
            fail bench "$w: $acc config ioreqs traced for sbdf $sbdf, time '${secs}'"; return 1
        fi
    done
    case " $HVM_PCI " in *" 1b36:0010 "*) io_bench nvme || return 1 ;; esac
    if [ -n "$SLOT8" ]; then io_bench bigbar || return 1; fi
    pass bench
    info "benchmark: $(tr '\n' ';' <"$RES/bench.txt")"
}

# save_dm_log: the device model's log (a stubdomain's: its console 0,
# which libxl names the same; the dom0 QEMU serving the stubdomain's
# consoles logs to qemu-dm-NAME-dm.log).
save_dm_log() {
    save_file /var/log/xen/qemu-dm-$NAME.log qemu-dm.log
    if [ "$STUB" = 1 ]; then
        save_file /var/log/xen/qemu-dm-$NAME-dm.log stubdom-console-qemu.log
        save_file /var/log/xen/console/guest-$NAME-dm.log stubdom-console.log
    fi
    return 0
}
# The benchmark in a stubdomain: the same guest windows; what is counted
# is the config round trips through pcifront, as dom0's pciback sees
# them (its event channel interrupts, one per op: pcifront waits for each
# answer; only this stubdomain has a pcifront then). Guest accesses per
# workload are those hvm-ours counted (the same guest kernel and device).
pcibk_events() {
    awk '/xen-pciback/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i }
         END { print s + 0 }' /proc/interrupts
}
stub_bench() {
    local w n0 n1 line secs
    : >"$RES/bench.txt"
    for w in rescan dump; do
        bench_ready "$w" || return 1
        n0=$(pcibk_events)
        guest_said "$NAME" "$SERIAL" "@@G bench-done $w" 120
        n1=$(pcibk_events)
        line=$(tr -d '\r' <"$SERIAL" | grep "@@G INFO: bench $w " | tail -n1)
        secs=$(echo "$line" | sed -n 's/.* seconds=\([0-9.]*\).*/\1/p')
        if [ -n "$secs" ] && [ "$n1" -gt "$n0" ]; then
            echo "$w seconds=$secs pcifront_round_trips=$((n1 - n0))" >>"$RES/bench.txt"
        else
            fail bench "$w: time '$secs', pciback events $n0 -> $n1"; return 1
        fi
    done
    pass bench
    info "benchmark: $(tr '\n' ';' <"$RES/bench.txt")"
}

# unplug_stub BDF...: with the device model in a stubdomain, libxl (4.17 and
# 4.20) keeps no list of the guest's functions (device_pci_add_done records them
# only for a guest without a stubdomain), so xl pci-list is empty and
# xl pci-detach refuses ("not attached"): both recorded as INFO. Each
# function then leaves the guest by QMP device_del with libxl's device id,
# which the device model handles as it would xl pci-detach's; the function
# stays with the stubdomain until xl destroy.
unplug_stub() {
    local d id ok=1
    if ! guest_said "$NAME" "$SERIAL" '@@G unplug-ready' "$CHECKS_WAIT"; then
        fail detach "guest never became ready for unplug"; return 1
    fi
    capture pci-list-stubdom.txt xl pci-list $NAME
    info "xl pci-list: $(grep -c . "$RES/pci-list-stubdom.txt") lines"
    for d in "$@"; do
        if capture "pci-detach-$d.log" xl pci-detach $NAME "$d"; then
            info "xl pci-detach $d worked"
            continue
        fi
        info "xl pci-detach $d: $(tail -n1 "$RES/pci-detach-$d.log") (libxl keeps no PCI list for a guest with a stubdomain): QMP device_del instead"
        id=$(libxl_pci_id "$d")
        if capture "device-del-$d.log" xl qemu-monitor-command $NAME "device_del $id" &&
           ! grep -q . "$RES/device-del-$d.log"; then
            info "device_del $id accepted"
        else
            ok=; fail detach "device_del $id: $(tail -n1 "$RES/device-del-$d.log")"
        fi
    done
    [ -n "$ok" ] && pass detach
}

# retry_keep: the ended try's evidence (lib.sh retry_evidence), then what
# this scenario needs for the next: the device model's trace emptied, the
# functions' MSI and MSI-X enables as before, interrupt control back on,
# the pciback quirk written again, no triple fault on purpose, the NVMe's
# power watch started again.
retry_keep() {
    if [ -n "${HVM_TRACE:-}" ]; then
        save_file "$HVM_TRACE" "retry-$RETRY-dm-trace.log"
        : >"$HVM_TRACE"
    fi
    retry_evidence "$NAME" "$SERIAL" "$t0"
    intr_restore "ended-$RETRY" $DEVS $HOT
    # pciback cleared the switch at the release; the service sets it again
    [ "$STUB" = 1 ] && wait_for 10 intr_control_all $DEVS $HOT
    # and dropped the quirk (its dynamic fields go with the release)
    [ "${HVM_PCIBACK_POLICY:-0}" = 1 ] && pciback_policy_set "$E1000"
    sed -i 's/ e2e\.triplefault=1//' /tmp/$NAME.cfg
    if [ -n "$NVME_PM" ]; then
        kill "$PM_WATCH" 2>/dev/null
        mv "$RES/pm-dom0.txt" "$RES/retry-$RETRY-pm-dom0.txt" 2>/dev/null
        pm_watch_start
    fi
}

# policy_first_check: the quirk from pciback is in the e1000's policy
# (libxl's device id pci-pt-BB_DD.F) and was applied (traced) before the
# device model's first config ioreq, so before any guest access.
policy_first_check() {
    local id first
    id=$(libxl_pci_id "$E1000")
    capture qom-policy.txt xl qemu-monitor-command $NAME "qom-get /machine/peripheral/$id policy"
    pciback_policy_check "$(tr -d '\r' <"$RES/qom-policy.txt")" \
        "quirks=$PCIBACK_QUIRK_OURS (from pciback: quirks)"
    first=$(awk -v d="$E1000" -v q="$PCIBACK_QUIRK_OURS" '
        /cpu_ioreq_config/ { print "config ioreq first"; exit }
        /xen_pci_func_policy/ && index($0, d) && index($0, "quirks '"'"'" q "'"'"'") { print "policy first"; exit }' "$HVM_TRACE")
    if [ "$first" = "policy first" ]; then
        pass pciback-policy-first
    else
        fail pciback-policy-first "in $HVM_TRACE: ${first:-no policy line with the quirk}"
    fi
}
# hot_add: xl pci-attach HOT once the guest is through its first checks.
hot_add() {
    local t
    if ! guest_said "$NAME" "$SERIAL" '@@G hotadd-ready' "$CHECKS_WAIT"; then
        stall_record "$NAME" "$SERIAL" hot-add
        fail hot-add "guest never became ready for hot add"
        return 1
    fi
    t=$(uptime_s)
    if capture pci-attach.log xl pci-attach $NAME "$HOT"; then
        pass hot-add
        info "xl pci-attach $HOT took $(elapsed "$t") s"
        [ "$STUB" = 1 ] && intr_control_check hot-added "$HOT"
    else
        fail hot-add "xl pci-attach $HOT: $(tail -n1 "$RES/pci-attach.log")"
    fi
}

pm_watch_start() {
    pm_watch "$NVME_PM" "$SERIAL" &
    PM_WATCH=$!
}
NVME_PM=
if [ "${HVM_PM:-0}" = 1 ]; then
    NVME_PM=$(find_devs 1b36:0010 | head -n1)
    pm_watch_start
fi

# stub_start_watch: while xl creates the guest (in the background), when
# its stubdomain appears in xenstore and when its QEMU writes "running"
# there (polled each second, a few xenstore reads); libxl (4.17 and 4.20)
# gives the stubdomain 30 s from its unpause to that
# (LIBXL_STUBDOM_START_TIMEOUT) and destroys the guest after.
# stub_start_said: the watch's lines as one INFO line.
stub_start_watch() {
    local t0 d s= g
    t0=$(uptime_s)
    while [ "${t0%.*}" -gt $(($(cut -d. -f1 /proc/uptime) - 120)) ]; do
        if [ -z "$s" ]; then
            for d in $(xenstore-list /local/domain 2>/dev/null); do
                [ "$(xenstore-read "/local/domain/$d/name" 2>/dev/null)" = "$NAME-dm" ] || continue
                s=$d
                echo "stubdomain d$s in xenstore $(elapsed "$t0") s after xl create"
            done
        else
            g=$(xenstore-read "/local/domain/$s/target" 2>/dev/null)
            if [ "$(xenstore-read "/local/domain/$s/device-model/$g/state" 2>/dev/null)" = running ]; then
                echo "its QEMU running $(elapsed "$t0") s after xl create"
                return 0
            fi
        fi
        sleep 1
    done
    echo "no QEMU running in a stubdomain 120 s after xl create"
}
stub_start_said() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    info "stubdomain start (libxl allows 30 s from its unpause): $(tr '\n' ';' <"$RES/stubdom-start.txt")"
}

# guest_try: one guest, from xl create to its '@@G done' (1: xl create
# failed).
guest_try() {
    local sw= rc cfg
    t0=$(uptime_s)
    GUEST_ID=
    if [ "$STUB" = 1 ]; then
        stub_start_watch >"$RES/stubdom-start.txt" 2>&1 &
        sw=$!
    fi
    cfg=/tmp/$NAME.cfg
    if [ "${HVM_TEST_CREATE_FAIL:-0}" = 1 ] && [ "$RETRY" = 0 ]; then
        # one function more, which no host has: libxl refuses it once
        # the guest (and its stubdomain) exist
        { cat "$cfg"; echo "pci = [ $pcilist, '0000:00:1f.7' ]"; } >/tmp/$NAME-fail.cfg
        cfg=/tmp/$NAME-fail.cfg
    fi
    xl_create "$cfg"; rc=$?
    [ -n "$sw" ] && stub_start_said "$sw"
    [ "$rc" = 0 ] || return 1
    GUEST_ID=$(xl domid "$NAME" 2>/dev/null)
    [ "$STUB" = 1 ] && intr_control_check created $DEVS
    mark guest-started
    capture pci-list.txt xl pci-list $NAME
    [ "${HVM_PCIBACK_POLICY:-0}" = 1 ] && policy_first_check
    [ -n "$HOT" ] && hot_add
    # the benchmark windows only in a benchmark boot (make bench-e2e); make
    # check's guest re-enumerates the e1000 once instead (guest/rescan)
    if [ "${E2E_BENCH:-0}" = 1 ]; then
        if [ "$STUB" = 1 ]; then stub_bench; else dm_bench; fi
    fi
    if [ "$STUB" = 1 ]; then
        unplug_stub $DEVS $HOT
    else
        unplug_all $NAME "$SERIAL" $DEVS $HOT
    fi
    mark detached
    guest_done "$NAME" "$SERIAL" "$t0" 300
    return 0
}

guest_tries guest_try retry_keep "$NAME" "$SERIAL"; rc=$?
if [ "$rc" != 0 ]; then
    save_dm_log
    capture xl-dmesg.txt xl dmesg
    for d in $DEVS $HOT; do xl pci-assignable-remove "$d" >/dev/null 2>&1; done
    intr_control_stop
    exit 1
fi
mark guest-finished
capture xl-list.txt xl list
cp /proc/interrupts "$RES/dom0-interrupts-after.txt"
# dom0's command register of each function when the guest is done and
# when it is gone (the last detach saved one too)
cmds() { for d in $DEVS $HOT; do printf '%s %s; ' "$d" "$(setpci -s "$d" COMMAND)"; done; }
info "command registers, guest done: $(cmds)"
dom_finish $NAME
mark guest-gone
# pciback cleared the switch when the stubdomain released each function;
# the service set it again: on, and written by the service for each
if [ "$STUB" = 1 ]; then
    wait_for 10 intr_control_all $DEVS $HOT
    intr_control_check again $DEVS $HOT
    for d in $DEVS $HOT; do
        n=$(grep -c "on for $d\$" "$RES/intr-control.log")
        [ "$n" -ge 1 ] || fail intr-control-rewritten "$d: switch written $n times by the service (want 1: after the release)"
    done
    intr_control_stop
fi
info "command registers, guest gone: $(cmds)"
[ -n "$NVME_PM" ] && pm_verdict "$NVME_PM"
capture xl-dmesg.txt xl dmesg
save_dm_log
save_file /var/log/xen/xl-$NAME.log xl.log
# (without the ioreq lines: they only served the benchmark's count)
if [ "$STUB" = 1 ]; then
    # (a console's lines end in CR LF)
    tr -d '\r' <"/var/log/xen/qemu-dm-$NAME.log" 2>/dev/null |
        grep -Ev '^[0-9@.:]*(cpu_ioreq_config_|xen_pci_host_read)' >"$RES/dm-trace.log"
else
    grep -Ev '^[0-9@.:]*(cpu_ioreq_config_|xen_pci_host_read)' "/var/log/xen/$NAME-trace.log" >"$RES/dm-trace.log" 2>/dev/null
fi
[ -f "$SERIAL" ] && guest_collect "$SERIAL" guest
mark collected
grep -E 'memory_map|ioport_map' "$RES/xl-dmesg.txt" | tail -n 20 >"$RES/xen-bar-mappings.txt"
info "Xen BAR mapping lines (xl dmesg): $(grep -c . "$RES/xen-bar-mappings.txt")"

f=$RES/guest-config-8086-100e.bin
if [ -f "$f" ]; then
    cfg_diff "$RES/dom0-config-$E1000.bin" "$f" "$RES/config-diff-8086-100e.txt"
    info "config bytes differing dom0 vs guest: $(grep -c '^0x' "$RES/config-diff-8086-100e.txt") ($(grep '^0x' "$RES/config-diff-8086-100e.txt" | cut -d' ' -f1 | tr '\n' ' '))"
fi
[ "${HVM_NO_DEVMEM:-0}" = 1 ] && [ ! -e /dev/mem ] && mknod /dev/mem c 1 1
info "command registers, at the end: $(cmds); dom0's kernel restored:$(pci_restores "$RES/dom0-command-restores.txt" $DEVS $HOT)"
# After the guest: dom0's view of each function equals what it was before.
check_restored "${HVM_RESTORE:-check}" $DEVS $HOT
# what a retry left, not left for the next scenario
[ "$RETRY" -gt 0 ] && intr_restore end $DEVS $HOT
unassign_all $DEVS $HOT
[ -n "$VFPF" ] && vf_teardown "$VFPF"
info "scenario took $(elapsed "$T_BEGIN") s"
exit 0
