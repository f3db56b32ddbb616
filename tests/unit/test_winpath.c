/*
** test_winpath.c: unit tests of the text rules for placing files
** (emu/winpath.c).
**
** Each row is a path a scenario's @file line could give and whether the
** harness may place a file there.  The Windows rules behind the refusals
** (forbidden characters, reserved device names with or without an
** extension) are from Microsoft's "Naming Files, Paths, and Namespaces".
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <uchar.h>
#include <cmocka.h>
#include "winpath.h"

static size_t u16len(const char16_t *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static const char *refusal(const char16_t *path)
{
    return winpath_refusal((const uint16_t *)path, u16len(path));
}

static void test_allowed(void **state)
{
    static const char16_t *const ok[] = {
        u"C:\\Exchsrvr\\Bin\\Kmserver.exe", u"d:\\Kmserver.exe",
        u"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe", u"C:\\Exchsrvr.\\Bin\\Kmserver.exe",
        u"C:\\console\\nul-device.exe", u"C:\\COM10\\Kmserver.exe", u"C:\\LPT\\x.exe",
        u"C:\\cons.d\\..x", u"C:\\Ünïcødé\\Kmserver.exe", u"C:\\my kmharness\\x.exe",
        u"C:\\Exchsrvr\\kmharness-cache\\x.exe",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_null(refusal(ok[i]));
}

static void test_not_drive_absolute(void **state)
{
    static const char16_t *const bad[] = {
        u"", u"C:", u"C:\\", u"Kmserver.exe", u"C:Kmserver.exe", u"\\\\server\\share\\k.exe",
        u"\\??\\C:\\k.exe", u"1:\\Kmserver.exe", u"CC:\\k.exe",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(refusal(bad[i]),
                            "the path is not a full path with a drive letter (X:\\folder\\file)");
}

static void test_climbing_or_empty_parts(void **state)
{
    static const char16_t *const bad[] = {
        u"C:\\a\\..\\k.exe", u"C:\\..\\k.exe", u"C:\\a\\.\\k.exe", u"C:\\a\\\\k.exe",
        u"C:\\a\\", u"Z:\\..",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(refusal(bad[i]), "the path has an empty, '.' or '..' part");
}

static void test_forbidden_characters(void **state)
{
    static const char16_t *const bad[] = {
        u"C:\\a:b\\k.exe", u"C:\\k.exe:stream", u"C:\\a\"b\\k.exe", u"C:\\a|b.exe",
        u"C:\\a?.exe", u"C:\\*.exe", u"C:\\<x>.exe", u"C:\\a\tb.exe", u"C:\\a/b.exe",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(refusal(bad[i]),
                            "the path holds a character Windows forbids in file names");
}

static void test_device_names(void **state)
{
    static const char16_t *const bad[] = {
        u"C:\\NUL", u"C:\\Exchsrvr\\nul", u"C:\\con.txt", u"C:\\Aux.tar.gz", u"C:\\prn\\k.exe",
        u"C:\\COM1\\Kmserver.exe", u"C:\\com9.exe", u"C:\\LPT0", u"C:\\lpt1 .exe",
        u"C:\\COM\u00b9", u"C:\\CONOUT$", u"C:\\conin$.exe", u"C:\\CLOCK$",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(refusal(bad[i]),
                            "the path names a DOS device (CON, NUL, COM1, LPT1, ...)");
}

static void test_harness_folders(void **state)
{
    assert_string_equal(refusal(u"C:\\kmharness-cache\\1\\5.5.2653.9.exe"),
                        "the path is inside the harness's own folders (C:\\kmharness*)");
    assert_non_null(refusal(u"c:\\KMHARNESS\\x.exe"));
    assert_non_null(refusal(u"D:\\kmharness-drives\\x.exe"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allowed),
        cmocka_unit_test(test_not_drive_absolute),
        cmocka_unit_test(test_climbing_or_empty_parts),
        cmocka_unit_test(test_forbidden_characters),
        cmocka_unit_test(test_device_names),
        cmocka_unit_test(test_harness_folders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
