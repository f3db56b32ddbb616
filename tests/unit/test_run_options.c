/*
** Unit tests for harness/run_options.c: `kmharness run`'s command line as
** both programs parse it, in particular --shard K/N (disjoint, complete,
** deterministic) and the usage errors that keep a wrong run from starting.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_options.h"

/* Parses "run ARGS..." (a NULL-terminated list); the exit status. */
static int parse(struct run_options *o, const char *first, ...)
{
    char *argv[32] = { "run" };
    int argc = 1;
    va_list ap;

    va_start(ap, first);
    for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    return run_options_parse(argc, argv, o);
}

static void shards_are_disjoint_and_complete(void **state)
{
    struct run_options o[3];
    char spec[3][8];

    for (int k = 0; k < 3; k++) {
        snprintf(spec[k], sizeof spec[k], "%d/3", k + 1);
        assert_int_equal(parse(&o[k], "--generate", "100", "--shard", spec[k], NULL), 0);
    }
    for (unsigned long long i = 0; i < 100; i++) {
        int in = 0;
        for (int k = 0; k < 3; k++)
            in += run_options_in_shard(&o[k], i);
        assert_int_equal(in, 1);
    }
    assert_true(run_options_in_shard(&o[0], 0) && run_options_in_shard(&o[1], 1)
                && run_options_in_shard(&o[2], 2) && run_options_in_shard(&o[0], 3));
    for (int k = 0; k < 3; k++)
        run_options_free(&o[k]);
}

static void no_shard_is_everything(void **state)
{
    struct run_options o;

    assert_int_equal(parse(&o, "--generate", "5", NULL), 0);
    for (unsigned long long i = 0; i < 5; i++)
        assert_true(run_options_in_shard(&o, i));
    run_options_free(&o);
}

static void bad_shards_are_usage_errors(void **state)
{
    static const char *const bad[] = { "0/3", "4/3", "1/0", "3", "1/", "/2", "a/b", "1/3x",
                                       "-1/3", "1/1000001" };
    struct run_options o;

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (parse(&o, "--generate", "5", "--shard", bad[i], NULL) != 2)
            fail_msg("--shard %s was accepted", bad[i]);
        run_options_free(&o);
    }
}

static void output_options_are_taken(void **state)
{
    struct run_options o;

    assert_int_equal(parse(&o, "--generate", "1", "--format", "json", "--junit", "x.xml",
                           "--quiet", NULL), 0);
    assert_int_equal(o.out.format, OUTPUT_JSON);
    assert_string_equal(o.out.junit_path, "x.xml");
    assert_int_equal(o.out.rows, REPORT_ROWS_NONE);
    run_options_free(&o);
    assert_int_equal(parse(&o, "--generate", "1", "--format", "xml", NULL), 2);
    run_options_free(&o);
    assert_int_equal(parse(&o, "--generate", "1", "--baseline", "/no/such/file.db", NULL), 2);
    run_options_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shards_are_disjoint_and_complete),
        cmocka_unit_test(no_shard_is_everything),
        cmocka_unit_test(bad_shards_are_usage_errors),
        cmocka_unit_test(output_options_are_taken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
