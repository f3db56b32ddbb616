#!/bin/sh
# bench.sh - `make bench`: the harness's speed, side by side, in one
# invocation (issue 12).  Prints each figure, then the ratios.
#
#   naive      the bundled catalog as separate processes per scenario, the
#              way one would script it by hand: `wine regedit /S FILE`,
#              `kmharness probe`, `kmharness fix`, `kmharness probe`,
#              `wine reg delete ...MSExchangeKMS /f` (no files placed, so
#              its outcomes are not the harness's: only its time counts)
#   catalog    `run --jobs 1` and `run --jobs N` on the same catalog
#   generated  `run --jobs 1` and `--jobs N` on COUNTS generated scenarios
#   cold       a prefix that does not exist yet (copied from the template)
#              to the first result: `run` of one scenario
#   requests   wineserver requests per scenario: two runs of generated
#              scenarios under KMHARNESS_WINEDEBUG=+server; the difference
#              of their request counts over the difference of their sizes
#              (so Wine's start-up does not count)
#   machine    the kernel's own round trip between two processes (a byte
#              through two pipes, build/pipe-rtt) on one CPU and across
#              two: it sets the pace of the ~80 round trips of a scenario,
#              so it tells a slower machine from slower code
#   memory     the peak resident memory of the `--jobs N` run of the last
#              count, summed over all its processes (tests/peak-rss.sh;
#              `make bench-100k` measures 100,000 scenarios the same way)
# Every run but the naive one must exit 0 or 1 (a failing scenario is
# shown by the summaries); any other status stops the benchmark.  The machine is shared: the load average is printed before
# and after; compare ratios more than absolutes.
#
# Usage: tests/bench.sh                    (after `make all`; `make bench`)
#        COUNTS="1000" JOBS=3 tests/bench.sh
# Scratch prefixes go to a temporary folder and are deleted at the end;
# the run prefixes are KMHARNESS_PREFIX (default: build/bench-prefix) and
# its -jobK workers, kept between invocations.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
kmh="$root/build/kmharness"
[ -x "$kmh" ] || { echo "bench: build first (make all)" >&2; exit 2; }
jobs=${JOBS:-$(nproc)}
counts=${COUNTS:-1000 10000}
KMHARNESS_PREFIX=${KMHARNESS_PREFIX:-$root/build/bench-prefix}
export KMHARNESS_PREFIX
work=$(mktemp -d "${TMPDIR:-/tmp}/kmh-bench.XXXXXX")
cleanup() {
    for p in "$work"/prefix-*; do
        [ -d "$p" ] && WINEPREFIX=$p wineserver -k 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
catalog=$root/scenarios
ncat=$(find "$catalog" -name '*.reg' | wc -l)

now() { date +%s.%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
# secs START END
secs() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.2f", e - s }'; }
# ratio A B: A / B
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

# timed_run TAG ARGS...: `kmharness run ARGS` into its own database; prints
# the wall time in seconds, and with RSS=FILE set writes the run's peak
# resident memory there (tests/peak-rss.sh).
timed_run() {
    tag=$1; shift
    rm -f "$work/$tag.db"
    s=$(now)
    rc=0
    "$kmh" run --quiet --db "$work/$tag.db" "$@" >"$work/$tag.out" 2>"$work/$tag.err" &
    run=$!
    [ -z "${RSS-}" ] || sh "$root/tests/peak-rss.sh" "$KMHARNESS_PREFIX" "$run" >"$RSS" &
    sampler=$!
    wait "$run" || rc=$?
    e=$(now)
    [ -z "${RSS-}" ] || wait "$sampler"
    # 1 (a scenario failed) is a finding, not a broken benchmark: the
    # summary line is printed with the figure.
    if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
        echo "bench: $tag exited $rc: $(tail -n 1 "$work/$tag.out")" >&2
        tail -n 5 "$work/$tag.err" >&2
        exit "$rc"
    fi
    secs "$s" "$e"
}

echo "kmharness benchmark: $(nproc) CPUs, jobs $jobs, load before $(load), $(git -C "$root" describe --always --dirty 2>/dev/null)"

rtt=$root/build/pipe-rtt
if [ -x "$rtt" ]; then
    echo "machine: pipe round trip $(taskset -c 0 "$rtt") us on one CPU, $("$rtt") us unpinned"
fi

# Warm up: the run prefixes exist and their servers run, as for a user's
# second command.
timed_run warm --jobs "$jobs" --generate "$jobs" >/dev/null

# ---- cold start -------------------------------------------------------------
cold=$(KMHARNESS_PREFIX=$work/prefix-cold timed_run cold "$catalog/clean-sz.reg")
echo "cold start, new prefix from the template to the first result: $cold s"

# ---- the naive pipeline -------------------------------------------------------
naive_prefix=$work/prefix-naive
"$kmh" probe --prefix "$naive_prefix" >/dev/null 2>&1 || true  # made like any prefix of ours
key='HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeKMS'
s=$(now)
for f in $(find "$catalog" -name '*.reg' | sort); do
    WINEPREFIX=$naive_prefix WINEDEBUG=-all wine regedit /S "$f" >/dev/null 2>&1 || true
    "$kmh" probe --prefix "$naive_prefix" >/dev/null 2>&1 || true
    "$kmh" fix --prefix "$naive_prefix" >/dev/null 2>&1 || true
    "$kmh" probe --prefix "$naive_prefix" >/dev/null 2>&1 || true
    WINEPREFIX=$naive_prefix WINEDEBUG=-all wine reg delete "$key" /f >/dev/null 2>&1 || true
done
e=$(now)
naive=$(secs "$s" "$e")
echo "naive pipeline, catalog ($ncat files, 5 processes each): $naive s"

# ---- the catalog ----------------------------------------------------------------
cat1=$(timed_run cat1 --jobs 1 "$catalog")
catn=$(timed_run catn --jobs "$jobs" "$catalog")
echo "run --jobs 1, catalog: $cat1 s ($(tail -n 1 "$work/cat1.out"))"
echo "run --jobs $jobs, catalog: $catn s"

# ---- generated scenarios ------------------------------------------------------
for n in $counts; do
    g1=$(timed_run gen1-$n --jobs 1 --generate "$n" --seed 1)
    gn=$(RSS=$work/rss timed_run genn-$n --jobs "$jobs" --generate "$n" --seed 1)
    echo "run --jobs 1, $n generated: $g1 s, $(ratio "$n" "$g1") scenarios/s ($(tail -n 1 "$work/gen1-$n.out"))"
    echo "run --jobs $jobs, $n generated: $gn s, $(ratio "$n" "$gn") scenarios/s, $(ratio "$g1" "$gn")x --jobs 1 ($(tail -n 1 "$work/genn-$n.out"))"
done

# ---- wineserver requests per scenario ---------------------------------------------
req_prefix=$work/prefix-requests
requests() {  # requests N: the server requests logged by a run of N generated
    log=$req_prefix/kmharness-wine.log
    before=$(grep -c '^[0-9a-f]*: [a-z_0-9]*( ' "$log" 2>/dev/null || true)
    KMHARNESS_PREFIX=$req_prefix KMHARNESS_WINEDEBUG=+server \
        timed_run req-$1 --generate "$1" --seed 1 >/dev/null
    after=$(grep -c '^[0-9a-f]*: [a-z_0-9]*( ' "$log")
    echo $((after - ${before:-0}))
}
r1=$(requests 20)
r2=$(requests 120)
echo "wineserver requests per generated scenario: $(awk -v a="$r1" -v b="$r2" 'BEGIN { printf "%.0f", (b - a) / 100 }')"
read -r peak at <"$work/rss"
echo "peak resident memory of run --jobs $jobs on $n generated, all its processes together: $((peak / 1024)) MB"

echo "ratios: harness vs naive on the catalog $(ratio "$naive" "$cat1")x (--jobs 1), $(ratio "$naive" "$catn")x (--jobs $jobs)"
echo "load after $(load)"
