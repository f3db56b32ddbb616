#!/bin/sh
# bench-generate.sh - throughput of generated scenarios, end to end.
#
# Runs `kmharness run --generate N --seed S` for each N in COUNTS (default
# "1000 10000") into a scratch database and prints, per run, the wall time
# (Wine start-up included), scenarios per second, and the mean time per
# scenario measured inside the runner (set-up to checks, from the
# database's elapsed_ms).  Every run must pass: any other exit status stops
# the benchmark with that status.
#
# Usage: tests/bench-generate.sh            (after `make all`)
#        COUNTS="300" SEED=7 tests/bench-generate.sh
# KMHARNESS_PREFIX chooses the Wine prefix, as for build/kmharness.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
harness="$root/build/kmharness"
[ -x "$harness" ] || { echo "bench-generate: build first (make all)" >&2; exit 2; }
seed=${SEED:-1}
work=$(mktemp -d "${TMPDIR:-/tmp}/kmh-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }

echo "kmharness generated-scenario benchmark: seed $seed, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in ${COUNTS:-1000 10000}; do
    db="$work/bench-$n.db"
    start=$(now)
    rc=0
    "$harness" run --generate "$n" --seed "$seed" --db "$db" >"$work/out" 2>"$work/err" || rc=$?
    end=$(now)
    if [ "$rc" != 0 ]; then
        echo "bench-generate: run of $n exited $rc: $(tail -n 1 "$work/out")" >&2
        tail -n 5 "$work/err" >&2
        exit "$rc"
    fi
    inner=
    if command -v sqlite3 >/dev/null; then
        inner=$(sqlite3 "$db" "SELECT printf('%.1f', avg(elapsed_ms)) FROM scenario_result")
        inner=", $inner ms/scenario inside the runner"
    fi
    awk -v n="$n" -v s="$start" -v e="$end" -v sum="$(tail -n 1 "$work/out")" -v inner="$inner" \
        'BEGIN { t = e - s; printf "%6d scenarios: %7.1f s, %6.1f scenarios/s (%s%s)\n", n, t, n / t, sum, inner }'
done
