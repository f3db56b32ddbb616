/*
** test_generate.c - end-to-end tests of `kmharness run --generate`, under
** Wine.
**
** A native cmocka program like test_run.c: it runs the real harness on
** generated scenarios and reads what it left behind.  It checks that
**  - 300 generated scenarios of seed 1 run and all pass, with the breadth
**    of outcomes the grammar promises, and no planted password reaches the
**    database or the output;
**  - the same seed gives byte-identical scenario files (--emit), and a
**    shorter run gives the first files of a longer one;
**  - a generated scenario that fails is saved by --save-failures byte for
**    byte as it ran, and reproduces as a plain .reg file.  To make some
**    fail for real, the test breaks the prefix's baseline: a stray empty
**    C:\Exchsrvr\Bin folder, so "install folder missing" scenarios find
**    a folder (2 instead of 3).  The test removes it again.
**
** Environment (set by the Makefile): KMHARNESS (the launcher) and
** KMHARNESS_PREFIX (the test prefix).
*/
#include <dirent.h>
#include "support.h"

#define COUNT 300

static void assert_summary(int want_passed, int want_failed)
{
    char *out = slurp("out.txt", NULL);
    assert_non_null(out);
    int passed, failed;
    parse_summary(out, &passed, &failed);
    assert_int_equal(passed, want_passed);
    assert_int_equal(failed, want_failed);
    free(out);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names (without .reg) of the files in workdir/DIR, sorted, joined by
** spaces. */
static char *list_dir(const char *dir)
{
    char path[8192];
    workdir_path(path, sizeof path, dir);
    DIR *d = opendir(path);
    if (!d)
        return strdup("");
    char **names = NULL;
    size_t n = 0, total = 1;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".reg"))
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strndup(e->d_name, len - 4);
        total += len;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    char *joined = calloc(1, total);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(joined, " ");
        strcat(joined, names[i]);
        free(names[i]);
    }
    free(names);
    return joined;
}

/* Every scenario of run RUN in DB's outcome view whose verdict is VERDICT,
** by name, joined by spaces. */
static char *names_with_verdict(sqlite3 *db, const char *verdict)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(group_concat(scenario, ' '), '') FROM (SELECT scenario FROM "
             "outcome WHERE run_id = (SELECT max(run_id) FROM outcome) AND verdict = '%s' "
             "ORDER BY scenario)", verdict);
    return query_text(db, sql, NULL);
}

static int files_equal(const char *a, const char *b)
{
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    int same = x && y && na == nb && !memcmp(x, y, na);
    free(x);
    free(y);
    return same;
}

/* ---- secrets ------------------------------------------------------------- */

/* A scenario file's text as UTF-8: UTF-16LE (BOM FF FE) converted; the
** grammar's characters are all in the Basic Multilingual Plane. */
static char *as_utf8(const char *bytes, size_t len)
{
    const unsigned char *b = (const unsigned char *)bytes;
    if (len < 2 || b[0] != 0xff || b[1] != 0xfe)
        return strndup(bytes, len);
    char *out = malloc(len * 2), *o = out;
    for (size_t i = 2; i + 1 < len; i += 2) {
        unsigned c = b[i] | (unsigned)b[i + 1] << 8;
        if (c < 0x80) {
            *o++ = (char)c;
        } else if (c < 0x800) {
            *o++ = (char)(0xc0 | c >> 6);
            *o++ = (char)(0x80 | (c & 0x3f));
        } else {
            *o++ = (char)(0xe0 | c >> 12);
            *o++ = (char)(0x80 | ((c >> 6) & 0x3f));
            *o++ = (char)(0x80 | (c & 0x3f));
        }
    }
    *o = 0;
    return out;
}

/* The "; @secret: " values of the emitted file NAME, appended to *LIST. */
static void collect_secrets(const char *name, char ***list, size_t *n)
{
    size_t len;
    char *raw = slurp(name, &len);
    assert_non_null(raw);
    char *text = as_utf8(raw, len);
    for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        if (strncmp(line, "; @secret: ", 11))
            continue;
        *list = realloc(*list, (*n + 1) * sizeof **list);
        (*list)[(*n)++] = strdup(line + 11);
    }
    free(text);
    free(raw);
}

/* ---- fixtures ------------------------------------------------------------ */

static int make_workdir(void **state)
{
    assert_int_equal(workdir_make("generate"), 0);
    return 0;
}

static int remove_workdir(void **state)
{
    return workdir_remove();
}

/* The stray folder that breaks the baseline, inside the test prefix. */
static void stray_paths(char *top, char *bin, size_t n)
{
    snprintf(top, n, "%s/drive_c/Exchsrvr", env("KMHARNESS_PREFIX"));
    snprintf(bin, n, "%s/Bin", top);
}

static int remove_stray_folder(void **state)
{
    char top[1024], bin[1100];
    stray_paths(top, bin, sizeof top);
    rmdir(bin);  /* empty folders only: never anything a scenario left */
    rmdir(top);
    return 0;
}

/* ---- tests ----------------------------------------------------------------- */

static void generated_run_passes(void **state)
{
    char args[256];
    snprintf(args, sizeof args, "run --generate %d --seed 1 --db gen.db", COUNT);
    assert_int_equal(harness(NULL, args), 0);
    assert_summary(COUNT, 0);
    char from[8192], to[8192];
    static const char *const kept[][2] = { { "out.txt", "gen-out.txt" }, { "err.txt", "gen-err.txt" } };
    for (int i = 0; i < 2; i++) {   /* for no_secret_leaves_the_harness */
        workdir_path(from, sizeof from, kept[i][0]);
        workdir_path(to, sizeof to, kept[i][1]);
        assert_int_equal(rename(from, to), 0);
    }

    sqlite3 *db = open_db("gen.db");
    const char *run = "(SELECT max(run_id) FROM outcome)";
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM outcome WHERE run_id = %s", run);
    assert_int_equal(query_int(db, sql, NULL), COUNT);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM outcome WHERE run_id = %s AND verdict = 'pass'", run);
    assert_int_equal(query_int(db, sql, NULL), COUNT);
    char *first = query_text(db, "SELECT min(scenario) FROM outcome", NULL);
    char *last = query_text(db, "SELECT max(scenario) FROM outcome", NULL);
    assert_string_equal(first, "gen-1-000001");
    assert_string_equal(last, "gen-1-000300");
    free(first);
    free(last);
    /* The breadth make check relies on: every outcome class, before and
    ** after, shows up in these 300. */
    static const long before[] = { -1, 0, 2, 3, 123, 1630, 1812 };
    static const long after[] = { -1, 0, 2, 3, 1630, 1812 };
    for (size_t i = 0; i < sizeof before / sizeof *before; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM outcome WHERE before_code = %ld",
                 before[i]);
        assert_true(query_int(db, sql, NULL) > 0);
    }
    for (size_t i = 0; i < sizeof after / sizeof *after; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM outcome WHERE after_code = %ld",
                 after[i]);
        assert_true(query_int(db, sql, NULL) > 0);
    }
    sqlite3_close(db);
}

static void same_seed_emits_identical_files(void **state)
{
    char args[256], a[64], b[64];
    snprintf(args, sizeof args, "run --generate %d --seed 1 --emit emit1", COUNT);
    assert_int_equal(harness(NULL, args), 0);
    snprintf(args, sizeof args, "run --generate %d --seed 1 --emit emit2", COUNT);
    assert_int_equal(harness(NULL, args), 0);
    assert_int_equal(harness(NULL, "run --generate 10 --seed 1 --emit emit10"), 0);
    assert_int_equal(harness(NULL, "run --generate 10 --seed 2 --emit seed2"), 0);

    char *one = list_dir("emit1"), *two = list_dir("emit2");
    assert_string_equal(one, two);
    assert_int_equal(strlen(one), COUNT * 13 - 1);  /* "gen-1-000001" and a space */
    for (int i = 1; i <= COUNT; i++) {
        snprintf(a, sizeof a, "emit1/gen-1-%06d.reg", i);
        snprintf(b, sizeof b, "emit2/gen-1-%06d.reg", i);
        assert_true(files_equal(a, b));
        if (i <= 10) {
            snprintf(b, sizeof b, "emit10/gen-1-%06d.reg", i);
            assert_true(files_equal(a, b));
            snprintf(b, sizeof b, "seed2/gen-2-%06d.reg", i);
            assert_false(files_equal(a, b));
        }
    }
    free(one);
    free(two);
}

/* Runs after the two above: the planted passwords of the 300 files that ran
** are nowhere in what the harness wrote. */
static void no_secret_leaves_the_harness(void **state)
{
    char **secrets = NULL, name[64];
    size_t n = 0;
    for (int i = 1; i <= COUNT; i++) {
        size_t had = n;
        snprintf(name, sizeof name, "emit1/gen-1-%06d.reg", i);
        collect_secrets(name, &secrets, &n);
        for (size_t k = had; k < n; k++)   /* the search finds what is there */
            assert_true(file_has_password(name, secrets[k]));
    }
    assert_true(n > COUNT / 2);
    assert_int_equal(harness(NULL, "report --db gen.db"), 0);
    static const char *const outputs[] = {
        "gen.db", "gen.db-wal", "gen-out.txt", "gen-err.txt", "out.txt", "err.txt",
    };
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < sizeof outputs / sizeof *outputs; k++)
            if (file_has_password(outputs[k], secrets[i]))
                fail_msg("secret #%zu found in %s", i, outputs[k]);
        free(secrets[i]);
    }
    free(secrets);
}

static void saved_failure_reproduces_as_a_plain_file(void **state)
{
    char top[1024], bin[1100];
    stray_paths(top, bin, sizeof top);
    assert_int_equal(mkdir(top, 0777), 0);  /* the baseline has no such folder */
    assert_int_equal(mkdir(bin, 0777), 0);

    assert_int_equal(harness(NULL, "run --generate 30 --seed 1 --db broken.db "
                                   "--save-failures failed"), 1);
    sqlite3 *db = open_db("broken.db");
    char *failed = names_with_verdict(db, "fail");
    char *saved = list_dir("failed");
    assert_true(strlen(failed) > 0);
    assert_string_equal(saved, failed);  /* exactly the failures were saved */
    sqlite3_close(db);

    /* Byte for byte the text that ran: the same file --emit writes. */
    char a[128], b[128];
    for (char *name = strtok(saved, " "); name; name = strtok(NULL, " ")) {
        snprintf(a, sizeof a, "failed/%s.reg", name);
        snprintf(b, sizeof b, "emit1/%s.reg", name);
        assert_true(files_equal(a, b));
    }

    /* Run as plain files, with the baseline still broken: they fail again,
    ** every one of them, with the same outcomes. */
    assert_int_equal(harness(NULL, "run --db replay.db failed"), 1);
    db = open_db("replay.db");
    char *refailed = names_with_verdict(db, "fail");
    assert_string_equal(refailed, failed);
    char sql[2048];
    snprintf(sql, sizeof sql, "ATTACH '%s/broken.db' AS b", workdir);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(query_int(db, "SELECT count(*) FROM outcome r JOIN b.outcome o "
                                   "USING (scenario) WHERE r.before_code IS NOT o.before_code "
                                   "OR r.after_code IS NOT o.after_code", NULL), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM outcome", NULL),
                     query_int(db, "SELECT count(*) FROM b.outcome WHERE verdict = 'fail'",
                               NULL));
    sqlite3_close(db);

    /* With the baseline repaired the same files pass: the generator's
    ** rules were right, the prefix was wrong. */
    remove_stray_folder(state);
    assert_int_equal(harness(NULL, "run --db fixed.db failed"), 0);
    free(refailed);
    free(failed);
    free(saved);
}

static void option_errors_are_usage_errors(void **state)
{
    assert_int_equal(harness(NULL, "run --generate ten --db usage.db"), 2);
    assert_int_equal(harness(NULL, "run --seed 3 --db usage.db"), 2);
    assert_int_equal(harness(NULL, "run --generate 1 --emit a --save-failures b --db usage.db"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generated_run_passes),
        cmocka_unit_test(same_seed_emits_identical_files),
        cmocka_unit_test(no_secret_leaves_the_harness),
        cmocka_unit_test_setup_teardown(saved_failure_reproduces_as_a_plain_file,
                                        remove_stray_folder, remove_stray_folder),
        cmocka_unit_test(option_errors_are_usage_errors),
    };
    return cmocka_run_group_tests(tests, make_workdir, remove_workdir);
}
