/*
** test_verblob.c: unit tests for emu/verblob.c.  An independent walker
** parses the blob as the version API would (header, key, 32-bit aligned
** value, aligned children inside wLength) and checks every header, the
** VS_FIXEDFILEINFO fields, every string and the translation.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "verblob.h"

struct block {
    size_t start, end;        /* end = start + wLength */
    uint16_t value_length, type;
    char key[64];             /* ASCII key */
    size_t value;             /* offset of the value (32-bit aligned) */
    size_t children;          /* offset of the first child */
};

static size_t align4(size_t x) { return (x + 3) & ~(size_t)3; }

static uint16_t rd16(const uint8_t *b, size_t at) { return (uint16_t)(b[at] | b[at + 1] << 8); }
static uint32_t rd32(const uint8_t *b, size_t at) { return rd16(b, at) | (uint32_t)rd16(b, at + 2) << 16; }

/* Parse the block at START, which must lie within [START, LIMIT). */
static struct block parse(const uint8_t *b, size_t start, size_t limit)
{
    struct block k;
    memset(&k, 0, sizeof k);
    assert_int_equal(start % 4, 0);
    assert_true(start + 6 <= limit);
    k.start = start;
    k.end = start + rd16(b, start);
    assert_true(k.end <= limit);
    k.value_length = rd16(b, start + 2);
    k.type = rd16(b, start + 4);
    assert_true(k.type == 0 || k.type == 1);
    size_t at = start + 6, n = 0;
    for (;; at += 2, n++) {
        assert_true(at + 2 <= k.end);
        uint16_t u = rd16(b, at);
        if (!u)
            break;
        assert_true(u < 128 && n + 1 < sizeof k.key);
        k.key[n] = (char)u;
    }
    k.value = align4(at + 2);
    size_t value_bytes = k.type == 1 ? 2u * k.value_length : k.value_length;
    assert_true(k.value + value_bytes <= k.end);
    for (size_t p = at + 2; p < k.value; p++)
        assert_int_equal(b[p], 0);           /* padding is zero */
    k.children = align4(k.value + value_bytes);
    return k;
}

/* The children of PARENT, at most MAX; returns how many.  They must tile the
** parent: each starts at the aligned end of the previous one and the last
** ends exactly where the parent ends. */
static size_t children(const uint8_t *b, const struct block *parent, struct block *out, size_t max)
{
    size_t n = 0, at = parent->children;
    while (at < parent->end) {
        assert_true(n < max);
        out[n] = parse(b, at, parent->end);
        at = align4(out[n].end);
        n++;
    }
    if (n)
        assert_int_equal(out[n - 1].end, parent->end);
    return n;
}

static void assert_text_value(const uint8_t *b, const struct block *k, const char *expect)
{
    assert_int_equal(k->type, 1);
    assert_int_equal(k->value_length, strlen(expect) + 1);
    for (size_t i = 0; i <= strlen(expect); i++)
        assert_int_equal(rd16(b, k->value + 2 * i), (unsigned char)expect[i]);
}

static void check_blob(const uint16_t v[4])
{
    size_t len = 0;
    uint8_t *b = verblob_build(v, &len);
    assert_non_null(b);
    assert_true(len > 100 && len < 2048);

    struct block root = parse(b, 0, len);
    assert_int_equal(root.end, len);
    assert_string_equal(root.key, "VS_VERSION_INFO");
    assert_int_equal(root.type, 0);
    assert_int_equal(root.value_length, VERBLOB_FIXED_SIZE);
    assert_int_equal(root.value, 40);  /* 6 header + 32 key bytes, aligned */

    size_t f = root.value;
    uint32_t ms = (uint32_t)v[0] << 16 | v[1], ls = (uint32_t)v[2] << 16 | v[3];
    assert_int_equal(rd32(b, f + 0), 0xFEEF04BDu);
    assert_int_equal(rd32(b, f + 4), 0x00010000u);
    assert_int_equal(rd32(b, f + 8), ms);
    assert_int_equal(rd32(b, f + 12), ls);
    assert_int_equal(rd32(b, f + 16), ms);
    assert_int_equal(rd32(b, f + 20), ls);
    assert_int_equal(rd32(b, f + 24), 0x3F);
    assert_int_equal(rd32(b, f + 28), 0);
    assert_int_equal(rd32(b, f + 32), 0x00040004u);
    assert_int_equal(rd32(b, f + 36), 1);
    assert_int_equal(rd32(b, f + 40), 0);
    assert_int_equal(rd32(b, f + 44), 0);
    assert_int_equal(rd32(b, f + 48), 0);

    struct block top[4];
    assert_int_equal(children(b, &root, top, 4), 2);
    assert_string_equal(top[0].key, "StringFileInfo");
    assert_int_equal(top[0].value_length, 0);
    assert_int_equal(top[0].type, 1);
    assert_string_equal(top[1].key, "VarFileInfo");
    assert_int_equal(top[1].value_length, 0);
    assert_int_equal(top[1].type, 1);

    struct block tables[2];
    assert_int_equal(children(b, &top[0], tables, 2), 1);
    assert_string_equal(tables[0].key, "040904B0");
    assert_int_equal(tables[0].value_length, 0);

    char dotted[32];
    snprintf(dotted, sizeof dotted, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
    static const char *const keys[] = { "CompanyName", "FileDescription", "FileVersion",
                                        "ProductName", "ProductVersion", "OriginalFilename" };
    const char *values[] = { "Microsoft Corporation", "Microsoft Exchange Key Management Server",
                             dotted, "Microsoft Exchange", dotted, "Kmserver.exe" };
    struct block strings[8];
    assert_int_equal(children(b, &tables[0], strings, 8), 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(strings[i].key, keys[i]);
        assert_text_value(b, &strings[i], values[i]);
        assert_int_equal(strings[i].end, strings[i].value + 2 * (strlen(values[i]) + 1));
    }

    struct block vars[2];
    assert_int_equal(children(b, &top[1], vars, 2), 1);
    assert_string_equal(vars[0].key, "Translation");
    assert_int_equal(vars[0].type, 0);
    assert_int_equal(vars[0].value_length, 4);
    assert_int_equal(rd16(b, vars[0].value), 0x0409);
    assert_int_equal(rd16(b, vars[0].value + 2), 1200);
    assert_int_equal(vars[0].end, vars[0].value + 4);
    free(b);
}

static void test_typical_version(void **state)
{
    const uint16_t v[4] = { 5, 5, 2653, 9 };
    check_blob(v);
}

static void test_zero_version(void **state)
{
    const uint16_t v[4] = { 0, 0, 0, 0 };
    check_blob(v);
}

static void test_largest_version(void **state)
{
    const uint16_t v[4] = { 65535, 65535, 65535, 65535 };
    check_blob(v);
}

/* Version strings of every length mod 4 exercise every padding case. */
static void test_every_padding(void **state)
{
    const uint16_t versions[][4] = { { 1, 2, 3, 4 }, { 10, 2, 3, 4 }, { 10, 20, 3, 4 }, { 10, 20, 30, 4 } };
    for (size_t i = 0; i < 4; i++)
        check_blob(versions[i]);
}

static void test_table_matches_header(void **state)
{
    assert_int_equal(verblob_nstrings, 6);
    assert_string_equal(verblob_strings[2].key, "FileVersion");
    assert_null(verblob_strings[2].value);
    assert_string_equal(verblob_strings[4].key, "ProductVersion");
    assert_null(verblob_strings[4].value);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typical_version),
        cmocka_unit_test(test_zero_version),
        cmocka_unit_test(test_largest_version),
        cmocka_unit_test(test_every_padding),
        cmocka_unit_test(test_table_matches_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
