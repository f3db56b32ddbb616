/*
** Unit tests for db/report.c: the `kmharness report` text.
**
** Each test records a small run through db/store.c into a fresh file and
** compares the report with lines worked out by hand: column widths from the
** widest cell, long values cut in the middle, the probe outcomes written as
** "code NAME" / "0 version" / "-1 not installed", the problems under the
** table, and the contract's summary "N passed, N failed[, N errors]" as the
** last line.  Unknown runs and empty files must fail with a message.
** The by-shape findings view is checked the same way: groups, counts and
** before -> after pairs worked out by hand, and never a value's text.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "store.h"

struct fixture {
    char dir[64];
    struct store *st;
};

static int open_store(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    char path[96], err[256];

    if (fx == NULL)
        return -1;
    strcpy(fx->dir, "/tmp/kmh-report-XXXXXX");
    if (mkdtemp(fx->dir) == NULL)
        return -1;
    snprintf(path, sizeof path, "%s/results.db", fx->dir);
    if (store_open(path, &fx->st, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = fx;
    return 0;
}

static int close_store(void **state)
{
    struct fixture *fx = *state;
    char cmd[128];

    store_close(fx->st);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    free(fx);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- helpers ---- */

static const struct store_run_info run_info = { "test-1.0", "wine-8.0", "testhost", "kmharness run", NULL };

static long long begin_ok(struct store *st)
{
    long long run_id = 0;

    if (store_begin_run(st, &run_info, &run_id) != 0)
        fail_msg("store_begin_run: %s", store_error(st));
    return run_id;
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

static const struct store_probe version_found = { 1, 0, NULL, "5.5.2653.9", NULL, 0 };

/* One passing scenario named name, with ImagePath path before and after. */
static void add_passing(struct store *st, long long run_id, int seq, const char *name,
                        const char *path)
{
    struct store_scenario sc = {
        .name = name, .verdict = "pass", .image_path_before = path, .image_path_after = path,
        .before = version_found, .after = version_found,
    };

    add_ok(st, run_id, seq, &sc);
}

typedef int (*report_fn)(struct store *, long long run_id, FILE *out);

/* Runs report into a string (caller frees); *rc gets its result. */
static char *report_text_of(report_fn report, struct store *st, long long run_id, int *rc)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    assert_non_null(out);
    *rc = report(st, run_id, out);
    fclose(out);
    return text;
}

static char *report_text(struct store *st, long long run_id, int *rc)
{
    return report_text_of(report_print, st, run_id, rc);
}

/* Compares text line by line with expected (NULL-terminated), exactly:
** same lines, same count, every line ending in '\n'. */
static void assert_lines(const char *text, const char *const *expected)
{
    const char *line = text;
    int i = 0;

    for (; expected[i] != NULL; i++) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);

        if (nl == NULL)
            fail_msg("report ends before line %d (%s)", i + 1, expected[i]);
        if (len != strlen(expected[i]) || memcmp(line, expected[i], len) != 0)
            fail_msg("line %d:\n  got      [%.*s]\n  expected [%s]", i + 1, (int)len, line,
                     expected[i]);
        line = nl + 1;
    }
    if (*line != '\0')
        fail_msg("more report after line %d: [%s]", i, line);
}

/* Copies the first line (it holds timestamps) into header; returns the rest. */
static const char *after_header(const char *text, char *header, size_t len)
{
    const char *nl = strchr(text, '\n');

    assert_non_null(nl);
    snprintf(header, len, "%.*s", (int)(nl - text), text);
    return nl + 1;
}

static const char *last_line(const char *text)
{
    size_t len = strlen(text);
    const char *p;

    assert_true(len > 0 && text[len - 1] == '\n');
    for (p = text + len - 1; p > text && p[-1] != '\n'; p--)
        ;
    return p;
}

/* ---- a run with every kind of outcome ---- */

static void record_mixed_run(struct store *st, long long run_id)
{
    static const char long_path[] =
        "C:\\Program Files\\Microsoft Exchange Server\\Bin\\Kmserver.exe";
    static const struct store_check long_checks[] = {
        { "same-file", 1, NULL },
        { "expect-after", 0, "expected 0, got 3" },
    };
    static const struct store_check odd_checks[] = { { "no-secret-left", 0, NULL } };
    struct store_scenario password = {
        .name = "password-in-path", .verdict = "pass",
        .image_path_before = "C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted>",
        .image_path_after = "C:\\Exchsrvr\\Bin\\Kmserver.exe",
        .before = { 1, 2, "The system cannot find the file specified.", NULL, NULL, 0 },
        .after = version_found,
    };
    struct store_scenario absent = {
        .name = "not-installed", .verdict = "pass",
        .before = { 1, -1, NULL, NULL, NULL, 0 }, .after = { 1, -1, NULL, NULL, NULL, 0 },
    };
    struct store_scenario longp = {
        .name = "long-path", .verdict = "fail",
        .image_path_before = "C:\\Program Files\\Microsoft Exchange Server\\Bin\\Kmserver.exe"
                             " <redacted>",
        .image_path_after = long_path,
        .before = { 1, 123, NULL, NULL, NULL, 0 }, .after = { 1, 3, NULL, NULL, NULL, 0 },
        .checks = long_checks, .nchecks = 2,
    };
    struct store_scenario unreadable = {
        .name = "bad-directive", .verdict = "error",
        .error_text = "bad-directive.reg:3: unknown directive @expct-before",
    };
    struct store_scenario odd = {
        .name = "odd-code", .verdict = "fail", .image_path_before = "",
        .before = { 1, 0, NULL, NULL, NULL, 0 }, .after = { 1, 99999, NULL, NULL, NULL, 0 },
        .checks = odd_checks, .nchecks = 1,
    };

    add_ok(st, run_id, 0, &password);
    add_ok(st, run_id, 1, &absent);
    add_ok(st, run_id, 2, &longp);
    add_ok(st, run_id, 3, &unreadable);
    add_ok(st, run_id, 4, &odd);
}

static void mixed_run_report_lines(void **state)
{
    static const char *const expected[] = {
        "",
        "SCENARIO          IMAGEPATH BEFORE                              BEFORE                  IMAGEPATH AFTER                               AFTER                   VERDICT",
        "----------------  --------------------------------------------  ----------------------  --------------------------------------------  ----------------------  -------",
        "password-in-path  C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted>       2 ERROR_FILE_NOT_FOUND  C:\\Exchsrvr\\Bin\\Kmserver.exe                  0 5.5.2653.9            pass",
        "not-installed     (none)                                        -1 not installed        (none)                                        -1 not installed        pass",
        "long-path         C:\\Program Files\\Mic...server.exe <redacted>  123 ERROR_INVALID_NAME  C:\\Program Files\\Mic...rver\\Bin\\Kmserver.exe  3 ERROR_PATH_NOT_FOUND  fail",
        "bad-directive     (none)                                        (not run)               (none)                                        (not run)               error",
        "odd-code          (empty)                                       0 ok                    (none)                                        99999                   fail",
        "",
        "problems:",
        "  long-path: check expect-after failed: expected 0, got 3",
        "  bad-directive: bad-directive.reg:3: unknown directive @expct-before",
        "  odd-code: check no-secret-left failed",
        "",
        "2 passed, 2 failed, 1 errors",
        NULL,
    };
    struct fixture *fx = *state;
    long long run_id = begin_ok(fx->st);
    char header[256];
    char *text;
    int rc;

    record_mixed_run(fx->st, run_id);
    end_ok(fx->st, run_id, 2, 2, 1);
    text = report_text(fx->st, run_id, &rc);
    assert_int_equal(rc, 0);
    assert_lines(after_header(text, header, sizeof header), expected);
    assert_int_equal(strncmp(header, "run 1, started 20", 17), 0);
    assert_non_null(strstr(header, ", ended 20"));
    assert_non_null(strstr(header, ", harness test-1.0, wine wine-8.0, host testhost"));
    free(text);
}

/* Widths count characters, not UTF-8 bytes; a control character cannot
** break a row; no problems section and no ", N errors" when all passed. */
static void utf8_and_control_characters(void **state)
{
    static const char *const expected[] = {
        "",
        "SCENARIO                                  IMAGEPATH BEFORE  BEFORE        IMAGEPATH AFTER  AFTER         VERDICT",
        "----------------------------------------  ----------------  ------------  ---------------  ------------  -------",
        "éééééééééééééééééé...ééééééééééééééééééé  C:\\a?b            0 5.5.2653.9  C:\\a?b           0 5.5.2653.9  pass",
        "",
        "1 passed, 0 failed",
        NULL,
    };
    struct fixture *fx = *state;
    long long run_id = begin_ok(fx->st);
    char name[50 * 2 + 1] = "", header[256];
    char *text;
    int rc;

    for (int i = 0; i < 50; i++)
        strcat(name, "é");
    add_passing(fx->st, run_id, 0, name, "C:\\a\tb");
    end_ok(fx->st, run_id, 1, 0, 0);
    text = report_text(fx->st, run_id, &rc);
    assert_int_equal(rc, 0);
    assert_lines(after_header(text, header, sizeof header), expected);
    free(text);
}

/* ---- which run ---- */

static void run_zero_is_the_latest(void **state)
{
    struct fixture *fx = *state;
    long long first = begin_ok(fx->st), second;
    char *text;
    int rc;

    add_passing(fx->st, first, 0, "first-run-scenario", "C:\\x.exe");
    end_ok(fx->st, first, 1, 0, 0);
    second = begin_ok(fx->st);
    add_passing(fx->st, second, 0, "second-run-scenario", "C:\\x.exe");
    end_ok(fx->st, second, 1, 0, 0);

    text = report_text(fx->st, 0, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(strncmp(text, "run 2, ", 7), 0);
    assert_non_null(strstr(text, "second-run-scenario"));
    assert_null(strstr(text, "first-run-scenario"));
    free(text);

    text = report_text(fx->st, first, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(text, "first-run-scenario"));
    assert_null(strstr(text, "second-run-scenario"));
    free(text);
}

static void unknown_run_is_an_error(void **state)
{
    struct fixture *fx = *state;
    long long run_id = begin_ok(fx->st);
    char *text;
    int rc;

    end_ok(fx->st, run_id, 0, 0, 0);
    text = report_text(fx->st, 42, &rc);
    assert_int_not_equal(rc, 0);
    assert_string_equal(text, "");
    assert_non_null(strstr(store_error(fx->st), "no run 42"));
    free(text);
}

static void empty_database_is_an_error(void **state)
{
    struct fixture *fx = *state;
    char *text;
    int rc;

    text = report_text(fx->st, 0, &rc);
    assert_int_not_equal(rc, 0);
    assert_string_equal(text, "");
    assert_non_null(strstr(store_error(fx->st), "no runs"));
    free(text);
}

/* A run cut short: marked, and the summary counts what was recorded. */
static void unfinished_run(void **state)
{
    struct fixture *fx = *state;
    long long run_id = begin_ok(fx->st);
    struct store_scenario failed = { .name = "f", .verdict = "fail" };
    char *text;
    int rc;

    add_passing(fx->st, run_id, 0, "p", "C:\\x.exe");
    add_ok(fx->st, run_id, 1, &failed);
    store_close(fx->st);
    {
        char path[96], err[256];

        snprintf(path, sizeof path, "%s/results.db", fx->dir);
        assert_int_equal(store_open(path, &fx->st, err, sizeof err), 0);
    }
    text = report_text(fx->st, run_id, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(text, ", not finished"));
    assert_null(strstr(text, ", ended"));
    /* A killed run must not read as a green one (issue 7): the counts stay
    ** parseable, the end of the line says they are not the whole run. */
    assert_string_equal(last_line(text), "1 passed, 1 failed, run not finished\n");
    free(text);
    {
        int finished = -1;

        assert_int_equal(report_run_finished(fx->st, run_id, &finished), 0);
        assert_int_equal(finished, 0);
        assert_int_equal(report_run_finished(fx->st, 0, &finished), 0);
        assert_int_equal(finished, 0);
        end_ok(fx->st, run_id, 1, 1, 0);
        assert_int_equal(report_run_finished(fx->st, run_id, &finished), 0);
        assert_int_equal(finished, 1);
        assert_int_not_equal(report_run_finished(fx->st, run_id + 1, &finished), 0);
    }
}

/* ---- the by-shape report ---- */

/* One scenario of shape SHAPE with probe outcomes BEFORE and AFTER. */
static void add_shaped(struct store *st, long long run_id, int seq, const char *shape,
                       struct store_probe before, struct store_probe after)
{
    struct store_scenario sc = {
        .name = "s", .verdict = "pass", .shape_before = shape,
        .image_path_before = "C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted>",
        .before = before, .after = after,
    };

    add_ok(st, run_id, seq, &sc);
}

/* Largest shape first, then by name; in a shape, the commonest pair first.
** Columns: shape (9 wide here), its count (under SCENARIOS, 9 wide), then
** "N x BEFORE -> AFTER" with BEFORE padded to the widest (22). */
static void by_shape_groups_pairs(void **state)
{
    static const struct store_probe not_found = { 1, 2, NULL, NULL, NULL, 0 };
    static const struct store_probe no_path = { 1, 3, NULL, NULL, NULL, 0 };
    static const struct store_probe bad_name = { 1, 123, NULL, NULL, NULL, 0 };
    static const struct store_probe none = { 1, -1, NULL, NULL, NULL, 0 };
    static const char *const expected[] = {
        "",
        "SHAPE    " "  " "SCENARIOS" "  " "PROBE BEFORE -> AFTER",
        "---------" "  " "---------" "  " "---------------------",
        "path+args" "  " "        3" "  " "2 x 2 ERROR_FILE_NOT_FOUND -> 0 ok",
        "         " "  " "         " "  " "1 x 2 ERROR_FILE_NOT_FOUND -> 3 ERROR_PATH_NOT_FOUND",
        "(not run)" "  " "        1" "  " "1 x (not run)              -> (not run)",
        "(unknown)" "  " "        1" "  " "1 x 2 ERROR_FILE_NOT_FOUND -> 0 ok",
        "no-key   " "  " "        1" "  " "1 x -1 not installed       -> -1 not installed",
        "quoted   " "  " "        1" "  " "1 x 123 ERROR_INVALID_NAME -> 0 ok",
        "",
        "7 scenarios in 5 shapes",
        NULL,
    };
    struct store_scenario unreadable = { .name = "bad", .verdict = "error", .error_text = "x" };
    struct fixture *fx = *state;
    long long run_id = begin_ok(fx->st);
    char header[256];
    char *text;
    int rc;

    add_shaped(fx->st, run_id, 0, "path+args", not_found, no_path);
    add_shaped(fx->st, run_id, 1, "quoted", bad_name, version_found);
    add_shaped(fx->st, run_id, 2, "path+args", not_found, version_found);
    add_shaped(fx->st, run_id, 3, "no-key", none, none);
    add_shaped(fx->st, run_id, 4, "path+args", not_found, version_found);
    add_ok(fx->st, run_id, 5, &unreadable);
    add_shaped(fx->st, run_id, 6, NULL, not_found, version_found); /* a pre-shape row */
    end_ok(fx->st, run_id, 6, 0, 1);
    text = report_text_of(report_by_shape, fx->st, run_id, &rc);
    assert_int_equal(rc, 0);
    assert_lines(after_header(text, header, sizeof header), expected);
    assert_int_equal(strncmp(header, "run 1, started 20", 17), 0);
    assert_null(strstr(text, "Kmserver"));  /* shapes only, never a value */
    free(text);
}

/* The by-shape report picks runs like the table: 0 is the latest, an
** unknown id is an error, and only the chosen run is counted. */
static void by_shape_run_selection(void **state)
{
    struct fixture *fx = *state;
    long long first = begin_ok(fx->st), second;
    char *text;
    int rc;

    add_shaped(fx->st, first, 0, "spaces+args", version_found, version_found);
    end_ok(fx->st, first, 1, 0, 0);
    second = begin_ok(fx->st);
    add_shaped(fx->st, second, 0, "env-var", version_found, version_found);
    add_shaped(fx->st, second, 1, "env-var", version_found, version_found);
    end_ok(fx->st, second, 2, 0, 0);

    text = report_text_of(report_by_shape, fx->st, 0, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(strncmp(text, "run 2, ", 7), 0);
    assert_non_null(strstr(text, "\nenv-var  "));
    assert_null(strstr(text, "spaces+args"));
    assert_string_equal(last_line(text), "2 scenarios in 1 shapes\n");
    free(text);

    text = report_text_of(report_by_shape, fx->st, 42, &rc);
    assert_int_not_equal(rc, 0);
    assert_string_equal(text, "");
    assert_non_null(strstr(store_error(fx->st), "no run 42"));
    free(text);
}

/* ---- the KM service's states (schema step 7) ---- */

/* One scenario with probe 2 -> 0 and the service's three states. */
static void add_service(struct store *st, long long run_id, int seq, const char *name,
                        const char *shape, const char *b, const char *a, const char *r)
{
    static const struct store_probe not_found = { 1, 2, NULL, NULL, NULL, 0 };
    struct store_scenario sc = {
        .name = name, .verdict = "pass", .shape_before = shape,
        .image_path_before = "C:\\k.exe <redacted: 3 chars>", .image_path_after = "C:\\k.exe",
        .before = not_found, .after = version_found,
        .service_before = b, .service_after = a, .service_restored = r,
    };

    add_ok(st, run_id, seq, &sc);
}

/* A run with the lifecycle gets one more column, before VERDICT: the three
** states, "-" for a start that did not happen (an input error: all three). */
static void service_column_in_the_table(void **state)
{
    static const char *const expected[] = {
        "",
        "SCENARIO     IMAGEPATH BEFORE              BEFORE                  IMAGEPATH AFTER  AFTER         SERVICE B/A/R                     VERDICT",
        "-----------  ----------------------------  ----------------------  ---------------  ------------  --------------------------------  -------",
        "pw-appended  C:\\k.exe <redacted: 3 chars>  2 ERROR_FILE_NOT_FOUND  C:\\k.exe         0 5.5.2653.9  running/stopped:1/running         pass",
        "pw-floppy    C:\\k.exe <redacted: 3 chars>  2 ERROR_FILE_NOT_FOUND  C:\\k.exe         0 5.5.2653.9  running/running/not-started:1053  pass",
        "bad          (none)                        (not run)               (none)           (not run)     -/-/-                             error",
        "",
        "problems:",
        "  bad: x",
        "",
        "2 passed, 0 failed, 1 errors",
        NULL,
    };
    struct store_scenario unreadable = { .name = "bad", .verdict = "error", .error_text = "x" };
    struct fixture *fx = *state;
    long long run_id = begin_ok(fx->st);
    char header[256];
    char *text;
    int rc;

    add_service(fx->st, run_id, 0, "pw-appended", "path+args", "running", "stopped:1", "running");
    add_service(fx->st, run_id, 1, "pw-floppy", "path+args", "running", "running",
                "not-started:1053");
    add_ok(fx->st, run_id, 2, &unreadable);
    end_ok(fx->st, run_id, 2, 0, 1);
    text = report_text(fx->st, run_id, &rc);
    assert_int_equal(rc, 0);
    assert_lines(after_header(text, header, sizeof header), expected);
    free(text);
}

/* A run without the lifecycle keeps the table it always had (the mixed
** run above), even in a file where another run has the column. */
static void no_service_column_without_the_lifecycle(void **state)
{
    struct fixture *fx = *state;
    long long with = begin_ok(fx->st), without;
    char *text;
    int rc;

    add_service(fx->st, with, 0, "pw-appended", "path+args", "running", "stopped:1", "running");
    end_ok(fx->st, with, 1, 0, 0);
    without = begin_ok(fx->st);
    add_passing(fx->st, without, 0, "plain", "C:\\k.exe");
    end_ok(fx->st, without, 1, 0, 0);
    text = report_text(fx->st, without, &rc);
    assert_int_equal(rc, 0);
    assert_null(strstr(text, "SERVICE"));
    free(text);
    text = report_text_of(report_by_shape, fx->st, without, &rc);
    assert_int_equal(rc, 0);
    assert_null(strstr(text, "SERVICE"));
    free(text);
    text = report_text(fx->st, with, &rc);
    assert_non_null(strstr(text, "  SERVICE B/A/R  "));
    assert_non_null(strstr(text, "  running/stopped:1/running  pass\n"));
    free(text);
}

/* The findings gain the service: a shape splits by what the service did,
** and the column lines up after the widest probe pair. */
static void by_shape_with_service(void **state)
{
    static const char *const expected[] = {
        "",
        "SHAPE      " "  " "SCENARIOS" "  " "PROBE BEFORE -> AFTER             " "  " "SERVICE BEFORE -> AFTER -> RESTORED",
        "-----------" "  " "---------" "  " "----------------------------------" "  " "-----------------------------------",
        "path+args  " "  " "        3" "  " "2 x 2 ERROR_FILE_NOT_FOUND -> 0 ok" "  " "running -> stopped:1 -> running",
        "           " "  " "         " "  " "1 x 2 ERROR_FILE_NOT_FOUND -> 0 ok" "  " "running -> running -> running",
        "quoted+args" "  " "        1" "  " "1 x 2 ERROR_FILE_NOT_FOUND -> 0 ok" "  " "running -> decoy -> -",
        "",
        "4 scenarios in 2 shapes",
        NULL,
    };
    struct fixture *fx = *state;
    long long run_id = begin_ok(fx->st);
    char header[256];
    char *text;
    int rc;

    add_service(fx->st, run_id, 0, "a", "path+args", "running", "stopped:1", "running");
    add_service(fx->st, run_id, 1, "b", "path+args", "running", "running", "running");
    add_service(fx->st, run_id, 2, "c", "path+args", "running", "stopped:1", "running");
    add_service(fx->st, run_id, 3, "d", "quoted+args", "running", "decoy", NULL);
    end_ok(fx->st, run_id, 4, 0, 0);
    text = report_text_of(report_by_shape, fx->st, run_id, &rc);
    assert_int_equal(rc, 0);
    assert_lines(after_header(text, header, sizeof header), expected);
    free(text);
}

/* ---- the list of runs ---- */

static void list_runs_lines(void **state)
{
    static const char tail_done[] = "  2 passed, 1 failed, 0 errors, harness test-1.0, wine wine-8.0\n";
    static const char tail_open[] = "  not finished, harness test-1.0, wine wine-8.0\n";
    struct fixture *fx = *state;
    long long first = begin_ok(fx->st);
    char *text = NULL, *second_line;
    size_t len = 0;
    FILE *out;

    end_ok(fx->st, first, 2, 1, 0);
    begin_ok(fx->st);
    out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_int_equal(report_list_runs(fx->st, out), 0);
    fclose(out);

    /* "1  2024-05-01T10:00:00Z  2 passed, ..." */
    assert_int_equal(strncmp(text, "1  20", 5), 0);
    second_line = strchr(text, '\n') + 1;
    assert_int_equal(strncmp(second_line - strlen(tail_done), tail_done, strlen(tail_done)), 0);
    assert_int_equal(strncmp(second_line, "2  20", 5), 0);
    assert_string_equal(text + strlen(text) - strlen(tail_open), tail_open);
    free(text);
}

/* Era profiles (emu/era.h): the header names the profile, an outcome that
** rests on an assumption carries "?", skipped scenarios are listed with
** their reasons and counted in the summary. */
static void era_profile_marks_and_skips(void **state)
{
    struct fixture *fx = *state;
    static const struct store_run_info nt4_run = {
        "test-1.0", "wine-8.0", "testhost", "kmharness run --windows nt4", "nt4",
    };
    long long run_id = 0;
    int rc;

    assert_int_equal(store_begin_run(fx->st, &nt4_run, &run_id), 0);
    struct store_scenario kb = {
        .name = "kb", .verdict = "pass",
        .before = { 1, 2, NULL, NULL, "nt4.not-found", 0 }, .after = version_found,
    };
    struct store_scenario quote = {
        .name = "quote", .verdict = "pass",
        .before = { 1, 2, NULL, NULL, "nt4.other-failure", 1 }, .after = version_found,
    };
    add_ok(fx->st, run_id, 0, &kb);
    add_ok(fx->st, run_id, 1, &quote);
    assert_int_equal(store_add_skipped(fx->st, run_id, 2, "unc", "unc.reg", "no share"), 0);
    assert_int_not_equal(store_add_skipped(fx->st, run_id, 3, "x", NULL, NULL), 0);
    end_ok(fx->st, run_id, 2, 0, 0);

    char *text = report_text(fx->st, run_id, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(text, ", windows nt4 (? after a code"));
    assert_non_null(strstr(text, "kb        (none)            2 ERROR_FILE_NOT_FOUND   (none)"));
    assert_non_null(strstr(text, "quote     (none)            2? ERROR_FILE_NOT_FOUND  (none)"));
    assert_non_null(strstr(text, "\nskipped (Wine cannot reproduce what Windows does):\n"
                                 "  unc: no share\n"));
    assert_string_equal(text + strlen(text) - strlen("2 passed, 0 failed, 1 skipped\n"),
                        "2 passed, 0 failed, 1 skipped\n");
    free(text);
}

#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, open_store, close_store)

int main(void)
{
    const struct CMUnitTest tests[] = {
        STORE_TEST(mixed_run_report_lines),
        STORE_TEST(utf8_and_control_characters),
        STORE_TEST(run_zero_is_the_latest),
        STORE_TEST(unknown_run_is_an_error),
        STORE_TEST(empty_database_is_an_error),
        STORE_TEST(unfinished_run),
        STORE_TEST(by_shape_groups_pairs),
        STORE_TEST(by_shape_run_selection),
        STORE_TEST(service_column_in_the_table),
        STORE_TEST(no_service_column_without_the_lifecycle),
        STORE_TEST(by_shape_with_service),
        STORE_TEST(list_runs_lines),
        STORE_TEST(era_profile_marks_and_skips),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
