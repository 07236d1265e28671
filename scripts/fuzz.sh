#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run libFuzzer targets of build-fuzz with the limits `make check` (smoke
# run) and `make fuzz` (long run) share:
#
#   scripts/fuzz.sh SECONDS TARGET...      (TARGET: fuzz-xpf, fuzz-xpv)
#
# Each target starts from its seed corpus, tests/fuzz/corpus/TARGET, copied
# to a scratch directory: the tree is never modified.  FUZZ_CORPUS_OUT=DIR
# keeps each target's final corpus in DIR/TARGET instead of deleting it.
# The log is build-fuzz/TARGET.log.  Per target, the last line printed is
#   TARGET SECONDSs: N runs, cov: C of E edges, ft: F features, corpus: K (seed J)
# (C: edges of the engine, the op core and the target covered; E: edges
# instrumented).  A crash, a broken invariant, a leak or an input over the
# limits prints the log's tail and makes the exit status 1.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

[ $# -ge 2 ] || { echo "usage: $0 SECONDS TARGET..." >&2; exit 2; }
secs=$1
shift
MAX_LEN=8192
RSS_MB=2048
rc=0

for target in "$@"; do
    exe=build-fuzz/tests/fuzz/$target
    seed=tests/fuzz/corpus/$target
    log=build-fuzz/$target.log
    [ -x "$exe" ] || { echo "$target: $exe missing (build build-fuzz)"; rc=1; continue; }
    [ -d "$seed" ] || { echo "$target: no seed corpus $seed"; rc=1; continue; }
    work=$(mktemp -d)
    cp "$seed"/* "$work"/
    nseed=$(find "$seed" -type f | wc -l)
    if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
       "$exe" -max_total_time="$secs" -max_len="$MAX_LEN" \
            -rss_limit_mb="$RSS_MB" -print_final_stats=1 \
            -artifact_prefix="build-fuzz/$target-" "$work" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE ' "$log" | tail -n1)
        cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$done_line")
        ft=$(sed -n 's/.* ft: \([0-9]*\) .*/\1/p' <<<"$done_line")
        edges=$(sed -n 's/^INFO: Loaded [0-9]* modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -n1)
        if [ -z "$runs" ] || [ -z "$cov" ]; then
            tail -n 20 "$log"
            echo "$target: no final statistics in $log"
            rc=1
        else
            echo "$target ${secs}s: $runs runs, cov: $cov of ${edges:-?} edges, ft: $ft features, corpus: $(find "$work" -type f | wc -l) (seed $nseed)"
        fi
    else
        tail -n 40 "$log"
        echo "$target: failed (see $log; the crashing input is named there)"
        rc=1
    fi
    if [ -n "${FUZZ_CORPUS_OUT:-}" ]; then
        mkdir -p "$FUZZ_CORPUS_OUT"
        rm -rf "${FUZZ_CORPUS_OUT:?}/$target"
        mv "$work" "$FUZZ_CORPUS_OUT/$target"
    else
        rm -rf "$work"
    fi
done
exit $rc
