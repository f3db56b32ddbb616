/*
** test_boot.c - the launcher's start of a Wine session survives one death
** of the process that boots Wine, and says so when it dies twice.
**
** Wine's booting process (`kmharness boot release`, harness/cmd_boot.c)
** has, rarely, exited at once without a word while three new prefixes
** booted side by side.  The launcher logs its exit status and tries it once
** more.  Here a `wine` placed first on PATH fails the first N release calls
** with status 3 and passes every other call to the real wine:
**   - N = 1: `probe` works; the prefix's Wine log names the status and the
**     second try;
**   - N = 2: `probe` exits 2 with "Wine would not start (exit status 3)",
**     and the next session (no failures) works: what the first held back
**     is put back by the next hold.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX.
*/
#include "support.h"

/* Writes workdir/bin/wine: fails the first FAILS `boot release` calls
** (counted in workdir/releases), runs the real wine for everything else. */
static void fake_wine(int fails)
{
    char real[4096] = "", script[8192], cmd[4200];
    FILE *p = popen("command -v wine", "r");
    assert_non_null(p);
    assert_non_null(fgets(real, sizeof real, p));
    pclose(p);
    real[strcspn(real, "\n")] = 0;
    snprintf(script, sizeof script,
             "#!/bin/sh\n"
             "case \"$*\" in *' boot release')\n"
             "    n=$(cat '%s/releases' 2>/dev/null || echo 0)\n"
             "    echo $((n + 1)) >'%s/releases'\n"
             "    [ \"$n\" -ge %d ] || exit 3 ;;\n"
             "esac\n"
             "exec '%s' \"$@\"\n",
             workdir, workdir, fails, real);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/bin' && rm -f '%s/releases'", workdir, workdir);
    assert_int_equal(system(cmd), 0);
    write_file("bin/wine", script);
    snprintf(cmd, sizeof cmd, "%s/bin/wine", workdir);
    assert_int_equal(chmod(cmd, 0755), 0);
}

/* `probe` through the launcher with the fake wine first on PATH. */
static int probe_with_fake(const char *tag)
{
    char cmd[12288];
    snprintf(cmd, sizeof cmd, "PATH='%s/bin':\"$PATH\" '%s' probe", workdir, env("KMHARNESS"));
    return shell(tag, cmd);
}

static int log_has(const char *text)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/kmharness-wine.log", env("KMHARNESS_PREFIX"));
    char *log = slurp(path, NULL);
    int found = log && strstr(log, text);
    free(log);
    return found;
}

static void one_death_is_tried_again(void **state)
{
    fake_wine(1);
    int rc = probe_with_fake("once");
    assert_true(rc == 0 || rc == 1 || rc == 3);  /* the probe ran: its own statuses */
    char *releases = slurp("releases", NULL);
    assert_non_null(releases);
    assert_int_equal(atoi(releases), 2);
    free(releases);
    assert_true(log_has("Wine's first process exited with status 3; trying once more"));
}

static void two_deaths_stop_with_the_status(void **state)
{
    fake_wine(2);
    assert_exit_status("probe", "twice", probe_with_fake("twice"), 2);
    char *err = slurp("err-twice.txt", NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, "Wine would not start (exit status 3)"));
    free(err);

    /* The next session holds back again, after putting back what the
    ** failed one held, and starts. */
    fake_wine(0);
    int rc = probe_with_fake("after");
    assert_true(rc == 0 || rc == 1 || rc == 3);
}

static int setup(void **state)
{
    return workdir_make("boot");
}

static int teardown(void **state)
{
    return workdir_remove();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(one_death_is_tried_again, setup, teardown),
        cmocka_unit_test_setup_teardown(two_deaths_stop_with_the_status, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
