/*
** export.c - one recorded run as CI systems read it: TAP, JSON lines and
** JUnit XML (export.h).
**
** Everything comes from the database, which holds only redacted text
** (db/store.h), so these formats show exactly what the table shows: the
** same scenario names, the same redacted ImagePath values, the same
** outcome texts (report_outcome_text), the same failed checks.  One query
** gives the scenarios in run order; a second one each scenario's failed
** checks.
**
** TAP (version 13, what `prove` reads): "ok N - NAME" per scenario; a
** scenario that did not pass is "not ok" with a YAML block saying its
** verdict, outcomes and failed checks; "observed" (checks held, nothing
** expected) is ok; a skipped scenario is "ok N - NAME # SKIP reason"; the
** last line is the table's summary as a TAP comment, "# N passed, ...".
** JSON lines: one object per scenario (verdict "skipped" for those not
** run), then one with the counts and the table's summary text.
** JUnit: <testsuites><testsuite> with one <testcase> per scenario, named
** by scenario; a failed check is a <failure>, an input error an <error>, a
** skipped scenario <skipped>;
** the probe outcomes are the testcase's <properties>.
** The KM service's states and image (schema step 7) go along where there
** are some: JSON always has their four keys (null when the lifecycle did
** not run), TAP's YAML block and JUnit's properties only the ones recorded,
** so a run without the lifecycle exports exactly as before.
*/
#include "export.h"

#include <string.h>

#include "report.h"

/* Column order of scenarios_sql. */
enum { E_SEQ, E_SCENARIO, E_VERDICT, E_BEFORE_CODE, E_BEFORE_VERSION, E_BEFORE_ASSUMED,
       E_AFTER_CODE, E_AFTER_VERSION, E_AFTER_ASSUMED, E_PATH_BEFORE, E_PATH_AFTER,
       E_ERROR, E_ELAPSED, E_SERVICE };

/* The KM service's columns (schema step 7), from E_SERVICE on, in the
** order of struct row's service[]. */
enum { SERVICE_BEFORE, SERVICE_AFTER, SERVICE_RESTORED, SERVICE_IMAGE, NSERVICE };
static const char *const service_field[NSERVICE] = {
    "service_before", "service_after", "service_restored", "service_image",
};

/* The scenarios that ran, and those skipped (verdict "skipped", the reason
** as error text), in run order. */
static const char scenarios_sql[] =
    "SELECT seq, scenario, verdict, before_code, before_version, before_assumed,"
    " after_code, after_version, after_assumed, image_path_before, image_path_after,"
    " error_text, elapsed_ms, service_before, service_after, service_restored, service_image"
    " FROM scenario_result WHERE run_id = ?1"
    " UNION ALL SELECT seq, scenario, 'skipped', NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
    " NULL, reason, 0, NULL, NULL, NULL, NULL FROM skipped_scenario WHERE run_id = ?1"
    " ORDER BY 1";

static const char failed_checks_sql[] =
    "SELECT name, detail FROM check_result WHERE run_id = ?1 AND seq = ?2 AND ok = 0"
    " ORDER BY rowid";

/* One scenario as every format needs it. */
struct row {
    int seq;
    const char *name, *verdict, *path_before, *path_after, *error;
    const char *service[NSERVICE];  /* NULL: that start did not happen */
    char before[96], after[96];
    double seconds;
};

static const char *text(sqlite3_stmt *stmt, int col)
{
    return (const char *)sqlite3_column_text(stmt, col);
}

static void read_row(sqlite3_stmt *stmt, struct row *r)
{
    r->seq = sqlite3_column_int(stmt, E_SEQ);
    r->name = text(stmt, E_SCENARIO);
    r->verdict = text(stmt, E_VERDICT);
    r->path_before = text(stmt, E_PATH_BEFORE);
    r->path_after = text(stmt, E_PATH_AFTER);
    r->error = text(stmt, E_ERROR);
    r->seconds = sqlite3_column_double(stmt, E_ELAPSED) / 1000.0;
    for (int i = 0; i < NSERVICE; i++)
        r->service[i] = text(stmt, E_SERVICE + i);
    report_outcome_text(stmt, E_BEFORE_CODE, text(stmt, E_BEFORE_VERSION),
                        sqlite3_column_int(stmt, E_BEFORE_ASSUMED) == 1, r->before,
                        sizeof r->before);
    report_outcome_text(stmt, E_AFTER_CODE, text(stmt, E_AFTER_VERSION),
                        sqlite3_column_int(stmt, E_AFTER_ASSUMED) == 1, r->after,
                        sizeof r->after);
}

static int fail_db(struct store *st, const char *what)
{
    return store_set_error(st, "%s: %s", what, sqlite3_errmsg(store_db(st)));
}

static int prepare(struct store *st, const char *sql, long long run_id, sqlite3_stmt **stmt)
{
    if (sqlite3_prepare_v2(store_db(st), sql, -1, stmt, NULL) != SQLITE_OK)
        return fail_db(st, "reading the database");
    sqlite3_bind_int64(*stmt, 1, run_id);
    return 0;
}

/* A run's numbers as the formats count them. */
enum { N_TOTAL, N_FAILED, N_ERRORS, N_SKIPPED, N_COUNTS };

/* The latest run when run_id is 0; an error when there is no such run. */
static int resolve_run(struct store *st, long long *run_id, long long counts[N_COUNTS])
{
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(st, "SELECT r.id, (SELECT count(*) FROM scenario_result s WHERE"
                         " s.run_id = r.id) + (SELECT count(*) FROM skipped_scenario k"
                         " WHERE k.run_id = r.id), (SELECT count(*) FROM"
                         " scenario_result s WHERE s.run_id = r.id AND verdict = 'fail'),"
                         " (SELECT count(*) FROM scenario_result s WHERE s.run_id = r.id"
                         " AND verdict = 'error'), (SELECT count(*) FROM skipped_scenario k"
                         " WHERE k.run_id = r.id) FROM run r"
                         " WHERE r.id = CASE WHEN ?1 = 0 THEN (SELECT max(id) FROM run)"
                         " ELSE ?1 END", *run_id, &stmt);

    if (rc == 0 && sqlite3_step(stmt) == SQLITE_ROW) {
        *run_id = sqlite3_column_int64(stmt, 0);
        for (int i = 0; i < N_COUNTS; i++)
            counts[i] = sqlite3_column_int64(stmt, 1 + i);
    } else if (rc == 0 && *run_id == 0) {
        rc = store_set_error(st, "the database holds no runs");
    } else if (rc == 0) {
        rc = store_set_error(st, "no run %lld in the database", *run_id);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Calls each(row, failed checks statement) for every scenario of run_id. */
typedef void each_fn(const struct row *, sqlite3_stmt *checks, void *arg);

static int for_each_scenario(struct store *st, long long run_id, each_fn *each, void *arg)
{
    sqlite3_stmt *rows = NULL, *checks = NULL;
    int rc;

    if (prepare(st, scenarios_sql, run_id, &rows) != 0
        || prepare(st, failed_checks_sql, run_id, &checks) != 0) {
        sqlite3_finalize(rows);
        return -1;
    }
    while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
        struct row r;

        read_row(rows, &r);
        sqlite3_bind_int(checks, 2, r.seq);
        each(&r, checks, arg);
        sqlite3_reset(checks);
    }
    rc = rc == SQLITE_DONE ? 0 : fail_db(st, "reading the scenarios");
    sqlite3_finalize(rows);
    sqlite3_finalize(checks);
    return rc;
}

/* ---- escaping ---- */

/* S as a JSON string (also a YAML flow scalar); NULL as null.  Control
** characters are escaped, everything else is UTF-8 as stored. */
static void json_string(FILE *out, const char *s)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* S as XML attribute or element text; characters XML 1.0 cannot hold at
** all (controls other than TAB, LF, CR) become '?'. */
static void xml_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        case '\t': case '\n': case '\r': fprintf(out, "&#%d;", c); break;
        default: fputc(c < 0x20 || c == 0x7F ? '?' : c, out);
        }
    }
}

/* A TAP description may not hold '#' (a directive) or a line end. */
static void tap_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '#')
            fputs("\\#", out);
        else
            fputc(c < 0x20 || c == 0x7F ? '?' : c, out);
    }
}

/* ---- TAP ---- */

struct tap_state {
    FILE *out;
    int n;
};

static void tap_scenario(const struct row *r, sqlite3_stmt *checks, void *arg)
{
    struct tap_state *t = arg;
    FILE *out = t->out;
    /* observed: a server's export with no expectation whose checks held */
    int pass = !strcmp(r->verdict, "pass") || !strcmp(r->verdict, "observed");
    int skipped = !strcmp(r->verdict, "skipped");

    fprintf(out, "%sok %d - ", pass || skipped ? "" : "not ", ++t->n);
    tap_text(out, r->name);
    if (skipped) {
        fputs(" # SKIP ", out);
        tap_text(out, r->error);
    }
    fputc('\n', out);
    if (pass || skipped)
        return;
    fputs("  ---\n  verdict: ", out);
    json_string(out, r->verdict);
    fputs("\n  before: ", out);
    json_string(out, r->before);
    fputs("\n  after: ", out);
    json_string(out, r->after);
    if (r->error) {
        fputs("\n  error: ", out);
        json_string(out, r->error);
    }
    for (int i = 0; i < NSERVICE; i++)
        if (r->service[i]) {
            fprintf(out, "\n  %s: ", service_field[i]);
            json_string(out, r->service[i]);
        }
    fputs("\n  failed_checks:", out);
    while (sqlite3_step(checks) == SQLITE_ROW) {
        fputs("\n    - ", out);
        json_string(out, text(checks, 0));
        fputs(": ", out);
        json_string(out, text(checks, 1) ? text(checks, 1) : "");
    }
    fputs("\n  ...\n", out);
}

int export_tap(struct store *st, long long run_id, FILE *out)
{
    long long counts[N_COUNTS];
    struct tap_state t = { out, 0 };

    if (resolve_run(st, &run_id, counts) != 0)
        return -1;
    fprintf(out, "TAP version 13\n1..%lld\n", counts[N_TOTAL]);
    if (for_each_scenario(st, run_id, tap_scenario, &t) != 0)
        return -1;
    /* The table's summary line, as a TAP comment. */
    fputs("# ", out);
    if (report_summary(st, run_id, out) != 0)
        return -1;
    fputc('\n', out);
    return 0;
}

/* ---- JSON lines ---- */

static void json_field(FILE *out, const char *name, const char *value)
{
    fprintf(out, ",\"%s\":", name);
    json_string(out, value);
}

static void json_scenario(const struct row *r, sqlite3_stmt *checks, void *arg)
{
    FILE *out = arg;
    int first = 1;

    fputs("{\"scenario\":", out);
    json_string(out, r->name);
    json_field(out, "verdict", r->verdict);
    json_field(out, "image_path_before", r->path_before);
    json_field(out, "before", r->before);
    json_field(out, "image_path_after", r->path_after);
    json_field(out, "after", r->after);
    json_field(out, "error", r->error);
    for (int i = 0; i < NSERVICE; i++)
        json_field(out, service_field[i], r->service[i]);
    fputs(",\"failed_checks\":[", out);
    while (sqlite3_step(checks) == SQLITE_ROW) {
        fputs(first ? "{\"check\":" : ",{\"check\":", out);
        json_string(out, text(checks, 0));
        json_field(out, "detail", text(checks, 1));
        fputc('}', out);
        first = 0;
    }
    fputs("]}\n", out);
}

int export_json(struct store *st, long long run_id, FILE *out)
{
    long long counts[N_COUNTS];

    if (resolve_run(st, &run_id, counts) != 0 || for_each_scenario(st, run_id, json_scenario, out))
        return -1;
    fprintf(out, "{\"run_id\":%lld,\"scenarios\":%lld,\"failed\":%lld,\"errors\":%lld,"
                 "\"skipped\":%lld,\"summary\":\"", run_id, counts[N_TOTAL], counts[N_FAILED],
            counts[N_ERRORS], counts[N_SKIPPED]);
    /* The summary's words hold no character JSON must escape. */
    if (report_summary(st, run_id, out) != 0)
        return -1;
    fputs("\"}\n", out);
    return 0;
}

/* ---- JUnit XML ---- */

static void xml_property(FILE *out, const char *name, const char *value)
{
    fprintf(out, "        <property name=\"%s\" value=\"", name);
    xml_text(out, value ? value : "");
    fputs("\"/>\n", out);
}

static void junit_scenario(const struct row *r, sqlite3_stmt *checks, void *arg)
{
    FILE *out = arg;

    fputs("    <testcase classname=\"kmharness\" name=\"", out);
    xml_text(out, r->name);
    fprintf(out, "\" time=\"%.3f\">\n      <properties>\n", r->seconds);
    xml_property(out, "before", r->before);
    xml_property(out, "after", r->after);
    xml_property(out, "image_path_before", r->path_before);
    xml_property(out, "image_path_after", r->path_after);
    for (int i = 0; i < NSERVICE; i++)
        if (r->service[i])
            xml_property(out, service_field[i], r->service[i]);
    fputs("      </properties>\n", out);
    if (!strcmp(r->verdict, "skipped")) {
        fputs("      <skipped message=\"", out);
        xml_text(out, r->error);
        fputs("\"/>\n", out);
    } else if (r->error) {
        fputs("      <error type=\"input\" message=\"", out);
        xml_text(out, r->error);
        fputs("\"/>\n", out);
    }
    while (sqlite3_step(checks) == SQLITE_ROW) {
        fputs("      <failure type=\"", out);
        xml_text(out, text(checks, 0));
        fputs("\" message=\"", out);
        xml_text(out, text(checks, 0));
        if (text(checks, 1)) {
            fputs(": ", out);
            xml_text(out, text(checks, 1));
        }
        fputs("\"/>\n", out);
    }
    fputs("    </testcase>\n", out);
}

int export_junit(struct store *st, long long run_id, FILE *out)
{
    long long n[N_COUNTS];

    if (resolve_run(st, &run_id, n) != 0)
        return -1;
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<testsuites name=\"kmharness\" tests=\"%lld\" failures=\"%lld\""
                 " errors=\"%lld\">\n"
                 "  <testsuite name=\"kmharness run %lld\" tests=\"%lld\" failures=\"%lld\""
                 " errors=\"%lld\" skipped=\"%lld\">\n",
            n[N_TOTAL], n[N_FAILED], n[N_ERRORS], run_id, n[N_TOTAL], n[N_FAILED], n[N_ERRORS],
            n[N_SKIPPED]);
    if (for_each_scenario(st, run_id, junit_scenario, out) != 0)
        return -1;
    fputs("  </testsuite>\n</testsuites>\n", out);
    return 0;
}
