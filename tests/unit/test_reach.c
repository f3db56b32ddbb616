/*
** test_reach.c - what a scenario's registry content may reach
** (reg/scenario.c, issue 7 item 7): the keys it may never delete (the
** hive roots and the control set), the harness's own keys, and the cap on
** operations, each refused at its line before anything is applied; every
** other key under HKEY_LOCAL_MACHINE may be deleted, as the contract says. The malformed catalog (tests/malformed/)
** holds the plain refusals with their exact messages; here the edges.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scenario.h"

/* Parse TEXT as a scenario; 0, or the line of its error. */
static int parse_line(const char *text)
{
    struct scenario s;
    struct kmh_error err;
    if (scenario_parse("reach", (const uint8_t *)text, strlen(text), &s, &err))
        return err.line ? err.line : -1;
    scenario_free(&s);
    return 0;
}

static int deletes(const char *key)
{
    char text[1024];
    snprintf(text, sizeof text, "REGEDIT4\r\n[-HKEY_LOCAL_MACHINE\\%s]\r\n", key);
    return parse_line(text);
}

/* The contract: [-KEY] means what it means to regedit, for any key under
** HKEY_LOCAL_MACHINE. What a deletion may cost is capped where it is
** applied (harness/regapply.c, tests/wine/test_regapply.c), not here. */
static void keys_below_the_roots_may_be_deleted(void **state)
{
    static const char *const allowed[] = {
        "SOFTWARE\\SomeVendor\\Old", "software\\somevendor", "SOFTWARE\\Microsoft",
        "SOFTWARE\\Classes", "SOFTWARE\\Wow6432Node",
        "SOFTWARE\\Wow6432Node\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS",
        "SYSTEM\\CurrentControlSet\\Services", "SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS",
        "system\\currentcontrolset\\services\\msexchangekms\\Enum",
        "SYSTEM\\CurrentControlSet\\Control\\Nls", "SYSTEM\\ControlSet001\\Services",
        "SYSTEM\\Select", "HARDWARE\\DESCRIPTION", "KmhScratch",
        /* Only a control set's own name is one: three digits, nothing more. */
        "SYSTEM\\ControlSet1", "SYSTEM\\ControlSet0011", "SYSTEM\\ControlSetX01",
        "SYSTEM\\CurrentControlSetX", "SOFTWAREX", "SYSTEM32",
    };
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        if (deletes(allowed[i]) != 0)
            fail_msg("deleting %s was refused", allowed[i]);
}

static void hive_roots_and_the_control_set_are_refused_at_their_line(void **state)
{
    static const char *const refused[] = {
        "SOFTWARE", "software", "SYSTEM", "HARDWARE", "SAM", "Security",
        "SYSTEM\\CurrentControlSet", "system\\CURRENTCONTROLSET", "SYSTEM\\ControlSet001",
        "SYSTEM\\ControlSet002", "SYSTEM\\controlset999",
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        if (deletes(refused[i]) != 2)
            fail_msg("deleting %s was not refused at line 2", refused[i]);
    /* At the deletion's own line, whatever comes before it. */
    assert_int_equal(parse_line("REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor]\r\n"
                                "\"v\"=dword:1\r\n\r\n[-HKEY_LOCAL_MACHINE\\SYSTEM]\r\n"),
                     5);
}

static void the_harness_own_keys_are_out_of_reach(void **state)
{
    assert_int_equal(parse_line("REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\KmHarness-Placed]\r\n"),
                     2);
    assert_int_equal(parse_line("REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\Software\\kmharness-undo\\journal"
                                "\\00000001]\r\n\"kind\"=dword:00000001\r\n"),
                     2);
    /* Nor deleted: that would delete the undo journal with them. */
    assert_int_equal(deletes("Software\\kmharness-undo"), 2);
    /* Only right below Software: elsewhere the name is nobody's. */
    assert_int_equal(parse_line("REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\Software\\Vendor\\kmharness]\r\n"),
                     0);
}

/* A key line and VALUES value lines: 1 + VALUES operations. */
static char *many_values(size_t values)
{
    size_t size = 64 + values * 32;
    char *text = malloc(size), *p = text;
    p += sprintf(p, "REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\Software\\kmh-reach]\r\n");
    for (size_t i = 0; i < values; i++)
        p += sprintf(p, "\"v%zu\"=dword:1\r\n", i);
    return text;
}

static void at_most_65536_operations(void **state)
{
    char *text = many_values(65535);
    assert_int_equal(parse_line(text), 0);
    free(text);
    text = many_values(65536);
    /* Operation 65537 is the value on line 65538 (after header and key). */
    assert_int_equal(parse_line(text), 65538);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_below_the_roots_may_be_deleted),
        cmocka_unit_test(hive_roots_and_the_control_set_are_refused_at_their_line),
        cmocka_unit_test(the_harness_own_keys_are_out_of_reach),
        cmocka_unit_test(at_most_65536_operations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
