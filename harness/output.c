/*
** output.c - the output options of `run` and `report` (output.h): parsing
** them and writing a run as they say, through db/report.c (the table) and
** db/export.c (TAP, JSON lines, JUnit).
*/
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "builtin.h"
#include "export.h"
#include "help.h"
#include "output.h"

static int bad(const char *cmd, const char *message)
{
    usage_error(cmd, help_synopsis(cmd), message);
    return -1;
}

int output_option(const char *cmd, int argc, char **argv, int *i, struct output_options *o)
{
    const char *value = NULL;
    int r;

    if ((r = opt_value(argc, argv, i, "--format", &value)) != 0) {
        if (r < 0)
            return bad(cmd, "missing option value");
        if (!strcmp(value, "table"))
            o->format = OUTPUT_TABLE;
        else if (!strcmp(value, "tap"))
            o->format = OUTPUT_TAP;
        else if (!strcmp(value, "json"))
            o->format = OUTPUT_JSON;
        else
            return bad(cmd, "--format must be table, tap or json");
        return 1;
    }
    if ((r = opt_value(argc, argv, i, "--junit", &o->junit_path)) != 0)
        return r < 0 ? bad(cmd, "missing option value") : 1;
    if (!strcmp(argv[*i], "--tap"))
        o->format = OUTPUT_TAP;
    else if (!strcmp(argv[*i], "--failures-only"))
        o->rows = REPORT_ROWS_FAILURES;
    else if (!strcmp(argv[*i], "--all"))
        o->rows = REPORT_ROWS_ALL;
    else if (!strcmp(argv[*i], "--quiet"))
        o->rows = REPORT_ROWS_NONE;
    else
        return 0;
    return 1;
}

static int write_junit(const char *cmd, struct store *st, long long run_id, const char *path)
{
    FILE *f = fopen(path, "w");
    int rc;

    if (!f) {
        fprintf(stderr, "kmharness %s: %s: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    rc = export_junit(st, run_id, f);
    if (fclose(f) != 0 && rc == 0) {
        fprintf(stderr, "kmharness %s: %s: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    if (rc)
        fprintf(stderr, "kmharness %s: %s\n", cmd, store_error(st));
    return rc ? -1 : 0;
}

int output_run(const char *cmd, struct store *st, long long run_id,
               const struct output_options *o, FILE *out)
{
    int rc;

    if (o->junit_path && write_junit(cmd, st, run_id, o->junit_path) != 0)
        return -1;
    switch (o->format) {
    case OUTPUT_TAP:  rc = export_tap(st, run_id, out); break;
    case OUTPUT_JSON: rc = export_json(st, run_id, out); break;
    default:          rc = report_print_rows(st, run_id, o->rows, out); break;
    }
    if (rc)
        fprintf(stderr, "kmharness %s: %s\n", cmd, store_error(st));
    return rc ? -1 : 0;
}
