# Helpers for scenario scripts running in dom0 (busybox sh). Sourced.
#
# Output conventions (stdout of a scenario goes to dom0's console, hvc0, which
# Xen writes to the outer machine's first serial port, parsed by run.sh):
#   PASS: <scenario>/<check>
#   FAIL: <scenario>/<check>: <reason>
#   INFO: <scenario>: <text>
#   @@E2E <scenario> <event> t=<dom0 uptime>
# Files saved with save_file/capture land in /results/<scenario>/ and are sent
# to the host over the data channel by emit_results (init does that).

export PATH=/usr/local/bin:$(echo /usr/lib/xen-*/bin):/usr/sbin:/usr/bin:/sbin:/bin
# the bed's Debian release (run.sh's E2E_RELEASE)
E2E_RELEASE=$(cat /e2e/release 2>/dev/null || echo bookworm)

# STUBDOM_CONSOLE_DM: the dom0 QEMU that serves a stubdomain's consoles
# (libxl starts it from the guest's device_model_override, libxl's
# default: the release's qemu-system-xen); empty: that default. Debian
# 13's qemu-system-xen 10.0.13 cannot serve them: its xen-console never
# connects a primary console under real Xen and refuses console 2 when
# libxl gives it no output, so the stubdomain blocks writing its log and
# libxl times out starting it (30 s). Our QEMU carries the fix
# (patches/0005-hw-char-xen-console-stubdomain-consoles.patch); Debian 12's
# QEMU 7.2 serves them as they are.
STUBDOM_CONSOLE_DM=
[ "$E2E_RELEASE" = bookworm ] || STUBDOM_CONSOLE_DM=/usr/libexec/qemu-xenpt/qemu-system-x86_64
# stubdom_xl_cfg: the xl.cfg lines that put the device model in a
# stubdomain on this release
stubdom_xl_cfg() {
    echo 'device_model_stubdomain_override = 1'
    [ -z "$STUBDOM_CONSOLE_DM" ] || echo "device_model_override = \"$STUBDOM_CONSOLE_DM\""
}

# The package's example xl.cfg files (debian/examples; installed in
# /usr/share/doc/qemu-xenpt/examples): the scenarios that run a deployment
# as users do (hvm-ours, stubdom-ours, pv-xl) take its lines from "# --
# passthrough --" on, with their own functions for the example's.
EXAMPLES=/e2e/examples
# recipe EXAMPLE FUNC...: those lines of EXAMPLE (in $EXAMPLES)
recipe() {
    local ex=$EXAMPLES/$1 pci= hosts=; shift
    for d in "$@"; do pci="$pci${pci:+, }\"$d\""; hosts="$hosts${hosts:+;}$d"; done
    sed -e '1,/^# -- passthrough --$/d' \
        -e "s/^pci = \[.*\]\$/pci = [ $pci ]/" \
        -e "s/hosts=0000:03:00\.0;0000:04:00\.0,/hosts=$hosts,/" "$ex"
}
# recipe_check EXAMPLE CFG FUNC...: PASS/FAIL recipe: the xl.cfg a guest
# was created with (CFG) holds every line recipe gives for EXAMPLE as
# the package in dom0 ships it (the repository's without the package).
recipe_check() {
    local ex=$1 cfg=$2 dir=/usr/share/doc/qemu-xenpt/examples lines miss n; shift 2
    [ -f "$dir/$ex" ] || dir=$EXAMPLES
    lines=$(EXAMPLES=$dir recipe "$ex" "$@")
    n=$(printf '%s\n' "$lines" | grep -c .)
    miss=$(printf '%s\n' "$lines" |
        while IFS= read -r l; do grep -qxF "$l" "$cfg" || echo "$l"; done)
    if [ "$n" -gt 0 ] && [ -z "$miss" ]; then
        pass recipe
        info "xl.cfg holds the $n lines of $dir/$ex"
    else
        fail recipe "$dir/$ex ($n lines): not in the xl.cfg: $(echo "$miss" | tr '\n' '|')"
    fi
}

uptime_s() { cut -d' ' -f1 /proc/uptime; }

scenario_begin() {
    SCENARIO=$1
    RES=/results/$SCENARIO
    mkdir -p "$RES"
    : >"$RES/.verdicts"
    T_BEGIN=$(uptime_s)
}

# A baseline that is recorded, not judged (E2E_RECORD=1): its checks become
# INFO lines "record <check>: works|fails: why", also in $RES/record.txt.
pass() {
    if [ "${E2E_RECORD:-0}" = 1 ]; then
        info "record $1: works"; echo "$1 works" >>"$RES/record.txt"
        echo "REC $1" >>"$RES/.verdicts"; return 0
    fi
    verdict "PASS: $SCENARIO/$1" "PASS $1"
}
fail() {
    if [ "${E2E_RECORD:-0}" = 1 ]; then
        info "record $1: fails: $2"; echo "$1 fails: $2" >>"$RES/record.txt"
        echo "REC $1" >>"$RES/.verdicts"; return 0
    fi
    verdict "FAIL: $SCENARIO/$1: $2" "FAIL $1"
}
# verdict LINE RECORD: LINE to the console and RECORD to the scenario's
# verdicts, or both held while HOLD names a file (hold_begin).
verdict() {
    if [ -n "${HOLD:-}" ]; then
        echo "$1" >>"$HOLD"; echo "$2" >>"$HOLD.v"
    else
        echo "$1"; echo "$2" >>"$RES/.verdicts"
    fi
}
# Held verdicts: a guest that may be created once more (hvm-pt.sh
# guest_try) reports its checks only when its try counts. hold_release
# reports what was held; hold_drop NAME keeps it as $RES/NAME only.
hold_begin() { HOLD=$RES/.held; : >"$HOLD"; : >"$HOLD.v"; }
hold_release() {
    local h=$HOLD
    HOLD=
    cat "$h"; cat "$h.v" >>"$RES/.verdicts"; rm -f "$h" "$h.v"
}
hold_drop() { mv "$HOLD" "$RES/$1"; rm -f "$HOLD.v"; HOLD=; }
info() { echo "INFO: $SCENARIO: $*"; echo "$*" >>"$RES/info.txt"; }

# An HVM guest Xen ends on its own before its checks are done (a triple
# fault: Xen's HVM shutdown action for it is a reboot, reason code 1 in
# xl's log; our guests only power off, and their xl.cfg says
# on_reboot = "destroy") is created once more by its scenario, in the
# open (guest_tries): the checks dom0 made meanwhile are held
# (hold_begin) and kept as retry-N-verdicts.txt, the evidence as
# retry-N-* (retry_evidence), an INFO line and a "guest-retry" event
# (run.sh lists it in the summary) say so; after two such ends the third
# try's checks count, whatever they are. Seen with our device model (in
# a stubdomain and in dom0) and upstream's, at any point of the guest's
# life, at instructions Xen intercepts (port and MSR writes); not
# understood (tests/e2e/README.md, "Guests created once more").
# ended_by_xen NAME SERIAL: true when that happened to NAME (GUEST_ID: its
# domain id) before its console SERIAL said '@@G done'.
ended_by_xen() {
    [ -n "$GUEST_ID" ] && ! log_has "$2" '@@G done' && dom_gone "$1" || return 1
    xl dmesg 2>/dev/null | grep -q "d${GUEST_ID}v[0-9]* Triple fault" ||
        grep -q "Domain $GUEST_ID has shut down, reason code 1 " "/var/log/xen/xl-$1.log" 2>/dev/null
}
# xen_said: Xen's lines on the guest's end (its triple fault, RIP, a
# register line, CR2) and the kernel function at RIP: HVM guests boot with
# nokaslr and run dom0's kernel, whose PV kernel is not relocated either,
# so dom0's kallsyms names guest kernel addresses.
xen_said() {
    local rip
    xl dmesg 2>/dev/null | grep -A14 "d${GUEST_ID}v[0-9]* Triple fault" |
        grep -E "Triple fault|RIP:|rdx:|cr2:" | sed 's/^(XEN) *//' | tr -s ' ' | tr '\n' ';'
    rip=$(xl dmesg 2>/dev/null | grep -A4 "d${GUEST_ID}v[0-9]* Triple fault" |
        sed -n 's/.*RIP: *[0-9a-f]*:\[<\(ffffffff[0-9a-f]*\)>\].*/\1/p' | head -n1)
    # (per-CPU symbols sit at 0; all at 0: dom0 hides the addresses)
    # (not sorted throughout: the highest address at or below RIP)
    [ -n "$rip" ] && awk -v a="$rip" '$1 ~ /^0+$/ { next } { n++ }
        $1 <= a && $1 >= b { b = $1; s = $3 " (at " $1 ")" }
        END { printf " RIP in %s", !n ? "? (dom0 kallsyms hidden)" : s ? s : "no kernel symbol" }' /proc/kallsyms
}
# A failed xl create is treated alike (seen once, make check on CI,
# 2026-12-07, Debian 12, stubdom-ours: libxl could not destroy what it had
# created; its first error was not kept): what libxl left is destroyed
# and, once the guest and its stubdomain are gone, the guest is created
# once more, the summary's INFO line naming libxl's first error and Xen's
# lines on a triple fault of the new domain.
# create_failed_gone NAME: after a failed xl create of NAME, NAME and
# NAME-dm destroyed; true when both are gone (within 30 s each).
create_failed_gone() {
    GUEST_ID=$(sed -n 's/.*Domain \([0-9][0-9]*\):.*/\1/p' "$RES/xl-create.log" | head -n1)
    dom_exists "$1" && xl destroy "$1" >/dev/null 2>&1
    dom_exists "$1-dm" && xl destroy "$1-dm" >/dev/null 2>&1
    wait_for 30 dom_gone "$1" && wait_for 30 dom_gone "$1-dm"
}
# guest_tries TRY KEEP NAME SERIAL: the guest NAME's try (function TRY,
# 1: xl create failed) with dom0's checks held; while Xen ended the guest
# before its checks were done (TRY_END=ended), or xl create failed and
# left nothing (TRY_END=xl-create), at most GUEST_RETRIES (2) times more:
# the try's checks kept as retry-N-verdicts.txt, KEEP run (its evidence,
# retry_evidence, and what the scenario needs), the try run again.
# Returns the last try's status, its checks reported.
guest_tries() {
    local rc
    RETRY=0
    hold_begin
    "$1"; rc=$?
    while [ "$RETRY" -lt "${GUEST_RETRIES:-2}" ]; do
        if [ "$rc" = 0 ]; then
            ended_by_xen "$3" "$4" || break
            TRY_END=ended
        else
            create_failed_gone "$3" || break
            TRY_END=xl-create
        fi
        RETRY=$((RETRY + 1))
        hold_drop "retry-$RETRY-verdicts.txt"
        "$2"
        hold_begin
        "$1"; rc=$?
    done
    hold_release
    return "$rc"
}
# retry_evidence NAME SERIAL T0: the ended try's evidence as retry-N-*
# (Xen's console, the guest's serial log, xl's and the device model's
# logs, dom0's domains, memory and processes), the INFO line and event;
# returns once its stubdomain (if any) is gone, its serial log removed.
retry_evidence() {
    local said
    capture "retry-$RETRY-xl-dmesg.txt" xl dmesg
    { xl list; free; ps w; } >"$RES/retry-$RETRY-dom0.txt" 2>&1
    save_file "$2" "retry-$RETRY-guest-serial.log"
    save_file "/var/log/xen/xl-$1.log" "retry-$RETRY-xl.log"
    save_file "/var/log/xen/qemu-dm-$1.log" "retry-$RETRY-qemu-dm.log"
    save_file "/var/log/xen/qemu-dm-$1-dm.log" "retry-$RETRY-stubdom-console-qemu.log"
    said=$(xen_said)
    if [ "$TRY_END" = xl-create ]; then
        save_file "$RES/xl-create.log" "retry-$RETRY-xl-create.log"
        info "xl create failed $(elapsed "$3") s after it began (${said:+Xen: $said; }$(xl_failure "$RES/xl-create.log")): created once more (evidence: retry-$RETRY-*)"
        mark guest-retry xl-create-failure
    else
        info "guest d$GUEST_ID ended by Xen $(elapsed "$3") s after xl create, before its checks were done (${said:-xl: shut down, reason code 1 (reboot)}): created once more (evidence: retry-$RETRY-*)"
        mark guest-retry "$([ -n "$said" ] && echo triple-fault || echo reboot)"
    fi
    wait_for 30 dom_gone "$1-dm"
    rm -f "$2"
    # (a stubdomain's console log may be appended to by the next one)
    : >"/var/log/xen/qemu-dm-$1.log"
}
mark() { echo "@@E2E $SCENARIO $* t=$(uptime_s)"; }
check() { # check NAME REASON CMD...: PASS if CMD succeeds
    local n=$1 r=$2; shift 2
    if "$@"; then pass "$n"; return 0; else fail "$n" "$r"; return 1; fi
}

# elapsed SINCE: seconds (2 decimals) since an uptime_s value.
elapsed() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }'; }

# capture NAME CMD...: run CMD, output (stdout+stderr) to $RES/NAME. Returns CMD's status.
capture() { local n=$1; shift; "$@" >"$RES/$n" 2>&1; }

save_file() { cp "$1" "$RES/$2" 2>/dev/null; }

# find_devs VENDOR:DEVICE: the BDFs (domain-qualified) of matching functions.
find_devs() { lspci -D -n -d "$1" 2>/dev/null | awk '{print $1}'; }

# wait_for SECONDS CMD...: poll CMD every second until it succeeds.
wait_for() {
    local t=$1 i=0; shift
    while [ "$i" -lt "$t" ]; do
        "$@" && return 0
        sleep 1; i=$((i + 1))
    done
    "$@"
}

log_has() { [ -f "$1" ] && tr -d '\r' <"$1" | grep -q "$2"; }

# dom_exists NAME
dom_exists() { xl domid "$1" >/dev/null 2>&1; }
dom_gone() { ! dom_exists "$1"; }
# power_mgmt: dom0's PMCSR of the NVMe while the guest holds each state
# it announces (guest/baseline.sh pm_check), then after the release; PCI
# PM 1.2: PowerState (bits 1:0) 3 in D3hot, 0 in D0. pm_watch BDF LOG (the
# guest's console), in the background (PM_WATCH); pm_verdict BDF once the
# function is released.
pm_watch() {
    local st
    for st in D3 D0; do
        wait_for "$CHECKS_WAIT" log_has "$2" "@@G pm $st" || return 0
        sleep 2
        echo "$st $(setpci -s "$1" CAP_PM+4.w)" >>"$RES/pm-dom0.txt"
    done
}
pm_verdict() {
    local d=$1 d3 d0 end
    d3=$(awk '$1 == "D3" { print $2 }' "$RES/pm-dom0.txt" 2>/dev/null)
    d0=$(awk '$1 == "D0" { print $2 }' "$RES/pm-dom0.txt" 2>/dev/null)
    kill "$PM_WATCH" 2>/dev/null
    end=$(setpci -s "$d" CAP_PM+4.w)
    if [ -n "$d3" ] && [ -n "$d0" ] && [ $((0x$d3 & 3)) = 3 ] &&
       [ $((0x$d0 & 3)) = 0 ] && [ $((0x$end & 3)) = 0 ]; then
        pass power-mgmt
    else
        fail power-mgmt "dom0's PMCSR of $d: guest in D3hot '$d3', back in D0 '$d0', released '$end' (want PowerState 3, 0, 0)"
    fi
    info "power_mgmt: dom0's PMCSR of $d: in D3hot $d3, in D0 $d0, released $end"
}
# pci_restore_log_on: dom0's kernel logs each config register its PCI
# core writes back from a saved copy (drivers/pci/pci.c, dynamic debug:
# "restoring config space at offset 0x4 (was X, writing Y)" in Linux 6.1,
# "restore config 0x04: X -> Y" in 6.12), so that dmesg says which
# driver restored what: pciback writes back the copy it saved when it took
# the function at each reset and release (the NVMe's command register once
# read 0x107 instead of 0x103 after the last detach, tests/e2e/README.md).
pci_restore_log_on() {
    local c=/sys/kernel/debug/dynamic_debug/control
    [ -e "$c" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
    echo 'file drivers/pci/pci.c +p' >"$c" 2>/dev/null ||
        info "no dynamic debug in dom0's kernel: config restores not logged"
}
# pci_restores FILE BDF...: the logged restores of those functions' command
# registers (offset 0x4) into FILE; prints them once each, with a count
pci_restores() {
    local f=$1 d; shift
    : >"$f"
    for d in "$@"; do
        dmesg | grep -E "$d: (restoring config space at offset 0x4 |restore config 0x04: )" >>"$f"
    done
    sed 's/.*\] //' "$f" | sort | uniq -c | awk '{ n = $1; $1 = ""; printf "%s x%d;", $0, n }'
}

# unplug_all NAME LOG BDF...: wait for the guest's "@@G unplug-ready", then
# xl pci-detach each function (PASS/FAIL detach), timing each.
unplug_all() {
    local name=$1 log=$2 d t ok=1; shift 2
    if ! guest_said "$name" "$log" '@@G unplug-ready' "$CHECKS_WAIT"; then
        fail detach "guest never became ready for unplug"; return 1
    fi
    for d in "$@"; do
        t=$(uptime_s)
        if capture "pci-detach-$d.log" xl pci-detach "$name" "$d"; then
            info "xl pci-detach $d took $(elapsed "$t") s; then command $(for x in "$@"; do printf '%s=%s ' "$x" "$(setpci -s "$x" COMMAND 2>&1)"; done)"
            save_configs detached "$d"
        else
            ok=; fail detach "xl pci-detach $d: $(tail -n1 "$RES/pci-detach-$d.log")"
        fi
    done
    [ -n "$ok" ] && pass detach
    capture pci-list-after-detach.txt xl pci-list "$name"
}

# dom_finish NAME: give a guest that powers itself off time to go (xl's own
# on_poweroff=destroy), then destroy it if it is still there.
dom_finish() {
    wait_for 30 dom_gone "$1" && return 0
    info "$1 still present 30 s after its last message: xl destroy"
    capture "xl-destroy-$1.log" xl destroy "$1"
}

# guest_collect LOG PREFIX: take a guest's console log apart: its
#   @@G PASS: x / @@G FAIL: x: why   -> PASS/FAIL lines of this scenario (PREFIX/x)
#   @@G INFO: text                   -> INFO lines
#   @@GFILE name md5 size / base64 / @@GEND name -> $RES/PREFIX-name (md5 checked)
# and save the log (without the file blocks) as $RES/PREFIX-console.log.
# A file named *.tar.gz is unpacked: each member becomes $RES/PREFIX-member.
guest_collect() {
    local log=$1 pfx=$2 tmp=/tmp/gc.$$ name md5 size got m
    rm -rf "$tmp"; mkdir -p "$tmp"
    tr -d '\r' <"$log" | awk -v dir="$tmp" '
        /@@GFILE / { sub(/.*@@GFILE /, "@@GFILE "); name = $2; f = dir "/" name ".b64";
                     printf "" > f; print $2, $3, $4 >> (dir "/.list"); infile = 1;
                     print "[file " name " (" $4 " bytes) elided]"; next }
        /@@GEND /  { close(f); infile = 0; next }
        /@@G flush/ { next }
        infile     { print >> f; next }
        { print }
        /@@G (PASS|FAIL|INFO): / { sub(/.*@@G /, ""); print >> (dir "/.verdicts") }
    ' >"$RES/$pfx-console.log"
    if [ -f "$tmp/.verdicts" ]; then
        while IFS= read -r l; do
            case "$l" in
            PASS:*) pass "$pfx/${l#PASS: }" ;;
            FAIL:*) l=${l#FAIL: }; fail "$pfx/${l%%: *}" "${l#*: }" ;;
            INFO:*) info "$pfx: ${l#INFO: }" ;;
            esac
        done <"$tmp/.verdicts"
    fi
    if [ -f "$tmp/.list" ]; then
        while read -r name md5 size; do
            base64 -d <"$tmp/$name.b64" >"$tmp/$name" 2>/dev/null
            got=$(md5sum <"$tmp/$name" | cut -d' ' -f1)
            if [ "$got" != "$md5" ]; then
                fail "$pfx/transfer" "file $name corrupted on the guest console (md5 $got != $md5)"
                continue
            fi
            case "$name" in
            *.tar.gz)
                mkdir -p "$tmp/x"
                tar xzf "$tmp/$name" -C "$tmp/x" || fail "$pfx/transfer" "cannot unpack $name"
                for m in "$tmp"/x/*; do [ -f "$m" ] && mv "$m" "$RES/$pfx-${m##*/}"; done ;;
            *) mv "$tmp/$name" "$RES/$pfx-$name" ;;
            esac
        done <"$tmp/.list"
    fi
    rm -rf "$tmp"
}

# For awk programs reading cmp -l (1-based offset, then both bytes in
# octal): oct(S), the value of the octal digits S.
AWK_OCT='function oct(s,  v, i) { v = 0; for (i = 1; i <= length(s); i++) v = v * 8 + substr(s, i, 1); return v }'

# cfg_diff A B OUT: offsets (hex) where two binary config dumps differ, up to the shorter length.
cfg_diff() {
    local la lb n
    la=$(wc -c <"$1"); lb=$(wc -c <"$2"); n=$la; [ "$lb" -lt "$n" ] && n=$lb
    cmp -l "$1" "$2" 2>/dev/null | awk -v n="$n" "$AWK_OCT"'
        $1 <= n { printf "0x%03x dom0=0x%02x guest=0x%02x\n", $1 - 1, oct($2), oct($3) }' >"$3"
    echo "compared $n bytes ($la vs $lb)" >>"$3"
}

# diff_domu_configs DEV...: for every domU-config-VVVV-DDDD.bin the guest sent,
# compare it with dom0's dump of the matching function (config-diff-*.txt).
diff_domu_configs() {
    local f id d
    for f in "$RES"/domU-config-*.bin; do
        [ -f "$f" ] || continue
        id=${f##*/domU-config-}; id=${id%.bin}          # vendor-device tag
        for d in "$@"; do
            [ "$(lspci -n -s "$d" | awk '{print $3}' | tr ':' '-')" = "$id" ] || continue
            cfg_diff "$RES/dom0-config-$d.bin" "$f" "$RES/config-diff-$id.txt"
            info "config bytes differing dom0 vs domU for $id: $(grep -c '^0x' "$RES/config-diff-$id.txt") ($(grep '^0x' "$RES/config-diff-$id.txt" | cut -d' ' -f1 | tr '\n' ' '))"
        done
    done
}

# CHECKS_WAIT: how long dom0 waits for a guest to reach a point that comes
# after most of its checks (hot add, AER, unplug, the benchmark windows),
# counted from when dom0 starts waiting. An HVM guest with every class of
# the bed took 150-156 s from xl create to unplug-ready here, over 240 s
# on CI's machine (hvm-baseline, Debian 12, 2026-12-06); a wait that ends
# early costs nothing, so the bound is generous.
CHECKS_WAIT=600

# guest_said NAME LOG PATTERN SECS: true once the console LOG of the guest
# NAME has PATTERN, waiting at most SECS; a guest that is gone ends the wait
# (its last output gets 3 s more to reach LOG).
guest_said() {
    local name=$1 log=$2 pat=$3 secs=$4
    wait_for "$secs" said_or_gone "$name" "$log" "$pat"
    wait_for 3 log_has "$log" "$pat"
}
# (gone: xl says so twice, a crashed xl process is not a gone guest)
said_or_gone() { log_has "$2" "$3" || { ! dom_exists "$1" && ! dom_exists "$1"; }; }

# stall_record NAME LOG WHAT: when a guest's console LOG stops short of
# what was awaited (WHAT), what dom0 sees then, in $RES/stall-WHAT.txt:
# the log's size and tail, free space, the domains and their vCPUs, the
# guest's vCPU registers and stacks (xenctx: addresses, the guests boot with
# nokaslr, System.map names them), its emulated interrupt controllers and
# ISA lines (xen-hvmctx: PIC, IOAPIC, LAPIC), Xen's view of its vCPUs and event
# channels (debug keys q and e, in xl dmesg), and the state of each thread
# of the guest's device model (if in dom0).
stall_record() {
    local name=$1 log=$2 f=$RES/stall-$3.txt dm t id
    id=$(xl domid "$name" 2>/dev/null)
    {
        echo "== $(uptime_s) s: $log"; ls -l "$log"; tail -c 400 "$log"; echo
        echo "== df"; df -k / /var/log /tmp 2>&1
        echo "== xl list"; xl list 2>&1; echo "== xl vcpu-list"; xl vcpu-list 2>&1
        if [ -n "$id" ]; then
            echo "== xenctx -a -S -C $id"; xenctx -a -S -C "$id" 2>&1 | head -n 400
            echo "== xen-hvmctx $id"; xen-hvmctx "$id" 2>&1 | head -n 600
            echo "== xl debug-keys q e, then xl dmesg's tail"
            xl debug-keys q 2>&1; xl debug-keys e 2>&1; xl dmesg 2>&1 | tail -n 400
        fi
        dm=$(xenstore-read "/local/domain/$id/image/device-model-pid" 2>/dev/null)
        if [ -n "$dm" ] && [ -d "/proc/$dm" ]; then
            echo "== device model $dm threads (name state wchan)"
            for t in /proc/$dm/task/*; do
                echo "$(cat "$t/comm") $(awk '{ print $3 }' "$t/stat") $(cat "$t/wchan" 2>/dev/null)"
            done
            echo "== fds"; ls -l "/proc/$dm/fd" 2>&1
        fi
    } >"$f" 2>&1
    info "stall recorded in $(basename "$f")"
}

# guest_done NAME LOG T0 SECS: PASS/FAIL guest-done as the guest NAME
# (created at uptime T0) writes '@@G done' to its console LOG within SECS.
guest_done() {
    local name=$1 log=$2 t0=$3 secs=$4
    if guest_said "$name" "$log" '@@G done' "$secs"; then
        info "guest ran its checks $(elapsed "$t0") s after xl create"
        pass guest-done
    else
        stall_record "$name" "$log" done
        fail guest-done "no '@@G done' from the guest within $secs s (guest $(dom_exists "$name" && echo alive || echo gone))"
    fi
}

NVME_REGIONS="pv-baseline pv-ours hvm-baseline hvm-ours stubdom-ours stubdom-upstream"
# region_index: the position of this scenario in NVME_REGIONS (from 0);
# fails for a scenario that has no region.
region_index() {
    local i=0 s
    for s in $NVME_REGIONS; do
        [ "$s" = "$SCENARIO" ] && { echo "$i"; return 0; }
        i=$((i + 1))
    done
    return 1
}
# region_record FILE N: "SCENARIO N [record]" into $RES/FILE for run.sh.
region_record() {
    echo "$SCENARIO $2$([ "${E2E_RECORD:-0}" = 1 ] && echo " record")" >"$RES/$1"
}
# nvme_arg: " e2e.nvme=SCENARIO@MIB", the guest's 4 MiB region of the
# bed's NVMe namespace (one per scenario that passes the NVMe, in this
# order), recorded in $RES/nvme-region.txt for run.sh's check of the image.
nvme_arg() {
    local i
    i=$(region_index) || return 0
    region_record nvme-region.txt $((i * 4))
    echo " e2e.nvme=$SCENARIO@$((i * 4))"
}

# in_bed WHAT VALUE: VALUE is 1 or this bed's release: WHAT (a function
# class that runs in one release's bed only, to keep make check's time)
# runs here; INFO otherwise.
in_bed() {
    case "${2:-0}" in
    0) return 1 ;;
    1|"$E2E_RELEASE") return 0 ;;
    esac
    info "$1: run in the $2 bed only (make check's time; README, function classes)"
    return 1
}

# The SR-IOV NVMe (lib/boot.sh, 8086:5845 at 00:0b.0): its physical
# function in dom0, and its virtual function once vf_setup made it.
vf_pf() {
    local d
    for d in $(find_devs 8086:5845); do
        [ -e "/sys/bus/pci/devices/$d/physfn" ] || { echo "$d"; return 0; }
    done
    return 1
}
vf_ctrl_live() { [ "$(cat "$1"/state 2>/dev/null)" = live ]; }
# vf_setup PF: dom0's nvme driver takes the physical function (and no
# other: the bus's driver autoprobe off meanwhile), gives up its flexible
# queue and interrupt resources (taken back at the function's reset),
# gives the VF's secondary controller 4 queues and 2 interrupts, enables
# one VF (probed by no driver, for the same reason; the PF's
# sriov_drivers_autoprobe stays on: off, the kernel lets no driver bind
# the VF, pciback included) and brings the controller online (QEMU's
# docs/system/devices/nvme.rst, "Virtualization Enhancements and
# SR-IOV"). The interrupts go to the controller before the VF exists:
# its MSI-X Table Size follows them, and Xen reads it once, when dom0
# adds the VF; assigned later (QEMU's documented order), the VF's second
# MSI-X entry could not be mapped and its I/O queue completed only by
# the guest driver's timeouts (tests/e2e/evidence/
# nvme-vf-late-msix-size-4.17-2026-12-07). Prints the VF's address;
# every step is in $RES/vf-setup.log.
vf_setup() {
    local dir=/sys/bus/pci/devices/$1 m c scid= pcid= vf=
    {
        echo 0 >/sys/bus/pci/drivers_autoprobe
        for m in $(cat /e2e/kmod/modules.load); do insmod "/e2e/kmod/$m"; done
        echo "$1" >/sys/bus/pci/drivers/nvme/bind
        wait_for 30 ls -d "$dir"/nvme/nvme* && c=$(ls -d "$dir"/nvme/nvme* | head -n1) &&
        wait_for 30 vf_ctrl_live "$c" &&
        nvmeadm "/dev/${c##*/}" secondary >/tmp/vf-secondary.txt &&
        cat /tmp/vf-secondary.txt &&
        scid=$(sed -n 's/^scid=\([0-9]*\) .* vfn=1 .*/\1/p' /tmp/vf-secondary.txt) &&
        pcid=$(sed -n 's/^scid=[0-9]* pcid=\([0-9]*\) .* vfn=1 .*/\1/p' /tmp/vf-secondary.txt) &&
        [ -n "$scid" ] && [ -n "$pcid" ] &&
        nvmeadm "/dev/${c##*/}" virt-mgmt "$pcid" 1 1 0 &&
        nvmeadm "/dev/${c##*/}" virt-mgmt "$pcid" 0 1 0 &&
        echo 1 >"$dir/reset" && wait_for 30 vf_ctrl_live "$c" &&
        nvmeadm "/dev/${c##*/}" virt-mgmt "$scid" 1 8 2 &&
        nvmeadm "/dev/${c##*/}" virt-mgmt "$scid" 0 8 4 &&
        echo 1 >"$dir/sriov_numvfs" &&
        nvmeadm "/dev/${c##*/}" virt-mgmt "$scid" 0 9 0 &&
        nvmeadm "/dev/${c##*/}" secondary &&
        vf=$(readlink "$dir/virtfn0") && vf=${vf##*/}
        echo 1 >/sys/bus/pci/drivers_autoprobe
        lspci -vvv -s "$vf" 2>&1
    } >>"$RES/vf-setup.log" 2>&1
    [ -n "$vf" ] && echo "$vf"
}
# vf_take RELEASE: in that release's bed (1: every bed), the SR-IOV
# NVMe's VF made (vf_setup) for this scenario: sets VFPF and VF (empty
# elsewhere, or when vf_setup failed: FAIL vf-setup); false only when the
# bed has no SR-IOV NVMe (FAIL dom0-devices).
vf_take() {
    VFPF= VF=
    in_bed "SR-IOV virtual function" "$1" || return 0
    VFPF=$(vf_pf) || { fail dom0-devices "no SR-IOV NVMe (8086:5845) in dom0"; return 1; }
    if VF=$(vf_setup "$VFPF"); then
        info "SR-IOV: VF $VF of $VFPF, made by dom0's nvme driver (vf-setup.log)"
    else
        fail vf-setup "no VF of $VFPF: $(tail -n 3 "$RES/vf-setup.log" | tr '\n' ' ')"
    fi
}
# vf_teardown PF: the VF gone (sriov_numvfs 0), dom0's nvme driver off the
# physical function and unloaded, as the bed had it.
vf_teardown() {
    local m
    {
        echo 0 >"/sys/bus/pci/devices/$1/sriov_numvfs"
        echo "$1" >/sys/bus/pci/drivers/nvme/unbind
        for m in nvme nvme_core; do rmmod "$m"; done
    } >>"$RES/vf-setup.log" 2>&1
}
# nvmevf_arg [pv]: " e2e.nvmevf=SCENARIO@MIB": the guest's region of the
# SR-IOV NVMe's namespace (NVME_REGIONS' order), recorded in
# $RES/nvmevf-region.txt for run.sh; with pv " e2e.nvmevf=pv": a PV
# guest's VF, whose driver cannot work (guest/baseline.sh vf_pv_check).
nvmevf_arg() {
    local i
    [ "${1:-}" = pv ] && { echo " e2e.nvmevf=pv"; return 0; }
    i=$(region_index) || return 0
    region_record nvmevf-region.txt $((i * 4))
    echo " e2e.nvmevf=$SCENARIO@$((i * 4))"
}

# slot8_devs: the functions of the bed's multi-function slot 00:08 in
# dom0, on one line (the bochs-display with its ROM, the ivshmem with the 1 GiB BAR).
slot8_devs() {
    local d
    d=$(find_devs 1234:1111 | head -n1)
    [ -n "$d" ] && echo $(ls -d "/sys/bus/pci/devices/${d%.*}".* | sed 's|.*/||')
}

# xhci_devs: the bed's two xHCI controllers in dom0 (qemu-xhci with MSI-X,
# nec-usb-xhci with MSI), on one line.
xhci_devs() { echo $(find_devs 1b36:000d) $(find_devs 1033:0194); }

# rom_sum BDF: the first 16 hex digits of the SHA-256 of the function's
# expansion ROM as dom0 reads it through sysfs (saved as $RES/dom0-rom.bin).
rom_sum() {
    local f=/sys/bus/pci/devices/$1/rom
    echo 1 >"$f" && cat "$f" >"$RES/dom0-rom.bin"
    echo 0 >"$f"
    sha256sum <"$RES/dom0-rom.bin" | cut -c1-16
}

# slot8_arg MODE: " e2e.rom=MODE:SUM e2e.bigbar=SCENARIO@PAGE": what the
# guest must get from the display's ROM (MODE image: dom0's bytes, whose
# SHA-256 begins with SUM; MODE pciback: nothing, as pciback serves its
# frontend, guest/baseline.sh rom_check), and the 4 KiB page, counted
# from the end of the ivshmem's 1 GiB BAR, it writes its pattern to (one
# per scenario, NVME_REGIONS' order), recorded in $RES/bigbar-region.txt
# for run.sh's check of the backing file.
slot8_arg() {
    local i d
    d=$(find_devs 1234:1111 | head -n1)
    [ -n "$d" ] && printf ' e2e.rom=%s:%s' "$1" "$(rom_sum "$d")"
    i=$(region_index) || return 0
    region_record bigbar-region.txt $((i + 1))
    printf ' e2e.bigbar=%s@%s' "$SCENARIO" $((i + 1))
}

# pv_ours_cfg FILE NAME EXTRA: the xl.cfg of a PV domU (the guest's kernel
# and initrd, command line EXTRA) whose functions our backend serves: no
# pci=, so libxl starts no pciback backend for it.
pv_ours_cfg() {
    cat >"$1" <<CFG
name = "$2"
type = "pv"
kernel = "/e2e/guest/vmlinuz"
ramdisk = "/e2e/guest/initrd.img"
extra = "$3"
memory = 256
vcpus = 1
# (no maxvcpus: a PV guest's kernel brings every possible vCPU up at boot
# and only then takes the unavailable ones down; with maxvcpus = 16 a
# Debian 13 guest died at boot once, an int3 oops on CPU 12)
passthrough = "enabled"
# Linux >= 6.5 sets up xen-swiotlb only with a reserved E820 entry, which
# libxl gives a PV guest only with pci= or this (docs: pv.rst)
e820_host = 1
on_poweroff = "destroy"
on_crash = "destroy"
CFG
    save_file "$1" "$2.cfg"
}

# xl_create CFG [XL-OPTION...]: xl create (PASS/FAIL xl-create, timed);
# false on failure.
xl_create() { mark xl-create; xl_create_as xl-create "$@"; }

# xl_create_as CHECK CFG [XL-OPTION...]: the same, as check CHECK (log in
# $RES/CHECK.log), for scenarios that create several guests.
xl_create_as() {
    local n=$1 t; shift
    t=$(uptime_s)
    if ! capture "$n.log" xl create "$@"; then
        fail "$n" "$(xl_failure "$RES/$n.log")"
        return 1
    fi
    pass "$n"
    info "$n took $(elapsed "$t") s"
}

# xl_failure LOG: why xl create failed, in one line: libxl's first error
# (its reports that the kernel cannot reset a function from sysfs, which
# every creation here prints, left out) and the last line xl printed.
xl_failure() {
    local first last
    first=$(grep 'error' "$1" | grep -v 'support reset from sysfs' | head -n1)
    last=$(grep -v '^Parsing' "$1" | tail -n1)
    if [ -n "$first" ] && [ "$first" != "$last" ]; then
        echo "$first ... $last"
    else
        echo "$last"
    fi
}

# A QEMU human monitor on a pipe chardev, for scenarios that drive our QEMU
# at run time (qom-set/qom-get). hmp_args NAME prints the QEMU options;
# hmp_open NAME starts a reader of the monitor's output into $RES/NAME.log;
# hmp NAME CMD... sends one command and waits (up to 10 s) for the prompt
# that follows its answer; the answer is in $RES/NAME.log.
hmp_args() { echo "-chardev pipe,id=$1,path=/tmp/$1 -mon chardev=$1,mode=readline"; }
hmp_open() {
    rm -f "/tmp/$1.in" "/tmp/$1.out"
    mkfifo "/tmp/$1.in" "/tmp/$1.out"
    : >"$RES/$1.log"
    cat "/tmp/$1.out" >>"$RES/$1.log" &
}
hmp() {
    local m=$1 n; shift
    n=$(grep -c '(qemu)' "$RES/$m.log")
    echo "$*" >"/tmp/$m.in"
    wait_for 10 sh -c "[ \$(grep -c '(qemu)' '$RES/$m.log') -gt $n ]"
}
# hmp_last NAME: the monitor's answer to the last command (text after the
# last-but-one prompt, minus the echo of the command).
hmp_last() {
    tr -d '\r' <"$RES/$1.log" | awk '/\(qemu\)/ { n++ } { l[NR] = $0; p[NR] = n }
        END { for (i = 1; i <= NR; i++) if (p[i] == n - 1 && l[i] !~ /\(qemu\)/) print l[i] }'
}

# hmp_qom_set CHECK MON OBJ PROP VALUE: qom-set over the monitor MON;
# PASS/FAIL CHECK by whether QEMU answered an error.
hmp_qom_set() {
    local check=$1 m=$2 ans; shift 2
    hmp "$m" qom-set "$@"
    ans=$(hmp_last "$m")
    if echo "$ans" | grep -qi error; then
        fail "$check" "qom-set $*: $ans"; return 1
    fi
    pass "$check"
}

# pvb_state DOMID: xenbus state of our PV-PCI backend for DOMID (pci-qemu).
pvb_state() { xenstore-read "/local/domain/0/backend/pci-qemu/$1/0/state" 2>/dev/null; }
# pvb_ready DOMID QPID: our backend for DOMID is published (InitWait or
# later), or its QEMU (QPID) is gone: the wait for it is over.
pvb_ready() { [ -n "$(pvb_state "$1")" ] || ! kill -0 "$2" 2>/dev/null; }

# pvb_func_state DOMID BDF: the state-N our backend published for BDF
# (nothing when BDF is not exported).
pvb_func_state() {
    local be=/local/domain/0/backend/pci-qemu/$1/0 n=0
    while [ $n -lt 32 ]; do
        [ "$(xenstore-read "$be/dev-$n" 2>/dev/null)" = "$2" ] &&
            { xenstore-read "$be/state-$n" 2>/dev/null; return; }
        n=$((n + 1))
    done
}

# pvb_func_closed DOMID BDF: the backend published BDF's state-N as Closed.
pvb_func_closed() { [ "$(pvb_func_state "$1" "$2")" = 6 ]; }

# pvb_qemu DOMID: the pid of the QEMU that serves DOMID's frontend with
# our backend (started by xl: -xen-domid DOMID ... xen-pciback-pv).
pvb_qemu() {
    local p
    for p in /proc/[0-9]*; do
        tr '\0' ' ' <"$p/cmdline" 2>/dev/null |
            grep -q -- "-xen-domid $1 .*xen-pciback-pv" && { echo "${p#/proc/}"; return 0; }
    done
    return 1
}

# save_configs TAG BDF...: each function's config space as dom0 sees it now,
# as $RES/TAG-config-BDF.bin.
save_configs() {
    local tag=$1 d; shift
    for d in "$@"; do save_file "/sys/bus/pci/devices/$d/config" "$tag-config-$d.bin"; done
}

# save_dom0_views BDF...: dom0's lspci and config bytes of each function,
# before assignment (dom0-lspci-BDF.txt, dom0-config-BDF.bin).
save_dom0_views() {
    local d
    for d in "$@"; do capture "dom0-lspci-$d.txt" lspci -vvv -xxxx -s "$d"; done
    save_configs dom0 "$@"
}

# msi_msg_range BDF: "LO HI" (decimal), the MSI message address and data
# registers of the function in dom0 (none: nothing printed).
msi_msg_range() {
    local l c
    l=$(lspci -vv -s "$1" 2>/dev/null | grep -m1 'Capabilities: \[[0-9a-f]*\] MSI:') || return 0
    c=$((0x$(echo "$l" | sed 's/.*\[\([0-9a-f]*\)\].*/\1/')))
    case "$l" in *64bit+*) echo "$((c + 4)) $((c + 13))" ;; *) echo "$((c + 4)) $((c + 9))" ;; esac
}

# intr_ranges BDF: "LO HI" lines (decimal config offsets) of the
# registers a device model changes in the host for a guest: the command
# word (bus master, INTx disable), the MSI-X control word, MSI's control
# word and message.
intr_ranges() {
    local c r
    echo "4 5"
    for c in $(lspci -vv -s "$1" 2>/dev/null |
               sed -nE 's/.*Capabilities: \[([0-9a-f]+)\] MSI-X:.*/\1/p'); do
        echo "$((0x$c + 2)) $((0x$c + 3))"
    done
    r=$(msi_msg_range "$1")
    [ -z "$r" ] || echo "$((${r% *} - 2)) ${r#* }"
}
# in_ranges RANGES OFFSET...: true when every OFFSET (0x...) lies in one
# of RANGES' "LO HI" lines (decimal, inclusive); false for no ranges.
in_ranges() {
    local r=$1 o ok; shift
    [ -n "$r" ] || return 1
    for o in "$@"; do
        ok=$(echo "$r" | awk -v o=$((o)) '$1 <= o && o <= $2 { print 1; exit }')
        [ -n "$ok" ] || return 1
    done
}
# in_intr_ranges BDF OFFSET...: true when every OFFSET (0x...) is one of
# the function's interrupt registers.
in_intr_ranges() {
    local d=$1; shift
    in_ranges "$(intr_ranges "$d")" "$@"
}
# held_only BDF OFFSET...: true when each OFFSET (0xNNN) is a register an
# ended try's device model left: listed in HELD, or, after a retry in this
# scenario (RETRY > 0), one of intr_ranges.
held_only() {
    local d=$1 o; shift
    for o in "$@"; do
        grep -qx "$d $o" "$HELD" 2>/dev/null && continue
        [ "${RETRY:-0}" -gt 0 ] && in_intr_ranges "$d" "$o" && continue
        return 1
    done
}
# intr_restore TAG BDF...: each function's registers of intr_ranges
# written back as save_configs before found them, an INFO line each with
# what dom0 reads afterwards (TAG names the moment; its config saved as
# TAG-config-BDF.bin). A guest Xen ended (guest_tries) took its device
# model with it before it released its functions: what that device model
# enabled in the host stays, since neither libxl's reset nor pciback
# clears an enable dom0's kernel did not make (seen: the e1000e's and an
# xHCI's MSI-X enable, which Xen keeps set, the other xHCI's MSI message,
# the edu's bus master).
# A register that does not take the write (Xen keeps MSI-X enabled while
# it holds state from the ended domain) is listed in HELD ("BDF 0xOFF",
# for the rest of the boot): later scenarios' restored checks and
# shared-views take a difference there as INFO (held_only).
HELD=/tmp/e2e-held-registers
intr_restore() {
    local tag=$1 d r w got; shift
    for d in "$@"; do
        save_configs "$tag" "$d"
        intr_ranges "$d" | while read -r r; do
            for w in $(cmp -l "$RES/before-config-$d.bin" "$RES/$tag-config-$d.bin" 2>/dev/null |
                       awk -v lo="${r% *}" -v hi="${r#* }" "$AWK_OCT"'
                $1 - 1 >= lo && $1 - 1 <= hi { printf "%x.b=%02x\n", $1 - 1, oct($2) }'); do
                setpci -s "$d" "$w"
                got=$(setpci -s "$d" "${w%=*}")
                info "$d ($tag): config ${w%=*} written back as ${w#*=}, reads $got"
                [ "$got" = "${w#*=}" ] || printf '%s 0x%03x\n' "$d" "0x${w%.b=*}" >>"$HELD"
            done
        done
    done
}

# check_restored MODE BDF...: dom0's view of each function now equals the
# one save_configs before saved (restore-diff-BDF.txt otherwise). MODE check:
# PASS/FAIL restored; MODE info: differences are only reported; MODE
# stubdom: as check, except the MSI message address and data, which Xen
# programs when it maps a guest's MSI and which nothing restores when the
# device model is in a stubdomain (pciback drops its writes of them, and a
# function without a reset method keeps them): reported as INFO. After a
# retry, differences only in registers an ended try's device model left
# (held_only) are INFO.
check_restored() {
    local mode=$1 d ok=1 msg; shift
    save_configs after "$@"
    for d in "$@"; do
        cmp -s "$RES/before-config-$d.bin" "$RES/after-config-$d.bin" && continue
        cfg_diff "$RES/before-config-$d.bin" "$RES/after-config-$d.bin" "$RES/restore-diff-$d.txt"
        msg="$d differs after the guest: $(grep '^0x' "$RES/restore-diff-$d.txt" | cut -d' ' -f1 | tr '\n' ' ')"
        # what an ended try's device model left (intr_restore)
        if held_only "$d" $(grep '^0x' "$RES/restore-diff-$d.txt" | cut -d' ' -f1); then
            info "$msg (registers an ended try's device model left: see intr_restore)"
            continue
        fi
        if [ "$mode" = stubdom ] &&
           in_ranges "$(msi_msg_range "$d")" $(grep '^0x' "$RES/restore-diff-$d.txt" | cut -d' ' -f1); then
            info "$msg (MSI message registers only: Xen's, see check_restored)"
            continue
        fi
        ok=
        if [ "$mode" != info ]; then fail restored "$msg"; else info "$msg"; fi
    done
    [ -n "$ok" ] && [ "$mode" != info ] && pass restored
    return 0
}

# assign_all BDF...: xl pci-assignable-add each function (PASS/FAIL
# assignable); false if one could not be added.
assign_all() {
    local d ok=1
    for d in "$@"; do
        capture "assignable-add-$d.log" xl pci-assignable-add "$d" ||
            { ok=; fail assignable "xl pci-assignable-add $d: $(tail -n1 "$RES/assignable-add-$d.log")"; }
    done
    [ -n "$ok" ] && pass assignable
}

# unassign_all BDF...: xl pci-assignable-remove each function (FAIL
# assignable-remove when one stays with pciback).
unassign_all() {
    local d
    for d in "$@"; do
        capture "assignable-remove-$d.log" xl pci-assignable-remove "$d" ||
            fail assignable-remove "$d: $(tail -n1 "$RES/assignable-remove-$d.log")"
    done
}

# dom0's pciback policy for a function, written as an administrator (and
# libxl, for xl.cfg permissive=1) writes it before the guest starts; our
# device models in dom0 start the function with it (docs filter.rst,
# "Policy set in dom0's pciback"). The quirk is at 0x60 of the e1000, a
# register no rule covers (no capabilities), 2 bytes, mask 0xffff.
PCIBACK_DIR=/sys/bus/pci/drivers/pciback
PCIBACK_QUIRK=60:2:ffff
PCIBACK_QUIRK_OURS=0x60:2:0xffff
# pciback_policy_set BDF [permissive]: the quirk (and permissive) for BDF
# in pciback; its listings saved (the real format, for the parser's tests).
pciback_policy_set() {
    local d=$1
    if [ "$2" = permissive ]; then
        echo "$d" >"$PCIBACK_DIR/permissive" ||
            fail pciback-policy "writing $d to $PCIBACK_DIR/permissive failed"
    fi
    echo "$d-$PCIBACK_QUIRK" >"$PCIBACK_DIR/quirks" ||
        fail pciback-policy "writing $d-$PCIBACK_QUIRK to $PCIBACK_DIR/quirks failed"
    capture pciback-permissive.txt cat "$PCIBACK_DIR/permissive"
    capture pciback-quirks.txt cat "$PCIBACK_DIR/quirks"
}
# pciback_policy_check TEXT WANT: PASS/FAIL pciback-policy by whether the
# device model's "policy" (TEXT, as qom-get printed it) has WANT.
pciback_policy_check() {
    printf '%s\n' "$1" >"$RES/policy-at-start.txt"
    if printf '%s' "$1" | grep -qF -- "$2"; then
        pass pciback-policy
    else
        fail pciback-policy "policy '$1' lacks '$2'"
    fi
}

# pciback's allow_interrupt_control for a stubdomain's functions, the way
# our package keeps it: the functions listed in the intr-control service's
# file, its tool running as its systemd unit runs it (the bed has no
# systemd), and udev's daemon with the package's rule only (the tool once
# when pciback takes a function; the daemon logs what the tool printed,
# udevd.log). The package's tool and rule, else (make e2e without our
# package) the repository's copies. Started before the functions are
# assignable, as at a host's boot. intr_control_listed BDF: pciback's
# switch is on.
INTR_CONF=/etc/qemu-xenpt/allow-interrupt-control
INTR_RULE=60-qemu-xenpt.rules
intr_control_start() {
    local tool=/usr/libexec/qemu-xenpt/intr-control d
    [ -x "$tool" ] || tool=/e2e/intr-control
    mkdir -p "${INTR_CONF%/*}"
    echo "# e2e: $SCENARIO" >"$INTR_CONF"
    for d in "$@"; do echo "$d" >>"$INTR_CONF"; done
    "$tool" watch 2>>"$RES/intr-control.log" &
    INTR_PID=$!
    info "intr-control: $tool watch (pid $INTR_PID) for $*"
    # Its first look over before pciback takes a function: what turns a
    # switch on from then until xl create is the udev rule (a look of the
    # watch's racing the rule failed intr-control-bound once).
    wait_for 10 grep -q "watching" "$RES/intr-control.log" ||
        fail intr-control "the watch did not start: $(tail -n2 "$RES/intr-control.log" | tr '\n' ' ')"
    if ! ls /usr/lib/udev/rules.d/$INTR_RULE >/dev/null 2>&1; then
        mkdir -p /etc/udev/rules.d
        sed "s|/usr/libexec/qemu-xenpt/intr-control|$tool|" /e2e/$INTR_RULE >/etc/udev/rules.d/$INTR_RULE
    fi
    SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=debug \
        /usr/lib/systemd/systemd-udevd >"$RES/udevd.log" 2>&1 &
    UDEVD_PID=$!
    wait_for 5 udevadm control --ping >/dev/null 2>&1 ||
        fail udevd "systemd-udevd did not answer: $(tail -n2 "$RES/udevd.log" | tr '\n' ' ')"
}
intr_control_stop() {
    [ -n "${INTR_PID:-}" ] || return 0
    kill "$INTR_PID" 2>/dev/null
    pkill -f 'xenstore-watch /local/domain/0/backend/pci' 2>/dev/null
    INTR_PID=
    rm -f "$INTR_CONF"
    kill "$UDEVD_PID" 2>/dev/null
    UDEVD_PID=
}
# intr_control_bound BDF...: PASS intr-control-bound when pciback's switch
# went on for each once xl pci-assignable-add had bound it to pciback
# (which changes nothing in xenstore), by the udev rule: the tool's message
# for it is in udevd's log.
intr_control_bound() {
    local d bad=
    wait_for 10 intr_control_all "$@"
    for d in "$@"; do
        if ! intr_control_listed "$d"; then
            bad="$bad $d: off;"
        elif ! grep -q "on for $d" "$RES/udevd.log"; then
            bad="$bad $d: on, not by the rule ($(grep -c "on for $d\$" "$RES/intr-control.log") from the watch);"
        fi
    done
    if [ -z "$bad" ]; then
        pass intr-control-bound
    else
        fail intr-control-bound "after xl pci-assignable-add:$bad udevd: $(grep -c 'pciback' "$RES/udevd.log") lines naming pciback"
    fi
}
intr_control_listed() { grep -qxF "$1" "$PCIBACK_DIR/allow_interrupt_control"; }
intr_control_all() {
    local d
    for d in "$@"; do intr_control_listed "$d" || return 1; done
}
# intr_control_check WHEN BDF...: PASS/FAIL intr-control-WHEN by whether
# pciback's switch is on for each (WHEN: started, created, hot-added, again)
intr_control_check() {
    local when=$1 d off=; shift
    for d in "$@"; do intr_control_listed "$d" || off="$off $d"; done
    if [ -z "$off" ]; then
        pass "intr-control-$when"
    else
        fail "intr-control-$when" "allow_interrupt_control off for$off ($(tr '\n' ' ' <"$PCIBACK_DIR/allow_interrupt_control"); intr-control: $(tail -n3 "$RES/intr-control.log" 2>/dev/null | tr '\n' ' '))"
    fi
}

# libxl_pci_id BDF: the QEMU device id libxl gives the function
# (pci-pt-BB_DD.F), for qom-get and device_del.
libxl_pci_id() { echo "$1" | awk -F'[:.]' '{ printf "pci-pt-%s_%s.%s", $2, $3, $4 }'; }
