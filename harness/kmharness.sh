#!/bin/sh
# kmharness - the launcher: puts the winelib harness into its private Wine
# prefix and starts it.
#
# The harness proper (kmharness.exe.so, beside this script) is a winelib
# program; everything about *where* it runs lives here, in one place:
#   - the prefix: private to the harness (never ~/.wine, never $WINEPREFIX
#     inherited from the caller), created on first use and marked as ours;
#     a prefix without our mark is refused unless --prefix names it;
#   - one run per prefix at a time (a prefix is one emulated machine; two runs
#     on one registry would corrupt each other's scenarios): flock;
#   - Wine's noise goes to a log file inside the prefix, not the terminal;
#   - wineserver and Wine's system processes are started here, with their
#     output sent to that log, so a caller piping our output does not wait
#     for the server to exit (measured: 2.5 s per call otherwise).
#
# KMHARNESS_PREFIX overrides the default prefix location (tests use it);
# KMHARNESS_EXE runs another winelib program of ours (the Wine tests) the
# same way.
set -eu

here=$(dirname "$(readlink -f "$0")")
exe=${KMHARNESS_EXE:-$here/kmharness.exe.so}
mark=.kmharness-prefix

die() { echo "kmharness: $*" >&2; exit 2; }

# The bundled catalog: scenarios/ beside build/ in a checkout, or
# share/kmharness/scenarios after `make install` (bin/ and lib/kmharness/
# beside share/).
if [ -z "${KMHARNESS_SCENARIOS-}" ]; then
    for d in "$here/../scenarios" "$here/../../share/kmharness/scenarios"; do
        [ -d "$d" ] && { KMHARNESS_SCENARIOS=$(readlink -f "$d"); break; }
    done
    export KMHARNESS_SCENARIOS="${KMHARNESS_SCENARIOS-}"
fi

# What needs no Wine runs natively, before any prefix is made or started
# (harness/native_main.c): help, report, merge, and the checks of a run's
# command line and database.  Not for KMHARNESS_EXE (the Wine tests).
if [ -z "${KMHARNESS_EXE-}" ]; then
    export KMHARNESS_HOME="$here"
    native=$here/kmharness-native
    case ${1-} in
        run|probe|fix) ;;
        *) exec "$native" "$@" ;;
    esac
    for arg in "$@"; do
        case $arg in -h|--help) exec "$native" "$@" ;; esac
    done
    case $1 in run) "$native" check-run "$@" || exit $? ;; esac
fi

# --prefix is the only option the launcher needs to see; the program parses
# all of them again (and accepts --prefix) so the two never disagree.
# --jobs too, for `run` (checked by check-run above).
prefix= prev= jobs=1
for arg in "$@"; do
    case $prev in --prefix) prefix=$arg ;; --jobs) jobs=$arg ;; esac
    case $arg in --prefix=*) prefix=${arg#--prefix=} ;; --jobs=*) jobs=${arg#--jobs=} ;; esac
    prev=$arg
done
case $prev in --prefix) die "--prefix needs a directory" ;; esac

if [ -n "${KMHARNESS_WORKER_PREFIX-}" ]; then
    # A worker of `run --jobs N` (harness/run_jobs.h) other than the first:
    # its own prefix, which must be the harness's like the default one.
    prefix=$KMHARNESS_WORKER_PREFIX
    named=0
elif [ -n "$prefix" ]; then
    named=1
else
    named=0
    prefix=${KMHARNESS_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/kmharness/prefix}
fi
mkdir -p "$prefix" || die "cannot create prefix directory $prefix"
prefix=$(readlink -f "$prefix")

# `run --jobs N`: the native parent starts this launcher N times as its
# workers (KMHARNESS_WORKER set), each in its own prefix, and ends the run.
if [ "${1-}" = run ] && [ -z "${KMHARNESS_WORKER-}${KMHARNESS_EXE-}" ] && [ "$jobs" -gt 1 ]; then
    wine_version=$(wine --version 2>/dev/null) || wine_version=unknown
    wine_version=${wine_version#wine-}
    KMHARNESS_JOBS_PREFIX=$prefix KMHARNESS_WINE_VERSION=${wine_version%% *} \
        exec "$here/kmharness-native" run-jobs "$@"
fi

# One Wine session is a ping-pong of round trips between the harness and
# its wineserver.  On one CPU each round trip is a direct switch; spread
# over two, each waits for the other CPU to wake up (2,000 generated
# scenarios on a quiet 2-core machine: 4.6-5.1 s pinned, 12.4-13.1 s not).
# So the whole session (server, system processes, harness) runs on one
# CPU: worker K of `run --jobs N` on CPU K mod the CPU count, any other
# session on the CPU the scheduler started this launcher on (field 39 of
# /proc/PID/stat), so that independent sessions (CI shards side by side,
# two users' runs) spread over the CPUs as the scheduler spread them
# rather than all piling onto CPU 0.  KMHARNESS_PIN=0 leaves the scheduler
# to choose.
if [ "${KMHARNESS_PIN:-1}" != 0 ] && command -v taskset >/dev/null 2>&1; then
    k=${KMHARNESS_WORKER-}
    k=${k#* }
    k=${k%% *}
    case $k in
        '') cpu=$(sed 's/.*) //' "/proc/$$/stat" 2>/dev/null | cut -d' ' -f37) ;;
        *[!0-9]*) cpu=0 ;;
        *) cpu=$((k % $(nproc))) ;;
    esac
    case $cpu in '' | *[!0-9]*) cpu=0 ;; esac
    taskset -p -c "$cpu" $$ >/dev/null 2>&1 || true
fi

export WINEPREFIX="$prefix"
export WINEDEBUG="${KMHARNESS_WINEDEBUG:--all}"
# No Mono/Gecko installers; no winedbg: a crash dump could show memory
# holding a password.  kmserver.exe=n: every version read of a Kmserver.exe
# made Wine look for a built-in module of that name (three registry reads
# and four library folders, each time); Wine has none, so it always fell
# back to the file itself, which is what "native" says at once (issue 12;
# the probe's results are the same).
export WINEDLLOVERRIDES="mscoree,mshtml=;winedbg.exe=d;kmserver.exe=n"
unset DISPLAY WAYLAND_DISPLAY WINEARCH WINELOADER WINESERVER
log="$prefix/kmharness-wine.log"

exec 9>"$prefix/.kmharness.lock" || die "cannot create a lock file in $prefix"
if ! flock -n 9; then
    echo "kmharness: waiting for another run on $prefix" >&2
    flock 9
fi

# The template: a prefix booted once by `wineboot -i` and stopped, that
# every new prefix of ours is a copy of (issue 12: a copy starts in about
# 1 s, a `wineboot -i` costs 4-8 s plus the wait for the server to write
# the registry).  Made under its own lock (two launchers may need it at
# once) in a scratch folder that is renamed into place when complete, and
# marked with the Wine version that made it: another Wine makes a new one.
# It only ever holds what `wineboot -i` made: nothing runs in it after.
template=${KMHARNESS_TEMPLATE:-${XDG_CACHE_HOME:-$HOME/.cache}/kmharness/template}
template_mark=.kmharness-template

# make_template: 0 once $template is complete for this Wine, else 1 (the
# caller then boots its prefix itself, as before templates).
make_template() {
    wine_version=$(wine --version 2>/dev/null) || return 1
    [ "$(cat "$template/$template_mark" 2>/dev/null)" = "$wine_version" ] && return 0
    mkdir -p "$(dirname "$template")" 2>/dev/null || return 1
    (
        exec 8>"$template.lock" && flock 8 || exit 1
        [ "$(cat "$template/$template_mark" 2>/dev/null)" = "$wine_version" ] && exit 0
        [ -t 2 ] && echo "kmharness: creating the Wine prefix template $template (about 10 s, once)" >&2
        work=$template.new
        # What a killed creation left, and a template of another Wine: its
        # server never runs (nothing runs in a template), stop it anyway
        # before deleting, as wine-notes.md says.
        for old in "$work" "$template"; do
            [ -d "$old" ] || continue
            WINEPREFIX=$old wineserver -k </dev/null >/dev/null 2>&1 8>&- 9>&- || true
            rm -rf "$old"
        done
        mkdir -p "$work" &&
        WINEPREFIX=$work wineboot -i </dev/null >>"$log" 2>&1 8>&- 9>&- &&
        # -k saves the registry and stops at once; -w would wait for the
        # server's own exit (about 5 s of nothing).
        WINEPREFIX=$work wineserver -k </dev/null >>"$log" 2>&1 8>&- 9>&- &&
        [ -f "$work/system.reg" ] &&
        echo "$wine_version" >"$work/$template_mark" &&
        mv "$work" "$template"
    )
}

# copy_template: the template's files into $prefix, the registry files last,
# so a copy killed halfway leaves no system.reg and is made again next time
# (never taken for a prefix someone else made).  Plain copies, never hard
# links: wineserver rewrites system.reg in place.
copy_template() {
    for f in "$template"/* "$template"/.[!.]*; do
        # wineserver: Debian's Wine keeps the name of the server's socket
        # folder there; each prefix makes its own.
        case ${f##*/} in *.reg|wineserver|"$template_mark"|'.[!.]*') continue ;; esac
        cp -a --reflink=auto --remove-destination "$f" "$prefix/" || return 1
    done
    cp -a --reflink=auto --remove-destination "$template"/*.reg "$prefix/"
}

if [ ! -f "$prefix/$mark" ]; then
    if [ -f "$prefix/system.reg" ]; then
        [ "$named" = 1 ] ||
            die "$prefix is a Wine prefix kmharness did not create; name it with --prefix to use it"
    elif make_template && copy_template; then
        echo "created by kmharness; safe to delete after 'wineserver -k'" >"$prefix/$mark"
    else
        [ -t 2 ] && echo "kmharness: creating Wine prefix $prefix (about 15 s, once)" >&2
        wineboot -i </dev/null >>"$log" 2>&1 9>&- || die "wineboot failed; see $log"
        wineserver -w 9>&-
        echo "created by kmharness; safe to delete after 'wineserver -k'" >"$prefix/$mark"
    fi
fi

# Start the server and the system processes with their output in the log;
# they must not inherit the lock (fd 9), or they would hold it after we exit.
# Nothing in the prefix's registry may start a program by itself when Wine
# boots (a service with Start=2 would run its ImagePath): the auto-start
# settings are held back by a process that does not boot Wine, and put back
# by the one that boots it, once the service manager has read them
# (harness/cmd_boot.c). Plain `wineboot` is not run: it runs the Run keys.
harness=$here/kmharness.exe.so
wineserver -p3 </dev/null >>"$log" 2>&1 9>&- || true
WINEDLLOVERRIDES="$WINEDLLOVERRIDES;wineboot.exe=d" wine "$harness" boot hold \
    </dev/null >>"$log" 2>&1 9>&- || die "cannot hold back auto-start services; see $log"
# The booting process has, rarely, exited at once without a word (once in
# about 40 runs of tests/shards.sh, three new prefixes booting side by side,
# all pinned to CPU 0 then; cause not found): its exit status goes to the
# log and it is tried once more.  Safe to repeat: release only waits for the service manager and puts
# the held values back, and a second try finds them back already.
release() { wine "$harness" boot release </dev/null >>"$log" 2>&1 9>&-; }
release || {
    echo "kmharness: Wine's first process exited with status $?; trying once more" >>"$log"
    release
} || die "Wine would not start (exit status $?); see $log"

export KMHARNESS_HOME="$here"
remedy=0
for arg in "$@"; do
    case $arg in --remedy|--remedy=*) remedy=1 ;; esac
done
[ "$remedy" = 1 ] && [ "${1-}" = run ] || exec wine "$exe" "$@"

# run --remedy runs an admin's program.  Wine is no sandbox (its Z: drive is
# the host's /, and the service manager starts whatever a script asks it
# to), so the whole Wine session of the run goes into one: wineserver, the
# service manager, the harness and every process the remediation starts see
# the host read-only, the prefix and a scratch folder of their own writable
# (TMPDIR: where wineserver makes its socket), no network and no terminal to
# type into.  The run's results go to a database in the
# prefix, merged into --db after the sandbox has ended, so the remediation
# can write nothing outside the prefix, not even beside the database.
command -v bwrap >/dev/null 2>&1 ||
    die "run --remedy needs bubblewrap (bwrap) to sandbox the remediation"
db=kmharness.db prev=
for arg in "$@"; do
    case $prev in --db) db=$arg ;; esac
    case $arg in --db=*) db=${arg#--db=} ;; esac
    prev=$arg
done
stage=$(mktemp -d "$prefix/kmharness-stage.XXXXXX") || die "cannot make a staging folder in $prefix"
scratch=$(mktemp -d /tmp/kmh.XXXXXX) || die "cannot make a scratch folder"
trap 'rm -rf "$stage" "$scratch"' EXIT
set -- "$@" --db "$stage/run.db"   # the last --db given wins
wineserver -k 9>&- 2>/dev/null || true  # one server per prefix: the sandbox starts its own
wineserver -w 9>&- 2>/dev/null || true
rc=0
TMPDIR=$scratch bwrap --ro-bind / / --dev /dev --proc /proc --bind "$prefix" "$prefix" \
    --bind "$scratch" "$scratch" \
    --unshare-net --unshare-ipc --unshare-pid --new-session --die-with-parent \
    sh -c 'wineserver -p3 </dev/null >>"$1" 2>&1 || true
           WINEDLLOVERRIDES="$WINEDLLOVERRIDES;wineboot.exe=d" wine "$2" boot hold </dev/null >>"$1" 2>&1 &&
           wine "$2" boot release </dev/null >>"$1" 2>&1 ||
               { echo "kmharness: Wine would not start in the sandbox; see $1" >&2; exit 2; }
           shift 3; wine "$0" "$@"; rc=$?
           wineserver -k; wineserver -w; exit $rc' \
    "$exe" "$log" "$harness" -- "$@" 9>&- || rc=$?
[ -f "$stage/run.db" ] || { [ "$rc" != 0 ] || rc=2; exit "$rc"; }
"$here/kmharness-native" merge "$db" "$stage/run.db" >/dev/null || {
    echo "kmharness: could not merge the run into $db" >&2; exit 2; }
exit "$rc"
