/*
** test_value_shapes.c: ImagePath values of the wrong type or shape, through
** the probe (emu/probe.c) and the fix (emu/fix.c) in a real Wine registry.
**
** Issue 4 asks that such values be handled "without reading past the
** data".  The pure decode of the bytes is unit tested under ASan with
** exact-size buffers (tests/unit/test_imagepath.c); this test checks the
** Win32 side end to end: for a string with no terminating NUL, an odd byte
** count, a bare byte, and for REG_BINARY, REG_MULTI_SZ and short REG_DWORD
** data holding the same text, the probe reports what Windows' APIs give
** (probe.h decisions 2-4), and the fix either rewrites the value to the
** path alone with one NUL and the value's own type, or (non-string types,
** fix.h rule 1) leaves every byte as it was and keeps nothing.
*/
#include <windows.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>
#include "fix.h"
#include "kmserver.h"
#include "probe.h"

static const WCHAR kms[] = L"SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS";
static const WCHAR path[] = L"C:\\Exchsrvr\\Bin\\Kmserver.exe";
static const WCHAR path_pw[] = L"C:\\Exchsrvr\\Bin\\Kmserver.exe Sh4pe!pw";
static const WCHAR pw[] = L"Sh4pe!pw";
static const struct kmserver_image v5526539 = { KMSERVER_PE_VERSION, { 5, 5, 2653, 9 } };

static char base[] = "/tmp/kmh-test-shapes-XXXXXX";
static char keep[64];

/* ---- helpers ------------------------------------------------------------- */

static void delete_kms_key(void)
{
    LONG rc = RegDeleteTreeW(HKEY_LOCAL_MACHINE, kms);
    assert_true(rc == ERROR_SUCCESS || rc == ERROR_FILE_NOT_FOUND);
}

/* ImagePath := exactly LEN bytes of DATA with registry type TYPE.  For the
** string types RegSetValueExW reads the unit after LEN and, when the last
** unit is not NUL but that one is, stores one NUL more ("the user forgot
** to count it", as NT does); a copy followed by non-zero bytes keeps the
** stored value to the bytes given. */
static void set_raw(DWORD type, const void *data, DWORD len)
{
    HKEY key;
    BYTE *padded = malloc(len + 2);
    memcpy(padded, data, len);
    padded[len] = padded[len + 1] = 0xFF;
    assert_int_equal(RegCreateKeyExW(HKEY_LOCAL_MACHINE, kms, 0, NULL, 0, KEY_ALL_ACCESS,
                                     NULL, &key, NULL), 0);
    assert_int_equal(RegSetValueExW(key, L"ImagePath", 0, type, padded, len), 0);
    RegCloseKey(key);
    free(padded);
}

/* The first NCHARS units of W, then EXTRA bytes (odd tails), in a fresh
** buffer of exactly that size. */
static BYTE *shaped(const WCHAR *w, size_t nchars, const char *extra, size_t nextra,
                    DWORD *len)
{
    *len = (DWORD)(nchars * sizeof(WCHAR) + nextra);
    BYTE *b = malloc(*len ? *len : 1);
    memcpy(b, w, nchars * sizeof(WCHAR));
    memcpy(b + nchars * sizeof(WCHAR), extra, nextra);
    return b;
}

static void assert_value(DWORD want_type, const void *want, DWORD want_len)
{
    HKEY key;
    DWORD type, len = 0;
    assert_int_equal(RegOpenKeyExW(HKEY_LOCAL_MACHINE, kms, 0, KEY_QUERY_VALUE, &key), 0);
    assert_int_equal(RegQueryValueExW(key, L"ImagePath", NULL, &type, NULL, &len), 0);
    BYTE *buf = malloc(len ? len : 1);
    assert_int_equal(RegQueryValueExW(key, L"ImagePath", NULL, &type, buf, &len), 0);
    RegCloseKey(key);
    assert_int_equal(type, want_type);
    assert_int_equal(len, want_len);
    assert_memory_equal(buf, want, len);
    free(buf);
}

static long probe_code(void)
{
    struct probe_result r;
    probe_run(&r);
    long code = r.code;
    probe_result_free(&r);
    return code;
}

static struct fix_result run_fix(void)
{
    struct fix_options opt = { .dry_run = 0, .keep_dir = keep };
    struct fix_result r;
    assert_int_equal(fix_apply(&opt, &r), 0);
    return r;
}

/* Was PIECE handed over as one removed piece (it is a secret)? */
static int removed_has(const struct fix_result *r, const WCHAR *piece)
{
    size_t n = (size_t)lstrlenW(piece);
    for (size_t i = 0; i < r->removed_len;) {
        size_t j = i;
        while (j < r->removed_len && r->removed[j])
            j++;
        if (j - i == n && !memcmp(r->removed + i, piece, n * sizeof(WCHAR)))
            return 1;
        i = j + 1;
    }
    return 0;
}

static int count_keep_files(void)
{
    DIR *d = opendir(keep);
    int n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A string value of TYPE shaped as DATA: the probe gives BEFORE; the fix
** must leave PATH alone with one NUL, type kept, and the probe then reads
** the version. */
static void assert_fixed(DWORD type, const BYTE *data, DWORD len, long before)
{
    set_raw(type, data, len);
    assert_int_equal(probe_code(), before);
    struct fix_result r = run_fix();
    assert_int_equal(r.status, FIX_CHANGED);
    assert_value(type, path, sizeof path);
    assert_int_equal(probe_code(), 0);
    char message[256];
    assert_int_equal(fix_rollback(keep, message, sizeof message), 0);
    assert_value(type, data, len);   /* the odd shape comes back byte for byte */
    fix_result_free(&r);
}

/* A value of a non-string TYPE: 1630 before and after, not one byte changed. */
static void assert_untouched(DWORD type, const void *data, DWORD len)
{
    set_raw(type, data, len);
    assert_int_equal(probe_code(), ERROR_UNSUPPORTED_TYPE);
    struct fix_result r = run_fix();
    assert_int_equal(r.status, FIX_NOT_A_STRING);
    assert_int_equal(r.type, type);
    assert_null(r.removed);
    assert_value(type, data, len);
    assert_int_equal(probe_code(), ERROR_UNSUPPORTED_TYPE);
    assert_int_equal(count_keep_files(), 0);
    fix_result_free(&r);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_no_terminating_nul(void **state)
{
    DWORD len;
    size_t n = (size_t)lstrlenW(path_pw);
    BYTE *data = shaped(path_pw, n, "", 0, &len);
    set_raw(REG_SZ, data, len);
    struct fix_result r = run_fix();
    assert_int_equal(r.status, FIX_CHANGED);
    assert_true(removed_has(&r, pw));
    fix_result_free(&r);
    char message[256];
    assert_int_equal(fix_rollback(keep, message, sizeof message), 0);
    assert_fixed(REG_SZ, data, len, ERROR_FILE_NOT_FOUND);
    free(data);
}

/* An odd byte after the NUL: data the probe never sees, gone after the fix. */
static void test_odd_byte_after_terminator(void **state)
{
    DWORD len;
    BYTE *data = shaped(path_pw, (size_t)lstrlenW(path_pw) + 1, "z", 1, &len);
    assert_fixed(REG_EXPAND_SZ, data, len, ERROR_FILE_NOT_FOUND);
    free(data);
}

/* Odd length and no NUL at all: the odd byte is not part of the path, so
** the probe finds the file, but the fix still leaves the path alone. */
static void test_odd_byte_without_terminator(void **state)
{
    DWORD len;
    BYTE *data = shaped(path, (size_t)lstrlenW(path), "q", 1, &len);
    assert_fixed(REG_SZ, data, len, 0);
    free(data);
}

/* One byte: not even one UTF-16 unit, so an empty path for the version API. */
static void test_single_byte_string(void **state)
{
    set_raw(REG_SZ, "C", 1);
    /* XP's code for an empty name (emu/era.c xp.empty); Wine says 161. */
    assert_int_equal(probe_code(), ERROR_RESOURCE_DATA_NOT_FOUND);
    struct fix_result r = run_fix();
    assert_int_equal(r.status, FIX_NO_EXE_PATH);
    assert_value(REG_SZ, "C", 1);
    assert_int_equal(count_keep_files(), 0);
    fix_result_free(&r);
}

static void test_binary_holding_the_string(void **state)
{
    assert_untouched(REG_BINARY, path_pw, sizeof path_pw);
    assert_untouched(REG_BINARY, path_pw, sizeof path_pw - 1);   /* odd length */
}

static void test_multi_sz_shapes(void **state)
{
    static const WCHAR two[] = L"C:\\Exchsrvr\\Bin\\Kmserver.exe\0Sh4pe!pw\0";
    assert_untouched(REG_MULTI_SZ, two, sizeof two);
    /* no terminating NULs at all, and an odd byte count */
    assert_untouched(REG_MULTI_SZ, path_pw, sizeof path_pw - 2);
    assert_untouched(REG_MULTI_SZ, path_pw, sizeof path_pw - 3);
}

static void test_dword_of_odd_sizes(void **state)
{
    static const BYTE bytes[8] = { 0x43, 0, 0x3a, 0, 0x5c, 0, 0x4b, 0 };
    assert_untouched(REG_DWORD, bytes, 4);
    assert_untouched(REG_DWORD, bytes, 2);   /* shorter than a DWORD */
    assert_untouched(REG_DWORD, bytes, 8);   /* longer than a DWORD */
    assert_untouched(REG_QWORD, bytes, 3);
    assert_untouched(REG_NONE, bytes, 0);
}

/* ---- fixture -------------------------------------------------------------- */

static int setup(void **state)
{
    delete_kms_key();
    return kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL) ? -1 : 0;
}

static int teardown(void **state)
{
    delete_kms_key();
    return kmserver_clear() ? -1 : 0;
}

int wmain(int argc, WCHAR **argv)
{
    if (!mkdtemp(base))
        return 2;
    snprintf(keep, sizeof keep, "%s/keep", base);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_terminating_nul, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_byte_after_terminator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_byte_without_terminator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_byte_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_holding_the_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_sz_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dword_of_odd_sizes, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(keep);
    rmdir(base);
    return failed;
}
