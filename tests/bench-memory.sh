#!/bin/sh
# bench-memory.sh - `make bench-100k`: one big run, its speed and its peak
# resident memory summed over all its processes (tests/peak-rss.sh), to
# show what grows with the number of scenarios (issue 12: 100,000 in under
# 200 MB).  The machine is shared: the load average is printed before and
# after.
#
# Usage: tests/bench-memory.sh            (after `make all`)
#        COUNT=20000 JOBS=2 tests/bench-memory.sh
# The run's prefixes are KMHARNESS_PREFIX (default: build/bench-prefix) and
# its -jobK workers, as for tests/bench.sh; the database is a scratch file.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
kmh="$root/build/kmharness"
[ -x "$kmh" ] || { echo "bench-memory: build first (make all)" >&2; exit 2; }
count=${COUNT:-100000}
jobs=${JOBS:-$(nproc)}
KMHARNESS_PREFIX=${KMHARNESS_PREFIX:-$root/build/bench-prefix}
export KMHARNESS_PREFIX
work=$(mktemp -d "${TMPDIR:-/tmp}/kmh-bench-memory.XXXXXX")
trap 'rm -rf "$work"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "kmharness memory benchmark: $(nproc) CPUs, jobs $jobs, $count generated, load before $(load), $(git -C "$root" describe --always --dirty 2>/dev/null)"
"$kmh" run --quiet --db "$work/warm.db" --jobs "$jobs" --generate "$jobs" >/dev/null || [ $? = 1 ]
s=$(date +%s.%N)
"$kmh" run --quiet --db "$work/run.db" --jobs "$jobs" --generate "$count" --seed 1 \
    >"$work/out" 2>"$work/err" &
run=$!
sh "$root/tests/peak-rss.sh" "$KMHARNESS_PREFIX" "$run" >"$work/rss" &
sampler=$!
rc=0
wait "$run" || rc=$?
e=$(date +%s.%N)
wait "$sampler"
if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
    echo "bench-memory: the run exited $rc: $(tail -n 1 "$work/out")" >&2
    tail -n 5 "$work/err" >&2
    exit "$rc"
fi
awk -v n="$count" -v s="$s" -v e="$e" -v j="$jobs" -v sum="$(tail -n 1 "$work/out")" 'BEGIN {
    printf "run --jobs %d, %d generated: %.1f s, %.0f scenarios/s (%s)\n", j, n, e - s, n / (e - s), sum }'
read -r peak at <"$work/rss"
echo "peak resident memory, all processes of the run together: $((peak / 1024)) MB (per process at the peak, kB:$at)"
echo "load after $(load)"
