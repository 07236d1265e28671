#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The checks a scenario must report, against those it reported:
#
#   tests/e2e/check-expected.sh EXPECTED EVENTS SCENARIO...
#
# EXPECTED: tests/e2e/expected-checks.txt ("SCENARIO CHECK [fail-only]");
# EVENTS: a run's events.log ("<ms> PASS: s/check", "<ms> FAIL: s/check: why",
# "<ms> @@E2E s begin ..."); SCENARIO...: the scenarios the run asked for
# (dom0 is always one); E2E_RELEASE the bed's Debian release (a check marked
# "only=RELEASE" is required only there; E2E_BENCH=1: a benchmark boot,
# whose checks marked "boot=bench" are required, else those marked
# "boot=check").  For each asked scenario that ran (its begin marker,
# dom0: "@@E2E dom0 init"), prints
#   FAIL: SCENARIO/CHECK: never reported (tests/e2e/expected-checks.txt)
# for each required check it reported neither as PASS nor as FAIL, and
#   INFO: e2e: SCENARIO/CHECK reported, not in tests/e2e/expected-checks.txt
# for each check it reported that the list does not know.  Prints nothing
# else; exit status 0 unless its arguments are unusable.
set -uo pipefail

if [ $# -lt 2 ] || [ ! -r "$1" ] || [ ! -r "$2" ]; then
    echo "usage: $0 EXPECTED EVENTS SCENARIO..." >&2
    exit 2
fi
expected=$1 events=$2
shift 2

boot=check
[ "${E2E_BENCH:-0}" = 1 ] && boot=bench
awk -v asked="dom0 $*" -v release="${E2E_RELEASE:-bookworm}" -v boot="$boot" '
    BEGIN {
        n = split(asked, a, " ")
        for (i = 1; i <= n; i++) want[a[i]] = 1
    }
    FNR == NR {
        sub(/#.*/, "")
        if (NF < 2) next
        known[$1 "/" $2] = 1
        if ($3 == "fail-only") next
        if ($3 ~ /^only=/ && substr($3, 6) != release) next
        if ($3 ~ /^boot=/ && substr($3, 6) != boot) next
        req[++nreq] = $1 "/" $2; scen[nreq] = $1
        next
    }
    / @@E2E [^ ]+ begin/ { ran[$3] = 1; next }
    / @@E2E dom0 init/ { ran["dom0"] = 1; next }
    $2 == "PASS:" || $2 == "FAIL:" {
        name = $0
        sub(/^[0-9]+ (PASS|FAIL): /, "", name)
        if ($2 == "FAIL:") sub(/: .*/, "", name)
        if (index(name, "/") == 0) next     # a scenario-wide verdict
        s = substr(name, 1, index(name, "/") - 1)
        if (!(s in want)) next
        if (!(name in seen)) order[++nseen] = name
        seen[name] = 1
    }
    END {
        for (i = 1; i <= nreq; i++) {
            if ((scen[i] in ran) && !(req[i] in seen)) {
                printf "FAIL: %s: never reported (tests/e2e/expected-checks.txt)\n", req[i]
            }
        }
        for (i = 1; i <= nseen; i++) {
            if (!(order[i] in known)) {
                printf "INFO: e2e: %s reported, not in tests/e2e/expected-checks.txt\n", order[i]
            }
        }
    }
' "$expected" "$events"
