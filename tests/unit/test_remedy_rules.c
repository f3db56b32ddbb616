/*
** test_remedy_rules.c: unit tests of harness/remedy_rules.c, the pure rules
** of `run --remedy`: which component runs a remediation, and the verdict
** beside the KB fix.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "remedy_rules.h"

static void test_kind_by_extension_in_any_case(void **state)
{
    assert_int_equal(remedy_kind_of("fix.reg"), REMEDY_REG);
    assert_int_equal(remedy_kind_of("dir/FIX.CMD"), REMEDY_CMD);
    assert_int_equal(remedy_kind_of("fix.Bat"), REMEDY_CMD);
    assert_int_equal(remedy_kind_of("fix.vbs"), REMEDY_SCRIPT);
    assert_int_equal(remedy_kind_of("fix.js"), REMEDY_SCRIPT);
    assert_int_equal(remedy_kind_of("fix.exe"), REMEDY_EXE);
    assert_int_equal(remedy_kind_of("fix.ps1"), REMEDY_UNKNOWN);
    assert_int_equal(remedy_kind_of("fix"), REMEDY_UNKNOWN);
    assert_int_equal(remedy_kind_of(".cmd"), REMEDY_UNKNOWN);
    assert_int_equal(remedy_kind_of("dir.cmd/fix"), REMEDY_UNKNOWN);
    assert_int_equal(remedy_kind_of("dir/.reg"), REMEDY_UNKNOWN);
}

static void test_verdicts(void **state)
{
    /* end, checks ok, wrote outside, cured, fix cured */
    assert_int_equal(remedy_compare(REMEDY_EXITED_0, 1, 0, 1, 1), REMEDY_SAME);
    assert_int_equal(remedy_compare(REMEDY_EXITED_0, 1, 0, 0, 0), REMEDY_SAME);
    assert_int_equal(remedy_compare(REMEDY_EXITED_0, 1, 0, 1, 0), REMEDY_BETTER);
    assert_int_equal(remedy_compare(REMEDY_EXITED_0, 1, 0, 0, 1), REMEDY_WORSE);
    assert_int_equal(remedy_compare(REMEDY_EXITED_0, 0, 0, 1, 1), REMEDY_BROKEN);
    assert_int_equal(remedy_compare(REMEDY_EXITED_0, 1, 1, 1, 1), REMEDY_BROKEN);
    assert_int_equal(remedy_compare(REMEDY_EXITED_OTHER, 1, 0, 1, 1), REMEDY_BROKEN);
    assert_int_equal(remedy_compare(REMEDY_CRASHED, 1, 0, 1, 1), REMEDY_BROKEN);
    assert_int_equal(remedy_compare(REMEDY_TIMED_OUT, 1, 0, 1, 1), REMEDY_BROKEN);
    assert_int_equal(remedy_compare(REMEDY_NOT_STARTED, 1, 0, 0, 0), REMEDY_BROKEN);
    assert_string_equal(remedy_verdict_name(REMEDY_WORSE), "worse");
}

static void test_end_texts(void **state)
{
    char buf[64];
    assert_string_equal(remedy_end_text(REMEDY_EXITED_OTHER, 3, 30, buf, sizeof buf), "exit 3");
    assert_string_equal(remedy_end_text(REMEDY_CRASHED, 0xC0000005ul, 30, buf, sizeof buf),
                        "crashed (0xC0000005)");
    assert_string_equal(remedy_end_text(REMEDY_TIMED_OUT, 1, 30, buf, sizeof buf),
                        "timed out after 30 s");
    assert_string_equal(remedy_end_text(REMEDY_NOT_STARTED, 2, 30, buf, sizeof buf),
                        "not started (Win32 error 2)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_by_extension_in_any_case),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_end_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
