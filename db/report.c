/*
** Human-readable reports from the results database (see report.h).
**
** The table is printed in two passes over the same query: the first
** measures every cell, the second prints them padded to the widest cell of
** each column, so nothing is held in memory but one row.  Cells are capped
** (ImagePath values can be hundreds of characters): a long cell keeps its
** beginning and its end around "..." in the middle, because a path's drive
** and its file name plus arguments are the parts people compare.  Widths
** count UTF-8 characters, not bytes, and control characters in a value are
** shown as '?' so one odd value cannot break the table's lines.
**
** The by-shape report is one grouped query over the same rows; it is
** measured and printed in two passes the same way.
*/
#include "report.h"

#include <string.h>

#include "winerror_text.h"

/* COL_SERVICE is shown only for runs that recorded the KM service's
** states (schema step 7): a run without the lifecycle prints the table it
** always did. */
enum { COL_SCENARIO, COL_PATH_BEFORE, COL_BEFORE, COL_PATH_AFTER, COL_AFTER, COL_SERVICE,
       COL_VERDICT, NCOLS };

static const char *const col_title[NCOLS] = {
    "SCENARIO", "IMAGEPATH BEFORE", "BEFORE", "IMAGEPATH AFTER", "AFTER", "SERVICE B/A/R",
    "VERDICT",
};

/* Widest a cell may be, in characters. */
static const size_t col_max[NCOLS] = { 40, 44, 36, 44, 36, 40, 8 };

#define CELL_CHARS_MAX 44
/* Every character of a cell may take four bytes of UTF-8. */
#define CELL_BYTES (CELL_CHARS_MAX * 4 + 1)

#define COL_GAP "  "

struct row_cells {
    char text[NCOLS][CELL_BYTES];
};

/* ---- UTF-8 text ---- */

static int is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += !is_continuation((unsigned char)*s);
    return n;
}

/* The position just after the first n characters of s. */
static const char *skip_chars(const char *s, size_t n)
{
    while (*s && n > 0) {
        s++;
        while (is_continuation((unsigned char)*s))
            s++;
        n--;
    }
    return s;
}

/* Appends [from, to) at out, stopping before end (only bytes that are not
** valid UTF-8 can make a cell longer than CELL_BYTES), with control
** characters replaced; keeps out NUL-terminated. */
static char *append_clean(char *out, const char *end, const char *from, const char *to,
                          char replacement)
{
    for (; from < to && out < end - 1; from++) {
        unsigned char c = (unsigned char)*from;

        *out++ = c < 0x20 || c == 0x7F ? replacement : (char)c;
    }
    *out = '\0';
    return out;
}

/* Copies s into out (CELL_BYTES), at most max_chars characters, cutting the
** middle when it is longer. */
static void shorten_middle(const char *s, size_t max_chars, char *out)
{
    static const char ellipsis[] = "...";
    const char *end = out + CELL_BYTES;
    const char *s_end = s + strlen(s);
    size_t n = utf8_chars(s);
    size_t head, tail;

    if (n <= max_chars) {
        append_clean(out, end, s, s_end, '?');
        return;
    }
    head = (max_chars - 3) / 2;
    tail = max_chars - 3 - head;
    out = append_clean(out, end, s, skip_chars(s, head), '?');
    out = append_clean(out, end, ellipsis, ellipsis + 3, '?');
    append_clean(out, end, skip_chars(s, n - tail), s_end, '?');
}

static void print_padded(FILE *out, const char *s, size_t width)
{
    size_t n = utf8_chars(s);

    fputs(s, out);
    for (; n < width; n++)
        fputc(' ', out);
}

/* A free-text value (error text, check detail) on one line. */
static void print_clean(FILE *out, const char *s)
{
    char buf[256];

    while (*s) {
        size_t chunk = strnlen(s, sizeof buf - 1);

        append_clean(buf, buf + sizeof buf, s, s + chunk, ' ');
        fputs(buf, out);
        s += chunk;
    }
}

/* ---- cells ---- */

static const char *column_text(sqlite3_stmt *stmt, int col)
{
    return (const char *)sqlite3_column_text(stmt, col);
}

/* "(none)" for no value: an empty value is a different fact. */
static void format_path(sqlite3_stmt *stmt, int col, size_t max_chars, char *out)
{
    const char *path = column_text(stmt, col);

    if (path == NULL)
        shorten_middle("(none)", max_chars, out);
    else if (*path == '\0')
        shorten_middle("(empty)", max_chars, out);
    else
        shorten_middle(path, max_chars, out);
}

/* The probe outcome in column code_col as "0 VERSION" ("0 ok" when
** version is NULL), "2 ERROR_FILE_NOT_FOUND", "-1 not installed", or
** "(not run)" for an input error.  A "?" after the code marks an outcome
** that rests on an assumption of the era profile (emu/era.h). */
void report_outcome_text(sqlite3_stmt *stmt, int code_col, const char *version, int assumed,
                         char *text, size_t size)
{
    long code;
    const char *mark = assumed ? "?" : "";

    if (sqlite3_column_type(stmt, code_col) == SQLITE_NULL) {
        snprintf(text, size, "(not run)");
        return;
    }
    code = (long)sqlite3_column_int64(stmt, code_col);
    if (code == 0) {
        snprintf(text, size, "0%s %s", mark, version ? version : "ok");
    } else if (code == -1) {
        snprintf(text, size, "-1%s not installed", mark);
    } else {
        const char *name = winerr_name(code);

        snprintf(text, size, "%ld%s%s%s", code, mark, name ? " " : "", name ? name : "");
    }
}

static void format_outcome(sqlite3_stmt *stmt, int code_col, int version_col, int assumed_col,
                           size_t max_chars, char *out)
{
    char text[CELL_BYTES];

    report_outcome_text(stmt, code_col, column_text(stmt, version_col),
                 sqlite3_column_int(stmt, assumed_col) == 1, text, sizeof text);
    shorten_middle(text, max_chars, out);
}

/* The service's three states (columns FIRST, FIRST + 1, FIRST + 2 of stmt:
** before the fix, after it, after the rollback) as one cell,
** "running/stopped:1/running"; "-" for a start that did not happen. */
static void format_service(sqlite3_stmt *stmt, int first, size_t max_chars, char *out)
{
    char text[3 * 24 + 3];
    const char *s[3];

    for (int i = 0; i < 3; i++)
        s[i] = column_text(stmt, first + i) ? column_text(stmt, first + i) : "-";
    snprintf(text, sizeof text, "%.24s/%.24s/%.24s", s[0], s[1], s[2]);
    shorten_middle(text, max_chars, out);
}

/* Column order of rows_sql. */
enum { Q_SCENARIO, Q_PATH_BEFORE, Q_BEFORE_CODE, Q_BEFORE_VERSION,
       Q_PATH_AFTER, Q_AFTER_CODE, Q_AFTER_VERSION, Q_VERDICT,
       Q_BEFORE_ASSUMED, Q_AFTER_ASSUMED, Q_SERVICE_BEFORE };

/* ?2: 1 for the rows that did not pass only. */
static const char rows_sql[] =
    "SELECT scenario, image_path_before, before_code, before_version,"
    " image_path_after, after_code, after_version, verdict, before_assumed, after_assumed,"
    " service_before, service_after, service_restored"
    " FROM scenario_result WHERE run_id = ?1 AND (?2 = 0 OR verdict <> 'pass') ORDER BY seq";

/* Did run ?1 record any of the service's states? */
static const char has_service_sql[] =
    "SELECT EXISTS (SELECT 1 FROM scenario_result WHERE run_id = ?1 AND"
    " coalesce(service_before, service_after, service_restored) IS NOT NULL)";

static void format_row(sqlite3_stmt *stmt, struct row_cells *row)
{
    shorten_middle(column_text(stmt, Q_SCENARIO), col_max[COL_SCENARIO], row->text[COL_SCENARIO]);
    format_path(stmt, Q_PATH_BEFORE, col_max[COL_PATH_BEFORE], row->text[COL_PATH_BEFORE]);
    format_outcome(stmt, Q_BEFORE_CODE, Q_BEFORE_VERSION, Q_BEFORE_ASSUMED, col_max[COL_BEFORE], row->text[COL_BEFORE]);
    format_path(stmt, Q_PATH_AFTER, col_max[COL_PATH_AFTER], row->text[COL_PATH_AFTER]);
    format_outcome(stmt, Q_AFTER_CODE, Q_AFTER_VERSION, Q_AFTER_ASSUMED, col_max[COL_AFTER], row->text[COL_AFTER]);
    format_service(stmt, Q_SERVICE_BEFORE, col_max[COL_SERVICE], row->text[COL_SERVICE]);
    shorten_middle(column_text(stmt, Q_VERDICT), col_max[COL_VERDICT], row->text[COL_VERDICT]);
}

/* The last column is not padded: no trailing blanks.  A column of width 0
** is not shown at all. */
static void print_cells(FILE *out, const char *const cells[NCOLS], const size_t width[NCOLS])
{
    for (int c = 0; c < NCOLS - 1; c++) {
        if (width[c] == 0)
            continue;
        print_padded(out, cells[c], width[c]);
        fputs(COL_GAP, out);
    }
    fputs(cells[NCOLS - 1], out);
    fputc('\n', out);
}

static void print_rule(FILE *out, const size_t width[NCOLS])
{
    char dashes[NCOLS][CELL_BYTES];
    const char *cells[NCOLS];

    for (int c = 0; c < NCOLS; c++) {
        memset(dashes[c], '-', width[c]);
        dashes[c][width[c]] = '\0';
        cells[c] = dashes[c];
    }
    print_cells(out, cells, width);
}

/* ---- the report ---- */

static int fail_db(struct store *st, const char *what)
{
    return store_set_error(st, "%s: %s", what, sqlite3_errmsg(store_db(st)));
}

static int prepare(struct store *st, const char *sql, sqlite3_stmt **stmt)
{
    if (sqlite3_prepare_v2(store_db(st), sql, -1, stmt, NULL) != SQLITE_OK)
        return fail_db(st, "reading the database");
    return 0;
}

/* A query whose only parameter is the run id. */
static int prepare_for_run(struct store *st, const char *sql, long long run_id,
                           sqlite3_stmt **stmt)
{
    if (prepare(st, sql, stmt) != 0)
        return -1;
    sqlite3_bind_int64(*stmt, 1, run_id);
    return 0;
}

/* The latest run's id; an error when the file holds none. */
static int latest_run(struct store *st, long long *run_id)
{
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(st, "SELECT max(id) FROM run", &stmt);

    if (rc == 0 && sqlite3_step(stmt) == SQLITE_ROW
        && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
        *run_id = sqlite3_column_int64(stmt, 0);
    else if (rc == 0)
        rc = store_set_error(st, "the database holds no runs");
    sqlite3_finalize(stmt);
    return rc;
}

static void print_field(FILE *out, const char *label, const char *value)
{
    if (value == NULL)
        return;
    fprintf(out, ", %s ", label);
    print_clean(out, value);
}

/* "run 3, started ..., ended ..., harness ..., wine ..., host ..." */
static int print_run_header(struct store *st, long long run_id, FILE *out)
{
    sqlite3_stmt *stmt = NULL;
    int rc = prepare_for_run(st, "SELECT started_at, ended_at, harness_version,"
                                 " wine_version, host, windows FROM run WHERE id = ?",
                             run_id, &stmt);

    if (rc == 0 && sqlite3_step(stmt) == SQLITE_ROW) {
        fprintf(out, "run %lld", run_id);
        print_field(out, "started", column_text(stmt, 0));
        if (sqlite3_column_type(stmt, 1) == SQLITE_NULL)
            fputs(", not finished", out);
        print_field(out, "ended", column_text(stmt, 1));
        print_field(out, "harness", column_text(stmt, 2));
        print_field(out, "wine", column_text(stmt, 3));
        print_field(out, "host", column_text(stmt, 4));
        print_field(out, "windows", column_text(stmt, 5));
        if (column_text(stmt, 5) != NULL)
            fputs(" (? after a code: the outcome rests on an assumption)", out);
        fputs("\n\n", out);
    } else if (rc == 0) {
        rc = store_set_error(st, "no run %lld in the database", run_id);
    }
    sqlite3_finalize(stmt);
    return rc;
}

static void measure_rows(sqlite3_stmt *stmt, size_t width[NCOLS])
{
    struct row_cells row;

    for (int c = 0; c < NCOLS; c++)
        width[c] = strlen(col_title[c]);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        format_row(stmt, &row);
        for (int c = 0; c < NCOLS; c++) {
            size_t n = utf8_chars(row.text[c]);

            width[c] = n > width[c] ? n : width[c];
        }
    }
}

/* *any: 1 when run run_id recorded a state of the KM service. */
static int run_has_service(struct store *st, long long run_id, int *any)
{
    sqlite3_stmt *stmt = NULL;
    int rc = prepare_for_run(st, has_service_sql, run_id, &stmt);

    if (rc == 0 && sqlite3_step(stmt) == SQLITE_ROW)
        *any = sqlite3_column_int(stmt, 0);
    else if (rc == 0)
        rc = fail_db(st, "reading the scenarios");
    sqlite3_finalize(stmt);
    return rc;
}

static int print_table(struct store *st, long long run_id, int failures_only, FILE *out)
{
    sqlite3_stmt *stmt = NULL;
    size_t width[NCOLS];
    struct row_cells row;
    int rc, service;

    if (run_has_service(st, run_id, &service) != 0
        || prepare_for_run(st, rows_sql, run_id, &stmt) != 0)
        return -1;
    sqlite3_bind_int(stmt, 2, failures_only);
    measure_rows(stmt, width);
    if (!service)
        width[COL_SERVICE] = 0;
    sqlite3_reset(stmt);
    print_cells(out, col_title, width);
    print_rule(out, width);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *cells[NCOLS];

        format_row(stmt, &row);
        for (int c = 0; c < NCOLS; c++)
            cells[c] = row.text[c];
        print_cells(out, cells, width);
    }
    rc = rc == SQLITE_DONE ? 0 : fail_db(st, "reading the scenarios");
    sqlite3_finalize(stmt);
    return rc;
}

/* Error texts first, then each failed check, in scenario order. */
static const char problems_sql[] =
    "SELECT scenario, NULL, error_text, seq, 0, 0 FROM scenario_result"
    " WHERE run_id = ?1 AND error_text IS NOT NULL"
    " UNION ALL"
    " SELECT s.scenario, c.name, c.detail, c.seq, 1, c.rowid"
    " FROM check_result c JOIN scenario_result s USING (run_id, seq)"
    " WHERE c.run_id = ?1 AND c.ok = 0"
    " ORDER BY 4, 5, 6";

static void print_problem(sqlite3_stmt *stmt, FILE *out)
{
    const char *check = column_text(stmt, 1);
    const char *text = column_text(stmt, 2);

    fputs("  ", out);
    print_clean(out, column_text(stmt, 0));
    if (check != NULL) {
        fputs(": check ", out);
        print_clean(out, check);
        fputs(" failed", out);
    }
    if (text != NULL) {
        fputs(": ", out);
        print_clean(out, text);
    }
    fputc('\n', out);
}

static int print_problems(struct store *st, long long run_id, FILE *out)
{
    sqlite3_stmt *stmt = NULL;
    int rc, any = 0;

    if (prepare_for_run(st, problems_sql, run_id, &stmt) != 0)
        return -1;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!any)
            fputs("\nproblems:\n", out);
        any = 1;
        print_problem(stmt, out);
    }
    rc = rc == SQLITE_DONE ? 0 : fail_db(st, "reading the problems");
    sqlite3_finalize(stmt);
    return rc;
}

/* Scenarios the run skipped, with their reasons (emu/era.h, @skip). */
static int print_skipped(struct store *st, long long run_id, FILE *out, long long *count)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    *count = 0;
    if (prepare_for_run(st, "SELECT scenario, reason FROM skipped_scenario WHERE run_id = ?"
                            " ORDER BY seq", run_id, &stmt) != 0)
        return -1;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (out == NULL) { /* counting only */
            ++*count;
            continue;
        }
        fputs(*count ? "  " : "\nskipped (Wine cannot reproduce what Windows does):\n  ", out);
        print_clean(out, column_text(stmt, 0));
        fputs(": ", out);
        print_clean(out, column_text(stmt, 1));
        fputc('\n', out);
        ++*count;
    }
    rc = rc == SQLITE_DONE ? 0 : fail_db(st, "reading the skipped scenarios");
    sqlite3_finalize(stmt);
    return rc;
}

/* A run's counts, taken from the scenarios themselves so they always
** agree with the table (also for a run that never finished). */
struct run_counts {
    long long passed, failed, errors, observed;
    int finished;
};

static int read_counts(struct store *st, long long run_id, struct run_counts *c)
{
    sqlite3_stmt *stmt = NULL;
    int rc = prepare_for_run(st, "SELECT coalesce(sum(verdict = 'pass'), 0),"
                                 " coalesce(sum(verdict = 'fail'), 0),"
                                 " coalesce(sum(verdict = 'error'), 0),"
                                 " (SELECT ended_at IS NOT NULL FROM run WHERE id = ?1),"
                                 " coalesce(sum(verdict = 'observed'), 0)"
                                 " FROM scenario_result WHERE run_id = ?1",
                             run_id, &stmt);

    if (rc == 0 && sqlite3_step(stmt) == SQLITE_ROW
        && sqlite3_column_type(stmt, 3) != SQLITE_NULL) {
        c->passed = sqlite3_column_int64(stmt, 0);
        c->failed = sqlite3_column_int64(stmt, 1);
        c->errors = sqlite3_column_int64(stmt, 2);
        c->finished = sqlite3_column_int(stmt, 3);
        c->observed = sqlite3_column_int64(stmt, 4);
    } else if (rc == 0) {
        rc = store_set_error(st, "no run %lld in the database", run_id);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* The contract's last line; an unfinished run says so at its end, so a
** script reading "N passed, 0 failed" there cannot take it for a green run. */
/* ALONE: the line by itself (--quiet), without the skipped list before it. */
/* The summary's words for counts C and SKIPPED, into out. */
static void summary_words(FILE *out, const struct run_counts *c, long long skipped)
{
    fprintf(out, "%lld passed, %lld failed", c->passed, c->failed);
    if (c->errors > 0)
        fprintf(out, ", %lld errors", c->errors);
    if (c->observed > 0)  /* server exports: no expectation, checks held */
        fprintf(out, ", %lld observed", c->observed);
    if (skipped > 0)
        fprintf(out, ", %lld skipped", skipped);
    if (!c->finished)
        fputs(", run not finished", out);
}

static int print_summary(struct store *st, long long run_id, int alone, FILE *out)
{
    struct run_counts c;
    long long skipped;

    if (read_counts(st, run_id, &c) != 0
        || print_skipped(st, run_id, alone ? NULL : out, &skipped) != 0)
        return -1;
    if (!alone)
        fputc('\n', out);
    summary_words(out, &c, skipped);
    fputc('\n', out);
    return 0;
}

int report_summary(struct store *st, long long run_id, FILE *out)
{
    struct run_counts c;
    long long skipped;

    if (run_id == 0 && latest_run(st, &run_id) != 0)
        return -1;
    if (read_counts(st, run_id, &c) != 0 || print_skipped(st, run_id, NULL, &skipped) != 0)
        return -1;
    summary_words(out, &c, skipped);
    return 0;
}

int report_run_finished(struct store *st, long long run_id, int *finished)
{
    struct run_counts c;

    if (run_id == 0 && latest_run(st, &run_id) != 0)
        return -1;
    if (read_counts(st, run_id, &c) != 0)
        return -1;
    *finished = c.finished;
    return 0;
}

/* "2 ERROR_FILE_NOT_FOUND", "0" for the code in column COL. */
static const char *code_word(sqlite3_stmt *stmt, int col, char *buf, size_t n)
{
    long long code = sqlite3_column_int64(stmt, col);
    const char *name = winerr_name((long)code);
    snprintf(buf, n, "%lld%s%s", code, name ? " " : "", name ? name : "");
    return buf;
}

/* run --remedy: the admin's remediation beside the KB fix, one line a
** scenario, then the count of each verdict. */
static int print_remedy(struct store *st, long long run_id, FILE *out)
{
    sqlite3_stmt *stmt = NULL;
    long long counts[4] = { 0 };
    static const char *const verdicts[] = { "same", "better", "worse", "broken" };
    int rc = prepare_for_run(st, "SELECT r.remedy, r.remedy_sha256, x.scenario, x.verdict,"
                                 " x.ended, x.after_code, x.fix_after_code, x.failed_checks,"
                                 " x.wrote_outside"
                                 " FROM remedy_result x JOIN run r ON r.id = x.run_id"
                                 " WHERE x.run_id = ? ORDER BY x.seq", run_id, &stmt);
    int any = 0;
    while (rc == 0 && sqlite3_step(stmt) == SQLITE_ROW) {
        char after[96], fix_after[96];
        if (!any++)
            fprintf(out, "\nremedy %s (sha256 %.16s...), beside the KB fix:\n"
                         "  %-26s %-7s %-22s %-28s %-28s %s\n", column_text(stmt, 0),
                    column_text(stmt, 1), "SCENARIO", "VERDICT", "ENDED", "AFTER IT",
                    "AFTER THE KB FIX", "FAILED CHECKS");
        const char *verdict = column_text(stmt, 3);
        for (int i = 0; i < 4; i++)
            counts[i] += !strcmp(verdict, verdicts[i]);
        fprintf(out, "  %-26s %-7s %-22s %-28s %-28s %s\n", column_text(stmt, 2), verdict,
                column_text(stmt, 4), code_word(stmt, 5, after, sizeof after),
                code_word(stmt, 6, fix_after, sizeof fix_after),
                sqlite3_column_type(stmt, 7) == SQLITE_NULL ? "-" : column_text(stmt, 7));
        if (sqlite3_column_type(stmt, 8) != SQLITE_NULL)
            fprintf(out, "    wrote outside the service key (put back): %s\n",
                    column_text(stmt, 8));
    }
    sqlite3_finalize(stmt);
    if (rc == 0 && any)
        fprintf(out, "remedy: %lld same, %lld better, %lld worse, %lld broken\n", counts[0],
                counts[1], counts[2], counts[3]);
    return rc;
}

int report_print(struct store *st, long long run_id, FILE *out)
{
    return report_print_rows(st, run_id, REPORT_ROWS_ALL, out);
}

/* "(N passing scenarios not shown ...)" when the table left them out. */
static int print_hidden_note(struct store *st, long long run_id, FILE *out)
{
    struct run_counts c;

    if (read_counts(st, run_id, &c) != 0)
        return -1;
    if (c.passed > 0)
        fprintf(out, "(%lld passing scenarios not shown; --all shows every row)\n", c.passed);
    return 0;
}

int report_print_rows(struct store *st, long long run_id, enum report_rows rows, FILE *out)
{
    struct run_counts c;
    int failures_only;

    if (run_id == 0 && latest_run(st, &run_id) != 0)
        return -1;
    if (rows == REPORT_ROWS_NONE)
        return print_summary(st, run_id, 1, out);
    if (read_counts(st, run_id, &c) != 0)
        return -1;
    failures_only = rows == REPORT_ROWS_FAILURES
                    || (rows == REPORT_ROWS_AUTO && c.passed + c.failed + c.errors > REPORT_BIG_RUN);
    if (print_run_header(st, run_id, out) != 0
        || print_table(st, run_id, failures_only, out) != 0
        || (failures_only && print_hidden_note(st, run_id, out) != 0)
        || print_problems(st, run_id, out) != 0 || print_remedy(st, run_id, out) != 0)
        return -1;
    return print_summary(st, run_id, 0, out);
}

/* "3  2024-05-01T10:00:00Z  2 passed, 1 failed, 0 errors, harness ..., wine ..." */
static void print_run_line(FILE *out, sqlite3_stmt *stmt)
{
    fprintf(out, "%lld  ", sqlite3_column_int64(stmt, 0));
    print_clean(out, column_text(stmt, 1));
    if (sqlite3_column_type(stmt, 2) == SQLITE_NULL)
        fputs("  not finished", out);
    else
        fprintf(out, "  %lld passed, %lld failed, %lld errors", sqlite3_column_int64(stmt, 3),
                sqlite3_column_int64(stmt, 4), sqlite3_column_int64(stmt, 5));
    print_field(out, "harness", column_text(stmt, 6));
    print_field(out, "wine", column_text(stmt, 7));
    fputc('\n', out);
}

int report_list_runs(struct store *st, FILE *out)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (prepare(st, "SELECT id, started_at, ended_at, passed, failed, errors,"
                    " harness_version, wine_version FROM run ORDER BY id", &stmt) != 0)
        return -1;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        print_run_line(out, stmt);
    rc = rc == SQLITE_DONE ? 0 : fail_db(st, "reading the runs");
    sqlite3_finalize(stmt);
    return rc;
}

/* ---- the by-shape report ---- */

/* One line per (shape, before code, after code, whether each rests on an
** assumption: emu/era.h) of the run; shape_n is the
** shape's number of scenarios.  Rows without a shape: an input error
** (nothing was probed), or a row written before schema step 2.
** The service's three states (schema step 7) split a group the same way:
** "path+args, 2 -> 0" is two findings when the service then runs in some
** scenarios and stops with 1 in others. */
static const char shapes_sql[] =
    "WITH pairs AS (SELECT coalesce(shape_before, CASE WHEN before_code IS NULL"
    "   THEN '(not run)' ELSE '(unknown)' END) AS shape,"
    "   before_code, after_code, count(*) AS n,"
    "   coalesce(before_assumed, 0) AS before_assumed, coalesce(after_assumed, 0) AS after_assumed,"
    "   service_before, service_after, service_restored"
    " FROM scenario_result WHERE run_id = ? GROUP BY 1, 2, 3, 5, 6, 7, 8, 9)"
    " SELECT shape, before_code, after_code, n,"
    "   sum(n) OVER (PARTITION BY shape) AS shape_n, before_assumed, after_assumed,"
    "   service_before, service_after, service_restored"
    " FROM pairs ORDER BY shape_n DESC, shape, n DESC, before_code, after_code,"
    "   before_assumed, after_assumed, service_before, service_after, service_restored";

/* Column order of shapes_sql. */
enum { S_SHAPE, S_BEFORE_CODE, S_AFTER_CODE, S_PAIR_N, S_SHAPE_N, S_BEFORE_ASSUMED,
       S_AFTER_ASSUMED, S_SERVICE_BEFORE };

#define SHAPE_TITLE "SHAPE"
#define COUNT_TITLE "SCENARIOS"
#define PAIRS_TITLE "PROBE BEFORE -> AFTER"
#define SERVICE_TITLE "SERVICE BEFORE -> AFTER -> RESTORED"

/* Widest shape cell, in characters (labels are short; see emu/shape.h). */
#define SHAPE_MAX_CHARS 24

struct shape_widths {
    size_t shape, pair_n, before, after;
    int service;    /* the run recorded service states: show them */
};

/* The shape cell of the current row, capped and cleaned like every cell. */
static void format_shape(sqlite3_stmt *stmt, char out[CELL_BYTES])
{
    shorten_middle(column_text(stmt, S_SHAPE), SHAPE_MAX_CHARS, out);
}

static size_t digits(long long n)
{
    size_t d = 1;

    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

static void max_width(size_t *width, size_t n)
{
    *width = n > *width ? n : *width;
}

static void measure_shapes(sqlite3_stmt *stmt, struct shape_widths *w)
{
    char before[CELL_BYTES], shape[CELL_BYTES];

    char after[CELL_BYTES];

    w->shape = strlen(SHAPE_TITLE);
    w->pair_n = 1;
    w->before = w->after = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        report_outcome_text(stmt, S_BEFORE_CODE, NULL, sqlite3_column_int(stmt, S_BEFORE_ASSUMED) == 1,
                     before, sizeof before);
        report_outcome_text(stmt, S_AFTER_CODE, NULL, sqlite3_column_int(stmt, S_AFTER_ASSUMED) == 1,
                     after, sizeof after);
        format_shape(stmt, shape);
        max_width(&w->shape, utf8_chars(shape));
        max_width(&w->pair_n, digits(sqlite3_column_int64(stmt, S_PAIR_N)));
        max_width(&w->before, strlen(before));
        max_width(&w->after, strlen(after));
    }
}

/* The width of the pairs column: "N x BEFORE -> AFTER" at its widest. */
static size_t pairs_width(const struct shape_widths *w)
{
    size_t n = w->pair_n + strlen(" x ") + w->before + strlen(" -> ") + w->after;

    return n > strlen(PAIRS_TITLE) ? n : strlen(PAIRS_TITLE);
}

/* "path+args  12  10 x 2 ERROR_FILE_NOT_FOUND -> 0 ok"; the shape and its
** count only on the first line of its group. */
static void print_shape_line(FILE *out, sqlite3_stmt *stmt, const struct shape_widths *w,
                             int first_of_shape)
{
    char before[CELL_BYTES], after[CELL_BYTES], shape[CELL_BYTES];

    report_outcome_text(stmt, S_BEFORE_CODE, NULL, sqlite3_column_int(stmt, S_BEFORE_ASSUMED) == 1,
                 before, sizeof before);
    report_outcome_text(stmt, S_AFTER_CODE, NULL, sqlite3_column_int(stmt, S_AFTER_ASSUMED) == 1,
                 after, sizeof after);
    format_shape(stmt, shape);
    print_padded(out, first_of_shape ? shape : "", w->shape);
    fputs(COL_GAP, out);
    if (first_of_shape)
        fprintf(out, "%*lld", (int)strlen(COUNT_TITLE), sqlite3_column_int64(stmt, S_SHAPE_N));
    else
        fprintf(out, "%*s", (int)strlen(COUNT_TITLE), "");
    if (!w->service) {
        fprintf(out, COL_GAP "%*lld x %-*s -> %s\n", (int)w->pair_n,
                sqlite3_column_int64(stmt, S_PAIR_N), (int)w->before, before, after);
        return;
    }
    int n = fprintf(out, COL_GAP "%*lld x %-*s -> %s", (int)w->pair_n,
                    sqlite3_column_int64(stmt, S_PAIR_N), (int)w->before, before, after);
    fprintf(out, "%*s", (int)(pairs_width(w) + strlen(COL_GAP)) - n, "");
    fputs(COL_GAP, out);
    for (int i = 0; i < 3; i++) {
        const char *state = column_text(stmt, S_SERVICE_BEFORE + i);

        fputs(i ? " -> " : "", out);
        print_clean(out, state ? state : "-");
    }
    fputc('\n', out);
}

static void print_dashes(FILE *out, size_t n)
{
    while (n-- > 0)
        fputc('-', out);
}

static void print_shape_titles(FILE *out, const struct shape_widths *w)
{
    print_padded(out, SHAPE_TITLE, w->shape);
    fputs(COL_GAP COUNT_TITLE COL_GAP, out);
    if (w->service) {
        print_padded(out, PAIRS_TITLE, pairs_width(w));
        fputs(COL_GAP SERVICE_TITLE, out);
    } else {
        fputs(PAIRS_TITLE, out);
    }
    fputc('\n', out);
    print_dashes(out, w->shape);
    fputs(COL_GAP, out);
    print_dashes(out, strlen(COUNT_TITLE));
    fputs(COL_GAP, out);
    print_dashes(out, w->service ? pairs_width(w) : strlen(PAIRS_TITLE));
    if (w->service) {
        fputs(COL_GAP, out);
        print_dashes(out, strlen(SERVICE_TITLE));
    }
    fputc('\n', out);
}

/* Prints the table; *nscenarios and *nshapes count what it showed. */
static int print_shape_table(struct store *st, long long run_id, FILE *out,
                             long long *nscenarios, long long *nshapes)
{
    sqlite3_stmt *stmt = NULL;
    struct shape_widths w;
    char shape[CELL_BYTES] = "";
    int rc;

    if (run_has_service(st, run_id, &w.service) != 0
        || prepare_for_run(st, shapes_sql, run_id, &stmt) != 0)
        return -1;
    measure_shapes(stmt, &w);
    sqlite3_reset(stmt);
    print_shape_titles(out, &w);
    *nscenarios = *nshapes = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = column_text(stmt, S_SHAPE);
        int first = *nshapes == 0 || strcmp(name, shape) != 0;

        if (first) {
            snprintf(shape, sizeof shape, "%s", name);
            ++*nshapes;
        }
        *nscenarios += sqlite3_column_int64(stmt, S_PAIR_N);
        print_shape_line(out, stmt, &w, first);
    }
    rc = rc == SQLITE_DONE ? 0 : fail_db(st, "reading the shapes");
    sqlite3_finalize(stmt);
    return rc;
}

int report_by_shape(struct store *st, long long run_id, FILE *out)
{
    long long nscenarios, nshapes;

    if (run_id == 0 && latest_run(st, &run_id) != 0)
        return -1;
    if (print_run_header(st, run_id, out) != 0
        || print_shape_table(st, run_id, out, &nscenarios, &nshapes) != 0)
        return -1;
    fprintf(out, "\n%lld scenarios in %lld shapes\n", nscenarios, nshapes);
    return 0;
}
