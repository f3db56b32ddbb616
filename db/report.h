/*
** Human-readable reports from the results database.
**
** `kmharness report` prints one run as a fixed-width table, one row per
** scenario (name, ImagePath before, probe outcome before, ImagePath after,
** probe outcome after, verdict), then what went wrong in the failing
** scenarios, then the summary line "N passed, N failed" (", N errors" when
** there were input errors) as the last line, the same summary `kmharness
** run` ends with.  Reads only what db/store.c wrote; plain C + libsqlite3.
**
** Both functions return 0 on success and non-zero on failure, leaving the
** message for store_error().
*/
#ifndef KMH_REPORT_H
#define KMH_REPORT_H

#include <stdio.h>

#include "store.h"

/* Prints run run_id (0: the latest run in the file). */
int report_print(struct store *, long long run_id, FILE *out);

/* Prints one line per run in the file: id, start, end, counts, versions. */
int report_list_runs(struct store *, FILE *out);

#endif
