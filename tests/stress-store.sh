#!/bin/sh
# stress-store.sh [N] - runs the store's unit tests N times in a row
# (default 200) and counts the runs that failed.
#
# By hand, not in `make check`: test_store's multi-process tests race
# several writers on one new database file; one pass proves little, N
# passes in a row show the race is gone.  Build first with
# `make build/tests/unit/test_store`.  Exits non-zero if any run failed;
# the output of the first failed run is kept in build/stress-store.log.
set -u
n=${1:-200}
here=$(dirname "$0")
prog=$here/../build/tests/unit/test_store
log=$here/../build/stress-store.log
[ -x "$prog" ] || { echo "stress-store.sh: build $prog first" >&2; exit 2; }
# A private copy: a rebuild while this runs must not count as failures.
copy=$(mktemp "$here/../build/.stress-test_store.XXXXXX") && cp "$prog" "$copy" && chmod +x "$copy" || exit 2
trap 'rm -f "$copy"' EXIT
prog=$copy
failed=0
i=0
while [ "$i" -lt "$n" ]; do
    i=$((i + 1))
    if ! out=$("$prog" 2>&1); then
        [ "$failed" = 0 ] && printf '%s\n' "$out" >"$log"
        failed=$((failed + 1))
    fi
done
echo "test_store: $((n - failed)) of $n runs passed"
[ "$failed" = 0 ] || { echo "first failure: $log"; exit 1; }
