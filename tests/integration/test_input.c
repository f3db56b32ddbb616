/*
** test_input.c - a wrong input is an error, never a green run (issue 7,
** item 4), end to end through build/kmharness.
**
** What `run PATH...` takes is decided by harness/scenario_list.c (its
** rules and their unit tests: tests/unit/test_scenario_list.c); here the
** whole command is checked: the exit status the contract gives a usage
** error (2, shared/spec/interface.md), a message naming the path, and no
** run recorded; scenario files in any case and in subfolders are run; a
** killed run is reported as unfinished with a non-zero status.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX.
*/
#include "support.h"

#define KMS_KEY "SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"

/* Not installed before and after: passes in any prefix state. */
static const char absent[] =
    "REGEDIT4\r\n"
    "; @expect-before: not-installed\r\n"
    "; @expect-after: not-installed\r\n"
    "\r\n"
    "[-HKEY_LOCAL_MACHINE\\" KMS_KEY "]\r\n";

/* The KB's case: the fix runs, so a crash step of the fix is reached. */
static const char appended[] =
    "REGEDIT4\r\n"
    "; @secret: Inp7-secret\r\n"
    "; @expect-before: ERROR_FILE_NOT_FOUND\r\n"
    "; @expect-after: ok\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\" KMS_KEY "]\r\n"
    "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe Inp7-secret\"\r\n";

static void make_folder(const char *name)
{
    char path[8192];
    workdir_path(path, sizeof path, name);
    assert_int_equal(mkdir(path, 0777), 0);
}

/* The command was refused as a usage error: exit 2, ERR_PART in stderr,
** nothing on stdout (no table, no summary) and no database made. */
static void assert_refused(int rc, const char *db, const char *err_part)
{
    char path[8192];
    char *out = slurp("out.txt", NULL), *err = slurp("err.txt", NULL);
    assert_int_equal(rc, 2);
    assert_non_null(err);
    if (!strstr(err, err_part))
        fail_msg("expected \"%s\" in stderr: %s", err_part, err);
    assert_non_null(out);
    assert_null(strstr(out, "passed"));
    workdir_path(path, sizeof path, db);
    assert_false(exists(path));
    free(out);
    free(err);
}

static void empty_folder_is_a_usage_error(void **state)
{
    make_folder("empty");
    assert_refused(harness(NULL, "run --db empty.db empty"), "empty.db", "no scenario files");
}

static void folder_of_text_files_is_a_usage_error(void **state)
{
    make_folder("texts");
    write_file("texts/readme.txt", "not a scenario\n");
    write_file("texts/absent.reg.txt", absent);
    assert_refused(harness(NULL, "run --db texts.db texts"), "texts.db",
                   "no scenario files");
}

/* An empty folder among good paths still refuses the whole run: the user
** named it, and a run without it is not the run they asked for. */
static void empty_folder_among_others_is_a_usage_error(void **state)
{
    make_folder("some");
    make_folder("none");
    write_file("some/absent.reg", absent);
    assert_refused(harness(NULL, "run --db mixed.db some none"), "mixed.db", "none");
}

static void upper_case_and_subfolders_are_run(void **state)
{
    make_folder("tree");
    make_folder("tree/sub");
    write_file("tree/UPPER.REG", absent);
    write_file("tree/sub/lower.reg", absent);
    write_file("tree/sub/notes.txt", "not a scenario\n");
    assert_int_equal(harness(NULL, "run --db tree.db tree"), 0);
    char *out = slurp("out.txt", NULL);
    int passed, failed;
    parse_summary(out, &passed, &failed);
    assert_int_equal(passed, 2);
    assert_int_equal(failed, 0);
    free(out);
    sqlite3 *db = open_db("tree.db");
    char *names = query_text(db, "select group_concat(scenario, ' ') from "
                                 "(select scenario from outcome order by rowid)", NULL);
    assert_string_equal(names, "UPPER lower");
    free(names);
    sqlite3_close(db);
}

static void same_name_twice_is_a_usage_error(void **state)
{
    make_folder("dup");
    make_folder("dup/a");
    make_folder("dup/b");
    write_file("dup/a/same.reg", absent);
    write_file("dup/b/same.reg", absent);
    assert_refused(harness(NULL, "run --db dup.db dup"), "dup.db", "dup/b/same.reg");
    char *err = slurp("err.txt", NULL);
    assert_non_null(strstr(err, "dup/a/same.reg"));
    free(err);
    write_file("once.reg", absent);
    assert_refused(harness(NULL, "run --db twice.db once.reg once.reg"), "twice.db",
                   "once.reg");
}

/* Killed in the middle (the fix's test-only crash switch, emu/fix.h): the
** run row has no end, so `report` says so and exits 3, and its last line
** does not read as a green run. */
static void killed_run_is_reported_unfinished(void **state)
{
    write_file("first.reg", absent);
    write_file("second.reg", appended);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "env KMH_TEST_CRASH_AT=written '%s' run --db killed.db "
             "first.reg second.reg", env("KMHARNESS"));
    assert_int_equal(shell(NULL, cmd), 137);

    assert_int_equal(harness(NULL, "report --db killed.db"), 3);
    char *out = slurp("out.txt", NULL), *err = slurp("err.txt", NULL);
    assert_non_null(strstr(last_line(out), "run not finished"));
    assert_non_null(strstr(err, "did not finish"));
    free(out);
    free(err);

    /* The next run puts the prefix back to its baseline (test_crash.c);
    ** a finished run reports 0 again. */
    assert_int_equal(harness(NULL, "run --db killed.db first.reg"), 0);
    assert_int_equal(harness(NULL, "report --db killed.db"), 0);
    assert_int_equal(harness(NULL, "report --db killed.db --run 1"), 3);
}

int main(void)
{
    if (workdir_make("input"))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_folder_is_a_usage_error),
        cmocka_unit_test(folder_of_text_files_is_a_usage_error),
        cmocka_unit_test(empty_folder_among_others_is_a_usage_error),
        cmocka_unit_test(upper_case_and_subfolders_are_run),
        cmocka_unit_test(same_name_twice_is_a_usage_error),
        cmocka_unit_test(killed_run_is_reported_unfinished),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (!failed)
        workdir_remove();
    return failed;
}
