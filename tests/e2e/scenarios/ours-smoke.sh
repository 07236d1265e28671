#!/bin/sh
# e2e-timeout: 60
# Our device model (build/qemu-system-x86_64, packed by run.sh into
# /usr/libexec/qemu-xenpt as its package installs it, with the libraries it
# needs from the release's packages) starts inside dom0 and offers xen-pci-passthrough.
. /e2e/lib.sh
scenario_begin ours-smoke
Q=/usr/local/bin/xenpt-qemu
if [ ! -x /usr/libexec/qemu-xenpt/qemu-system-x86_64 ]; then
    fail present "our QEMU is not in the image (build/qemu-system-x86_64 missing on the host?)"
    exit 1
fi
save_file /opt/xenpt/MANIFEST manifest.txt
save_file /opt/xenpt/libs.txt libs.txt
capture ldd-dom0.txt /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --list /usr/libexec/qemu-xenpt/qemu-system-x86_64
if grep -q 'not found' "$RES/ldd-dom0.txt"; then
    fail libraries "$(grep 'not found' "$RES/ldd-dom0.txt" | tr '\n' ' ')"
else
    pass libraries
fi
if capture version.txt "$Q" --version && grep -q 'QEMU emulator version' "$RES/version.txt"; then
    pass version
    info "$(head -n1 "$RES/version.txt")"
else
    fail version "$(head -n2 "$RES/version.txt" | tr '\n' ' ')"
fi
# Debian's data files (qemu-system-data, seabios) are in /usr/share/qemu; the
# binary finds them relative to itself, as installed by its package
capture data-dirs.txt "$Q" -L help
datadir=$(grep '/share/qemu$' "$RES/data-dirs.txt" | head -n1)
if [ -n "$datadir" ] && [ -e "$datadir/linuxboot_dma.bin" ] && [ -e "$datadir/keymaps/en-us" ]; then
    pass data-dir
else
    fail data-dir "no data directory with linuxboot_dma.bin and keymaps: $(tr '\n' ' ' <"$RES/data-dirs.txt")"
fi
capture device-help.txt "$Q" -device help
if grep -q '"xen-pci-passthrough"' "$RES/device-help.txt"; then
    pass device-xen-pci-passthrough
    info "$(grep '"xen-pci-passthrough"' "$RES/device-help.txt")"
else
    fail device-xen-pci-passthrough "not in -device help: $(head -n2 "$RES/device-help.txt" | tr '\n' ' ')"
fi
capture machine-help.txt "$Q" -machine help
grep -q '^xenfv' "$RES/machine-help.txt" && info "machines: $(grep -E '^xen' "$RES/machine-help.txt" | awk '{print $1}' | tr '\n' ' ')"
capture device-props.txt "$Q" -device xen-pci-passthrough,help
exit 0
