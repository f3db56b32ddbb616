/*
** Human-readable reports from the results database.
**
** `kmharness report` prints one run as a fixed-width table, one row per
** scenario (name, ImagePath before, probe outcome before, ImagePath after,
** probe outcome after, verdict; for a run that recorded the KM service's
** states, one more column before the verdict, "SERVICE B/A/R":
** "running/stopped:1/running", before the fix / after it / after the
** rollback, "-" for a start that did not happen), then what went wrong in the failing
** scenarios, then the summary line "N passed, N failed" (", N errors" when
** there were input errors, ", run not finished" for a run that never
** finished) as the last line, the same summary `kmharness run` ends with.  `kmharness report --by-shape` prints the findings view
** of one run instead: its scenarios grouped by ImagePath shape, with the
** before -> after probe outcomes each shape produced.  Reads only what
** db/store.c wrote; plain C + libsqlite3.
**
** Every function returns 0 on success and non-zero on failure, leaving the
** message for store_error().
*/
#ifndef KMH_REPORT_H
#define KMH_REPORT_H

#include <stdio.h>

#include "store.h"

/* Prints run run_id (0: the latest run in the file), every row. */
int report_print(struct store *, long long run_id, FILE *out);

/* Which rows of the table report_print_rows shows.  A big run's table is
** its failing rows: thousands of "pass" lines would hide the one that
** matters. */
enum report_rows {
    REPORT_ROWS_AUTO,     /* every row up to REPORT_BIG_RUN scenarios, else FAILURES */
    REPORT_ROWS_ALL,      /* every row (--all) */
    REPORT_ROWS_FAILURES, /* the rows that did not pass and a line counting the
                          ** others (--failures-only) */
    REPORT_ROWS_NONE,     /* the summary line alone (--quiet) */
};
#define REPORT_BIG_RUN 100

/* Prints run run_id (0: the latest) with ROWS; the last line is always
** the summary. */
int report_print_rows(struct store *, long long run_id, enum report_rows rows, FILE *out);

/* Prints run run_id (0: the latest) grouped by the shape of its ImagePath
** values before the fix (emu/shape.h): one group per shape, largest first,
** with its number of scenarios and one line per before -> after probe
** outcome pair ("10 x 2 ERROR_FILE_NOT_FOUND -> 0 ok"; for a run that
** recorded the KM service's states, the pairs are split by them too and
** each line ends with "running -> stopped:1 -> running"), then the line
** "N scenarios in N shapes".  Scenarios without a shape are grouped as
** "(not run)" (input errors) or "(unknown)" (rows from before the shape
** was recorded). */
int report_by_shape(struct store *, long long run_id, FILE *out);

/* The summary of run run_id (0: the latest) without a line end, "N passed,
** N failed" and what follows it, exactly as the table's last line. */
int report_summary(struct store *, long long run_id, FILE *out);

/* *finished: 1 when run run_id (0: the latest) ended, 0 when it never did
** (killed, or still running: its rows are only those recorded so far). */
int report_run_finished(struct store *, long long run_id, int *finished);

/* The probe outcome in column code_col of stmt as the table shows it: "0
** VERSION" ("0 ok" when version is NULL), "2 ERROR_FILE_NOT_FOUND", "-1 not
** installed", or "(not run)" for an input error; a "?" after the code marks
** an outcome that rests on an assumption of the era profile. */
void report_outcome_text(sqlite3_stmt *stmt, int code_col, const char *version, int assumed,
                         char *text, size_t size);

/* Prints one line per run in the file: id, start, end, counts, versions. */
int report_list_runs(struct store *, FILE *out);

#endif
