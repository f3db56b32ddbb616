/*
** test_split.c: unit tests of the ImagePath splitter (emu/split.c).
**
** Each case states what Windows' own reading of the value implies: the
** path Update.exe should have been given, and the text the fix must cut
** away (the password).  Existence of files is simulated by a callback that
** knows a fixed list of paths.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>
#include <cmocka.h>
#include "split.h"

static size_t u16len(const char16_t *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* The simulated file system: the paths that exist, and a call counter. */
struct files {
    const char16_t *const *paths;
    int calls;
};

static int files_exist(void *ctx, const uint16_t *path, size_t n)
{
    struct files *f = ctx;
    f->calls++;
    for (size_t i = 0; f->paths[i]; i++)
        if (u16len(f->paths[i]) == n && memcmp(f->paths[i], path, n * 2) == 0)
            return 1;
    return 0;
}

static void assert_span(const char16_t *s, size_t start, size_t len,
                        const char16_t *want)
{
    assert_int_equal(len, u16len(want));
    assert_memory_equal(s + start, want, len * 2);
}

/* Split with no file known to exist; fails the test if there is no path. */
static struct split_result split_ok(const char16_t *s, struct files *f)
{
    struct split_result r;
    assert_int_equal(split_image_path((const uint16_t *)s, u16len(s),
                                      f ? files_exist : NULL, f, &r), 0);
    return r;
}

/* Splitting the fixed value (the path alone) must give the path again. */
static void assert_idempotent(const char16_t *s, const struct split_result *r,
                              struct files *f)
{
    struct split_result again;
    assert_int_equal(split_image_path((const uint16_t *)s + r->path_start,
                                      r->path_len, f ? files_exist : NULL, f,
                                      &again), 0);
    assert_int_equal(again.path_start, 0);
    assert_int_equal(again.path_len, r->path_len);
    assert_int_equal(again.tail_len, 0);
    assert_false(again.quoted);
}

static void test_plain_path_has_no_tail(void **state)
{
    const char16_t *s = u"C:\\Exchsrvr\\Bin\\Kmserver.exe";
    struct split_result r = split_ok(s, NULL);
    assert_span(s, r.path_start, r.path_len, s);
    assert_span(s, r.shown_start, r.shown_len, s);
    assert_int_equal(r.tail_len, 0);
    assert_int_equal(r.args_len, 0);
    assert_false(r.quoted);
    assert_idempotent(s, &r, NULL);
}

static void test_hard_password_after_path(void **state)
{
    /* Spaces, a quote, backslashes, non-ASCII, and ".exe" at its end. */
    const char16_t *s = u"C:\\Exchsrvr\\Bin\\Kmserver.exe p\"a ss\\w\u00f6rd\U0001F511.exe";
    const char16_t *known[] = { u"C:\\Exchsrvr\\Bin\\Kmserver.exe", NULL };
    struct files f = { known, 0 };
    struct split_result r = split_ok(s, &f);
    assert_span(s, r.path_start, r.path_len, u"C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_span(s, r.args_start, r.args_len, u"p\"a ss\\w\u00f6rd\U0001F511.exe");
    assert_span(s, r.tail_start, r.tail_len, u"p\"a ss\\w\u00f6rd\U0001F511.exe");
    assert_int_equal(f.calls, 1);  /* the shortest existed: no more lookups */
    r = split_ok(s, NULL);          /* nothing exists: still the shortest */
    assert_span(s, r.path_start, r.path_len, u"C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_idempotent(s, &r, &f);
}

static void test_quoted_path_alone(void **state)
{
    const char16_t *s = u"\"C:\\Exchsrvr\\Bin\\Kmserver.exe\"";
    struct split_result r = split_ok(s, NULL);
    assert_true(r.quoted);
    assert_span(s, r.path_start, r.path_len, u"C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_span(s, r.shown_start, r.shown_len, s);
    assert_int_equal(r.tail_len, 0);
    assert_idempotent(s, &r, NULL);
}

static void test_quoted_path_with_spaces_and_password(void **state)
{
    const char16_t *s = u"\"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe\" hunter 2";
    struct split_result r = split_ok(s, NULL);
    assert_span(s, r.path_start, r.path_len,
                u"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_span(s, r.shown_start, r.shown_len,
                u"\"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe\"");
    assert_int_equal(r.inner_len, 0);
    assert_span(s, r.args_start, r.args_len, u"hunter 2");
    assert_span(s, r.tail_start, r.tail_len, u"hunter 2");
    assert_idempotent(s, &r, NULL);
}

static void test_password_inside_quotes(void **state)
{
    const char16_t *s = u"\"C:\\Exchsrvr\\Bin\\Kmserver.exe secret\"";
    struct split_result r = split_ok(s, NULL);
    assert_true(r.quoted);
    assert_span(s, r.path_start, r.path_len, u"C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_span(s, r.shown_start, r.shown_len, u"\"C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_span(s, r.inner_start, r.inner_len, u"secret");
    assert_int_equal(r.args_len, 0);
    assert_span(s, r.tail_start, r.tail_len, u"secret\"");
    assert_idempotent(s, &r, NULL);
}

static void test_password_inside_and_after_quotes(void **state)
{
    const char16_t *s = u"\"C:\\x.exe in\"  out ";
    struct split_result r = split_ok(s, NULL);
    assert_span(s, r.inner_start, r.inner_len, u"in");
    assert_span(s, r.args_start, r.args_len, u"out");
    assert_span(s, r.tail_start, r.tail_len, u"in\"  out");
}

static void test_unclosed_quote(void **state)
{
    const char16_t *s = u"\"C:\\x.exe pw";
    struct split_result r = split_ok(s, NULL);
    assert_span(s, r.path_start, r.path_len, u"C:\\x.exe");
    assert_span(s, r.shown_start, r.shown_len, u"\"C:\\x.exe");
    assert_span(s, r.inner_start, r.inner_len, u"pw");
    assert_span(s, r.tail_start, r.tail_len, u"pw");
}

static void test_quote_then_password_without_blank(void **state)
{
    const char16_t *s = u"\"C:\\x.exe\"pw";
    struct split_result r = split_ok(s, NULL);
    assert_span(s, r.shown_start, r.shown_len, u"\"C:\\x.exe\"");
    assert_span(s, r.args_start, r.args_len, u"pw");
    assert_span(s, r.tail_start, r.tail_len, u"pw");
}

static void test_unquoted_path_with_spaces_and_password(void **state)
{
    const char16_t *s = u"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe pw";
    struct split_result r = split_ok(s, NULL);
    assert_span(s, r.path_start, r.path_len,
                u"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_span(s, r.args_start, r.args_len, u"pw");
    assert_idempotent(s, &r, NULL);
}

static void test_forward_slashes_and_nt_prefix(void **state)
{
    const char16_t *s = u"C:/Exchsrvr/Bin/Kmserver.exe pw";
    struct split_result r = split_ok(s, NULL);
    assert_span(s, r.path_start, r.path_len, u"C:/Exchsrvr/Bin/Kmserver.exe");
    assert_span(s, r.args_start, r.args_len, u"pw");

    const char16_t *nt = u"\\??\\C:\\Exchsrvr\\Bin\\Kmserver.exe pw";
    r = split_ok(nt, NULL);
    assert_span(nt, r.path_start, r.path_len, u"\\??\\C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_span(nt, r.args_start, r.args_len, u"pw");
    assert_idempotent(nt, &r, NULL);
}

static void test_extension_in_any_case(void **state)
{
    const char16_t *s = u"C:\\EXCHSRVR\\BIN\\KMSERVER.EXE pw";
    struct split_result r = split_ok(s, NULL);
    assert_span(s, r.path_start, r.path_len, u"C:\\EXCHSRVR\\BIN\\KMSERVER.EXE");

    const char16_t *mixed = u"C:\\x.ExE\tpw";
    r = split_ok(mixed, NULL);
    assert_span(mixed, r.path_start, r.path_len, u"C:\\x.ExE");
    assert_span(mixed, r.args_start, r.args_len, u"pw");
}

static void assert_no_path(const char16_t *s)
{
    struct split_result r;
    memset(&r, 0x5a, sizeof r);
    assert_int_equal(split_image_path((const uint16_t *)s, u16len(s), NULL,
                                      NULL, &r), -1);
    assert_int_equal(r.path_len, 0);
    assert_int_equal(r.tail_len, 0);
    assert_int_equal(r.quoted, 0);
}

static void test_no_exe_means_no_path(void **state)
{
    assert_no_path(u"C:\\Exchsrvr\\Bin\\Kmserver pw");
    assert_no_path(u"C:\\Exchsrvr\\Bin\\Kmserver.exepw");  /* not followed by a blank */
    assert_no_path(u"C:\\Exchsrvr\\Bin\\Kmserver.ex");
    assert_no_path(u"");
    assert_no_path(u"   \t ");
    assert_no_path(u"\"");
    assert_no_path(u"\"\" C:\\x.exe");  /* the quoted area is empty */
    assert_int_equal(split_image_path(NULL, 0, NULL, NULL,
                                      &(struct split_result){0}), -1);
}

static void test_blanks_around_are_trimmed(void **state)
{
    const char16_t *s = u"  \tC:\\x.exe  pw \t ";
    struct split_result r = split_ok(s, NULL);
    assert_int_equal(r.path_start, 3);
    assert_span(s, r.path_start, r.path_len, u"C:\\x.exe");
    assert_span(s, r.args_start, r.args_len, u"pw");

    const char16_t *q = u" \" C:\\x.exe \" ";
    r = split_ok(q, NULL);
    assert_span(q, r.path_start, r.path_len, u"C:\\x.exe");
    assert_int_equal(r.tail_len, 1);  /* the closing quote after the blank */
    assert_int_equal(r.inner_len, 0);
    assert_int_equal(r.args_len, 0);
}

static void test_shortest_existing_candidate_wins(void **state)
{
    /* A folder named "a.exe b": the shorter candidate is not a file. */
    const char16_t *s = u"C:\\a.exe b\\Kmserver.exe pw.exe";
    const char16_t *known[] = { u"C:\\a.exe b\\Kmserver.exe",
                                u"C:\\a.exe b\\Kmserver.exe pw.exe", NULL };
    struct files f = { known, 0 };
    struct split_result r = split_ok(s, &f);
    assert_span(s, r.path_start, r.path_len, u"C:\\a.exe b\\Kmserver.exe");
    assert_span(s, r.args_start, r.args_len, u"pw.exe");
    assert_int_equal(f.calls, 2);
    assert_idempotent(s, &r, &f);

    const char16_t *none[] = { NULL };
    struct files nothing = { none, 0 };
    r = split_ok(s, &nothing);
    assert_span(s, r.path_start, r.path_len, u"C:\\a.exe");
    assert_span(s, r.args_start, r.args_len, u"b\\Kmserver.exe pw.exe");
    assert_int_equal(nothing.calls, 3);  /* every candidate was tried */
    assert_idempotent(s, &r, &nothing);
}

static void test_bare_extension_is_a_candidate(void **state)
{
    const char16_t *s = u".exe pw";
    struct split_result r = split_ok(s, NULL);
    assert_span(s, r.path_start, r.path_len, u".exe");
    assert_span(s, r.args_start, r.args_len, u"pw");
}

/* Every prefix of a few ImagePath shapes, each in a heap buffer of exactly
** its units (no terminator after it): under ASan a read past the string
** fails the test, and the result must equal that of the same units in a
** larger buffer (nothing beyond N decides anything). */
static void test_reads_only_its_units(void **state)
{
    static const char16_t *const shapes[] = {
        u"C:\\Exchsrvr\\Bin\\Kmserver.exe pw", u"\"C:\\Program Files\\K.exe\" -p x",
        u"\"C:\\K.exe pw", u"  C:\\a.exe b.exe\t", u".exe", u"\"",
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        size_t n = u16len(shapes[i]);
        for (size_t k = 0; k <= n; k++) {
            uint16_t *exact = malloc(k ? k * 2 : 1);
            assert_non_null(exact);
            memcpy(exact, shapes[i], k * 2);
            struct split_result a, b;
            int rc_a = split_image_path(exact, k, NULL, NULL, &a);
            int rc_b = split_image_path((const uint16_t *)shapes[i], k, NULL, NULL, &b);
            assert_int_equal(rc_a, rc_b);
            assert_memory_equal(&a, &b, sizeof a);
            free(exact);
        }
    }
}

/* ---- the blind spots (emu/split.h), one row each ------------------------ */

/* What the fix must do with a value, decided against how the service
** manager parses it (CreateProcess: first blank, ".exe" added to a name
** without one, folders skipped, next blank) and how Windows names files
** (trailing dots dropped: Wine's dlls/ntdll/tests/path.c). */
enum blind_want { CUT, AMBIGUOUS, NO_EXE, NO_EXTENSION, EXE_DIR };

struct blind_case {
    const char16_t *value;
    const char16_t *const *existing;   /* files that exist (NULL-ended) */
    enum blind_want want;
    const char16_t *path;              /* CUT: the path kept */
    const char16_t *args;              /* CUT: what is removed as arguments */
};

static const char16_t *const km[] = { u"C:\\Exchsrvr\\Bin\\Kmserver.exe", NULL };
static const char16_t *const tools_km[] = { u"C:\\Tools.exe Dir\\Kmserver.exe", NULL };
static const char16_t *const none[] = { NULL };
/* What the fix finds for "%SystemDrive%\..." when it expands the value
** (REG_EXPAND_SZ): the file is there.  For a REG_SZ it does not expand,
** and finds none (emu/fix.c file_exists). */
static const char16_t *const sd_km[] = { u"%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe", NULL };

static const struct blind_case blind[] = {
    /* The service starts Kmserver.exe with "secret"; the version API finds
    ** no "Kmserver": refused, the message says why. */
    { u"C:\\Exchsrvr\\Bin\\Kmserver secret", km, NO_EXTENSION, NULL, NULL },
    { u"Kmserver secret", none, NO_EXTENSION, NULL, NULL },
    /* Kmserver.exe missing: "C:\Tools.exe" or the longer one?  Refused. */
    { u"C:\\Tools.exe Dir\\Kmserver.exe pw", none, AMBIGUOUS, NULL, NULL },
    /* ... and present: the existing file wins, the password goes. */
    { u"C:\\Tools.exe Dir\\Kmserver.exe pw", tools_km, CUT,
      u"C:\\Tools.exe Dir\\Kmserver.exe", u"pw" },
    /* "%SystemDrive%" in a REG_SZ and a password ending in ".exe": no
    ** candidate is a file as written, so refused; the generator's seed 1
    ** #841 (quoted, a tab after the quote), #1640 (unquoted), #7683
    ** (quoted), and forward slashes. */
    { u"%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe jrWeh$G6.exe", none, AMBIGUOUS, NULL, NULL },
    { u"\"%SystemDrive%/Exchsrvr/Bin/Kmserver.exe dTwd#uwR.exe\"\t", none, AMBIGUOUS, NULL,
      NULL },
    { u"\"%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe keE~54fP.exe\"", none, AMBIGUOUS, NULL,
      NULL },
    { u"%systemdrive%/exchsrvr/bin/kmserver.exe pw.exe", none, AMBIGUOUS, NULL, NULL },
    /* ... and as a REG_EXPAND_SZ the expansion is a file: cut. */
    { u"%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe jrWeh$G6.exe", sd_km, CUT,
      u"%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe", u"jrWeh$G6.exe" },
    /* Trailing dots are dropped by Windows: Kmserver.exe starts, "pw" is
    ** its argument; the dots are neither path nor password. */
    { u"C:\\Exchsrvr\\Bin\\Kmserver.exe.  pw", km, CUT,
      u"C:\\Exchsrvr\\Bin\\Kmserver.exe", u"pw" },
    { u"C:\\Exchsrvr\\Bin\\Kmserver.exe. pw", none, CUT,
      u"C:\\Exchsrvr\\Bin\\Kmserver.exe", u"pw" },
    { u"C:\\Exchsrvr\\Bin\\Kmserver.exe...", km, CUT,
      u"C:\\Exchsrvr\\Bin\\Kmserver.exe", u"" },
    /* A backslash after .exe: never a file on Windows; refused. */
    { u"C:\\Exchsrvr\\Bin\\Kmserver.exe\\ secret", km, EXE_DIR, NULL, NULL },
    { u"C:\\Exchsrvr\\Bin\\Kmserver.exe\\", km, EXE_DIR, NULL, NULL },
    /* Two blanks or a tab before the password: cut at the path. */
    { u"C:\\Exchsrvr\\Bin\\Kmserver.exe  secret", km, CUT,
      u"C:\\Exchsrvr\\Bin\\Kmserver.exe", u"secret" },
    { u"C:\\Exchsrvr\\Bin\\Kmserver.exe\tsecret", km, CUT,
      u"C:\\Exchsrvr\\Bin\\Kmserver.exe", u"secret" },
    /* Upper case .EXE, a dot-dot path, a device name in the password. */
    { u"C:\\EXCHSRVR\\BIN\\KMSERVER.EXE secret", none, CUT,
      u"C:\\EXCHSRVR\\BIN\\KMSERVER.EXE", u"secret" },
    { u"C:\\Exchsrvr\\Tmp\\..\\Bin\\Kmserver.exe s", none, CUT,
      u"C:\\Exchsrvr\\Tmp\\..\\Bin\\Kmserver.exe", u"s" },
    { u"C:\\Exchsrvr\\Bin\\Kmserver.exe pw\\nul", km, CUT,
      u"C:\\Exchsrvr\\Bin\\Kmserver.exe", u"pw\\nul" },
    /* No .exe anywhere, and a name that has another extension. */
    { u"C:\\Exchsrvr\\Bin\\Kmserver.com secret", none, NO_EXE, NULL, NULL },
    { u"", none, NO_EXE, NULL, NULL },
};

static void test_blind_spots(void **state)
{
    for (size_t i = 0; i < sizeof blind / sizeof blind[0]; i++) {
        const struct blind_case *c = &blind[i];
        struct files f = { c->existing, 0 };
        struct split_result r;
        size_t n = u16len(c->value);
        int rc = split_image_path((const uint16_t *)c->value, n, files_exist, &f, &r);
        print_message("case %zu\n", i);
        switch (c->want) {
        case CUT:
            assert_int_equal(rc, 0);
            assert_false(r.ambiguous);
            assert_span(c->value, r.path_start, r.path_len, c->path);
            assert_span(c->value, r.args_start, r.args_len, c->args);
            break;
        case AMBIGUOUS:
            assert_int_equal(rc, 0);
            assert_true(r.ambiguous);
            break;
        default:
            assert_int_equal(rc, -1);
            assert_int_equal(split_why_none((const uint16_t *)c->value, n),
                             c->want == NO_EXTENSION ? SPLIT_NO_EXTENSION
                             : c->want == EXE_DIR ? SPLIT_EXE_DIR : SPLIT_NO_EXE);
        }
    }
}

/* Without a file-system callback nothing is ambiguous: the redaction's
** reading (shortest candidate) is unchanged. */
static void test_no_callback_is_never_ambiguous(void **state)
{
    const char16_t *s = u"C:\\Tools.exe Dir\\Kmserver.exe pw";
    struct split_result r = split_ok(s, NULL);
    assert_false(r.ambiguous);
    assert_span(s, r.path_start, r.path_len, u"C:\\Tools.exe");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_path_has_no_tail),
        cmocka_unit_test(test_hard_password_after_path),
        cmocka_unit_test(test_quoted_path_alone),
        cmocka_unit_test(test_quoted_path_with_spaces_and_password),
        cmocka_unit_test(test_password_inside_quotes),
        cmocka_unit_test(test_password_inside_and_after_quotes),
        cmocka_unit_test(test_unclosed_quote),
        cmocka_unit_test(test_quote_then_password_without_blank),
        cmocka_unit_test(test_unquoted_path_with_spaces_and_password),
        cmocka_unit_test(test_forward_slashes_and_nt_prefix),
        cmocka_unit_test(test_extension_in_any_case),
        cmocka_unit_test(test_no_exe_means_no_path),
        cmocka_unit_test(test_blanks_around_are_trimmed),
        cmocka_unit_test(test_shortest_existing_candidate_wins),
        cmocka_unit_test(test_bare_extension_is_a_candidate),
        cmocka_unit_test(test_reads_only_its_units),
        cmocka_unit_test(test_blind_spots),
        cmocka_unit_test(test_no_callback_is_never_ambiguous),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
