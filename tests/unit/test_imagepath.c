/*
** test_imagepath.c: unit tests for imagepath_decode(), the rule for what
** the probe (Update.exe) sees of the raw ImagePath value: the UTF-16 units
** up to the first NUL, no expansion, and 1630 for non-string types.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "imagepath.h"
#include "regparse.h"

/* ASCII text as UTF-16LE bytes, in a malloc'd (aligned) buffer of LEN bytes;
** TEXT may contain NULs ('\0' within TEXTLEN) and is padded with zeros. */
static uint8_t *utf16(const char *text, size_t textlen, size_t len)
{
    uint8_t *b = calloc(1, len ? len : 1);
    assert_non_null(b);
    for (size_t i = 0; i < textlen && 2 * i + 1 < len; i++)
        b[2 * i] = (uint8_t)text[i];
    return b;
}

struct decoded {
    long rc;
    const uint16_t *str;
    size_t n;
    int hidden;
};

static struct decoded decode(uint32_t type, const uint8_t *data, size_t len)
{
    struct decoded d;
    d.rc = imagepath_decode(type, data, len, &d.str, &d.n, &d.hidden);
    return d;
}

static void assert_units(const uint16_t *s, size_t n, const char *expect)
{
    assert_int_equal(n, strlen(expect));
    for (size_t i = 0; i < n; i++)
        assert_int_equal(s[i], (unsigned char)expect[i]);
}

static void test_clean_sz(void **state)
{
    const char *p = "C:\\Exchsrvr\\Bin\\Kmserver.exe";
    size_t len = (strlen(p) + 1) * 2;
    uint8_t *b = utf16(p, strlen(p), len);
    struct decoded d = decode(KMH_REG_SZ, b, len);
    assert_int_equal(d.rc, 0);
    assert_ptr_equal(d.str, b);
    assert_units(d.str, d.n, p);
    assert_int_equal(d.hidden, 0);
    free(b);
}

static void test_expand_sz_not_expanded(void **state)
{
    const char *p = "%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe";
    size_t len = (strlen(p) + 1) * 2;
    uint8_t *b = utf16(p, strlen(p), len);
    struct decoded d = decode(KMH_REG_EXPAND_SZ, b, len);
    assert_int_equal(d.rc, 0);
    assert_units(d.str, d.n, p);
    assert_int_equal(d.hidden, 0);
    free(b);
}

static void test_no_terminator(void **state)
{
    const char *p = "C:\\K.exe";
    size_t len = strlen(p) * 2;
    uint8_t *b = utf16(p, strlen(p), len);
    struct decoded d = decode(KMH_REG_SZ, b, len);
    assert_int_equal(d.rc, 0);
    assert_units(d.str, d.n, p);
    assert_int_equal(d.hidden, 0);
    free(b);
}

static void test_trailing_nuls_are_not_hidden(void **state)
{
    const char *p = "C:\\K.exe";
    size_t len = (strlen(p) + 4) * 2;  /* three extra NUL units */
    uint8_t *b = utf16(p, strlen(p), len);
    struct decoded d = decode(KMH_REG_SZ, b, len);
    assert_units(d.str, d.n, p);
    assert_int_equal(d.hidden, 0);
    free(b);
}

static void test_embedded_nul_hides_tail(void **state)
{
    const char text[] = "C:\\K.exe\0secret";
    size_t len = sizeof text * 2;  /* both NULs included */
    uint8_t *b = utf16(text, sizeof text - 1, len);
    struct decoded d = decode(KMH_REG_SZ, b, len);
    assert_int_equal(d.rc, 0);
    assert_units(d.str, d.n, "C:\\K.exe");
    assert_int_equal(d.hidden, 1);
    free(b);
}

static void test_leading_nul_gives_empty_string(void **state)
{
    const char text[] = "\0C:\\K.exe";
    size_t len = sizeof text * 2;
    uint8_t *b = utf16(text, sizeof text - 1, len);
    struct decoded d = decode(KMH_REG_EXPAND_SZ, b, len);
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(d.hidden, 1);
    free(b);
}

static void test_odd_trailing_byte(void **state)
{
    const char *p = "C:\\K.exe";
    size_t len = (strlen(p) + 1) * 2 + 1;
    uint8_t *b = utf16(p, strlen(p), len);
    struct decoded d = decode(KMH_REG_SZ, b, len);
    assert_units(d.str, d.n, p);
    assert_int_equal(d.hidden, 0);  /* a zero odd byte hides nothing */
    b[len - 1] = 'x';
    d = decode(KMH_REG_SZ, b, len);
    assert_units(d.str, d.n, p);
    assert_int_equal(d.hidden, 1);
    free(b);
}

static void test_odd_byte_without_terminator(void **state)
{
    const char *p = "C:\\K.exe";
    size_t len = strlen(p) * 2 + 1;
    uint8_t *b = utf16(p, strlen(p), len);
    b[len - 1] = 'y';
    struct decoded d = decode(KMH_REG_SZ, b, len);
    assert_units(d.str, d.n, p);
    assert_int_equal(d.hidden, 1);
    free(b);
}

static void test_empty_and_tiny_data(void **state)
{
    struct decoded d = decode(KMH_REG_SZ, NULL, 0);
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(d.hidden, 0);

    uint8_t one[1] = { 'A' };
    d = decode(KMH_REG_SZ, one, 1);
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(d.hidden, 1);
}

static void test_non_ascii_units_pass_through(void **state)
{
    uint16_t units[] = { 'C', ':', '\\', 0x00E9, 0xD83D, 0xDE00, 0 };
    struct decoded d = decode(KMH_REG_SZ, (const uint8_t *)units, sizeof units);
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.n, 6);
    assert_int_equal(d.str[3], 0x00E9);
    assert_int_equal(d.str[5], 0xDE00);
}

static void test_other_types_unsupported(void **state)
{
    static const uint32_t types[] = {
        KMH_REG_NONE, KMH_REG_BINARY, KMH_REG_DWORD, KMH_REG_MULTI_SZ, KMH_REG_QWORD,
        5 /* REG_DWORD_BIG_ENDIAN */, 6 /* REG_LINK */, 0xFFFF0001u,
    };
    const char *p = "C:\\K.exe";
    size_t len = (strlen(p) + 1) * 2;
    uint8_t *b = utf16(p, strlen(p), len);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        struct decoded d = { 0, (const uint16_t *)b, 9, 9 };
        d.rc = imagepath_decode(types[i], b, len, &d.str, &d.n, &d.hidden);
        assert_int_equal(d.rc, 1630);
        assert_null(d.str);
        assert_int_equal(d.n, 0);
        assert_int_equal(d.hidden, 0);
    }
    free(b);
}

/* Every length of a value with a password and no terminator, each in a
** heap buffer of exactly that many bytes (odd ones included): under ASan a
** read past LEN fails the test.  As REG_SZ the string is the whole units;
** an odd byte is hidden data unless it is zero.  As REG_DWORD, REG_BINARY
** or REG_MULTI_SZ (what a value of the wrong type holds) nothing is read. */
static void test_every_length_reads_only_its_bytes(void **state)
{
    static const uint32_t wrong[] = { KMH_REG_DWORD, KMH_REG_BINARY, KMH_REG_MULTI_SZ };
    const char *p = "C:\\K.exe pw";
    size_t full = (strlen(p) + 1) * 2;
    uint8_t *whole = utf16(p, strlen(p), full);
    for (size_t len = 0; len <= full; len++) {
        uint8_t *b = malloc(len ? len : 1);
        assert_non_null(b);
        memcpy(b, whole, len);
        struct decoded d = decode(KMH_REG_SZ, b, len);
        size_t units = len / 2 < strlen(p) ? len / 2 : strlen(p);
        assert_int_equal(d.rc, 0);
        assert_int_equal(d.n, units);
        assert_memory_equal(d.str, whole, units * 2);
        assert_int_equal(d.hidden, len % 2 == 1 && len / 2 < strlen(p));
        for (size_t t = 0; t < sizeof wrong / sizeof wrong[0]; t++) {
            d = decode(wrong[t], b, len);
            assert_int_equal(d.rc, 1630);
            assert_null(d.str);
        }
        free(b);
    }
    free(whole);
}

/* What hides after the terminator, in units: an odd last byte counts. */
static void test_hidden_units(void **state)
{
    (void)state;
    assert_int_equal(imagepath_hidden_units(0, 0), 0);
    assert_int_equal(imagepath_hidden_units(8, 3), 0);   /* "abc\0" */
    assert_int_equal(imagepath_hidden_units(9, 3), 1);   /* + one odd byte */
    assert_int_equal(imagepath_hidden_units(14, 3), 3);  /* + "pw\0" */
    assert_int_equal(imagepath_hidden_units(6, 3), 0);   /* no terminator at all */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_sz),
        cmocka_unit_test(test_expand_sz_not_expanded),
        cmocka_unit_test(test_no_terminator),
        cmocka_unit_test(test_trailing_nuls_are_not_hidden),
        cmocka_unit_test(test_embedded_nul_hides_tail),
        cmocka_unit_test(test_leading_nul_gives_empty_string),
        cmocka_unit_test(test_odd_trailing_byte),
        cmocka_unit_test(test_odd_byte_without_terminator),
        cmocka_unit_test(test_empty_and_tiny_data),
        cmocka_unit_test(test_non_ascii_units_pass_through),
        cmocka_unit_test(test_other_types_unsupported),
        cmocka_unit_test(test_every_length_reads_only_its_bytes),
        cmocka_unit_test(test_hidden_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
