/*
** test_run.c - end-to-end tests of build/kmharness, run under Wine.
**
** A native cmocka program: it runs the real harness (launcher, private test
** prefix, winelib program) on the bundled scenarios and on scenarios it
** writes itself, then reads what the harness left behind (exit status,
** output, the SQLite database) through sqlite3 and the outcome view of the
** contract. Expected outcomes are stated here independently of the
** scenarios' own @expect directives, from the KB and Windows' behaviour.
**
** Environment (set by the Makefile): KMHARNESS (the launcher),
** KMH_SCENARIOS (the bundled scenarios folder), KMHARNESS_PREFIX.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char workdir[] = "/tmp/kmh-integration-XXXXXX";

static const char *env(const char *name)
{
    const char *v = getenv(name);
    if (!v) {
        fprintf(stderr, "%s is not set (run through make check)\n", name);
        exit(2);
    }
    return v;
}

/* Run the harness with ARGS (a shell fragment); stdout and stderr go to
** files in workdir. Returns the exit status. */
static int harness(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd %s && '%s' %s >out.txt 2>err.txt", workdir,
             env("KMHARNESS"), args);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", workdir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n + 1);
    size_t got = fread(buf, 1, n, f);
    buf[got] = 0;
    fclose(f);
    if (len)
        *len = got;
    return buf;
}

static char *last_line(char *text)
{
    size_t n = strlen(text);
    while (n && text[n - 1] == '\n')
        text[--n] = 0;
    char *nl = strrchr(text, '\n');
    return nl ? nl + 1 : text;
}

static sqlite3 *open_db(const char *name)
{
    char path[512];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/%s", workdir, name);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    return db;
}

/* The single integer (or -999 for NULL, -998 for no row) answered by SQL. */
static long long query_int(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    long long v = -998;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -999 : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static char *query_text(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", workdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- the bundled scenarios ------------------------------------------ */

static int bundled_rc = -1;

static int run_bundled(void **state)
{
    char args[1024];
    snprintf(args, sizeof args, "run --db bundled.db '%s'", env("KMH_SCENARIOS"));
    bundled_rc = harness(args);
    return 0;
}

static void bundled_run_passes(void **state)
{
    char *out = slurp("out.txt", NULL);
    assert_non_null(out);
    assert_int_equal(bundled_rc, 0);
    int passed = -1, failed = -1;
    assert_int_equal(sscanf(last_line(out), "%d passed, %d failed", &passed, &failed), 2);
    assert_true(passed >= 12);
    assert_int_equal(failed, 0);
    free(out);
}

static void every_bundled_verdict_is_pass(void **state)
{
    sqlite3 *db = open_db("bundled.db");
    assert_int_equal(query_int(db, "select count(*) from outcome where verdict <> 'pass'", NULL), 0);
    assert_true(query_int(db, "select count(*) from outcome", NULL) >= 12);
    sqlite3_close(db);
}

struct expected { const char *scenario; long long before, after; };

/* From the KB and Windows' behaviour, not from the harness's output. */
static const struct expected expectations[] = {
    { "pw-appended",             2,   0 },  /* the KB's symptom, cured by its fix */
    { "pw-with-spaces",          2,   0 },
    { "pw-quote",                123, 0 },  /* '"' is not legal in a file name */
    { "pw-backslash",            3,   0 },  /* "Kmserver.exe my" read as a folder */
    { "pw-slash-option",         3,   0 },  /* '/' is a path separator too */
    { "pw-tab",                  123, 0 },  /* a TAB is not legal in a file name */
    { "quote-path",              123, 0 },  /* quotes are not legal in a file name */
    { "quote-path-pw",           123, 0 },
    { "quote-spaces-decoy-pw",   123, 0 },
    { "path-spaces-pw",          2,   0 },
    { "path-spaces-decoy",       0,   0 },  /* the version API never tries C:\\Program.exe */
    { "path-trailing-blanks",    0,   0 },  /* trailing spaces are dropped by Win32 */
    { "path-nt-prefix",          0,   0 },
    { "path-relative-pw",        3,   3 },  /* relative: the fix alone cannot help */
    { "path-systemroot-prefix",  3,   3 },
    { "env-systemdrive-expand",  3,   3 },  /* REG_EXPAND_SZ is not expanded by Update.exe */
    { "env-systemdrive-sz-pw",   3,   3 },
    { "nul-hidden-pw-expand",    0,   0 },  /* hidden after the NUL: found, then cleaned */
    { "nul-args-and-hidden",     2,   0 },
    { "type-dword",              1630, 1630 }, /* not a string: left alone */
    { "type-multi-sz",           1630, 1630 },
    { "clean-sz",                0,   0 },
    { "clean-expand-sz",         0,   0 },
    { "absent-key",              -1,  -1 }, /* not installed: skipped */
    { "absent-value",            2,   2 },  /* RegQueryValueEx: no such value */
    { "file-missing-pw",         3,   3 },  /* no folder: the fix cannot help */
    { "file-noversion-pw",       2,   1812 },
    { "file-drive-d-pw",         2,   0 },
    { "file-copies-wrong-drive", 3,   3 },
    { "file-folder-pw",          2,   5 },  /* a folder cannot be opened as a file */
    { "file-text-pw",            2,   1812 }, /* no resource section */
    { "export-utf16-hex2",       2,   0 },
    { "export-regedit4-nt4",     2,   0 },
    { "view-wow64-copy-only",    -1,  -1 }, /* a Wow6432Node copy is no service */
};

static void outcome_codes_match_windows(void **state)
{
    sqlite3 *db = open_db("bundled.db");
    for (size_t i = 0; i < sizeof expectations / sizeof expectations[0]; i++) {
        const struct expected *e = &expectations[i];
        long long b = query_int(db, "select before_code from outcome where scenario = ?1",
                                e->scenario);
        long long a = query_int(db, "select after_code from outcome where scenario = ?1",
                                e->scenario);
        if (b != e->before || a != e->after)
            fail_msg("%s: before %lld after %lld, expected %lld %lld", e->scenario, b, a,
                     e->before, e->after);
    }
    sqlite3_close(db);
}

static void image_paths_are_redacted(void **state)
{
    sqlite3 *db = open_db("bundled.db");
    char *before = query_text(db, "select image_path_before from outcome where scenario = ?1",
                              "pw-appended");
    char *after = query_text(db, "select image_path_after from outcome where scenario = ?1",
                             "pw-appended");
    assert_string_equal(before, "C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted: 9 chars>");
    assert_string_equal(after, "C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_int_equal(query_int(db, "select image_path_before is null from outcome "
                                   "where scenario = ?1", "absent-value"), 1);
    free(before);
    free(after);
    sqlite3_close(db);
}

static const char *planted[] = {
    "Kx9!tiger", "correct horse battery", "Sup3rSecret", "hunter2", "s3cret",
    "dpass-77", "Export#Pass1", "pa\"ss9", "my\\pass", "100%Pure%", "Tabbed1",
    "tiger.exe", "Hush-55", "Colon9", "Twice#7", "Lead#8", "low#case", "Fwd#9",
    "Nt#Pass1", "Rel#Pass2", "Decoy#3", "QSpace#3", "QDecoy#4", "InQuote#4", "Open#5",
    "Env#Pass6", "EnvSz#7", "Hidden#8", "HiddenSz#9", "Vis#9", "Hid#10", "Multi#11",
    "Moved#12", "Full#Export13", "Ascii#15", "View#16", "Stray#17", "Folder#18", "Text#19",
};

static int has_bytes(const char *hay, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(hay + i, needle, m))
            return 1;
    return 0;
}

static void assert_no_secret_in(const char *file)
{
    size_t n;
    char *data = slurp(file, &n);
    if (!data)
        return;
    for (size_t i = 0; i < sizeof planted / sizeof planted[0]; i++) {
        char wide[128];
        size_t m = strlen(planted[i]);
        for (size_t j = 0; j < m; j++)
            wide[2 * j] = planted[i][j], wide[2 * j + 1] = 0;
        if (has_bytes(data, n, planted[i], m) || has_bytes(data, n, wide, 2 * m))
            fail_msg("password #%zu found in %s", i, file);
    }
    free(data);
}

static void no_password_in_any_output(void **state)
{
    assert_no_secret_in("bundled.db");
    assert_no_secret_in("bundled.db-wal");
    assert_no_secret_in("bundled.db-journal");
    assert_no_secret_in("out.txt");
    assert_no_secret_in("err.txt");
}

/* ---- the other commands and bad input -------------------------------- */

static void report_reprints_the_run(void **state)
{
    assert_int_equal(harness("report --db bundled.db"), 0);
    char *out = slurp("out.txt", NULL);
    assert_non_null(strstr(out, "pw-appended"));
    int passed = -1, failed = -1;
    assert_int_equal(sscanf(last_line(out), "%d passed, %d failed", &passed, &failed), 2);
    assert_int_equal(failed, 0);
    free(out);
    assert_int_equal(harness("report --db bundled.db --run 999999"), 2);
}

static void bad_scenario_is_an_input_error(void **state)
{
    write_file("bad-header.reg", "REGEDIT5\r\n");
    write_file("good.reg",
               "REGEDIT4\r\n; @expect-before: 2\r\n; @expect-after: 0\r\n"
               "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
               "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe pw1234\"\r\n");
    assert_int_equal(harness("run --db bad.db bad-header.reg good.reg"), 2);
    char *err = slurp("err.txt", NULL);
    assert_non_null(strstr(err, "bad-header.reg:1: "));
    free(err);
    char *out = slurp("out.txt", NULL);
    assert_string_equal(last_line(out), "1 passed, 0 failed, 1 errors");
    free(out);
    sqlite3 *db = open_db("bad.db");
    assert_int_equal(query_int(db, "select before_code from outcome where scenario = ?1",
                               "bad-header"), -999);
    char *verdict = query_text(db, "select verdict from outcome where scenario = ?1",
                               "bad-header");
    assert_string_equal(verdict, "error");
    free(verdict);
    sqlite3_close(db);
}

static void failed_expectation_fails_the_run(void **state)
{
    write_file("wrong.reg",
               "REGEDIT4\r\n; @expect-after: ERROR_FILE_NOT_FOUND\r\n"
               "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
               "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe\"\r\n");
    assert_int_equal(harness("run --db wrong.db wrong.reg"), 1);
    sqlite3 *db = open_db("wrong.db");
    char *verdict = query_text(db, "select verdict from outcome", NULL);
    assert_string_equal(verdict, "fail");
    free(verdict);
    sqlite3_close(db);
}

static void runs_append_with_growing_ids(void **state)
{
    assert_int_equal(harness("run --db twice.db good.reg"), 0);
    assert_int_equal(harness("run --db twice.db good.reg"), 0);
    sqlite3 *db = open_db("twice.db");
    assert_int_equal(query_int(db, "select count(distinct run_id) from outcome", NULL), 2);
    assert_int_equal(query_int(db, "select max(run_id) - min(run_id) from outcome", NULL), 1);
    sqlite3_close(db);
}

static void probe_and_fix_commands(void **state)
{
    /* With no scenario applied the prefix is at the baseline: no KM server. */
    assert_int_equal(harness("probe"), 255);
    char *out = slurp("out.txt", NULL);
    assert_non_null(strstr(out, "not installed"));
    free(out);
    assert_int_equal(harness("fix --dry-run"), 1);
    assert_int_equal(harness("frobnicate"), 2);
}

int main(void)
{
    if (!mkdtemp(workdir))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(bundled_run_passes, run_bundled),
        cmocka_unit_test(every_bundled_verdict_is_pass),
        cmocka_unit_test(outcome_codes_match_windows),
        cmocka_unit_test(image_paths_are_redacted),
        cmocka_unit_test(no_password_in_any_output),
        cmocka_unit_test(report_reprints_the_run),
        cmocka_unit_test(bad_scenario_is_an_input_error),
        cmocka_unit_test(failed_expectation_fails_the_run),
        cmocka_unit_test(runs_append_with_growing_ids),
        cmocka_unit_test(probe_and_fix_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
