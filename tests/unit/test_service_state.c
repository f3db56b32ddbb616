/*
** test_service_state.c - unit tests for emu/service_state.c: the KM
** service's states as the scenario format words them ("running",
** "stopped:N", "not-started:CODE", "decoy"), read and written.
**
** The database stores the written form and reports compare it with a
** scenario's @expect-service-* line as text, so every accepted spelling
** must write back as the one canonical word.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "service_state.h"

static void test_words_round_trip(void **state)
{
    static const struct { const char *text; enum service_state_kind kind; long code; } rows[] = {
        { "running", SERVICE_STATE_RUNNING, 0 },
        { "decoy", SERVICE_STATE_DECOY, 0 },
        { "stopped:1", SERVICE_STATE_STOPPED, 1 },      /* the KM server without password */
        { "stopped:0", SERVICE_STATE_STOPPED, 0 },
        { "stopped:4294967295", SERVICE_STATE_STOPPED, 4294967295L },
        { "not-started:1053", SERVICE_STATE_NOT_STARTED, 1053 },
        { "not-started:2", SERVICE_STATE_NOT_STARTED, 2 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        struct service_state s = { 0 };
        char buf[SERVICE_STATE_TEXT_MAX];
        assert_int_equal(service_state_parse(rows[i].text, &s), 0);
        assert_int_equal(s.kind, rows[i].kind);
        assert_int_equal(s.code, rows[i].code);
        assert_int_equal(service_state_format(&s, buf, sizeof buf), 0);
        assert_string_equal(buf, rows[i].text);
    }
}

/* A symbolic name is read like the probe's OUTCOME reads one (any case),
** and written back as its number. */
static void test_names_are_written_as_numbers(void **state)
{
    struct service_state s;
    char buf[SERVICE_STATE_TEXT_MAX];
    assert_int_equal(service_state_parse("not-started:ERROR_SERVICE_DOES_NOT_EXIST", &s), 0);
    assert_int_equal(s.code, 1060);
    assert_int_equal(service_state_parse("not-started:error_service_request_timeout", &s), 0);
    assert_int_equal(s.code, 1053);
    assert_int_equal(service_state_format(&s, buf, sizeof buf), 0);
    assert_string_equal(buf, "not-started:1053");
    assert_int_equal(service_state_parse("not-started:ERROR_FILE_NOT_FOUND", &s), 0);
    assert_int_equal(s.code, 2);
}

static void test_bad_words(void **state)
{
    static const char *const bad[] = {
        "", "Running", "RUNNING", " running", "running ", "runningx", "stopped", "stopped:",
        "stopped:+1", "stopped:-1", "stopped:1x", "stopped:0x1", "stopped:4294967296",
        "stopped:99999999999", "stopped:00000000001", "stopped:ERROR_FILE_NOT_FOUND",
        "not-started", "not-started:", "not-started:ERROR_", "not-started:ERROR_NOPE",
        "not-started:KMH_NOT_INSTALLED", "not-started:KMH_NO_ERROR_CODE", "decoy:1",
        "not-installed", "stopped:1:2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct service_state s = { SERVICE_STATE_RUNNING, 7 };
        if (!service_state_parse(bad[i], &s))
            fail_msg("\"%s\" was accepted", bad[i]);
        assert_int_equal(s.kind, SERVICE_STATE_RUNNING);   /* untouched */
        assert_int_equal(s.code, 7);
    }
}

static void test_format_limits(void **state)
{
    struct service_state s = { SERVICE_STATE_NOT_STARTED, 4294967295L }, none = { 0 };
    char buf[SERVICE_STATE_TEXT_MAX], small[8];
    assert_int_equal(service_state_format(&s, buf, sizeof buf), 0);
    assert_string_equal(buf, "not-started:4294967295");
    assert_true(strlen(buf) < SERVICE_STATE_TEXT_MAX);
    assert_int_equal(service_state_format(&s, small, sizeof small), -1);
    assert_string_equal(small, "not-sta");
    strcpy(buf, "junk");
    assert_int_equal(service_state_format(&none, buf, sizeof buf), -1);
    assert_string_equal(buf, "");
}

static void test_equal(void **state)
{
    struct service_state run = { SERVICE_STATE_RUNNING, 0 }, run_odd = { SERVICE_STATE_RUNNING, 5 },
                         stop1 = { SERVICE_STATE_STOPPED, 1 }, stop2 = { SERVICE_STATE_STOPPED, 2 },
                         ns1 = { SERVICE_STATE_NOT_STARTED, 1 };
    assert_true(service_state_equal(&run, &run_odd));   /* running has no code */
    assert_true(service_state_equal(&stop1, &stop1));
    assert_false(service_state_equal(&stop1, &stop2));
    assert_false(service_state_equal(&stop1, &ns1));
    assert_false(service_state_equal(&run, &stop1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_round_trip),
        cmocka_unit_test(test_names_are_written_as_numbers),
        cmocka_unit_test(test_bad_words),
        cmocka_unit_test(test_format_limits),
        cmocka_unit_test(test_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
