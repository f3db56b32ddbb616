/*
** test_text.c - unit tests for common/text.c: decoding scenario files in
** the encodings Registry Editor accepts, UTF-8/UTF-16 conversion, line
** numbers and line splitting.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "text.h"

struct decoded {
    int rc, utf16;
    char *text;
    size_t len;
    struct kmh_error err;
};

static struct decoded decode(const void *bytes, size_t len)
{
    struct decoded d = { 0 };
    d.rc = text_decode_file(bytes, len, &d.text, &d.len, &d.utf16, &d.err);
    return d;
}

static void test_utf16le_with_bom_becomes_utf8(void **state)
{
    /* "A\r\né😀" in UTF-16LE: é is U+00E9, 😀 is the pair D83D DE00 */
    static const uint8_t file[] = { 0xFF, 0xFE, 'A', 0, '\r', 0, '\n', 0, 0xE9, 0,
                                    0x3D, 0xD8, 0x00, 0xDE };
    struct decoded d = decode(file, sizeof file);
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.utf16, 1);
    assert_int_equal(d.len, 9);
    assert_memory_equal(d.text, "A\r\n\xC3\xA9\xF0\x9F\x98\x80", 10);
    free(d.text);
}

static void test_utf16_odd_byte_count_is_refused(void **state)
{
    static const uint8_t file[] = { 0xFF, 0xFE, 'A', 0, 'B' };
    struct decoded d = decode(file, sizeof file);
    assert_int_equal(d.rc, -1);
    assert_int_equal(d.err.line, 0);
    assert_string_equal(d.err.msg, "odd number of bytes in UTF-16 file");
    assert_null(d.text);
}

static void test_utf16_unpaired_surrogate_names_its_line(void **state)
{
    /* line 1 "A", line 2 a high surrogate followed by 'B' */
    static const uint8_t high[] = { 0xFF, 0xFE, 'A', 0, '\n', 0, 0x3D, 0xD8, 'B', 0 };
    /* line 3 (after CRLF and a bare CR) a lone low surrogate */
    static const uint8_t low[] = { 0xFF, 0xFE, '\r', 0, '\n', 0, '\r', 0, 0x00, 0xDE };
    struct decoded d = decode(high, sizeof high);
    assert_int_equal(d.rc, -1);
    assert_int_equal(d.err.line, 2);
    assert_string_equal(d.err.msg, "unpaired surrogate in UTF-16 text");
    d = decode(low, sizeof low);
    assert_int_equal(d.rc, -1);
    assert_int_equal(d.err.line, 3);
}

static void test_utf16_nul_character_is_refused(void **state)
{
    static const uint8_t file[] = { 0xFF, 0xFE, 'A', 0, '\n', 0, 'B', 0, 0, 0 };
    struct decoded d = decode(file, sizeof file);
    assert_int_equal(d.rc, -1);
    assert_int_equal(d.err.line, 2);
    assert_string_equal(d.err.msg, "NUL character in file");
}

static void test_utf16_big_endian_is_refused(void **state)
{
    static const uint8_t file[] = { 0xFE, 0xFF, 0, 'A' };
    struct decoded d = decode(file, sizeof file);
    assert_int_equal(d.rc, -1);
    assert_int_equal(d.err.line, 0);
    assert_string_equal(d.err.msg, "UTF-16 big-endian files are not supported");
}

static void test_utf8_bom_is_skipped(void **state)
{
    struct decoded d = decode("\xEF\xBB\xBFREGEDIT4\n\xC3\xA9", 14);
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.utf16, 0);
    assert_int_equal(d.len, 11);
    assert_string_equal(d.text, "REGEDIT4\n\xC3\xA9");
    free(d.text);
}

static void test_utf8_bom_with_bad_utf8_is_refused(void **state)
{
    struct decoded d = decode("\xEF\xBB\xBFREGEDIT4\n\n\xE9t\xE9", 16);
    assert_int_equal(d.rc, -1);
    assert_int_equal(d.err.line, 3);
    assert_string_equal(d.err.msg, "invalid UTF-8 in a file with a UTF-8 byte order mark");
}

static void test_valid_utf8_is_kept(void **state)
{
    const char *s = "REGEDIT4\r\n\"caf\xC3\xA9\"=\"\xE2\x82\xAC\"";
    struct decoded d = decode(s, strlen(s));
    assert_int_equal(d.rc, 0);
    assert_string_equal(d.text, s);
    assert_int_equal(d.len, strlen(s));
    free(d.text);
}

static void test_other_bytes_are_windows_1252(void **state)
{
    /* é, the euro sign 0x80, an unassigned byte 0x81, y-diaeresis 0xFF */
    struct decoded d = decode("caf\xE9 \x80\x81\xFF", 8);
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.utf16, 0);
    assert_string_equal(d.text, "caf\xC3\xA9 \xE2\x82\xAC\xC2\x81\xC3\xBF");
    free(d.text);
}

static void test_nul_byte_names_its_line(void **state)
{
    struct decoded d = decode("REGEDIT4\r\n\r\nab\0c", 15);
    assert_int_equal(d.rc, -1);
    assert_int_equal(d.err.line, 3);
    assert_string_equal(d.err.msg, "NUL character in file");
}

static void test_empty_file_decodes_to_empty_text(void **state)
{
    struct decoded d = decode("", 0);
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.len, 0);
    assert_string_equal(d.text, "");
    free(d.text);
}

static void test_utf8_to_utf16(void **state)
{
    uint16_t *w;
    size_t n;
    assert_int_equal(text_utf8_to_utf16("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10, &w, &n),
                     TEXT_OK);
    assert_int_equal(n, 5);
    assert_int_equal(w[0], 'a');
    assert_int_equal(w[1], 0xE9);
    assert_int_equal(w[2], 0x20AC);
    assert_int_equal(w[3], 0xD83D);
    assert_int_equal(w[4], 0xDE00);
    assert_int_equal(w[5], 0);
    free(w);
}

static void test_utf8_to_utf16_refuses_malformed_input(void **state)
{
    static const char *const bad[] = {
        "\xC0\x80",          /* overlong NUL */
        "\xE0\x80\xAF",      /* overlong '/' */
        "\xED\xA0\x80",      /* a surrogate */
        "\xF4\x90\x80\x80",  /* above U+10FFFF */
        "\xE2\x82",          /* truncated */
        "\x80",              /* a lone continuation byte */
        "\xFF",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint16_t *w = NULL;
        size_t n, at = 99;
        assert_int_equal(text_utf8_to_utf16(bad[i], strlen(bad[i]), &w, &n), TEXT_INVALID);
        assert_null(w);
        assert_int_equal(text_utf8_valid(bad[i], strlen(bad[i]), &at), 0);
        assert_int_equal(at, 0);
    }
}

static void test_utf16_to_utf8(void **state)
{
    static const uint16_t w[] = { 'a', 0, 0xE9, 0xD83D, 0xDE00 };
    char *s;
    size_t n;
    assert_int_equal(text_utf16_to_utf8(w, 5, &s, &n), TEXT_OK);
    assert_int_equal(n, 8);
    assert_memory_equal(s, "a\0\xC3\xA9\xF0\x9F\x98\x80", 9);
    free(s);
}

static void test_utf16_to_utf8_refuses_unpaired_surrogates(void **state)
{
    static const uint16_t high_last[] = { 'a', 0xD800 };
    static const uint16_t low_first[] = { 0xDC00, 'a' };
    char *s = NULL;
    size_t n;
    assert_int_equal(text_utf16_to_utf8(high_last, 2, &s, &n), TEXT_INVALID);
    assert_int_equal(text_utf16_to_utf8(low_first, 2, &s, &n), TEXT_INVALID);
    assert_null(s);
}

static void test_cp1252_chars(void **state)
{
    assert_int_equal(text_cp1252_char('A'), 'A');
    assert_int_equal(text_cp1252_char(0x80), 0x20AC);
    assert_int_equal(text_cp1252_char(0x8D), 0x008D);
    assert_int_equal(text_cp1252_char(0x9F), 0x0178);
    assert_int_equal(text_cp1252_char(0xA0), 0x00A0);
}

static void test_line_at_counts_every_kind_of_break(void **state)
{
    const char *s = "a\nb\r\nc\rd";
    assert_int_equal(text_line_at(s, 0), 1);
    assert_int_equal(text_line_at(s, 2), 2);
    assert_int_equal(text_line_at(s, 5), 3);
    assert_int_equal(text_line_at(s, 7), 4);
}

static void test_next_line_splits_on_lf_crlf_and_cr(void **state)
{
    static const char *const want[] = { "one", "", "two", "three", "four" };
    const char *s = "one\n\r\ntwo\rthree\r\nfour", *line;
    struct text_lines it;
    size_t len, i = 0;
    text_lines_init(&it, s, strlen(s));
    while (text_next_line(&it, &line, &len)) {
        assert_true(i < 5);
        assert_int_equal(len, strlen(want[i]));
        assert_memory_equal(line, want[i], len);
        assert_int_equal(it.line, (int)++i);
    }
    assert_int_equal(i, 5);
}

static void test_next_line_has_no_empty_line_after_final_break(void **state)
{
    const char *line;
    size_t len;
    struct text_lines it;
    text_lines_init(&it, "a\r\n", 3);
    assert_int_equal(text_next_line(&it, &line, &len), 1);
    assert_int_equal(len, 1);
    assert_int_equal(text_next_line(&it, &line, &len), 0);
    text_lines_init(&it, "", 0);
    assert_int_equal(text_next_line(&it, &line, &len), 0);
}

static void test_skip_blanks_stops_at_end(void **state)
{
    const char *s = " \t x";
    assert_ptr_equal(text_skip_blanks(s, s + 4), s + 3);
    assert_ptr_equal(text_skip_blanks(s, s + 2), s + 2);
}

/* ---- reading a whole file ---------------------------------------------- */

/* NAME in a fresh folder, holding LEN bytes of 'x'; the folder in DIR. */
static void file_of(char dir[32], char path[64], size_t len)
{
    snprintf(dir, 32, "/tmp/kmh-text-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, 64, "%s/f", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < len; i++)
        fputc('x', f);
    fclose(f);
}

static void remove_file(const char *dir, const char *path)
{
    unlink(path);
    rmdir(dir);
}

/* Up to MAX bytes are read whole, past the first 64 KiB buffer too; one
** byte more is refused, in MiB or in bytes. */
static void test_read_file_takes_up_to_max(void **state)
{
    static const size_t sizes[] = { 0, 1, 65536, 65537, 200000 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        char dir[32], path[64];
        file_of(dir, path, sizes[i]);
        uint8_t *data = NULL;
        size_t len = 99;
        struct kmh_error err;
        assert_int_equal(text_read_file(path, 200000, &data, &len, &err), 0);
        assert_non_null(data);
        assert_int_equal(len, sizes[i]);
        for (size_t k = 0; k < len; k++)
            assert_int_equal(data[k], 'x');
        free(data);
        if (sizes[i] > 0) {
            assert_int_equal(text_read_file(path, sizes[i] - 1, &data, &len, &err), -1);
            assert_int_equal(err.line, 0);
            char want[64];
            snprintf(want, sizeof want, "file larger than %zu bytes", sizes[i] - 1);
            assert_string_equal(err.msg, want);
        }
        remove_file(dir, path);
    }
    char dir[32], path[64];
    file_of(dir, path, (1u << 20) + 1);
    uint8_t *data;
    size_t len;
    struct kmh_error err;
    assert_int_equal(text_read_file(path, 1u << 20, &data, &len, &err), -1);
    assert_string_equal(err.msg, "file larger than 1 MiB");
    remove_file(dir, path);
}

static void test_read_file_says_why_it_failed(void **state)
{
    uint8_t *data;
    size_t len;
    struct kmh_error err;
    assert_int_equal(text_read_file("/nonexistent/dir/f", 10, &data, &len, &err), -1);
    assert_int_equal(err.line, 0);
    assert_string_equal(err.msg, "cannot open file: No such file or directory");
    assert_int_equal(text_read_file("/tmp", 10, &data, &len, &err), -1);
    assert_string_equal(err.msg, "cannot read file: Is a directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf16le_with_bom_becomes_utf8),
        cmocka_unit_test(test_utf16_odd_byte_count_is_refused),
        cmocka_unit_test(test_utf16_unpaired_surrogate_names_its_line),
        cmocka_unit_test(test_utf16_nul_character_is_refused),
        cmocka_unit_test(test_utf16_big_endian_is_refused),
        cmocka_unit_test(test_utf8_bom_is_skipped),
        cmocka_unit_test(test_utf8_bom_with_bad_utf8_is_refused),
        cmocka_unit_test(test_valid_utf8_is_kept),
        cmocka_unit_test(test_other_bytes_are_windows_1252),
        cmocka_unit_test(test_nul_byte_names_its_line),
        cmocka_unit_test(test_empty_file_decodes_to_empty_text),
        cmocka_unit_test(test_utf8_to_utf16),
        cmocka_unit_test(test_utf8_to_utf16_refuses_malformed_input),
        cmocka_unit_test(test_utf16_to_utf8),
        cmocka_unit_test(test_utf16_to_utf8_refuses_unpaired_surrogates),
        cmocka_unit_test(test_cp1252_chars),
        cmocka_unit_test(test_line_at_counts_every_kind_of_break),
        cmocka_unit_test(test_next_line_splits_on_lf_crlf_and_cr),
        cmocka_unit_test(test_next_line_has_no_empty_line_after_final_break),
        cmocka_unit_test(test_skip_blanks_stops_at_end),
        cmocka_unit_test(test_read_file_takes_up_to_max),
        cmocka_unit_test(test_read_file_says_why_it_failed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
