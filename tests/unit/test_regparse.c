/*
** test_regparse.c - unit tests for reg/regparse.c, the .reg grammar.
**
** Expected results are what Windows' regedit stores for the same lines (as
** recorded by Wine's regedit conformance tests, which pass on Windows), and
** for lines regedit would skip, the exact error and line this parser gives.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "regparse.h"

#define V4 "REGEDIT4\n"
#define V5 "Windows Registry Editor Version 5.00\n"
#define KEY "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]\n"

static struct reg_ops ops;

static int teardown(void **state)
{
    reg_ops_free(&ops);
    return 0;
}

/* Parse TEXT (not UTF-16) into the global ops; it must succeed. */
#define parse_ok(text) parse_ok_at(text, __FILE__, __LINE__)
static void parse_ok_at(const char *text, const char *file, int line)
{
    struct kmh_error err = { 0 };
    reg_ops_free(&ops);
    int rc = reg_parse(text, strlen(text), 0, &ops, &err);
    if (rc)
        print_error("unexpected error at line %d: %s\n", err.line, err.msg);
    _assert_int_equal(rc, 0, file, line);
}

/* Parse TEXT; it must fail with MSG at LINE and leave no operations. */
#define parse_error(text, line, msg) parse_error_at(text, 0, line, msg, __FILE__, __LINE__)
#define parse_error16(text, line, msg) parse_error_at(text, 1, line, msg, __FILE__, __LINE__)
static void parse_error_at(const char *text, int utf16, int line, const char *msg,
                           const char *file, int at)
{
    struct reg_ops o;
    struct kmh_error err = { 0 };
    _assert_int_equal(reg_parse(text, strlen(text), utf16, &o, &err), -1, file, at);
    _assert_string_equal(err.msg, msg, file, at);
    _assert_int_equal(err.line, line, file, at);
    _assert_int_equal(o.n, 0, file, at);
    _assert_int_equal(o.ops == NULL, 1, file, at);
}

/* The single value set by TEXT (after the key's creation). */
static const struct reg_op *value_of(const char *text)
{
    parse_ok(text);
    assert_int_equal(ops.n, 2);
    assert_int_equal(ops.ops[1].kind, REG_OP_SET_VALUE);
    return &ops.ops[1];
}

#define assert_data(op, bytes) assert_data_at(op, bytes, sizeof bytes - 1, __FILE__, __LINE__)
static void assert_data_at(const struct reg_op *op, const char *bytes, size_t len,
                           const char *file, int line)
{
    _assert_int_equal(op->len, len, file, line);
    if (len)
        _assert_memory_equal(op->data, bytes, len, file, line);
}

/* ---- header ---------------------------------------------------------- */

static void test_regedit4_file(void **state)
{
    parse_ok(V4 "\n" KEY "\"Name\"=\"Val\"\n");
    assert_int_equal(ops.n, 2);
    assert_int_equal(ops.ops[0].kind, REG_OP_CREATE_KEY);
    assert_string_equal(ops.ops[0].key, "SOFTWARE\\Test");
    assert_int_equal(ops.ops[0].line, 3);
    assert_int_equal(ops.ops[1].kind, REG_OP_SET_VALUE);
    assert_string_equal(ops.ops[1].key, "SOFTWARE\\Test");
    assert_string_equal(ops.ops[1].name, "Name");
    assert_int_equal(ops.ops[1].type, KMH_REG_SZ);
    assert_int_equal(ops.ops[1].line, 4);
    assert_data(&ops.ops[1], "V\0a\0l\0\0\0");
}

static void test_version5_file_with_crlf_and_bare_cr(void **state)
{
    parse_ok("Windows Registry Editor Version 5.00\r\n\r\n"
             "[HKEY_LOCAL_MACHINE\\A]\r\"X\"=\"1\"\r\n\"Y\"=\"2\"");
    assert_int_equal(ops.n, 3);
    assert_int_equal(ops.ops[1].line, 4);
    assert_int_equal(ops.ops[2].line, 5);
    assert_data(&ops.ops[2], "2\0\0\0");
}

static void test_header_may_have_leading_blanks(void **state)
{
    parse_ok(" \t REGEDIT4\n" KEY);
    assert_int_equal(ops.n, 1);
}

static void test_header_must_be_exact(void **state)
{
    static const char *const bad[] = {
        "REGEDIT4 \n", "regedit4\n", "REGEDIT 4\n", "REGEDIT4FOO\n", "REGEDIT\n",
        "Windows Registry Editor Version 5\n", "WINDOWS REGISTRY EDITOR VERSION 5.00\n",
        "\nREGEDIT4\n", "; @summary: x\nREGEDIT4\n", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        parse_error(bad[i], 1, "missing header: first line must be REGEDIT4 or "
                    "Windows Registry Editor Version 5.00");
}

static void test_utf16_file_needs_version5_header(void **state)
{
    parse_error16(V4 KEY, 1, "a UTF-16 file needs the header Windows Registry Editor Version 5.00");
}

/* ---- keys ------------------------------------------------------------- */

static void test_key_deletion(void **state)
{
    parse_ok(V4 "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Old]\n");
    assert_int_equal(ops.n, 1);
    assert_int_equal(ops.ops[0].kind, REG_OP_DELETE_KEY);
    assert_string_equal(ops.ops[0].key, "SOFTWARE\\Old");
    assert_int_equal(ops.ops[0].line, 2);
}

static void test_value_after_key_deletion_is_outside_any_key(void **state)
{
    parse_error(V4 KEY "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Test\\Sub]\n\"X\"=dword:1\n", 4,
                "value outside any key");
}

static void test_value_before_any_key(void **state)
{
    parse_error(V4 "\n\"X\"=\"y\"\n", 3, "value outside any key");
}

static void test_root_name_is_case_insensitive(void **state)
{
    parse_ok(V4 "[hkey_Local_Machine\\SYSTEM\\CurrentControlSet]\n");
    assert_string_equal(ops.ops[0].key, "SYSTEM\\CurrentControlSet");
}

static void test_other_roots_are_refused(void **state)
{
    parse_error(V4 "[HKEY_CURRENT_USER\\Software]\n", 2,
                "keys outside HKEY_LOCAL_MACHINE are not supported");
    parse_error(V4 "[-HKEY_USERS\\.DEFAULT]\n", 2,
                "keys outside HKEY_LOCAL_MACHINE are not supported");
    parse_error(V4 "[HKLM\\Software]\n", 2, "unknown root key (write HKEY_LOCAL_MACHINE in full)");
    parse_error(V4 "[HKEY_LOCAL_MACHINES\\Software]\n", 2,
                "unknown root key (write HKEY_LOCAL_MACHINE in full)");
    parse_error(V4 "[]\n", 2, "unknown root key (write HKEY_LOCAL_MACHINE in full)");
}

static void test_trailing_backslashes_are_dropped(void **state)
{
    parse_ok(V4 "[HKEY_LOCAL_MACHINE\\A\\B\\\\]\n[HKEY_LOCAL_MACHINE]\n[HKEY_LOCAL_MACHINE\\]\n");
    assert_int_equal(ops.n, 3);
    assert_string_equal(ops.ops[0].key, "A\\B");
    assert_string_equal(ops.ops[1].key, "");
    assert_string_equal(ops.ops[2].key, "");
}

static void test_key_keeps_blanks_before_bracket(void **state)
{
    parse_ok(V4 "[HKEY_LOCAL_MACHINE\\Sub \t]\n");
    assert_string_equal(ops.ops[0].key, "Sub \t");
}

static void test_key_ends_at_last_bracket(void **state)
{
    parse_ok(V4 "[HKEY_LOCAL_MACHINE\\a]b]  ; a comment\n");
    assert_string_equal(ops.ops[0].key, "a]b");
}

static void test_bad_key_lines(void **state)
{
    parse_error(V4 "[ HKEY_LOCAL_MACHINE\\A]\n", 2, "blank after [ in key line");
    parse_error(V4 "[-\tHKEY_LOCAL_MACHINE\\A]\n", 2, "blank after [ in key line");
    parse_error(V4 "[HKEY_LOCAL_MACHINE\\A\n", 2, "missing ] in key line");
    parse_error(V4 "[HKEY_LOCAL_MACHINE\\A] x\n", 2, "unexpected text after ] in key line");
    parse_error(V4 "[HKEY_LOCAL_MACHINE\\A\\\\B]\n", 2, "empty part in key path");
    parse_error(V4 "[HKEY_LOCAL_MACHINE\\\\A]\n", 2, "empty part in key path");
    parse_error(V4 "[-HKEY_LOCAL_MACHINE]\n", 2, "cannot delete HKEY_LOCAL_MACHINE itself");
    parse_error(V4 "[-HKEY_LOCAL_MACHINE\\]\n", 2, "cannot delete HKEY_LOCAL_MACHINE itself");
}

static void test_key_name_part_limit(void **state)
{
    char text[600];
    char part[257];
    memset(part, 'k', 255);
    part[255] = 0;
    snprintf(text, sizeof text, V4 "[HKEY_LOCAL_MACHINE\\A\\%s]\n", part);
    parse_ok(text);
    strcpy(part + 255, "k");
    snprintf(text, sizeof text, V4 "[HKEY_LOCAL_MACHINE\\A\\%s]\n", part);
    parse_error(text, 2, "key name part longer than 255 characters");
}

/* ---- lines, comments, blanks ----------------------------------------- */

static void test_comments_and_blank_lines(void **state)
{
    parse_ok(V4 "; comment\n# comment\n  ; indented\n\t# indented\n\n" KEY
             "\"A\"=\"1\" ; trailing comment\n");
    assert_int_equal(ops.n, 2);
    assert_int_equal(ops.ops[0].line, 7);
}

static void test_unrecognized_line(void **state)
{
    parse_error(V4 KEY "NameNoQuotes=\"x\"\n", 3, "unrecognized line");
    parse_error(V4 KEY "HKEY_LOCAL_MACHINE\\A]\n", 3, "unrecognized line");
}

static void test_blanks_around_equals(void **state)
{
    const struct reg_op *op = value_of(V4 KEY " \t \"A\" \t = \t \"x y\" \t \n");
    assert_string_equal(op->name, "A");
    assert_data(op, "x\0 \0y\0\0\0");
}

static void test_line_length_limit(void **state)
{
    size_t n = 65536;
    char *text = malloc(n + 64);
    strcpy(text, V4 KEY);
    size_t at = strlen(text);
    memcpy(text + at, "\"A\"=\"", 5);
    memset(text + at + 5, 'x', n - 6);
    strcpy(text + at + n - 1, "\"\n");   /* the line is exactly 65536 bytes */
    parse_ok(text);
    strcpy(text + at + n - 1, "x\"\n");
    parse_error(text, 3, "line longer than 65536 bytes");
    free(text);
}

static void test_nul_and_bad_utf8_in_text(void **state)
{
    static const char text[] = V4 KEY "\"A\"=\"x\0\"\n";
    struct reg_ops o;
    struct kmh_error err;
    assert_int_equal(reg_parse(text, sizeof text - 1, 0, &o, &err), -1);
    assert_string_equal(err.msg, "NUL character in file");
    assert_int_equal(err.line, 3);
    parse_error(V4 KEY "\"A\"=\"\xE9\"\n", 3, "text is not valid UTF-8");
}

/* ---- names and strings ------------------------------------------------ */

static void test_default_value(void **state)
{
    parse_ok(V4 KEY "@=\"a\"\n@ = dword:1\n\"\"=\"b\"\n");
    assert_int_equal(ops.n, 4);
    for (size_t i = 1; i < 4; i++)
        assert_null(ops.ops[i].name);
    assert_int_equal(ops.ops[2].type, KMH_REG_DWORD);
}

static void test_escapes(void **state)
{
    const struct reg_op *op = value_of(V4 KEY "\"a\\\\b\\\"c\"=\"C:\\\\x \\\"q\\\"\"\n");
    assert_string_equal(op->name, "a\\b\"c");
    assert_data(op, "C\0:\0\\\0x\0 \0\"\0q\0\"\0\0\0");
    op = value_of(V4 KEY "\"\\\\\"=\"\\\"\"\n");
    assert_string_equal(op->name, "\\");
    assert_data(op, "\"\0\0\0");
}

static void test_other_escapes_are_refused(void **state)
{
    parse_error(V4 KEY "\"A\"=\"a\\qb\"\n", 3, "bad escape in string (only \\\\ and \\\" are allowed)");
    parse_error(V4 KEY "\"A\"=\"\\q\"\n", 3, "bad escape in string (only \\\\ and \\\" are allowed)");
    parse_error(V4 KEY "\"A\"=\"a\\nb\"\n", 3, "bad escape in string (only \\\\ and \\\" are allowed)");
    parse_error(V4 KEY "\"A\"=\"a\\0\"\n", 3, "bad escape in string (only \\\\ and \\\" are allowed)");
    parse_error(V4 KEY "\"A\"=\"a\\ b\"\n", 3, "bad escape in string (only \\\\ and \\\" are allowed)");
    parse_error(V4 KEY "\"A\\x\"=\"\"\n", 3, "bad escape in value name (only \\\\ and \\\" are allowed)");
}

static void test_quotes_must_close(void **state)
{
    parse_error(V4 KEY "\"A\"=\"no end quote\n", 3, "unterminated string");
    parse_error(V4 KEY "\"A\"=\"ends in backslash\\\"\n", 3, "unterminated string");
    parse_error(V4 KEY "\"A\"=\"ends in backslash\\\n", 3, "unterminated string");
    parse_error(V4 KEY "\"NameNoEndQuote=\"x\"\n", 3, "missing = after value name");
    parse_error(V4 KEY "\"Test\\\n17a\"=\"x\"\n", 3, "unterminated value name");
}

static void test_value_line_errors(void **state)
{
    parse_error(V4 KEY "\"A\"\n", 3, "missing = after value name");
    parse_error(V4 KEY "@x=\"1\"\n", 3, "missing = after value name");
    parse_error(V4 KEY "\"A\"=\n", 3, "missing value data");
    parse_error(V4 KEY "\"A\"=  \t\n", 3, "missing value data");
    parse_error(V4 KEY "\"A\"=Asdf\"\n", 3, "unknown value type");
    parse_error(V4 KEY "\"A\"=;\"x\"\n", 3, "unknown value type");
    parse_error(V4 KEY "\"A\"=str:\"x\"\n", 3, "unknown value type");
    parse_error(V4 KEY "\"A\"=HEX:01\n", 3, "unknown value type");
    parse_error(V4 KEY "\"A\"=\"foo\"bar\"\n", 3, "unexpected text after value data");
    parse_error(V4 KEY "\"A\"=\"foo\" #comment\n", 3, "unexpected text after value data");
}

static void test_string_is_utf16le_with_nul(void **state)
{
    const struct reg_op *op = value_of(V4 KEY "\"A\"=\"\xC3\xA9\xF0\x9F\x98\x80\"\n");
    assert_data(op, "\xE9\0\x3D\xD8\x00\xDE\0\0");
    op = value_of(V4 KEY "\"A\"=\"\"\n");
    assert_data(op, "\0\0");
}

static void test_value_name_limit(void **state)
{
    size_t n = 16384;
    char *text = malloc(n + 64);
    strcpy(text, V4 KEY "\"");
    size_t at = strlen(text);
    memset(text + at, 'n', n - 1);
    strcpy(text + at + n - 1, "\"=\"\"\n");
    parse_ok(text);
    memset(text + at, 'n', n);
    strcpy(text + at + n, "\"=\"\"\n");
    parse_error(text, 3, "value name longer than 16383 characters");
    free(text);
}

/* ---- value deletion --------------------------------------------------- */

static void test_value_deletion(void **state)
{
    parse_ok(V4 KEY "\"A\"=-\n@ = - ;comment\n");
    assert_int_equal(ops.n, 3);
    assert_int_equal(ops.ops[1].kind, REG_OP_DELETE_VALUE);
    assert_string_equal(ops.ops[1].name, "A");
    assert_string_equal(ops.ops[1].key, "SOFTWARE\\Test");
    assert_int_equal(ops.ops[2].kind, REG_OP_DELETE_VALUE);
    assert_null(ops.ops[2].name);
    parse_error(V4 KEY "\"A\"=-1\n", 3, "unexpected text after value data");
}

/* ---- dword ------------------------------------------------------------- */

static void test_dword(void **state)
{
    parse_ok(V4 KEY "\"A\"=dword:00000017\n\"B\"=dword:1\n\"C\"=dword:\t FFffFFff ;c\n");
    assert_int_equal(ops.ops[1].type, KMH_REG_DWORD);
    assert_data(&ops.ops[1], "\x17\0\0\0");
    assert_data(&ops.ops[2], "\1\0\0\0");
    assert_data(&ops.ops[3], "\xFF\xFF\xFF\xFF");
}

static void test_dword_errors(void **state)
{
    parse_error(V4 KEY "\"A\"=dword:\n", 3, "dword: needs 1 to 8 hex digits");
    parse_error(V4 KEY "\"A\"=dword:hello\n", 3, "dword: needs 1 to 8 hex digits");
    parse_error(V4 KEY "\"A\"=dword:123456789\n", 3, "dword: needs 1 to 8 hex digits");
    parse_error(V4 KEY "\"A\"=dword:12345678abc\n", 3, "dword: needs 1 to 8 hex digits");
    parse_error(V4 KEY "\"A\"=dword:0x123\n", 3, "unexpected text after value data");
    parse_error(V4 KEY "\"A\"=dword:1234 5678\n", 3, "unexpected text after value data");
    parse_error(V4 KEY "\"A\"=dword:1234#5678\n", 3, "unexpected text after value data");
    parse_error(V4 KEY "\"A\"=DWORD:1\n", 3, "unknown value type");
}

/* ---- hex --------------------------------------------------------------- */

static void test_hex(void **state)
{
    parse_ok(V4 KEY "\"A\"=hex:aa,BB,cc,11\n\"B\"=hex:\n\"C\"=hex:1,2, 3,\n\"D\"=hex:00 ;c\n");
    assert_int_equal(ops.ops[1].type, KMH_REG_BINARY);
    assert_data(&ops.ops[1], "\xAA\xBB\xCC\x11");
    assert_int_equal(ops.ops[2].type, KMH_REG_BINARY);
    assert_data(&ops.ops[2], "");
    assert_data(&ops.ops[3], "\1\2\3");
    assert_data(&ops.ops[4], "\0");
}

static void test_hex_errors(void **state)
{
    parse_error(V4 KEY "\"A\"=hex:zz\n", 3, "not a hex digit");
    parse_error(V4 KEY "\"A\"=hex:11,,22\n", 3, "not a hex digit");
    parse_error(V4 KEY "\"A\"=hex:,11\n", 3, "not a hex digit");
    parse_error(V4 KEY "\"A\"=hex:11,/\n", 3, "not a hex digit");
    parse_error(V4 KEY "\"A\"=hex:100\n", 3, "hex byte needs 1 or 2 digits");
    parse_error(V4 KEY "\"A\"=hex:11 22\n", 3, "missing comma between hex bytes");
    parse_error(V4 KEY "\"A\"=hex:11 #c\n", 3, "unexpected text after value data");
    parse_error(V4 KEY "\"A\"=hex:11\\\n  22\n", 3, "continuation backslash must follow a comma");
}

static void test_hex_type_numbers(void **state)
{
    parse_ok(V4 KEY "\"A\"=hex(0):56\n\"B\"=hex(100):56\n\"C\"=hex(ffffffff):56\n"
             "\"D\"=hex(abcd):\n\"E\"=hex(b):01,00,00,00,00,00,00,00\n");
    assert_int_equal(ops.ops[1].type, KMH_REG_NONE);
    assert_int_equal(ops.ops[2].type, 0x100);
    assert_int_equal(ops.ops[3].type, 0xffffffffu);
    assert_int_equal(ops.ops[4].type, 0xabcd);
    assert_data(&ops.ops[4], "");
    assert_int_equal(ops.ops[5].type, KMH_REG_QWORD);
    assert_data(&ops.ops[5], "\1\0\0\0\0\0\0\0");
}

static void test_hex_type_errors(void **state)
{
    static const char *const bad[] = {
        V4 KEY "\"A\"=hex(100000000):56\n", V4 KEY "\"A\"=hex(x2):56\n",
        V4 KEY "\"A\"=hex(0x2):56\n", V4 KEY "\"A\"=hex():56\n", V4 KEY "\"A\"=hex(2\n",
        V4 KEY "\"A\"=hex( 2):56\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        parse_error(bad[i], 3, "hex(N): N must be 1 to 8 hex digits");
    parse_error(V4 KEY "\"A\"=hex(2)56\n", 3, "missing : after hex(N)");
    parse_error(V4 KEY "\"A\"=hex(2)\n", 3, "missing : after hex(N)");
}

/* ---- continuation lines ------------------------------------------------- */

static void test_continuation(void **state)
{
    const struct reg_op *op = value_of(
        V4 KEY "\"A\"=hex:11,22,\\\n  33,\t\\  ;comment\n\n  \t\n;comment line\n  ;indented\n"
        "\t44\n");
    assert_data(op, "\x11\x22\x33\x44");
    assert_int_equal(op->line, 3);
}

static void test_continuation_right_after_prefix(void **state)
{
    const struct reg_op *op = value_of(V4 KEY "\"A\"=hex(0):\\\n  25,48\n");
    assert_int_equal(op->type, KMH_REG_NONE);
    assert_data(op, "\x25\x48");
}

static void test_continuation_errors(void **state)
{
    parse_error(V4 KEY "\"A\"=hex:11,\\\n\"B\"=\"x\"\n", 4, "expected hex data after continuation");
    parse_error(V4 KEY "\"A\"=hex:11,\\\n;c\n\n#comment\n  22\n", 6,
                "expected hex data after continuation");
    parse_error(V4 KEY "\"A\"=hex:11,\\\n  ,22\n", 4, "expected hex data after continuation");
    parse_error(V4 KEY "\"A\"=hex:11,\\\n\\\n  22\n", 4, "expected hex data after continuation");
    parse_error(V4 KEY "\"A\"=hex:11,\\\n[HKEY_LOCAL_MACHINE\\B]\n", 4,
                "expected hex data after continuation");
    parse_error(V4 KEY "\"A\"=hex:11,\\#c\n  22\n", 3,
                "unexpected text after continuation backslash");
    parse_error(V4 KEY "\"A\"=hex:11,\\ 22\n", 3, "unexpected text after continuation backslash");
    parse_error(V4 KEY "\"A\"=hex:11,\\\\\n  22\n", 3,
                "unexpected text after continuation backslash");
    parse_error(V4 KEY "\"A\"=hex:11,\\", 3, "truncated file: continuation at end of file");
    parse_error(V4 KEY "\"A\"=hex:11,\\\n\n;c\n", 5, "truncated file: continuation at end of file");
}

static void test_strings_and_dwords_do_not_continue(void **state)
{
    parse_error(V4 KEY "\"A\"=dword:1234\\\n5678\n", 3, "unexpected text after value data");
    parse_error(V4 KEY "\"A\"=\"Test \\\nValue\"\n", 3, "unterminated string");
}

/* Append COUNT "00," bytes to TEXT at *N, continuing the line every PER_LINE. */
static void append_hex_bytes(char *text, size_t *n, size_t count, size_t per_line)
{
    for (size_t i = 1; i <= count; i++) {
        memcpy(text + *n, "00,", 3);
        *n += 3;
        if (i % per_line == 0) {
            memcpy(text + *n, "\\\n", 2);
            *n += 2;
        }
    }
    text[*n] = 0;
}

static void test_data_size_limit(void **state)
{
    size_t mib = 1 << 20, n;
    char *text = malloc(64 + 2 * mib * 3);
    n = (size_t)sprintf(text, V4 KEY "\"A\"=hex:");
    append_hex_bytes(text, &n, mib, 20000);
    parse_ok(text);
    assert_int_equal(ops.ops[1].len, mib);
    /* byte 1048577 is the 20001st of data line 53, line 55 of the file */
    n = (size_t)sprintf(text, V4 KEY "\"A\"=hex:");
    append_hex_bytes(text, &n, mib + 1, 20000);
    parse_error(text, 55, "value data larger than 1 MiB");
    free(text);
}

/* ---- text types -------------------------------------------------------- */

static void test_regedit4_hex2_is_ansi(void **state)
{
    /* %PATH% with its NUL, then a euro sign (0x80 in Windows-1252) */
    const struct reg_op *op = value_of(V4 KEY "\"A\"=hex(2):25,50,41,54,48,25,80,00\n");
    assert_int_equal(op->type, KMH_REG_EXPAND_SZ);
    assert_data(op, "%\0P\0A\0T\0H\0%\0\xAC\x20\0\0");
}

static void test_regedit4_text_gets_a_nul(void **state)
{
    const struct reg_op *op = value_of(V4 KEY "\"A\"=hex(2):25,50,41,54,48,25\n");
    assert_data(op, "%\0P\0A\0T\0H\0%\0\0\0");
    op = value_of(V4 KEY "\"A\"=hex(7):4c,69,6e,65,00,00\n");
    assert_int_equal(op->type, KMH_REG_MULTI_SZ);
    assert_data(op, "L\0i\0n\0e\0\0\0\0\0");
    op = value_of(V4 KEY "\"A\"=hex(1):41\n");
    assert_int_equal(op->type, KMH_REG_SZ);
    assert_data(op, "A\0\0\0");
    op = value_of(V4 KEY "\"A\"=hex(2):\n");
    assert_data(op, "");
}

static void test_regedit4_other_hex_types_stay_bytes(void **state)
{
    const struct reg_op *op = value_of(V4 KEY "\"A\"=hex(0):41,42\n");
    assert_data(op, "AB");
    op = value_of(V4 KEY "\"A\"=hex(100):41,42\n");
    assert_data(op, "AB");
    op = value_of(V4 KEY "\"A\"=hex:41,42\n");
    assert_data(op, "AB");
}

static void test_version5_hex2_is_utf16_even_in_an_ascii_file(void **state)
{
    const struct reg_op *op = value_of(V5 KEY "\"A\"=hex(2):25,00,50,00,00,00\n");
    assert_data(op, "%\0P\0\0\0");
    op = value_of(V5 KEY "\"A\"=hex(2):25,00,50,00\n");
    assert_data(op, "%\0P\0\0\0");
    op = value_of(V5 KEY "\"A\"=hex(7):41,00,00,00,00,00\n");
    assert_data(op, "A\0\0\0\0\0");
    op = value_of(V5 KEY "\"A\"=hex(2):25,00,50\n");
    assert_data(op, "%\0P");
}

static void test_utf16_file_with_hex2(void **state)
{
    /* the file as regedit exports it: UTF-16LE, BOM, CRLF */
    const char *utf8 = V5 "\r\n" KEY "\"ImagePath\"=hex(2):43,00,3a,00,5c,00,\\\r\n"
                       "  6b,00,2e,00,65,00,78,00,65,00,00,00\r\n\"\xC3\xA9\"=\"\xE2\x82\xAC\"\r\n";
    uint16_t *w;
    size_t units;
    assert_int_equal(text_utf8_to_utf16(utf8, strlen(utf8), &w, &units), TEXT_OK);
    uint8_t *file = malloc(2 + units * 2);
    file[0] = 0xFF;
    file[1] = 0xFE;
    for (size_t i = 0; i < units; i++) {
        file[2 + 2 * i] = (uint8_t)w[i];
        file[3 + 2 * i] = (uint8_t)(w[i] >> 8);
    }
    char *text;
    size_t len;
    int utf16;
    struct kmh_error err;
    assert_int_equal(text_decode_file(file, 2 + units * 2, &text, &len, &utf16, &err), 0);
    assert_int_equal(utf16, 1);
    reg_ops_free(&ops);
    assert_int_equal(reg_parse(text, len, utf16, &ops, &err), 0);
    assert_int_equal(ops.n, 3);
    assert_int_equal(ops.ops[1].type, KMH_REG_EXPAND_SZ);
    assert_int_equal(ops.ops[1].line, 4);
    assert_data(&ops.ops[1], "C\0:\0\\\0k\0.\0e\0x\0e\0\0\0");
    assert_string_equal(ops.ops[2].name, "\xC3\xA9");
    assert_data(&ops.ops[2], "\xAC\x20\0\0");
    free(text);
    free(file);
    free(w);
}

static void test_ansi_regedit4_file_string(void **state)
{
    /* "café" in Windows-1252, as an old REGEDIT4 export has it */
    const char *file = "REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\A]\r\n\"N\"=\"caf\xE9\"\r\n";
    char *text;
    size_t len;
    int utf16;
    struct kmh_error err;
    assert_int_equal(text_decode_file((const uint8_t *)file, strlen(file), &text, &len, &utf16,
                                      &err), 0);
    const struct reg_op *op = value_of(text);
    assert_data(op, "c\0a\0f\0\xE9\0\0\0");
    free(text);
}

static void test_ops_keep_file_order(void **state)
{
    parse_ok(V4 "[-HKEY_LOCAL_MACHINE\\A]\n[HKEY_LOCAL_MACHINE\\A]\n\"X\"=-\n\"X\"=\"1\"\n"
             "[HKEY_LOCAL_MACHINE\\B]\n@=\"2\"\n");
    static const enum reg_op_kind kinds[] = { REG_OP_DELETE_KEY, REG_OP_CREATE_KEY,
        REG_OP_DELETE_VALUE, REG_OP_SET_VALUE, REG_OP_CREATE_KEY, REG_OP_SET_VALUE };
    assert_int_equal(ops.n, 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(ops.ops[i].kind, kinds[i]);
        assert_int_equal(ops.ops[i].line, i + 2);
    }
    assert_string_equal(ops.ops[5].key, "B");
}

static void test_errors_do_not_quote_values(void **state)
{
    struct reg_ops o;
    struct kmh_error err;
    const char *text = V4 KEY "\"ImagePath\"=\"C:\\\\k.exe hunter2\n";
    assert_int_equal(reg_parse(text, strlen(text), 0, &o, &err), -1);
    assert_null(strstr(err.msg, "hunter2"));
    assert_null(strstr(err.msg, "ImagePath"));
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(reg_type_name(KMH_REG_SZ), "REG_SZ");
    assert_string_equal(reg_type_name(KMH_REG_EXPAND_SZ), "REG_EXPAND_SZ");
    assert_string_equal(reg_type_name(KMH_REG_MULTI_SZ), "REG_MULTI_SZ");
    assert_string_equal(reg_type_name(KMH_REG_QWORD), "REG_QWORD");
    assert_string_equal(reg_type_name(12), "REG_UNKNOWN");
    assert_string_equal(reg_type_name(0xffffffffu), "REG_UNKNOWN");
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
    const struct CMUnitTest tests[] = {
        T(test_regedit4_file),
        T(test_version5_file_with_crlf_and_bare_cr),
        T(test_header_may_have_leading_blanks),
        T(test_header_must_be_exact),
        T(test_utf16_file_needs_version5_header),
        T(test_key_deletion),
        T(test_value_after_key_deletion_is_outside_any_key),
        T(test_value_before_any_key),
        T(test_root_name_is_case_insensitive),
        T(test_other_roots_are_refused),
        T(test_trailing_backslashes_are_dropped),
        T(test_key_keeps_blanks_before_bracket),
        T(test_key_ends_at_last_bracket),
        T(test_bad_key_lines),
        T(test_key_name_part_limit),
        T(test_comments_and_blank_lines),
        T(test_unrecognized_line),
        T(test_blanks_around_equals),
        T(test_line_length_limit),
        T(test_nul_and_bad_utf8_in_text),
        T(test_default_value),
        T(test_escapes),
        T(test_other_escapes_are_refused),
        T(test_quotes_must_close),
        T(test_value_line_errors),
        T(test_string_is_utf16le_with_nul),
        T(test_value_name_limit),
        T(test_value_deletion),
        T(test_dword),
        T(test_dword_errors),
        T(test_hex),
        T(test_hex_errors),
        T(test_hex_type_numbers),
        T(test_hex_type_errors),
        T(test_continuation),
        T(test_continuation_right_after_prefix),
        T(test_continuation_errors),
        T(test_strings_and_dwords_do_not_continue),
        T(test_data_size_limit),
        T(test_regedit4_hex2_is_ansi),
        T(test_regedit4_text_gets_a_nul),
        T(test_regedit4_other_hex_types_stay_bytes),
        T(test_version5_hex2_is_utf16_even_in_an_ascii_file),
        T(test_utf16_file_with_hex2),
        T(test_ansi_regedit4_file_string),
        T(test_ops_keep_file_order),
        T(test_errors_do_not_quote_values),
        T(test_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
