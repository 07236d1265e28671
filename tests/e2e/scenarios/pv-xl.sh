#!/bin/sh
# e2e-timeout: 780
# A PV guest whose functions come from our backend with xl alone: no
# hand-started QEMU, no domid anywhere. The guest's xl.cfg names our QEMU
# (device_model_override), gives it the backend in an IOThread
# (device_model_args_pv, no frontend-id: QEMU's -xen-domid is the
# frontend) and a toolstack-backed channel, which is what makes libxl
# start a QEMU for a PV guest: the package's example
# (debian/examples/pv.cfg) gives the xl.cfg those lines. Each boot:
# the e1000 (DHCP) and the e1000e (MSI-X) from the start, the edu hot-added
# (MSI) and everything hot-removed through xl qemu-monitor-command. Then
# xl reboot (new domain, new QEMU), the same again, xl pci-attach and xl
# pci-detach tried on the running guest (refused, the guest keeps its
# functions), xl destroy (SIGHUP: QEMU releases, resets and restores the
# functions), dom0's view compared. Last, a third guest whose QEMU is killed (SIGKILL): the guest
# and dom0 go on, xl destroy works, and the functions are usable again.
. /e2e/lib.sh
scenario_begin pv-xl

E1000=$(find_devs 8086:100e | head -n1)
EDU=$(find_devs 1234:11e8 | head -n1)
E1000E=$(find_devs 8086:10d3 | head -n1)
[ -n "$E1000" ] || { fail dom0-devices "no e1000 (8086:100e) in dom0"; exit 1; }
[ -n "$EDU" ] || { fail dom0-devices "no edu (1234:11e8) in dom0"; exit 1; }
DEVS="$E1000 $EDU $E1000E"
HOSTS_LIST="$E1000 $E1000E"
HOSTS=$(echo $HOSTS_LIST | tr ' ' ';')
info "devices: $HOSTS"

save_dom0_views $DEVS
assign_all $DEVS
save_configs before $DEVS

# xl.cfg as a user writes it (docs/system/xen-passthrough/pv.rst).
write_cfg() { # write_cfg FILE END
    cat >"$1" <<CFG
name = "pvxl"
type = "pv"
kernel = "/e2e/guest/vmlinuz"
ramdisk = "/e2e/guest/initrd.img"
extra = "console=hvc0 quiet e2e.scenario=baseline e2e.dev=8086:100e e2e.unplug=1 e2e.hotadd=1234:11e8 e2e.end=$2"
memory = 256
vcpus = 1
$(recipe pv.cfg $HOSTS_LIST)
device_model_args = [ "-trace", "enable=xen_pciback_pv_*", "-trace", "enable=xen_pci_func_*" ]
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "destroy"
CFG
}
write_cfg /tmp/pvxl.cfg wait
save_file /tmp/pvxl.cfg pvxl.cfg
recipe_check pv.cfg /tmp/pvxl.cfg $HOSTS_LIST

LOG=/var/log/xen/console/guest-pvxl.log
DMLOG=/var/log/xen/qemu-dm-pvxl.log
# The QEMU of domain $1 serves its frontend: backend Connected (4).
pvb_connected() { [ "$(pvb_state "$1")" = 4 ]; }
mon() { xl qemu-monitor-command pvxl "$*" 2>&1; }
# Number of lines matching $2 in the guest console log $1.
said_n() { [ -f "$1" ] || { echo 0; return; }; tr -d '\r' <"$1" | grep -c "$2"; }
xs_exists() { xenstore-ls "$1" >/dev/null 2>&1; }
said_more() { [ "$(said_n "$1" "$2")" -gt "$3" ]; }

# The claim: libxl's in-use record names the guest; xl hides the function.
check_claimed() { # check_claimed CHECK DOMID
    local d bad= f="$RES/assignable-$(echo "$1" | tr / -).txt"
    for d in $E1000 $E1000E; do
        r=$(xenstore-read "/libxl/pci/$(echo "$d" | tr ':.' '--')/domid" 2>/dev/null)
        [ "$r" = "$2" ] || bad="$bad $d:record=${r:-none}"
    done
    xl pci-assignable-list >"$f" 2>&1
    for d in $E1000 $E1000E; do
        grep -q "^$d" "$f" && bad="$bad $d:listed"
    done
    grep -q "^$EDU" "$f" || bad="$bad $EDU:not-listed"
    if [ -z "$bad" ]; then pass "$1"; else fail "$1" "domain $2:$bad"; fi
}

# One boot: QEMU started by xl for the domain, its checks, hot add and
# remove through xl, the guest's results.
run_boot() { # run_boot N DONE-BEFORE
    local n=$1 done0=$2 domid qpid ok d t ans
    domid=$(xl domid pvxl 2>/dev/null)
    qpid=$(pvb_qemu "$domid")
    if [ -n "$qpid" ] && ! tr '\0' ' ' <"/proc/$qpid/cmdline" | grep -q frontend-id &&
        wait_for 60 pvb_connected "$domid"; then
        pass "boot$n/qemu-by-xl"
        info "boot $n: domain $domid, QEMU pid $qpid: $(tr '\0' ' ' <"/proc/$qpid/cmdline" | cut -c1-400)"
    else
        fail "boot$n/qemu-by-xl" "domain ${domid:-none}: QEMU ${qpid:-not found}, backend state $(pvb_state "$domid")"
    fi
    check_claimed "boot$n/claimed" "$domid"
    # xl pci-attach of a function the backend holds: not assignable.
    if [ "$n" = 2 ]; then
        capture pci-attach-held.log xl pci-attach pvxl "$E1000"
        RC_HELD=$?
        # xl pci-detach: libxl does not know the function; nothing changes
        # (the function stays exported: state-N Initialised, 3).
        if ! capture pci-detach.log xl pci-detach pvxl "$E1000" &&
            pvb_connected "$domid" && [ "$(pvb_func_state "$domid" "$E1000")" = 3 ]; then
            pass pci-detach-refused
            info "xl pci-detach: $(grep -v '^Parsing' "$RES/pci-detach.log" | head -n1)"
        else
            fail pci-detach-refused "xl pci-detach $E1000: $(tail -n1 "$RES/pci-detach.log"), backend state $(pvb_state "$domid"), function state $(pvb_func_state "$domid" "$E1000")"
        fi
    fi
    wait_for 240 said_more "$LOG" '@@G hotadd-ready' "$done0"
    if said_more "$LOG" '@@G hotadd-ready' "$done0"; then
        ans=$(mon "qom-set pvpci add-host $EDU")
        if echo "$ans" | grep -qi error; then fail "boot$n/qom-add" "$ans"; else pass "boot$n/qom-add"; fi
    else
        fail "boot$n/qom-add" "guest never became ready for hot add"
    fi
    wait_for 240 said_more "$LOG" '@@G unplug-ready' "$done0"
    if said_more "$LOG" '@@G unplug-ready' "$done0"; then
        ok=1
        for d in $DEVS; do
            t=$(uptime_s)
            ans=$(mon "qom-set pvpci remove-host $d")
            if echo "$ans" | grep -qi error; then
                ok=; fail "boot$n/qom-remove" "remove-host $d: $ans"; continue
            fi
            wait_for 30 pvb_func_closed "$domid" "$d" ||
                { ok=; fail "boot$n/qom-remove" "$d not released 30 s after remove-host"; }
        done
        [ -n "$ok" ] && pass "boot$n/qom-remove"
    else
        fail "boot$n/qom-remove" "guest never became ready for unplug"
    fi
    wait_for 240 said_more "$LOG" '@@G done' "$done0"
    if said_more "$LOG" '@@G done' "$done0"; then
        pass "boot$n/guest-done"
    else
        fail "boot$n/guest-done" "no '@@G done' from boot $n"
    fi
    # This boot's part of the console log: its verdicts and files.
    tr -d '\r' <"$LOG" | awk -v n="$done0" '/@@G boot/ { b++ } b > n' >"/tmp/pvxl-boot$n.log"
    guest_collect "/tmp/pvxl-boot$n.log" "boot$n"
    cp "$DMLOG" "$RES/qemu-dm-boot$n.log" 2>/dev/null
    DOMID=$domid QPID=$qpid
}

t0=$(uptime_s)
xl_create /tmp/pvxl.cfg || exit 1
info "xl create took $(elapsed "$t0") s (QEMU realized before the guest runs)"
RC_HELD=0
run_boot 1 0

# xl reboot: libxl destroys the domain (QEMU gets SIGHUP and releases the
# functions) and builds a new one with a new QEMU for the new domid.
old=$DOMID oldq=$QPID
capture xl-reboot.log xl reboot pvxl || fail reboot "$(tail -n1 "$RES/xl-reboot.log")"
new_domain() { d=$(xl domid pvxl 2>/dev/null) && [ "$d" != "$old" ] && pvb_qemu "$d" >/dev/null; }
if wait_for 90 new_domain; then
    if kill -0 "$oldq" 2>/dev/null; then
        fail reboot "QEMU $oldq of domain $old still running"
    elif xs_exists "/local/domain/0/backend/pci-qemu/$old/0"; then
        fail reboot "domain $old's backend directory left behind"
    else
        pass reboot
    fi
else
    fail reboot "no new domain with its QEMU 90 s after xl reboot"
fi
run_boot 2 1

# xl pci-attach cannot add to this guest: refused for a function our
# backend holds (libxl: not assignable; tried in boot 2 while held) and
# for any other (libxl stops at the backend directory we hold), and the
# guest's frontend stays ours.
rc1=$RC_HELD
capture pci-attach-other.log xl pci-attach pvxl "$EDU"
rc2=$?
fe=$(xenstore-read "/local/domain/$DOMID/device/pci/0/backend" 2>/dev/null)
if [ "$rc1" -ne 0 ] && grep -q 'not assignable' "$RES/pci-attach-held.log" &&
    [ "$rc2" -ne 0 ] && grep -q 'does not exist' "$RES/pci-attach-other.log" && [ "$fe" = "/local/domain/0/backend/pci-qemu/$DOMID/0" ] &&
    pvb_connected "$DOMID" && kill -0 "$QPID" 2>/dev/null; then
    pass pci-attach-refused
    info "xl pci-attach (held): $(grep -E 'assignable|exist|ready' "$RES/pci-attach-held.log" | head -n1)"
    info "xl pci-attach (other): $(grep -E 'assignable|exist|ready' "$RES/pci-attach-other.log" | head -n1)"
else
    fail pci-attach-refused "rc $rc1/$rc2, frontend's backend '$fe', backend state $(pvb_state "$DOMID")"
fi
capture xl-pci-list.txt xl pci-list pvxl

# xl destroy: QEMU gets SIGHUP, unrealizes the backend: functions released.
capture xl-destroy.log xl destroy pvxl || fail destroy "$(tail -n1 "$RES/xl-destroy.log")"
if wait_for 20 sh -c "! kill -0 $QPID 2>/dev/null" &&
    ! xs_exists "/local/domain/0/backend/pci-qemu/$DOMID/0" &&
    ! xs_exists "/local/domain/0/backend/pci/$DOMID" &&
    ! xs_exists "/libxl/pci/$(echo "$E1000" | tr ':.' '--')/domid"; then
    pass destroy
else
    fail destroy "after xl destroy: QEMU $(kill -0 "$QPID" 2>/dev/null && echo alive || echo gone), $(xenstore-ls -f /local/domain/0/backend 2>/dev/null | grep -c "/$DOMID/0/") backend nodes, record '$(xenstore-read "/libxl/pci/$(echo "$E1000" | tr ':.' '--')/domid" 2>/dev/null)'"
fi
cp "$DMLOG" "$RES/qemu-dm-boot2.log" 2>/dev/null
cp "$DMLOG.1" "$RES/qemu-dm-boot1-end.log" 2>/dev/null
# The edu's failed xl pci-attach left it assigned to the guest (libxl does
# not undo that); Xen returned it when the domain went.
check_restored check $DEVS

# A QEMU that dies: the guest and dom0 go on, xl destroy works, and the
# functions, whose records name a domain that is gone, are taken again.
write_cfg /tmp/pvxl3.cfg wait
xl_create_as xl-create-crash /tmp/pvxl3.cfg && {
    d3=$(xl domid pvxl); q3=$(pvb_qemu "$d3")
    wait_for 60 pvb_connected "$d3"
    kill -9 "$q3" 2>/dev/null
    sleep 3
    if dom_exists pvxl && uptime >/dev/null && capture xl-destroy-crash.log xl destroy pvxl &&
        wait_for 20 dom_gone pvxl; then
        pass qemu-killed
        info "after SIGKILL: stale records $(xenstore-read "/libxl/pci/$(echo "$E1000" | tr ':.' '--')/domid" 2>/dev/null), $(xenstore-ls -f /local/domain/0/backend 2>/dev/null | grep -c "/$d3/") backend nodes left"
    else
        fail qemu-killed "domain $d3 after its QEMU was killed: $(xl list 2>&1 | tail -n +2 | tr '\n' ' ')"
    fi
    # Taken again by a new guest's QEMU (the record's domain is gone).
    write_cfg /tmp/pvxl4.cfg wait
    if xl_create_as xl-create-after-crash /tmp/pvxl4.cfg; then
        d4=$(xl domid pvxl); q4=$(pvb_qemu "$d4")
        if wait_for 60 pvb_connected "$d4"; then pass reuse-after-crash; else
            fail reuse-after-crash "backend of domain $d4: state $(pvb_state "$d4")"; fi
        capture xl-destroy-4.log xl destroy pvxl
        # (its QEMU releases the functions before they go back to dom0)
        [ -z "$q4" ] || wait_for 20 sh -c "! kill -0 $q4 2>/dev/null" ||
            info "QEMU $q4 still running 20 s after xl destroy"
    else
        fail reuse-after-crash "xl create after the crash failed"
    fi
}
# What a crash leaves for the next backend (documented in pv.rst).
xenstore-ls -f /local/domain/0/backend >"$RES/backend-after.txt" 2>&1
xenstore-ls -f /libxl/pci >"$RES/libxl-pci-after.txt" 2>&1
unassign_all $DEVS
info "scenario took $(elapsed "$T_BEGIN") s"
exit 0
