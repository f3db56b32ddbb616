/*
** run_jobs.h - `run --jobs N`: one run over N worker processes, each in its
** own Wine prefix with its own wineserver (issue 12).
**
** Why: one harness process spends most of a scenario waiting for round
** trips to its wineserver, so one prefix uses about half of two cores;
** separate prefixes run side by side.
**
** How (harness/run_jobs.c):
**   - the launcher sends `run --jobs N` (N > 1) to the native program,
**     `kmharness-native run-jobs`, the parent: it begins the run in the
**     database, starts N launchers `build/kmharness run ARGS` as workers
**     with KMHARNESS_WORKER="RUN K N" (worker K > 0 in the prefix
**     PREFIX-jobK, KMHARNESS_WORKER_PREFIX), waits for them, checks that
**     every scenario was recorded, ends the run and prints it;
**   - worker K (harness/cmd_run.c) runs the scenarios whose place among
**     those the run selects (0, 1, ... over the PATHs, then the generated
**     ones; --shard selects first) is K modulo N, each recorded under the seq it has in a one-process run, into the
**     parent's run: ordered by seq, the table is the same as with --jobs 1.
**     Each worker is a whole harness in its own prefix: the lock, the
**     journals and the crash guarantees hold per worker.
** No <windows.h>: built into the winelib and the native programs.
*/
#ifndef KMH_RUN_JOBS_H
#define KMH_RUN_JOBS_H

#include <stddef.h>

#include "run_options.h"
#include "store.h"

/* At most this many workers: each is a prefix of about 700 MB. */
#define RUN_JOBS_MAX 16

/* --jobs TEXT (NULL: not given) into *JOBS (default 1).  EMIT: --emit was
** given (it runs nothing).  0, or -1 with the usage error in ERR. */
int run_jobs_option(const char *text, int emit, unsigned *jobs, char *err, size_t n);

struct run_worker {
    long long run_id;  /* the parent's run */
    unsigned k, n;     /* this is worker K of N */
};

/* This process is a worker when KMHARNESS_WORKER is set: 1 and *W filled;
** 0 when it is not set; -1 when it is set but malformed. */
int run_worker_get(struct run_worker *w);

/* Does worker W run the scenario at place INDEX (0-based) of the run? */
int run_worker_takes(const struct run_worker *w, unsigned long long index);

/* "kmharness ARGV..." as recorded with the run (malloc'ed; NULL when out
** of memory). */
char *run_command_line(int argc, char **argv);

/* The end of a run, the same with one process or N: stamp its end and
** counts, compare with --baseline, print it as the options say.  Returns
** the run's exit status (0, 1 or 2). */
int run_finish(struct store *, long long run_id, const struct run_options *, int passed,
               int failed, int errors);

/* The parent of `run --jobs N` (argv[0] is "run"): exit status. */
int run_jobs(int argc, char **argv);

#endif
