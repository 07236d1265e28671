#!/bin/sh
# Guest part of pv-hv-fail (PV domU, our backend): the edu's MSI enable
# while the backend's MSI pirq mapping fails (x-hv-fail), then again after
# dom0 lets it succeed.
#   1. edu_msi's probe asks for one MSI vector: pcifront's enable_msi must
#      be refused, the driver left unbound, MSI still off in the guest's
#      view; then "@@G hvfail-refused" (dom0 checks its side and clears the
#      failure);
#   2. the guest binds edu_msi again until it takes the function (dom0 has
#      cleared the failure by then): 16 of 16 MSIs must arrive.
. /e2e/guest/glib.sh
modprobe xen-pcifront || gfail pcifront "modprobe xen-pcifront failed"
if ! wait_for 60 sh -c "lspci -n -d 1234:11e8 | grep -q ."; then
    gcapture lspci-nn.txt lspci -D -nn
    gfail edu-visible "no edu (1234:11e8) visible within 60 s"
    exit 1
fi
B=$(lspci -D -n -d 1234:11e8 | head -n1 | cut -d' ' -f1)
gpass edu-visible
KO=/lib/modules/$(uname -r)/extra/edu_msi.ko
bound() { test -e "/sys/bus/pci/devices/$B/driver"; }
param() { cat "/sys/module/edu_msi/parameters/$1"; }

insmod "$KO" || { gfail msi-refused "insmod $KO failed"; exit 1; }
sleep 2
gcapture lspci-vv-refused.txt lspci -vv -s "$B"
dmesg | grep -iE 'edu_msi|pcifront|msi' | tail -n 20 >"$OUTD/dmesg-refused.txt"
if bound; then
    gfail msi-refused "edu_msi took $B (msi=$(param msi)) while the MSI map fails"
elif ! grep -q 'MSI: Enable-' "$OUTD/lspci-vv-refused.txt"; then
    gfail msi-refused "MSI not off in the guest's view: $(grep 'MSI:' "$OUTD/lspci-vv-refused.txt")"
elif ! grep -q 'edu_msi: no MSI vector' "$OUTD/dmesg-refused.txt"; then
    gfail msi-refused "no 'edu_msi: no MSI vector' in dmesg: $(tail -n2 "$OUTD/dmesg-refused.txt" | tr '\n' ' ')"
else
    gpass msi-refused
fi
ginfo "refused: $(grep -E 'no MSI vector|msi' "$OUTD/dmesg-refused.txt" | tail -n2 | tr '\n' ' ')"
echo "@@G hvfail-refused"

# dom0 clears the failure once it has checked its side: retry until bound.
t=$(uptime_s)
try_bind() { echo "$B" >/sys/bus/pci/drivers/edu_msi/bind 2>/dev/null; bound; }
if wait_for 90 try_bind; then
    ginfo "edu_msi bound $(elapsed "$t") s after hvfail-refused"
    gcapture lspci-vv-after.txt lspci -vv -s "$B"
    if [ "$(param msi)" = 1 ] && [ "$(param answered)" = "$(param count)" ] &&
       grep -q 'MSI: Enable+' "$OUTD/lspci-vv-after.txt"; then
        gpass msi-after-undo
    else
        gfail msi-after-undo "msi=$(param msi), $(param answered) of $(param count) raised interrupts arrived"
    fi
    ginfo "edu $B: msi=$(param msi), $(param answered) of $(param count) interrupts arrived"
else
    gfail msi-after-undo "edu_msi did not take $B within 90 s of hvfail-refused"
fi
echo "$B" >/sys/bus/pci/drivers/edu_msi/unbind
rmmod edu_msi
dmesg | grep -iE 'edu_msi|pcifront' | tail -n 30 >"$OUTD/dmesg-edu.txt"
