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
#include "help.h"
#include "report.h"
#include "store.h"


int cmd_report(int argc, char **argv)
{
    const char *db_path = "kmharness.db", *run = NULL, *ignored;
    int by_shape = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "--by-shape")) {
            by_shape = 1;
            continue;
        }
        if ((r = opt_value(argc, argv, &i, "--db", &db_path)) ||
            (r = opt_value(argc, argv, &i, "--run", &run)) ||
            (r = opt_value(argc, argv, &i, "--prefix", &ignored))) {
            if (r < 0)
                return usage_error("report", help_synopsis("report"), "missing option value");
            continue;
        }
        return usage_error("report", help_synopsis("report"), "unknown argument");
    }
    char *end = NULL;
    long long run_id = run ? strtoll(run, &end, 10) : 0;
    if (run && (*end || run_id <= 0))
        return usage_error("report", help_synopsis("report"), "--run takes a positive run id");

    FILE *f = fopen(db_path, "rb");
    if (!f) {
        fprintf(stderr, "kmharness report: %s: no such database\n", db_path);
        return 2;
    }
    fclose(f);
    struct store *db;
    char err[512];
    if (store_open(db_path, &db, err, sizeof err)) {
        fprintf(stderr, "kmharness report: %s: %s\n", db_path, err);
        return 2;
    }
    int finished = 0;
    int status = by_shape ? report_by_shape(db, run_id, stdout)
                          : report_print(db, run_id, stdout);
    if (!status)
        status = report_run_finished(db, run_id, &finished);
    if (status)
        fprintf(stderr, "kmharness report: %s\n", store_error(db));
    else if (!finished)
        fprintf(stderr, "kmharness report: the run did not finish (killed, or still running): "
                "only the scenarios recorded so far are shown\n");
    store_close(db);
    return status ? 2 : finished ? 0 : 3;
}
