/*
** test_isolation.c - the harness keeps to its own Wine prefix, and runs
** sharing one database lose nothing (issue 4, item 5).
**
** A native cmocka program driving build/kmharness. With HOME pointing to a
** scratch folder and WINEPREFIX set in the environment (as a user's shell
** may have it), a run must neither create ~/.wine nor touch an existing
** one, must leave the inherited WINEPREFIX alone, and must use its default
** private prefix under $HOME/.cache/kmharness/prefix (created here once,
** ~15 s). The launcher must refuse a Wine prefix it did not create unless
** --prefix names it. Two runs appending to one database at the same time,
** each in its own prefix (the test prefix and the default prefix made
** above), must both be recorded with every one of their rows.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX.
*/
#define _GNU_SOURCE  /* nftw and FTW_PHYS */
#include <ftw.h>
#include "support.h"

#define RUNS_SCENARIOS 40

static char home[1024], inherited[1024], default_prefix[1200];

/* Run CMD in workdir (stdout in out-TAG.txt, stderr in err-TAG.txt) with
** HOME and WINEPREFIX set as a user's shell might have them, and none of
** the test's own prefix settings. */
static int as_user(const char *tag, const char *cmd)
{
    char full[12288];
    snprintf(full, sizeof full, "unset KMHARNESS_PREFIX XDG_CACHE_HOME && export HOME='%s' "
             "WINEPREFIX='%s' && %s", home, inherited, cmd);
    return shell(tag, full);
}

/* ---- a fingerprint of a folder tree: every entry's name, size, mtime ---- */

static char *fingerprint_text;
static size_t fingerprint_len;

static int add_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    char line[4600];
    int n = snprintf(line, sizeof line, "%s %lld %lld.%09ld %o\n", path, (long long)st->st_size,
                     (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, st->st_mode);
    fingerprint_text = realloc(fingerprint_text, fingerprint_len + n + 1);
    memcpy(fingerprint_text + fingerprint_len, line, n + 1);
    fingerprint_len += n;
    return 0;
}

static char *fingerprint(const char *dir)
{
    fingerprint_text = calloc(1, 1);
    fingerprint_len = 0;
    nftw(dir, add_entry, 16, FTW_PHYS);
    return fingerprint_text;
}

static void write_scenario(const char *name)
{
    write_file(name,
               "REGEDIT4\r\n; @expect-before: ERROR_FILE_NOT_FOUND\r\n; @expect-after: ok\r\n"
               "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
               "\"ImagePath\"=\"C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe pw-isolation\"\r\n");
}

/* ---- ~/.wine and an inherited WINEPREFIX ---------------------------------- */

static void run_creates_no_wine_dir_and_ignores_wineprefix(void **state)
{
    char dot_wine[1100], marker[1300], sentinel[1200];
    snprintf(dot_wine, sizeof dot_wine, "%s/.wine", home);
    write_scenario("one.reg");
    assert_int_equal(as_user("first", "\"$KMHARNESS\" run --db user.db one.reg"), 0);
    assert_false(exists(dot_wine));
    assert_false(exists(inherited));
    snprintf(marker, sizeof marker, "%s/.kmharness-prefix", default_prefix);
    assert_true(exists(marker));

    /* A user's existing ~/.wine and inherited prefix stay exactly as they
    ** were, down to each file's time. */
    assert_int_equal(mkdir(dot_wine, 0755), 0);
    assert_int_equal(mkdir(inherited, 0755), 0);

    snprintf(sentinel, sizeof sentinel, "%s/system.reg", dot_wine);
    write_file(sentinel, "WINE REGISTRY Version 2\n;; the user's own\n");
    snprintf(sentinel, sizeof sentinel, "%s/system.reg", inherited);
    write_file(sentinel, "WINE REGISTRY Version 2\n;; inherited\n");
    char *wine_before = strdup(fingerprint(dot_wine));
    char *inherited_before = strdup(fingerprint(inherited));
    free(fingerprint_text);
    sleep(1);  /* so that any write would change a time */
    assert_int_equal(as_user("second", "\"$KMHARNESS\" run --db user.db one.reg"), 0);
    char *wine_after = fingerprint(dot_wine);
    assert_string_equal(wine_after, wine_before);
    free(wine_after);
    char *inherited_after = fingerprint(inherited);
    assert_string_equal(inherited_after, inherited_before);
    free(inherited_after);
    free(wine_before);
    free(inherited_before);
}

/* ---- a prefix the harness did not create ---------------------------------- */

static void foreign_prefix_is_refused_unless_named(void **state)
{
    char marker[4400], hidden[4400], reg[4400];
    snprintf(marker, sizeof marker, "%s/.kmharness-prefix", default_prefix);
    snprintf(hidden, sizeof hidden, "%s/kmharness-mark.saved", workdir);
    snprintf(reg, sizeof reg, "%s/system.reg", default_prefix);
    assert_int_equal(rename(marker, hidden), 0);  /* now a prefix like any other */
    struct stat before, after;
    assert_int_equal(stat(reg, &before), 0);

    assert_int_equal(as_user("refused", "\"$KMHARNESS\" probe"), 2);
    char *err = slurp("err-refused.txt", NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, "is a Wine prefix kmharness did not create; "
                                "name it with --prefix to use it"));
    free(err);
    assert_int_equal(stat(reg, &after), 0);
    assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
    assert_false(exists(marker));  /* refusing did not claim it either */

    char cmd[8400];
    snprintf(cmd, sizeof cmd, "\"$KMHARNESS\" probe --prefix '%s'", default_prefix);
    assert_int_equal(as_user("named", cmd), 3);  /* ran: no KM server there (probe exit 3) */
    assert_int_equal(rename(hidden, marker), 0);
}

/* ---- two runs, one database ---------------------------------------------- */

static void concurrent_runs_lose_no_rows(void **state)
{
    char dir[4400], name[64];
    snprintf(dir, sizeof dir, "%s/many", workdir);
    assert_int_equal(mkdir(dir, 0700), 0);
    for (int i = 0; i < RUNS_SCENARIOS; i++) {
        snprintf(name, sizeof name, "many/s%02d.reg", i);
        write_scenario(name);
    }
    /* Each run in its own prefix: the test prefix, and the default one,
    ** both with their wineserver already up, so that they start together. */
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "{ \"$KMHARNESS\" probe --prefix '%s'; \"$KMHARNESS\" probe; }",
             env("KMHARNESS_PREFIX"));
    as_user("warm", cmd);
    snprintf(cmd, sizeof cmd,
             "{ \"$KMHARNESS\" run --db shared.db --prefix '%s' many >out-a.txt 2>err-a.txt & "
             "pa=$!; \"$KMHARNESS\" run --db shared.db --prefix '%s' many >out-b.txt 2>err-b.txt & "
             "pb=$!; wait $pa; a=$?; wait $pb; echo $a $?; }",
             env("KMHARNESS_PREFIX"), default_prefix);
    assert_int_equal(as_user("both", cmd), 0);
    char *status = slurp("out-both.txt", NULL);
    assert_non_null(status);
    assert_string_equal(status, "0 0\n");
    free(status);

    sqlite3 *db = open_db("shared.db");
    assert_int_equal(query_int(db, "select count(*) from outcome", NULL), 2 * RUNS_SCENARIOS);
    assert_int_equal(query_int(db, "select count(distinct run_id) from outcome", NULL), 2);
    assert_int_equal(query_int(db, "select count(*) from outcome where verdict = 'pass'", NULL),
                     2 * RUNS_SCENARIOS);
    char sql[256];
    snprintf(sql, sizeof sql, "select count(*) from run where ended_at is not null "
             "and passed = %d and failed = 0", RUNS_SCENARIOS);
    assert_int_equal(query_int(db, sql, NULL), 2);
    /* They did run at the same time: each started before the other ended. */
    assert_int_equal(query_int(db, "select count(*) from run a join run b on a.id < b.id "
                                   "where a.started_at <= b.ended_at "
                                   "and b.started_at <= a.ended_at", NULL), 1);
    sqlite3_close(db);
}

/* ---- set-up --------------------------------------------------------------- */

static int remove_all(void **state)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "env WINEPREFIX='%s' wineserver -k 2>/dev/null", default_prefix);
    system(cmd);
    workdir_remove();
    return 0;
}

int main(void)
{
    if (workdir_make("isolation"))
        return 2;
    snprintf(home, sizeof home, "%s/home", workdir);
    snprintf(inherited, sizeof inherited, "%s/users-own-prefix", workdir);
    snprintf(default_prefix, sizeof default_prefix, "%s/.cache/kmharness/prefix", home);
    if (mkdir(home, 0700) != 0)
        return 2;
    setenv("KMHARNESS", env("KMHARNESS"), 1);  /* for the $KMHARNESS in commands */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(run_creates_no_wine_dir_and_ignores_wineprefix),
        cmocka_unit_test(foreign_prefix_is_refused_unless_named),
        cmocka_unit_test(concurrent_runs_lose_no_rows),
    };
    return cmocka_run_group_tests(tests, NULL, remove_all);
}
