#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The standalone build's unit test programs, as meson registered them (every
# TAP test of the top-level meson.build), one path per line relative to the
# build directory: the one list make check and release-core.sh run, so a
# new test program is run everywhere once meson knows it.
#
#   scripts/unit-tests.sh BUILDDIR       (introspects BUILDDIR)
#   scripts/unit-tests.sh - BUILDDIR     (reads `meson introspect BUILDDIR
#                                         --tests` on stdin, e.g. from a root)
set -euo pipefail
if [ "$1" = - ]; then
    dir=$2
    json=$(cat)
else
    dir=$1
    json=$(meson introspect "$dir" --tests)
fi
python3 -c '
import json, os, sys
dir = os.path.abspath(sys.argv[1])
tests = [t for t in json.loads(sys.stdin.read()) if t.get("protocol") == "tap"]
if not tests:
    sys.exit("unit-tests.sh: meson lists no TAP test in " + dir)
for t in tests:
    exe = os.path.normpath(t["cmd"][0])
    if not exe.startswith(dir + os.sep):
        sys.exit("unit-tests.sh: %s is outside %s" % (exe, dir))
    print(os.path.relpath(exe, dir))
' "$dir" <<<"$json"
