/*
** test_jobs.c - `run --jobs N` is the same run as `--jobs 1`, only spread
** over N worker processes and prefixes (issue 12).
**
** A native cmocka program driving build/kmharness:
**   - the bundled catalog plus 300 generated scenarios with --jobs 1 and
**     with --jobs 3: one run each, finished, the same exit status, the
**     same table (every row, in the same order), and in the database the
**     same rows, probe codes, checks and skipped scenarios under the same
**     seq numbers;
**   - a failing scenario and an input error among others: the same exit
**     status and table with --jobs 2 as with --jobs 1;
**   - --shard K/N with --jobs: the same rows as the shard with one process;
**   - a worker whose prefix is someone else's Wine prefix is refused like
**     any prefix the harness did not create: the parent says what is
**     missing, exits 2 and leaves the run unfinished;
**   - a --jobs count that is not 1 to 16 is a usage error.
** The workers of the test prefix use TEST_PREFIX-job1, -job2 (copies of
** the launcher's template, made on first use and kept).
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX,
** KMH_SCENARIOS.
*/
#include "support.h"

#define LATEST "(select max(id) from run)"

/* Everything a run recorded, as text in seq order (not the run's times). */
static char *run_text(const char *db_name)
{
    sqlite3 *db = open_db(db_name);
    char *rows = query_text(db,
        "select group_concat(line, char(10)) from (select seq || '|' || scenario || '|' ||"
        " verdict || '|' || ifnull(before_code, '-') || '|' || ifnull(after_code, '-') || '|' ||"
        " ifnull(image_path_before, '-') || '|' || ifnull(image_path_after, '-') || '|' ||"
        " ifnull(after_version, '-') || '|' || ifnull(fix_action, '-') || '|' ||"
        " ifnull(error_text, '-') as line from scenario_result where run_id = " LATEST
        " order by seq)", NULL);
    char *checks = query_text(db,
        "select group_concat(line, char(10)) from (select seq || '|' || name || '|' || ok ||"
        " '|' || ifnull(detail, '-') as line from check_result where run_id = " LATEST
        " order by seq, name)", NULL);
    char *skipped = query_text(db,
        "select group_concat(seq || '|' || scenario || '|' || reason, char(10)) from"
        " (select * from skipped_scenario where run_id = " LATEST " order by seq)", NULL);
    char *counts = query_text(db,
        "select passed || ' ' || failed || ' ' || errors || ' ' || (ended_at is not null) ||"
        " ' ' || (select count(*) from run) from run where id = " LATEST, NULL);
    sqlite3_close(db);
    size_t n = 64 + (rows ? strlen(rows) : 0) + (checks ? strlen(checks) : 0) +
               (skipped ? strlen(skipped) : 0) + (counts ? strlen(counts) : 0);
    char *all = malloc(n);
    snprintf(all, n, "%s\n--\n%s\n--\n%s\n--\n%s", rows ? rows : "", checks ? checks : "",
             skipped ? skipped : "", counts ? counts : "");
    free(rows);
    free(checks);
    free(skipped);
    free(counts);
    return all;
}

/* The table printed by TAG's run, without its first line (the run's id,
** times and command differ). */
static char *table_of(const char *tag)
{
    char name[64];
    snprintf(name, sizeof name, "out-%s.txt", tag);
    char *out = slurp(name, NULL);
    assert_non_null(out);
    char *nl = strchr(out, '\n');
    if (!nl) {  /* no table: what the run said, into the CI log */
        snprintf(name, sizeof name, "err-%s.txt", tag);
        char *err = slurp(name, NULL);
        fail_msg("%s: no table; stdout: %s; stderr: %s", tag, out, err ? err : "(none)");
    }
    memmove(out, nl + 1, strlen(nl + 1) + 1);
    return out;
}

/* Run ARGS once with --jobs 1 and once with --jobs N, each into its own
** database: both must give the same exit status, table and rows.  Returns
** that exit status. */
static int same_with_jobs(const char *tag, int n, const char *args)
{
    char cmd[8192], one[64], many[64], db1[80], dbn[80];
    snprintf(one, sizeof one, "%s-1", tag);
    snprintf(many, sizeof many, "%s-%d", tag, n);
    snprintf(db1, sizeof db1, "%s.db", one);
    snprintf(dbn, sizeof dbn, "%s.db", many);
    snprintf(cmd, sizeof cmd, "run --all --db %s --jobs 1 %s", db1, args);
    int rc1 = harness(one, cmd);
    snprintf(cmd, sizeof cmd, "run --all --db %s --jobs %d %s", dbn, n, args);
    int rcn = harness(many, cmd);
    assert_int_equal(rcn, rc1);

    char *t1 = table_of(one), *tn = table_of(many);
    assert_string_equal(tn, t1);
    free(t1);
    free(tn);
    char *r1 = run_text(db1), *rn = run_text(dbn);
    assert_string_equal(rn, r1);
    /* Something ran, the run is finished and the file holds that one run. */
    assert_non_null(strstr(r1, "|pass|"));
    assert_non_null(strstr(r1, " 1 1"));
    free(r1);
    free(rn);
    return rc1;
}

static void catalog_and_generated_same_as_one_process(void **state)
{
    char args[4400];
    snprintf(args, sizeof args, "--generate 300 --seed 12 '%s'", env("KMH_SCENARIOS"));
    assert_int_equal(same_with_jobs("big", 3, args), 0);
}

static void failures_and_input_errors_same_as_one_process(void **state)
{
    char dir[4400];
    workdir_path(dir, sizeof dir, "mixed");
    assert_int_equal(mkdir(dir, 0755), 0);
    static const char head[] = "REGEDIT4\r\n; @expect-before: ERROR_FILE_NOT_FOUND\r\n";
    static const char key[] =
        "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
        "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe pw-jobs\"\r\n";
    char text[1024];
    for (int i = 0; i < 5; i++) {
        char name[64];
        /* b-2 expects the wrong outcome after the fix: it fails. */
        snprintf(text, sizeof text, "%s; @file: C:\\Exchsrvr\\Bin\\Kmserver.exe 5.5.2653.9\r\n"
                 "; @expect-after: %s\r\n%s", head, i == 2 ? "ERROR_PATH_NOT_FOUND" : "ok", key);
        snprintf(name, sizeof name, "mixed/b-%d.reg", i);
        write_file(name, text);
    }
    write_file("mixed/c-broken.reg", "REGEDIT4\r\n; @expect-after: no-such-outcome\r\n");
    assert_int_equal(same_with_jobs("mixed", 2, "mixed"), 2);
    char *out = slurp("out-mixed-2.txt", NULL);
    assert_non_null(strstr(out, "4 passed, 1 failed, 1 errors"));
    free(out);
}

static void shard_with_jobs_same_as_one_process(void **state)
{
    assert_int_equal(same_with_jobs("shard", 2, "--generate 60 --seed 3 --shard 2/3"), 0);
    sqlite3 *db = open_db("shard-2.db");
    assert_int_equal(query_int(db, "select count(*) from scenario_result where run_id = " LATEST,
                               NULL), 20);
    sqlite3_close(db);
}

static void a_worker_refused_leaves_the_run_unfinished(void **state)
{
    char cmd[8192];
    /* base-job1 is a Wine prefix the harness did not make. */
    assert_int_equal(shell("foreign", "mkdir -p base-job1 && "
                           "echo 'WINE REGISTRY Version 2' > base-job1/system.reg"), 0);
    snprintf(cmd, sizeof cmd, "KMHARNESS_PREFIX=\"$PWD/base\" '%s' run --db refused.db "
             "--jobs 2 --generate 10", env("KMHARNESS"));
    assert_int_equal(shell("refused", cmd), 2);
    char *err = slurp("err-refused.txt", NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, "is a Wine prefix kmharness did not create"));
    assert_non_null(strstr(err, "5 of 10 scenarios recorded; run 1 is left unfinished"));
    free(err);
    sqlite3 *db = open_db("refused.db");
    assert_int_equal(query_int(db, "select count(*) from run where ended_at is null", NULL), 1);
    sqlite3_close(db);
    char reg[4400];
    snprintf(reg, sizeof reg, "%s/base-job1/.kmharness-prefix", workdir);
    assert_false(exists(reg));  /* refusing did not claim it */
    snprintf(cmd, sizeof cmd, "WINEPREFIX='%s/base' wineserver -k 2>/dev/null", workdir);
    shell("stop", cmd);
}

static void bad_counts_are_usage_errors(void **state)
{
    static const char *const bad[] = { "0", "17", "x", "-1", "2x", "" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char args[128];
        snprintf(args, sizeof args, "run --db bad.db --jobs '%s' --generate 1", bad[i]);
        assert_int_equal(harness("bad", args), 2);
        char *err = slurp("err-bad.txt", NULL);
        assert_non_null(strstr(err, "--jobs"));
        free(err);
    }
}

static int remove_all(void **state)
{
    return workdir_remove();
}

int main(void)
{
    if (workdir_make("jobs"))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_counts_are_usage_errors),
        cmocka_unit_test(catalog_and_generated_same_as_one_process),
        cmocka_unit_test(failures_and_input_errors_same_as_one_process),
        cmocka_unit_test(shard_with_jobs_same_as_one_process),
        cmocka_unit_test(a_worker_refused_leaves_the_run_unfinished),
    };
    return cmocka_run_group_tests(tests, NULL, remove_all);
}
