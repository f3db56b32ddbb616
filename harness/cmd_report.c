/*
** cmd_report.c - `kmharness report [--by-shape] [--db FILE] [--run ID]`.
**
** Prints the results table of one recorded run (default: the latest) from
** the database; the table itself is db/report.c's, shared with `run`.
** --by-shape prints the findings view instead: the run's scenarios grouped
** by the shape of ImagePath before the fix, with the before -> after probe
** outcomes of each shape.
** Exit status: 0 a finished run was printed, 2 usage error or unreadable
** database, 3 the run never finished (killed, or still running).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "diff.h"
#include "help.h"
#include "output.h"
#include "report.h"
#include "store.h"

static int usage(const char *message)
{
    return usage_error("report", help_synopsis("report"), message);
}


/* Opens an existing database: report never creates one. */
static struct store *open_existing(const char *path)
{
    struct store *db;
    char err[1024];
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kmharness report: %s: no such database\n", path);
        return NULL;
    }
    fclose(f);
    if (store_open(path, &db, err, sizeof err)) {
        fprintf(stderr, "kmharness report: %s\n", err); /* err names the file */
        return NULL;
    }
    return db;
}

/* Prints the run; exit status. */
static int print_run(struct store *db, long long run_id, int by_shape,
                     const struct output_options *out)
{
    int finished = 0;
    if (!by_shape && output_run("report", db, run_id, out, stdout))
        return 2; /* output_run said why */
    if ((by_shape && report_by_shape(db, run_id, stdout))
        || report_run_finished(db, run_id, &finished)) {
        fprintf(stderr, "kmharness report: %s\n", store_error(db));
        return 2;
    }
    if (!finished)
        fprintf(stderr, "kmharness report: the run did not finish (killed, or still running): "
                "only the scenarios recorded so far are shown\n");
    return finished ? 0 : 3;
}

/* One side of --diff: "ID" (a run in --db), "FILE" (its latest run) or
** "FILE:ID".  *path is NULL for --db; malloc'ed otherwise. */
static int parse_side(const char *arg, char **path, long long *id)
{
    const char *colon = strrchr(arg, ':');
    const char *digits = colon ? colon + 1 : arg;
    char *end = NULL;

    *path = NULL;
    *id = 0;
    if (*digits >= '0' && *digits <= '9') {
        *id = strtoll(digits, &end, 10);
        if (*end || *id <= 0)
            return -1;
        if (colon)
            *path = strndup(arg, (size_t)(colon - arg));
        return colon && !*path ? -1 : 0;
    }
    *path = strdup(arg);
    return *path ? 0 : -1;
}

/* report --diff A B: exit 1 when a scenario that passed in A did not in B. */
static int print_diff(const char *db_path, const char *a_arg, const char *b_arg)
{
    char *a_path, *b_path;
    long long a_id, b_id;
    int regressions = 0, status = 2;

    if (parse_side(a_arg, &a_path, &a_id) || parse_side(b_arg, &b_path, &b_id)) {
        free(a_path);
        return usage("--diff takes two runs: ID, FILE or FILE:ID");
    }
    const char *main_path = a_path ? a_path : db_path;
    const char *other_path = b_path ? b_path : db_path;
    int same = strcmp(main_path, other_path) == 0;
    struct store *db = open_existing(main_path);
    if (db && (same || diff_attach(db, other_path) == 0)
        && diff_print(db, "main", a_id, same ? "main" : "other", b_id, stdout, &regressions) == 0)
        status = regressions ? 1 : 0;
    else if (db)
        fprintf(stderr, "kmharness report: %s\n", store_error(db));
    store_close(db);
    free(a_path);
    free(b_path);
    return status;
}

int cmd_report(int argc, char **argv)
{
    const char *db_path = "kmharness.db", *run = NULL, *ignored, *diff[2] = { NULL, NULL };
    struct output_options out = { 0 };
    int by_shape = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "--by-shape")) {
            by_shape = 1;
            continue;
        }
        if (!strcmp(argv[i], "--diff")) {
            if (i + 2 >= argc)
                return usage("--diff takes two runs: ID, FILE or FILE:ID");
            diff[0] = argv[++i];
            diff[1] = argv[++i];
            continue;
        }
        if ((r = output_option("report", argc, argv, &i, &out)) != 0) {
            if (r < 0)
                return 2;
            continue;
        }
        if ((r = opt_value(argc, argv, &i, "--db", &db_path)) ||
            (r = opt_value(argc, argv, &i, "--run", &run)) ||
            (r = opt_value(argc, argv, &i, "--prefix", &ignored))) {
            if (r < 0)
                return usage("missing option value");
            continue;
        }
        return usage("unknown argument");
    }
    char *end = NULL;
    long long run_id = run ? strtoll(run, &end, 10) : 0;
    if (run && (*end || run_id <= 0))
        return usage("--run takes a positive run id");

    if (diff[0])
        return print_diff(db_path, diff[0], diff[1]);
    struct store *db = open_existing(db_path);
    if (!db)
        return 2;
    int status = print_run(db, run_id, by_shape, &out);
    store_close(db);
    return status;
}
