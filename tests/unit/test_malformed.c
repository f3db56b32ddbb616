/*
** test_malformed.c - the malformed-input catalog, file by file.
**
** tests/malformed/ holds scenario files that must each be refused with one
** exact error; tests/malformed/expected.txt lists them as
** "NAME.reg:LINE: message" (the form the harness prints), and
** tests/malformed/catalog.h reads that list and writes the two entries too
** big to commit.  Here every entry goes through scenario_load(), the very
** function the runner calls, and its error must match the list exactly; the
** folder and the list must agree both ways, so a new file cannot be added
** without saying what it must give.  The end-to-end counterpart is
** tests/integration/test_malformed.c.
**
** The Makefile runs unit tests from the repository root, hence the relative
** folder.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "scenario.h"
#include "../malformed/catalog.h"

#define CATALOG_DIR "tests/malformed"

static struct catalog_entry *entries;
static size_t nentries;
static char scratch[] = "/tmp/kmh-malformed-XXXXXX";

static int set_up(void **state)
{
    if (catalog_load(CATALOG_DIR "/expected.txt", &entries, &nentries))
        return -1;
    if (!mkdtemp(scratch) || malformed_generate(scratch))
        return -1;
    return 0;
}

static int tear_down(void **state)
{
    char path[4096];
    for (size_t i = 0; i < sizeof malformed_generated / sizeof *malformed_generated; i++) {
        snprintf(path, sizeof path, "%s/%s", scratch, malformed_generated[i]);
        unlink(path);
    }
    rmdir(scratch);
    free(entries);
    return 0;
}

static const struct catalog_entry *find_entry(const char *name)
{
    for (size_t i = 0; i < nentries; i++)
        if (!strcmp(entries[i].name, name))
            return &entries[i];
    return NULL;
}

static int file_exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void catalog_is_big_enough(void **state)
{
    assert_true(nentries >= 30);
    for (size_t i = 0; i < nentries; i++)
        for (size_t j = i + 1; j < nentries; j++)
            if (!strcmp(entries[i].name, entries[j].name))
                fail_msg("%s is listed twice", entries[i].name);
}

/* Every file in the folder is listed (or is the list or its helper). */
static void every_file_is_listed(void **state)
{
    DIR *d = opendir(CATALOG_DIR);
    assert_non_null(d);
    int unlisted = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "expected.txt") ||
            !strcmp(e->d_name, "catalog.h"))
            continue;
        if (!find_entry(e->d_name)) {
            print_error("%s/%s is not listed in expected.txt\n", CATALOG_DIR, e->d_name);
            unlisted++;
        }
    }
    closedir(d);
    assert_int_equal(unlisted, 0);
}

/* Every listed file exists: in the folder, or generated (and only there). */
static void every_listed_file_exists(void **state)
{
    for (size_t i = 0; i < nentries; i++) {
        const char *name = entries[i].name;
        int generated = catalog_is_generated(name);
        if (!file_exists(generated ? scratch : CATALOG_DIR, name))
            fail_msg("%s is listed but missing", name);
        if (generated && file_exists(CATALOG_DIR, name))
            fail_msg("%s is generated and must not be committed", name);
    }
    for (size_t i = 0; i < sizeof malformed_generated / sizeof *malformed_generated; i++)
        if (!find_entry(malformed_generated[i]))
            fail_msg("generated %s is not listed", malformed_generated[i]);
}

/* scenario_load() on each entry gives exactly the listed FILE:LINE: message. */
static void every_file_gives_its_error(void **state)
{
    int wrong = 0;
    for (size_t i = 0; i < nentries; i++) {
        const struct catalog_entry *c = &entries[i];
        char path[4096], got[1024];
        struct scenario s;
        struct kmh_error err = { -1, "" };
        snprintf(path, sizeof path, "%s/%s", catalog_is_generated(c->name) ? scratch
                 : CATALOG_DIR, c->name);
        if (scenario_load(path, &s, &err) == 0) {
            print_error("%s: accepted, expected %s\n", c->name, c->expect);
            scenario_free(&s);
            wrong++;
            continue;
        }
        assert_null(s.name);   /* a refused scenario is left empty */
        assert_null(s.ops);
        snprintf(got, sizeof got, "%s:%d: %s", c->name, err.line, err.msg);
        if (strcmp(got, c->expect)) {
            print_error("got      %s\nexpected %s\n", got, c->expect);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalog_is_big_enough),
        cmocka_unit_test(every_file_is_listed),
        cmocka_unit_test(every_listed_file_exists),
        cmocka_unit_test(every_file_gives_its_error),
    };
    return cmocka_run_group_tests(tests, set_up, tear_down);
}
