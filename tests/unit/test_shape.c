/*
** test_shape.c: unit tests of the ImagePath shape classifier (emu/shape.c).
**
** Each case is a value as it would sit in the registry (type + bytes) and
** the label shape.h's rules give it, worked out by hand from those rules:
** the labels are what the findings report groups by, so a change here is a
** change of the public vocabulary.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <uchar.h>
#include <cmocka.h>
#include "shape.h"
#include "regparse.h"

#define KMS u"C:\\Exchsrvr\\Bin\\Kmserver.exe"

static size_t u16len(const char16_t *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* The label for a string value S of TYPE stored with its terminating NUL. */
static const char *label_of(uint32_t type, const char16_t *s)
{
    return shape_name(shape_classify(1, 1, type, (const uint8_t *)s, (u16len(s) + 1) * 2));
}

/* The label for a value of TYPE holding exactly LEN bytes of BUF. */
static const char *label_of_bytes(uint32_t type, const void *buf, size_t len)
{
    return shape_name(shape_classify(1, 1, type, buf, len));
}

static void missing_key_and_value(void **state)
{
    assert_string_equal(shape_name(shape_classify(0, 0, 0, NULL, 0)), "no-key");
    assert_string_equal(shape_name(shape_classify(1, 0, 0, NULL, 0)), "no-value");
}

static void other_types_are_non_string(void **state)
{
    static const uint32_t dword = 1;
    assert_string_equal(label_of_bytes(KMH_REG_DWORD, &dword, sizeof dword), "non-string");
    assert_string_equal(label_of(KMH_REG_BINARY, KMS), "non-string");
    assert_string_equal(label_of(KMH_REG_MULTI_SZ, KMS u"\0"), "non-string");
    assert_string_equal(label_of_bytes(KMH_REG_NONE, NULL, 0), "non-string");
}

static void the_kb_default_is_path(void **state)
{
    assert_string_equal(label_of(KMH_REG_SZ, KMS), "path");
    assert_string_equal(label_of(KMH_REG_EXPAND_SZ, KMS), "path");
    assert_string_equal(label_of(KMH_REG_SZ, u"c:/exchsrvr/bin/kmserver.EXE"), "path");
    assert_string_equal(label_of(KMH_REG_SZ, u"\\\\server\\share\\Kmserver.exe"), "path");
    /* Blanks around the value are not part of the path. */
    assert_string_equal(label_of(KMH_REG_SZ, u"  " KMS u" \t"), "path");
}

static void the_kb_case_is_path_args(void **state)
{
    assert_string_equal(label_of(KMH_REG_SZ, KMS u" Kx9!tiger"), "path+args");
    assert_string_equal(label_of(KMH_REG_SZ, KMS u" -p secret"), "path+args");
    assert_string_equal(label_of(KMH_REG_SZ, KMS u"\tsecret"), "path+args");
    /* A password ending in .exe: the path still ends at the first ".exe ". */
    assert_string_equal(label_of(KMH_REG_SZ, KMS u" tiger.exe"), "path+args");
    /* A '%' inside the arguments does not make the path a variable. */
    assert_string_equal(label_of(KMH_REG_EXPAND_SZ, KMS u" 50%off%"), "path+args");
}

static void unterminated_string_is_still_path(void **state)
{
    const char16_t *s = KMS;
    assert_string_equal(label_of_bytes(KMH_REG_SZ, s, u16len(s) * 2), "path");
}

static void data_after_the_string_is_hidden_tail(void **state)
{
    static const char16_t after_nul[] = KMS u"\0secret";
    assert_string_equal(label_of_bytes(KMH_REG_EXPAND_SZ, after_nul, sizeof after_nul),
                        "hidden-tail");
    /* An odd trailing byte that is not zero belongs to no character. */
    uint16_t odd[40] = { 0 };
    size_t n = u16len(KMS);
    memcpy(odd, KMS, (n + 1) * 2);
    ((uint8_t *)odd)[(n + 1) * 2] = 'x';
    assert_string_equal(label_of_bytes(KMH_REG_SZ, odd, (n + 1) * 2 + 1), "hidden-tail");
    /* Zero padding after the terminator hides nothing. */
    ((uint8_t *)odd)[(n + 1) * 2] = 0;
    assert_string_equal(label_of_bytes(KMH_REG_SZ, odd, (n + 1) * 2 + 1), "path");
    assert_string_equal(label_of_bytes(KMH_REG_SZ, odd, (n + 3) * 2), "path");
}

static void empty_and_blank_values(void **state)
{
    assert_string_equal(label_of_bytes(KMH_REG_SZ, NULL, 0), "empty");
    assert_string_equal(label_of(KMH_REG_SZ, u""), "empty");
    assert_string_equal(label_of(KMH_REG_EXPAND_SZ, u" \t "), "empty");
}

static void no_exe_anywhere(void **state)
{
    assert_string_equal(label_of(KMH_REG_SZ, u"C:\\Exchsrvr\\Bin\\Kmserver"), "no-exe");
    assert_string_equal(label_of(KMH_REG_SZ, u"C:\\Exchsrvr\\Bin\\Kmserver.exepw"), "no-exe");
    assert_string_equal(label_of(KMH_REG_SZ, u"\"C:\\Exchsrvr\\Bin\\\" x.exe"), "no-exe");
}

static void quoted_values(void **state)
{
    assert_string_equal(label_of(KMH_REG_SZ, u"\"" KMS u"\""), "quoted");
    assert_string_equal(label_of(KMH_REG_SZ, u"  \"C:\\Program Files\\Kmserver.exe\" "), "quoted");
    assert_string_equal(label_of(KMH_REG_SZ, u"\"" KMS u"\" Sup3rSecret"), "quoted+args");
    assert_string_equal(label_of(KMH_REG_SZ, u"\"" KMS u" Sup3rSecret\""), "quoted+args");
    assert_string_equal(label_of(KMH_REG_SZ, u"\"" KMS u" unclosed"), "quoted+args");
    /* Quotes win over what is inside them. */
    assert_string_equal(label_of(KMH_REG_EXPAND_SZ, u"\"%SystemDrive%\\Kmserver.exe\""), "quoted");
}

static void variables(void **state)
{
    assert_string_equal(label_of(KMH_REG_EXPAND_SZ, u"%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe"),
                        "env-var");
    assert_string_equal(label_of(KMH_REG_SZ, u"%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe pw"),
                        "env-var+args");
    /* Not a variable: an empty name, or a blank before the closing '%'. */
    assert_string_equal(label_of(KMH_REG_SZ, u"%%\\Kmserver.exe"), "relative");
    assert_string_equal(label_of(KMH_REG_SZ, u"%a b%\\Kmserver.exe"), "relative");
    assert_string_equal(label_of(KMH_REG_SZ, u"%unclosed\\Kmserver.exe"), "relative");
}

static void nt_prefixes(void **state)
{
    assert_string_equal(label_of(KMH_REG_SZ, u"\\??\\" KMS), "nt-prefix");
    assert_string_equal(label_of(KMH_REG_SZ, u"\\??\\" KMS u" pw"), "nt-prefix+args");
    assert_string_equal(label_of(KMH_REG_EXPAND_SZ, u"\\SystemRoot\\System32\\Kmserver.exe"),
                        "nt-prefix");
    assert_string_equal(label_of(KMH_REG_SZ, u"\\systemroot\\system32\\kmserver.exe"), "nt-prefix");
    assert_string_equal(label_of(KMH_REG_SZ, u"\\\\?\\" KMS), "nt-prefix");
    assert_string_equal(label_of(KMH_REG_SZ, u"\\\\.\\" KMS), "nt-prefix");
    /* A folder merely named like the prefix, without its backslash, is not one. */
    assert_string_equal(label_of(KMH_REG_SZ, u"\\SystemRootX\\Kmserver.exe"), "relative");
}

static void spaces_in_an_unquoted_path(void **state)
{
    assert_string_equal(label_of(KMH_REG_SZ, u"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe"),
                        "spaces");
    assert_string_equal(label_of(KMH_REG_SZ,
                                 u"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe hunter2"),
                        "spaces+args");
}

static void relative_paths(void **state)
{
    assert_string_equal(label_of(KMH_REG_SZ, u"Exchsrvr\\Bin\\Kmserver.exe"), "relative");
    assert_string_equal(label_of(KMH_REG_SZ, u"Kmserver.exe pw"), "relative+args");
    assert_string_equal(label_of(KMH_REG_SZ, u"\\Exchsrvr\\Bin\\Kmserver.exe"), "relative");
    assert_string_equal(label_of(KMH_REG_SZ, u"C:Kmserver.exe"), "relative");
}

static void names_are_distinct_and_stable(void **state)
{
    for (int i = 0; i < SHAPE_COUNT; i++) {
        assert_string_not_equal(shape_name((enum shape)i), "unknown");
        for (int j = 0; j < i; j++)
            assert_string_not_equal(shape_name((enum shape)i), shape_name((enum shape)j));
    }
    assert_string_equal(shape_name(SHAPE_COUNT), "unknown");
    assert_string_equal(shape_name((enum shape)-1), "unknown");
    /* Every "+args" label directly follows its base label. */
    assert_string_equal(shape_name(SHAPE_SPACES + 1), "spaces+args");
    assert_string_equal(shape_name(SHAPE_RELATIVE_ARGS), "relative+args");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_key_and_value),
        cmocka_unit_test(other_types_are_non_string),
        cmocka_unit_test(the_kb_default_is_path),
        cmocka_unit_test(the_kb_case_is_path_args),
        cmocka_unit_test(unterminated_string_is_still_path),
        cmocka_unit_test(data_after_the_string_is_hidden_tail),
        cmocka_unit_test(empty_and_blank_values),
        cmocka_unit_test(no_exe_anywhere),
        cmocka_unit_test(quoted_values),
        cmocka_unit_test(variables),
        cmocka_unit_test(nt_prefixes),
        cmocka_unit_test(spaces_in_an_unquoted_path),
        cmocka_unit_test(relative_paths),
        cmocka_unit_test(names_are_distinct_and_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
