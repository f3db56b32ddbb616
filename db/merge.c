/*
** merge.c - one database from several (merge.h): `kmharness merge`, for
** the shard databases of a CI matrix.
**
** Each input is first opened as a store (so it is a kmharness database at
** this schema version, upgraded if older), then ATTACHed to the output's
** connection as "src" and copied in one transaction.  The tables copied are
** found, not listed: "run" and every table with a run_id column
** (scenario_result, check_result, and whatever later schema steps add), all
** columns by name, so a new column or table is merged without a change
** here.
**
** Kept runs: every input run becomes a run of the output with a new id and
** its own uid (schema step 5); a run whose uid is already there is skipped,
** so merging a file twice, or into itself, copies nothing more.
** Combined: all input runs become ONE new run (rows renumbered in input
** order), which report, --diff and --baseline then treat like any run.
*/
#include "merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail_db(struct store *st, const char *what)
{
    return store_set_error(st, "%s: %s", what, sqlite3_errmsg(store_db(st)));
}

static int exec(struct store *st, const char *sql, const char *what)
{
    return sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail_db(st, what);
}

/* The input as a store first: refused if not a kmharness database, brought
** to this schema version if older. */
static int check_input(struct store *out, const char *path)
{
    struct store *in;
    char err[1024];
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return store_set_error(out, "%s: no such database", path);
    fclose(f);
    if (store_open(path, &in, err, sizeof err) != 0)
        return store_set_error(out, "%s", err);
    store_close(in);
    return 0;
}

static int attach(struct store *out, const char *path)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(store_db(out), "ATTACH ?1 AS src", -1, &stmt, NULL);

    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, path, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? 0 : store_set_error(out, "%s: %s", path,
                                                 sqlite3_errmsg(store_db(out)));
}

/* The columns of main.TABLE except SKIP: into is "c1, c2, ...", from the
** same with "seq" read as seq + ?3 (a combined run renumbers its rows). */
static int column_lists(struct store *st, const char *table, const char *skip, char *into,
                        char *from, size_t n)
{
    sqlite3_stmt *stmt = NULL;
    char sql[128];
    size_t i = 0, f = 0;

    snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s', 'main')", table);
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return fail_db(st, "reading the schema");
    into[0] = from[0] = '\0';
    while (sqlite3_step(stmt) == SQLITE_ROW && i < n && f < n) {
        const char *col = (const char *)sqlite3_column_text(stmt, 0);
        const char *sep = i ? ", " : "";

        if (strcmp(col, skip) == 0)
            continue;
        i += (size_t)snprintf(into + i, n - i, "%s\"%s\"", sep, col);
        f += (size_t)snprintf(from + f, n - f, strcmp(col, "seq") ? "%s\"%s\"" : "%s(\"%s\" + ?3)",
                              sep, col);
    }
    sqlite3_finalize(stmt);
    return i < n && f < n ? 0 : store_set_error(st, "%s: too many columns", table);
}

/* Copies the rows of run src_id in every run_id table to run new_id, with
** seq moved by seq_offset.  check_result last: it refers to scenario_result. */
static int copy_run_rows(struct store *st, long long src_id, long long new_id, long long seq_offset)
{
    sqlite3_stmt *tables = NULL;
    int rc = 0;

    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT m.name FROM main.sqlite_master m WHERE m.type = 'table' AND"
                           " EXISTS (SELECT 1 FROM pragma_table_info(m.name, 'main')"
                           " WHERE name = 'run_id') ORDER BY m.name = 'check_result', m.name",
                           -1, &tables, NULL) != SQLITE_OK)
        return fail_db(st, "reading the schema");
    while (rc == 0 && sqlite3_step(tables) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(tables, 0);
        char into[4096], from[4096], sql[9000];
        sqlite3_stmt *copy = NULL;

        if (column_lists(st, table, "run_id", into, from, sizeof into) != 0) {
            rc = -1;
            break;
        }
        snprintf(sql, sizeof sql, "INSERT INTO main.\"%s\" (run_id, %s) SELECT ?1, %s FROM"
                 " src.\"%s\" WHERE run_id = ?2 ORDER BY rowid", table, into, from, table);
        if (sqlite3_prepare_v2(store_db(st), sql, -1, &copy, NULL) != SQLITE_OK) {
            rc = fail_db(st, "copying the results");
            break;
        }
        sqlite3_bind_int64(copy, 1, new_id);
        sqlite3_bind_int64(copy, 2, src_id);
        sqlite3_bind_int64(copy, 3, seq_offset);
        if (sqlite3_step(copy) != SQLITE_DONE)
            rc = fail_db(st, "copying the results");
        sqlite3_finalize(copy);
    }
    sqlite3_finalize(tables);
    return rc;
}

/* Kept runs: each src run not in main yet, as a new run with its uid. */
static int copy_runs(struct store *st, int *copied, int *skipped)
{
    sqlite3_stmt *runs = NULL, *insert = NULL;
    char into[4096], from[4096], sql[9000];
    int rc = 0;

    if (column_lists(st, "run", "id", into, from, sizeof into) != 0)
        return -1;
    snprintf(sql, sizeof sql, "INSERT INTO main.run (%s) SELECT %s FROM src.run WHERE id = ?1",
             into, from);
    if (sqlite3_prepare_v2(store_db(st), "SELECT id, uid IN (SELECT uid FROM main.run)"
                           " FROM src.run ORDER BY id", -1, &runs, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(store_db(st), sql, -1, &insert, NULL) != SQLITE_OK) {
        sqlite3_finalize(runs);
        return fail_db(st, "reading the runs");
    }
    while (rc == 0 && sqlite3_step(runs) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(runs, 0);

        if (sqlite3_column_int(runs, 1)) {
            ++*skipped;
            continue;
        }
        sqlite3_bind_int64(insert, 1, id);
        rc = sqlite3_step(insert) == SQLITE_DONE ? 0 : fail_db(st, "copying a run");
        sqlite3_reset(insert);
        if (rc == 0)
            rc = copy_run_rows(st, id, sqlite3_last_insert_rowid(store_db(st)), 0);
        *copied += rc == 0;
    }
    sqlite3_finalize(runs);
    sqlite3_finalize(insert);
    return rc;
}

/* Combined: every src run's rows into run combined_id, after *next_seq. */
static int append_runs(struct store *st, long long combined_id, long long *next_seq, int *copied)
{
    sqlite3_stmt *runs = NULL;
    int rc = 0;

    if (sqlite3_prepare_v2(store_db(st), "SELECT r.id, (SELECT coalesce(max(seq), -1) + 1 FROM"
                           " src.scenario_result s WHERE s.run_id = r.id) FROM src.run r"
                           " ORDER BY r.id", -1, &runs, NULL) != SQLITE_OK)
        return fail_db(st, "reading the runs");
    while (rc == 0 && sqlite3_step(runs) == SQLITE_ROW) {
        rc = copy_run_rows(st, sqlite3_column_int64(runs, 0), combined_id, *next_seq);
        *next_seq += sqlite3_column_int64(runs, 1);
        *copied += rc == 0;
    }
    sqlite3_finalize(runs);
    return rc;
}

/* The combined run's row: earliest start, latest end (none if any input
** run never finished), counts summed. */
static int begin_combined(struct store *st, const char *command_line, long long *run_id)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (sqlite3_prepare_v2(store_db(st), "INSERT INTO main.run (started_at, command_line, uid)"
                           " VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?1,"
                           " lower(hex(randomblob(16))))", -1, &stmt, NULL) != SQLITE_OK)
        return fail_db(st, "recording the combined run");
    sqlite3_bind_text(stmt, 1, command_line, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : fail_db(st, "recording the combined run");
    sqlite3_finalize(stmt);
    *run_id = sqlite3_last_insert_rowid(store_db(st));
    return rc;
}

/* The combined run's counts, from the rows copied in. */
static int fill_combined(struct store *st, long long run_id)
{
    char sql[1024];

    snprintf(sql, sizeof sql,
             "UPDATE main.run SET"
             " passed = (SELECT count(*) FROM main.scenario_result WHERE run_id = %lld"
             " AND verdict = 'pass'),"
             " failed = (SELECT count(*) FROM main.scenario_result WHERE run_id = %lld"
             " AND verdict = 'fail'),"
             " errors = (SELECT count(*) FROM main.scenario_result WHERE run_id = %lld"
             " AND verdict = 'error'),"
             " ended_at = strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now') WHERE id = %lld",
             run_id, run_id, run_id, run_id);
    return exec(st, sql, "recording the combined run");
}

/* One input: attached, copied in one transaction, detached (ATTACH cannot
** happen inside a transaction). */
static int merge_one(struct store *out, const char *path, long long combined_id,
                     long long *next_seq, struct merge_result *res)
{
    int rc;

    if (attach(out, path) != 0)
        return -1;
    rc = exec(out, "BEGIN IMMEDIATE", "locking the database");
    if (rc == 0) {
        rc = combined_id ? append_runs(out, combined_id, next_seq, &res->copied)
                         : copy_runs(out, &res->copied, &res->skipped);
        rc = rc == 0 ? exec(out, "COMMIT", "writing the merged runs") : rc;
        if (rc != 0)
            sqlite3_exec(store_db(out), "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_exec(store_db(out), "DETACH src", NULL, NULL, NULL);
    return rc;
}

int merge_databases(struct store *out, const char *const *inputs, int ninputs, int combine,
                    const char *command_line, struct merge_result *res)
{
    long long next_seq = 0;
    int rc = 0;

    memset(res, 0, sizeof *res);
    for (int i = 0; rc == 0 && i < ninputs; i++)
        rc = check_input(out, inputs[i]);
    if (rc != 0 || (combine && begin_combined(out, command_line, &res->combined_run) != 0))
        return -1;
    for (int i = 0; rc == 0 && i < ninputs; i++)
        rc = merge_one(out, inputs[i], res->combined_run, &next_seq, res);
    if (rc == 0 && combine)
        rc = fill_combined(out, res->combined_run);
    return rc;
}
