/*
** test_redact.c: unit tests of harness/redact.c.
**
** The exact-output cases pin the marker format the reports rely on; the
** property cases throw many shapes of ImagePath and secret at the code
** (including secrets that spell the marker itself) and check the one
** thing that must never fail: no secret in the output.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>
#include <cmocka.h>
#include "redact.h"
#include "split.h"

static size_t u16len(const char16_t *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Redact S as the harness does: split (no file exists), then redact; the
** result never shows a secret outside the path it shows in clear. */
static char *redact(const char16_t *s, char *const *secrets, size_t nsecrets)
{
    struct split_result sp;
    size_t n = u16len(s), span[2];
    int ok = split_image_path((const uint16_t *)s, n, NULL, NULL, &sp) == 0;
    char *got = redact_image_path((const uint16_t *)s, n, 0, 0, ok ? &sp : NULL,
                                  secrets, nsecrets, span);
    assert_false(got && redact_leaks(got, span, secrets, nsecrets));
    return got;
}

static void assert_redacts_to(const char16_t *s, char *const *secrets,
                              size_t nsecrets, const char *want)
{
    char *got = redact(s, secrets, nsecrets);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_arguments_become_one_marker(void **state)
{
    assert_redacts_to(u"C:\\Exchsrvr\\Bin\\Kmserver.exe hunter2 abc", NULL, 0,
                      "C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted: 11 chars>");
    assert_redacts_to(u"C:\\Exchsrvr\\Bin\\Kmserver.exe", NULL, 0,
                      "C:\\Exchsrvr\\Bin\\Kmserver.exe");
    assert_redacts_to(u" C:\\x.exe \tpw  ", NULL, 0,
                      " C:\\x.exe \t<redacted: 2 chars>  ");
}

static void test_quoted_paths_keep_their_quotes(void **state)
{
    assert_redacts_to(u"\"C:\\Program Files\\Kmserver.exe\" pw", NULL, 0,
                      "\"C:\\Program Files\\Kmserver.exe\" <redacted: 2 chars>");
    assert_redacts_to(u"\"C:\\x.exe secret\"", NULL, 0,
                      "\"C:\\x.exe <redacted: 7 chars>");
    assert_redacts_to(u"\"C:\\x.exe\"", NULL, 0, "\"C:\\x.exe\"");
}

static void test_characters_are_code_points(void **state)
{
    char *secret[] = { "w\xc3\xb6rd\xf0\x9f\x94\x91" };  /* "wörd" + U+1F511 */
    assert_redacts_to(u"C:\\x.exe w\u00f6rd\U0001F511", NULL, 0,
                      "C:\\x.exe <redacted: 5 chars>");
    assert_redacts_to(u"C:\\x.exe w\u00f6rd\U0001F511", secret, 1,
                      "C:\\x.exe <redacted: 5 chars>");
    assert_redacts_to(u"C:\\dir w\u00f6rd\U0001F511\\x", secret, 1, "<redacted: 14 chars>");
    /* An unpaired surrogate in the shown path comes out as U+FFFD. */
    const uint16_t lone[] = { 'C', ':', '\\', 0xD800, '.', 'e', 'x', 'e' };
    struct split_result sp;
    assert_int_equal(split_image_path(lone, 8, NULL, NULL, &sp), 0);
    char *got = redact_image_path(lone, 8, 0, 0, &sp, NULL, 0, NULL);
    assert_string_equal(got, "C:\\\xef\xbf\xbd.exe");
    free(got);
}

static void test_hidden_tail_is_counted_not_shown(void **state)
{
    const char16_t *s = u"C:\\x.exe";
    struct split_result sp;
    assert_int_equal(split_image_path((const uint16_t *)s, 8, NULL, NULL, &sp), 0);
    char *got = redact_image_path((const uint16_t *)s, 8, 1, 9, &sp, NULL, 0, NULL);
    assert_string_equal(got, "C:\\x.exe <redacted: 9 chars after NUL>");
    free(got);

    /* Units after a NUL inside S are never shown either. */
    const uint16_t with_nul[] = { 'C', ':', '\\', 'x', 0, 'p', 'w' };
    got = redact_image_path(with_nul, 7, 1, 2, NULL, NULL, 0, NULL);
    assert_string_equal(got, "<redacted: 4 chars> <redacted: 2 chars after NUL>");
    free(got);
}

/* No recognised path, or one no one would write: the whole value goes,
** so a password first, glued to ".exe" or in a value without ".exe" is
** hidden with no @secret naming it. */
static void test_without_a_plausible_path_the_whole_value_goes(void **state)
{
    assert_redacts_to(u"C:\\Exchsrvr\\Bin\\Kmserver pw x", NULL, 0, "<redacted: 29 chars>");
    assert_redacts_to(u"C:\\Exchsrvr\\Bin\\Kmserver.exeGluedpw-6262", NULL, 0,
                      "<redacted: 40 chars>");
    assert_redacts_to(u"Firstpw-1212 C:\\Exchsrvr\\Bin\\Kmserver.exe", NULL, 0,
                      "<redacted: 41 chars>");
    assert_redacts_to(u"pwC:\\x.exe", NULL, 0, "<redacted: 10 chars>");
    assert_redacts_to(u"\"pw C:\\x.exe\"", NULL, 0, "<redacted: 13 chars>");
    assert_redacts_to(u"C:\\a\tb\\x.exe", NULL, 0, "<redacted: 12 chars>");
    assert_redacts_to(u"C:\\a|b\\x.exe pw", NULL, 0, "<redacted: 15 chars>");
    assert_redacts_to(u"  nopath  ", NULL, 0, "  <redacted: 6 chars>  ");
    assert_redacts_to(u"", NULL, 0, "");
    char *got = redact_image_path(NULL, 0, 0, 0, NULL, NULL, 0, NULL);
    assert_string_equal(got, "");
    free(got);
}

/* The path forms people write are shown. */
static void test_plausible_paths_are_shown(void **state)
{
    assert_redacts_to(u"%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe pw", NULL, 0,
                      "%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe <redacted: 2 chars>");
    assert_redacts_to(u"\\??\\C:\\Exchsrvr\\Kmserver.exe pw", NULL, 0,
                      "\\??\\C:\\Exchsrvr\\Kmserver.exe <redacted: 2 chars>");
    assert_redacts_to(u"\\SystemRoot\\Kmserver.exe", NULL, 0, "\\SystemRoot\\Kmserver.exe");
    assert_redacts_to(u"\\\\srv\\share\\Kmserver.exe pw", NULL, 0,
                      "\\\\srv\\share\\Kmserver.exe <redacted: 2 chars>");
    assert_redacts_to(u"Bin\\Kmserver.exe pw", NULL, 0, "Bin\\Kmserver.exe <redacted: 2 chars>");
    assert_redacts_to(u"C:/Program Files/Kmserver.exe pw", NULL, 0,
                      "C:/Program Files/Kmserver.exe <redacted: 2 chars>");
}

static void test_split_not_describing_the_string_is_ignored(void **state)
{
    const char16_t *s = u"C:\\x.exe pw";
    struct split_result bad = { .path_start = 0, .path_len = 11,
                                .shown_start = 0, .shown_len = 11,
                                .tail_start = 11, .tail_len = 0 };
    bad.shown_len = 1000;  /* out of range */
    char *got = redact_image_path((const uint16_t *)s, 11, 0, 0, &bad, NULL, 0, NULL);
    assert_string_equal(got, "<redacted: 11 chars>");
    free(got);

    bad.shown_len = 9;  /* would show "C:\x.exe " and then "pw" after the tail */
    bad.tail_start = 9;
    bad.tail_len = 0;
    got = redact_image_path((const uint16_t *)s, 11, 0, 0, &bad, NULL, 0, NULL);
    assert_string_equal(got, "<redacted: 11 chars>");
    free(got);
}

/* A password equal to a word of the path does not hide the path: the path
** is shown, everything else is a marker whatever the secrets say. */
static void test_secrets_equal_to_path_words_keep_the_path(void **state)
{
    char *secrets[] = { "Exchsrvr", "", NULL };
    assert_redacts_to(u"C:\\Exchsrvr\\Bin\\Kmserver.exe pw", secrets, 3,
                      "C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted: 2 chars>");
    char *bin[] = { "Bin" };
    assert_redacts_to(u"C:\\Exchsrvr\\Bin\\Kmserver.exe Bin", bin, 1,
                      "C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted: 3 chars>");
    char *words[] = { "exe", "C:" };
    assert_redacts_to(u"C:\\Exchsrvr\\Bin\\Kmserver.exe exe", words, 2,
                      "C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted: 3 chars>");
    char *tight[] = { "pw" };  /* no blank: the closing quote ends the path */
    assert_redacts_to(u"\"C:\\x.exe\"pw", tight, 1,
                      "\"C:\\x.exe\"<redacted: 2 chars>");
}

static void test_secret_spelling_the_marker_falls_back(void **state)
{
    char *secrets[] = { "pw", "redacted" };
    char *got = redact(u"C:\\x.exe pw", secrets, 2);
    assert_string_equal(got, "C:\\x.exe ***");
    free(got);

    char *all[] = { "<", "*", "pw" };
    got = redact(u"C:\\x.exe pw", all, 3);
    assert_string_equal(got, "C:\\x.exe");
    free(got);

    /* A secret spanning the end of the path and the marker. */
    char *straddle[] = { "exe <" };
    got = redact(u"C:\\x.exe pw", straddle, 1);
    assert_string_equal(got, "C:\\x.exe ***");
    free(got);

    char *nopath[] = { "redacted", "*" };
    got = redact(u"pw", nopath, 2);
    assert_string_equal(got, "");
    free(got);
}

static void test_inplace_masks_secrets(void **state)
{
    char text[] = "login failed for hunter2 at hunter2hunter2; ab";
    char *secrets[] = { "hunter2", "ab" };
    redact_text_inplace(text, secrets, 2);
    assert_string_equal(text, "login failed for *** at ***; **");

    char star[] = "a*b";
    char *s1[] = { "*" };
    redact_text_inplace(star, s1, 1);
    assert_string_equal(star, "a#b");

    char hopeless[] = "a*b";
    char *s3[] = { "*", "#", "?" };
    redact_text_inplace(hopeless, s3, 3);
    assert_string_equal(hopeless, "");

    char untouched[] = "nothing secret here";
    redact_text_inplace(untouched, secrets, 2);
    assert_string_equal(untouched, "nothing secret here");

    /* A secret cut inside a UTF-8 character masks the whole character. */
    char utf[] = "x\xc3\xb6y";
    char *half[] = { "\xc3" };
    redact_text_inplace(utf, half, 1);
    assert_string_equal(utf, "x**y");
}

/* ---- Many shapes ------------------------------------------------------- */

static const char *const paths[] = {
    "C:\\Exchsrvr\\Bin\\Kmserver.exe", "C:\\Program Files\\Exch\\Kmserver.EXE",
    "\\??\\D:\\Exchsrvr\\Bin\\Kmserver.exe", "C:/Exchsrvr/Bin/Kmserver.exe",
};
static const char *const passwords[] = {
    "hunter2", "pass word", "p\"w", "back\\slash", "w\xc3\xb6rd\xf0\x9f\x94\x91",
    "tail.exe", "x.exe y", "\"", "<redacted: 7 chars>", "red", "chars", "  sp  ",
    "\\Bin", ".exe",
};
static const char *const shapes[] = {
    "%s %s", "\"%s\" %s", "\"%s %s\"", "\"%s %s", "  %s\t%s  ", "\"%s\"%s",
};

/* UTF-8 (valid) to UTF-16; returns the unit count. */
static size_t to_utf16(const char *in, uint16_t *out)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)in;
    while (*p) {
        uint32_t c;
        if (*p < 0x80) c = *p++;
        else if (*p < 0xE0) { c = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F); p += 2; }
        else if (*p < 0xF0) { c = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F); p += 3; }
        else { c = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F); p += 4; }
        if (c >= 0x10000) {
            out[n++] = (uint16_t)(0xD800 + ((c - 0x10000) >> 10));
            out[n++] = (uint16_t)(0xDC00 + ((c - 0x10000) & 0x3FF));
        } else {
            out[n++] = (uint16_t)c;
        }
    }
    return n;
}

static void test_no_password_survives_any_shape(void **state)
{
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++)
        for (size_t w = 0; w < sizeof passwords / sizeof *passwords; w++)
            for (size_t f = 0; f < sizeof shapes / sizeof *shapes; f++) {
                char value[256];
                uint16_t u[256];
                snprintf(value, sizeof value, shapes[f], paths[p], passwords[w]);
                size_t n = to_utf16(value, u);
                struct split_result sp;
                int ok = split_image_path(u, n, NULL, NULL, &sp) == 0;
                char *secret[] = { (char *)passwords[w] };
                for (int hidden = 0; hidden < 2; hidden++) {
                    size_t span[2];
                    char *got = redact_image_path(u, n, hidden, 7, ok ? &sp : NULL,
                                                  secret, 1, span);
                    assert_non_null(got);
                    if (redact_leaks(got, span, secret, 1))
                        fail_msg("shape %zu path %zu password %zu leaked", f, p, w);
                    free(got);
                }
            }
}

/* A small deterministic generator, so a failure is reproducible. */
static uint32_t rnd_state = 12345;
static uint32_t rnd(uint32_t below)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % below;
}

static void test_random_inputs_never_leak(void **state)
{
    static const uint16_t alphabet[] = { ' ', '\t', '"', '.', 'e', 'x', 'E', '\\',
                                         'a', '<', '>', ':', 0xE9, 0xD800, 0xDC00, 0 };
    static const char *const bits[] = { "a", "e", "x", ".", " ", "\"", "<", "r",
                                        "ed", "\xc3\xa9", "\xef\xbf\xbd", "*", "1", ":" };
    for (int iter = 0; iter < 20000; iter++) {
        uint16_t u[24];
        size_t n = rnd(24);
        for (size_t i = 0; i < n; i++)
            u[i] = alphabet[rnd(sizeof alphabet / sizeof *alphabet)];
        char secret_text[3][16];
        char *secrets[3];
        size_t nsecrets = rnd(4);
        for (size_t k = 0; k < nsecrets; k++) {
            secret_text[k][0] = '\0';
            for (uint32_t parts = 1 + rnd(3); parts; parts--)
                strcat(secret_text[k], bits[rnd(sizeof bits / sizeof *bits)]);
            secrets[k] = secret_text[k];
        }
        struct split_result sp;
        int ok = split_image_path(u, n, NULL, NULL, &sp) == 0;
        size_t span[2];
        char *got = redact_image_path(u, n, (int)rnd(2), rnd(50), ok ? &sp : NULL,
                                      secrets, nsecrets, span);
        assert_non_null(got);
        char copy[512];
        snprintf(copy, sizeof copy, "%s", got);
        redact_text_inplace(copy, secrets, nsecrets);
        for (size_t k = 0; k < nsecrets; k++) {
            if (redact_leaks(got, span, &secrets[k], 1) || strstr(copy, secrets[k]))
                fail_msg("iteration %d leaked secret %zu", iter, k);
        }
        free(got);
    }
}

/* Every prefix of an ImagePath with a password and of one with data after
** a NUL, each in a heap buffer of exactly its units: under ASan a read past
** N fails the test; the output must equal that of the same units in a
** larger buffer, and never hold the password. */
static void test_reads_only_its_units(void **state)
{
    static const char16_t value[] = u"\"C:\\Exch\\K.exe\" Hunter22\0Hunter22";
    char *secrets[] = { "Hunter22" };
    size_t n = sizeof value / sizeof value[0] - 1, nul = u16len(value);
    for (size_t k = 0; k <= n; k++) {
        uint16_t *exact = malloc(k ? k * 2 : 1);
        assert_non_null(exact);
        memcpy(exact, value, k * 2);
        struct split_result sp;
        size_t seen = k < nul ? k : nul, hidden = k > nul + 1 ? k - nul - 1 : 0;
        int ok = split_image_path(exact, seen, NULL, NULL, &sp) == 0;
        char *a = redact_image_path(exact, k, hidden > 0, hidden, ok ? &sp : NULL, secrets, 1,
                                    NULL);
        char *b = redact_image_path((const uint16_t *)value, k, hidden > 0, hidden,
                                    ok ? &sp : NULL, secrets, 1, NULL);
        assert_non_null(a);
        assert_string_equal(a, b);
        assert_null(strstr(a, "Hunter22"));
        free(a);
        free(b);
        free(exact);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arguments_become_one_marker),
        cmocka_unit_test(test_quoted_paths_keep_their_quotes),
        cmocka_unit_test(test_characters_are_code_points),
        cmocka_unit_test(test_hidden_tail_is_counted_not_shown),
        cmocka_unit_test(test_without_a_plausible_path_the_whole_value_goes),
        cmocka_unit_test(test_plausible_paths_are_shown),
        cmocka_unit_test(test_split_not_describing_the_string_is_ignored),
        cmocka_unit_test(test_secrets_equal_to_path_words_keep_the_path),
        cmocka_unit_test(test_secret_spelling_the_marker_falls_back),
        cmocka_unit_test(test_inplace_masks_secrets),
        cmocka_unit_test(test_no_password_survives_any_shape),
        cmocka_unit_test(test_random_inputs_never_leak),
        cmocka_unit_test(test_reads_only_its_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
