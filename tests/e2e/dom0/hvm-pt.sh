# HVM passthrough scenario body, sourced by scenarios/hvm-*.sh after setting:
#   HVM_SCENARIO  scenario name (results/<name>/)
#   HVM_DM        device model binary for device_model_override
#   HVM_NAME      domain name (optional)
#   HVM_DM_ARGS   extra device model arguments, xl list syntax (optional)
# xl creates an HVM guest (direct kernel boot, tsc_mode=native) with pci=[e1000];
# the guest runs guest/baseline.sh; dom0 then detaches the function
# (xl pci-detach = QMP device_del) and collects everything.
. /e2e/lib.sh
scenario_begin "$HVM_SCENARIO"
DM=$HVM_DM
NAME=${HVM_NAME:-hvmguest}

E1000=$(find_devs 8086:100e | head -n1)
[ -n "$E1000" ] || { fail dom0-devices "no e1000 (8086:100e) in dom0"; exit 1; }
[ -x "$DM" ] || { fail device-model "$DM missing"; exit 1; }
capture dm-version.txt "$DM" --version
info "device model: $DM ($(head -n1 "$RES/dm-version.txt"))"
capture "dom0-lspci-$E1000.txt" lspci -vvv -xxxx -s "$E1000"
save_file "/sys/bus/pci/devices/$E1000/config" "dom0-config-$E1000.bin"
cp /proc/interrupts "$RES/dom0-interrupts-before.txt"

if capture assignable-add.log xl pci-assignable-add "$E1000"; then
    pass assignable
else
    fail assignable "xl pci-assignable-add $E1000: $(tail -n1 "$RES/assignable-add.log")"; exit 1
fi

SERIAL=/var/log/xen/$NAME-serial.log
rm -f "$SERIAL"
cat >/tmp/$NAME.cfg <<EOF
name = "$NAME"
type = "hvm"
kernel = "/e2e/guest/vmlinuz"
ramdisk = "/e2e/guest/initrd.img"
cmdline = "console=ttyS0,115200 quiet e2e.scenario=baseline e2e.dev=8086:100e e2e.unplug=1"
device_model_version = "qemu-xen"
device_model_override = "$DM"
serial = "file:$SERIAL"
vnc = 0
sdl = 0
vga = "none"
memory = 256
vcpus = 1
tsc_mode = "native"
pci = [ '$E1000' ]
${HVM_DM_ARGS:+device_model_args_hvm = [ $HVM_DM_ARGS ]}
on_poweroff = "destroy"
on_crash = "destroy"
EOF
save_file /tmp/$NAME.cfg $NAME.cfg

t0=$(uptime_s)
if ! xl_create /tmp/$NAME.cfg; then
    save_file /var/log/xen/qemu-dm-$NAME.log qemu-dm.log
    capture xl-dmesg.txt xl dmesg
    xl pci-assignable-remove "$E1000" >/dev/null 2>&1
    exit 1
fi
mark guest-started
capture pci-list.txt xl pci-list $NAME
unplug_all $NAME "$SERIAL" "$E1000"
mark detached
if wait_for 300 log_has "$SERIAL" '@@G done'; then
    info "guest ran its checks $(elapsed "$t0") s after xl create"
    pass guest-done
else
    fail guest-done "no '@@G done' from the guest within 300 s (guest $(dom_exists $NAME && echo alive || echo gone))"
fi
mark guest-finished
capture xl-list.txt xl list
cp /proc/interrupts "$RES/dom0-interrupts-after.txt"
dom_finish $NAME
mark guest-gone
capture xl-dmesg.txt xl dmesg
save_file /var/log/xen/qemu-dm-$NAME.log qemu-dm.log
save_file /var/log/xen/xl-$NAME.log xl.log
save_file /var/log/xen/$NAME-trace.log dm-trace.log
[ -f "$SERIAL" ] && guest_collect "$SERIAL" guest
mark collected
grep -E 'memory_map|ioport_map' "$RES/xl-dmesg.txt" | tail -n 20 >"$RES/xen-bar-mappings.txt"
info "Xen BAR mapping lines (xl dmesg): $(grep -c . "$RES/xen-bar-mappings.txt")"

f=$RES/guest-config-8086-100e.bin
if [ -f "$f" ]; then
    cfg_diff "$RES/dom0-config-$E1000.bin" "$f" "$RES/config-diff-8086-100e.txt"
    info "config bytes differing dom0 vs guest: $(grep -c '^0x' "$RES/config-diff-8086-100e.txt") ($(grep '^0x' "$RES/config-diff-8086-100e.txt" | cut -d' ' -f1 | tr '\n' ' '))"
fi
capture assignable-remove.log xl pci-assignable-remove "$E1000" || fail assignable-remove "$(tail -n1 "$RES/assignable-remove.log")"
info "scenario took $(elapsed "$T_BEGIN") s"
exit 0
