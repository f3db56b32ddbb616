/*
** test_ci_output.c - what a CI system reads of a run (issue 8, items 2 and
** 3): JUnit XML, TAP and JSON lines of the bundled catalog plus one planted
** failure, read by real consumers: xmllint validates the JUnit file
** against tests/integration/junit.xsd (the structure CI systems read) and
** finds exactly one failed test case, the planted one; `prove` (perl's TAP
** harness) reads the TAP and reports exactly test N failing, N being the
** planted scenario's place.  The big-run options keep the summary last.
** No output holds the catalog's passwords.
**
** The planted failure is pw-appended with a wrong @expect-after: the fix
** does cure it (KB Q235418), so "ERROR_FILE_NOT_FOUND after" must fail.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX,
** KMH_SCENARIOS.
*/
#include "support.h"

static int run_rc = -1;

static const char planted[] =
    "REGEDIT4\r\n"
    "; @secret: Pl4nted-pw\r\n"
    "; @expect-before: ERROR_FILE_NOT_FOUND\r\n"
    "; @expect-after: ERROR_FILE_NOT_FOUND\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
    "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe Pl4nted-pw\"\r\n";

/* Passwords of the catalog's KB case and of the planted scenario. */
static const char *const passwords[] = { "Kx9!tiger", "Pl4nted-pw" };

/* Every scenario of the run: those that ran (the outcome view) and those
** skipped as beyond Wine (skipped_scenario), as TAP and JUnit list them. */
#define ALL_SCENARIOS "select (select count(*) from outcome) +" \
                      " (select count(*) from skipped_scenario)"

static int run_catalog(void **state)
{
    char args[4096];
    write_file("zz-planted-fail.reg", planted);
    snprintf(args, sizeof args, "run --db ci.db --junit run.xml '%s' zz-planted-fail.reg",
             env("KMH_SCENARIOS"));
    run_rc = harness("run", args);
    return 0;
}

static void run_fails_and_writes_junit(void **state)
{
    assert_int_equal(run_rc, 1);
    assert_no_password_in("run.xml", passwords, 2);
    assert_no_password_in("out-run.txt", passwords, 2);
}

/* N as the text of the one line CMD prints. */
static char *one_line(const char *cmd)
{
    assert_int_equal(shell("q", cmd), 0);
    char *out = slurp("out-q.txt", NULL);
    assert_non_null(out);
    out[strcspn(out, "\n")] = '\0';
    return out;
}

static void junit_validates_and_names_the_one_failure(void **state)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "xmllint --noout --schema '%s/../tests/integration/junit.xsd' run.xml",
             env("KMH_SCENARIOS"));
    assert_int_equal(shell("xsd", cmd), 0);
    char *n = one_line("xmllint --xpath 'count(//testcase[failure or error])' run.xml");
    assert_string_equal(n, "1");
    free(n);
    char *name = one_line("xmllint --xpath 'string(//testcase[failure]/@name)' run.xml");
    assert_string_equal(name, "zz-planted-fail");
    free(name);
    char *cases = one_line("xmllint --xpath 'count(//testcase)' run.xml");
    sqlite3 *db = open_db("ci.db");
    assert_int_equal(atoll(cases), query_int(db, ALL_SCENARIOS, NULL));
    char *skipped = one_line("xmllint --xpath 'count(//testcase[skipped])' run.xml");
    assert_int_equal(atoll(skipped), query_int(db, "select count(*) from skipped_scenario", NULL));
    free(skipped);
    sqlite3_close(db);
    free(cases);
    /* report --junit writes the same file from the database. */
    assert_int_equal(harness("rep", "report --db ci.db --junit report.xml --quiet"), 0);
    char *a = slurp("run.xml", NULL), *b = slurp("report.xml", NULL);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void prove_reads_the_tap_and_reports_the_one_failure(void **state)
{
    assert_int_equal(harness("tap", "report --db ci.db --format tap"), 0);
    assert_no_password_in("out-tap.txt", passwords, 2);
    sqlite3 *db = open_db("ci.db");
    long long total = query_int(db, ALL_SCENARIOS, NULL);
    /* Its place in run order, skipped scenarios included. */
    long long planted_at = query_int(db, "select count(*) from (select seq from scenario_result"
                                         " union all select seq from skipped_scenario) where"
                                         " seq <= (select seq from scenario_result where"
                                         " scenario = 'zz-planted-fail')", NULL);
    sqlite3_close(db);

    assert_int_equal(shell("prove", "prove --exec cat out-tap.txt"), 1);
    char *out = slurp("out-prove.txt", NULL), expected[128];
    snprintf(expected, sizeof expected, "Tests: %lld Failed: 1)", total);
    assert_non_null(strstr(out, expected));
    snprintf(expected, sizeof expected, "Failed test:  %lld\n", planted_at);
    assert_non_null(strstr(out, expected));
    free(out);
}

static void json_lines_have_one_object_per_scenario(void **state)
{
    assert_int_equal(harness("json", "report --db ci.db --format json"), 0);
    assert_no_password_in("out-json.txt", passwords, 2);
    char *out = slurp("out-json.txt", NULL);
    sqlite3 *db = open_db("ci.db");
    long long total = query_int(db, ALL_SCENARIOS, NULL);
    sqlite3_close(db);
    long long lines = 0;
    for (char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, total + 1);
    assert_non_null(strstr(out, "{\"scenario\":\"zz-planted-fail\",\"verdict\":\"fail\""));
    assert_non_null(strstr(last_line(out), "\"failed\":1"));
    free(out);
}

static void big_run_options_keep_the_summary_last(void **state)
{
    assert_int_equal(harness("fo", "report --db ci.db --failures-only"), 0);
    char *out = slurp("out-fo.txt", NULL);
    assert_non_null(strstr(out, "zz-planted-fail"));
    assert_null(strstr(out, "pw-appended "));
    assert_non_null(strstr(out, "passing scenarios not shown"));
    int passed, failed;
    char summary[256];
    parse_summary(out, &passed, &failed);
    assert_int_equal(failed, 1);
    snprintf(summary, sizeof summary, "%s\n", last_line(out));
    free(out);

    /* --quiet: that same summary line, alone. */
    assert_int_equal(harness("quiet", "report --db ci.db --quiet"), 0);
    out = slurp("out-quiet.txt", NULL);
    assert_string_equal(out, summary);
    free(out);

    assert_int_equal(harness("all", "report --db ci.db --all"), 0);
    out = slurp("out-all.txt", NULL);
    assert_non_null(strstr(out, "pw-appended "));
    free(out);
}

int main(void)
{
    if (workdir_make("ci-output"))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(run_fails_and_writes_junit, run_catalog),
        cmocka_unit_test(junit_validates_and_names_the_one_failure),
        cmocka_unit_test(prove_reads_the_tap_and_reports_the_one_failure),
        cmocka_unit_test(json_lines_have_one_object_per_scenario),
        cmocka_unit_test(big_run_options_keep_the_summary_last),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (!failed)
        workdir_remove();
    return failed;
}
