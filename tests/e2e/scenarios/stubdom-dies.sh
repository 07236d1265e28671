#!/bin/sh
# e2e-timeout: 480
# e2e-releases: trixie (make check's time; run by name on Debian 12)
# Interrupt control off, then a stubdomain whose QEMU dies: an HVM guest
# with the e1000 and the edu, its device model (ours) in a stubdomain, and
# a PV bystander guest. dom0 does not allow interrupt control for the edu:
# the device model must say so, naming pciback's allow_interrupt_control,
# and the guest must see the edu without MSI (INTx only) instead of an MSI
# that never fires. Then the device model is told to quit (HMP "quit"
# through xl's QMP proxy): its stubdomain must go (the init powers it
# off), dom0 and the bystander keep working, and xl destroy of the guest
# returns both functions to dom0 unchanged.
. /e2e/lib.sh
scenario_begin stubdom-dies
NAME=stubdies
E1000=$(find_devs 8086:100e | head -n1)
EDU=$(find_devs 1234:11e8 | head -n1)
[ -n "$E1000" ] && [ -n "$EDU" ] || { fail dom0-devices "no e1000 (8086:100e) or edu (1234:11e8) in dom0"; exit 1; }
save_dom0_views "$E1000" "$EDU"
assign_all "$E1000" "$EDU" || exit 1
# on for the e1000 (no MSI anyway), off for the edu
echo "$E1000" >/sys/bus/pci/drivers/pciback/allow_interrupt_control ||
    fail allow-interrupt-control "writing $E1000 to allow_interrupt_control failed"
capture allow-interrupt-control.txt cat /sys/bus/pci/drivers/pciback/allow_interrupt_control
save_configs before "$E1000" "$EDU"
SERIAL=/var/log/xen/$NAME-serial.log
rm -f "$SERIAL"

cat >/tmp/beater.cfg <<CFG
name = "beater"
type = "pv"
kernel = "/e2e/guest/vmlinuz"
ramdisk = "/e2e/guest/initrd.img"
extra = "console=hvc0 quiet e2e.scenario=heartbeat"
memory = 192
vcpus = 1
on_poweroff = "destroy"
CFG
cat >/tmp/$NAME.cfg <<CFG
name = "$NAME"
type = "hvm"
kernel = "/e2e/guest/vmlinuz"
ramdisk = "/e2e/guest/initrd.img"
cmdline = "console=ttyS0,115200 quiet nokaslr e2e.scenario=heartbeat"
device_model_version = "qemu-xen"
$(stubdom_xl_cfg)
stubdomain_memory = 256
serial = "file:$SERIAL"
vnc = 0
sdl = 0
vga = "none"
memory = 256
vcpus = 1
tsc_mode = "native"
pci = [ '$E1000', '$EDU' ]
on_poweroff = "destroy"
on_crash = "destroy"
on_reboot = "destroy"
CFG
BEATS=/var/log/xen/console/guest-beater.log
beats() { grep -c '@@G beat' "$BEATS" 2>/dev/null || echo 0; }
xl_create_as xl-create-bystander /tmp/beater.cfg || exit 1
# (the log reaches dom0 through the stubdomain's console: give it a moment)
intr_named() { grep -q "${EDU}.*allow_interrupt_control" "/var/log/xen/qemu-dm-$NAME.log"; }
# guest_try: the guest, from xl create to the capabilities it lists (1: xl
# create failed); created once more if Xen ended it before (lib.sh
# ended_by_xen)
guest_try() {
    t0=$(uptime_s)
    GUEST_ID=
    xl_create /tmp/$NAME.cfg || return 1
    GUEST_ID=$(xl domid $NAME 2>/dev/null)
    STUB=$(xl domid $NAME-dm 2>/dev/null)
    info "guest $GUEST_ID, stubdomain $STUB"
    capture pci-list.txt xl pci-list $NAME
    wait_for 15 intr_named
    save_file /var/log/xen/qemu-dm-$NAME.log qemu-dm-start.log
    if intr_named; then
        pass intr-off-named
        info "device model: $(grep -m1 'allow_interrupt_control' "$RES/qemu-dm-start.log" | cut -c1-400)"
    else
        fail intr-off-named "the device model's log does not name allow_interrupt_control for the edu"
    fi
    if ! guest_said $NAME "$SERIAL" '@@G caps-done' 240; then
        fail intr-off-msi-hidden "the guest never listed its functions' capabilities"
        return 0
    fi
    tr -d '\r' <"$SERIAL" | grep -E '@@G (cap|dev) ' >"$RES/guest-caps.txt"
    # the edu (whose only capability is MSI) is there, without MSI
    if ! grep -q '@@G dev 1234:11e8' "$RES/guest-caps.txt"; then
        fail intr-off-msi-hidden "the guest does not see the edu"
    elif grep -q '@@G cap 1234:11e8.*MSI' "$RES/guest-caps.txt"; then
        fail intr-off-msi-hidden "the guest sees MSI on the edu: $(grep 'cap 1234:11e8' "$RES/guest-caps.txt" | tr '\n' ';')"
    else
        pass intr-off-msi-hidden
    fi
}
retry_keep() {
    retry_evidence "$NAME" "$SERIAL" "$t0"
    intr_restore "ended-$RETRY" "$E1000" "$EDU"
}
guest_tries guest_try retry_keep "$NAME" "$SERIAL"; rc=$?
[ "$rc" = 0 ] || { save_file /var/log/xen/qemu-dm-$NAME.log qemu-dm.log; exit 1; }

# the device model quits; the monitor connection may end with an error
capture quit.log xl qemu-monitor-command $NAME quit
# gone, or shut down (the stubdomain's init powers it off; nothing reaps a
# stubdomain but the guest's destruction)
stub_gone() {
    xl list "$NAME-dm" >/dev/null 2>&1 || return 0
    xl list "$NAME-dm" 2>/dev/null | awk 'NR == 2 { exit !($5 ~ /s/) }'
}
check stubdom-gone "stubdomain $NAME-dm still running 30 s after its QEMU quit" \
    wait_for 30 stub_gone
save_file /var/log/xen/qemu-dm-$NAME.log qemu-dm.log
check qemu-exit-logged "the stubdomain's log has no line of QEMU's end" \
    grep -q 'stubdom-init: QEMU exited' "$RES/qemu-dm.log"
# dom0 and the bystander keep working
check dom0-toolstack "xl info failed after the stubdomain died" \
    capture xl-info-after.txt xl info
check dom0-lspci "dom0's lspci failed after the stubdomain died" \
    capture lspci-after.txt lspci -D -n
b0=$(beats)
sleep 6
b1=$(beats)
check bystander-alive "the PV bystander wrote $b0 then $b1 beats (6 s apart)" \
    test "$b1" -gt "$b0"
info "bystander beats: $b0, 6 s later $b1"
capture xl-list.txt xl list
check destroy "xl destroy $NAME failed" capture xl-destroy.log xl destroy $NAME
capture assignable-list.txt xl pci-assignable-list
check back-to-dom0 "$E1000 or $EDU not assignable again after xl destroy" \
    sh -c "grep -q '${E1000#0000:}' '$RES/assignable-list.txt' && grep -q '${EDU#0000:}' '$RES/assignable-list.txt'"
check_restored check "$E1000" "$EDU"
[ "$RETRY" -gt 0 ] && intr_restore end "$E1000" "$EDU"
save_file "$SERIAL" guest-serial.log
capture xl-destroy-beater.log xl destroy beater
unassign_all "$E1000" "$EDU"
info "scenario took $(elapsed "$T_BEGIN") s"
exit 0
