/*
** The results database: opening, migrating and appending runs.
**
** See store.h for the interface and db/schema.sql for the tables.
**
** Opening: the file's PRAGMA user_version says which schema.sql steps it
** has; the missing ones run in one BEGIN IMMEDIATE transaction (another
** process may be creating the same file: whoever comes second waits, then
** finds the steps done).  A file from a newer harness is refused untouched.
** The switch of a new file to WAL mode is the one lock SQLite's busy
** handler does not wait for; set_journal_wal() waits for it itself.
**
** Appending: a scenario first goes to this connection's temp tables, which
** live outside the shared file and take none of its locks; flush_pending()
** copies them to the file in one short write transaction.  So a run holds
** the write lock only for milliseconds per batch, and the other writers
** wait for it through the busy timeout instead of failing.
*/
#include "store.h"
#include "service_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* db/schema.sql, embedded by the Makefile (build/gen/schema_sql.c). */
extern const unsigned char schema_sql[];
extern const unsigned long schema_sql_len;

/* Long enough for another run's batch, checkpoint and a slow disk. */
#define BUSY_TIMEOUT_MS 30000
/* The pause between two tries of the switch to WAL (set_journal_wal). */
#define WAL_RETRY_MS 10

#define VERSION_MARK "-- @version "

struct store {
    sqlite3 *db;
    sqlite3_stmt *add_scenario; /* into temp.pending_scenario */
    sqlite3_stmt *add_check;    /* into temp.pending_check */
    int npending;               /* scenarios in the temp tables */
    char err[512];
};

static const char pending_ddl[] =
    /* Same columns as the file's tables, none of their constraints: the
    ** unique index catches a repeated seq when it is added, not a batch
    ** later when the whole batch would fail. */
    "CREATE TEMP TABLE pending_scenario AS SELECT * FROM main.scenario_result LIMIT 0;"
    "CREATE UNIQUE INDEX temp.pending_scenario_key ON pending_scenario (run_id, seq);"
    "CREATE TEMP TABLE pending_check AS SELECT * FROM main.check_result LIMIT 0;";

static const char add_scenario_sql[] =
    "INSERT INTO temp.pending_scenario (run_id, seq, scenario, source_file, summary,"
    " verdict, error_text, image_path_before, type_before, before_code, before_message,"
    " before_version, image_path_after, type_after, after_code, after_message,"
    " after_version, fix_action, fix_message, elapsed_ms, shape_before,"
    " before_rule, before_assumed, after_rule, after_assumed,"
    " service_before, service_after, service_restored, service_image)"
    " VALUES (:run_id, :seq, :scenario, :source_file, :summary, :verdict, :error_text,"
    " :image_path_before, :type_before, :before_code, :before_message, :before_version,"
    " :image_path_after, :type_after, :after_code, :after_message, :after_version,"
    " :fix_action, :fix_message, :elapsed_ms, :shape_before,"
    " :before_rule, :before_assumed, :after_rule, :after_assumed,"
    " :service_before, :service_after, :service_restored, :service_image)";

static const char add_check_sql[] =
    "INSERT INTO temp.pending_check (run_id, seq, name, ok, detail)"
    " VALUES (:run_id, :seq, :name, :ok, :detail)";

/* Scenarios before their checks (foreign key); rowid order keeps each
** scenario's checks in the order the harness evaluated them. */
static const char flush_sql[] =
    "INSERT INTO main.scenario_result SELECT * FROM temp.pending_scenario ORDER BY rowid;"
    "INSERT INTO main.check_result SELECT * FROM temp.pending_check ORDER BY rowid;"
    "DELETE FROM temp.pending_scenario;"
    "DELETE FROM temp.pending_check;";

static int fail_db(struct store *st, const char *what)
{
    return store_set_error(st, "%s: %s", what, sqlite3_errmsg(st->db));
}

int store_set_error(struct store *st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(st->err, sizeof st->err, fmt, ap);
    va_end(ap);
    return -1;
}

const char *store_error(struct store *st)
{
    return st->err;
}

sqlite3 *store_db(struct store *st)
{
    return st->db;
}

static int exec(struct store *st, const char *sql, const char *what)
{
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail_db(st, what);
}

/* Ends the transaction opened by a successful BEGIN: COMMIT when ok is 0,
** ROLLBACK otherwise (keeping the first error's message).  A failed COMMIT
** is rolled back too, so the next BEGIN starts clean. */
static int finish_transaction(struct store *st, int ok)
{
    if (ok == 0 && exec(st, "COMMIT", "commit") == 0)
        return 0;
    if (sqlite3_get_autocommit(st->db) == 0)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* ---- schema steps ---- */

/* One "-- @version N" section of schema.sql. */
struct schema_step {
    int version;
    const char *sql;
    size_t len;
};

/* Finds step number `version` in schema.sql; 0 when it has none. */
static int find_step(int version, struct schema_step *step)
{
    const char *text = (const char *)schema_sql;
    const char *end = text + schema_sql_len;
    const char *p = text;

    while ((p = strstr(p, VERSION_MARK)) != NULL) {
        int at_line_start = p == text || p[-1] == '\n';
        const char *body = p + strlen(VERSION_MARK);

        p = body;
        if (!at_line_start || atoi(body) != version)
            continue;
        step->version = version;
        step->sql = body + strcspn(body, "\n");
        p = strstr(step->sql, "\n" VERSION_MARK); /* the next step, if any */
        step->len = (size_t)((p ? p + 1 : end) - step->sql);
        return 1;
    }
    return 0;
}

/* The newest schema version this build knows: the last step in schema.sql. */
static int known_version(void)
{
    struct schema_step step;
    int version = 0;

    while (find_step(version + 1, &step))
        version++;
    return version;
}

/* Runs every statement of one step (sqlite3_exec needs a NUL at its end,
** which a step in the middle of schema.sql does not have). */
static int run_step(struct store *st, const struct schema_step *step)
{
    const char *sql = step->sql;
    const char *end = step->sql + step->len;

    while (sql < end) {
        sqlite3_stmt *stmt = NULL;
        const char *tail = NULL;
        int rc = sqlite3_prepare_v2(st->db, sql, (int)(end - sql), &stmt, &tail);

        if (rc == SQLITE_OK && stmt != NULL) {
            rc = sqlite3_step(stmt);
            rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_OK)
            return store_set_error(st, "schema step %d: %s", step->version,
                                   sqlite3_errmsg(st->db));
        sql = tail;
    }
    return 0;
}

static int read_user_version(struct store *st, int *version)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA main.user_version", -1, &stmt, NULL);

    if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *version = sqlite3_column_int(stmt, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? 0 : fail_db(st, "reading the schema version");
}

static int refuse_newer(struct store *st, int version)
{
    int known = known_version();

    if (version <= known)
        return 0;
    return store_set_error(st, "the database has schema version %d, newer than this "
                           "harness knows (%d): use a newer kmharness or another --db file",
                           version, known);
}

/* A version 0 file with tables in it belongs to some other program. */
static int refuse_foreign(struct store *st)
{
    sqlite3_stmt *stmt = NULL;
    int count = -1;

    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM main.sqlite_master", -1, &stmt,
                           NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        count = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    if (count < 0)
        return fail_db(st, "reading the schema");
    if (count > 0)
        return store_set_error(st, "the file holds tables but no kmharness schema version: "
                               "not a kmharness database");
    return 0;
}

/* Applies the steps after `from` up to the known version, each followed by
** its user_version, inside the caller's transaction. */
static int apply_steps(struct store *st, int from)
{
    int known = known_version();

    for (int v = from + 1; v <= known; v++) {
        struct schema_step step;
        char pragma[64];

        find_step(v, &step);
        if (run_step(st, &step) != 0)
            return -1;
        snprintf(pragma, sizeof pragma, "PRAGMA main.user_version = %d", v);
        if (exec(st, pragma, "setting the schema version") != 0)
            return -1;
    }
    return 0;
}

static int migrate(struct store *st)
{
    int version = 0;
    int rc;

    if (exec(st, "BEGIN IMMEDIATE", "locking the database to create its tables") != 0)
        return -1;
    /* Read again under the write lock: another process may have just
    ** created or upgraded the file. */
    rc = read_user_version(st, &version);
    if (rc == 0)
        rc = refuse_newer(st, version);
    if (rc == 0 && version == 0)
        rc = refuse_foreign(st);
    if (rc == 0)
        rc = apply_steps(st, version);
    return finish_transaction(st, rc);
}

/* ---- opening ---- */

/* One attempt at the switch: SQLITE_OK once the file is in WAL mode. */
static int try_journal_wal(struct store *st)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA main.journal_mode = WAL", -1, &stmt, NULL);

    if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const unsigned char *mode = sqlite3_column_text(stmt, 0);

        rc = mode != NULL && strcmp((const char *)mode, "wal") == 0 ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Switching a file that is still in rollback-journal mode (a new file) to
** WAL takes a read lock and then upgrades it to the write lock, to stamp
** the file header.  SQLite never calls the busy handler for such an
** upgrade (two upgraders waiting for each other would deadlock), so when
** another process holds the write lock -- typically another harness
** creating the same new file -- the PRAGMA fails at once with SQLITE_BUSY,
** whatever the busy timeout.  The failed statement has released its read
** lock, so waiting and trying again is safe: it is what the busy handler
** would have done.  Once the header says WAL the PRAGMA takes no lock. */
static int set_journal_wal(struct store *st)
{
    int waited = 0;
    int rc;

    while ((rc = try_journal_wal(st)) == SQLITE_BUSY && waited < BUSY_TIMEOUT_MS)
        waited += sqlite3_sleep(WAL_RETRY_MS);
    if (rc != SQLITE_OK)
        return store_set_error(st, "cannot switch the database to WAL mode: %s",
                               rc == SQLITE_BUSY ? "database is locked" : sqlite3_errmsg(st->db));
    return 0;
}

static int prepare(struct store *st, const char *sql, sqlite3_stmt **stmt)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return fail_db(st, "preparing a statement");
    return 0;
}

/* Everything after sqlite3_open; the caller closes on failure. */
static int set_up(struct store *st)
{
    int version = 0;

    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
    /* Before anything writes: a newer harness's file is left as it is. */
    if (read_user_version(st, &version) != 0 || refuse_newer(st, version) != 0)
        return -1;
    if (set_journal_wal(st) != 0
        || exec(st, "PRAGMA synchronous = NORMAL", "setting synchronous") != 0
        || exec(st, "PRAGMA foreign_keys = ON", "enabling foreign keys") != 0
        /* The buffer of pending scenarios (at most STORE_BATCH) in memory:
        ** in a temporary file it cost 11 writes per scenario (issue 12). */
        || exec(st, "PRAGMA temp_store = MEMORY", "keeping the scenario buffer in memory") != 0
        || migrate(st) != 0
        || exec(st, pending_ddl, "creating the scenario buffer") != 0)
        return -1;
    return prepare(st, add_scenario_sql, &st->add_scenario)
        || prepare(st, add_check_sql, &st->add_check);
}

static void close_handles(struct store *st)
{
    sqlite3_finalize(st->add_scenario);
    sqlite3_finalize(st->add_check);
    sqlite3_close(st->db);
    free(st);
}

int store_open(const char *unix_path, struct store **out, char *err, size_t errlen)
{
    struct store *st = calloc(1, sizeof *st);
    int rc;

    *out = NULL;
    if (st == NULL) {
        snprintf(err, errlen, "%s: out of memory", unix_path);
        return -1;
    }
    rc = sqlite3_open_v2(unix_path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK)
        store_set_error(st, "cannot open: %s", st->db ? sqlite3_errmsg(st->db) : "out of memory");
    else
        rc = set_up(st);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", unix_path, st->err);
        close_handles(st);
        return -1;
    }
    *out = st;
    return 0;
}

/* ---- appending ---- */

/* Copies the buffered scenarios to the file inside the caller's write
** transaction.  The caller zeroes npending only once that commits, so a
** failed copy loses nothing and the next flush retries it. */
static int copy_pending(struct store *st)
{
    return st->npending == 0 ? 0 : exec(st, flush_sql, "writing scenarios");
}

static int flush_pending(struct store *st)
{
    int rc;

    if (st->npending == 0)
        return 0;
    if (exec(st, "BEGIN IMMEDIATE", "locking the database") != 0)
        return -1;
    rc = finish_transaction(st, copy_pending(st));
    if (rc == 0)
        st->npending = 0;
    return rc;
}

int store_flush(struct store *st)
{
    return flush_pending(st);
}

void store_close(struct store *st)
{
    if (st == NULL)
        return;
    /* Nobody is left to hear about a failure here; store_end_run is where
    ** a caller learns whether its scenarios were written. */
    flush_pending(st);
    close_handles(st);
}

static int bind_text(sqlite3_stmt *stmt, const char *param, const char *text)
{
    int i = sqlite3_bind_parameter_index(stmt, param);

    return text ? sqlite3_bind_text(stmt, i, text, -1, SQLITE_TRANSIENT)
                : sqlite3_bind_null(stmt, i);
}

static int bind_int(sqlite3_stmt *stmt, const char *param, long long value)
{
    return sqlite3_bind_int64(stmt, sqlite3_bind_parameter_index(stmt, param), value);
}

/* An integer column, or NULL when the probe did not run. */
static int bind_int_if(sqlite3_stmt *stmt, const char *param, int ran, long long value)
{
    return ran ? bind_int(stmt, param, value)
               : sqlite3_bind_null(stmt, sqlite3_bind_parameter_index(stmt, param));
}

/* A probe's columns (PREFIX "before" or "after"); all NULL when it did not run. */
static int bind_probe(sqlite3_stmt *stmt, const char *prefix, const struct store_probe *probe)
{
    static const char *const fields[] = { "code", "message", "version", "rule", "assumed" };
    char p[5][32];

    for (int i = 0; i < 5; i++)
        snprintf(p[i], sizeof p[i], ":%s_%s", prefix, fields[i]);
    return bind_int_if(stmt, p[0], probe->ran, probe->code)
        | bind_text(stmt, p[1], probe->ran ? probe->message : NULL)
        | bind_text(stmt, p[2], probe->ran ? probe->version : NULL)
        | bind_text(stmt, p[3], probe->ran ? probe->rule : NULL)
        | bind_int_if(stmt, p[4], probe->ran && probe->rule, probe->assumed != 0);
}

/* Binds are OR-ed: SQLITE_OK is 0, so any failure leaves a non-zero. */
static int bind_scenario(sqlite3_stmt *stmt, long long run_id, int seq,
                         const struct store_scenario *sc)
{
    return bind_int(stmt, ":run_id", run_id) | bind_int(stmt, ":seq", seq)
        | bind_text(stmt, ":scenario", sc->name)
        | bind_text(stmt, ":source_file", sc->source_file)
        | bind_text(stmt, ":summary", sc->summary)
        | bind_text(stmt, ":verdict", sc->verdict)
        | bind_text(stmt, ":error_text", sc->error_text)
        | bind_text(stmt, ":image_path_before", sc->image_path_before)
        | bind_text(stmt, ":type_before", sc->type_before)
        | bind_probe(stmt, "before", &sc->before)
        | bind_text(stmt, ":image_path_after", sc->image_path_after)
        | bind_text(stmt, ":type_after", sc->type_after)
        | bind_probe(stmt, "after", &sc->after)
        | bind_text(stmt, ":fix_action", sc->fix_action)
        | bind_text(stmt, ":fix_message", sc->fix_message)
        | bind_text(stmt, ":shape_before", sc->shape_before)
        | bind_text(stmt, ":service_before", sc->service_before)
        | bind_text(stmt, ":service_after", sc->service_after)
        | bind_text(stmt, ":service_restored", sc->service_restored)
        | bind_text(stmt, ":service_image", sc->service_image)
        | sqlite3_bind_double(stmt, sqlite3_bind_parameter_index(stmt, ":elapsed_ms"),
                              sc->elapsed_ms);
}

static int bind_check(sqlite3_stmt *stmt, long long run_id, int seq, const struct store_check *c)
{
    return bind_int(stmt, ":run_id", run_id) | bind_int(stmt, ":seq", seq)
        | bind_text(stmt, ":name", c->name) | bind_int(stmt, ":ok", c->ok != 0)
        | bind_text(stmt, ":detail", c->detail);
}

/* Steps a bound insert once and makes it reusable. */
static int run_insert(struct store *st, sqlite3_stmt *stmt, int bind_rc, const char *what)
{
    int rc = bind_rc == SQLITE_OK ? sqlite3_step(stmt) : bind_rc;
    int result = rc == SQLITE_DONE ? 0 : fail_db(st, what);

    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return result;
}

/* The file's CHECK would only fire at the flush and fail the whole batch;
** a bad scenario is refused alone, here. */
static int check_scenario(struct store *st, const struct store_scenario *sc)
{
    static const char *const verdicts[] = { "pass", "fail", "error", "observed" };

    const char *const services[] = { sc->service_before, sc->service_after, sc->service_restored };
    size_t i = 0;

    if (sc->name == NULL)
        return store_set_error(st, "scenario without a name");
    while (i < sizeof verdicts / sizeof verdicts[0]
           && (sc->verdict == NULL || strcmp(sc->verdict, verdicts[i]) != 0))
        i++;
    if (i == sizeof verdicts / sizeof verdicts[0])
        return store_set_error(st, "scenario %s: verdict must be pass, fail, error or observed",
                               sc->name);
    /* Reports and --diff compare these as text: only the canonical words
    ** (what service_state_format writes) may go in. */
    for (i = 0; i < 3; i++) {
        struct service_state state;
        char canonical[SERVICE_STATE_TEXT_MAX];

        if (services[i] != NULL
            && (service_state_parse(services[i], &state) != 0
                || service_state_format(&state, canonical, sizeof canonical) != 0
                || strcmp(canonical, services[i]) != 0))
            return store_set_error(st, "scenario %s: a service state must be running, "
                                   "stopped:N, not-started:N or decoy", sc->name);
    }
    return 0;
}

/* Both buffer inserts, all or nothing (a SAVEPOINT on the temp tables only
** takes no lock on the file). */
static int buffer_scenario(struct store *st, long long run_id, int seq,
                           const struct store_scenario *sc)
{
    int rc;

    if (exec(st, "SAVEPOINT buffer_scenario", "buffering a scenario") != 0)
        return -1;
    rc = run_insert(st, st->add_scenario, bind_scenario(st->add_scenario, run_id, seq, sc),
                    "buffering a scenario");
    for (size_t i = 0; rc == 0 && i < sc->nchecks; i++)
        rc = run_insert(st, st->add_check, bind_check(st->add_check, run_id, seq, &sc->checks[i]),
                        "buffering a check");
    if (rc != 0)
        sqlite3_exec(st->db, "ROLLBACK TO buffer_scenario", NULL, NULL, NULL);
    sqlite3_exec(st->db, "RELEASE buffer_scenario", NULL, NULL, NULL);
    return rc;
}

int store_add_scenario(struct store *st, long long run_id, int seq, const struct store_scenario *sc)
{
    if (check_scenario(st, sc) != 0 || buffer_scenario(st, run_id, seq, sc) != 0)
        return -1;
    st->npending++;
    return st->npending >= STORE_BATCH ? flush_pending(st) : 0;
}

int store_begin_run(struct store *st, const struct store_run_info *info, long long *run_id)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (prepare(st, "INSERT INTO run (started_at, harness_version, wine_version, host,"
                    " command_line, windows, uid, remedy, remedy_sha256)"
                    " VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), :harness_version,"
                    " :wine_version, :host, :command_line, :windows, lower(hex(randomblob(16))),"
                    " :remedy, :remedy_sha256)",
                &stmt) != 0)
        return -1;
    rc = run_insert(st, stmt,
                    bind_text(stmt, ":harness_version", info->harness_version)
                    | bind_text(stmt, ":wine_version", info->wine_version)
                    | bind_text(stmt, ":host", info->host)
                    | bind_text(stmt, ":command_line", info->command_line)
                    | bind_text(stmt, ":windows", info->windows)
                    | bind_text(stmt, ":remedy", info->remedy)
                    | bind_text(stmt, ":remedy_sha256", info->remedy_sha256),
                    "recording the run");
    if (rc == 0)
        *run_id = sqlite3_last_insert_rowid(st->db);
    sqlite3_finalize(stmt);
    return rc;
}

static int stamp_end(struct store *st, long long run_id, int passed, int failed, int errors)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (prepare(st, "UPDATE run SET ended_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
                    " passed = :passed, failed = :failed, errors = :errors WHERE id = :id",
                &stmt) != 0)
        return -1;
    rc = run_insert(st, stmt,
                    bind_int(stmt, ":passed", passed) | bind_int(stmt, ":failed", failed)
                    | bind_int(stmt, ":errors", errors) | bind_int(stmt, ":id", run_id),
                    "recording the end of the run");
    if (rc == 0 && sqlite3_changes(st->db) != 1)
        rc = store_set_error(st, "no run %lld in the database", run_id);
    sqlite3_finalize(stmt);
    return rc;
}

int store_add_skipped(struct store *st, long long run_id, int seq, const char *name,
                      const char *source_file, const char *reason)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (name == NULL || reason == NULL)
        return store_set_error(st, "a skipped scenario needs a name and a reason");
    if (prepare(st, "INSERT INTO skipped_scenario (run_id, seq, scenario, source_file, reason)"
                    " VALUES (:run_id, :seq, :scenario, :source_file, :reason)", &stmt) != 0)
        return -1;
    rc = run_insert(st, stmt,
                    bind_int(stmt, ":run_id", run_id) | bind_int(stmt, ":seq", seq)
                    | bind_text(stmt, ":scenario", name)
                    | bind_text(stmt, ":source_file", source_file)
                    | bind_text(stmt, ":reason", reason),
                    "recording a skipped scenario");
    sqlite3_finalize(stmt);
    return rc;
}

int store_end_run(struct store *st, long long run_id, int passed, int failed, int errors)
{
    int rc;

    if (exec(st, "BEGIN IMMEDIATE", "locking the database") != 0)
        return -1;
    rc = copy_pending(st);
    if (rc == 0)
        rc = stamp_end(st, run_id, passed, failed, errors);
    rc = finish_transaction(st, rc);
    if (rc == 0)
        st->npending = 0;
    return rc;
}

int store_add_remedy(struct store *st, long long run_id, int seq, const struct store_remedy *rm)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (prepare(st, "INSERT INTO remedy_result (run_id, seq, scenario, ended, after_code,"
                    " image_path_after, fix_after_code, failed_checks, wrote_outside, verdict)"
                    " VALUES (:run_id, :seq, :scenario, :ended, :after_code, :image_path_after,"
                    " :fix_after_code, :failed_checks, :wrote_outside, :verdict)", &stmt) != 0)
        return -1;
    rc = run_insert(st, stmt,
                    bind_int(stmt, ":run_id", run_id) | bind_int(stmt, ":seq", seq)
                    | bind_text(stmt, ":scenario", rm->scenario)
                    | bind_text(stmt, ":ended", rm->ended)
                    | bind_int(stmt, ":after_code", rm->after_code)
                    | bind_text(stmt, ":image_path_after", rm->image_path_after)
                    | bind_int(stmt, ":fix_after_code", rm->fix_after_code)
                    | bind_text(stmt, ":failed_checks", rm->failed_checks)
                    | bind_text(stmt, ":wrote_outside", rm->wrote_outside)
                    | bind_text(stmt, ":verdict", rm->verdict),
                    "recording a remediation's result");
    sqlite3_finalize(stmt);
    return rc;
}
