#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `make bench`: the engine benchmark, release build, plus instructions per
# guest access counted by callgrind.  Prints figures; asserts nothing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -f build-bench/build.ninja ] ||
    meson setup build-bench -Dbuildtype=release -Db_ndebug=true >/dev/null
ninja -C build-bench bench/bench-xpf >/dev/null
echo "== bench-xpf (release build, $(nproc) cores)"
build-bench/bench/bench-xpf
echo
echo "== instructions per guest access (valgrind --tool=callgrind)"
out=$(mktemp)
acc=$(valgrind --tool=callgrind --callgrind-out-file="$out" \
        --toggle-collect='bench_loop*' build-bench/bench/bench-xpf --callgrind \
        2>/dev/null | awk '/^accesses/ { print $2 }')
ir=$(awk '/^(summary|totals):/ { print $2 }' "$out" | tail -n 1)
rm -f "$out"
awk -v ir="$ir" -v acc="$acc" 'BEGIN {
    printf "%d instructions over %d guest accesses: %.1f per access\n",
           ir, acc, ir / acc }'
