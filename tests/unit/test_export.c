/*
** Unit tests for db/export.c: the KM service's states (schema step 7) in
** the CI formats.  JSON lines always carry the four service keys (null
** when the lifecycle did not run); TAP's YAML block and JUnit's
** properties carry only what was recorded, so a run without the lifecycle
** exports as it did before.  The formats' other content is checked end to
** end by tests/integration/test_ci_output.c.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "store.h"

static char dir[64];
static struct store *st;
static long long run_id;

/* One run: "decoyed" failed (the decoy ran after the fix), "plain" passed
** in a run where its lifecycle did not happen. */
static int set_up(void **state)
{
    static const struct store_run_info info = { "test", "wine-8.0", "host", "run", "xp",
                                                NULL, NULL };
    static const struct store_check failed = { "expect-service-after", 0,
                                               "expected running, got decoy" };
    struct store_scenario decoyed = {
        .name = "decoyed", .verdict = "fail", .checks = &failed, .nchecks = 1,
        .before = { 1, 0, NULL, NULL, NULL, 0 }, .after = { 1, 0, NULL, NULL, NULL, 0 },
        .service_before = "running", .service_after = "decoy", .service_restored = "running",
        .service_image = "C:\\Program.exe",
    };
    struct store_scenario plain = {
        .name = "plain", .verdict = "pass",
        .before = { 1, 0, NULL, NULL, NULL, 0 }, .after = { 1, 0, NULL, NULL, NULL, 0 },
    };
    char path[96], err[256];

    strcpy(dir, "/tmp/kmh-export-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/r.db", dir);
    if (store_open(path, &st, err, sizeof err) || store_begin_run(st, &info, &run_id)
        || store_add_scenario(st, run_id, 0, &decoyed) || store_add_scenario(st, run_id, 1, &plain)
        || store_end_run(st, run_id, 1, 1, 0))
        return -1;
    return 0;
}

static int tear_down(void **state)
{
    char cmd[96];
    store_close(st);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef int (*export_fn)(struct store *, long long, FILE *);

static char *export_text(export_fn fn)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_int_equal(fn(st, run_id, out), 0);
    fclose(out);
    return text;
}

static void json_carries_the_service_keys(void **state)
{
    char *text = export_text(export_json);
    assert_non_null(strstr(text, "{\"scenario\":\"decoyed\",\"verdict\":\"fail\","));
    assert_non_null(strstr(text, ",\"service_before\":\"running\",\"service_after\":\"decoy\","
                                 "\"service_restored\":\"running\","
                                 "\"service_image\":\"C:\\\\Program.exe\",\"failed_checks\":["));
    assert_non_null(strstr(text, ",\"service_before\":null,\"service_after\":null,"
                                 "\"service_restored\":null,\"service_image\":null,"
                                 "\"failed_checks\":[]}\n"));
    free(text);
}

static void tap_block_says_what_the_service_did(void **state)
{
    char *text = export_text(export_tap);
    assert_non_null(strstr(text, "not ok 1 - decoyed\n"));
    assert_non_null(strstr(text, "\n  service_before: \"running\"\n  service_after: \"decoy\"\n"
                                 "  service_restored: \"running\"\n"
                                 "  service_image: \"C:\\\\Program.exe\"\n  failed_checks:"));
    assert_non_null(strstr(text, "\nok 2 - plain\n"));
    free(text);
}

static void junit_properties_only_when_recorded(void **state)
{
    char *text = export_text(export_junit);
    const char *plain = strstr(text, "name=\"plain\"");
    assert_non_null(plain);
    const char *decoyed = strstr(text, "name=\"decoyed\"");
    assert_non_null(decoyed);
    assert_true(decoyed < plain);
    assert_non_null(strstr(decoyed, "<property name=\"service_after\" value=\"decoy\"/>"));
    assert_non_null(strstr(decoyed, "<property name=\"service_image\" value=\"C:\\Program.exe\"/>"));
    assert_null(strstr(plain, "service_"));
    assert_non_null(strstr(decoyed, "<failure type=\"expect-service-after\""));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_carries_the_service_keys),
        cmocka_unit_test(tap_block_says_what_the_service_did),
        cmocka_unit_test(junit_properties_only_when_recorded),
    };
    return cmocka_run_group_tests(tests, set_up, tear_down);
}
