/*
** export.h - a recorded run in the formats CI systems read (db/export.c):
** TAP for `prove` and TAP consumers, JSON lines for scripts, JUnit XML for
** CI test reports.  Same content and redaction as the table (report.h).
** run_id 0 is the latest run.  0 on success, non-zero with store_error().
*/
#ifndef KMH_EXPORT_H
#define KMH_EXPORT_H

#include <stdio.h>

#include "store.h"

int export_tap(struct store *, long long run_id, FILE *out);
int export_json(struct store *, long long run_id, FILE *out);
int export_junit(struct store *, long long run_id, FILE *out);

#endif
