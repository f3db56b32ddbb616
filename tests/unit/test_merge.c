/*
** Unit tests for db/merge.c: shard databases into one.
**
** Two "shard" files are written through the store as the harness writes
** them; the merged file is read back with plain SQL.  What must hold: every
** run and row copied (checks too, in order), a file merged twice copies
** nothing more, --combine makes one run with the rows renumbered in input
** order, every column comes along (the service states of schema step 7
** too), and a bad input leaves the output untouched.
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

#include "merge.h"
#include "store.h"

static char dir[64], out_path[128], shard[2][128];

static const struct store_run_info info = { "test", "wine-8.0", "host", "kmharness run", "xp" };

/* A shard file: one run of n scenarios named PREFIX-i, each with a check
** and the service's three states (schema step 7): even ones start a decoy
** after the fix, odd ones stop with 1. */
static void write_shard(const char *path, const char *prefix, int n, const char *verdict)
{
    struct store *st;
    char err[256], name[64];
    long long run_id;
    struct store_check check = { "same-file", strcmp(verdict, "pass") == 0, NULL };

    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    assert_int_equal(store_begin_run(st, &info, &run_id), 0);
    for (int i = 0; i < n; i++) {
        struct store_scenario sc = { .name = name, .verdict = verdict, .checks = &check,
                                     .nchecks = 1, .service_before = "running",
                                     .service_after = i % 2 ? "stopped:1" : "decoy",
                                     .service_restored = "running",
                                     .service_image = i % 2 ? NULL : "C:\\Program.exe" };
        snprintf(name, sizeof name, "%s-%d", prefix, i);
        assert_int_equal(store_add_scenario(st, run_id, i, &sc), 0);
    }
    assert_int_equal(store_end_run(st, run_id, n, 0, 0), 0);
    store_close(st);
}

static int set_up(void **state)
{
    strcpy(dir, "/tmp/kmh-merge-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(out_path, sizeof out_path, "%s/out.db", dir);
    for (int i = 0; i < 2; i++)
        snprintf(shard[i], sizeof shard[i], "%s/shard-%d.db", dir, i + 1);
    write_shard(shard[0], "a", 3, "pass");
    write_shard(shard[1], "b", 2, "fail");
    return 0;
}

static int tear_down(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static long long q(struct store *st, const char *sql)
{
    sqlite3_stmt *stmt;
    long long v = -1;
    assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL), SQLITE_OK);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

static struct store *open_out(void)
{
    struct store *st;
    char err[256];
    assert_int_equal(store_open(out_path, &st, err, sizeof err), 0);
    return st;
}

static void runs_keep_their_identity_and_twice_copies_nothing(void **state)
{
    const char *inputs[] = { shard[0], shard[1] };
    struct merge_result res;
    struct store *out = open_out();

    assert_int_equal(merge_databases(out, inputs, 2, 0, "merge", &res), 0);
    assert_int_equal(res.copied, 2);
    assert_int_equal(res.skipped, 0);
    assert_int_equal(q(out, "SELECT count(*) FROM run"), 2);
    assert_int_equal(q(out, "SELECT count(*) FROM outcome"), 5);
    assert_int_equal(q(out, "SELECT count(*) FROM check_result c JOIN scenario_result s"
                            " USING (run_id, seq) WHERE s.scenario LIKE 'b-%' AND c.ok = 0"), 2);
    assert_int_equal(q(out, "SELECT count(DISTINCT uid) FROM run"), 2);
    /* the service columns came along, NULLs included */
    assert_int_equal(q(out, "SELECT count(*) FROM scenario_result WHERE service_before = 'running'"
                            " AND service_restored = 'running'"), 5);
    assert_int_equal(q(out, "SELECT count(*) FROM scenario_result WHERE service_after = 'decoy'"
                            " AND service_image = 'C:\\Program.exe'"), 3);
    assert_int_equal(q(out, "SELECT count(*) FROM scenario_result WHERE service_after = 'stopped:1'"
                            " AND service_image IS NULL"), 2);

    assert_int_equal(merge_databases(out, inputs, 2, 0, "merge", &res), 0);
    assert_int_equal(res.copied, 0);
    assert_int_equal(res.skipped, 2);
    assert_int_equal(q(out, "SELECT count(*) FROM outcome"), 5);
    store_close(out);
}

static void combine_makes_one_run_in_input_order(void **state)
{
    const char *inputs[] = { shard[1], shard[0] };
    struct merge_result res;
    struct store *out = open_out();

    assert_int_equal(merge_databases(out, inputs, 2, 1, "kmharness merge --combine", &res), 0);
    assert_true(res.combined_run > 0);
    assert_int_equal(q(out, "SELECT count(*) FROM run"), 1);
    assert_int_equal(q(out, "SELECT count(DISTINCT seq) FROM scenario_result"), 5);
    /* shard 2's two rows first, then shard 1's: seq 0..4 */
    assert_int_equal(q(out, "SELECT seq FROM scenario_result WHERE scenario = 'a-0'"), 2);
    assert_int_equal(q(out, "SELECT passed * 10 + failed FROM run"), 32);
    assert_int_equal(q(out, "SELECT ended_at IS NOT NULL FROM run"), 1);
    assert_int_equal(q(out, "SELECT count(*) FROM check_result"), 5);
    assert_int_equal(q(out, "SELECT count(*) FROM scenario_result WHERE scenario = 'b-1'"
                            " AND service_after = 'stopped:1' AND seq = 1"), 1);
    assert_int_equal(q(out, "SELECT count(*) FROM scenario_result WHERE scenario = 'a-2'"
                            " AND service_after = 'decoy' AND service_image = 'C:\\Program.exe'"),
                     1);
    store_close(out);
}

static void a_bad_input_writes_nothing(void **state)
{
    char missing[160], text[160];
    struct merge_result res;
    struct store *out = open_out();
    FILE *f;

    snprintf(missing, sizeof missing, "%s/missing.db", dir);
    snprintf(text, sizeof text, "%s/text.db", dir);
    f = fopen(text, "w");
    fputs("not a database, not at all, just some text to fill a page\n", f);
    fclose(f);
    const char *inputs[] = { shard[0], missing };
    assert_int_not_equal(merge_databases(out, inputs, 2, 0, "merge", &res), 0);
    assert_non_null(strstr(store_error(out), "missing.db"));
    const char *inputs2[] = { shard[0], text };
    assert_int_not_equal(merge_databases(out, inputs2, 2, 1, "merge", &res), 0);
    assert_int_equal(q(out, "SELECT count(*) FROM run"), 0);
    assert_int_equal(access(missing, F_OK), -1);
    store_close(out);
}

#define T(name) cmocka_unit_test_setup_teardown(name, set_up, tear_down)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(runs_keep_their_identity_and_twice_copies_nothing),
        T(combine_makes_one_run_in_input_order),
        T(a_bad_input_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
