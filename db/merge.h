/*
** merge.h - one results database from several (db/merge.c), for
** `kmharness merge OUT.db IN.db...`.
*/
#ifndef KMH_MERGE_H
#define KMH_MERGE_H

#include "store.h"

struct merge_result {
    int copied;                /* input runs copied */
    int skipped;               /* input runs already in the output (same uid) */
    long long combined_run;    /* with combine: the new run's id */
};

/* Copies the runs of the NINPUTS database files into OUT.  combine 0: each
** input run becomes a run of OUT with its own identity, and a run already
** there (a file merged twice) is skipped.  combine 1: all input runs
** become one new run of OUT, recorded with COMMAND_LINE, their scenarios
** in input order.  Every input is checked before anything is written.  0,
** or non-zero with store_error(out). */
int merge_databases(struct store *out, const char *const *inputs, int ninputs, int combine,
                    const char *command_line, struct merge_result *res);

#endif
