# Booting the bed: outer QEMU (TCG) -> Xen -> dom0, reading the serial console
# live, with a hard time limit; the outer QEMU is always stopped.
# Sourced after lib/common.sh.
# shellcheck shell=bash

XEN_CMDLINE="console=com1 com1=115200,8n1 dom0_mem=768M,max:768M dom0_max_vcpus=1 loglvl=all guest_loglvl=all noreboot bootscrub=0 smap=0 smep=0 serial_tx_buffer=256k"
DOM0_CMDLINE="console=hvc0 earlyprintk=xen"

# Passthrough candidates, never in slot 00:02.0 (upstream xen-pt treats an Intel
# function there as IGD): e1000 (INTx) 00:03.0, edu (MSI) 00:04.0, e1000e (MSI-X,
# PCIe) behind a root port at 00:05.0 -> 01:00.0.
OUTER_DEVICES=(
    -device intel-iommu,intremap=on,caching-mode=on
    -netdev user,id=n0,restrict=on -device e1000,netdev=n0,bus=pcie.0,addr=03.0
    -device edu,bus=pcie.0,addr=04.0
    -device pcie-root-port,id=rp1,bus=pcie.0,addr=05.0,chassis=1,slot=1
    -netdev user,id=n1,restrict=on -device e1000e,netdev=n1,bus=rp1,addr=00.0
)
# NVMe (1b36:0010) at 00:07.0 with QEMU's defaults: 64 I/O queue pairs, a
# 65-entry MSI-X table and its PBA in BAR0 after the doorbells, no MSI.
# Its namespace is NVME_IMG, made empty for each boot (boot_bed); each
# scenario that drives it has its guest write a known pattern in a region
# of its own (dom0/lib.sh nvme_arg), which run.sh checks in the image.
NVME_IMG=$OUT/nvme.img
OUTER_DEVICES+=(
    -drive "if=none,id=nvm,format=raw,file=$NVME_IMG"
    -device nvme,serial=xenpt-e2e,drive=nvm,bus=pcie.0,addr=07.0
)
# An NVMe with SR-IOV at 00:0b.0 (on the root bus, whose window has room
# for the VF's BAR, which the firmware does not size): the physical
# function stays with dom0's nvme driver, which creates its virtual
# function 00:0b.1 and gives it queues and interrupts (dom0/lib.sh
# vf_setup). Intel's IDs (8086:5845, the VF's too) keep both apart from
# the NVMe above. Its namespace, shared by the controllers of its
# subsystem, is VF_IMG, made empty for each boot: a guest given the VF
# writes its pattern in its own region there (e2e.nvmevf), checked by
# run.sh as the NVMe's.
VF_IMG=$OUT/nvme-vf.img
OUTER_DEVICES+=(
    -device nvme-subsys,id=vfsys,nqn=xenpt-e2e-sriov
    -device nvme,id=vfpf,serial=xenpt-e2e-sriov,subsys=vfsys,use-intel-id=on,sriov_max_vfs=1,sriov_vq_flexible=4,sriov_vi_flexible=2,bus=pcie.0,addr=0b.0
    -drive "if=none,id=vfnvm,format=raw,file=$VF_IMG"
    -device nvme-ns,drive=vfnvm,bus=vfpf,nsid=1
)
# A multi-function slot, 00:08: function 0 a display (bochs-display,
# 1234:1111) with an expansion ROM (QEMU's vgabios-bochs-display.bin),
# function 1 an ivshmem-plain (1af4:1110) whose BAR 2 is a 1 GiB 64-bit
# prefetchable BAR backed by BIGBAR_FILE, made empty for each boot: a guest
# writes a known pattern near the BAR's end (dom0/lib.sh slot8_arg,
# guest/baseline.sh bigbar_check) and run.sh finds it in the file.
BIGBAR_FILE=$OUT/bigbar.mem
BIGBAR_SIZE=1G
BOCHS_ROM=$(ls /usr/share/qemu/vgabios-bochs-display.bin /usr/share/seabios/vgabios-bochs-display.bin 2>/dev/null | head -n1)
OUTER_DEVICES+=(
    -device "bochs-display,bus=pcie.0,addr=08.0,multifunction=on,romfile=$BOCHS_ROM"
    -object "memory-backend-file,id=bigbar,size=$BIGBAR_SIZE,share=on,mem-path=$BIGBAR_FILE"
    -device ivshmem-plain,memdev=bigbar,bus=pcie.0,addr=08.1
)

# Two xHCI controllers, each with a USB disk behind it (the same ext2
# image, read-only, holding xenpt-usb.dat = usb_pattern): QEMU's qemu-xhci
# (1b36:000d) at 00:09.0 with MSI-X (16 entries), and the NEC model
# (1033:0194) at 00:0a.0 with MSI-X off and MSI on (16 messages offered).
USB_IMG=$OUT/usb.img
OUTER_DEVICES+=(
    -device qemu-xhci,id=xhci1,bus=pcie.0,addr=09.0
    -drive "if=none,id=usb1,format=raw,readonly=on,file=$USB_IMG"
    -device usb-storage,bus=xhci1.0,drive=usb1
    -device nec-usb-xhci,id=xhci2,msi=on,msix=off,bus=pcie.0,addr=0a.0
    -drive "if=none,id=usb2,format=raw,readonly=on,file=$USB_IMG"
    -device usb-storage,bus=xhci2.0,drive=usb2
)

# make_usb_img: the USB disk image (ext2, 8 MiB) with usb_pattern on it.
make_usb_img() {
    local d
    d=$(mktemp -d)
    usb_pattern >"$d/xenpt-usb.dat"
    rm -f "$USB_IMG"
    mke2fs -q -F -t ext2 -L xenptusb -d "$d" "$USB_IMG" 8M
    rm -rf "$d"
}

# Multi-threaded TCG (one host thread per vCPU). Debian's QEMU 7.2 has a
# race there (fixed upstream in 8.1, "softmmu: Use async_run_on_cpu in
# tcg_commit"): a vCPU may use a stale TLB entry against a new memory map
# and crash in memory_region_dispatch_read (NULL MemoryRegion) while the
# other vCPU changes the map (a function's decoding toggled by a reset).
# run.sh boots again when that happens (E2E_BOOT_TRIES). thread=single
# avoids it but is about 3 times slower here.
OUTER_ACCEL=${E2E_OUTER_ACCEL:-tcg}
# No XSAVE on the emulated CPU. With it (QEMU 7.2's TCG, -cpu max: x87, SSE,
# AVX, MPX and PKRU state), programs in PV domains went wrong while other
# domains ran on the same CPUs: dom0's busybox and xl died of SIGSEGV
# (garbage where thread-local and heap data should be), files sent over a
# console arrived corrupted. Seen with busy PV guests (pv-hostile) and most
# with the stubdomain scenarios. 2026-12-01, stubdom-dies + stubdom-ours:
# with 2 CPUs 4 segfaults in dom0 (in CI one killed xl create), with 1 CPU
# (more switches between domains on one CPU) 18 failed checks; with 1 CPU and
# -xsave no segfault and every check passed. Xen and Linux then switch FPU
# state with FXSAVE; no AVX in dom0 or the guests (nothing here needs it).
OUTER_CPU=${E2E_OUTER_CPU:-max,-xsave}
OUTER_SMP=${E2E_OUTER_SMP:-2}

# QEMU runs under timeout(1) (a second limit, 60 s beyond ours, should this
# script itself die); QEMU_PID is timeout's pid, QEMU_PIDFILE holds QEMU's.
QEMU_PID=
QEMU_PIDFILE=
stop_outer() {
    local qp=
    [ -n "$QEMU_PIDFILE" ] && qp=$(cat "$QEMU_PIDFILE" 2>/dev/null)
    for p in $qp $QEMU_PID; do
        kill -0 "$p" 2>/dev/null || continue
        kill -TERM "$p" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$p" 2>/dev/null
    done
    if [ -n "$QEMU_PID" ]; then
        wait "$QEMU_PID" 2>/dev/null
        QEMU_RC=$?
    fi
    QEMU_PID=
}

# boot_bed RUNDIR LIMIT_SECONDS SCENARIO...
# Writes RUNDIR/console.log (raw serial), RUNDIR/data.raw (data channel),
# RUNDIR/events.log ("<ms since start> <line>" for markers and verdicts).
# Sets BOOT_STATUS: done | timeout | exited | panic, and QEMU_RC (the outer
# QEMU's exit status as timeout(1) passes it on: 139 for SIGSEGV).
boot_bed() {
    local run=$1 limit=$2; shift 2
    local list fifo start deadline now line partial="" el rc
    list=$(IFS=+; echo "$*")
    fifo=$run/console.fifo
    rm -f "$fifo"; mkfifo "$fifo"
    : >"$run/console.log"; : >"$run/events.log"; : >"$run/data.raw"
    rm -f "$NVME_IMG"; truncate -s 32M "$NVME_IMG"
    rm -f "$VF_IMG"; truncate -s 32M "$VF_IMG"
    rm -f "$BIGBAR_FILE"; truncate -s "$BIGBAR_SIZE" "$BIGBAR_FILE"
    make_usb_img
    printf '%s\n' "$OUTER_QEMU -machine q35 -accel $OUTER_ACCEL -cpu $OUTER_CPU -smp $OUTER_SMP -m 2048 ${OUTER_DEVICES[*]}" \
        "xen: $XEN_CMDLINE" "dom0: $DOM0_CMDLINE e2e.scenarios=$list e2e.data=/dev/ttyS1 e2e.bench=${E2E_BENCH:-0}" >"$run/cmdline.txt"
    start=$(now_ms)
    deadline=$(( start + limit * 1000 ))
    # Note: QEMU's multiboot -initrd splits module arguments at commas.
    QEMU_PIDFILE=$run/qemu.pid
    rm -f "$QEMU_PIDFILE"
    timeout -s KILL $(( limit + 60 )) "$OUTER_QEMU" -pidfile "$QEMU_PIDFILE" -machine q35 -accel "$OUTER_ACCEL" -cpu "$OUTER_CPU" -smp "$OUTER_SMP" -m 2048 \
        -nodefaults -no-user-config -display none -no-reboot \
        "${OUTER_DEVICES[@]}" \
        -kernel "$IMG/xen" -append "$XEN_CMDLINE" \
        -initrd "$IMG/vmlinux $DOM0_CMDLINE e2e.scenarios=$list e2e.data=/dev/ttyS1 e2e.bench=${E2E_BENCH:-0},$IMG/dom0-initrd.cpio" \
        -serial stdio -serial "file:$run/data.raw" \
        </dev/null >"$fifo" 2>"$run/qemu-stderr.log" &
    QEMU_PID=$!
    trap 'stop_outer' EXIT
    trap 'stop_outer; exit 130' INT TERM
    BOOT_STATUS=exited
    QEMU_RC=
    exec 7<"$fifo"
    while :; do
        if IFS= read -r -t 2 -u 7 line; then
            line=$partial$line; partial=""
        else
            rc=$?
            if [ $rc -gt 128 ]; then            # timeout: keep any partial line
                partial=$partial$line
                now=$(now_ms)
                if [ "$now" -ge "$deadline" ]; then BOOT_STATUS=timeout; break; fi
                continue
            fi
            line=$partial$line; partial=""     # EOF: QEMU is gone
            [ -n "$line" ] && printf '%s\n' "$line" >>"$run/console.log"
            break
        fi
        line=${line//$'\r'/}
        printf '%s\n' "$line" >>"$run/console.log"
        el=$(( $(now_ms) - start ))
        case "$line" in
        *@@E2E*|*PASS:\ *|*FAIL:\ *|INFO:\ *)
            if [[ $line == *@@E2E* ]]; then
                line=@@E2E${line#*@@E2E}
            elif [[ $line =~ (PASS|FAIL|INFO):\ .* ]]; then
                line=${BASH_REMATCH[0]}
                # Xen's own console output ("(dNN) ..." from hvmloader,
                # "(XEN) ...") can land in a dom0 line: cut it off (seen:
                # "PASS: stubdom-ours/xl-create(d16) pci dev 01:3 INTA->IRQ10")
                [[ $line == *"("[Xd]* ]] &&
                    line=$(sed -E 's/\((XEN|d[0-9]+)\) .*$//' <<<"$line")
            fi
            printf '%s %s\n' "$el" "$line" >>"$run/events.log"
            printf '  [%7s] %s\n' "$(fmt_ms "$el")" "$line"
            if [[ $line == "@@E2E dom0 done"* ]]; then BOOT_STATUS=done; break; fi
            ;;
        *"Panic on CPU"*|*"Reboot in five seconds"*|*"Kernel panic"*)
            printf '%s %s\n' "$el" "@@E2E panic $line" >>"$run/events.log"
            printf '  [%7s] PANIC: %s\n' "$(fmt_ms "$el")" "$line"
            BOOT_STATUS=panic
            # let a few more lines of the panic reach the log
            while IFS= read -r -t 3 -u 7 line; do printf '%s\n' "${line//$'\r'/}" >>"$run/console.log"; done
            break
            ;;
        esac
        if [ "$(now_ms)" -ge "$deadline" ]; then BOOT_STATUS=timeout; break; fi
    done
    exec 7<&-
    # Xen's power-off does not always end the outer QEMU: stop it ourselves.
    sleep 0.5
    stop_outer
    trap - EXIT INT TERM
    rm -f "$fifo"
    BOOT_MS=$(( $(now_ms) - start ))
}

# extract_files SRC DESTDIR: the "@@FILE name md5 size" / base64 / "@@END name"
# blocks of SRC into DESTDIR/name (NAME.tar.gz: unpacked into DESTDIR/NAME/);
# prints "OK name" or "BAD name why" per file. dom0 sends each file twice
# (the serial line has been seen to drop a few bytes): a file is OK when
# one of its copies is intact.
extract_files() {
    local src=$1 dest=$2 tmp name md5 size got why
    local -A ok=() bad=()
    local -a order=()
    tmp=$(mktemp -d)
    tr -d '\r' <"$src" | awk -v dir="$tmp" '
        /@@FILE / { sub(/.*@@FILE /, "@@FILE "); n++; f = dir "/" n ".b64"; printf "" > f;
                    print n, $2, $3, $4 >> (dir "/list"); infile = 1; next }
        /@@END /  { if (infile) close(f); infile = 0; next }
        infile    { print >> f }'
    if [ -f "$tmp/list" ]; then
        while read -r n name md5 size; do
            [ -n "${ok[$name]:-}" ] && continue
            [ -n "${bad[$name]:-}" ] || order+=("$name")
            mkdir -p "$dest/$(dirname "$name")"
            why=
            if ! base64 -d <"$tmp/$n.b64" >"$dest/$name" 2>/dev/null; then
                why=base64
            else
                got=$(md5sum <"$dest/$name" | cut -d' ' -f1)
                [ "$got" = "$md5" ] || why=md5
            fi
            if [ -z "$why" ]; then
                case "$name" in
                *.tar.gz)
                    mkdir -p "$dest/${name%.tar.gz}"
                    if tar xzf "$dest/$name" -C "$dest/${name%.tar.gz}"; then
                        rm -f "$dest/$name"
                    else
                        why=tar
                    fi ;;
                esac
            fi
            if [ -z "$why" ]; then ok[$name]=1; else bad[$name]=$why; fi
        done <"$tmp/list"
        for name in "${order[@]}"; do
            if [ -n "${ok[$name]:-}" ]; then echo "OK $name"; else echo "BAD $name ${bad[$name]}"; fi
        done
    fi
    rm -rf "$tmp"
}
