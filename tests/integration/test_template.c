/*
** test_template.c - a new prefix is a copy of the launcher's template
** prefix, and still the harness's own (issue 12, cold start).
**
** A native cmocka program driving build/kmharness with KMHARNESS_PREFIX
** pointing at new folders in its scratch folder:
**   - a new prefix runs the catalog, is marked as the harness's, and is a
**     copy, not a link: the template's system.reg keeps its inode, size and
**     time after the run wrote the copy's; the copy does not carry the
**     template's mark, nor its server socket's folder name;
**   - a copy killed halfway (a prefix folder without system.reg nor mark) is
**     copied again and used, never refused as someone else's prefix;
**   - a template left by another Wine (its mark names another version) is
**     made again before it is copied: what it held is gone.
** The first two use the template every run uses (made here if missing);
** the last one its own, in the scratch folder (one `wineboot -i`).
**
** Environment (set by the Makefile): KMHARNESS, KMH_SCENARIOS.
*/
#include "support.h"

static char template_dir[4096];

static void stop_server(const char *prefix)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "WINEPREFIX='%s/%s' wineserver -k 2>/dev/null", workdir, prefix);
    shell("stop", cmd);
}

/* `run` in the prefix workdir/PREFIX on the bundled clean-sz scenario,
** with the template TEMPLATE (NULL: the default one). */
static int run_in(const char *prefix, const char *template)
{
    char cmd[12288];
    snprintf(cmd, sizeof cmd, "%s%s%sKMHARNESS_PREFIX='%s/%s' '%s' run --db t.db '%s/clean-sz.reg'",
             template ? "KMHARNESS_TEMPLATE='" : "", template ? template : "",
             template ? "' " : "", workdir, prefix, env("KMHARNESS"), env("KMH_SCENARIOS"));
    return shell(prefix, cmd);
}

static void a_new_prefix_is_a_marked_copy(void **state)
{
    char path[4400], tpath[4400];
    struct stat before, after, copy;

    /* The template exists once any prefix was made from it. */
    assert_int_equal(run_in("warm", NULL), 0);
    stop_server("warm");
    snprintf(tpath, sizeof tpath, "%s/system.reg", template_dir);
    assert_int_equal(stat(tpath, &before), 0);

    assert_int_equal(run_in("fresh", NULL), 0);
    stop_server("fresh");  /* the server writes the copy's registry as it stops */
    snprintf(path, sizeof path, "%s/fresh/.kmharness-prefix", workdir);
    assert_true(exists(path));
    snprintf(path, sizeof path, "%s/fresh/.kmharness-template", workdir);
    assert_false(exists(path));

    snprintf(path, sizeof path, "%s/fresh/system.reg", workdir);
    assert_int_equal(stat(path, &copy), 0);
    assert_int_equal(stat(tpath, &after), 0);
    assert_true(copy.st_ino != after.st_ino);
    assert_int_equal(copy.st_nlink, 1);
    assert_int_equal(after.st_ino, before.st_ino);
    assert_int_equal(after.st_size, before.st_size);
    assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);

    /* Debian's Wine names each prefix's server folder in PREFIX/wineserver:
    ** two prefixes must not share one. */
    snprintf(tpath, sizeof tpath, "%s/wineserver", template_dir);
    snprintf(path, sizeof path, "%s/fresh/wineserver", workdir);
    char *t = slurp(tpath, NULL), *p = slurp(path, NULL);
    if (t && p)
        assert_string_not_equal(t, p);
    free(t);
    free(p);
}

static void a_copy_killed_halfway_is_made_again(void **state)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/half", workdir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/half/drive_c", workdir);
    assert_int_equal(mkdir(path, 0755), 0);

    assert_int_equal(run_in("half", NULL), 0);
    stop_server("half");
    snprintf(path, sizeof path, "%s/half/.kmharness-prefix", workdir);
    assert_true(exists(path));
    snprintf(path, sizeof path, "%s/half/system.reg", workdir);
    assert_true(exists(path));
}

static void a_template_of_another_wine_is_made_again(void **state)
{
    char tpl[4200], path[4400];
    snprintf(tpl, sizeof tpl, "%s/template", workdir);
    assert_int_equal(mkdir(tpl, 0755), 0);
    snprintf(path, sizeof path, "%s/.kmharness-template", tpl);
    write_file(path, "wine-0.9 (not this one)\n");
    snprintf(path, sizeof path, "%s/system.reg", tpl);
    write_file(path, "WINE REGISTRY Version 2\n;; from another Wine\n");

    assert_int_equal(run_in("other", tpl), 0);
    stop_server("other");
    char *reg = slurp(path, NULL), *mark;
    assert_non_null(reg);
    assert_null(strstr(reg, "from another Wine"));
    free(reg);
    snprintf(path, sizeof path, "%s/.kmharness-template", tpl);
    mark = slurp(path, NULL);
    assert_non_null(mark);
    assert_non_null(strstr(mark, "wine-"));
    assert_null(strstr(mark, "not this one"));
    free(mark);
}

static int remove_all(void **state)
{
    return workdir_remove();
}

int main(void)
{
    if (workdir_make("template"))
        return 2;
    const char *cache = getenv("XDG_CACHE_HOME");
    if (getenv("KMHARNESS_TEMPLATE"))
        snprintf(template_dir, sizeof template_dir, "%s", getenv("KMHARNESS_TEMPLATE"));
    else if (cache && *cache)
        snprintf(template_dir, sizeof template_dir, "%s/kmharness/template", cache);
    else
        snprintf(template_dir, sizeof template_dir, "%s/.cache/kmharness/template", env("HOME"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_new_prefix_is_a_marked_copy),
        cmocka_unit_test(a_copy_killed_halfway_is_made_again),
        cmocka_unit_test(a_template_of_another_wine_is_made_again),
    };
    return cmocka_run_group_tests(tests, NULL, remove_all);
}
