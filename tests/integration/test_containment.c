/*
** test_containment.c - a hostile scenario cannot reach the host or break
** the prefix through its @file lines (issue 7, item 1).
**
** Each attack is a scenario file a user could receive, run end to end
** through build/kmharness:
**   - `@file: Z:\<host path>`: Wine's Z: is the host's /; the file there
**     must stay byte for byte, and nothing may be created beside it;
**   - `@file: C:\<link out of drive_c>\...`: the same through a symlink in
**     the prefix (Wine links the user's Desktop to the host's home);
**   - `@file: C:\windows\system32\kernel32.dll`: the prefix's own file must
**     not be replaced (and so not deleted at clean-up): the prefix still
**     boots and a clean scenario still passes afterwards;
**   - `@file: C:\Exchsrvr\COM1`: a device name (Wine maps COM1 to a host
**     tty).
** Each is refused as FILE:LINE with the reason, recorded as an input error
** (exit 2), and the scenarios beside it still run.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX.
*/
#include "support.h"

static char host_dir[64];
static const char victim_text[] = "host file: must stay as it is\n";

static int setup(void **state)
{
    if (workdir_make("containment"))
        return -1;
    snprintf(host_dir, sizeof host_dir, "/tmp/kmh-host-XXXXXX");
    if (!mkdtemp(host_dir))
        return -1;
    char victim[128];
    snprintf(victim, sizeof victim, "%s/victim.exe", host_dir);
    write_file(victim, victim_text);
    return 0;
}

static int teardown(void **state)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", host_dir);
    return system(cmd) || workdir_remove();
}

/* The host folder holds the victim, unchanged, and nothing else. */
static void assert_host_untouched(void)
{
    char victim[128];
    snprintf(victim, sizeof victim, "%s/victim.exe", host_dir);
    char *text = slurp(victim, NULL);
    assert_non_null(text);
    assert_string_equal(text, victim_text);
    free(text);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s')\" = victim.exe", host_dir);
    assert_int_equal(system(cmd), 0);
}

/* A scenario whose ImagePath carries a password and whose one @file line
** (line 2) is FILE_LINE. */
static void write_attack(const char *name, const char *file_line)
{
    char text[2048];
    snprintf(text, sizeof text,
             "REGEDIT4\r\n; @file: %s\r\n"
             "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
             "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe pw-contain\"\r\n", file_line);
    write_file(name, text);
}

static void write_clean(const char *name)
{
    write_file(name, "REGEDIT4\r\n; @expect-before: ERROR_FILE_NOT_FOUND\r\n; @expect-after: ok\r\n"
               "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
               "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe pw-contain\"\r\n");
}

/* Z:\tmp\kmh-host-XXXXXX\NAME */
static void z_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "Z:%s\\%s", host_dir, name);
    for (char *p = out; *p; p++)
        if (*p == '/')
            *p = '\\';
}

/* The error line for scenario NAME in err-TAG.txt says FILE:2: and WHY. */
static void assert_refused(const char *tag, const char *name, const char *why)
{
    char errname[64], want[512];
    snprintf(errname, sizeof errname, "err-%s.txt", tag);
    char *err = slurp(errname, NULL);
    assert_non_null(err);
    snprintf(want, sizeof want, "%s.reg:2: cannot place Kmserver.exe: %s", name, why);
    if (!strstr(err, want))
        fail_msg("missing \"%s\" in:\n%s", want, err);
    free(err);
}

static void host_files_through_z_are_refused(void **state)
{
    char line[512];
    z_path(line, sizeof line, "victim.exe 5.5.1.1");
    write_attack("a1-z-victim.reg", line);
    z_path(line, sizeof line, "Exchsrvr\\Bin\\Kmserver.exe 5.5.1.1");
    write_attack("a2-z-new-folder.reg", line);
    write_clean("b-clean.reg");
    assert_int_equal(harness("z", "run --db z.db a1-z-victim.reg a2-z-new-folder.reg b-clean.reg"), 2);
    const char *why = "the path leads outside the prefix's emulated drives (to the host)";
    assert_refused("z", "a1-z-victim", why);
    assert_refused("z", "a2-z-new-folder", why);
    assert_host_untouched();
    sqlite3 *db = open_db("z.db");
    assert_int_equal(query_int(db, "select count(*) from outcome where verdict = 'error'", NULL), 2);
    assert_int_equal(query_int(db, "select count(*) from outcome where scenario = 'b-clean' "
                                   "and verdict = 'pass'", NULL), 1);
    sqlite3_close(db);
}

static void links_out_of_drive_c_are_refused(void **state)
{
    char link[1200];
    snprintf(link, sizeof link, "%s/drive_c/kmh-escape", env("KMHARNESS_PREFIX"));
    unlink(link);
    assert_int_equal(symlink(host_dir, link), 0);
    write_attack("a-link.reg", "C:\\kmh-escape\\Bin\\Kmserver.exe 5.5.1.1");
    int rc = harness("link", "run --db link.db a-link.reg");
    unlink(link);
    assert_int_equal(rc, 2);
    assert_refused("link", "a-link", "the path leads outside the prefix's emulated drives (to the host)");
    assert_host_untouched();
}

static void prefix_files_are_never_replaced(void **state)
{
    write_attack("a-kernel32.reg", "C:\\windows\\system32\\kernel32.dll 5.5.1.1");
    write_attack("a-com1.reg", "C:\\Exchsrvr\\COM1 5.5.1.1");
    assert_int_equal(harness("k32", "run --db k32.db a-kernel32.reg a-com1.reg"), 2);
    assert_refused("k32", "a-kernel32", "a file the harness did not create is there; it is never overwritten");
    assert_refused("k32", "a-com1", "the path names a DOS device (CON, NUL, COM1, LPT1, ...)");
    /* The prefix still boots, and a clean scenario still passes. */
    write_clean("after.reg");
    assert_int_equal(harness("after", "run --db k32.db after.reg"), 0);
    char *out = slurp("out-after.txt", NULL);
    int passed, failed;
    parse_summary(out, &passed, &failed);
    assert_int_equal(passed, 1);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_files_through_z_are_refused),
        cmocka_unit_test(links_out_of_drive_c_are_refused),
        cmocka_unit_test(prefix_files_are_never_replaced),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
