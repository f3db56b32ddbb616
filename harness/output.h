/*
** output.h - how `run` and `report` show a run: the output options both
** take, in one place (harness/output.c).
**
**   --format table|tap|json  standard output as the table (default), TAP or
**                            JSON lines (db/export.h); --tap is --format tap
**   --junit FILE             also write the run as JUnit XML to FILE
**   --failures-only          the table's failing rows only (and a line
**                            counting the others); automatic over
**                            REPORT_BIG_RUN scenarios unless --all
**   --all                    every row, however big the run
**   --quiet                  the summary line only
** Whatever the options, the last line of the table is the summary.  Pure.
*/
#ifndef KMH_OUTPUT_H
#define KMH_OUTPUT_H

#include <stdio.h>

#include "report.h"
#include "store.h"

enum output_format { OUTPUT_TABLE, OUTPUT_TAP, OUTPUT_JSON };

struct output_options {
    enum output_format format;
    enum report_rows rows;
    const char *junit_path;
};

/* If argv[*i] is an output option, takes it (and its value) and returns 1;
** 0 when it is not one; -1 after a usage error message for CMD. */
int output_option(const char *cmd, int argc, char **argv, int *i, struct output_options *);

/* Writes run run_id (0: the latest) as the options say: the JUnit file
** first (when asked), then standard output.  0, or -1 after saying why on
** stderr. */
int output_run(const char *cmd, struct store *, long long run_id, const struct output_options *,
               FILE *out);

#endif
