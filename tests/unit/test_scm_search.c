/*
** test_scm_search.c - unit tests for emu/scm_search.c: the executable the
** service control manager would start for an ImagePath command line.
**
** Each row of the table says where its expectation comes from:
**   [doc]     Microsoft's CreateProcess documentation (lpApplicationName
**             and lpCommandLine: the "c:\program files\sub dir\program
**             name" example, ".exe" appended to a name without extension
**             and not to one ending in a period, quotes end a long name);
**   [assume]  no source says; the choice scm_search.c writes down.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "scm_search.h"

#define MAXC 8

/* ASCII into UTF-16 units; "\0" inside TEXT is kept (LEN bytes). */
static size_t widen(const char *text, size_t len, uint16_t *out)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)text[i];
    return len;
}

/* The candidate as ASCII, ".exe" added where the search adds it. */
static void narrow(const uint16_t *cmdline, const struct scm_candidate *c, char *buf, size_t cap)
{
    uint16_t w[512];
    size_t n = scm_candidate_path(cmdline, c, w, sizeof w / sizeof *w);
    assert_true(n < sizeof w / sizeof *w && n < cap);
    for (size_t i = 0; i <= n; i++)
        buf[i] = (char)w[i];
}

struct row {
    const char *cmdline;
    size_t len;                  /* 0: strlen */
    const char *want[MAXC];      /* the candidates in the order tried, NULL-ended */
};

static const struct row rows[] = {
    /* [doc] the documentation's own example, in its order */
    { "c:\\program files\\sub dir\\program name", 0,
      { "c:\\program.exe", "c:\\program files\\sub.exe", "c:\\program files\\sub dir\\program.exe",
        "c:\\program files\\sub dir\\program name.exe" } },
    /* [doc] issue 10's hazard: the fix dropped the quotes */
    { "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe", 0,
      { "C:\\Program.exe", "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe" } },
    /* [doc] the KB's shape: "Kmserver.exe pw" has an extension (".exe pw"),
    ** so the last candidate gets no ".exe" */
    { "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe pw", 0,
      { "C:\\Program.exe", "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe",
        "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe pw" } },
    { "C:\\Exchsrvr\\Bin\\Kmserver.exe pw", 0,
      { "C:\\Exchsrvr\\Bin\\Kmserver.exe", "C:\\Exchsrvr\\Bin\\Kmserver.exe pw" } },
    /* [doc] a quoted name is taken as it is, arguments or not */
    { "\"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe\"", 0,
      { "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe" } },
    { "\"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe\" pw", 0,
      { "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe" } },
    /* [doc] ".exe" is appended to a name without extension, quoted or not */
    { "C:\\Exchsrvr\\Bin\\Kmserver pw", 0,
      { "C:\\Exchsrvr\\Bin\\Kmserver.exe", "C:\\Exchsrvr\\Bin\\Kmserver pw.exe" } },
    { "\"C:\\Program Files\\Kmserver\"", 0, { "C:\\Program Files\\Kmserver.exe" } },
    /* [doc] not to a name ending in a period */
    { "C:\\Exchsrvr\\Bin\\Kmserver.", 0, { "C:\\Exchsrvr\\Bin\\Kmserver." } },
    /* [doc] the extension is the file name's: a dotted folder does not count */
    { "C:\\Ex.chsrvr\\Kmserver", 0, { "C:\\Ex.chsrvr\\Kmserver.exe" } },
    { "C:/Ex.chsrvr/Kmserver", 0, { "C:/Ex.chsrvr/Kmserver.exe" } },
    { "C:\\Tools.exe Dir\\Kmserver.exe pw", 0,
      { "C:\\Tools.exe", "C:\\Tools.exe Dir\\Kmserver.exe", "C:\\Tools.exe Dir\\Kmserver.exe pw" } },
    /* [doc] any case of the extension is one (file names are case-blind) */
    { "C:\\K.EXE", 0, { "C:\\K.EXE" } },
    /* [assume] leading blanks are skipped */
    { "  \tC:\\Exchsrvr\\Bin\\Kmserver.exe", 0, { "C:\\Exchsrvr\\Bin\\Kmserver.exe" } },
    { "  \"C:\\a b\\k.exe\" x", 0, { "C:\\a b\\k.exe" } },
    /* [assume] a tab is white space too */
    { "C:\\Program\tFiles\\k.exe", 0, { "C:\\Program.exe", "C:\\Program\tFiles\\k.exe" } },
    /* [assume] a run of blanks ends one candidate */
    { "C:\\a  \t b.exe", 0, { "C:\\a.exe", "C:\\a  \t b.exe" } },
    /* [assume] trailing blanks add no candidate */
    { "C:\\k.exe  ", 0, { "C:\\k.exe" } },
    /* [assume] a quote after the start is part of the name */
    { "C:\\Pro\"gram Files\\k.exe", 0, { "C:\\Pro\"gram.exe", "C:\\Pro\"gram Files\\k.exe" } },
    { "C:\\\"Program Files\"\\k.exe", 0,
      { "C:\\\"Program.exe", "C:\\\"Program Files\"\\k.exe" } },
    /* [assume] an unterminated quote runs to the end */
    { "\"C:\\Program Files\\k.exe pw", 0, { "C:\\Program Files\\k.exe pw" } },
    /* [assume] text right after the closing quote is an argument */
    { "\"C:\\k.exe\"pw", 0, { "C:\\k.exe" } },
    /* [assume] nothing to start: empty, blanks, an empty quoted name */
    { "", 0, { NULL } },
    { " \t ", 0, { NULL } },
    { "\"\" C:\\k.exe", 0, { NULL } },
    { "\"", 0, { NULL } },
    /* [doc] CreateProcess takes a C string: nothing after a NUL (a hidden
    ** tail in the value) is part of the command line */
    { "C:\\k.exe\0 pw", 12, { "C:\\k.exe" } },
    { "\0C:\\k.exe", 9, { NULL } },
};

static void test_candidate_table(void **state)
{
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
        uint16_t w[256];
        struct scm_candidate c[MAXC];
        size_t len = widen(rows[r].cmdline, rows[r].len ? rows[r].len : strlen(rows[r].cmdline), w);
        size_t want = 0;
        while (want < MAXC && rows[r].want[want])
            want++;
        size_t n = scm_candidates(w, len, c, MAXC);
        if (n != want)
            fail_msg("row %zu (%s): %zu candidates, want %zu", r, rows[r].cmdline, n, want);
        for (size_t i = 0; i < n; i++) {
            char got[512];
            narrow(w, &c[i], got, sizeof got);
            if (strcmp(got, rows[r].want[i]))
                fail_msg("row %zu candidate %zu: \"%s\", want \"%s\"", r, i, got, rows[r].want[i]);
        }
    }
}

/* Only MAX are stored, the count is all of them; OUT may be NULL. */
static void test_count_beyond_max(void **state)
{
    uint16_t w[64];
    struct scm_candidate c[2] = { { 99, 99, 9 }, { 99, 99, 9 } };
    size_t len = widen("a b c d", 7, w);
    assert_int_equal(scm_candidates(w, len, NULL, 0), 4);
    assert_int_equal(scm_candidates(w, len, c, 1), 4);
    assert_int_equal(c[0].start, 0);
    assert_int_equal(c[0].len, 1);
    assert_int_equal(c[0].add_exe, 1);
    assert_int_equal(c[1].start, 99);   /* untouched */
}

static void test_candidate_path_buffer(void **state)
{
    uint16_t w[32], buf[16];
    size_t len = widen("C:\\Program Files", 16, w);
    struct scm_candidate c;
    assert_int_equal(scm_candidates(w, len, &c, 1), 2);
    /* "C:\Program.exe": 14 units; 15 fit with the NUL, 14 do not */
    assert_int_equal(scm_candidate_path(w, &c, buf, 15), 14);
    assert_int_equal(buf[14], 0);
    assert_int_equal(buf[10], '.');
    buf[0] = 'x';
    assert_int_equal(scm_candidate_path(w, &c, buf, 14), 14);
    assert_int_equal(buf[0], 0);
    assert_int_equal(scm_candidate_path(w, &c, NULL, 0), 14);
}

/* ---- the pick, over a small fake disk --------------------------------- */

struct disk {
    const char *files[4], *folders[4];
    int asked;            /* how many candidates the search asked about */
    int bad_call;         /* a path that was not NUL-terminated at N */
};

static int on_disk(const char *const *list, const char *path)
{
    for (size_t i = 0; i < 4 && list[i]; i++)
        if (!strcmp(list[i], path))
            return 1;
    return 0;
}

static int disk_is_file(void *ctx, const uint16_t *path, size_t n)
{
    struct disk *d = ctx;
    char narrow_path[512];
    d->asked++;
    if (path[n] != 0 || n >= sizeof narrow_path)
        d->bad_call = 1;
    for (size_t i = 0; i <= n && i < sizeof narrow_path; i++)
        narrow_path[i] = (char)path[i];
    return on_disk(d->files, narrow_path) && !on_disk(d->folders, narrow_path);
}

static int pick(const char *cmdline, struct disk *d, char *chosen, size_t cap)
{
    uint16_t w[256];
    struct scm_candidate c = { 0 };
    size_t len = widen(cmdline, strlen(cmdline), w);
    int i = scm_pick(w, len, disk_is_file, d, &c);
    assert_int_equal(d->bad_call, 0);
    chosen[0] = 0;
    if (i >= 0)
        narrow(w, &c, chosen, cap);
    return i;
}

/* [doc] issue 10: the unquoted path after the fix starts C:\Program.exe
** when there is one; else the real Kmserver.exe. */
static void test_pick_decoy_first(void **state)
{
    char got[512];
    struct disk d = { .files = { "C:\\Program.exe", "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe" } };
    assert_int_equal(pick("C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe", &d, got, sizeof got), 0);
    assert_string_equal(got, "C:\\Program.exe");
    assert_int_equal(d.asked, 1);
    struct disk quoted = d;
    quoted.asked = 0;
    assert_int_equal(pick("\"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe\" pw", &quoted, got,
                          sizeof got), 0);
    assert_string_equal(got, "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe");
    struct disk no_decoy = { .files = { "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe" } };
    assert_int_equal(pick("C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe pw", &no_decoy, got,
                          sizeof got), 1);
    assert_string_equal(got, "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_int_equal(no_decoy.asked, 2);
}

/* [assume] a folder named like a candidate is passed over. */
static void test_pick_passes_folders(void **state)
{
    char got[512];
    struct disk d = { .files = { "C:\\Tools.exe", "C:\\Tools.exe Dir\\Kmserver.exe" },
                      .folders = { "C:\\Tools.exe" } };
    assert_int_equal(pick("C:\\Tools.exe Dir\\Kmserver.exe pw", &d, got, sizeof got), 1);
    assert_string_equal(got, "C:\\Tools.exe Dir\\Kmserver.exe");
}

/* Nothing found: every candidate was asked about, and the start fails. */
static void test_pick_none(void **state)
{
    char got[512];
    struct disk d = { .files = { "C:\\Other.exe" } };
    assert_int_equal(pick("C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe pw", &d, got, sizeof got),
                     SCM_NONE);
    assert_int_equal(d.asked, 3);
    assert_string_equal(got, "");
    struct disk empty = { .asked = 0 };
    assert_int_equal(pick("   ", &empty, got, sizeof got), SCM_NONE);
    assert_int_equal(empty.asked, 0);
    assert_int_equal(scm_pick(NULL, 0, disk_is_file, &empty, NULL), SCM_NONE);
}

/* [doc] ".exe" added: the KB's Kmserver without extension still starts
** Kmserver.exe, with the password as its argument. */
static void test_pick_adds_exe(void **state)
{
    char got[512];
    struct disk d = { .files = { "C:\\Exchsrvr\\Bin\\Kmserver.exe" } };
    assert_int_equal(pick("C:\\Exchsrvr\\Bin\\Kmserver secret", &d, got, sizeof got), 0);
    assert_string_equal(got, "C:\\Exchsrvr\\Bin\\Kmserver.exe");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_candidate_table),
        cmocka_unit_test(test_count_beyond_max),
        cmocka_unit_test(test_candidate_path_buffer),
        cmocka_unit_test(test_pick_decoy_first),
        cmocka_unit_test(test_pick_passes_folders),
        cmocka_unit_test(test_pick_none),
        cmocka_unit_test(test_pick_adds_exe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
