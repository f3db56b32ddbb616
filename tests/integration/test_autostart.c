/*
** test_autostart.c - nothing in the prefix's registry starts a program by
** itself when Wine boots (issue 7, item 2).
**
** A native cmocka program driving build/kmharness in the test prefix. Wine's
** boot (the first Wine process of a session) starts every service whose
** Start is 2 or that a root device names, and runs the RunOnce entries,
** so a service key left by a run
** killed in the middle of a scenario, or imported by a user, would run its
** ImagePath as a command at the next `kmharness` start. Each case plants
** such a command, a harmless one: cmd.exe writing a marker file into the
** prefix's own C:\windows\temp (named after this test's process, removed
** afterwards); ends Wine's session (`wineserver -k`), so that the next
** harness command boots Wine afresh; runs that command; and checks that the
** marker never appears and the planted values are as they were.
**
** Between ending the session and the harness command, nothing may boot
** Wine: the check that the key is really there (else the case proves
** nothing) runs the registry helper with wineboot disabled.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX,
** KMH_SCENARIOS (its parent is the source tree, for reghelper.c).
*/
#include "support.h"

#define SERVICES "SYSTEM\\CurrentControlSet\\Services\\"
#define KMS_KEY SERVICES "MSExchangeKMS"
#define IMPORTED_KEY SERVICES "KmhAutostartImported"
#define RUNONCE_KEY "Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce"
#define ROOTED_KEY SERVICES "KmhAutostartRooted"
#define DEVICE_KEY "SYSTEM\\CurrentControlSet\\Enum\\Root\\KMHAUTOSTART\\0000"

/* A command that leaves C:\windows\temp\kmh-autostart-PID-CASE.txt behind;
** BACKSLASH is "\\" inside a .reg string, "\" elsewhere. */
static void marker_command(char *out, size_t n, const char *which, const char *backslash)
{
    snprintf(out, n, "C:%swindows%ssystem32%scmd.exe /c echo x > C:%swindows%stemp%s"
             "kmh-autostart-%d-%s.txt", backslash, backslash, backslash, backslash, backslash,
             backslash, (int)getpid(), which);
}

/* Where that marker lands on the host. */
static void marker_path(char *out, size_t n, const char *which)
{
    snprintf(out, n, "%s/drive_c/windows/temp/kmh-autostart-%d-%s.txt",
             env("KMHARNESS_PREFIX"), (int)getpid(), which);
}

/* Is the marker there, now or within two seconds (a started command may
** still be on its way)? */
static int marker_appears(const char *which)
{
    char path[4096];
    marker_path(path, sizeof path, which);
    for (int i = 0; i < 20; i++) {
        if (exists(path))
            return 1;
        usleep(100 * 1000);
    }
    return 0;
}

static void remove_marker(const char *which)
{
    char path[4096];
    marker_path(path, sizeof path, which);
    unlink(path);
}

/* End Wine's session in the test prefix: the next Wine process boots it. */
static void end_wine_session(void)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "env WINEPREFIX='%s' wineserver -k", env("KMHARNESS_PREFIX"));
    shell("kill", cmd);
}

/* reghelper ARGS without booting Wine (wineboot disabled); stdout in
** out-peek.txt. */
static int peek(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "env WINEPREFIX='%s' WINEDEBUG=-all "
             "WINEDLLOVERRIDES='mscoree,mshtml=;winedbg.exe=d;wineboot.exe=d' "
             "wine '%s/reghelper.exe.so' %s", env("KMHARNESS_PREFIX"), workdir, args);
    return shell("peek", cmd);
}

/* The value NAME of KEY, as reghelper prints it ("TYPE HEX" or "absent"),
** read without booting Wine. */
static char *value_unbooted(const char *key, const char *name)
{
    char args[1024];
    snprintf(args, sizeof args, "get '%s' '%s'", key, name);
    assert_exit_status("reghelper get, wineboot disabled", "peek", peek(args), 0);
    char *text = slurp("out-peek.txt", NULL);
    assert_non_null(text);
    text[strcspn(text, "\r\n")] = 0;
    return text;
}

/* Set value NAME of KEY (created if missing) to the REG_SZ TEXT (ASCII). */
static void set_string(const char *key, const char *name, const char *text)
{
    char hex[2048] = "", args[4096];
    for (const char *p = text; *p; p++)
        snprintf(hex + strlen(hex), sizeof hex - strlen(hex), "%02x00", (unsigned char)*p);
    snprintf(args, sizeof args, "set '%s' '%s' 1 %s0000", key, name, hex);
    assert_reghelper(NULL, args);
}

static void set_dword(const char *key, const char *name, const char *le_hex)
{
    char args[1024];
    snprintf(args, sizeof args, "set '%s' '%s' 4 %s", key, name, le_hex);
    assert_reghelper(NULL, args);
}

/* ---- the cases ------------------------------------------------------------ */

/* The attack of the issue: a run killed during a scenario whose service
** key auto-starts leaves the key; the next run must not start it. */
static void killed_run_leaves_a_service_that_never_starts(void **state)
{
    char command[512], scenario[2048];
    marker_command(command, sizeof command, "killed", "\\\\");
    snprintf(scenario, sizeof scenario,
             "REGEDIT4\r\n"
             "[HKEY_LOCAL_MACHINE\\" KMS_KEY "]\r\n"
             "\"Type\"=dword:00000010\r\n"
             "\"Start\"=dword:00000002\r\n"
             "\"ImagePath\"=\"%s\"\r\n", command);
    write_file("autostart-killed.reg", scenario);
    write_file("benign.reg",
               "REGEDIT4\r\n"
               "; @expect-before: not-installed\r\n");

    char cmd[4096];
    snprintf(cmd, sizeof cmd, "env KMH_TEST_CRASH_AT=read '%s' run --db as.db autostart-killed.reg",
             env("KMHARNESS"));
    assert_int_equal(shell("killed", cmd), 137);
    end_wine_session();
    char *start = value_unbooted(KMS_KEY, "Start");
    assert_string_equal(start, "4 02000000");  /* the kill left it: the case is real */
    free(start);

    assert_int_equal(harness("next", "run --db as.db benign.reg"), 0);
    assert_false(marker_appears("killed"));
    char *left = value_unbooted(KMS_KEY, "Start");
    assert_string_equal(left, "absent");  /* and the baseline is back */
    free(left);
}

/* A service at KEY (REG_DWORD Start given as little-endian hex) whose
** ImagePath leaves the marker WHICH. */
static void plant_service(const char *key, const char *start, const char *which)
{
    char command[512];
    marker_command(command, sizeof command, which, "\\");
    set_dword(key, "Type", "10000000");
    set_dword(key, "Start", start);
    set_string(key, "ImagePath", command);
}

/* With the planting done: end Wine's session, ask for a probe (which boots
** Wine), and check that the marker WHICH never appears and that value NAME
** of KEY, which the launcher held back meanwhile, is as it was. */
static void probe_runs_nothing(const char *which, const char *key, const char *name)
{
    char *planted = value_unbooted(key, name);
    end_wine_session();
    assert_int_equal(harness("probe", "probe"), 3);  /* not installed */
    assert_false(marker_appears(which));
    char *now = value_unbooted(key, name);
    assert_string_equal(now, planted);
    free(now);
    free(planted);
}

/* A user imported a real export (Start=2) into the prefix and then asks
** for a probe. */
static void imported_service_never_starts(void **state)
{
    plant_service(IMPORTED_KEY, "02000000", "imported");
    probe_runs_nothing("imported", IMPORTED_KEY, "Start");
}

/* RunOnce entries run when Wine boots too. */
static void imported_runonce_entry_never_runs(void **state)
{
    char command[512];
    marker_command(command, sizeof command, "runonce", "\\");
    set_string(RUNONCE_KEY, "kmh-autostart", command);
    probe_runs_nothing("runonce", RUNONCE_KEY, "kmh-autostart");
}

/* The service manager also starts, whatever its Start says (3 here), the
** service a root device names; Wine's own HID and USB buses are started
** that way. The device needs a class to be listed. */
static void service_named_by_a_root_device_never_starts(void **state)
{
    plant_service(ROOTED_KEY, "03000000", "rooted");
    set_string(DEVICE_KEY, "Class", "System");
    set_string(DEVICE_KEY, "ClassGUID", "{4D36E97D-E325-11CE-BFC1-08002BE10318}");
    set_string(DEVICE_KEY, "Service", "KmhAutostartRooted");
    probe_runs_nothing("rooted", DEVICE_KEY, "Service");
}

static int clean_up(void **state)
{
    reghelper(NULL, "delete-key '" KMS_KEY "'");
    reghelper(NULL, "delete-key '" IMPORTED_KEY "'");
    reghelper(NULL, "delete-key '" ROOTED_KEY "'");
    reghelper(NULL, "delete-key 'SYSTEM\\CurrentControlSet\\Enum\\Root\\KMHAUTOSTART'");
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "env WINEPREFIX='%s' " REGHELPER_ENV " wine reg delete "
             "'HKLM\\" RUNONCE_KEY "' /v kmh-autostart /f", env("KMHARNESS_PREFIX"));
    shell("clean", cmd);
    remove_marker("killed");
    remove_marker("imported");
    remove_marker("runonce");
    remove_marker("rooted");
    return 0;
}

int main(void)
{
    if (workdir_make("autostart"))
        return 2;
    if (reghelper_build(NULL) != 0) {
        fprintf(stderr, "cannot build reghelper: see %s/err.txt\n", workdir);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(killed_run_leaves_a_service_that_never_starts, clean_up),
        cmocka_unit_test_teardown(imported_service_never_starts, clean_up),
        cmocka_unit_test_teardown(imported_runonce_entry_never_runs, clean_up),
        cmocka_unit_test_teardown(service_named_by_a_root_device_never_starts, clean_up),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (!failed)
        workdir_remove();
    return failed;
}
