#!/bin/bash
# End-to-end test bed: real Xen (4.17 or 4.20) nested under QEMU TCG, PV dom0, guests.
#
#   tests/e2e/run.sh [scenario...]      (default: all of tests/e2e/scenarios/
#                                        but those marked e2e-bench-only or
#                                        e2e-on-demand and those an
#                                        e2e-releases line keeps from this
#                                        release)
#
# Fetches and builds what is missing (cached in /var/cache/xenpt-e2e and
# build/e2e/images), boots once, runs the scenarios in dom0 in the given order,
# prints their PASS/FAIL lines and "e2e: N passed, M failed"; exit status 1 on
# any failure, including a check of expected-checks.txt that a scenario which
# ran never reported. Results: build/e2e/results/<scenario>/, logs:
# build/e2e/logs/.
#
# Environment: E2E_RELEASE (bookworm: Debian 12, Xen 4.17, the default;
# trixie: Debian 13, Xen 4.20; lib/common.sh), E2E_TIMEOUT (hard limit of the boot, seconds; default: 150 +
# the scenarios' own limits, at most 3000), E2E_BUILD_ONLY=1 (images only),
# E2E_OUTER_CPU / E2E_OUTER_SMP / E2E_OUTER_ACCEL (the outer QEMU's -cpu,
# -smp and -accel; defaults and why in lib/boot.sh), E2E_FETCH_ONLY=1 (only
# fetch the bed's packages).
set -uo pipefail

E2E_SRC_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$E2E_SRC_DIR/lib/common.sh"
# shellcheck source=lib/pkg.sh
. "$E2E_SRC_DIR/lib/pkg.sh"
# shellcheck source=lib/images.sh
. "$E2E_SRC_DIR/lib/images.sh"
# shellcheck source=lib/boot.sh
. "$E2E_SRC_DIR/lib/boot.sh"

[ "$(id -u)" = 0 ] || die "run as root (apt-get download into $CACHE)"
# E2E_FETCH_ONLY=1: only download and unpack the bed's packages (no boot,
# so not under the boot lock); make check does it while it compiles
if [ "${E2E_FETCH_ONLY:-0}" = 1 ]; then
    fetch_bed
    log "packages of the $E2E_RELEASE bed fetched"
    exit 0
fi
# One nested-Xen boot at a time on this machine (2 cores; sessions share it).
exec 9>"${E2E_LOCK:-/var/lock/xenpt-e2e.lock}"
flock -n 9 || { log "another e2e run holds the lock: waiting"; flock 9; }
[ -x "$OUTER_QEMU" ] || die "outer QEMU $OUTER_QEMU missing (Debian package qemu-system-x86)"

NOT_RUN=()
if [ $# -gt 0 ]; then
    SCEN=("$@")
else
    SCEN=()
    # every scenario but the benchmark-only ones (make bench-e2e names them),
    # the on-demand ones (named to run: recordings without checks) and
    # those whose "# e2e-releases:" line leaves this release out
    for f in "$E2E_SRC/scenarios"/*.sh; do
        grep -q '^# e2e-bench-only' "$f" && continue
        why=$(sed -n 's/^# e2e-on-demand: *//p' "$f")
        if [ -n "$why" ]; then
            NOT_RUN+=("$(basename "$f" .sh): on demand only, $why)")
            continue
        fi
        rels=$(sed -n 's/^# e2e-releases: *//p' "$f")
        if [ -n "$rels" ] && ! grep -qw -- "$E2E_RELEASE" <<<"${rels%% (*}"; then
            NOT_RUN+=("$(basename "$f" .sh): ${rels#*(}")
            continue
        fi
        SCEN+=("$(basename "$f" .sh)")
    done
    # PV baseline, HVM baseline, the rest, then the comparisons (shared-*),
    # which read what the others left in dom0's /results
    mapfile -t SCEN < <(printf '%s\n' "${SCEN[@]}" | awk '
        $0 == "pv-baseline" { a = $0; next } $0 == "hvm-baseline" { b = $0; next }
        /^shared-/ { last[m++] = $0; next } { rest[n++] = $0 }
        END { if (a) print a; if (b) print b; for (i = 0; i < n; i++) print rest[i]
              for (i = 0; i < m; i++) print last[i] }')
fi
limit=150
for s in "${SCEN[@]}"; do
    f=$E2E_SRC/scenarios/$s.sh
    [ -f "$f" ] || die "unknown scenario '$s' (have: $(cd "$E2E_SRC/scenarios" && ls *.sh | sed 's/\.sh$//' | tr '\n' ' '))"
    l=$(sed -n 's/^# e2e-timeout: *//p' "$f" | head -n1)
    limit=$(( limit + ${l:-300} ))
    # functions a scenario adds to the bed (# e2e-outer-devices: ARGS),
    # each line once however many scenarios name it
    while read -r l; do
        case " ${OUTER_SEEN:-} " in *" $l "*) continue ;; esac
        OUTER_SEEN="${OUTER_SEEN:-} $l"
        read -ra a <<<"$l"
        OUTER_DEVICES+=("${a[@]}")
    done < <(sed -n 's/^# e2e-outer-devices: *//p' "$f")
done
[ "$limit" -gt 3000 ] && limit=3000
limit=${E2E_TIMEOUT:-$limit}

T0=$(now_ms)
build_base
build_ours
case " ${SCEN[*]} " in
*" stubdom-upstream "*) build_stubdoms upstream ;;
*) build_stubdoms ;;
esac
build_run
T_BUILD=$(( $(now_ms) - T0 ))
log "images ready in $(fmt_ms "$T_BUILD"): dom0 initrd $(du -m "$IMG/dom0-initrd.cpio" | cut -f1) MB"
[ "${E2E_BUILD_ONLY:-0}" = 1 ] && exit 0

# One boot runs every scenario. Should the outer QEMU crash (SIGSEGV: the
# MTTCG race of Debian's QEMU 7.2, see lib/boot.sh), the whole boot is done
# again, at most E2E_BOOT_TRIES times in all; the crashes are reported.
tries=${E2E_BOOT_TRIES:-3}
crashes=()
for attempt in $(seq 1 "$tries"); do
    RUN=$LOGS/$(date +%Y%m%d-%H%M%S)
    mkdir -p "$RUN"
    ln -sfn "$(basename "$RUN")" "$LOGS/latest"
    log "booting Xen + dom0 (scenarios: ${SCEN[*]}; hard limit ${limit} s; logs in $RUN; boot $attempt of at most $tries)"
    boot_bed "$RUN" "$limit" "${SCEN[@]}"
    log "outer QEMU stopped after $(fmt_ms "$BOOT_MS") ($BOOT_STATUS${QEMU_RC:+, exit $QEMU_RC})"
    if [ "$BOOT_STATUS" = exited ] && [ "${QEMU_RC:-0}" = 139 ] && [ "$attempt" -lt "$tries" ]; then
        crashes+=("boot $attempt ($RUN): outer QEMU crashed (SIGSEGV) after $(fmt_ms "$BOOT_MS")")
        log "outer QEMU crashed (SIGSEGV, QEMU 7.2 multi-threaded TCG race): booting again"
        continue
    fi
    break
done

# Results: files from the data channel (and the console, if dom0 fell back to it).
for s in "${SCEN[@]}" dom0; do rm -rf "${RESULTS:?}/$s"; done
mkdir -p "$RESULTS"
{ extract_files "$RUN/data.raw" "$RESULTS"; extract_files "$RUN/console.log" "$RESULTS"; } >"$RUN/files.txt"
cp "$RUN/console.log" "$RUN/events.log" "$RESULTS/dom0/" 2>/dev/null || { mkdir -p "$RESULTS/dom0"; cp "$RUN/console.log" "$RUN/events.log" "$RESULTS/dom0/"; }
cp "$IMG/versions.txt" "$RESULTS/dom0/package-versions.txt" 2>/dev/null

# Verdicts
EV=$RUN/events.log
VERD=$RUN/verdicts.txt
# host_verdict SCENARIO CHECK REC WHY: the outer host's verdict on what a
# guest left in a device's backing store (WHY empty: as written; REC set:
# a recorded baseline, reported as INFO).
host_verdict() {
    if [ -n "$3" ]; then
        echo "$BOOT_MS INFO: $1: record $2: ${4:-works}" >>"$EV"
    elif [ -z "$4" ]; then
        echo "$BOOT_MS PASS: $1/$2" >>"$EV"
    else
        echo "$BOOT_MS FAIL: $1/$2: $4" >>"$EV"
    fi
}
# bigbar_words PAGE: the 16 words guest/baseline.sh bigbar_word writes.
bigbar_words() {
    local i
    for i in $(seq 0 15); do printf '%08x\n' $(( 0x78700000 | ($1 << 8) | i )); done
}
# The NVMe namespace (lib/boot.sh): each region a scenario gave its guest
# (results/SCENARIO/nvme-region.txt: "TAG MIB [record]") must hold what
# that guest wrote there, byte for byte (guest/baseline.sh nvme_check); the
# SR-IOV NVMe's namespace likewise (nvmevf-region.txt, the VF's guest).
# The 1 GiB BAR's backing file likewise (bigbar-region.txt: "TAG PAGE
# [record]", 16 words at PAGE 4 KiB pages before its end), and the ROM
# dom0 read (dom0-rom.bin) must be the outer device's ROM file.
for s in "${SCEN[@]}"; do
    for r in "nvme-region.txt $NVME_IMG host-nvme-image" "nvmevf-region.txt $VF_IMG host-nvmevf-image"; do
        read -r file img chk <<<"$r"
        f=$RESULTS/$s/$file
        [ -f "$f" ] || continue
        read -r tag off rec <"$f"
        why=$(cmp <(nvme_pattern "$tag") <(dd if="$img" bs=1M skip="$off" count=4 status=none) 2>&1 | head -n1)
        host_verdict "$s" "$chk" "$rec" "${why:+the 4 MiB at $off MiB of $(basename "$img") are not what the guest wrote: $why}"
    done
    f=$RESULTS/$s/bigbar-region.txt
    if [ -f "$f" ]; then
        read -r tag page rec <"$f"
        got=$(dd if="$BIGBAR_FILE" bs=4096 skip=$(( $(stat -c %s "$BIGBAR_FILE") / 4096 - page )) count=1 status=none | od -An -v -tx4 -N64 | tr -s ' ' '\n' | grep .)
        why=$(diff <(bigbar_words "$page") <(echo "$got") >/dev/null || echo "page $page from the end holds $(echo $got | cut -c1-80)")
        host_verdict "$s" host-bigbar "$rec" "$why"
    fi
    f=$RESULTS/$s/dom0-rom.bin
    if [ -f "$f" ]; then
        why=$( [ -s "$f" ] && cmp -n "$(stat -c %s "$f")" "$f" "$BOCHS_ROM" 2>&1 | head -n1 || echo "dom0 read nothing")
        host_verdict "$s" host-rom "" "${why:+the ROM dom0 read is not $BOCHS_ROM: $why}"
    fi
done
sed -n 's/^[0-9]* \(\(PASS\|FAIL\): .*\)/\1/p' "$EV" >"$VERD"
for c in "${crashes[@]}"; do echo "INFO: e2e: $c; booted again" >>"$RUN/crashes.txt"; done
bad_files=$(grep -c '^BAD' "$RUN/files.txt")
[ "$bad_files" -gt 0 ] && echo "FAIL: e2e/results: $bad_files file(s) corrupted in transfer: $(grep '^BAD' "$RUN/files.txt" | cut -d' ' -f2 | tr '\n' ' ')" >>"$VERD"
case "$BOOT_STATUS" in
done) ;;
timeout) echo "FAIL: e2e/boot: hard time limit (${limit} s) reached before dom0 finished" >>"$VERD" ;;
panic) echo "FAIL: e2e/boot: panic: $(grep -m1 '@@E2E panic' "$EV" | cut -d' ' -f4-)" >>"$VERD" ;;
*) echo "FAIL: e2e/boot: outer QEMU exited early (exit ${QEMU_RC:-?}; $(tail -n1 "$RUN/qemu-stderr.log" 2>/dev/null))" >>"$VERD" ;;
esac
grep -q '@@E2E dom0 ready' "$EV" || echo "FAIL: e2e/dom0: dom0 never reached its shell (see $RUN/console.log)" >>"$VERD"
for s in "${SCEN[@]}"; do
    grep -q "@@E2E $s end" "$EV" || echo "FAIL: $s: did not finish" >>"$VERD"
done
# Each check a scenario that ran must report (expected-checks.txt): one that
# reported neither PASS nor FAIL is a FAIL; an unlisted one an INFO line.
"$E2E_SRC/check-expected.sh" "$E2E_SRC/expected-checks.txt" "$EV" \
    "${SCEN[@]}" >>"$VERD" ||
    echo "FAIL: e2e/expected-checks: check-expected.sh failed" >>"$VERD"

# Timings
ev_t() { awk -v p="$1" 'index($0, p) { print $1; exit }' "$EV"; }
{
    echo "image build: $(fmt_ms "$T_BUILD")"
    t=$(ev_t '@@E2E dom0 ready'); [ -n "$t" ] && echo "boot to dom0 shell (toolstack up): $(fmt_ms "$t")"
    for s in "${SCEN[@]}"; do
        a=$(ev_t "@@E2E $s begin"); b=$(ev_t "@@E2E $s end")
        [ -n "$a" ] && [ -n "$b" ] && echo "scenario $s: $(fmt_ms $(( b - a )))"
    done
    echo "outer QEMU total: $(fmt_ms "$BOOT_MS") ($BOOT_STATUS)"
    echo "run total: $(fmt_ms $(( $(now_ms) - T0 )))"
} >"$RUN/timings.txt"
cp "$RUN/timings.txt" "$RESULTS/timings.txt"

echo
echo "== e2e results (${SCEN[*]}) =="
[ -f "$RUN/crashes.txt" ] && cat "$RUN/crashes.txt"
# guests created once more (dom0/hvm-pt.sh guest_try, retry_keep)
awk '$2 == "@@E2E" && $4 == "guest-retry" {
    printf "INFO: e2e: %s: guest created once more after a %s (evidence: %s/%s/retry-*)\n", $3, $5, res, $3 }' \
    res="$RESULTS" "$EV"
for n in "${NOT_RUN[@]}"; do echo "INFO: e2e: not run on $E2E_RELEASE: ${n%)}"; done
cat "$VERD"
echo "-- times --"
sed 's/^/  /' "$RUN/timings.txt"
echo "-- results in $RESULTS, logs in $RUN"
P=$(grep -c '^PASS: ' "$VERD"); F=$(grep -c '^FAIL: ' "$VERD")
echo "e2e: $P passed, $F failed"
[ "$F" -eq 0 ] && [ "$P" -gt 0 ]
