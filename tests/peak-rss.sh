#!/bin/sh
# peak-rss.sh PREFIX PID - the peak resident memory of one kmharness run,
# summed over all of its processes, sampled every second until PID exits
# (issue 12: "under 200 MB resident in total").
#
# A process counts when its environment names PREFIX, or one of its
# PREFIX-jobK workers, as WINEPREFIX or KMHARNESS_*PREFIX: the native
# parent of `run --jobs N`, each harness worker, each worker's wineserver
# and Wine's services.exe.  VmRSS counts shared pages (Wine's libraries)
# once per process, so the sum is an upper bound.  Two programs per
# sample, whatever the number of processes: the machine is shared.
# Prints "PEAK_KB NAME:KB..." (the processes at the peak) on stdout.
set -u
prefix=$(readlink -f "$1") pid=$2
peak=0 at=""
while kill -0 "$pid" 2>/dev/null; do
    # The run's processes: grep -z reads each environment variable as a line.
    files=$(grep -lzE "^(WINEPREFIX|KMHARNESS_[A-Z_]*PREFIX)=$prefix(-job[0-9]+)?\$" \
            /proc/[0-9]*/environ 2>/dev/null | sed 's,/environ$,/status,')
    [ -n "$files" ] || { sleep 1; continue; }
    # cat, not awk, opens them: a process may end meanwhile.
    # shellcheck disable=SC2086
    sample=$(cat $files 2>/dev/null |
             awk '/^Name:/ { name = $2 } /^VmRSS:/ { total += $2; names = names " " name ":" $2 }
                  END { print total + 0 names }')
    kb=${sample%% *}
    [ "${kb:-0}" -gt "$peak" ] && { peak=$kb; at=${sample#"$kb"}; }
    sleep 1
done
echo "$peak$at"
