#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `make check`: every test of the overlay, from a fresh machine.
#   1. host set-up (apt sources, build dependencies); then, in the
#      background while the foreground compiles, the downloads: the QEMU
#      tarball, the Debian 13 and 12 build roots, the e2e beds' packages
#   2. standalone engine build + unit and fixture tests on this machine
#   3. the same tests under ASan+UBSan
#   4. fuzz smoke of both targets (libFuzzer, clang, ASan+UBSan, the engine
#      and the op core instrumented for coverage), FUZZ_SECONDS each
#      (default 45), each from its seed corpus in tests/fuzz/corpus
#   5. the standalone tests in a Debian 13 (trixie) build root
#      (scripts/release-core.sh: its gcc, glib and Xen 4.20 headers)
#   6. the QEMU build with the engine compiled in, and our qtests; the
#      same QEMU built against Debian 13's libraries (Xen 4.20) in the
#      trixie build root (scripts/release-qemu.sh), started there
#   7. Debian packages of the device model for Debian 12 and 13 (make deb:
#      dpkg-buildpackage in each release's root, lintian, apt install into
#      a clean system of the release and a start there); ccache serves
#      each package build from the same release's build before it (the
#      same compiler commands: scripts/qemu-pin.sh, debian/rules)
#   8. the end-to-end scenarios on real Xen nested under QEMU TCG
#      (tests/e2e/run.sh: one boot per release, every scenario; each
#      PASS/FAIL counts), with the release's package unpacked in dom0; the
#      machine to itself (the background fetches are waited for first)
# Prints each part's wall time as it ends, all of them and the total at
# the end.
# Ends with one line "check: N passed, M failed, K skipped".
#
# What counts: each test case of the TAP programs, each fuzz run, the
# checkpatch run and each e2e verdict.  Set-up steps (host set-up, the
# builds, the QEMU build, the engine linked into it) print "setup ok:" and
# are not counted as passes; one that fails counts as a failure.  A test
# that reports "ok ... # SKIP" is counted as skipped, never as passed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

passed=0
failed=0
skipped=0
FUZZ_SECONDS=${FUZZ_SECONDS:-45}

# Each part of the run is timed: say() ends the part before it (its wall
# time printed as it ends) and starts the next; finish() prints them all
# and the total.
T_START=$(date +%s)
part_name=
part_t0=
part_times=()
part_end() {
    [ -n "$part_name" ] || return 0
    local s=$(( $(date +%s) - part_t0 ))
    part_times+=("$(printf '%5d s  %2d min %02d s  %s' "$s" $((s / 60)) $((s % 60)) "$part_name")")
    printf -- '--- time: %d s (%d min %02d s): %s\n' "$s" $((s / 60)) $((s % 60)) "$part_name"
    part_name=
}
say() {
    part_end
    part_name=$*
    part_t0=$(date +%s)
    printf '\n=== %s\n' "$*"
}
pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }
# A set-up step that worked: shown, not counted (its failure is a FAIL).
setup_ok() { printf 'setup ok: %s\n' "$*"; }
finish() {
    local t
    part_end
    t=$(( $(date +%s) - T_START ))
    echo
    echo "=== wall time of each part"
    printf '%s\n' "${part_times[@]}"
    printf 'total: %d s (%d min %02d s)\n' "$t" $((t / 60)) $((t % 60))
    echo
    echo "check: $passed passed, $failed failed, $skipped skipped"
    [ "$failed" = 0 ]
    exit $?
}

# Run TAP test programs, counting each test case: "ok" passed, "ok ...
# # SKIP" skipped (not passed), "not ok" failed.  A program that exits
# non-zero, reports fewer cases than its plan ("1..N") or passes none is
# one more failure.
run_tap() {
    local label=$1 exe out rc ok nok skip plan
    shift
    for exe in "$@"; do
        out=$("$exe" --tap 2>&1)
        rc=$?
        skip=$(grep -cE '^ok [0-9]+ .*# SKIP' <<<"$out")
        ok=$(( $(grep -c '^ok ' <<<"$out") - skip ))
        nok=$(grep -c '^not ok ' <<<"$out")
        plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' <<<"$out" | tail -n1)
        passed=$((passed + ok))
        failed=$((failed + nok))
        skipped=$((skipped + skip))
        if [ $rc != 0 ] || [ "$nok" != 0 ] || [ "$ok" = 0 ] ||
           [ "${plan:-x}" != $((ok + nok + skip)) ]; then
            [ "$nok" = 0 ] && failed=$((failed + 1))
            grep -vE '^(ok |# )' <<<"$out" | tail -n 20
            echo "FAIL: $label $(basename "$exe") (exit $rc, plan ${plan:-none}, $ok passed, $nok failed, $skip skipped)"
        else
            echo "PASS: $label $(basename "$exe"): $ok passed, $skip skipped"
        fi
        grep -E '^ok [0-9]+ .*# SKIP' <<<"$out" | sed "s/^/  $label: /"
    done
}

# unit_tests LABEL BUILDDIR: every TAP test program meson registered in
# BUILDDIR (scripts/unit-tests.sh), none left out by a list kept here.
unit_tests() {
    local label=$1 dir=$2 list
    if ! list=$(scripts/unit-tests.sh "$dir"); then
        fail "$label: the unit test programs of $dir (scripts/unit-tests.sh)"
        return
    fi
    # shellcheck disable=SC2046
    run_tap "$label" $(sed "s|^|$dir/|" <<<"$list")
}

# run_cases LABEL CMD...: a script printing "ok: ..." / "not ok: ..." per
# case; each counts, and a script that prints none or fails without a
# "not ok" is one more failure.
run_cases() {
    local label=$1 out rc n; shift
    out=$("$@" 2>&1)
    rc=$?
    n=$(grep -cE '^(not )?ok: ' <<<"$out")
    while IFS= read -r l; do
        case "$l" in
        "ok: "*) pass "$label: ${l#ok: }" ;;
        "not ok: "*) fail "$label: ${l#not ok: }" ;;
        esac
    done <<<"$out"
    if [ "$n" = 0 ] || { [ "$rc" != 0 ] && ! grep -q '^not ok: ' <<<"$out"; }; then
        tail -n 20 <<<"$out"
        fail "$label: $* (exit $rc, $n cases)"
    fi
}

meson_build() {
    local dir=$1
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 ||
            { cat "$dir.setup.log"; return 1; }
    fi
    ninja -C "$dir" >"$dir.build.log" 2>&1 ||
        { tail -n 40 "$dir.build.log"; return 1; }
}

# The end-to-end suite: its verdict lines count one by one; a run that ends
# without its summary (boot limit, a script error) is one more failure.
run_e2e() {
    local log=build/e2e-check${E2E_RELEASE:+-$E2E_RELEASE}.log rc verd ok nok
    tests/e2e/run.sh 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    verd=$(awk '/^== e2e results/ { on = 1; next } /^-- times --/ { on = 0 } on' "$log")
    ok=$(grep -c '^PASS: ' <<<"$verd")
    nok=$(grep -c '^FAIL: ' <<<"$verd")
    passed=$((passed + ok))
    failed=$((failed + nok))
    if ! grep -q '^e2e: [0-9]* passed' "$log"; then
        fail "e2e: no summary from tests/e2e/run.sh (exit $rc, see $log)"
    elif [ "$rc" != 0 ] && [ "$nok" = 0 ]; then
        fail "e2e: tests/e2e/run.sh exit $rc without a FAIL line"
    else
        echo "e2e: $ok passed, $nok failed (counted above)"
    fi
}

# Per release: the stubdomain image (stubdom/build.sh, set-up), the
# package build with it (set-up), lintian of that release (a check: its
# errors fail) and the install into a clean system of it with the device
# model started there (a check).
deb_checks() {
    local rel stub
    for rel in bookworm trixie; do
        stub=$top/build/stubdom
        [ "$rel" = bookworm ] || stub=$stub-$rel
        if E2E_RELEASE=$rel stubdom/build.sh >"$stub.check.log" 2>&1; then
            setup_ok "stubdomain image ($rel): ${stub#"$top"/}"
        else
            tail -n 20 "$stub.check.log"
            fail "stubdomain image for $rel (stubdom/build.sh)"
            continue
        fi
        if ! DEB_STUBDOM=$stub scripts/deb.sh build "$rel"; then
            fail "Debian package for $rel: build"
            continue
        fi
        setup_ok "Debian package for $rel: $(ls -t build/deb/$rel/qemu-xenpt_*_amd64.deb | head -n1)"
        if scripts/deb.sh lint "$rel"; then
            pass "lintian ($rel) on the $rel package: no errors"
        else
            fail "lintian ($rel) on the $rel package"
        fi
        if scripts/deb.sh install "$rel"; then
            pass "$rel package: apt installs it into a clean $rel system, the device model starts there (both devices, Debian's data files found)"
        else
            fail "$rel package: install into a clean $rel system"
        fi
    done
}

say "host set-up"
if scripts/setup-host.sh; then setup_ok "host set-up"; else fail "host set-up"; finish; fi

# What only downloads and unpacks runs in the background while the
# compilers run in the foreground: the QEMU tarball, both build roots
# (trixie's first: the standalone tests in it come after the fuzz smoke),
# the packages of both end-to-end beds. Each of these steps takes a lock,
# so a foreground step that needs one waits for it or, should the
# background have failed, does it again itself (its failure then counts).
mkdir -p build
(
    set -e
    scripts/fetch-qemu.sh >/dev/null
    scripts/release-root.sh trixie >/dev/null
    scripts/release-root.sh bookworm >/dev/null
    E2E_FETCH_ONLY=1 E2E_RELEASE=bookworm tests/e2e/run.sh
    E2E_FETCH_ONLY=1 E2E_RELEASE=trixie tests/e2e/run.sh
) >build/prefetch.log 2>&1 &
prefetch_pid=$!
setup_ok "background fetches started (build/prefetch.log)"
prefetch_wait() {
    local t0 rc
    [ -n "$prefetch_pid" ] || return 0
    t0=$(date +%s)
    wait "$prefetch_pid"
    rc=$?
    prefetch_pid=
    if [ "$rc" = 0 ]; then
        setup_ok "background fetches done (waited $(( $(date +%s) - t0 )) s for them)"
    else
        tail -n 20 build/prefetch.log
        echo "note: a background fetch failed (exit $rc, build/prefetch.log): the steps that need it fetch again themselves"
    fi
}

say "standalone engine (build-core)"
if meson_build build-core; then
    setup_ok "build-core"
    unit_tests core build-core
else
    fail "build-core"
fi

say "standalone engine under ASan+UBSan (build-asan)"
if meson_build build-asan -Db_sanitize=address,undefined -Db_lundef=false \
        -Dbuildtype=debug; then
    setup_ok "build-asan"
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ASAN_OPTIONS=detect_leaks=1 \
        unit_tests asan build-asan
else
    fail "build-asan"
fi

say "fuzz smoke, ${FUZZ_SECONDS}s each from the seed corpus (build-fuzz)"
if CC=clang meson_build build-fuzz -Dfuzz=true \
        -Db_sanitize=address,undefined -Db_lundef=false; then
    setup_ok "build-fuzz"
    # Same limits as `make fuzz` (scripts/fuzz.sh); its last line is the
    # verdict: runs, covered edges and features. The two targets side by
    # side, one per core (each fuzzer is one process).
    fuzz_targets=(fuzz-xpf fuzz-xpv)
    fuzz_pids=()
    for target in "${fuzz_targets[@]}"; do
        scripts/fuzz.sh "$FUZZ_SECONDS" "$target" >"build-fuzz/$target.smoke" 2>&1 &
        fuzz_pids+=("$!")
    done
    for i in "${!fuzz_targets[@]}"; do
        target=${fuzz_targets[i]}
        if wait "${fuzz_pids[i]}"; then
            pass "$(tail -n1 "build-fuzz/$target.smoke")"
        else
            tail -n 40 "build-fuzz/$target.smoke"
            fail "$target (log: build-fuzz/$target.log)"
        fi
    done
else
    fail "build-fuzz"
fi

say "standalone engine with Debian 13's toolchain and libraries (trixie build root)"
if scripts/release-core.sh trixie; then
    setup_ok "trixie build root, build-core in it"
    run_tap trixie $(sed 's|^|build/core-trixie/|' build/core-trixie/tests.txt)
else
    fail "trixie build-core"
fi

QTESTS=(xen-pt-test)
say "QEMU 10.0.13 with the overlay (build/qemu)"
if XENPT_EXTRA_TARGETS="${QTESTS[*]/#/tests/qtest/}" scripts/prepare-qemu.sh; then
    setup_ok "QEMU build: build/qemu-system-x86_64"
    if nm build/qemu/qemu-system-x86_64 | grep ' T xpf_device_new$' >/dev/null; then
        setup_ok "engine linked into the device model"
    else
        fail "engine symbols missing from the device model"
    fi
    # QEMU's style checker over every C file we own.
    cp_out=$(git ls-files -co --exclude-standard -- '*.c' '*.h' |
        xargs perl build/qemu-src/scripts/checkpatch.pl --no-tree -f 2>&1)
    if grep -qE '^(ERROR|WARNING):' <<<"$cp_out"; then
        grep -E -A3 '^(ERROR|WARNING):' <<<"$cp_out" | head -n 40
        fail "checkpatch.pl on our C files"
    else
        pass "checkpatch.pl on our C files"
    fi
    say "qtests (pc machine, qtest accelerator, fake host functions)"
    cd build/qemu
    QTEST_QEMU_BINARY=./qemu-system-x86_64 \
    XPT_FIXTURES="$top/tests/fixtures/pci" \
        run_tap qtest "${QTESTS[@]/#/./tests/qtest/}"
    cd "$top"
    say "the same QEMU against Debian 13's libraries, Xen 4.20 (build/qemu-trixie)"
    if scripts/release-qemu.sh trixie; then
        setup_ok "QEMU build: build/qemu-trixie/qemu-system-x86_64"
        # It runs in trixie, linked to Xen 4.20's libxenctrl, and offers
        # both devices (their own properties listed).
        t_out=$(scripts/release-qemu.sh trixie run sh -c '
            q=/src/pkg/src/qemu-build/qemu-system-x86_64
            ldd $q | grep "libxenctrl.so.4.20 => /"
            $q -device xen-pci-passthrough,help | grep "hostaddr="
            $q -device xen-pciback-pv,help | grep "hosts="' 2>/dev/null)
        if [ "$(grep -c . <<<"$t_out")" = 3 ]; then
            pass "trixie device model: Xen 4.20 libxenctrl, xen-pci-passthrough and xen-pciback-pv offered"
        else
            echo "$t_out"
            fail "trixie device model: not linked to libxenctrl 4.20 or a device missing"
        fi
    else
        fail "QEMU build against trixie's libraries"
    fi
    say "Debian packages (make deb): built in each release's root, lintian, apt install"
    deb_checks
    run_cases "install-stubdom" scripts/test-install-stubdom.sh
    run_cases "examples" scripts/test-examples.sh
    prefetch_wait
    # (after the prefetch: it fetches the other release's apt lists)
    run_cases "host-release" scripts/test-host-release.sh
    say "end-to-end: real Xen 4.17 nested under QEMU TCG (tests/e2e, Debian 12, our Debian 12 package in dom0)"
    E2E_RELEASE=bookworm \
    E2E_OURS_DEB=$(ls -t build/deb/bookworm/qemu-xenpt_*_amd64.deb 2>/dev/null | head -n1) run_e2e
    say "end-to-end: real Xen 4.20 nested under QEMU TCG (tests/e2e, Debian 13, our Debian 13 package in dom0)"
    E2E_RELEASE=trixie \
    E2E_OURS_DEB=$(ls -t build/deb/trixie/qemu-xenpt_*_amd64.deb 2>/dev/null | head -n1) run_e2e
else
    fail "QEMU build"
fi
prefetch_wait

finish
