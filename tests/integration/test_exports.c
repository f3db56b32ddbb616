/*
** test_exports.c - a folder of servers' own regedit exports, as they are,
** gives the fleet table (issue 9, item 4).
**
** Each file is what `regedit /e` writes on a server, with no directive: a
** UTF-16 version 5 export of the full service key (Type, Start,
** ErrorControl, DisplayName, ObjectName, DependOnService as hex(7), a
** Parameters subkey, ImagePath as hex(2)), a REGEDIT4 export from NT 4.0 on
** drive D:, and a clean one.  Expected, from the KB and the spec: the
** verdict is "observed" (no expectation stated, the built-in checks hold);
** the KB's case fails before the fix with 2 (ERROR_FILE_NOT_FOUND) and is
** found after it; Kmserver.exe is placed where each value points (the D:
** server's on D:); a clean server is found before and after; and no
** password, declared by nobody, appears in any byte the harness writes.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX.
*/
#include "support.h"

#define KMS "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"

static const char *const passwords[] = { "FleetPwA-7781", "FleetPwB-8892" };

/* TEXT as a UTF-16LE file with a BOM, the way regedit exports. */
static void write_utf16(const char *name, const char *text)
{
    uint8_t *buf = malloc(4 * strlen(text) + 2);
    buf[0] = 0xff, buf[1] = 0xfe;
    size_t n = utf16le(text, buf + 2);
    write_bytes(name, buf, n + 2);
    free(buf);
}

/* The .reg hex list of the UTF-16LE string S with its NUL. */
static void hex_of(const char *s, char *out)
{
    uint8_t bytes[512];
    size_t n = utf16le(s, bytes);
    bytes[n++] = 0, bytes[n++] = 0;
    for (size_t i = 0; i < n; i++)
        sprintf(out + 3 * i, "%02x,", bytes[i]);
    out[3 * n - 1] = 0;
}

static void write_exports(void)
{
    char path_hex[2048], text[8192], dir[1024];
    workdir_path(dir, sizeof dir, "fleet");
    assert_int_equal(mkdir(dir, 0700), 0);
    hex_of("C:\\Exchsrvr\\Bin\\Kmserver.exe FleetPwA-7781", path_hex);
    snprintf(text, sizeof text,
             "Windows Registry Editor Version 5.00\r\n\r\n" KMS
             "\"Type\"=dword:00000010\r\n\"Start\"=dword:00000002\r\n"
             "\"ErrorControl\"=dword:00000001\r\n\"ImagePath\"=hex(2):%s\r\n"
             "\"DisplayName\"=\"Microsoft Exchange Key Management Server\"\r\n"
             "\"DependOnService\"=hex(7):4d,00,53,00,45,00,78,00,63,00,68,00,61,00,6e,00,67,"
             "00,65,00,53,00,41,00,00,00,00,00\r\n\"ObjectName\"=\"LocalSystem\"\r\n\r\n"
             "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS\\Parameters]\r\n"
             "\"Trace\"=dword:00000000\r\n",
             path_hex);
    write_utf16("fleet/server-a.reg", text);
    write_file("fleet/server-b-nt4.reg", "REGEDIT4\r\n\r\n" KMS "\"Type\"=dword:00000010\r\n"
               "\"Start\"=dword:00000002\r\n"
               "\"ImagePath\"=\"D:\\\\exchsrvr\\\\bin\\\\kmserver.exe FleetPwB-8892\"\r\n");
    write_file("fleet/server-c-clean.reg", "REGEDIT4\r\n\r\n" KMS
               "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe\"\r\n");
}

static long long code(sqlite3 *db, const char *scenario, const char *column)
{
    char sql[256];
    snprintf(sql, sizeof sql, "select %s from outcome where scenario = ?", column);
    return query_int(db, sql, scenario);
}

static void fleet_of_exports_is_observed(void **state)
{
    write_exports();
    assert_int_equal(harness(NULL, "run --db fleet.db fleet"), 0);
    sqlite3 *db = open_db("fleet.db");
    assert_int_equal(query_int(db, "select count(*) from outcome where verdict = 'observed'",
                               NULL), 3);
    assert_int_equal(code(db, "server-a", "before_code"), 2);
    assert_int_equal(code(db, "server-a", "after_code"), 0);
    assert_int_equal(code(db, "server-b-nt4", "before_code"), 2);
    assert_int_equal(code(db, "server-b-nt4", "after_code"), 0);  /* placed on D: */
    assert_int_equal(code(db, "server-c-clean", "before_code"), 0);
    assert_int_equal(code(db, "server-c-clean", "after_code"), 0);
    char *shown = query_text(db, "select image_path_before from outcome where scenario = ?",
                             "server-b-nt4");
    assert_string_equal(shown, "D:\\exchsrvr\\bin\\kmserver.exe <redacted: 13 chars>");
    free(shown);
    sqlite3_close(db);
    char *out = slurp("out.txt", NULL);
    assert_non_null(strstr(out, "0 passed, 0 failed, 3 observed"));
    free(out);
    assert_no_password_in_outputs("fleet.db", passwords, 2);
}

int main(void)
{
    if (workdir_make("exports"))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fleet_of_exports_is_observed),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (!failed)
        workdir_remove();
    return failed;
}
