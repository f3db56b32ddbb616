#!/bin/sh
# run-tests.sh KIND TEST... - runs cmocka test programs and sums them up.
#
# KIND is unit (native programs), wine (winelib programs, started through
# build/kmharness so they run in the private test prefix) or integration.
# cmocka prints its own summary per program; this adds one closing line
# over all of them, "N passed, N failed", and exits non-zero on any failure.
set -u
kind=$1; shift
here=$(dirname "$0")
launcher=$(readlink -f "$here/../build/kmharness")
passed=0 failed=0 broken=0
for t in "$@"; do
    out=$(mktemp)
    case $kind in
        wine) KMHARNESS_EXE=$(readlink -f "$t") "$launcher" >"$out" 2>&1; rc=$? ;;
        *)    "$t" >"$out" 2>&1; rc=$? ;;
    esac
    cat "$out"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
    rm -f "$out"
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    # A program that crashed or printed no summary counts as one failure.
    if [ "$rc" != 0 ] && [ -z "$f" ]; then broken=$((broken + 1)); echo "$t: exit status $rc"; fi
done
failed=$((failed + broken))
echo "$kind: $passed passed, $failed failed"
[ "$failed" = 0 ]
