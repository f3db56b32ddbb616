/*
** run_jobs.c - `run --jobs N` (see run_jobs.h), and the end of a run that
** one process and N share (run_finish).
**
** The parent never touches Wine: it is the native program, so it may fork
** and wait like any Linux program.  It closes the database before starting
** the workers (they must not inherit its file descriptors: closing any of
** them would drop SQLite's locks in that process) and opens it again to
** end the run.  Whether every scenario ran is read from the database, not
** from the workers' exit statuses (a worker exits 2 for an input error
** too): a run missing a row is left unfinished, as a killed run is, and
** `report` says so.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "builtin.h"
#include "diff.h"
#include "era.h"
#include "run_jobs.h"

int run_jobs_option(const char *text, int emit, unsigned *jobs, char *err, size_t n)
{
    char *end;
    *jobs = 1;
    if (!text)
        return 0;
    errno = 0;
    unsigned long v = text[0] >= '0' && text[0] <= '9' ? strtoul(text, &end, 10) : 0;
    if (v < 1 || v > RUN_JOBS_MAX || *end || errno) {
        snprintf(err, n, "--jobs needs a count from 1 to %d", RUN_JOBS_MAX);
        return -1;
    }
    if (emit && v > 1) {
        snprintf(err, n, "--emit runs nothing: it takes no --jobs");
        return -1;
    }
    *jobs = (unsigned)v;
    return 0;
}

int run_worker_get(struct run_worker *w)
{
    const char *s = getenv("KMHARNESS_WORKER");
    int len = 0;
    if (!s)
        return 0;
    if (sscanf(s, "%lld %u %u%n", &w->run_id, &w->k, &w->n, &len) != 3 || s[len] ||
        w->run_id < 1 || w->n < 1 || w->n > RUN_JOBS_MAX || w->k >= w->n)
        return -1;
    return 1;
}

int run_worker_takes(const struct run_worker *w, unsigned long long index)
{
    return index % w->n == w->k;
}

char *run_command_line(int argc, char **argv)
{
    size_t n = 16;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = calloc(1, n);
    if (!s)
        return NULL;
    strcpy(s, "kmharness");
    for (int i = 0; i < argc; i++)
        strcat(strcat(s, " "), argv[i]);
    return s;
}

/* --baseline: what changed since the baseline file's latest run, printed
** before the table so the summary stays the last line. */
static int compare_with_baseline(struct store *db, const char *path, long long run_id,
                                 int *regressions)
{
    if (diff_attach(db, path) || diff_print(db, "other", 0, "main", run_id, stdout, regressions)) {
        fprintf(stderr, "kmharness run: --baseline: %s\n", store_error(db));
        return -1;
    }
    fputc('\n', stdout);
    return 0;
}

int run_finish(struct store *db, long long run_id, const struct run_options *o, int passed,
               int failed, int errors)
{
    int regressions = 0, status = store_end_run(db, run_id, passed, failed, errors);
    if (status)
        fprintf(stderr, "kmharness run: %s\n", store_error(db));
    else if (o->baseline && compare_with_baseline(db, o->baseline, run_id, &regressions))
        status = 2;
    if (!status)
        status = output_run("run", db, run_id, &o->out, stdout);
    if (status)
        return 2;
    if (o->baseline) /* a CI job with a baseline fails on regressions only */
        return errors ? 2 : regressions ? 1 : 0;
    return errors ? 2 : failed ? 1 : 0;
}

/* ---- the parent ----------------------------------------------------------- */

/* Start worker K of N on the run: the launcher beside this program, with
** the same arguments.  Its pid, or -1. */
static pid_t start_worker(long long run_id, unsigned k, unsigned n, const char *prefix,
                          int argc, char **argv)
{
    char launcher[4096], worker[64], own[4200];
    snprintf(launcher, sizeof launcher, "%s/kmharness", harness_home());
    snprintf(worker, sizeof worker, "%lld %u %u", run_id, k, n);
    snprintf(own, sizeof own, "%s-job%u", prefix, k);
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args)
        return -1;
    args[0] = launcher;
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* Worker 0 keeps the prefix the command names; the others get
        ** their own, which must be the harness's (or new). */
        if (setenv("KMHARNESS_WORKER", worker, 1) ||
            (k > 0 && setenv("KMHARNESS_WORKER_PREFIX", own, 1)))
            _exit(2);
        execv(launcher, args);
        fprintf(stderr, "kmharness run: cannot start %s: %s\n", launcher, strerror(errno));
        _exit(2);
    }
    free(args);
    return pid;
}

/* The run's rows by verdict; -1 when the database cannot say. */
static int count_rows(struct store *db, long long run_id, int *passed, int *failed, int *errors,
                      int *skipped)
{
    sqlite3_stmt *stmt;
    const char *sql =
        "SELECT count(CASE WHEN verdict IN ('pass', 'observed') THEN 1 END),"
        " count(CASE WHEN verdict = 'fail' THEN 1 END),"
        " count(CASE WHEN verdict = 'error' THEN 1 END),"
        " (SELECT count(*) FROM skipped_scenario WHERE run_id = ?1)"
        " FROM scenario_result WHERE run_id = ?1";
    if (sqlite3_prepare_v2(store_db(db), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_set_error(db, "counting the run's scenarios: %s",
                               sqlite3_errmsg(store_db(db)));
    sqlite3_bind_int64(stmt, 1, run_id);
    int rc = sqlite3_step(stmt) == SQLITE_ROW ? 0 : -1;
    if (rc == 0) {
        *passed = sqlite3_column_int(stmt, 0);
        *failed = sqlite3_column_int(stmt, 1);
        *errors = sqlite3_column_int(stmt, 2);
        *skipped = sqlite3_column_int(stmt, 3);
    } else {
        store_set_error(db, "counting the run's scenarios: %s", sqlite3_errmsg(store_db(db)));
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Begin the run in the database at PATH: its id, or -1 after saying why. */
static long long begin_run(const struct run_options *o, int argc, char **argv)
{
    struct store *db;
    char err[512], host[256] = "unknown";
    long long run_id = -1;
    const char *wine = getenv("KMHARNESS_WINE_VERSION");
    if (store_open(o->db, &db, err, sizeof err)) {
        fprintf(stderr, "kmharness run: %s\n", err);
        return -1;
    }
    gethostname(host, sizeof host - 1);
    char *cmdline = run_command_line(argc, argv);
    struct store_run_info info = { KMH_VERSION, wine && *wine ? wine : "unknown", host, cmdline,
                                   era_name(o->era), NULL, NULL };
    if (store_begin_run(db, &info, &run_id)) {
        fprintf(stderr, "kmharness run: %s\n", store_error(db));
        run_id = -1;
    }
    free(cmdline);
    store_close(db);
    return run_id;
}

int run_jobs(int argc, char **argv)
{
    struct run_options opt;
    if (run_options_parse(argc, argv, &opt))
        return 2;
    const char *prefix = getenv("KMHARNESS_JOBS_PREFIX");
    if (!prefix || prefix[0] != '/') {
        fprintf(stderr, "kmharness run: --jobs: start it through build/kmharness\n");
        run_options_free(&opt);
        return 2;
    }
    unsigned long long total = 0;  /* what the run (or its --shard) selects */
    for (unsigned long long i = 0; i < opt.paths.n + opt.generate; i++)
        total += run_options_in_shard(&opt, i);
    unsigned n = total < opt.jobs ? (unsigned)(total ? total : 1) : opt.jobs;
    long long run_id = begin_run(&opt, argc, argv);
    if (run_id < 0) {
        run_options_free(&opt);
        return 2;
    }

    pid_t pids[RUN_JOBS_MAX];
    int statuses[RUN_JOBS_MAX];
    for (unsigned k = 0; k < n; k++)
        pids[k] = start_worker(run_id, k, n, prefix, argc, argv);
    for (unsigned k = 0; k < n; k++) {
        int st = 0;
        statuses[k] = -1;
        if (pids[k] > 0 && waitpid(pids[k], &st, 0) == pids[k])
            statuses[k] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }

    struct store *db;
    char err[512];
    int passed = 0, failed = 0, errors = 0, skipped = 0, status = 2;
    if (store_open(opt.db, &db, err, sizeof err)) {
        fprintf(stderr, "kmharness run: %s\n", err);
    } else if (count_rows(db, run_id, &passed, &failed, &errors, &skipped)) {
        fprintf(stderr, "kmharness run: %s\n", store_error(db));
    } else if ((unsigned long long)(passed + failed + errors + skipped) != total) {
        for (unsigned k = 0; k < n; k++)
            if (statuses[k] != 0 && statuses[k] != 1)
                fprintf(stderr, "kmharness run: --jobs: worker %u exited with status %d\n", k,
                        statuses[k]);
        fprintf(stderr, "kmharness run: --jobs: %d of %llu scenarios recorded; run %lld is left "
                "unfinished\n", passed + failed + errors + skipped, total, run_id);
    } else {
        status = run_finish(db, run_id, &opt, passed, failed, errors);
    }
    store_close(db);
    run_options_free(&opt);
    return status;
}
