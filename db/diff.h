/*
** diff.h - what changed between two recorded runs (db/diff.c), for
** `report --diff A B` and `run --baseline FILE`.
*/
#ifndef KMH_DIFF_H
#define KMH_DIFF_H

#include <stdio.h>

#include "store.h"

/* Makes the database file at PATH readable as schema "other" on st's
** connection (it must exist; it is only read). */
int diff_attach(struct store *, const char *path);

/* Prints the scenarios whose verdict, probe codes or failed checks differ
** between run a_id of schema A_SCHEMA and run b_id of B_SCHEMA ("main" or
** "other"; an id of 0 is that schema's latest run), one line each, then
** "N changed, N regressions".  *regressions counts the scenarios that
** passed in A and did not in B.  0, or non-zero with store_error(). */
int diff_print(struct store *, const char *a_schema, long long a_id, const char *b_schema,
               long long b_id, FILE *out, int *regressions);

#endif
