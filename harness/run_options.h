/*
** run_options.h - what a `kmharness run` command line asks for.
**
** Parsed in one place for two programs: the winelib harness
** (harness/cmd_run.c) runs what it says; the native program checks it
** before the launcher creates or starts a Wine prefix (`check-run` in
** harness/native_main.c), so a usage error, a folder without scenarios or
** a database that cannot be written costs no Wine start.  Pure C.
*/
#ifndef KMH_RUN_OPTIONS_H
#define KMH_RUN_OPTIONS_H

#include "era.h"
#include "output.h"
#include "scenario_list.h"

struct run_options {
    const char *db;               /* --db, default kmharness.db */
    struct scenario_list paths;   /* the scenario files, in run order */
    unsigned long long generate;  /* --generate N (0: none) */
    unsigned long long seed;      /* --seed, default 1 */
    const char *save_dir, *emit_dir;
    enum era era;                 /* --windows (emu/era.h), default ERA_DEFAULT */
    int reset_prefix;             /* --reset-prefix: delete a service key not ours */
    int service;                  /* --service: the KM service's lifecycle (harness/service.h) */
    struct output_options out;    /* --format, --junit, --failures-only, ... */
    const char *baseline;         /* --baseline FILE: compare with its latest run */
    unsigned long long shard_k, shard_n; /* --shard K/N; 1/1 when not given */
    unsigned jobs;                /* --jobs N: worker processes (harness/run_jobs.h) */
    const char *remedy;           /* --remedy FILE: the admin's remediation, or NULL */
    unsigned remedy_timeout;      /* --remedy-timeout S, default 30 */
};

/* Is scenario INDEX (0-based over the files, then the generated ones, as
** the run would order them) in this run's shard?  Every N-th from K-1: the
** N shards are disjoint, together complete, and the same on every host. */
int run_options_in_shard(const struct run_options *, unsigned long long index);

/* Parses argv (argv[0] is "run").  Returns 0, or 2 after printing the
** usage error on stderr. */
int run_options_parse(int argc, char **argv, struct run_options *);

void run_options_free(struct run_options *);

#endif
