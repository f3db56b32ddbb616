/*
** Unit tests for harness/scenario_list.c: which files `kmharness run PATH`
** takes, in which order, under which names, and what it refuses.
**
** Each test builds a small tree in a fresh temporary folder.  The expected
** lists are written out by hand from the rules in scenario_list.h.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario.h"
#include "scenario_list.h"

static char dir[64];

static int make_dir(void **state)
{
    strcpy(dir, "/tmp/kmh-list-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Creates dir/REL (a file; its folders too when REL ends in '/'). */
static void touch(const char *rel)
{
    char path[512], cmd[600];
    size_t n = strlen(rel);

    snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (rel[n - 1] == '/')
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    else
        snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\" && echo REGEDIT4 > '%s'", path,
                 path);
    assert_int_equal(system(cmd), 0);
}

static char *in_dir(const char *rel)
{
    static char path[512];

    snprintf(path, sizeof path, "%s%s%s", dir, *rel ? "/" : "", rel);
    return path;
}

/* The list's paths relative to dir, and names, as "rel=name rel=name". */
static void assert_listed(const struct scenario_list *l, const char *expected)
{
    char got[2048] = "";
    size_t skip = strlen(dir) + 1;

    for (size_t i = 0; i < l->n; i++) {
        assert_true(strlen(l->v[i].path) > skip);
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s=%s", i ? " " : "",
                 l->v[i].path + skip, l->v[i].name);
    }
    assert_string_equal(got, expected);
}

static void folder_is_walked_sorted_with_any_case_suffix(void **state)
{
    struct scenario_list l = { 0 };
    char err[512];

    touch("b.reg");
    touch("A.REG");
    touch("c.Reg");
    touch("notes.txt");
    touch("sub/deeper/z.reg");
    touch("sub/m.reg");
    touch("a.reg.txt");
    touch(".hidden.reg");
    touch(".git/x.reg");
    touch("empty/");
    assert_int_equal(scenario_list_add(&l, dir, err, sizeof err), 0);
    assert_listed(&l, "A.REG=A b.reg=b c.Reg=c sub/deeper/z.reg=z sub/m.reg=m");
    scenario_list_free(&l);
}

static void empty_folder_is_refused(void **state)
{
    struct scenario_list l = { 0 };
    char err[512];

    touch("empty/");
    assert_int_equal(scenario_list_add(&l, in_dir("empty"), err, sizeof err), -1);
    assert_int_equal(l.n, 0);
    assert_non_null(strstr(err, in_dir("empty")));
    assert_non_null(strstr(err, "no scenario files"));
    scenario_list_free(&l);
}

static void folder_of_only_text_files_is_refused(void **state)
{
    struct scenario_list l = { 0 };
    char err[512];

    touch("only/readme.txt");
    touch("only/deep/more.txt");
    assert_int_equal(scenario_list_add(&l, in_dir("only"), err, sizeof err), -1);
    assert_int_equal(l.n, 0);
    scenario_list_free(&l);
}

/* A file PATH is the user's explicit choice: taken whatever its name, and
** even when missing, so the runner records why it cannot be read. */
static void file_path_is_taken_as_given(void **state)
{
    struct scenario_list l = { 0 };
    char err[512];

    touch("scenario.txt");
    assert_int_equal(scenario_list_add(&l, in_dir("scenario.txt"), err, sizeof err), 0);
    assert_int_equal(scenario_list_add(&l, in_dir("missing.reg"), err, sizeof err), 0);
    assert_listed(&l, "scenario.txt=scenario.txt missing.reg=missing");
    scenario_list_free(&l);
}

/* A link to a folder above would loop forever; links to folders are
** skipped, links to files are followed, dangling ones kept as input
** errors for the runner. */
static void links_to_folders_are_not_followed(void **state)
{
    struct scenario_list l = { 0 };
    char err[512], target[600];

    touch("top/a.reg");
    snprintf(target, sizeof target, "%s/top", dir);
    assert_int_equal(symlink(target, in_dir("top/loop")), 0);
    assert_int_equal(symlink("a.reg", in_dir("top/b.reg")), 0);
    assert_int_equal(symlink("nowhere.reg", in_dir("top/c.reg")), 0);
    assert_int_equal(scenario_list_add(&l, in_dir("top"), err, sizeof err), 0);
    assert_listed(&l, "top/a.reg=a top/b.reg=b top/c.reg=c");
    scenario_list_free(&l);
}

static void same_name_twice_is_refused_naming_both(void **state)
{
    struct scenario_list l = { 0 };
    char err[512];

    touch("one/pw.reg");
    touch("two/PW.reg");
    touch("two/pw.reg");
    assert_int_equal(scenario_list_add(&l, dir, err, sizeof err), 0);
    assert_int_equal(scenario_list_check_names(&l, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "one/pw.reg"));
    assert_non_null(strstr(err, "two/pw.reg"));
    scenario_list_free(&l);
}

/* NAME is case-sensitive, as the contract's outcome view stores it. */
static void names_differing_in_case_are_distinct(void **state)
{
    struct scenario_list l = { 0 };
    char err[512];

    touch("pw.reg");
    touch("PW.reg");
    assert_int_equal(scenario_list_add(&l, dir, err, sizeof err), 0);
    assert_int_equal(scenario_list_check_names(&l, NULL, NULL, err, sizeof err), 0);
    scenario_list_free(&l);
}

static void same_file_given_twice_is_refused(void **state)
{
    struct scenario_list l = { 0 };
    char err[512];

    touch("x.reg");
    assert_int_equal(scenario_list_add(&l, in_dir("x.reg"), err, sizeof err), 0);
    assert_int_equal(scenario_list_add(&l, dir, err, sizeof err), 0);
    assert_int_equal(scenario_list_check_names(&l, NULL, NULL, err, sizeof err), -1);
    scenario_list_free(&l);
}

static int taken_if_gen(const char *name, void *arg)
{
    return strcmp(name, (const char *)arg) == 0;
}

static void name_of_a_generated_scenario_is_refused(void **state)
{
    struct scenario_list l = { 0 };
    char err[512];

    touch("gen-1-000002.reg");
    assert_int_equal(scenario_list_add(&l, dir, err, sizeof err), 0);
    assert_int_equal(scenario_list_check_names(&l, taken_if_gen, "gen-1-000003", err,
                                               sizeof err), 0);
    assert_int_equal(scenario_list_check_names(&l, taken_if_gen, "gen-1-000002", err,
                                               sizeof err), -1);
    assert_non_null(strstr(err, "generated"));
    scenario_list_free(&l);
}

static void names_drop_only_a_final_reg(void **state)
{
    char name[64];

    scenario_name_of("/a/b.reg/c.REG", name, sizeof name);
    assert_string_equal(name, "c");
    scenario_name_of("x.reg.reg", name, sizeof name);
    assert_string_equal(name, "x.reg");
    scenario_name_of(".reg", name, sizeof name);
    assert_string_equal(name, ".reg");
    scenario_name_of("plain", name, sizeof name);
    assert_string_equal(name, "plain");
}

#define DIR_TEST(name) cmocka_unit_test_setup_teardown(name, make_dir, remove_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DIR_TEST(folder_is_walked_sorted_with_any_case_suffix),
        DIR_TEST(empty_folder_is_refused),
        DIR_TEST(folder_of_only_text_files_is_refused),
        DIR_TEST(file_path_is_taken_as_given),
        DIR_TEST(links_to_folders_are_not_followed),
        DIR_TEST(same_name_twice_is_refused_naming_both),
        DIR_TEST(names_differing_in_case_are_distinct),
        DIR_TEST(same_file_given_twice_is_refused),
        DIR_TEST(name_of_a_generated_scenario_is_refused),
        cmocka_unit_test(names_drop_only_a_final_reg),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
