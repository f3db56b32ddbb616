/*
** test_malformed.c - the malformed-input catalog, end to end.
**
** A native cmocka program driving build/kmharness (as test_run.c does).  It
** runs the whole catalog of tests/malformed/ (see expected.txt there, and
** tests/malformed/catalog.h for the two generated entries) plus one good
** scenario in ONE run, and checks the contract for input errors
** (scenario-format.md, interface.md): each bad file is reported on stderr
** as FILE:LINE: message, exactly as expected.txt says, and recorded with
** verdict error and NULL probe codes and ImagePaths in the outcome view;
** the run goes on (the good scenario still passes) and exits with status 2.
** The files plant passwords; none may appear in anything the run wrote.
**
** Environment (set by the Makefile): KMHARNESS (the launcher),
** KMH_SCENARIOS (the bundled scenarios folder, whose parent is the
** repository), KMHARNESS_PREFIX.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../malformed/catalog.h"

static char workdir[] = "/tmp/kmh-malformed-XXXXXX";
static char catalog_dir[4096];
static struct catalog_entry *entries;
static size_t nentries;
static int run_status = -1;

/* Planted in the catalog's files and in the good scenario. */
static const char *const planted[] = {
    "Tr0ub4dor&3", "Cat4log!Pw", "Malf0rmed#Key", "G00d!Scenario",
};

static const char good_scenario[] =
    "REGEDIT4\r\n; @secret: G00d!Scenario\r\n; @expect-before: 2\r\n; @expect-after: 0\r\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
    "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe G00d!Scenario\"\r\n";

static const char *env(const char *name)
{
    const char *v = getenv(name);
    if (!v) {
        fprintf(stderr, "%s is not set (run through make check)\n", name);
        exit(2);
    }
    return v;
}

static char *slurp(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", workdir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n + 1);
    size_t got = fread(buf, 1, n, f);
    buf[got] = 0;
    fclose(f);
    if (len)
        *len = got;
    return buf;
}

static int write_good_scenario(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/good.reg", workdir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(good_scenario, f);
    return fclose(f);
}

/* The one run: the catalog folder, the generated entries, the good file. */
static int run_catalog(void **state)
{
    char scenarios[4096], cmd[16384];
    snprintf(scenarios, sizeof scenarios, "%s", env("KMH_SCENARIOS"));
    snprintf(catalog_dir, sizeof catalog_dir, "%s/tests/malformed", dirname(scenarios));
    snprintf(cmd, sizeof cmd, "%s/expected.txt", catalog_dir);
    if (!mkdtemp(workdir) || catalog_load(cmd, &entries, &nentries) ||
        malformed_generate(workdir) || write_good_scenario())
        return -1;
    snprintf(cmd, sizeof cmd, "cd %s && '%s' run --db malformed.db '%s' %s %s good.reg "
             ">out.txt 2>err.txt", workdir, env("KMHARNESS"), catalog_dir,
             malformed_generated[0], malformed_generated[1]);
    int rc = system(cmd);
    run_status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return 0;
}

static int clean_up(void **state)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
    free(entries);
    return system(cmd) == 0 ? 0 : -1;
}

static sqlite3 *open_db(void)
{
    char path[4096];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/malformed.db", workdir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    return db;
}

/* The integer answered by SQL (with ?1 = NAME unless NULL): -999 for NULL,
** -998 for no row. */
static long long query_int(sqlite3 *db, const char *sql, const char *name)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (name)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    long long v = -998;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -999 : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void run_exits_with_status_2(void **state)
{
    assert_int_equal(run_status, 2);
    assert_true(nentries >= 30);
}

static void summary_counts_every_error(void **state)
{
    char *out = slurp("out.txt", NULL), want[64];
    assert_non_null(out);
    size_t n = strlen(out);
    while (n && out[n - 1] == '\n')
        out[--n] = 0;
    char *last = strrchr(out, '\n');
    snprintf(want, sizeof want, "1 passed, 0 failed, %zu errors", nentries);
    assert_string_equal(last ? last + 1 : out, want);
    free(out);
}

/* Is LINE a whole line of TEXT? */
static int has_line(const char *text, const char *line)
{
    size_t m = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p++)
        if ((p == text || p[-1] == '\n') && (p[m] == '\n' || !p[m]))
            return 1;
    return 0;
}

/* Each file's FILE:LINE: message, FILE being the path the harness was given. */
static void stderr_names_each_file_and_line(void **state)
{
    char *err = slurp("err.txt", NULL);
    assert_non_null(err);
    int missing = 0;
    for (size_t i = 0; i < nentries; i++) {
        char line[8192];
        if (catalog_is_generated(entries[i].name))
            snprintf(line, sizeof line, "%s", entries[i].expect);
        else
            snprintf(line, sizeof line, "%s/%s", catalog_dir, entries[i].expect);
        if (!has_line(err, line)) {
            print_error("not on stderr: %s\n", line);
            missing++;
        }
    }
    free(err);
    assert_int_equal(missing, 0);
}

static void each_bad_file_is_recorded_as_error(void **state)
{
    sqlite3 *db = open_db();
    static const char *const columns[] = {
        "before_code", "after_code", "image_path_before", "image_path_after",
    };
    for (size_t i = 0; i < nentries; i++) {
        char name[128], sql[256];
        snprintf(name, sizeof name, "%.*s", (int)strlen(entries[i].name) - 4, entries[i].name);
        if (query_int(db, "select count(*) from outcome where scenario = ?1 "
                          "and verdict = 'error'", name) != 1)
            fail_msg("%s is not recorded once as error", name);
        for (size_t c = 0; c < sizeof columns / sizeof *columns; c++) {
            snprintf(sql, sizeof sql, "select %s from outcome where scenario = ?1", columns[c]);
            if (query_int(db, sql, name) != -999)
                fail_msg("%s: %s is not NULL", name, columns[c]);
        }
    }
    assert_int_equal(query_int(db, "select count(*) from outcome", NULL), (long long)nentries + 1);
    assert_int_equal(query_int(db, "select count(distinct run_id) from outcome", NULL), 1);
    sqlite3_close(db);
}

/* The run went on: the good scenario ran the probe and the fix, and passed. */
static void good_scenario_still_passes(void **state)
{
    sqlite3 *db = open_db();
    assert_int_equal(query_int(db, "select verdict = 'pass' from outcome where scenario = ?1",
                               "good"), 1);
    assert_int_equal(query_int(db, "select before_code from outcome where scenario = ?1",
                               "good"), 2);
    assert_int_equal(query_int(db, "select after_code from outcome where scenario = ?1",
                               "good"), 0);
    sqlite3_close(db);
}

static int has_bytes(const char *hay, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(hay + i, needle, m))
            return 1;
    return 0;
}

static void assert_no_password_in(const char *file)
{
    size_t n;
    char *data = slurp(file, &n);
    if (!data)
        return;
    for (size_t i = 0; i < sizeof planted / sizeof *planted; i++) {
        char wide[128];
        size_t m = strlen(planted[i]);
        for (size_t j = 0; j < m; j++)
            wide[2 * j] = planted[i][j], wide[2 * j + 1] = 0;
        if (has_bytes(data, n, planted[i], m) || has_bytes(data, n, wide, 2 * m))
            fail_msg("password #%zu found in %s", i, file);
    }
    free(data);
}

static void no_password_in_any_output(void **state)
{
    assert_no_password_in("malformed.db");
    assert_no_password_in("malformed.db-wal");
    assert_no_password_in("malformed.db-journal");
    assert_no_password_in("out.txt");
    assert_no_password_in("err.txt");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(run_exits_with_status_2),
        cmocka_unit_test(summary_counts_every_error),
        cmocka_unit_test(stderr_names_each_file_and_line),
        cmocka_unit_test(each_bad_file_is_recorded_as_error),
        cmocka_unit_test(good_scenario_still_passes),
        cmocka_unit_test(no_password_in_any_output),
    };
    return cmocka_run_group_tests(tests, run_catalog, clean_up);
}
