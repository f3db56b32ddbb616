/*
** test_era.c: unit tests for emu/era.c, the era profiles of the version
** API.  Each expectation is the Windows behaviour the rule's source states
** (Wine's dlls/version/tests/info.c, which runs on real Windows; the KB),
** written out here by hand, not read back from the table.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "era.h"
#include "imagepath.h"

struct row {
    enum era era;
    enum era_event event;
    int empty;
    long wine;
    long want;
    int assumed;
};

/* One line per behaviour the issue asks the profiles to get right. */
static const struct row table[] = {
    /* A version read is the same everywhere (info.c: kernel32.dll). */
    { ERA_NT4, ERA_VERSION_READ, 0, 0, 0, 0 },
    { ERA_2000, ERA_VERSION_READ, 0, 0, 0, 0 },
    { ERA_XP, ERA_VERSION_READ, 0, 0, 0, 0 },
    /* The KB's case, a file that is not there: XP 2; 2000 sets 0; NT4
    ** leaves the error alone, and the KB's text says it was 2. */
    { ERA_XP, ERA_SIZE_FAILED, 0, 2, 2, 0 },
    { ERA_2000, ERA_SIZE_FAILED, 0, 2, KMH_NO_ERROR_CODE, 0 },
    { ERA_NT4, ERA_SIZE_FAILED, 0, 2, 2, 0 },
    /* No version resource: XP 1812, 2000 0 (info.c test.txt); NT4 unknown. */
    { ERA_XP, ERA_SIZE_FAILED, 0, 1812, 1812, 0 },
    { ERA_2000, ERA_SIZE_FAILED, 0, 1812, KMH_NO_ERROR_CODE, 0 },
    { ERA_NT4, ERA_SIZE_FAILED, 0, 1812, 2, 1 },
    /* Codes only XP is known to pass on (3, 123, 5): assumptions. */
    { ERA_XP, ERA_SIZE_FAILED, 0, 3, 3, 1 },
    { ERA_XP, ERA_SIZE_FAILED, 0, 123, 123, 1 },
    { ERA_2000, ERA_SIZE_FAILED, 0, 123, KMH_NO_ERROR_CODE, 1 },
    { ERA_NT4, ERA_SIZE_FAILED, 0, 5, 2, 1 },
    /* An empty name (Wine says 161, Windows 98's code): NT4 3, 2000 0, XP 1812. */
    { ERA_NT4, ERA_SIZE_FAILED, 1, 161, 3, 0 },
    { ERA_2000, ERA_SIZE_FAILED, 1, 161, KMH_NO_ERROR_CODE, 0 },
    { ERA_XP, ERA_SIZE_FAILED, 1, 161, 1812, 0 },
    /* Before the version API: the same everywhere; assumed, except that an
    ** absent key means "not installed" (KB Q196171). */
    { ERA_NT4, ERA_NOT_A_STRING, 0, 1630, 1630, 1 },
    { ERA_2000, ERA_NO_KEY, 0, KMH_NOT_INSTALLED, KMH_NOT_INSTALLED, 0 },
    { ERA_NT4, ERA_NO_VALUE, 0, 2, 2, 1 },
    { ERA_XP, ERA_OTHER_FAILED, 0, 5, 5, 1 },
};

static void test_table_rows(void **state)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        const struct row *r = &table[i];
        struct era_outcome o = era_map(r->era, r->event, r->empty, r->wine);
        print_message("row %zu: %s\n", i, o.rule ? o.rule->id : "(none)");
        assert_non_null(o.rule);
        assert_int_equal(o.code, r->want);
        assert_int_equal(o.assumed, r->assumed);
    }
}

/* Every rule names a source or says it is an assumption, never neither;
** an assumed rule says "assumption". */
static void test_every_rule_is_sourced(void **state)
{
    size_t n;
    const struct era_rule *rules = era_rules(&n);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(rules[i].source);
        int says_assumption = strstr(rules[i].source, "assumption") != NULL;
        int cites = strchr(rules[i].source, '[') != NULL;
        if (rules[i].assumed)
            assert_true(says_assumption);
        else
            assert_true(cites);
    }
}

/* Every era has an answer for every event and any code. */
static void test_total(void **state)
{
    static const long codes[] = { 0, 2, 3, 5, 123, 161, 206, 1812, 1630, 999999 };
    for (int e = 0; e < ERA_COUNT; e++)
        for (int ev = ERA_VERSION_READ; ev <= ERA_OTHER_FAILED; ev++)
            for (size_t c = 0; c < sizeof codes / sizeof *codes; c++)
                for (int empty = 0; empty < 2; empty++)
                    assert_non_null(era_map((enum era)e, (enum era_event)ev, empty, codes[c]).rule);
}

static void test_names(void **state)
{
    enum era e;
    assert_int_equal(era_parse("nt4", &e), 0);
    assert_int_equal(e, ERA_NT4);
    assert_int_equal(era_parse("2000", &e), 0);
    assert_int_equal(e, ERA_2000);
    assert_int_equal(era_parse("XP", &e), 0);
    assert_int_equal(e, ERA_XP);
    assert_int_equal(era_parse("vista", &e), -1);
    assert_int_equal(era_parse("", &e), -1);
    assert_int_equal(era_parse(NULL, &e), -1);
    assert_string_equal(era_name(ERA_2000), "2000");
    assert_string_equal(era_name((enum era)7), "unknown");
    assert_int_equal(ERA_DEFAULT, ERA_XP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_every_rule_is_sourced),
        cmocka_unit_test(test_total),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
