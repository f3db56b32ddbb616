/*
** test_winerror_text.c: unit tests for emu/winerror_text.c, the Windows
** error texts and symbolic names that reports and Update.exe's emulated
** message use.  Expected texts are Windows' wording (not Wine's).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "winerror_text.h"
#include "imagepath.h"
#include "era.h"

static void test_texts_are_windows_wording(void **state)
{
    assert_string_equal(winerr_text(0), "The operation completed successfully.");
    assert_string_equal(winerr_text(2), "The system cannot find the file specified.");
    assert_string_equal(winerr_text(3), "The system cannot find the path specified.");
    assert_string_equal(winerr_text(5), "Access is denied.");
    assert_string_equal(winerr_text(13), "The data is invalid.");
    assert_string_equal(winerr_text(87), "The parameter is incorrect.");
    assert_string_equal(winerr_text(123),
        "The filename, directory name, or volume label syntax is incorrect.");
    assert_string_equal(winerr_text(161), "The specified path is invalid.");
    assert_string_equal(winerr_text(206), "The filename or extension is too long.");
    assert_string_equal(winerr_text(1630), "Data of this type is not supported.");
    assert_string_equal(winerr_text(1812),
        "The specified image file did not contain a resource section.");
    assert_string_equal(winerr_text(1813),
        "The specified resource type cannot be found in the image file.");
    assert_string_equal(winerr_text(1814),
        "The specified resource name cannot be found in the image file.");
}

static void test_not_installed_text(void **state)
{
    assert_string_equal(winerr_text(KMH_NOT_INSTALLED),
        "The Key Management server is not installed; Update.exe skips it.");
}

static void test_unknown_code_has_fallback(void **state)
{
    const char *t = winerr_text(987654);
    assert_non_null(t);
    assert_true(strlen(t) > 0);
    assert_string_not_equal(t, winerr_text(0));
    assert_string_equal(winerr_text(-3), t);
    assert_null(winerr_name(987654));
}

/* Windows 2000's version API fails with the last error at 0 (emu/era.h):
** Update.exe would show error 0's text, under a name of its own so that
** outcome 0 keeps meaning "a version was read". */
static void test_no_error_code(void **state)
{
    assert_string_equal(winerr_text(KMH_NO_ERROR_CODE), winerr_text(0));
    assert_string_equal(winerr_name(KMH_NO_ERROR_CODE), "KMH_NO_ERROR_CODE");
}

static void test_names(void **state)
{
    assert_string_equal(winerr_name(0), "ERROR_SUCCESS");
    assert_string_equal(winerr_name(2), "ERROR_FILE_NOT_FOUND");
    assert_string_equal(winerr_name(3), "ERROR_PATH_NOT_FOUND");
    assert_string_equal(winerr_name(123), "ERROR_INVALID_NAME");
    assert_string_equal(winerr_name(1630), "ERROR_UNSUPPORTED_TYPE");
    assert_string_equal(winerr_name(1812), "ERROR_RESOURCE_DATA_NOT_FOUND");
}

static void test_from_name_case_insensitive(void **state)
{
    long code = 77;
    assert_int_equal(winerr_from_name("ERROR_FILE_NOT_FOUND", &code), 1);
    assert_int_equal(code, 2);
    assert_int_equal(winerr_from_name("error_path_not_found", &code), 1);
    assert_int_equal(code, 3);
    assert_int_equal(winerr_from_name("Error_Invalid_Name", &code), 1);
    assert_int_equal(code, 123);
    assert_int_equal(winerr_from_name("ERROR_RESOURCE_DATA_NOT_FOUND", &code), 1);
    assert_int_equal(code, 1812);
}

static void test_from_name_unknown_leaves_code(void **state)
{
    long code = 77;
    assert_int_equal(winerr_from_name("ERROR_FILE_NOT_FOUN", &code), 0);
    assert_int_equal(winerr_from_name("ERROR_FILE_NOT_FOUND ", &code), 0);
    assert_int_equal(winerr_from_name("", &code), 0);
    assert_int_equal(winerr_from_name("2", &code), 0);
    assert_int_equal(code, 77);
}

/* Every named code round-trips, and no two rows share a name or a code. */
static void test_names_round_trip(void **state)
{
    for (long code = -1; code < 20000; code++) {
        const char *name = winerr_name(code);
        if (!name)
            continue;
        long back = -99;
        assert_int_equal(winerr_from_name(name, &back), 1);
        assert_int_equal(back, code);
        assert_string_not_equal(winerr_text(code), winerr_text(987654));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_texts_are_windows_wording),
        cmocka_unit_test(test_not_installed_text),
        cmocka_unit_test(test_unknown_code_has_fallback),
        cmocka_unit_test(test_no_error_code),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_from_name_case_insensitive),
        cmocka_unit_test(test_from_name_unknown_leaves_code),
        cmocka_unit_test(test_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
