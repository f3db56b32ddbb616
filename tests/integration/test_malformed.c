/*
** test_malformed.c - the malformed-input catalog, end to end.
**
** A native cmocka program driving build/kmharness (as test_run.c does).  It
** runs the whole catalog of tests/malformed/ (see expected.txt there, and
** tests/malformed/catalog.h for the two generated entries) plus one good
** scenario in ONE run, and checks the contract for input errors
** (scenario-format.md, interface.md): each bad file is reported on stderr
** as FILE:LINE: message, exactly as expected.txt says, and recorded with
** verdict error and NULL probe codes and ImagePaths in the outcome view;
** the run goes on (the good scenario still passes) and exits with status 2.
** The files plant passwords; none may appear in anything the run wrote.
**
** Environment (set by the Makefile): KMHARNESS (the launcher),
** KMH_SCENARIOS (the bundled scenarios folder, whose parent is the
** repository), KMHARNESS_PREFIX.
*/
#include <libgen.h>
#include "support.h"
#include "../malformed/catalog.h"

static char catalog_dir[4096];
static struct catalog_entry *entries;
static size_t nentries;
static int run_status = -1;

/* Planted in the catalog's files and in the good scenario. */
static const char *const planted[] = {
    "Tr0ub4dor&3", "Cat4log!Pw", "Malf0rmed#Key", "G00d!Scenario",
};

static const char good_scenario[] =
    "REGEDIT4\r\n; @secret: G00d!Scenario\r\n; @expect-before: 2\r\n; @expect-after: 0\r\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
    "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe G00d!Scenario\"\r\n";

/* The one run: the catalog folder, the generated entries, the good file. */
static int run_catalog(void **state)
{
    char scenarios[4096], args[8192];
    snprintf(scenarios, sizeof scenarios, "%s", env("KMH_SCENARIOS"));
    snprintf(catalog_dir, sizeof catalog_dir, "%s/tests/malformed", dirname(scenarios));
    snprintf(args, sizeof args, "%s/expected.txt", catalog_dir);
    if (workdir_make("malformed") || catalog_load(args, &entries, &nentries) ||
        malformed_generate(workdir))
        return -1;
    write_file("good.reg", good_scenario);
    snprintf(args, sizeof args, "run --db malformed.db '%s' %s %s good.reg", catalog_dir,
             malformed_generated[0], malformed_generated[1]);
    run_status = harness(NULL, args);
    return 0;
}

static int clean_up(void **state)
{
    free(entries);
    return workdir_remove();
}

static void run_exits_with_status_2(void **state)
{
    assert_int_equal(run_status, 2);
    assert_true(nentries >= 30);
}

static void summary_counts_every_error(void **state)
{
    char *out = slurp("out.txt", NULL), want[64];
    assert_non_null(out);
    snprintf(want, sizeof want, "1 passed, 0 failed, %zu errors", nentries);
    assert_string_equal(last_line(out), want);
    free(out);
}

/* Is LINE a whole line of TEXT? */
static int has_line(const char *text, const char *line)
{
    size_t m = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p++)
        if ((p == text || p[-1] == '\n') && (p[m] == '\n' || !p[m]))
            return 1;
    return 0;
}

/* Each file's FILE:LINE: message, FILE being the path the harness was given. */
static void stderr_names_each_file_and_line(void **state)
{
    char *err = slurp("err.txt", NULL);
    assert_non_null(err);
    int missing = 0;
    for (size_t i = 0; i < nentries; i++) {
        char line[8192];
        if (catalog_is_generated(entries[i].name))
            snprintf(line, sizeof line, "%s", entries[i].expect);
        else
            snprintf(line, sizeof line, "%s/%s", catalog_dir, entries[i].expect);
        if (!has_line(err, line)) {
            print_error("not on stderr: %s\n", line);
            missing++;
        }
    }
    free(err);
    assert_int_equal(missing, 0);
}

static void each_bad_file_is_recorded_as_error(void **state)
{
    sqlite3 *db = open_db("malformed.db");
    static const char *const columns[] = {
        "before_code", "after_code", "image_path_before", "image_path_after",
    };
    for (size_t i = 0; i < nentries; i++) {
        char name[128], sql[256];
        snprintf(name, sizeof name, "%.*s", (int)strlen(entries[i].name) - 4, entries[i].name);
        if (query_int(db, "select count(*) from outcome where scenario = ?1 "
                          "and verdict = 'error'", name) != 1)
            fail_msg("%s is not recorded once as error", name);
        for (size_t c = 0; c < sizeof columns / sizeof *columns; c++) {
            snprintf(sql, sizeof sql, "select %s from outcome where scenario = ?1", columns[c]);
            if (query_int(db, sql, name) != -999)
                fail_msg("%s: %s is not NULL", name, columns[c]);
        }
    }
    assert_int_equal(query_int(db, "select count(*) from outcome", NULL), (long long)nentries + 1);
    assert_int_equal(query_int(db, "select count(distinct run_id) from outcome", NULL), 1);
    sqlite3_close(db);
}

/* The run went on: the good scenario ran the probe and the fix, and passed. */
static void good_scenario_still_passes(void **state)
{
    sqlite3 *db = open_db("malformed.db");
    assert_int_equal(query_int(db, "select verdict = 'pass' from outcome where scenario = ?1",
                               "good"), 1);
    assert_int_equal(query_int(db, "select before_code from outcome where scenario = ?1",
                               "good"), 2);
    assert_int_equal(query_int(db, "select after_code from outcome where scenario = ?1",
                               "good"), 0);
    sqlite3_close(db);
}

static void no_password_in_any_output(void **state)
{
    assert_no_password_in_outputs("malformed.db", planted, sizeof planted / sizeof *planted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(run_exits_with_status_2),
        cmocka_unit_test(summary_counts_every_error),
        cmocka_unit_test(stderr_names_each_file_and_line),
        cmocka_unit_test(each_bad_file_is_recorded_as_error),
        cmocka_unit_test(good_scenario_still_passes),
        cmocka_unit_test(no_password_in_any_output),
    };
    return cmocka_run_group_tests(tests, run_catalog, clean_up);
}
