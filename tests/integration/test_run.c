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
#include "support.h"

/* ---- the bundled scenarios ------------------------------------------ */

static int bundled_rc = -1;

static int run_bundled(void **state)
{
    char args[1024];
    snprintf(args, sizeof args, "run --db bundled.db '%s'", env("KMH_SCENARIOS"));
    bundled_rc = harness(NULL, args);
    return 0;
}

static void bundled_run_passes(void **state)
{
    char *out = slurp("out.txt", NULL);
    assert_non_null(out);
    assert_int_equal(bundled_rc, 0);
    int passed, failed;
    parse_summary(out, &passed, &failed);
    assert_true(passed >= 12);
    assert_int_equal(failed, 0);
    free(out);
}

static void every_bundled_verdict_is_pass(void **state)
{
    sqlite3 *db = open_db("bundled.db");
    assert_int_equal(query_int(db, "select count(*) from outcome where verdict <> 'pass'", NULL),
                     0);
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
    { "env-systemdrive-expand",  3,   3 },  /* REG_EXPAND_SZ not expanded (an assumption: probe.h 3) */
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

static const char *const planted[] = {
    "Kx9!tiger", "correct horse battery", "Sup3rSecret", "hunter2", "s3cret",
    "dpass-77", "Export#Pass1", "pa\"ss9", "my\\pass", "100%Pure%", "Tabbed1",
    "tiger.exe", "Hush-55", "Colon9", "Twice#7", "Lead#8", "low#case", "Fwd#9",
    "Nt#Pass1", "Rel#Pass2", "Decoy#3", "QSpace#3", "QDecoy#4", "InQuote#4", "Open#5",
    "Env#Pass6", "EnvSz#7", "Hidden#8", "HiddenSz#9", "Vis#9", "Hid#10", "Multi#11",
    "Moved#12", "Full#Export13", "Ascii#15", "View#16", "Stray#17", "Folder#18", "Text#19",
};

static void no_password_in_any_output(void **state)
{
    assert_no_password_in_outputs("bundled.db", planted, sizeof planted / sizeof planted[0]);
}

/* ---- the other commands and bad input -------------------------------- */

static void report_reprints_the_run(void **state)
{
    assert_int_equal(harness(NULL, "report --db bundled.db"), 0);
    char *out = slurp("out.txt", NULL);
    assert_non_null(strstr(out, "pw-appended"));
    int passed, failed;
    parse_summary(out, &passed, &failed);
    assert_int_equal(failed, 0);
    free(out);
    assert_int_equal(harness(NULL, "report --db bundled.db --run 999999"), 2);
}

static void bad_scenario_is_an_input_error(void **state)
{
    write_file("bad-header.reg", "REGEDIT5\r\n");
    write_file("good.reg",
               "REGEDIT4\r\n; @expect-before: 2\r\n; @expect-after: 0\r\n"
               "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
               "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe pw1234\"\r\n");
    assert_int_equal(harness(NULL, "run --db bad.db bad-header.reg good.reg"), 2);
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
    assert_int_equal(harness(NULL, "run --db wrong.db wrong.reg"), 1);
    sqlite3 *db = open_db("wrong.db");
    char *verdict = query_text(db, "select verdict from outcome", NULL);
    assert_string_equal(verdict, "fail");
    free(verdict);
    sqlite3_close(db);
}

static void runs_append_with_growing_ids(void **state)
{
    assert_int_equal(harness(NULL, "run --db twice.db good.reg"), 0);
    assert_int_equal(harness(NULL, "run --db twice.db good.reg"), 0);
    sqlite3 *db = open_db("twice.db");
    assert_int_equal(query_int(db, "select count(distinct run_id) from outcome", NULL), 2);
    assert_int_equal(query_int(db, "select max(run_id) - min(run_id) from outcome", NULL), 1);
    sqlite3_close(db);
}

static void probe_and_fix_commands(void **state)
{
    /* With no scenario applied the prefix is at the baseline: no KM server. */
    assert_int_equal(harness(NULL, "probe"), 3);
    char *out = slurp("out.txt", NULL);
    assert_non_null(strstr(out, "not installed"));
    free(out);
    assert_int_equal(harness(NULL, "fix --dry-run"), 1);
    assert_int_equal(harness(NULL, "frobnicate"), 2);
}

int main(void)
{
    if (workdir_make("integration"))
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
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (!failed)
        workdir_remove(); /* kept after a failure, to look at */
    return failed;
}
