/*
** test_diff.c - regressions between runs (issue 8, item 4), end to end:
** `report --diff A B` and `run --baseline FILE`.
**
** Two catalogs of the same two scenario NAMEs: in good/ both pass; in bad/
** "kb" states a wrong expectation (the KB's fix does cure an appended
** password, so ERROR_FILE_NOT_FOUND after the fix must fail): a planted
** regression.  A run identical to its baseline exits 0; one with the
** regression exits 1 and names it; a failure already in the baseline is
** not a regression.  With run --service, a change of what the KM service
** did is listed too.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX.
*/
#include "support.h"

#define KMS "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"

static const char absent[] =
    "REGEDIT4\r\n"
    "; @expect-before: not-installed\r\n"
    "; @expect-after: not-installed\r\n"
    "\r\n[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n";

#define KB(after) \
    "REGEDIT4\r\n" \
    "; @secret: D1ff-pw\r\n" \
    "; @expect-before: ERROR_FILE_NOT_FOUND\r\n" \
    "; @expect-after: " after "\r\n" \
    "\r\n" KMS \
    "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe D1ff-pw\"\r\n"

static int make_catalogs(void **state)
{
    mkdir(workdir, 0700);
    char path[4200];
    workdir_path(path, sizeof path, "good");
    mkdir(path, 0777);
    workdir_path(path, sizeof path, "bad");
    mkdir(path, 0777);
    write_file("good/absent.reg", absent);
    write_file("good/kb.reg", KB("ok"));
    write_file("bad/absent.reg", absent);
    write_file("bad/kb.reg", KB("ERROR_FILE_NOT_FOUND"));
    return 0;
}

static char *out_of(const char *tag)
{
    char name[64];
    snprintf(name, sizeof name, "out-%s.txt", tag);
    char *out = slurp(name, NULL);
    assert_non_null(out);
    return out;
}

static void report_diff_flags_the_regression(void **state)
{
    assert_int_equal(harness("r1", "run --db d.db good"), 0);
    assert_int_equal(harness("r2", "run --db d.db bad"), 1);

    assert_int_equal(harness("d12", "report --db d.db --diff 1 2"), 1);
    char *out = out_of("d12");
    assert_non_null(strstr(out, "  kb: pass 2 -> 0  =>  fail 2 -> 0 [failed: expect-after]"
                                "  REGRESSION\n"));
    assert_null(strstr(out, "absent:"));
    assert_string_equal(last_line(out), "1 changed, 1 regressions");
    free(out);

    /* Backwards it is a fix, not a regression. */
    assert_int_equal(harness("d21", "report --db d.db --diff 2 1"), 0);
    out = out_of("d21");
    assert_string_equal(last_line(out), "1 changed, 0 regressions");
    free(out);

    assert_int_equal(harness("d11", "report --db d.db --diff 1 1"), 0);
    out = out_of("d11");
    assert_string_equal(last_line(out), "0 changed, 0 regressions");
    free(out);

    /* FILE and FILE:ID sides. */
    assert_int_equal(harness("dfile", "report --diff d.db:1 d.db"), 1);
    assert_int_equal(harness("dmiss", "report --diff d.db:1 missing.db"), 2);
    assert_int_equal(harness("dbad", "report --db d.db --diff 1"), 2);
    assert_no_password_in("out-d12.txt", (const char *const[]){ "D1ff-pw" }, 1);
}

static void baseline_fails_on_regressions_only(void **state)
{
    assert_int_equal(harness("base", "run --db base.db good"), 0);

    assert_int_equal(harness("same", "run --db now.db --baseline base.db good"), 0);
    char *out = out_of("same");
    assert_non_null(strstr(out, "0 changed, 0 regressions\n"));
    int passed, failed;
    parse_summary(out, &passed, &failed);
    assert_int_equal(passed, 2);
    free(out);

    assert_int_equal(harness("regr", "run --db now.db --baseline base.db bad"), 1);
    out = out_of("regr");
    assert_non_null(strstr(out, "  kb: pass"));
    assert_non_null(strstr(out, "1 changed, 1 regressions\n"));
    parse_summary(out, &passed, &failed);  /* the summary stays last */
    assert_int_equal(failed, 1);
    free(out);

    /* A failure the baseline had already is no regression. */
    assert_int_equal(harness("badbase", "run --db badbase.db bad"), 1);
    assert_int_equal(harness("known", "run --db now.db --baseline badbase.db bad"), 0);

    assert_int_equal(harness("nobase", "run --db now.db --baseline missing.db good"), 2);
    char *err = slurp("err-nobase.txt", NULL);
    assert_non_null(strstr(err, "--baseline"));
    free(err);
}

/* run --service: the KM server's password moving out of ImagePath (into a
** scenario whose server needs another one) changes what the service does
** after the fix, and the diff says so even though every verdict passes; a
** run without the lifecycle is no change of the service. */
#define SVC(password) \
    "REGEDIT4\r\n" \
    "; @password: " password "\r\n" \
    "\r\n" KMS \
    "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe D1ff-pw\"\r\n"

static void diff_shows_what_the_service_did(void **state)
{
    char path[4200];
    workdir_path(path, sizeof path, "svc1");
    mkdir(path, 0777);
    workdir_path(path, sizeof path, "svc2");
    mkdir(path, 0777);
    write_file("svc1/kms.reg", SVC("D1ff-pw"));
    write_file("svc2/kms.reg", SVC("Other-pw"));
    assert_int_equal(harness("s1", "run --service --db s.db svc1"), 0);
    assert_int_equal(harness("s2", "run --service --db s.db svc2"), 0);
    assert_int_equal(harness("s3", "run --db s.db svc2"), 0);

    assert_int_equal(harness("ds12", "report --db s.db --diff 1 2"), 0);
    char *out = out_of("ds12");
    assert_non_null(strstr(out, "  kms: pass 2 -> 0 service running/stopped:1/running  =>  "
                                "pass 2 -> 0 service stopped:1/stopped:1/stopped:1\n"));
    assert_string_equal(last_line(out), "1 changed, 0 regressions");
    free(out);

    assert_int_equal(harness("ds23", "report --db s.db --diff 2 3"), 0);
    out = out_of("ds23");
    assert_string_equal(last_line(out), "0 changed, 0 regressions");
    free(out);
    assert_no_password_in("out-ds12.txt", (const char *const[]){ "D1ff-pw", "Other-pw" }, 2);
}

int main(void)
{
    if (workdir_make("diff"))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(report_diff_flags_the_regression, make_catalogs),
        cmocka_unit_test(baseline_fails_on_regressions_only),
        cmocka_unit_test(diff_shows_what_the_service_did),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (!failed)
        workdir_remove();
    return failed;
}
