/*
** test_prefix_state.c - a user's own state in the prefix is theirs, and
** kept passwords are theirs to see (redacted) and discard (issue 7, items
** 5 and 6).
**
**   - A service key the user imported (not created by a scenario) makes
**     `run` refuse, exit 2, with the reason, and the key stays byte for
**     byte; `run --reset-prefix` deletes it and runs.
**   - A Kmserver.exe the user copied in (C:\Exchsrvr\Bin) makes `run`
**     refuse too; the file stays.
**   - `fix` keeps the original with its password; `fix --list-kept` names
**     it with the ImagePath redacted; `fix --discard ID` removes it; no
**     output shows the password.
**   - `run --emit` never writes through a symlink planted at a target name.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX,
** KMH_SCENARIOS (its parent is the source tree, for reghelper.c).
*/
#include "support.h"

#define KMS_KEY "SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"

static const char *const passwords[] = { "UserPw-4411" };

/* "C:\Exchsrvr\Bin\Kmserver.exe UserPw-4411" + NUL as UTF-16LE hex. */
static void user_value_hex(char *hex, size_t n)
{
    uint8_t bytes[256];
    size_t len = utf16le("C:\\Exchsrvr\\Bin\\Kmserver.exe UserPw-4411", bytes);
    bytes[len++] = 0, bytes[len++] = 0;
    for (size_t i = 0; i < len && 2 * i + 2 < n; i++)
        sprintf(hex + 2 * i, "%02x", bytes[i]);
}

static void import_user_key(void)
{
    char hex[512], args[1024];
    user_value_hex(hex, sizeof hex);
    snprintf(args, sizeof args, "set '" KMS_KEY "' ImagePath 1 %s", hex);
    assert_reghelper("import", args);
}

static void write_clean(const char *name)
{
    write_file(name, "REGEDIT4\r\n; @expect-before: ERROR_FILE_NOT_FOUND\r\n; @expect-after: ok\r\n"
               "[HKEY_LOCAL_MACHINE\\" KMS_KEY "]\r\n"
               "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe pw-state\"\r\n");
}

static void assert_err_has(const char *file, const char *text)
{
    char *err = slurp(file, NULL);
    assert_non_null(err);
    if (!strstr(err, text))
        fail_msg("missing \"%s\" in %s:\n%s", text, file, err);
    free(err);
}

static void imported_key_is_refused_unless_reset(void **state)
{
    import_user_key();
    write_clean("clean.reg");
    assert_int_equal(harness("refused", "run --db state.db clean.reg"), 2);
    assert_err_has("err-refused.txt", "MSExchangeKMS service key that kmharness did not create");
    /* The user's value is there, byte for byte. */
    char hex[512], want[600];
    user_value_hex(hex, sizeof hex);
    assert_reghelper("get", "get '" KMS_KEY "' ImagePath");
    snprintf(want, sizeof want, "1 %s", hex);
    char *got = slurp("out-get.txt", NULL);
    assert_non_null(strstr(got, want));
    free(got);
    assert_no_password_in("out-refused.txt", passwords, 1);
    assert_no_password_in("err-refused.txt", passwords, 1);

    assert_int_equal(harness("reset", "run --db state.db --reset-prefix clean.reg"), 0);
    assert_reghelper("gone", "get '" KMS_KEY "' ImagePath");
    got = slurp("out-gone.txt", NULL);
    assert_non_null(strstr(got, "absent"));
    free(got);
    assert_no_password_in_outputs("state.db", passwords, 1);
}

static void imported_kmserver_is_refused(void **state)
{
    char folder[1200], bin[1300], file[1400];
    snprintf(folder, sizeof folder, "%s/drive_c/Exchsrvr", env("KMHARNESS_PREFIX"));
    snprintf(bin, sizeof bin, "%s/Bin", folder);
    snprintf(file, sizeof file, "%s/Kmserver.exe", bin);
    assert_int_equal(mkdir(folder, 0755), 0);
    assert_int_equal(mkdir(bin, 0755), 0);
    write_file(file, "the user's own copy\n");
    write_clean("clean.reg");
    int rc = harness("file", "run --db state.db clean.reg");
    char *kept = slurp(file, NULL);
    unlink(file);
    rmdir(bin);
    rmdir(folder);
    assert_int_equal(rc, 2);
    assert_string_equal(kept, "the user's own copy\n");
    free(kept);
    assert_err_has("err-file.txt", "this prefix holds C:\\Exchsrvr\\Bin\\Kmserver.exe, which "
                   "kmharness did not put there");
}

/* The first line of out-TAG.txt after the count line: "ID  KEY\VALUE". */
static void first_kept_id(const char *tag, char *id, size_t n)
{
    char name[64];
    snprintf(name, sizeof name, "out-%s.txt", tag);
    char *out = slurp(name, NULL);
    assert_non_null(out);
    char *line = strchr(out, '\n');
    assert_non_null(line);
    assert_int_equal(sscanf(line + 1, "%255s", id), 1);
    assert_true(strlen(id) < n);
    free(out);
}

static void kept_originals_are_listed_redacted_and_discarded(void **state)
{
    import_user_key();
    assert_int_equal(harness("fix", "fix"), 0);
    assert_int_equal(harness("list", "fix --list-kept"), 0);
    char *out = slurp("out-list.txt", NULL);
    assert_non_null(strstr(out, "original: C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted: 11 chars>"));
    assert_non_null(strstr(out, "written:  C:\\Exchsrvr\\Bin\\Kmserver.exe\n"));
    free(out);
    assert_no_password_in("out-list.txt", passwords, 1);
    assert_no_password_in("out-fix.txt", passwords, 1);

    char id[256], args[400];
    first_kept_id("list", id, sizeof id);
    assert_int_equal(harness("bad-id", "fix --discard ../../etc/passwd"), 1);
    snprintf(args, sizeof args, "fix --discard '%s'", id);
    assert_int_equal(harness("discard", args), 0);
    assert_int_equal(harness("again", args), 1);
    assert_int_equal(harness("after", "fix --list-kept"), 0);
    out = slurp("out-after.txt", NULL);
    assert_null(strstr(out, id));
    free(out);
    reghelper("cleanup", "delete-key '" KMS_KEY "'");
}

static void emit_never_writes_through_a_symlink(void **state)
{
    char victim[1200], link[1200];
    workdir_path(victim, sizeof victim, "victim.txt");
    write_file(victim, "untouched\n");
    workdir_path(link, sizeof link, "emit");
    assert_int_equal(mkdir(link, 0755), 0);
    workdir_path(link, sizeof link, "emit/gen-1-000001.reg");
    assert_int_equal(symlink(victim, link), 0);
    assert_int_equal(harness("emit", "run --generate 1 --emit emit"), 2);
    char *text = slurp(victim, NULL);
    assert_string_equal(text, "untouched\n");
    free(text);
}

int main(void)
{
    if (workdir_make("state"))
        return 2;
    if (reghelper_build("build") != 0) {
        fprintf(stderr, "cannot build reghelper: see %s/err-build.txt\n", workdir);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(imported_key_is_refused_unless_reset),
        cmocka_unit_test(imported_kmserver_is_refused),
        cmocka_unit_test(kept_originals_are_listed_redacted_and_discarded),
        cmocka_unit_test(emit_never_writes_through_a_symlink),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (!failed)
        workdir_remove();
    return failed;
}
