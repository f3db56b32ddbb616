/*
** test_probe.c: Wine tests for emu/probe.c, the emulated Update.exe probe.
**
** Each test writes its own MSExchangeKMS key with the real registry API,
** places the emulated Kmserver.exe where it needs one, probes, and checks
** the outcome Windows' own APIs give (codes as listed in probe.h and
** shared/docs/wine-notes.md), then removes the key and the files.
*/
#include <windows.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "probe.h"
#include "kmserver.h"
#include "winerror_text.h"

static const WCHAR service_key[] = L"SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS";
static const struct kmserver_image v5526539 = { KMSERVER_PE_VERSION, { 5, 5, 2653, 9 } };

static void delete_service_key(void)
{
    LONG rc = RegDeleteTreeW(HKEY_LOCAL_MACHINE, service_key);
    assert_true(rc == ERROR_SUCCESS || rc == ERROR_FILE_NOT_FOUND);
}

static HKEY create_service_key(void)
{
    HKEY key;
    assert_int_equal(RegCreateKeyExW(HKEY_LOCAL_MACHINE, service_key, 0, NULL, 0,
                                     KEY_ALL_ACCESS, NULL, &key, NULL), ERROR_SUCCESS);
    return key;
}

/* Set ImagePath to the raw bytes DATA of registry type TYPE. */
static void set_image_path_raw(DWORD type, const void *data, DWORD len)
{
    HKEY key = create_service_key();
    assert_int_equal(RegSetValueExW(key, L"ImagePath", 0, type, data, len), ERROR_SUCCESS);
    RegCloseKey(key);
}

/* Set ImagePath to the first NCHARS units of S plus a terminator (S may
** hold embedded NULs when NCHARS says so). */
static void set_image_path_units(DWORD type, const WCHAR *s, size_t nchars)
{
    set_image_path_raw(type, s, (DWORD)((nchars + 1) * sizeof *s));
}

static void set_image_path(DWORD type, const WCHAR *s)
{
    set_image_path_units(type, s, (size_t)lstrlenW(s));
}

static void place_default_kmserver(void)
{
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL), 0);
}

static struct probe_result probe(void)
{
    struct probe_result r;
    probe_run(&r);
    return r;
}

static void assert_version(const struct probe_result *r, uint16_t a, uint16_t b, uint16_t c, uint16_t d)
{
    assert_int_equal(r->version[0], a);
    assert_int_equal(r->version[1], b);
    assert_int_equal(r->version[2], c);
    assert_int_equal(r->version[3], d);
}

static int setup(void **state)
{
    delete_service_key();
    return 0;
}

static int teardown(void **state)
{
    delete_service_key();
    assert_int_equal(kmserver_clear(), 0);
    return 0;
}

static void test_key_absent_is_not_installed(void **state)
{
    place_default_kmserver();
    struct probe_result r = probe();
    assert_int_equal(r.code, KMH_NOT_INSTALLED);
    assert_int_equal(r.value_present, 0);
    assert_null(r.raw);
    char msg[256];
    assert_string_equal(probe_message(&r, msg, sizeof msg),
                        "The Key Management server is not installed; Update.exe skips it.");
    probe_result_free(&r);
}

static void test_value_absent_is_file_not_found(void **state)
{
    place_default_kmserver();
    HKEY key = create_service_key();
    DWORD start = 2;
    assert_int_equal(RegSetValueExW(key, L"Start", 0, REG_DWORD, (const BYTE *)&start, 4), 0);
    RegCloseKey(key);
    struct probe_result r = probe();
    assert_int_equal(r.code, ERROR_FILE_NOT_FOUND);
    assert_int_equal(r.value_present, 0);
    char msg[256];
    assert_string_equal(probe_message(&r, msg, sizeof msg),
                        "The system cannot find the file specified.");
    probe_result_free(&r);
}

static void test_dword_is_unsupported_type(void **state)
{
    DWORD v = 1;
    set_image_path_raw(REG_DWORD, &v, sizeof v);
    struct probe_result r = probe();
    assert_int_equal(r.code, ERROR_UNSUPPORTED_TYPE);
    assert_int_equal(r.value_present, 1);
    assert_int_equal(r.value_type, REG_DWORD);
    assert_int_equal(r.raw_len, 4);
    assert_memory_equal(r.raw, &v, 4);
    probe_result_free(&r);
    assert_null(r.raw);
}

static void test_string_bytes_as_binary_or_multi_sz_unsupported(void **state)
{
    static const WCHAR path[] = L"C:\\Exchsrvr\\Bin\\Kmserver.exe";
    place_default_kmserver();
    static const DWORD types[] = { REG_BINARY, REG_MULTI_SZ, REG_NONE };
    for (size_t i = 0; i < 3; i++) {
        set_image_path_raw(types[i], path, sizeof path);
        struct probe_result r = probe();
        assert_int_equal(r.code, ERROR_UNSUPPORTED_TYPE);
        assert_int_equal(r.value_type, types[i]);
        probe_result_free(&r);
    }
}

static void test_clean_path_reads_version(void **state)
{
    static const WCHAR path[] = L"C:\\Exchsrvr\\Bin\\Kmserver.exe";
    place_default_kmserver();
    set_image_path(REG_SZ, path);
    struct probe_result r = probe();
    assert_int_equal(r.code, 0);
    assert_version(&r, 5, 5, 2653, 9);
    assert_int_equal(r.value_present, 1);
    assert_int_equal(r.value_type, REG_SZ);
    assert_int_equal(r.raw_len, sizeof path);
    assert_memory_equal(r.raw, path, sizeof path);
    char msg[256];
    assert_string_equal(probe_message(&r, msg, sizeof msg), "Kmserver.exe version 5.5.2653.9");
    probe_result_free(&r);
}

static void test_other_version_is_read(void **state)
{
    const struct kmserver_image v = { KMSERVER_PE_VERSION, { 5, 5, 2448, 8 } };
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &v, NULL), 0);
    set_image_path(REG_EXPAND_SZ, L"C:\\Exchsrvr\\Bin\\Kmserver.exe");
    struct probe_result r = probe();
    assert_int_equal(r.code, 0);
    assert_version(&r, 5, 5, 2448, 8);
    assert_int_equal(r.value_type, REG_EXPAND_SZ);
    probe_result_free(&r);
}

/* The KB article's case: the password after the path. */
static void test_password_after_path_is_file_not_found(void **state)
{
    place_default_kmserver();
    set_image_path(REG_SZ, L"C:\\Exchsrvr\\Bin\\Kmserver.exe secret");
    struct probe_result r = probe();
    assert_int_equal(r.code, ERROR_FILE_NOT_FOUND);
    assert_version(&r, 0, 0, 0, 0);
    char msg[256];
    probe_message(&r, msg, sizeof msg);
    assert_string_equal(msg, "The system cannot find the file specified.");
    assert_null(strstr(msg, "secret"));
    probe_result_free(&r);
}

static void test_quoted_path_is_invalid_name(void **state)
{
    place_default_kmserver();
    set_image_path(REG_SZ, L"\"C:\\Exchsrvr\\Bin\\Kmserver.exe\"");
    struct probe_result r = probe();
    assert_int_equal(r.code, ERROR_INVALID_NAME);
    probe_result_free(&r);
}

static void test_embedded_nul_hides_password(void **state)
{
    static const WCHAR value[] = L"C:\\Exchsrvr\\Bin\\Kmserver.exe\0secret";
    place_default_kmserver();
    set_image_path_units(REG_SZ, value, sizeof value / sizeof value[0] - 1);
    struct probe_result r = probe();
    assert_int_equal(r.code, 0);
    assert_version(&r, 5, 5, 2653, 9);
    assert_int_equal(r.raw_len, sizeof value);  /* the whole value was read */
    assert_memory_equal(r.raw, value, sizeof value);
    probe_result_free(&r);
}

/* %SystemDrive% is C: here and the file is there, yet the probe does not
** expand REG_EXPAND_SZ: the folder "%SystemDrive%" does not exist. */
static void test_expand_sz_is_not_expanded(void **state)
{
    place_default_kmserver();
    WCHAR expanded[MAX_PATH];
    assert_true(ExpandEnvironmentStringsW(L"%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe", expanded, MAX_PATH) > 0);
    assert_int_equal(lstrcmpiW(expanded, L"C:\\Exchsrvr\\Bin\\Kmserver.exe"), 0);
    set_image_path(REG_EXPAND_SZ, L"%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe");
    struct probe_result r = probe();
    assert_int_equal(r.code, ERROR_PATH_NOT_FOUND);
    probe_result_free(&r);
}

static void test_file_on_new_drive(void **state)
{
    const struct kmserver_image v = { KMSERVER_PE_VERSION, { 5, 5, 2650, 21 } };
    assert_int_equal(kmserver_place("D:\\Exchsrvr\\Bin\\Kmserver.exe", &v, NULL), 0);
    set_image_path(REG_SZ, L"D:\\Exchsrvr\\Bin\\Kmserver.exe");
    struct probe_result r = probe();
    assert_int_equal(r.code, 0);
    assert_version(&r, 5, 5, 2650, 21);
    probe_result_free(&r);

    /* The default location is empty in this scenario. */
    set_image_path(REG_SZ, L"C:\\Exchsrvr\\Bin\\Kmserver.exe");
    r = probe();
    assert_int_equal(r.code, ERROR_PATH_NOT_FOUND);
    probe_result_free(&r);
}

static void test_noversion_image(void **state)
{
    const struct kmserver_image nv = { KMSERVER_PE_NOVERSION, { 0, 0, 0, 0 } };
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &nv, NULL), 0);
    set_image_path(REG_SZ, L"C:\\Exchsrvr\\Bin\\Kmserver.exe");
    struct probe_result r = probe();
    assert_int_equal(r.code, ERROR_RESOURCE_DATA_NOT_FOUND);
    char msg[256];
    assert_string_equal(probe_message(&r, msg, sizeof msg),
                        "The specified image file did not contain a resource section.");
    probe_result_free(&r);
}

static void test_missing_file_and_folder(void **state)
{
    place_default_kmserver();
    set_image_path(REG_SZ, L"C:\\Exchsrvr\\Bin\\Kmsrv.exe");
    struct probe_result r = probe();
    assert_int_equal(r.code, ERROR_FILE_NOT_FOUND);
    probe_result_free(&r);

    set_image_path(REG_SZ, L"C:\\Exchsrvr\\Bim\\Kmserver.exe");
    r = probe();
    assert_int_equal(r.code, ERROR_PATH_NOT_FOUND);
    probe_result_free(&r);
}

static void test_empty_string_and_folder(void **state)
{
    place_default_kmserver();
    /* Wine answers 161 for "" (Windows 98's code); the xp profile reports
    ** XP's 1812 (Wine's dlls/version/tests/info.c, emu/era.c xp.empty). */
    set_image_path(REG_SZ, L"");
    struct probe_result r = probe();
    assert_int_equal(r.wine_code, ERROR_BAD_PATHNAME);
    assert_int_equal(r.code, ERROR_RESOURCE_DATA_NOT_FOUND);
    assert_int_equal(r.raw_len, 2);
    probe_result_free(&r);

    set_image_path_raw(REG_SZ, L"", 0);  /* no bytes at all */
    r = probe();
    assert_int_equal(r.value_present, 1);
    assert_int_equal(r.raw_len, 0);
    assert_int_equal(r.code, ERROR_RESOURCE_DATA_NOT_FOUND);
    probe_result_free(&r);

    set_image_path(REG_SZ, L"C:\\Exchsrvr\\Bin");
    r = probe();
    assert_int_equal(r.code, ERROR_ACCESS_DENIED);
    probe_result_free(&r);
}

/* The era profiles on the real API: the KB's case and a quoted path, as
** each Windows reports them (emu/era.c; info.c and the KB). */
static void test_era_profiles(void **state)
{
    place_default_kmserver();
    set_image_path(REG_SZ, L"C:\\Exchsrvr\\Bin\\Kmserver.exe pw");
    struct probe_result r;
    probe_run_as(ERA_NT4, &r);
    assert_int_equal(r.wine_code, ERROR_FILE_NOT_FOUND);
    assert_int_equal(r.code, ERROR_FILE_NOT_FOUND);  /* the KB's text */
    assert_int_equal(r.assumed, 0);
    assert_string_equal(r.rule->id, "nt4.not-found");
    probe_result_free(&r);
    probe_run_as(ERA_2000, &r);
    assert_int_equal(r.code, KMH_NO_ERROR_CODE);
    probe_result_free(&r);

    set_image_path(REG_SZ, L"\"C:\\Exchsrvr\\Bin\\Kmserver.exe\"");
    probe_run_as(ERA_NT4, &r);
    assert_int_equal(r.wine_code, ERROR_INVALID_NAME);
    assert_int_equal(r.code, ERROR_FILE_NOT_FOUND);
    assert_int_equal(r.assumed, 1);
    probe_result_free(&r);
    probe_run_as(ERA_XP, &r);
    assert_int_equal(r.code, ERROR_INVALID_NAME);
    assert_int_equal(r.assumed, 1);
    probe_result_free(&r);

    set_image_path(REG_SZ, L"C:\\Exchsrvr\\Bin\\Kmserver.exe");
    for (int e = 0; e < ERA_COUNT; e++) {
        probe_run_as((enum era)e, &r);
        assert_int_equal(r.code, 0);
        assert_int_equal(r.version[2], 2653);
        probe_result_free(&r);
    }
}

static void test_message_truncates_safely(void **state)
{
    struct probe_result r;
    memset(&r, 0, sizeof r);
    r.code = ERROR_FILE_NOT_FOUND;
    char tiny[8];
    assert_string_equal(probe_message(&r, tiny, sizeof tiny), "The sys");
    r.code = 0;
    r.version[0] = 65535;
    char exact[40];
    assert_string_equal(probe_message(&r, exact, sizeof exact), "Kmserver.exe version 65535.0.0.0");
}

int wmain(int argc, WCHAR **argv)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_key_absent_is_not_installed),
        T(test_value_absent_is_file_not_found),
        T(test_dword_is_unsupported_type),
        T(test_string_bytes_as_binary_or_multi_sz_unsupported),
        T(test_clean_path_reads_version),
        T(test_other_version_is_read),
        T(test_password_after_path_is_file_not_found),
        T(test_quoted_path_is_invalid_name),
        T(test_embedded_nul_hides_password),
        T(test_expand_sz_is_not_expanded),
        T(test_file_on_new_drive),
        T(test_noversion_image),
        T(test_missing_file_and_folder),
        T(test_empty_string_and_folder),
        T(test_era_profiles),
        T(test_message_truncates_safely),
    };
#undef T
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    kmserver_cache_release();
    return failed;
}
