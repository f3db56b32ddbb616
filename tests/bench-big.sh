#!/bin/sh
# bench-big.sh - the cost of big scenarios: applying and undoing must grow
# linearly with a scenario's size (issue 7, item 7).
#
# Writes scenarios of N values or N keys into a scratch folder, runs each
# alone (`kmharness run`), and prints per scenario the wall time, the time
# inside the runner (set-up, probes, fix, checks: the database's
# elapsed_ms) and the rest, which is undoing it plus Wine's start-up (an
# empty scenario shows the start-up alone). The shapes:
#   service-values  N values in the service key (created by the scenario:
#                   one journal entry; the checks read every value)
#   existing-values N values added to a key that exists at the baseline
#                   (HKLM\Software\Microsoft): one journal entry per value
#   service-keys    N subkeys of the service key, one value each
#   existing-keys   N keys made below HKLM\Software: one journal entry each
#   deleted-tree    [-KEY] of a vendor key that holds N keys and values
#                   (imported into the prefix beforehand with regedit, nine
#                   values a key): copied into the journal, deleted, copied
#                   back; past the cap (harness/regapply.h) the run must
#                   refuse it (exit 2), and the time is what refusing costs
# Every other run must pass; any other exit status stops the benchmark.
#
# Usage: tests/bench-big.sh                 (after `make all`; `make bench-big`)
#        VALUES="1000 10000" KEYS="2000" TREES="5000" tests/bench-big.sh
# KMHARNESS_PREFIX chooses the Wine prefix, as for build/kmharness.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
harness="$root/build/kmharness"
[ -x "$harness" ] || { echo "bench-big: build first (make all)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kmh-bench-big.XXXXXX")
crlf=$(printf '\r')

now() { date +%s.%N; }

# scenario NAME: a header; the body comes from stdin.
scenario() {
    { printf 'REGEDIT4\r\n; @file: none\r\n'; cat; } >"$work/$1.reg"
}

values() {  # N KEY
    awk -v n="$1" -v k="$2" -v cr="$crlf" 'BEGIN {
        printf "[HKEY_LOCAL_MACHINE\\%s]%s\n", k, cr
        for (i = 0; i < n; i++) printf "\"v%06d\"=\"value %d\"%s\n", i, i, cr }'
}

keys() {  # N PARENT
    awk -v n="$1" -v p="$2" -v cr="$crlf" 'BEGIN {
        for (i = 0; i < n; i++)
            printf "[HKEY_LOCAL_MACHINE\\%s\\k%06d]%s\n\"v\"=dword:00000001%s\n", p, i, cr, cr }'
}

# run NAME [STATUS]: runs it, which must exit STATUS (default 0); prints
# "wall inner" in seconds (inner 0 when the scenario was refused).
run() {
    db="$work/$1.db"
    start=$(now)
    rc=0
    "$harness" run --db "$db" "$work/$1.reg" >"$work/out" 2>"$work/err" || rc=$?
    end=$(now)
    if [ "$rc" != "${2:-0}" ]; then
        echo "bench-big: $1 exited $rc: $(tail -n 1 "$work/out")" >&2
        tail -n 5 "$work/err" >&2
        exit 1
    fi
    inner=$(sqlite3 "$db" "SELECT coalesce(sum(elapsed_ms), 0) / 1000.0 FROM scenario_result")
    echo "$start $end $inner" | awk '{ printf "%.2f %.2f\n", $2 - $1, $3 }'
}

# report SHAPE SIZE NAME [STATUS]: one line of the table.
report() {
    set -- "$1" "$2" $(run "$3" "${4:-0}")
    awk -v s="$1" -v n="$2" -v w="$3" -v i="$4" \
        'BEGIN { printf "%-16s %8d %8.2fs %8.2fs %8.2fs\n", s, n, w, i, w - i }'
}

# The prefix the harness uses, for regedit (as harness/kmharness.sh finds it).
prefix=${KMHARNESS_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/kmharness/prefix}
wine_in_prefix() {
    WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml=;winedbg.exe=d' wine "$@"
}
tree_key='SOFTWARE\kmh-bench-tree'
trap 'rm -rf "$work"; wine_in_prefix reg delete "HKLM\\$tree_key" /f >/dev/null 2>&1' EXIT

# tree N: import a key holding N keys and values (rounded down to a key of
# nine values) into the prefix; prints the exact count.
tree() {
    awk -v n="$1" -v k="$tree_key" -v cr="$crlf" 'BEGIN {
        printf "REGEDIT4%s\n[HKEY_LOCAL_MACHINE\\%s]%s\n", cr, k, cr
        for (i = 0; i < int((n - 1) / 10); i++) {
            printf "[HKEY_LOCAL_MACHINE\\%s\\k%06d]%s\n", k, i, cr
            for (v = 0; v < 9; v++) printf "\"v%d\"=dword:%08x%s\n", v, i, cr
        } }' >"$work/tree.reg"
    wine_in_prefix regedit /S "$(wine_in_prefix winepath -w "$work/tree.reg")"
    echo $((1 + (($1 - 1) / 10) * 10))
}

service='SYSTEM\CurrentControlSet\Services\MSExchangeKMS'
echo "kmharness big-scenario benchmark: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wall: the whole command; runner: applying, probes, fix, checks;"
echo "rest: undoing, plus Wine's start-up (the empty scenario's rest)"
printf '%-16s %8s %9s %9s %9s\n' shape size wall runner rest
printf '' | scenario empty
report empty 0 empty
for n in ${VALUES:-1000 10000 50000}; do
    values "$n" "$service" | scenario "sv$n"
    report service-values "$n" "sv$n"
    values "$n" 'Software\Microsoft' | scenario "ev$n"
    report existing-values "$n" "ev$n"
done
for n in ${KEYS:-20000}; do
    keys "$n" "$service" | scenario "sk$n"
    report service-keys "$n" "sk$n"
    keys "$n" 'Software' | scenario "ek$n"
    report existing-keys "$n" "ek$n"
done
cap=$(sed -n 's/^#define REGAPPLY_COPY_CAP \([0-9]*\)$/\1/p' "$root/harness/regapply.h")
for n in ${TREES:-1000 5000 $cap 20000}; do
    size=$(tree "$n")
    printf '[-HKEY_LOCAL_MACHINE\\%s]\r\n' "$tree_key" | scenario "dt$n"
    if [ "$size" -gt "$cap" ]; then
        report "refused-tree" "$size" "dt$n" 2
    else
        report "deleted-tree" "$size" "dt$n"
    fi
    wine_in_prefix reg delete "HKLM\\$tree_key" /f >/dev/null 2>&1
done
