/*
** test_scenario.c - unit tests for reg/scenario.c: the "; @name: value"
** directives of scenario-format.md, their defaults and errors, and loading
** a NAME.reg file.
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
#include "scenario.h"

#define V5 "Windows Registry Editor Version 5.00\n"
#define KEY "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\n"

static struct scenario sc;

static int teardown(void **state)
{
    scenario_free(&sc);
    return 0;
}

#define parse_ok(text) parse_ok_at(text, __FILE__, __LINE__)
static void parse_ok_at(const char *text, const char *file, int line)
{
    struct kmh_error err = { 0 };
    scenario_free(&sc);
    int rc = scenario_parse("case", (const uint8_t *)text, strlen(text), &sc, &err);
    if (rc)
        print_error("unexpected error at line %d: %s\n", err.line, err.msg);
    _assert_int_equal(rc, 0, file, line);
}

#define parse_error(text, line, msg) parse_error_at(text, line, msg, __FILE__, __LINE__)
static void parse_error_at(const char *text, int line, const char *msg, const char *file, int at)
{
    struct scenario s;
    struct kmh_error err = { 0 };
    _assert_int_equal(scenario_parse("case", (const uint8_t *)text, strlen(text), &s, &err), -1,
                      file, at);
    _assert_string_equal(err.msg, msg, file, at);
    _assert_int_equal(err.line, line, file, at);
    _assert_int_equal(s.name == NULL && s.ops == NULL && s.files == NULL && s.nfiles == 0, 1,
                      file, at);
}

static void test_defaults_with_only_a_summary(void **state)
{
    parse_ok(V5 "; @summary: the defaults\n" KEY
             "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe\"\n");
    assert_string_equal(sc.name, "case");
    assert_string_equal(sc.summary, "the defaults");
    assert_int_equal(sc.is_export, 0);
    assert_int_equal(sc.nops, 2);
    assert_int_equal(sc.ops[1].kind, REG_OP_SET_VALUE);
    assert_int_equal(sc.nfiles, 1);
    assert_string_equal(sc.files[0].winpath, "C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_int_equal(sc.files[0].has_version, 1);
    assert_int_equal(sc.files[0].version[0], 5);
    assert_int_equal(sc.files[0].version[1], 5);
    assert_int_equal(sc.files[0].version[2], 2653);
    assert_int_equal(sc.files[0].version[3], 9);
    assert_int_equal(sc.before.set, 0);
    assert_int_equal(sc.after.set, 0);
    assert_int_equal(sc.has_expect_version, 0);
    assert_null(sc.expect_image_path);
    assert_int_equal(sc.nsecrets, 0);
}

/* No directive at all: a server's own export (spec).  No file is listed:
** the runner places Kmserver.exe where the value points. */
static void test_no_directive_is_an_export(void **state)
{
    parse_ok(V5 KEY "\"ImagePath\"=\"D:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe pw\"\n");
    assert_int_equal(sc.is_export, 1);
    assert_int_equal(sc.nfiles, 0);
    assert_int_equal(sc.nsecrets, 0);
    assert_int_equal(sc.before.set, 0);
}

static void test_all_directives(void **state)
{
    parse_ok(V5
             "; @summary: password after the path\n"
             "; @file: D:\\Program Files\\Exchsrvr\\Kmserver.exe 5.5.2650.0\n"
             "; @file: C:\\Old\\Kmserver.exe noversion\n"
             "; @expect-before: ERROR_FILE_NOT_FOUND\n"
             "; @expect-after: ok\n"
             "; @expect-version: 5.5.2650.0\n"
             "; @expect-image-path: D:\\Program Files\\Exchsrvr\\Kmserver.exe\n"
             "; @secret: hunter2\n"
             "; @secret: s3cr3t two\n"
             KEY);
    assert_string_equal(sc.summary, "password after the path");
    assert_int_equal(sc.nfiles, 2);
    assert_string_equal(sc.files[0].winpath, "D:\\Program Files\\Exchsrvr\\Kmserver.exe");
    assert_int_equal(sc.files[0].has_version, 1);
    assert_int_equal(sc.files[0].version[2], 2650);
    assert_int_equal(sc.files[0].version[3], 0);
    assert_string_equal(sc.files[1].winpath, "C:\\Old\\Kmserver.exe");
    assert_int_equal(sc.files[1].has_version, 0);
    assert_int_equal(sc.before.set, 1);
    assert_int_equal(sc.before.code, 2);
    assert_int_equal(sc.after.set, 1);
    assert_int_equal(sc.after.code, 0);
    assert_int_equal(sc.has_expect_version, 1);
    assert_int_equal(sc.expect_version[0], 5);
    assert_int_equal(sc.expect_version[2], 2650);
    assert_string_equal(sc.expect_image_path, "D:\\Program Files\\Exchsrvr\\Kmserver.exe");
    assert_int_equal(sc.nsecrets, 2);
    assert_string_equal(sc.secrets[0], "hunter2");
    assert_string_equal(sc.secrets[1], "s3cr3t two");
    assert_int_equal(sc.nops, 1);
}

static void test_directive_names_are_case_insensitive(void **state)
{
    parse_ok(V5 "; @SUMMARY: a\n;@Expect-After: 3\n");
    assert_string_equal(sc.summary, "a");
    assert_int_equal(sc.after.code, 3);
}

static void test_values_are_literal(void **state)
{
    /* blanks after the colon are skipped; trailing blanks are kept; CR is not part */
    parse_ok(V5 "; @expect-image-path:  \t C:\\a b.exe  \"x\" \\n  \r\n; @secret: p w \r\n");
    assert_string_equal(sc.expect_image_path, "C:\\a b.exe  \"x\" \\n  ");
    assert_string_equal(sc.secrets[0], "p w ");
}

static void test_directives_may_appear_anywhere(void **state)
{
    parse_ok(V5 KEY "\"A\"=hex:01,\\\n; @secret: between continuation lines\n  02\n"
             "\"B\"=\"x\"\n; @summary: at the end");
    assert_string_equal(sc.secrets[0], "between continuation lines");
    assert_string_equal(sc.summary, "at the end");
    assert_int_equal(sc.nops, 3);
    assert_int_equal(sc.ops[1].len, 2);
}

static void test_outcomes(void **state)
{
    static const struct { const char *text; long code; } cases[] = {
        { "0", 0 }, { "ok", 0 }, { "2", 2 }, { "123", 123 }, { "1812", 1812 },
        { "not-installed", -1 }, { "no-error-code", -2 }, { "ERROR_PATH_NOT_FOUND", 3 }, { "ERROR_INVALID_NAME", 123 },
        { "error_resource_data_not_found", 1812 }, { "ERROR_SUCCESS", 0 }, { "4294967295", 4294967295 },
    };
    char text[200];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(text, sizeof text, V5 "; @expect-before: %s\n", cases[i].text);
        parse_ok(text);
        assert_int_equal(sc.before.set, 1);
        assert_int_equal(sc.before.code, cases[i].code);
    }
}

/* Era profiles (emu/era.h): a per-profile line replaces the plain one for
** that profile only; Windows 2000's "no error code" has its own word. */
static void test_per_profile_expectations(void **state)
{
    parse_ok(V5 "; @expect-before: 2\n; @expect-before-2000: no-error-code\n"
             "; @EXPECT-AFTER-NT4: ERROR_PATH_NOT_FOUND\n");
    assert_int_equal(scenario_expect_before(&sc, ERA_XP)->code, 2);
    assert_int_equal(scenario_expect_before(&sc, ERA_NT4)->code, 2);
    assert_int_equal(scenario_expect_before(&sc, ERA_2000)->code, KMH_NO_ERROR_CODE);
    assert_int_equal(scenario_expect_after(&sc, ERA_NT4)->set, 1);
    assert_int_equal(scenario_expect_after(&sc, ERA_NT4)->code, 3);
    assert_int_equal(scenario_expect_after(&sc, ERA_XP)->set, 0);
    parse_error(V5 "; @expect-before-xp: 2\n; @expect-before-xp: 3\n", 3,
                "duplicate @expect-before-xp");
    parse_error(V5 "; @expect-before-me: 2\n", 2, "unknown directive @expect-before-me");
}

static void test_skip(void **state)
{
    parse_ok(V5 "; @skip: Wine cannot do this\n");
    assert_string_equal(sc.skip_reason, "Wine cannot do this");
    parse_ok(V5);
    assert_null(sc.skip_reason);
    parse_error(V5 "; @skip: a\n; @skip: b\n", 3, "duplicate @skip");
}

static void test_bad_outcomes(void **state)
{
    parse_error(V5 "; @expect-before: ERROR_NO_SUCH_THING\n", 2,
                "unknown error name in @expect-before");
    parse_error(V5 "; @expect-after: maybe\n", 2,
                "@expect-after must be 0, ok, not-installed, a Win32 error code or an ERROR_ name");
    parse_error(V5 "; @expect-after: -1\n", 2,
                "@expect-after must be 0, ok, not-installed, a Win32 error code or an ERROR_ name");
    parse_error(V5 "; @expect-after: OK\n", 2,
                "@expect-after must be 0, ok, not-installed, a Win32 error code or an ERROR_ name");
    parse_error(V5 "; @expect-after: 4294967296\n", 2,
                "@expect-after: error code above 4294967295");
    parse_error(V5 "; @expect-after: 12345678901\n", 2,
                "@expect-after must be 0, ok, not-installed, a Win32 error code or an ERROR_ name");
}

static void test_file_none(void **state)
{
    parse_ok(V5 "; @file: none\n");
    assert_int_equal(sc.nfiles, 0);
    assert_null(sc.files);
}

static void test_file_none_cannot_be_combined(void **state)
{
    parse_error(V5 "; @file: none\n; @file: C:\\k.exe 1.2.3.4\n", 3,
                "@file: none cannot be combined with other @file lines");
    parse_error(V5 "; @file: C:\\k.exe 1.2.3.4\n\n; @file: none\n", 4,
                "@file: none cannot be combined with other @file lines");
}

static void test_bad_file_directives(void **state)
{
    parse_error(V5 "; @file: C:\\Exchsrvr\\Bin\\Kmserver.exe\n", 2,
                "@file needs WINPATH and VERSION (or noversion)");
    parse_error(V5 "; @file: Kmserver.exe 5.5.2653.9\n", 2,
                "@file WINPATH must be an absolute path such as C:\\dir\\Kmserver.exe");
    parse_error(V5 "; @file: \\\\server\\share\\Kmserver.exe 5.5.2653.9\n", 2,
                "@file WINPATH must be an absolute path such as C:\\dir\\Kmserver.exe");
    parse_error(V5 "; @file: C:\\ 5.5.2653.9\n", 2,
                "@file WINPATH must be an absolute path such as C:\\dir\\Kmserver.exe");
    static const char *const versions[] = { "5.5.2653", "5.5.2653.9.1", "65536.0.0.0",
                                            "5.5.x.9", "5..2653.9", "NoVersion", "000001.0.0.0",
                                            "Folder", "TEXT", "folders", "Decoy" };
    char text[200];
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        snprintf(text, sizeof text, V5 "; @file: C:\\k.exe %s\n", versions[i]);
        parse_error(text, 2, "@file VERSION must be four dotted numbers from 0 to 65535, "
                    "or noversion");
    }
}

/* The two kinds that are not PE images (the format only grows: the words
** folder and text were errors before, so no existing scenario changes). */
static void test_file_folder_and_text(void **state)
{
    parse_ok(V5 "; @file: C:\\Exchsrvr\\Bin\\Kmserver.exe folder\n"
             "; @file: D:\\My text\\Kmserver.exe text\n"
             "; @file: E:\\Kmserver.exe 1.2.3.4\n");
    assert_int_equal(sc.nfiles, 3);
    assert_string_equal(sc.files[0].winpath, "C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_int_equal(sc.files[0].kind, KMFILE_FOLDER);
    assert_string_equal(sc.files[1].winpath, "D:\\My text\\Kmserver.exe");
    assert_int_equal(sc.files[1].kind, KMFILE_TEXT);
    assert_int_equal(sc.files[2].kind, KMFILE_PE);
    assert_int_equal(sc.files[2].has_version, 1);
    parse_ok(V5 "; @summary: defaults\n");
    assert_int_equal(sc.nfiles, 1);
    assert_int_equal(sc.files[0].kind, KMFILE_PE);  /* the default file */
}

static void test_file_version_limits_and_trailing_blanks(void **state)
{
    parse_ok(V5 "; @file: c:\\k.exe 65535.0.00065.1  \n");
    assert_string_equal(sc.files[0].winpath, "c:\\k.exe");
    assert_int_equal(sc.files[0].version[0], 65535);
    assert_int_equal(sc.files[0].version[2], 65);
}

static void test_bad_expect_version(void **state)
{
    parse_error(V5 "; @expect-version: 5.5\n", 2,
                "@expect-version must be four dotted numbers from 0 to 65535");
}

static void test_malformed_and_unknown_directives(void **state)
{
    parse_error(V5 "; @sumary: typo\n", 2, "unknown directive @sumary");
    parse_error(V5 "; @summary no colon\n", 2, "malformed directive: write ; @name: value");
    parse_error(V5 "; @summary:x\n", 2, "malformed directive: write ; @name: value");
    parse_error(V5 "; @: x\n", 2, "malformed directive: write ; @name: value");
    parse_error(V5 "; @summary:\n", 2, "directive @summary needs a value");
    parse_error(V5 "; @secret:   \n", 2, "directive @secret needs a value");
}

static void test_ordinary_comments_are_not_directives(void **state)
{
    parse_ok(V5 "; summary: not a directive\n;; @x\n# @summary: hash comments are not\n");
    assert_null(sc.summary);
}

static void test_duplicates(void **state)
{
    parse_error(V5 "; @summary: a\n; @summary: b\n", 3, "duplicate @summary");
    parse_error(V5 "; @expect-before: 0\n; @Expect-Before: 2\n", 3, "duplicate @expect-before");
    parse_error(V5 "; @expect-after: 0\n; @expect-after: 0\n", 3, "duplicate @expect-after");
    parse_error(V5 "; @expect-version: 1.2.3.4\n; @expect-version: 1.2.3.4\n", 3,
                "duplicate @expect-version");
    parse_error(V5 "; @expect-image-path: a\n; @expect-image-path: a\n", 3,
                "duplicate @expect-image-path");
}

static void test_earlier_error_wins(void **state)
{
    parse_error(V5 "; @bogus: x\n" KEY "\"A\"=nonsense\n", 2, "unknown directive @bogus");
    parse_error(V5 KEY "\"A\"=nonsense\n; @bogus: x\n", 3, "unknown value type");
    parse_error("; @summary: before the header\n", 1,
                "missing header: first line must be REGEDIT4 or Windows Registry Editor Version 5.00");
}

static void test_decoding_errors_are_reported(void **state)
{
    struct scenario s;
    struct kmh_error err;
    static const uint8_t odd[] = { 0xFF, 0xFE, 'W', 0, 'x' };
    assert_int_equal(scenario_parse("x", odd, sizeof odd, &s, &err), -1);
    assert_int_equal(err.line, 0);
    assert_string_equal(err.msg, "odd number of bytes in UTF-16 file");
}

static void test_utf16_scenario(void **state)
{
    const char *utf8 = V5 "; @secret: p\xC3\xA4ss\r\n" KEY
                       "\"ImagePath\"=hex(2):43,00,3a,00,5c,00,6b,00,00,00\r\n";
    uint16_t *w;
    size_t units;
    assert_int_equal(text_utf8_to_utf16(utf8, strlen(utf8), &w, &units), TEXT_OK);
    uint8_t *file = malloc(2 + 2 * units);
    file[0] = 0xFF;
    file[1] = 0xFE;
    for (size_t i = 0; i < units; i++) {
        file[2 + 2 * i] = (uint8_t)w[i];
        file[3 + 2 * i] = (uint8_t)(w[i] >> 8);
    }
    struct kmh_error err;
    scenario_free(&sc);
    assert_int_equal(scenario_parse("u16", file, 2 + 2 * units, &sc, &err), 0);
    assert_string_equal(sc.secrets[0], "p\xC3\xA4ss");
    assert_int_equal(sc.nops, 2);
    assert_int_equal(sc.ops[1].type, KMH_REG_EXPAND_SZ);
    assert_int_equal(sc.ops[1].len, 10);
    assert_memory_equal(sc.ops[1].data, "C\0:\0\\\0k\0\0\0", 10);
    free(file);
    free(w);
}

static void test_errors_do_not_quote_secrets(void **state)
{
    struct scenario s;
    struct kmh_error err;
    const char *text = V5 "; @secret: hunter2\n" KEY "\"ImagePath\"=\"C:\\\\k.exe hunter2\\q\"\n";
    assert_int_equal(scenario_parse("x", (const uint8_t *)text, strlen(text), &s, &err), -1);
    assert_int_equal(err.line, 4);
    assert_null(strstr(err.msg, "hunter2"));
}

static void test_load_names_the_scenario_after_its_file(void **state)
{
    char dir[] = "/tmp/kmh-scenario-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/pw-after-path.reg", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("REGEDIT4\r\n; @expect-after: 0\r\n" KEY, f);
    fclose(f);
    struct kmh_error err;
    scenario_free(&sc);
    assert_int_equal(scenario_load(path, &sc, &err), 0);
    assert_string_equal(sc.name, "pw-after-path");
    assert_int_equal(sc.after.set, 1);
    assert_int_equal(sc.nops, 1);
    unlink(path);
    rmdir(dir);
}

static void test_load_missing_file(void **state)
{
    struct scenario s;
    struct kmh_error err;
    assert_int_equal(scenario_load("/nonexistent/dir/x.reg", &s, &err), -1);
    assert_int_equal(err.line, 0);
    assert_string_equal(err.msg, "cannot open file: No such file or directory");
    assert_null(s.name);
}

static void test_load_directory(void **state)
{
    struct scenario s;
    struct kmh_error err;
    assert_int_equal(scenario_load("/tmp", &s, &err), -1);
    assert_int_equal(err.line, 0);
    assert_string_equal(err.msg, "cannot read file: Is a directory");
}

/* ---- issue 10: the KM service's directives ---------------------------- */

static void test_service_directives_default_to_unset(void **state)
{
    parse_ok(V5 "; @summary: nothing about the service\n");
    assert_null(sc.password);
    assert_int_equal(sc.floppy, 0);
    assert_int_equal(sc.service_before.set, 0);
    assert_int_equal(sc.service_after.set, 0);
    assert_int_equal(sc.service_restored.set, 0);
}

static void test_service_directives(void **state)
{
    parse_ok(V5 "; @password: Tr0ub4dor&3\n"
             "; @floppy: kmspwd.ini\n"
             "; @expect-service-before: running\n"
             "; @expect-service-after: stopped:1\n"
             "; @expect-service-restored: not-started:ERROR_SERVICE_DOES_NOT_EXIST\n" KEY);
    assert_string_equal(sc.password, "Tr0ub4dor&3");
    assert_int_equal(sc.floppy, 1);
    assert_int_equal(sc.service_before.set, 1);
    assert_int_equal(sc.service_before.state.kind, SERVICE_STATE_RUNNING);
    assert_int_equal(sc.service_before.line, 4);
    assert_int_equal(sc.service_after.state.kind, SERVICE_STATE_STOPPED);
    assert_int_equal(sc.service_after.state.code, 1);
    assert_int_equal(sc.service_after.line, 5);
    assert_int_equal(sc.service_restored.state.kind, SERVICE_STATE_NOT_STARTED);
    assert_int_equal(sc.service_restored.state.code, 1060);
    /* not an export: the default Kmserver.exe is placed */
    assert_int_equal(sc.is_export, 0);
    assert_int_equal(sc.nfiles, 1);
    assert_string_equal(sc.files[0].winpath, "C:\\Exchsrvr\\Bin\\Kmserver.exe");
}

/* The password is a secret (spec): every redaction covers it, and the
** secrets-removed check looks for it.  Listed once, whichever comes first. */
static void test_password_is_a_secret(void **state)
{
    parse_ok(V5 "; @password: pa ss\n");
    assert_int_equal(sc.nsecrets, 1);
    assert_string_equal(sc.secrets[0], "pa ss");
    parse_ok(V5 "; @secret: other\n; @password: pw1\n; @secret: pw1\n");
    assert_int_equal(sc.nsecrets, 2);
    assert_string_equal(sc.secrets[0], "other");
    assert_string_equal(sc.secrets[1], "pw1");
    parse_ok(V5 "; @password: pw1\n; @secret: pw10\n");
    assert_int_equal(sc.nsecrets, 2);   /* a longer secret is another one */
    assert_string_equal(sc.secrets[1], "pw1");
    /* taken literally, as every free-text value: trailing blanks stay */
    parse_ok(V5 "; @password: pw2  \r\n");
    assert_string_equal(sc.password, "pw2  ");
}

static void test_password_limits(void **state)
{
    char text[2048];
    /* 256 UTF-16 units fit the emulated server's message (kms_protocol.h) */
    snprintf(text, sizeof text, V5 "; @password: %0256d\n", 7);
    parse_ok(text);
    assert_int_equal(strlen(sc.password), 256);
    snprintf(text, sizeof text, V5 "; @password: %0257d\n", 7);
    parse_error(text, 2, "@password is longer than 256 characters");
    /* characters, not bytes: 256 e-acutes (2 bytes each) fit; a character
    ** beyond U+FFFF counts two UTF-16 units: 128 fit, 129 do not */
    char *p = text + sprintf(text, V5 "; @password: ");
    for (int i = 0; i < 256; i++)
        p += sprintf(p, "\xc3\xa9");
    strcpy(p, "\n");
    parse_ok(text);
    p = text + sprintf(text, V5 "; @password: ");
    for (int i = 0; i < 129; i++)
        p += sprintf(p, "\xf0\x9f\x94\x91");
    strcpy(p, "\n");
    parse_error(text, 2, "@password is longer than 256 characters");
    parse_error(V5 "; @password: a\n; @password: a\n", 3, "duplicate @password");
    parse_error(V5 "; @password:  \n", 2, "directive @password needs a value");
}

/* Windows file names compare case-blind; nothing but Kmspwd.ini. */
static void test_floppy(void **state)
{
    parse_ok(V5 "; @floppy: KMSPWD.INI  \n");
    assert_int_equal(sc.floppy, 1);
    assert_null(sc.password);   /* a floppy without a password is still a floppy */
    parse_ok(V5 "; @floppy: Kmspwd.ini\n; @password: x\n");
    assert_int_equal(sc.floppy, 1);
    static const char *const bad[] = { "kmspwd.txt", "kmspwd", "A:\\kmspwd.ini", "kmspwd.ini x",
                                       "yes", "kmspwd.ini.", "kmspwd.in" };
    char text[200];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(text, sizeof text, V5 "; @floppy: %s\n", bad[i]);
        parse_error(text, 2, "@floppy must be kmspwd.ini, the only file the KM server reads "
                    "from a floppy");
    }
    parse_error(V5 "; @floppy: kmspwd.ini\n; @floppy: KMSPWD.INI\n", 3, "duplicate @floppy");
}

static void test_service_states(void **state)
{
    parse_ok(V5 "; @file: C:\\Program.exe decoy\n"
             "; @expect-service-before: decoy\n"
             "; @expect-service-after: not-started:1053  \n"
             "; @expect-service-restored: stopped:4294967295\n");
    assert_int_equal(sc.service_before.state.kind, SERVICE_STATE_DECOY);
    assert_int_equal(sc.service_after.state.kind, SERVICE_STATE_NOT_STARTED);
    assert_int_equal(sc.service_after.state.code, 1053);
    assert_int_equal(sc.service_restored.state.kind, SERVICE_STATE_STOPPED);
    assert_int_equal(sc.service_restored.state.code, 4294967295L);
    static const char *const bad[] = { "Running", "run", "stopped", "stopped:", "stopped:-1",
                                       "stopped:4294967296", "stopped:01234567890",
                                       "not-started:ERROR_NO_SUCH_THING", "not-started:0x41",
                                       "not-started:KMH_NOT_INSTALLED", "decoy:1", "running 1",
                                       "stopped: 1", "not-installed" };
    char text[200];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(text, sizeof text, V5 "; @expect-service-after: %s\n", bad[i]);
        parse_error(text, 2, "@expect-service-after must be running, stopped:N, "
                    "not-started:CODE or decoy");
    }
    parse_error(V5 "; @expect-service-before: running\n; @EXPECT-SERVICE-BEFORE: running\n", 3,
                "duplicate @expect-service-before");
    parse_error(V5 "; @expect-service-restored: decoy\n; @expect-service-restored: decoy\n", 3,
                "duplicate @expect-service-restored");
}

/* "decoy" can only happen where a decoy was placed: said at its line. */
static void test_decoy_expectation_needs_a_decoy(void **state)
{
    parse_error(V5 "; @file: C:\\Program.exe 1.0.0.0\n; @summary: s\n"
                "; @expect-service-after: decoy\n", 4,
                "@expect-service-after: decoy needs an @file: WINPATH decoy");
    /* a bad line before it wins */
    parse_error(V5 "; @expect-service-restored: decoy\n; @floppy: b\n", 3,
                "@floppy must be kmspwd.ini, the only file the KM server reads from a floppy");
    parse_ok(V5 "; @expect-service-after: decoy\n; @file: D:\\Program.exe decoy\n");
}

/* A decoy is no Kmserver.exe: it neither replaces the default file nor
** clashes with "@file: none". */
static void test_file_decoy(void **state)
{
    parse_ok(V5 "; @file: C:\\Program.exe decoy\n");
    assert_int_equal(sc.nfiles, 2);
    assert_string_equal(sc.files[0].winpath, "C:\\Program.exe");
    assert_int_equal(sc.files[0].kind, KMFILE_DECOY);
    assert_int_equal(sc.files[0].line, 2);
    assert_string_equal(sc.files[1].winpath, "C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_int_equal(sc.files[1].kind, KMFILE_PE);
    parse_ok(V5 "; @file: C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe 5.5.2653.9\n"
             "; @file: C:\\Program.exe decoy\n");
    assert_int_equal(sc.nfiles, 2);
    assert_int_equal(sc.files[0].kind, KMFILE_PE);
    assert_int_equal(sc.files[1].kind, KMFILE_DECOY);
    parse_ok(V5 "; @file: none\n; @file: C:\\Program.exe decoy\n");
    assert_int_equal(sc.nfiles, 1);
    assert_int_equal(sc.files[0].kind, KMFILE_DECOY);
    parse_ok(V5 "; @file: C:\\Program.exe decoy\n; @file: none\n");
    assert_int_equal(sc.nfiles, 1);
    parse_error(V5 "; @file: none\n; @file: C:\\Program.exe decoy\n; @file: C:\\k.exe text\n", 4,
                "@file: none cannot be combined with other @file lines");
    parse_error(V5 "; @file: none\n; @file: none\n", 3,
                "@file: none cannot be combined with other @file lines");
}

/* A scenario file is read up to 16 MiB: a valid file of exactly that size
** loads, one byte more is refused with the size named. */
static void test_load_caps_the_file_at_16_mib(void **state)
{
    char dir[] = "/tmp/kmh-scenario-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/big.reg", dir);
    static const char head[] = "REGEDIT4\r\n; @expect-after: 0\r\n" KEY;
    size_t size = 16u << 20;
    char *text = malloc(size + 1);
    assert_non_null(text);
    memcpy(text, head, strlen(head));
    /* comment lines, each well under the 64 KiB line limit */
    for (size_t i = strlen(head); i <= size; i++)
        text[i] = i % 1000 == 0 ? '\n' : ';';
    struct scenario s;
    struct kmh_error err;
    for (int extra = 0; extra <= 1; extra++) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, size + extra, f), size + extra);
        fclose(f);
        int rc = scenario_load(path, &s, &err);
        if (extra) {
            assert_int_equal(rc, -1);
            assert_int_equal(err.line, 0);
            assert_string_equal(err.msg, "file larger than 16 MiB");
        } else {
            if (rc)
                fail_msg("line %d: %s", err.line, err.msg);
            scenario_free(&s);
        }
    }
    free(text);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
    const struct CMUnitTest tests[] = {
        T(test_defaults_with_only_a_summary),
        T(test_no_directive_is_an_export),
        T(test_all_directives),
        T(test_directive_names_are_case_insensitive),
        T(test_values_are_literal),
        T(test_directives_may_appear_anywhere),
        T(test_outcomes),
        T(test_bad_outcomes),
        T(test_per_profile_expectations),
        T(test_skip),
        T(test_file_none),
        T(test_file_none_cannot_be_combined),
        T(test_bad_file_directives),
        T(test_file_folder_and_text),
        T(test_file_version_limits_and_trailing_blanks),
        T(test_bad_expect_version),
        T(test_malformed_and_unknown_directives),
        T(test_ordinary_comments_are_not_directives),
        T(test_duplicates),
        T(test_earlier_error_wins),
        T(test_decoding_errors_are_reported),
        T(test_utf16_scenario),
        T(test_errors_do_not_quote_secrets),
        T(test_load_names_the_scenario_after_its_file),
        T(test_load_missing_file),
        T(test_service_directives_default_to_unset),
        T(test_service_directives),
        T(test_password_is_a_secret),
        T(test_password_limits),
        T(test_floppy),
        T(test_service_states),
        T(test_decoy_expectation_needs_a_decoy),
        T(test_file_decoy),
        T(test_load_directory),
        T(test_load_caps_the_file_at_16_mib),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
