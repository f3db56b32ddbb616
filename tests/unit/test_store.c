/*
** Unit tests for db/store.c: the results database.
**
** Each test works on a fresh file in its own temporary directory and
** checks the file with plain SQL through a second, independent connection,
** the way the sqlite3 shell and other people's pipelines see it: the
** outcome view's columns and NULLs (shared/spec/interface.md), the schema
** version, WAL mode, batching, refusals, and two processes appending to
** one file at the same time.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"

/* The last "-- @version N" step of db/schema.sql. */
#define LATEST_SCHEMA 7

/* db/schema.sql as embedded in the program (build/gen/schema_sql.c). */
extern const unsigned char schema_sql[];

struct fixture {
    char dir[64];
    char path[96];
};

static int make_dir(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);

    if (fx == NULL)
        return -1;
    strcpy(fx->dir, "/tmp/kmh-store-XXXXXX");
    if (mkdtemp(fx->dir) == NULL)
        return -1;
    snprintf(fx->path, sizeof fx->path, "%s/results.db", fx->dir);
    *state = fx;
    return 0;
}

static int remove_dir(void **state)
{
    struct fixture *fx = *state;
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    free(fx);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- helpers ---- */

static struct store *open_ok(const char *path)
{
    struct store *st = NULL;
    char err[256] = "";

    if (store_open(path, &st, err, sizeof err) != 0)
        fail_msg("store_open(%s): %s", path, err);
    return st;
}

/* An independent connection, like the sqlite3 shell's. */
static sqlite3 *peek(const char *path)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 30000);
    return db;
}

static long long query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    long long value;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

/* The first column of the first row as text ("(null)" for NULL), in buf. */
static const char *query_text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *stmt = NULL;
    const unsigned char *text;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    text = sqlite3_column_text(stmt, 0);
    snprintf(buf, len, "%s", text ? (const char *)text : "(null)");
    sqlite3_finalize(stmt);
    return buf;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

static const struct store_run_info run_info = {
    "test-1.0", "wine-8.0", "testhost", "kmharness run scenarios", NULL,
};

static long long begin_ok(struct store *st)
{
    long long run_id = 0;

    if (store_begin_run(st, &run_info, &run_id) != 0)
        fail_msg("store_begin_run: %s", store_error(st));
    return run_id;
}

static struct store_scenario plain_scenario(const char *name, const char *verdict)
{
    struct store_scenario sc = { .name = name, .verdict = verdict };

    sc.before = (struct store_probe){ 1, 0, "ok", "5.5.2653.9", NULL, 0 };
    sc.after = sc.before;
    return sc;
}

static void add_ok(struct store *st, long long run_id, int seq, const struct store_scenario *sc)
{
    if (store_add_scenario(st, run_id, seq, sc) != 0)
        fail_msg("store_add_scenario(%d): %s", seq, store_error(st));
}

static void end_ok(struct store *st, long long run_id, int passed, int failed, int errors)
{
    if (store_end_run(st, run_id, passed, failed, errors) != 0)
        fail_msg("store_end_run: %s", store_error(st));
}

static int open_fails(const char *path, char *err, size_t errlen)
{
    struct store *st = (struct store *)&st; /* must come back NULL */
    int rc = store_open(path, &st, err, errlen);

    assert_null(st);
    return rc;
}

/* ---- a new file ---- */

static void new_file_is_at_the_latest_version_in_wal_mode(void **state)
{
    struct fixture *fx = *state;
    struct store *st = open_ok(fx->path);
    sqlite3 *db = peek(fx->path);
    char buf[64];

    assert_int_equal(query_int(db, "PRAGMA user_version"), LATEST_SCHEMA);
    assert_string_equal(query_text(db, "PRAGMA journal_mode", buf, sizeof buf), "wal");
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
                                   " ('run', 'scenario_result', 'check_result', 'outcome')"), 4);
    assert_int_equal(query_int(store_db(st), "PRAGMA synchronous"), 1 /* NORMAL */);
    assert_int_equal(query_int(store_db(st), "PRAGMA foreign_keys"), 1);
    sqlite3_close(db);
    store_close(st);
}

/* Exactly the contract's columns, in its order. */
static void outcome_view_has_the_contract_columns(void **state)
{
    static const char *const columns[] = {
        "run_id", "scenario", "image_path_before", "before_code",
        "image_path_after", "after_code", "verdict",
    };
    struct fixture *fx = *state;
    struct store *st = open_ok(fx->path);
    sqlite3_stmt *stmt = NULL;

    assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT * FROM outcome", -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_column_count(stmt), 7);
    for (int i = 0; i < 7; i++)
        assert_string_equal(sqlite3_column_name(stmt, i), columns[i]);
    sqlite3_finalize(stmt);
    store_close(st);
}

static void reopening_keeps_the_data(void **state)
{
    struct fixture *fx = *state;
    struct store *st = open_ok(fx->path);
    struct store_scenario sc = plain_scenario("kept", "pass");
    long long first = begin_ok(st);
    sqlite3 *db;

    add_ok(st, first, 0, &sc);
    end_ok(st, first, 1, 0, 0);
    store_close(st);

    st = open_ok(fx->path);
    assert_true(begin_ok(st) > first);
    store_close(st);

    db = peek(fx->path);
    assert_int_equal(query_int(db, "SELECT count(*) FROM run"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM outcome WHERE scenario = 'kept'"), 1);
    assert_int_equal(query_int(db, "PRAGMA user_version"), LATEST_SCHEMA);
    sqlite3_close(db);
}

/* ---- what a run records ---- */

/* Three scenarios covering the contract's cases: version found after a
** Win32 error, KM server not installed, and an input error. */
static void record_three_kinds(struct store *st, long long run_id)
{
    static const struct store_check fixed_checks[] = {
        { "no-secret-left", 1, NULL },
        { "same-file", 0, "now names C:\\Other\\Kmserver.exe" },
    };
    struct store_scenario fixed = plain_scenario("password-in-path", "fail");
    struct store_scenario absent = plain_scenario("not-installed", "pass");
    struct store_scenario unreadable = { .name = "bad-directive", .verdict = "error",
                                         .error_text = "bad-directive.reg:3: unknown directive" };

    fixed.image_path_before = "C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted>";
    fixed.type_before = fixed.type_after = "REG_EXPAND_SZ";
    fixed.before = (struct store_probe){ 1, 2, "The system cannot find the file specified.", NULL, NULL, 0 };
    fixed.image_path_after = "C:\\Exchsrvr\\Bin\\Kmserver.exe";
    fixed.shape_before = "path+args";
    fixed.fix_action = "strip-arguments";
    fixed.checks = fixed_checks;
    fixed.nchecks = 2;
    fixed.elapsed_ms = 12.5;
    absent.before = absent.after = (struct store_probe){ 1, -1, NULL, NULL, NULL, 0 };
    absent.shape_before = "no-key";
    add_ok(st, run_id, 0, &fixed);
    add_ok(st, run_id, 1, &absent);
    add_ok(st, run_id, 2, &unreadable);
}

static void outcome_view_values_and_nulls(void **state)
{
    struct fixture *fx = *state;
    struct store *st = open_ok(fx->path);
    long long run_id = begin_ok(st);
    sqlite3 *db;
    char sql[256], buf[128];

    record_three_kinds(st, run_id);
    end_ok(st, run_id, 1, 1, 1);
    store_close(st);
    db = peek(fx->path);

#define ROW(name, expr) (snprintf(sql, sizeof sql, "SELECT %s FROM outcome WHERE run_id = %lld" \
                                  " AND scenario = '%s'", expr, run_id, name), sql)
    assert_string_equal(query_text(db, ROW("password-in-path", "image_path_before"), buf, sizeof buf),
                        "C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted>");
    assert_int_equal(query_int(db, ROW("password-in-path", "before_code")), 2);
    assert_string_equal(query_text(db, ROW("password-in-path", "image_path_after"), buf, sizeof buf),
                        "C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_string_equal(query_text(db, ROW("password-in-path", "typeof(after_code) || after_code"),
                                   buf, sizeof buf), "integer0");
    assert_string_equal(query_text(db, ROW("password-in-path", "verdict"), buf, sizeof buf), "fail");

    assert_int_equal(query_int(db, ROW("not-installed", "before_code")), -1);
    assert_int_equal(query_int(db, ROW("not-installed", "after_code")), -1);
    assert_int_equal(query_int(db, ROW("not-installed", "image_path_before IS NULL"
                                                        " AND image_path_after IS NULL")), 1);

    /* An input error: the probe did not run, so the codes are NULL, not 0. */
    assert_int_equal(query_int(db, ROW("bad-directive", "before_code IS NULL AND after_code IS NULL"
                                                        " AND image_path_before IS NULL")), 1);
    assert_string_equal(query_text(db, ROW("bad-directive", "verdict"), buf, sizeof buf), "error");
#undef ROW
    sqlite3_close(db);
}

static void run_row_and_checks_are_recorded(void **state)
{
    struct fixture *fx = *state;
    struct store *st = open_ok(fx->path);
    long long run_id = begin_ok(st);
    sqlite3 *db;
    char buf[128];

    record_three_kinds(st, run_id);
    end_ok(st, run_id, 1, 1, 1);
    store_close(st);
    db = peek(fx->path);

    assert_string_equal(query_text(db, "SELECT harness_version || '|' || wine_version || '|' ||"
                                       " host || '|' || command_line FROM run", buf, sizeof buf),
                        "test-1.0|wine-8.0|testhost|kmharness run scenarios");
    assert_int_equal(query_int(db, "SELECT passed * 100 + failed * 10 + errors FROM run"), 111);
    assert_int_equal(query_int(db, "SELECT count(*) FROM run WHERE"
                                   " started_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T"
                                   "[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z' AND ended_at >= started_at"),
                     1);
    assert_string_equal(query_text(db, "SELECT group_concat(name || '=' || ok, ',') FROM"
                                       " (SELECT name, ok FROM check_result WHERE seq = 0"
                                       " ORDER BY rowid)", buf, sizeof buf),
                        "no-secret-left=1,same-file=0");
    assert_string_equal(query_text(db, "SELECT before_message FROM scenario_result WHERE seq = 0",
                                   buf, sizeof buf), "The system cannot find the file specified.");
    assert_int_equal(query_int(db, "SELECT before_version IS NULL AND after_version = '5.5.2653.9'"
                                   " AND type_before = 'REG_EXPAND_SZ' AND elapsed_ms = 12.5"
                                   " AND fix_action = 'strip-arguments'"
                                   " FROM scenario_result WHERE seq = 0"), 1);
    assert_int_equal(query_int(db, "SELECT before_message IS NULL AND before_version IS NULL"
                                   " FROM scenario_result WHERE seq = 2"), 1);
    assert_string_equal(query_text(db, "SELECT group_concat(coalesce(shape_before, 'NULL'), ',')"
                                       " FROM (SELECT shape_before FROM scenario_result"
                                       " ORDER BY seq)", buf, sizeof buf),
                        "path+args,no-key,NULL");
    sqlite3_close(db);
}

/* Scenarios reach the file in batches, all of them by the end of the run. */
static void scenarios_are_written_in_batches(void **state)
{
    struct fixture *fx = *state;
    struct store *st = open_ok(fx->path);
    struct store_scenario sc = plain_scenario("batched", "pass");
    long long run_id = begin_ok(st);
    sqlite3 *db = peek(fx->path);

    for (int seq = 0; seq < STORE_BATCH - 1; seq++)
        add_ok(st, run_id, seq, &sc);
    assert_int_equal(query_int(db, "SELECT count(*) FROM scenario_result"), 0);
    add_ok(st, run_id, STORE_BATCH - 1, &sc);
    assert_int_equal(query_int(db, "SELECT count(*) FROM scenario_result"), STORE_BATCH);
    add_ok(st, run_id, STORE_BATCH, &sc);
    end_ok(st, run_id, STORE_BATCH + 1, 0, 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM scenario_result"), STORE_BATCH + 1);
    sqlite3_close(db);
    store_close(st);
}

/* A run cut short (no store_end_run) still keeps its scenarios. */
static void close_writes_the_buffer(void **state)
{
    struct fixture *fx = *state;
    struct store *st = open_ok(fx->path);
    struct store_scenario sc = plain_scenario("interrupted", "pass");
    long long run_id = begin_ok(st);
    sqlite3 *db;

    add_ok(st, run_id, 0, &sc);
    store_close(st);
    db = peek(fx->path);
    assert_int_equal(query_int(db, "SELECT count(*) FROM outcome"), 1);
    assert_int_equal(query_int(db, "SELECT ended_at IS NULL AND passed IS NULL FROM run"), 1);
    sqlite3_close(db);
}

/* ---- upgrades ---- */

/* Makes path a file exactly as a harness at schema step VERSION left it
** (the steps of schema.sql up to it, user_version set), then runs ROWS. */
static void make_file_at_version(const char *path, int version, const char *rows)
{
    const char *text = (const char *)schema_sql;
    char mark[32], pragma[64];
    sqlite3 *db = NULL;
    char *steps;

    snprintf(mark, sizeof mark, "\n-- @version %d", version + 1);
    assert_non_null(strstr(text, mark));
    steps = strndup(text, (size_t)(strstr(text, mark) - text));
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec_ok(db, steps);
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", version);
    exec_ok(db, pragma);
    exec_ok(db, rows);
    sqlite3_close(db);
    free(steps);
}

/* Makes path a file exactly as a harness with only schema step 1 left it,
** holding one finished run with one scenario. */
static void make_version_1_file(const char *path)
{
    make_file_at_version(path, 1,
                         "INSERT INTO run (id, started_at, ended_at, passed, failed, errors)"
                         " VALUES (1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', 1, 0, 0);"
                         "INSERT INTO scenario_result (run_id, seq, scenario, verdict, before_code,"
                         " after_code) VALUES (1, 0, 'old', 'pass', 2, 0);"
                         "INSERT INTO check_result (run_id, seq, name, ok, detail)"
                         " VALUES (1, 0, 'same-file', 1, 'old check');");
}

/* Step 2 adds the shape column; old rows keep everything and get NULL. */
static void version_1_file_is_upgraded_in_place(void **state)
{
    struct fixture *fx = *state;
    struct store *st;
    struct store_scenario sc = plain_scenario("new", "pass");
    long long run_id;
    sqlite3 *db;
    char buf[64];

    make_version_1_file(fx->path);
    st = open_ok(fx->path);
    run_id = begin_ok(st);
    assert_int_equal(run_id, 2);
    sc.shape_before = "quoted+args";
    add_ok(st, run_id, 0, &sc);
    end_ok(st, run_id, 1, 0, 0);
    store_close(st);

    db = peek(fx->path);
    assert_int_equal(query_int(db, "PRAGMA user_version"), LATEST_SCHEMA);
    assert_string_equal(query_text(db, "SELECT group_concat(scenario || ':' || before_code || ':'"
                                       " || coalesce(shape_before, 'NULL'), ',') FROM"
                                       " (SELECT * FROM scenario_result ORDER BY run_id)",
                                   buf, sizeof buf),
                        "old:2:NULL,new:0:quoted+args");
    assert_int_equal(query_int(db, "SELECT count(*) FROM outcome"), 2);
    /* Step 4 rebuilt the tables: the old run's checks came along, and the
    ** foreign keys still cascade. */
    assert_string_equal(query_text(db, "SELECT name || ':' || detail FROM check_result"
                                       " WHERE run_id = 1", buf, sizeof buf),
                        "same-file:old check");
    assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    sqlite3_close(db);
}

/* Step 4: a server export's verdict "observed" is stored and shown. */
static void observed_verdict_is_stored(void **state)
{
    struct fixture *fx = *state;
    struct store *st = open_ok(fx->path);
    struct store_scenario sc = plain_scenario("export", "observed");
    long long run_id = begin_ok(st);
    add_ok(st, run_id, 0, &sc);
    end_ok(st, run_id, 1, 0, 0);
    store_close(st);
    sqlite3 *db = peek(fx->path);
    char buf[64];
    assert_string_equal(query_text(db, "SELECT verdict FROM outcome", buf, sizeof buf),
                        "observed");
    sqlite3_close(db);
}

/* The outcome view keeps exactly the contract's columns after step 2. */
static void upgraded_outcome_view_keeps_its_columns(void **state)
{
    struct fixture *fx = *state;
    struct store *st;
    sqlite3 *db;

    make_version_1_file(fx->path);
    st = open_ok(fx->path);
    store_close(st);
    db = peek(fx->path);
    assert_string_equal(query_text(db, "SELECT group_concat(name, ',') FROM"
                                       " pragma_table_info('outcome')", (char[128]){ 0 }, 128),
                        "run_id,scenario,image_path_before,before_code,image_path_after,"
                        "after_code,verdict");
    sqlite3_close(db);
}

/* Makes path a file exactly as a harness at schema step 6 left it (before
** the service columns), holding one finished run with one scenario. */
static void make_version_6_file(const char *path)
{
    make_file_at_version(path, 6,
                         "INSERT INTO run (id, started_at, ended_at, passed, failed, errors, uid)"
                         " VALUES (1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', 1, 0, 0,"
                         " 'u6');"
                         "INSERT INTO scenario_result (run_id, seq, scenario, verdict, before_code,"
                         " after_code, shape_before) VALUES (1, 0, 'old', 'pass', 2, 0,"
                         " 'path+args');");
}

/* The service columns of every row, in order, as "name:before:after:restored:image". */
#define SERVICE_ROWS "SELECT group_concat(scenario || ':' || coalesce(service_before, 'NULL')" \
    " || ':' || coalesce(service_after, 'NULL') || ':' || coalesce(service_restored, 'NULL')" \
    " || ':' || coalesce(service_image, 'NULL'), ',') FROM" \
    " (SELECT * FROM scenario_result ORDER BY run_id, seq)"

/* Step 7 adds the service columns: rows from before keep everything and
** get NULL (the lifecycle did not run), new rows store the STATE words;
** the outcome view is the same. */
static void version_6_file_gets_the_service_columns(void **state)
{
    struct fixture *fx = *state;
    struct store *st;
    struct store_scenario sc = plain_scenario("new", "pass"), bare = plain_scenario("bare", "pass");
    long long run_id;
    sqlite3 *db;
    char buf[256];

    make_version_6_file(fx->path);
    st = open_ok(fx->path);
    run_id = begin_ok(st);
    assert_int_equal(run_id, 2);
    sc.service_before = "running";
    sc.service_after = "decoy";
    sc.service_restored = "not-started:1053";
    sc.service_image = "C:\\Program.exe";
    add_ok(st, run_id, 0, &sc);
    add_ok(st, run_id, 1, &bare);
    end_ok(st, run_id, 2, 0, 0);
    store_close(st);

    db = peek(fx->path);
    assert_int_equal(query_int(db, "PRAGMA user_version"), LATEST_SCHEMA);
    assert_string_equal(query_text(db, SERVICE_ROWS, buf, sizeof buf),
                        "old:NULL:NULL:NULL:NULL,new:running:decoy:not-started:1053:C:\\Program.exe,"
                        "bare:NULL:NULL:NULL:NULL");
    assert_string_equal(query_text(db, "SELECT shape_before || ':' || before_code FROM"
                                       " scenario_result WHERE run_id = 1", buf, sizeof buf),
                        "path+args:2");
    assert_string_equal(query_text(db, "SELECT group_concat(name, ',') FROM"
                                       " pragma_table_info('outcome')", buf, sizeof buf),
                        "run_id,scenario,image_path_before,before_code,image_path_after,"
                        "after_code,verdict");
    sqlite3_close(db);
}

/* Only the canonical STATE words go in (reports compare them as text). */
static void service_states_must_be_canonical(void **state)
{
    static const char *const bad[] = { "Running", "stopped", "stopped:01", "stopped:-1",
                                       "not-started:ERROR_SERVICE_DISABLED", "decoy ", "" };
    struct fixture *fx = *state;
    struct store *st = open_ok(fx->path);
    struct store_scenario sc = plain_scenario("s", "fail");
    long long run_id = begin_ok(st);
    sqlite3 *db;
    char buf[128];

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sc.service_restored = bad[i];
        if (store_add_scenario(st, run_id, 0, &sc) == 0)
            fail_msg("service state \"%s\" was stored", bad[i]);
        assert_non_null(strstr(store_error(st), "service state"));
    }
    sc.service_restored = NULL;
    sc.service_after = "stopped:4294967295";
    add_ok(st, run_id, 0, &sc);
    end_ok(st, run_id, 0, 1, 0);
    store_close(st);
    db = peek(fx->path);
    assert_string_equal(query_text(db, SERVICE_ROWS, buf, sizeof buf),
                        "s:NULL:stopped:4294967295:NULL:NULL");
    sqlite3_close(db);
}

/* ---- refusals ---- */

static void bad_scenarios_are_refused_alone(void **state)
{
    struct fixture *fx = *state;
    struct store *st = open_ok(fx->path);
    struct store_scenario good = plain_scenario("good", "pass");
    struct store_scenario odd = plain_scenario("odd", "passed");
    struct store_scenario nameless = plain_scenario(NULL, "pass");
    long long run_id = begin_ok(st);
    sqlite3 *db;

    assert_int_not_equal(store_add_scenario(st, run_id, 0, &odd), 0);
    assert_non_null(strstr(store_error(st), "verdict"));
    assert_int_not_equal(store_add_scenario(st, run_id, 0, &nameless), 0);
    add_ok(st, run_id, 0, &good);
    assert_int_not_equal(store_add_scenario(st, run_id, 0, &good), 0); /* same seq again */
    add_ok(st, run_id, 1, &good);
    end_ok(st, run_id, 2, 0, 0);
    store_close(st);

    db = peek(fx->path);
    assert_int_equal(query_int(db, "SELECT count(*) FROM outcome"), 2);
    sqlite3_close(db);
}

static void ending_an_unknown_run_fails(void **state)
{
    struct fixture *fx = *state;
    struct store *st = open_ok(fx->path);
    long long run_id = begin_ok(st);

    assert_int_not_equal(store_end_run(st, run_id + 41, 0, 0, 0), 0);
    assert_non_null(strstr(store_error(st), "no run"));
    end_ok(st, run_id, 0, 0, 0);
    store_close(st);
}

/* A newer harness's file is refused and left exactly as it was. */
static void newer_schema_is_refused_untouched(void **state)
{
    struct fixture *fx = *state;
    sqlite3 *db = NULL;
    char err[256] = "", buf[32];

    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    exec_ok(db, "CREATE TABLE future (x); PRAGMA user_version = 99;");
    sqlite3_close(db);

    assert_int_not_equal(open_fails(fx->path, err, sizeof err), 0);
    assert_non_null(strstr(err, fx->path));
    assert_non_null(strstr(err, "version 99"));
    assert_non_null(strstr(err, "newer"));

    db = peek(fx->path);
    assert_int_equal(query_int(db, "PRAGMA user_version"), 99);
    assert_string_equal(query_text(db, "PRAGMA journal_mode", buf, sizeof buf), "delete");
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master"), 1);
    sqlite3_close(db);
}

static void foreign_database_is_refused(void **state)
{
    struct fixture *fx = *state;
    sqlite3 *db = NULL;
    char err[256] = "";

    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    exec_ok(db, "CREATE TABLE photos (id INTEGER PRIMARY KEY)");
    sqlite3_close(db);

    assert_int_not_equal(open_fails(fx->path, err, sizeof err), 0);
    assert_non_null(strstr(err, "not a kmharness database"));
    db = peek(fx->path);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master"), 1);
    sqlite3_close(db);
}

static void non_database_file_is_refused(void **state)
{
    struct fixture *fx = *state;
    FILE *f = fopen(fx->path, "w");
    char err[256] = "";

    assert_non_null(f);
    for (int i = 0; i < 100; i++)
        fputs("this is a text file, not a database\n", f);
    fclose(f);
    assert_int_not_equal(open_fails(fx->path, err, sizeof err), 0);
    assert_non_null(strstr(err, fx->path));
}

static void missing_directory_is_refused(void **state)
{
    struct fixture *fx = *state;
    char path[160], err[256] = "";

    snprintf(path, sizeof path, "%s/no/such/dir/results.db", fx->dir);
    assert_int_not_equal(open_fails(path, err, sizeof err), 0);
    assert_non_null(strstr(err, path));
}

/* ---- two writers ---- */

#define PER_WRITER 500

/* A child process: waits for the start signal, appends one run of
** PER_WRITER scenarios (each with one check), exits 0 on success. */
static void writer(const char *path, int start_fd)
{
    struct store *st = NULL;
    struct store_check check = { "same-file", 1, NULL };
    struct store_scenario sc = plain_scenario("concurrent", "pass");
    char err[256], go;
    long long run_id;
    int rc;

    sc.checks = &check;
    sc.nchecks = 1;
    if (read(start_fd, &go, 1) != 0)
        _exit(10);
    if (store_open(path, &st, err, sizeof err) != 0) {
        fprintf(stderr, "writer %d: %s\n", (int)getpid(), err);
        _exit(11);
    }
    rc = store_begin_run(st, &run_info, &run_id);
    for (int seq = 0; rc == 0 && seq < PER_WRITER; seq++)
        rc = store_add_scenario(st, run_id, seq, &sc);
    if (rc == 0)
        rc = store_end_run(st, run_id, PER_WRITER, 0, 0);
    if (rc != 0)
        fprintf(stderr, "writer %d: %s\n", (int)getpid(), store_error(st));
    store_close(st);
    _exit(rc == 0 ? 0 : 12);
}

/* Both children start together on a file that does not exist yet, so they
** also race to create the schema. */
static void two_processes_append_to_one_file(void **state)
{
    struct fixture *fx = *state;
    int start[2];
    pid_t pids[2];
    sqlite3 *db;

    assert_int_equal(pipe(start), 0);
    for (int i = 0; i < 2; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            close(start[1]);
            writer(fx->path, start[0]);
        }
    }
    close(start[0]);
    close(start[1]); /* the start signal: both reads return 0 */
    for (int i = 0; i < 2; i++) {
        int status = 0;

        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }

    db = peek(fx->path);
    assert_int_equal(query_int(db, "SELECT count(*) FROM outcome"), 2 * PER_WRITER);
    assert_int_equal(query_int(db, "SELECT count(*) FROM check_result"), 2 * PER_WRITER);
    assert_int_equal(query_int(db, "SELECT count(*) FROM run"), 2);
    assert_int_equal(query_int(db, "SELECT count(DISTINCT run_id) FROM outcome"), 2);
    assert_int_equal(query_int(db, "SELECT min(n) FROM (SELECT count(*) AS n FROM outcome"
                                   " GROUP BY run_id)"), PER_WRITER);
    assert_int_equal(query_int(db, "SELECT sum(passed) FROM run WHERE ended_at IS NOT NULL"),
                     2 * PER_WRITER);
    assert_int_equal(query_int(db, "PRAGMA user_version"), LATEST_SCHEMA);
    sqlite3_close(db);
}

/* The deterministic form of the race: another process holds the write lock
** of a new, still rollback-journal file while this one opens it.  Switching
** to WAL upgrades a read lock to a write lock, for which SQLite never calls
** the busy handler, so without the store's own wait the open failed at once
** with "database is locked" whatever the busy timeout. */
static void open_waits_for_a_writer_of_a_new_file(void **state)
{
    struct fixture *fx = *state;
    int locked[2];
    pid_t pid;
    char go;
    int status = 0;
    struct store *st;

    assert_int_equal(pipe(locked), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *db = NULL;

        close(locked[0]);
        /* The busy timeout: committing the new file's first page needs
        ** the store's read lock gone, between two of its tries. */
        if (sqlite3_open(fx->path, &db) != SQLITE_OK
            || sqlite3_busy_timeout(db, 30000) != SQLITE_OK
            || sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            _exit(10);
        close(locked[1]); /* "I hold the write lock" */
        usleep(300 * 1000);
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            fprintf(stderr, "holder: COMMIT: %s\n", sqlite3_errmsg(db));
            _exit(11);
        }
        _exit(0);
    }
    close(locked[1]);
    assert_int_equal(read(locked[0], &go, 1), 0);
    close(locked[0]);
    st = open_ok(fx->path);
    store_close(st);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The race as CI meets it: several harnesses start at the same moment on
** a results file that does not exist yet, each appending a short run.
** ROUNDS fresh files per call, so one call of test_store almost always
** met the race before the fix (tests/stress-store.sh repeats the program). */
#define OPENERS 4
#define ROUNDS 8
#define PER_OPENER 3

static void opener(const char *path, int start_fd)
{
    struct store *st = NULL;
    struct store_scenario sc = plain_scenario("concurrent-open", "pass");
    char err[256], go;
    long long run_id;
    int rc;

    if (read(start_fd, &go, 1) != 0)
        _exit(10);
    if (store_open(path, &st, err, sizeof err) != 0) {
        fprintf(stderr, "opener %d: %s\n", (int)getpid(), err);
        _exit(11);
    }
    rc = store_begin_run(st, &run_info, &run_id);
    for (int seq = 0; rc == 0 && seq < PER_OPENER; seq++)
        rc = store_add_scenario(st, run_id, seq, &sc);
    if (rc == 0)
        rc = store_end_run(st, run_id, PER_OPENER, 0, 0);
    if (rc != 0)
        fprintf(stderr, "opener %d: %s\n", (int)getpid(), store_error(st));
    store_close(st);
    _exit(rc == 0 ? 0 : 12);
}

static void one_round_of_openers(const char *path)
{
    int start[2];
    pid_t pids[OPENERS];
    int failed = 0;
    sqlite3 *db;

    assert_int_equal(pipe(start), 0);
    for (int i = 0; i < OPENERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            close(start[1]);
            opener(path, start[0]);
        }
    }
    close(start[0]);
    close(start[1]);
    for (int i = 0; i < OPENERS; i++) {
        int status = 0;

        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    assert_int_equal(failed, 0);
    db = peek(path);
    assert_int_equal(query_int(db, "SELECT count(*) FROM run WHERE ended_at IS NOT NULL"),
                     OPENERS);
    assert_int_equal(query_int(db, "SELECT count(*) FROM outcome"), OPENERS * PER_OPENER);
    assert_int_equal(query_int(db, "PRAGMA user_version"), LATEST_SCHEMA);
    sqlite3_close(db);
}

static void processes_creating_one_file_at_once_all_succeed(void **state)
{
    struct fixture *fx = *state;

    for (int round = 0; round < ROUNDS; round++) {
        char path[128];

        snprintf(path, sizeof path, "%s/round-%d.db", fx->dir, round);
        one_round_of_openers(path);
    }
}

#define FILE_TEST(name) cmocka_unit_test_setup_teardown(name, make_dir, remove_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FILE_TEST(new_file_is_at_the_latest_version_in_wal_mode),
        FILE_TEST(observed_verdict_is_stored),
        FILE_TEST(outcome_view_has_the_contract_columns),
        FILE_TEST(reopening_keeps_the_data),
        FILE_TEST(outcome_view_values_and_nulls),
        FILE_TEST(run_row_and_checks_are_recorded),
        FILE_TEST(scenarios_are_written_in_batches),
        FILE_TEST(close_writes_the_buffer),
        FILE_TEST(version_1_file_is_upgraded_in_place),
        FILE_TEST(upgraded_outcome_view_keeps_its_columns),
        FILE_TEST(version_6_file_gets_the_service_columns),
        FILE_TEST(service_states_must_be_canonical),
        FILE_TEST(bad_scenarios_are_refused_alone),
        FILE_TEST(ending_an_unknown_run_fails),
        FILE_TEST(newer_schema_is_refused_untouched),
        FILE_TEST(foreign_database_is_refused),
        FILE_TEST(non_database_file_is_refused),
        FILE_TEST(missing_directory_is_refused),
        FILE_TEST(two_processes_append_to_one_file),
        FILE_TEST(open_waits_for_a_writer_of_a_new_file),
        FILE_TEST(processes_creating_one_file_at_once_all_succeed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
