/*
** test_era.c - end to end: the bundled catalog under each era profile.
**
** `run --windows nt4`, `--windows 2000` and `--windows xp` must each run the
** whole catalog green against its per-profile expectations, record the
** profile with the run, mark outcomes that rest on an assumption, and list
** the scenarios Wine cannot reproduce as skipped with their reasons.  The
** outcomes checked here are written out from the sources cited in
** emu/era.c (Wine's dlls/version/tests/info.c, which runs on real Windows,
** and the KB), not read back from the harness.
**
** Environment (set by the Makefile): KMHARNESS, KMH_SCENARIOS,
** KMHARNESS_PREFIX.
*/
#include "support.h"

static const char *const profiles[] = { "nt4", "2000", "xp" };
static int rcs[3] = { -1, -1, -1 };

static int run_profiles(void **state)
{
    for (int i = 0; i < 3; i++) {
        char args[1024];
        snprintf(args, sizeof args, "run --windows %s --db %s.db '%s'", profiles[i],
                 profiles[i], env("KMH_SCENARIOS"));
        rcs[i] = harness(profiles[i], args);
    }
    return 0;
}

static void every_profile_runs_the_catalog_green(void **state)
{
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "out-%s.txt", profiles[i]);
        char *out = slurp(name, NULL);
        assert_non_null(out);
        if (rcs[i] != 0)
            fail_msg("--windows %s: exit %d\n%s", profiles[i], rcs[i], out);
        int passed, failed;
        parse_summary(out, &passed, &failed);
        assert_true(passed >= 77);
        assert_int_equal(failed, 0);
        /* Wine cannot reproduce these as Windows does: skipped, with why. */
        assert_non_null(strstr(out, ", 5 skipped"));
        assert_non_null(strstr(out, "shape-short-name-progra: Wine hashes short names"));
        /* The header names the profile. */
        char want[64];
        snprintf(want, sizeof want, ", windows %s", profiles[i]);
        assert_non_null(strstr(out, want));
        free(out);

        snprintf(name, sizeof name, "%s.db", profiles[i]);
        sqlite3 *db = open_db(name);
        char *windows = query_text(db, "select windows from run", NULL);
        assert_string_equal(windows, profiles[i]);
        free(windows);
        assert_int_equal(query_int(db, "select count(*) from outcome where verdict <> 'pass'",
                                   NULL), 0);
        assert_int_equal(query_int(db, "select count(*) from skipped_scenario"
                                       " where reason <> ''", NULL), 5);
        assert_int_equal(query_int(db, "select count(*) from outcome where scenario = ?1",
                                   "shape-unc-pw"), 0);
        sqlite3_close(db);
    }
}

struct era_expected {
    const char *scenario;
    long long nt4, w2k, xp;   /* probe before the fix */
};

/* -2 is Windows 2000's "failed with the last error at 0" (KMH_NO_ERROR_CODE). */
static const struct era_expected before[] = {
    /* The KB's case: NT4 leaves the last error alone and the KB shows 2;
    ** 2000 sets 0 (info.c "win2k"); XP 2 (info.c). */
    { "pw-appended",   2, -2, 2 },
    /* A version read is the same everywhere (info.c, kernel32.dll). */
    { "clean-sz",      0, 0, 0 },
    /* An empty name: NT4 3, 2000 0, XP 1812 (info.c), never Windows 98's 161. */
    { "value-empty",   3, -2, 1812 },
    /* Before the version API: the same on every profile. */
    { "absent-key",    -1, -1, -1 },
    { "absent-value",  2, 2, 2 },
    { "type-dword",    1630, 1630, 1630 },
};

static long long code_in(const char *profile, const char *scenario, const char *column)
{
    char name[32], sql[128];
    snprintf(name, sizeof name, "%s.db", profile);
    snprintf(sql, sizeof sql, "select %s from scenario_result where scenario = ?1", column);
    sqlite3 *db = open_db(name);
    long long v = query_int(db, sql, scenario);
    sqlite3_close(db);
    return v;
}

static void outcomes_follow_the_era_sources(void **state)
{
    for (size_t i = 0; i < sizeof before / sizeof before[0]; i++) {
        const struct era_expected *e = &before[i];
        long long want[3] = { e->nt4, e->w2k, e->xp };
        for (int p = 0; p < 3; p++) {
            long long got = code_in(profiles[p], e->scenario, "before_code");
            if (got != want[p])
                fail_msg("%s under %s: before %lld, expected %lld", e->scenario, profiles[p],
                         got, want[p]);
        }
    }
    /* The fix's blind spots (emu/split.h): refused, value unchanged. */
    assert_int_equal(code_in("xp", "shape-tools-exe-dir-missing", "after_code"), 2);
    assert_int_equal(code_in("xp", "shape-trailing-dot-pw", "after_code"), 0);
    /* After the fix, a file without a version resource. */
    assert_int_equal(code_in("xp", "file-noversion-pw", "after_code"), 1812);
    assert_int_equal(code_in("2000", "file-noversion-pw", "after_code"), -2);
}

/* Sourced outcomes are not marked; assumed ones are, and the table shows "?". */
static void assumptions_are_marked(void **state)
{
    assert_int_equal(code_in("nt4", "pw-appended", "before_assumed"), 0);
    assert_int_equal(code_in("2000", "pw-appended", "before_assumed"), 0);
    assert_int_equal(code_in("xp", "pw-quote", "before_assumed"), 1);  /* 123: no source for XP */
    assert_int_equal(code_in("nt4", "pw-quote", "before_assumed"), 1);
    assert_int_equal(code_in("xp", "type-dword", "before_assumed"), 1);
    assert_int_equal(code_in("xp", "clean-sz", "before_assumed"), 0);
    char *out = slurp("out-xp.txt", NULL);
    assert_non_null(strstr(out, "123? ERROR_INVALID_NAME"));
    free(out);
}

/* Generated scenarios carry their 2000 and nt4 outcomes (harness/generate.c
** maps its XP rules through emu/era.c): they pass under every profile. */
static void generated_scenarios_pass_under_each_profile(void **state)
{
    for (int i = 0; i < 2; i++) {
        char args[256];
        snprintf(args, sizeof args, "run --windows %s --generate 150 --seed 11 --db gen-%s.db",
                 profiles[i], profiles[i]);
        int rc = harness("gen", args);
        char *out = slurp("out-gen.txt", NULL);
        assert_non_null(out);
        if (rc != 0)
            fail_msg("--windows %s --generate: exit %d\n%s", profiles[i], rc, out);
        assert_non_null(strstr(out, "150 passed, 0 failed"));
        free(out);
    }
}

static void unknown_profile_is_a_usage_error(void **state)
{
    assert_int_equal(harness(NULL, "run --windows vista --db bad.db"), 2);
    char *err = slurp("err.txt", NULL);
    assert_non_null(strstr(err, "--windows must be nt4, 2000 or xp"));
    free(err);
    assert_int_equal(harness(NULL, "probe --windows 95"), 2);
    /* No KM server at the baseline, on every profile. */
    assert_int_equal(harness(NULL, "probe --windows nt4"), 3);  /* not installed */
    char *out = slurp("out.txt", NULL);
    assert_non_null(strstr(out, "windows: nt4"));
    free(out);
}

int main(void)
{
    if (workdir_make("era"))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(every_profile_runs_the_catalog_green, run_profiles),
        cmocka_unit_test(outcomes_follow_the_era_sources),
        cmocka_unit_test(assumptions_are_marked),
        cmocka_unit_test(generated_scenarios_pass_under_each_profile),
        cmocka_unit_test(unknown_profile_is_a_usage_error),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (!failed)
        workdir_remove();
    return failed;
}
