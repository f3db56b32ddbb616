#!/bin/sh
# shards.sh [N] [COUNT] - proves `run --shard K/N` + `merge` equal one
# unsharded run (issue 8, item 5), as a CI matrix would use them.
#
# The bundled catalog plus COUNT generated scenarios (default 3 and 300)
# run once unsharded in the test prefix, and as N shards: N processes at
# the same time, each on its own prefix (build/shard-prefix-K, made once
# and reused).  Then:
#   - the shards are disjoint and together complete: as many rows as the
#     unsharded run, no NAME twice;
#   - `merge --combine` of the shard databases, compared with the
#     unsharded run by `report --diff`: 0 changed (same scenarios, same
#     verdicts, codes and failed checks);
#   - merging the same shard file twice copies nothing the second time.
# Run by `make check`; exits non-zero on any difference.  Needs a build.
set -eu
n=${1:-3}
count=${2:-300}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
kmh=$root/build/kmharness
# The unsharded run uses the test prefix, never the user's.
KMHARNESS_PREFIX=${KMHARNESS_PREFIX:-$root/build/test-prefix}
export KMHARNESS_PREFIX
work=$(mktemp -d "${TMPDIR:-/tmp}/kmh-shards-XXXXXX")
fail() { echo "shards.sh: $*" >&2; echo "shards.sh: traces kept in $work" >&2; exit 1; }
# A failed run's own words and its prefix's Wine log, into the CI log: the
# scratch folder is gone with the CI machine.
show() {
    echo "shards.sh: the last lines of $1:" >&2; tail -n 5 "$1" >&2 || true
    [ -z "${2-}" ] || { echo "shards.sh: the last lines of $2:" >&2; tail -n 5 "$2" >&2 || true; }
}
rows() { sqlite3 "$1" "select count(*) from outcome where run_id = (select max(id) from run)"; }
set -- "$root/scenarios" --generate "$count" --seed 17 --quiet

cd "$work"
# Exit 1 (a scenario failed) still records the run: only 2 is a failure here.
"$kmh" run --db all.db "$@" >all.txt 2>&1 || [ $? = 1 ] ||
    { show all.txt "$KMHARNESS_PREFIX/kmharness-wine.log"; fail "unsharded run: see all.txt"; }

k=1 pids=
while [ "$k" -le "$n" ]; do
    "$kmh" run --prefix "$root/build/shard-prefix-$k" --db "shard-$k.db" --shard "$k/$n" "$@" \
        >"shard-$k.txt" 2>&1 &
    pids="$pids $!"
    k=$((k + 1))
done
k=1
for pid in $pids; do
    wait "$pid" || [ $? = 1 ] ||
        { show "shard-$k.txt" "$root/build/shard-prefix-$k/kmharness-wine.log"; fail "shard $k/$n: see shard-$k.txt"; }
    k=$((k + 1))
done

total=0 dbs=
k=1
while [ "$k" -le "$n" ]; do
    total=$((total + $(rows "shard-$k.db")))
    dbs="$dbs shard-$k.db"
    k=$((k + 1))
done
[ "$total" = "$(rows all.db)" ] || fail "shards hold $total rows, the unsharded run $(rows all.db)"

"$kmh" merge --combine merged.db $dbs >merge.txt 2>&1 || fail "merge: see merge.txt"
dups=$(sqlite3 merged.db "select count(*) - count(distinct scenario) from outcome
                           where run_id = (select max(id) from run)")
[ "$dups" = 0 ] || fail "$dups scenarios ran in two shards"
"$kmh" report --diff all.db merged.db >diff.txt 2>&1 || fail "merged != unsharded: see diff.txt"
[ "$(tail -n 1 diff.txt)" = "0 changed, 0 regressions" ] || fail "merged != unsharded: see diff.txt"

"$kmh" merge kept.db shard-1.db >/dev/null 2>&1 || fail "merge of shard 1"
again=$("$kmh" merge kept.db shard-1.db 2>&1) || fail "second merge of shard 1"
case $again in *"merged 0 runs"*"(1 already there)"*) ;; *) fail "merged twice: $again" ;; esac

echo "shards.sh: $n shards of $(rows all.db) scenarios merged equal the unsharded run"
cd / && rm -rf "$work"
