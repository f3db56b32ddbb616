/*
** test_crash.c - nothing is lost when the fix, its rollback or a run is
** killed at any moment (issue 4, items 1 and "crash-safe baseline").
**
** A native cmocka program driving build/kmharness in the test prefix. The
** fix's test-only switch KMH_TEST_CRASH_AT (emu/fix.h) kills the process
** with SIGKILL right after a named step; the list of steps is asked from
** the program itself (an unknown name makes it print them), so a step
** added to the code is crashed here without anyone editing this file.
** For each step: plant an ImagePath holding a password (the test-only
** helper reghelper.c, built here with winegcc and run in the launcher's
** environment, writes and reads raw registry bytes), run `kmharness fix`
** killed at that step, and check that the value is the old or the new one
** byte for byte, that whenever it is the new one the kept original is on
** disk, and that `kmharness fix --rollback` brings back the original byte
** for byte (or, when nothing was kept yet, says there is nothing to roll
** back and leaves the value alone). Then a run killed in the middle of a
** scenario must leave nothing that the next run's scenarios can see
** (registry keys, files, a drive, the image cache, kept originals).
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX,
** KMH_SCENARIOS (its parent is the source tree, for reghelper.c).
*/
#include <dirent.h>
#include "support.h"

#define KMS_KEY "SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"
#define MAX_STEPS 32

static char keep_dir[4096];

/* The original: REG_EXPAND_SZ "C:\Exchsrvr\Bin\Kmserver.exe Cr4sh!pw",
** NUL, "hid", NUL, and one odd byte: every byte must come back. */
static const char original[] =
    "2 43003a005c00450078006300680073007200760072005c00420069006e005c004b006d0073"
    "00650072007600650072002e0065007800650020004300720034007300680021007000770000"
    "006800690064000000ff";
/* What the fix writes: the path alone, one NUL, the same type. */
static const char fixed[] =
    "2 43003a005c00450078006300680073007200760072005c00420069006e005c004b006d0073"
    "00650072007600650072002e006500780065000000";

/* build/kmharness ARGS, with KMH_TEST_CRASH_AT=STEP unless STEP is NULL;
** the exit status is 137 when the step's SIGKILL came. */
static int harness_crash_at(const char *step, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "env %s%s '%s' %s", step ? "KMH_TEST_CRASH_AT=" : "",
             step ? step : "", env("KMHARNESS"), args);
    return shell(NULL, cmd);
}

/* What the last command wrote to NAME without its final line ends, "" when
** there is no such file: reghelper and the messages are compared whole. */
static char *printed(const char *name)
{
    size_t n;
    char *text = slurp(name, &n);
    if (!text)
        return strdup("");
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = 0;
    return text;
}

/* ImagePath now, as reghelper prints it ("TYPE HEX" or "absent"). */
static char *image_path(void)
{
    assert_reghelper(NULL, "get '" KMS_KEY "' ImagePath");
    return printed("out.txt");
}

static void set_image_path(const char *type_hex)
{
    char args[1024], type[8];
    const char *space = strchr(type_hex, ' ');
    snprintf(type, sizeof type, "%.*s", (int)(space - type_hex), type_hex);
    snprintf(args, sizeof args, "set '" KMS_KEY "' ImagePath %s %s", type, space + 1);
    assert_reghelper(NULL, args);
}

/* Regular files directly in the keep folder (keep files, temporaries). */
static int files_in_keep_dir(void)
{
    DIR *d = opendir(keep_dir);
    int n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));) {
        char path[8192];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", keep_dir, e->d_name);
        n += lstat(path, &st) == 0 && S_ISREG(st.st_mode);
    }
    closedir(d);
    return n;
}

static void empty_keep_dir(void)
{
    DIR *d = opendir(keep_dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        char path[8192];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", keep_dir, e->d_name);
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            unlink(path);
    }
    closedir(d);
}

/* A key left here would make the next test's run refuse the prefix (exit
** 2, "a service key it did not create"): a failed clean-up fails here,
** with the helper's stderr, not as a puzzle in the next test. */
static int clean_up(void **state)
{
    int rc = reghelper(NULL, "delete-key '" KMS_KEY "'");
    empty_keep_dir();
    if (rc) {
        char *err = printed("err.txt");
        fprintf(stderr, "clean-up: reghelper delete-key: exit status %d; stderr: %s\n", rc,
                *err ? err : "(nothing)");
        free(err);
    }
    return rc ? -1 : 0;
}

/* ---- the steps ------------------------------------------------------ */

static char *steps[MAX_STEPS];
static size_t nsteps;

/* An unknown step name makes the program list the steps and stop (exit
** status 3) before it changes anything. */
static void steps_are_listed_and_unknown_ones_refused(void **state)
{
    set_image_path(original);
    assert_exit_status("fix with an unknown crash step", NULL, harness_crash_at("no-such-step", "fix"),
                       3);
    char *err = printed("err.txt");
    const char *list = strstr(err, "the steps are:");
    assert_non_null(list);
    char *copy = strdup(list + strlen("the steps are:"));
    for (char *tok = strtok(copy, " \n"); tok && nsteps < MAX_STEPS; tok = strtok(NULL, " \n"))
        steps[nsteps++] = strdup(tok);
    free(copy);
    free(err);
    /* At least the steps fix.h promises, in its order. */
    static const char *const promised[] = {
        "read", "keep-temp-written", "keep-temp-synced", "keep-linked", "kept",
        "written", "verified", "rolled-back",
    };
    size_t at = 0;
    for (size_t i = 0; i < nsteps && at < sizeof promised / sizeof *promised; i++)
        at += strcmp(steps[i], promised[at]) == 0;
    assert_int_equal(at, sizeof promised / sizeof *promised);
    char *now = image_path();
    assert_string_equal(now, original);
    free(now);
    assert_int_equal(files_in_keep_dir(), 0);
}

/* Kill the fix (or, for a rollback step, its rollback) at STEP; see the
** file comment for what must hold. Returns whether the value was left
** new, so the caller can check both outcomes occurred. */
static int crash_at(const char *step)
{
    set_image_path(original);
    int fix_rc = harness_crash_at(step, "fix");
    char *after_fix = image_path();
    int left_new = strcmp(after_fix, fixed) == 0;
    if (!left_new && strcmp(after_fix, original) != 0)
        fail_msg("%s: ImagePath is neither the old nor the new value: %s", step, after_fix);
    free(after_fix);

    int rb_rc = harness_crash_at(step, "fix --rollback");
    int killed_in_fix = fix_rc == 137, killed_in_rollback = rb_rc == 137;
    if (killed_in_fix == killed_in_rollback)
        fail_msg("%s: expected exactly one kill, fix %d rollback %d", step, fix_rc, rb_rc);
    if (!killed_in_fix)
        assert_int_equal(fix_rc, 0);
    if (killed_in_rollback) {
        char *mid = image_path();
        if (strcmp(mid, fixed) != 0 && strcmp(mid, original) != 0)
            fail_msg("%s: killed rollback left a third value", step);
        free(mid);
        rb_rc = harness_crash_at(NULL, "fix --rollback");
    }
    char *message = printed("out.txt");
    if (left_new && rb_rc != 0)
        fail_msg("%s: the new value is in the registry but rollback failed: %s", step, message);
    if (rb_rc != 0) {
        assert_int_equal(rb_rc, 1);
        assert_string_equal(message, "no kept original ImagePath to roll back");
    }
    free(message);
    char *restored = image_path();
    assert_string_equal(restored, original);
    free(restored);
    /* Nothing kept stays behind: no keep file, no temporary file. */
    assert_int_equal(files_in_keep_dir(), 0);
    return left_new;
}

static void every_step_leaves_old_or_new_and_rollback_restores(void **state)
{
    assert_true(nsteps >= 8);
    int saw_old = 0, saw_new = 0;
    for (size_t i = 0; i < nsteps; i++) {
        if (crash_at(steps[i]))
            saw_new = 1;
        else
            saw_old = 1;
    }
    assert_true(saw_old && saw_new);
}

static void rollback_refuses_a_value_changed_since(void **state)
{
    static const char theirs[] = "1 44003a005c006b006d002e006500780065000000";  /* D:\km.exe */
    set_image_path(original);
    assert_exit_status("fix", NULL, harness_crash_at(NULL, "fix"), 0);
    set_image_path(theirs);
    assert_exit_status("fix --rollback", NULL, harness_crash_at(NULL, "fix --rollback"), 1);
    char *message = printed("out.txt");
    assert_string_equal(message, "ImagePath was changed since the fix; not rolling back");
    free(message);
    char *now = image_path();
    assert_string_equal(now, theirs);
    free(now);
    assert_int_equal(files_in_keep_dir(), 1);  /* kept, not thrown away */
}

/* ---- a killed run ---------------------------------------------------- */

static int prefix_has(const char *rel)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", env("KMHARNESS_PREFIX"), rel);
    return exists(path);
}

static int keep_has_run_dirs(void)
{
    DIR *d = opendir(keep_dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strncmp(e->d_name, "run-", 4) == 0;
    if (d)
        closedir(d);
    return n;
}

/* A run killed in the middle of a scenario leaves registry keys, files, a
** drive and a kept original behind; the next run must start from the
** baseline anyway. The second scenario needs it: with a stale
** C:\Exchsrvr\Bin it would get ERROR_FILE_NOT_FOUND, not PATH_NOT_FOUND. */
static void killed_run_leaves_nothing_for_the_next(void **state)
{
    write_file("killed.reg",
               "REGEDIT4\r\n"
               "; @file: C:\\Exchsrvr\\Bin\\Kmserver.exe 5.5.2653.9\r\n"
               "; @file: D:\\Exchsrvr\\Bin\\Kmserver.exe 5.5.2653.9\r\n"
               "[HKEY_LOCAL_MACHINE\\Software\\kmh-crash-leftover]\r\n"
               "\"v\"=dword:00000001\r\n"
               "[HKEY_LOCAL_MACHINE\\" KMS_KEY "]\r\n"
               "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe Kill3dRun\"\r\n");
    write_file("baseline.reg",
               "REGEDIT4\r\n"
               "; @file: none\r\n"
               "; @expect-before: ERROR_PATH_NOT_FOUND\r\n"
               "; @expect-after: ERROR_PATH_NOT_FOUND\r\n"
               "[HKEY_LOCAL_MACHINE\\" KMS_KEY "]\r\n"
               "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe Kill3dRun\"\r\n");

    assert_exit_status("run killed at step written", NULL,
                       harness_crash_at("written", "run --db crash.db killed.reg"), 137);
    /* The kill really left things behind (else this test proves nothing). */
    assert_reghelper(NULL, "get 'Software\\kmh-crash-leftover' v");
    char *left = printed("out.txt");
    assert_string_equal(left, "4 01000000");
    free(left);
    assert_true(prefix_has("drive_c/Exchsrvr/Bin/Kmserver.exe"));
    assert_true(prefix_has("dosdevices/d:"));
    assert_true(prefix_has("drive_c/kmharness-cache"));
    assert_true(keep_has_run_dirs() > 0);

    assert_exit_status("run after the killed one", NULL,
                       harness_crash_at(NULL, "run --db crash.db baseline.reg"), 0);
    char *out = printed("out.txt");
    assert_non_null(strstr(out, "1 passed, 0 failed"));
    free(out);
    assert_reghelper(NULL, "get 'Software\\kmh-crash-leftover' v");
    left = printed("out.txt");
    assert_string_equal(left, "absent");
    free(left);
    assert_false(prefix_has("drive_c/Exchsrvr"));
    assert_false(prefix_has("dosdevices/d:"));
    assert_false(prefix_has("kmharness-drives"));
    assert_false(prefix_has("drive_c/kmharness-cache"));
    assert_int_equal(keep_has_run_dirs(), 0);
}

/* ---- set-up ---------------------------------------------------------- */

int main(void)
{
    if (workdir_make("crash"))
        return 2;
    snprintf(keep_dir, sizeof keep_dir, "%s/kmharness-keep", env("KMHARNESS_PREFIX"));
    if (reghelper_build(NULL) != 0) {
        fprintf(stderr, "cannot build reghelper: see %s/err.txt\n", workdir);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(steps_are_listed_and_unknown_ones_refused, clean_up),
        cmocka_unit_test_teardown(every_step_leaves_old_or_new_and_rollback_restores, clean_up),
        cmocka_unit_test_teardown(rollback_refuses_a_value_changed_since, clean_up),
        cmocka_unit_test_teardown(killed_run_leaves_nothing_for_the_next, clean_up),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (!failed)
        workdir_remove();
    return failed;
}
