#!/bin/sh
# e2e-timeout: 240
# e2e-outer-devices: -device edu,bus=pcie.0,addr=06.0
# A function still bound to one of dom0's own drivers is refused by both
# of our devices before anything touches it, and goes on working in dom0.
# The function: a second edu (00:06.0, added to the bed for this), bound
# in dom0 to our edu_msi test driver (the guests' module: dom0 runs the
# same kernel), which raises 16 MSIs through its BAR and counts them. Then
#   - xen-pci-passthrough given it by hostaddr (realized in dom0 under the
#     qtest accelerator: no guest needed, dom0's real sysfs and driver
#     link), as a hand-typed device_add or a typo would;
#   - xen-pciback-pv given it in hosts= with assign=on, attached to a
#     paused PV domain, as a typo in device_model_args_pv would;
# each must fail naming the driver and xl pci-assignable-add, leave the
# function's config space as it was (no reset, no write), and leave no
# backend directory behind; last the driver is bound again and its 16
# interrupts arrive again.
. /e2e/lib.sh
scenario_begin dom0-driver
Q=/usr/local/bin/xenpt-qemu
MOD=/e2e/mod/edu_msi.ko

EDU=$(find_devs 1234:11e8 | sed -n 1p)
EDU2=$(find_devs 1234:11e8 | sed -n 2p)
[ -n "$EDU2" ] || { fail dom0-devices "no second edu (1234:11e8) in dom0: $(lspci -n | tr '\n' ';')"; exit 1; }
[ -f "$MOD" ] || { fail dom0-devices "$MOD missing from dom0's image"; exit 1; }
info "function: $EDU2 (the first edu, $EDU, kept from the driver)"

# edu_msi would take every edu without a driver: only the second here
# (driver_override on the first, a name no driver has), undone at the end
echo none >"/sys/bus/pci/devices/$EDU/driver_override"
answered() { cat /sys/module/edu_msi/parameters/answered; }
bound_to_edu_msi() { [ "$(basename "$(readlink "/sys/bus/pci/devices/$EDU2/driver")")" = edu_msi ]; }
count=16
if insmod "$MOD" count=$count && wait_for 20 bound_to_edu_msi &&
   [ "$(cat /sys/module/edu_msi/parameters/msi)" = 1 ] && [ "$(answered)" = $count ]; then
    pass dom0-driver-works
else
    fail dom0-driver-works "edu_msi on $EDU2: driver '$(readlink "/sys/bus/pci/devices/$EDU2/driver")', msi=$(cat /sys/module/edu_msi/parameters/msi 2>/dev/null), $(answered 2>/dev/null) of $count interrupts"
fi
echo >"/sys/bus/pci/devices/$EDU/driver_override"
[ -e "/sys/bus/pci/devices/$EDU/driver" ] &&
    fail first-edu-untouched "the first edu got a driver: $(readlink "/sys/bus/pci/devices/$EDU/driver")"
info "dom0's edu_msi: $(dmesg | grep 'edu_msi:' | tail -n1)"
cp "/sys/bus/pci/devices/$EDU2/config" /tmp/edu2-before.bin

# refused REASON-FILE NAME: the device model's error names the driver and
# xl pci-assignable-add; the config space is as before
refused() {
    local f=$RES/$1 name=$2
    if grep -q "host PCI device $EDU2 is bound to dom0's driver edu_msi, not to pciback: not taken; make it assignable first (xl pci-assignable-add $EDU2)" "$f"; then
        pass "$name"
        info "$name: $(grep -m1 'not taken' "$f")"
    else
        fail "$name" "exit $3; $(tail -n3 "$f" | tr '\n' ' ')"
    fi
}

# The HVM device, realized against dom0's sysfs
capture hvm-device.txt timeout 60 "$Q" -machine pc -accel qtest -nodefaults -display none \
    -device "xen-pci-passthrough,hostaddr=$EDU2"
rc=$?
[ "$rc" != 0 ] || echo "(exit 0: realized)" >>"$RES/hvm-device.txt"
refused hvm-device.txt hvm-refused "$rc"

# The PV backend, attached to a paused PV domain
cat >/tmp/drvref.cfg <<EOF
name = "drvref"
type = "pv"
kernel = "/e2e/guest/vmlinuz"
memory = 128
on_crash = "destroy"
EOF
if xl_create /tmp/drvref.cfg -p; then
    D=$(xl domid drvref)
    capture pv-device.txt timeout 60 "$Q" -machine xenpv -xen-domid "$D" -xen-attach -nodefaults \
        -display none -serial none \
        -device "xen-pciback-pv,id=pvpci,frontend-id=$D,hosts=$EDU2,assign=on"
    rc=$?
    [ "$rc" != 0 ] || echo "(exit 0: realized)" >>"$RES/pv-device.txt"
    refused pv-device.txt pv-refused "$rc"
    # nothing published, the guard gone: libxl's backend path and our own
    capture xenstore-backends.txt xenstore-ls -f /local/domain/0/backend
    if grep -q "/backend/pci[^/]*/$D/" "$RES/xenstore-backends.txt"; then
        fail pv-undone "left in xenstore: $(grep "/backend/pci[^/]*/$D/" "$RES/xenstore-backends.txt" | head -n3 | tr '\n' ' ')"
    else
        pass pv-undone
    fi
    capture xl-destroy.log xl destroy drvref || fail pv-undone "xl destroy drvref: $(tail -n1 "$RES/xl-destroy.log")"
fi

# Untouched: the same config space, still edu_msi's, and it works again
cp "/sys/bus/pci/devices/$EDU2/config" "$RES/config-after.bin"
cp /tmp/edu2-before.bin "$RES/config-before.bin"
if cmp -s /tmp/edu2-before.bin "$RES/config-after.bin" && bound_to_edu_msi; then
    pass untouched
else
    cfg_diff /tmp/edu2-before.bin "$RES/config-after.bin" "$RES/config-diff.txt"
    fail untouched "driver '$(readlink "/sys/bus/pci/devices/$EDU2/driver")'; config bytes changed: $(grep '^0x' "$RES/config-diff.txt" | cut -d' ' -f1 | tr '\n' ' ')"
fi
a0=$(answered)
echo "$EDU2" >/sys/bus/pci/drivers/edu_msi/unbind
echo "$EDU2" >/sys/bus/pci/drivers/edu_msi/bind
if bound_to_edu_msi && [ "$(answered)" = $((a0 + count)) ]; then
    pass works-after
else
    fail works-after "after rebinding edu_msi: $(( $(answered) - a0 )) of $count interrupts"
fi
echo "$EDU2" >/sys/bus/pci/drivers/edu_msi/unbind
rmmod edu_msi || info "rmmod edu_msi failed"
info "scenario took $(elapsed "$T_BEGIN") s"
exit 0
