/*
** diff.c - what changed between two recorded runs (diff.h): `report --diff`
** and `run --baseline`.
**
** Scenarios are matched by NAME (harness/scenario_list.h makes it unique
** within a run).  For each name the verdict, the probe codes before and
** after the fix, the set of failed checks and, when both runs started the
** KM service (run --service), its three states are compared; a name in one
** run only is listed too.  A regression is a scenario that passed in the
** first run and is there with any other verdict in the second; one that is
** missing from the second run is listed as gone, not as a regression (a
** shard or a smaller selection is not a failure of the fix).
**
** The second run may live in another file: it is ATTACHed to the first
** one's connection as "other" and only read, so one query compares both.
*/
#include "diff.h"

#include <stdio.h>
#include <string.h>

static int fail_db(struct store *st, const char *what)
{
    return store_set_error(st, "%s: %s", what, sqlite3_errmsg(store_db(st)));
}

int diff_attach(struct store *st, const char *path)
{
    sqlite3_stmt *stmt = NULL;
    FILE *f = fopen(path, "rb");
    int rc;

    /* ATTACH would create a missing file: a mistyped name must not compare
    ** against an empty run. */
    if (f == NULL)
        return store_set_error(st, "%s: no such database", path);
    fclose(f);
    rc = sqlite3_prepare_v2(store_db(st), "ATTACH ?1 AS other", -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, path, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK)
        return store_set_error(st, "%s: %s", path, sqlite3_errmsg(store_db(st)));
    return 0;
}

/* The id of the run to compare: run_id, or the latest of SCHEMA when 0. */
static int pick_run(struct store *st, const char *schema, long long *run_id)
{
    sqlite3_stmt *stmt = NULL;
    char sql[128];
    int rc;

    snprintf(sql, sizeof sql, "SELECT id FROM %s.run WHERE id = CASE WHEN ?1 = 0 THEN"
                              " (SELECT max(id) FROM %s.run) ELSE ?1 END", schema, schema);
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return fail_db(st, "reading the runs");
    sqlite3_bind_int64(stmt, 1, *run_id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *run_id = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_ROW)
        return 0;
    const char *which = strcmp(schema, "main") ? "the other database" : "the database";
    if (*run_id == 0)
        return store_set_error(st, "%s holds no runs", which);
    return store_set_error(st, "no run %lld in %s", *run_id, which);
}

/* One side's scenarios: NAME, verdict, codes, its failed checks by name,
** the service's states ("running/stopped:1/running"; NULL without the
** lifecycle: a run without --service is not a change of the service). */
#define SIDE_SQL(S, P) \
    "SELECT s.scenario AS name, s.verdict, s.before_code, s.after_code," \
    " (SELECT group_concat(name, ',') FROM (SELECT c.name FROM " S ".check_result c" \
    " WHERE c.run_id = s.run_id AND c.seq = s.seq AND c.ok = 0 ORDER BY c.name)) AS checks," \
    " s.service_before || '/' || coalesce(s.service_after, '-') || '/'" \
    " || coalesce(s.service_restored, '-') AS service" \
    " FROM " S ".scenario_result s WHERE s.run_id = " P

/* Column order of the comparison: each side's columns in SIDE_SQL's order. */
enum { D_NAME, D_A_VERDICT, D_A_BEFORE, D_A_AFTER, D_A_CHECKS, D_A_SERVICE,
       D_B_VERDICT, D_B_BEFORE, D_B_AFTER, D_B_CHECKS, D_B_SERVICE };

static int prepare_comparison(struct store *st, const char *a, const char *b, sqlite3_stmt **stmt)
{
    char sql[2048];

    snprintf(sql, sizeof sql,
             "WITH a AS (" SIDE_SQL("%s", "?1") "), b AS (" SIDE_SQL("%s", "?2") ")"
             " SELECT coalesce(a.name, b.name), a.verdict, a.before_code, a.after_code,"
             " a.checks, a.service, b.verdict, b.before_code, b.after_code, b.checks, b.service"
             " FROM a FULL OUTER JOIN b ON a.name = b.name"
             " WHERE a.name IS NULL OR b.name IS NULL OR a.verdict IS NOT b.verdict"
             " OR a.before_code IS NOT b.before_code OR a.after_code IS NOT b.after_code"
             " OR a.checks IS NOT b.checks"
             " OR (a.service IS NOT NULL AND b.service IS NOT NULL AND a.service <> b.service)"
             " ORDER BY 1",
             a, a, b, b);
    if (sqlite3_prepare_v2(store_db(st), sql, -1, stmt, NULL) != SQLITE_OK)
        return fail_db(st, "comparing the runs");
    return 0;
}

/* "pass 2 -> 0", "fail 2 -> 3 [expect-after]", "(absent)", and with the
** service's states "pass 2 -> 0 service running/stopped:1/running". */
static void print_side(FILE *out, sqlite3_stmt *stmt, int verdict_col)
{
    const char *verdict = (const char *)sqlite3_column_text(stmt, verdict_col);
    const char *checks = (const char *)sqlite3_column_text(stmt, verdict_col + 3);
    const char *service = (const char *)sqlite3_column_text(stmt, verdict_col + 4);

    if (verdict == NULL) {
        fputs("(absent)", out);
        return;
    }
    fputs(verdict, out);
    for (int c = 1; c <= 2; c++) {
        fputs(c == 1 ? " " : " -> ", out);
        if (sqlite3_column_type(stmt, verdict_col + c) == SQLITE_NULL)
            fputs("-", out);
        else
            fprintf(out, "%lld", sqlite3_column_int64(stmt, verdict_col + c));
    }
    if (checks != NULL)
        fprintf(out, " [failed: %s]", checks);
    if (service != NULL)
        fprintf(out, " service %s", service);
}

static int is_regression(sqlite3_stmt *stmt)
{
    const char *a = (const char *)sqlite3_column_text(stmt, D_A_VERDICT);
    const char *b = (const char *)sqlite3_column_text(stmt, D_B_VERDICT);

    return a != NULL && b != NULL && strcmp(a, "pass") == 0 && strcmp(b, "pass") != 0;
}

int diff_print(struct store *st, const char *a_schema, long long a_id, const char *b_schema,
               long long b_id, FILE *out, int *regressions)
{
    sqlite3_stmt *stmt = NULL;
    int rc, changed = 0;

    *regressions = 0;
    if (pick_run(st, a_schema, &a_id) != 0 || pick_run(st, b_schema, &b_id) != 0
        || prepare_comparison(st, a_schema, b_schema, &stmt) != 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, a_id);
    sqlite3_bind_int64(stmt, 2, b_id);
    fprintf(out, "changes from run %lld%s to run %lld%s (verdict, probe code before -> after"
                 " the fix):\n", a_id, strcmp(a_schema, "main") ? " of the other database" : "",
            b_id, strcmp(b_schema, "main") ? " of the other database" : "");
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int regression = is_regression(stmt);

        fprintf(out, "  %s: ", (const char *)sqlite3_column_text(stmt, D_NAME));
        print_side(out, stmt, D_A_VERDICT);
        fputs("  =>  ", out);
        print_side(out, stmt, D_B_VERDICT);
        fputs(regression ? "  REGRESSION\n" : "\n", out);
        changed++;
        *regressions += regression;
    }
    rc = rc == SQLITE_DONE ? 0 : fail_db(st, "comparing the runs");
    sqlite3_finalize(stmt);
    if (rc == 0)
        fprintf(out, "%d changed, %d regressions\n", changed, *regressions);
    return rc;
}
