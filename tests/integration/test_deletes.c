/*
** test_deletes.c - what a scenario's [-KEY] lines may delete, end to end
** through build/kmharness (issue 7, item 7; the contract lets a scenario
** touch any key under HKEY_LOCAL_MACHINE):
**   - a vendor's key that was in the prefix is deleted, the scenario
**     passes, and the key is back byte for byte afterwards;
**   - a deletion past the cap on what a scenario may copy aside
**     (harness/regapply.h: 10000 keys and values; Wine's own
**     HKLM\SOFTWARE\Classes holds about 17,600) is refused at its line with
**     the cap in the message, recorded as an input error (exit 2), and the
**     registry is as before: the lines before it are undone, Classes is
**     whole, and the next scenario passes.
** Which keys may never be deleted (hive roots, the control set) is
** reg/scenario.c's rule, tested in tests/unit/test_reach.c and the
** malformed catalog.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX,
** KMH_SCENARIOS.
*/
#include "support.h"

#define VENDOR "SOFTWARE\\kmh-test-deletes\\Old"
#define KMS_KEY "SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"

static int setup(void **state)
{
    if (workdir_make("deletes") || reghelper_build("build"))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    reghelper(NULL, "delete-key 'SOFTWARE\\kmh-test-deletes'");
    return workdir_remove();
}

/* reghelper's answer for value NAME of KEY ("TYPE HEX" or "absent"),
** malloc'ed, without its line end. */
static char *get(const char *key, const char *name)
{
    char args[512];
    snprintf(args, sizeof args, "get '%s' '%s'", key, name);
    assert_reghelper("get", args);
    char *text = slurp("out-get.txt", NULL);
    assert_non_null(text);
    text[strcspn(text, "\r\n")] = 0;
    return text;
}

static void plant_vendor(void)
{
    /* REG_EXPAND_SZ "%A%" with its NUL, REG_BINARY of odd length, a DWORD. */
    assert_reghelper(NULL, "set '" VENDOR "' Path 2 2500410025000000");
    assert_reghelper(NULL, "set '" VENDOR "' Blob 3 0a0b0c");
    assert_reghelper(NULL, "set '" VENDOR "\\Sub' n 4 07000000");
}

static void assert_vendor_as_planted(void)
{
    char *v = get(VENDOR, "Path");
    assert_string_equal(v, "2 2500410025000000");
    free(v);
    assert_string_equal(v = get(VENDOR, "Blob"), "3 0a0b0c");
    free(v);
    assert_string_equal(v = get(VENDOR "\\Sub", "n"), "4 07000000");
    free(v);
}

static const char kms_lines[] =
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
    "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe pw-deletes\"\r\n";

static void vendor_key_is_deleted_and_undone_exactly(void **state)
{
    plant_vendor();
    char text[1024];
    snprintf(text, sizeof text,
             "REGEDIT4\r\n; @expect-before: ERROR_FILE_NOT_FOUND\r\n; @expect-after: ok\r\n%s"
             "[-HKEY_LOCAL_MACHINE\\" VENDOR "]\r\n", kms_lines);
    write_file("vendor.reg", text);
    assert_int_equal(harness("vendor", "run --db vendor.db vendor.reg"), 0);
    sqlite3 *db = open_db("vendor.db");
    assert_int_equal(query_int(db, "select count(*) from outcome where scenario = 'vendor' "
                                   "and verdict = 'pass'", NULL), 1);
    sqlite3_close(db);
    assert_vendor_as_planted();
    char *v = get(KMS_KEY, "ImagePath");
    assert_string_equal(v, "absent");
    free(v);
}

static void delete_past_the_cap_is_refused_and_undone(void **state)
{
    plant_vendor();
    char *classes_before = get("SOFTWARE\\Classes\\exefile", "");
    assert_string_not_equal(classes_before, "absent");
    char text[1024];
    /* Line 6 changes the vendor's value, line 8 deletes Classes. */
    snprintf(text, sizeof text,
             "REGEDIT4\r\n; @file: none\r\n%s"
             "[HKEY_LOCAL_MACHINE\\" VENDOR "]\r\n\"Blob\"=dword:00000001\r\n\r\n"
             "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes]\r\n", kms_lines);
    write_file("big.reg", text);
    write_file("clean.reg", "REGEDIT4\r\n; @expect-before: ERROR_FILE_NOT_FOUND\r\n"
                            "; @expect-after: ok\r\n"
                            "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
                            "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe pw-deletes\"\r\n");
    assert_int_equal(harness("big", "run --db big.db big.reg clean.reg"), 2);
    char *out = slurp("out-big.txt", NULL), *err = slurp("err-big.txt", NULL);
    const char *want = "big.reg:8: deleting this key would take the scenario past 10000 "
                       "deleted keys and values, the cap that keeps its undo within seconds";
    if (!strstr(out, want) && !strstr(err, want))
        fail_msg("missing \"%s\" in:\n%s\n%s", want, out, err);
    free(out);
    free(err);
    sqlite3 *db = open_db("big.db");
    assert_int_equal(query_int(db, "select count(*) from outcome where scenario = 'big' "
                                   "and verdict = 'error'", NULL), 1);
    assert_int_equal(query_int(db, "select count(*) from outcome where scenario = 'clean' "
                                   "and verdict = 'pass'", NULL), 1);
    sqlite3_close(db);
    /* As before: the vendor's value back, Classes whole, no service key. */
    assert_vendor_as_planted();
    char *v = get("SOFTWARE\\Classes\\exefile", "");
    assert_string_equal(v, classes_before);
    free(v);
    free(classes_before);
    assert_string_equal(v = get(KMS_KEY, "ImagePath"), "absent");
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vendor_key_is_deleted_and_undone_exactly),
        cmocka_unit_test(delete_past_the_cap_is_refused_and_undone),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
