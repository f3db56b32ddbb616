/*
** test_cli.c - the command-line conventions, end to end (issue 8, items 7
** and 8): `COMMAND --help` for every command, on stdout, exit 0, with no
** Wine started and no prefix made; `report` with no prefix at all; the
** usage-error line of each command equal to its --help usage line; the man
** page carrying every usage line; a database that cannot be written
** refused before any prefix is made, the path said once; probe's exit
** status one kind of outcome per code.
**
** "No Wine" is checked by pointing KMHARNESS_PREFIX at a folder that does
** not exist: the launcher makes it before it starts Wine, so its absence
** afterwards shows Wine was never reached.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX,
** KMH_SCENARIOS (the source tree is its parent).
*/
#include "support.h"

static const char *const commands[] = { "run", "report", "merge", "probe", "fix" };
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* The launcher with ARGS and KMHARNESS_PREFIX set to workdir/PREFIX_NAME. */
static int harness_in(const char *prefix_name, const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "env KMHARNESS_PREFIX='%s/%s' '%s' %s", workdir, prefix_name,
             env("KMHARNESS"), args);
    return shell(NULL, cmd);
}

static int no_prefix_made(const char *prefix_name)
{
    char path[8192];
    workdir_path(path, sizeof path, prefix_name);
    return !exists(path);
}

/* The first line of stdout (a usage line), malloc'ed. */
static char *first_out_line(void)
{
    char *out = slurp("out.txt", NULL);
    assert_non_null(out);
    out[strcspn(out, "\n")] = '\0';
    return out;
}

static void help_of_every_command_starts_no_wine(void **state)
{
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char args[64];
        snprintf(args, sizeof args, "%s --help", commands[i]);
        assert_int_equal(harness_in("never", args), 0);
        char *line = first_out_line(), expected[64];
        snprintf(expected, sizeof expected, "usage: kmharness %s ", commands[i]);
        assert_true(strncmp(line, expected, strlen(expected)) == 0);
        free(line);
    }
    assert_int_equal(harness_in("never", "--help"), 0);
    char *out = slurp("out.txt", NULL);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char entry[32];
        snprintf(entry, sizeof entry, "  %s ", commands[i]);
        assert_non_null(strstr(out, entry));
    }
    free(out);
    assert_int_equal(harness_in("never", "frobnicate"), 2);
    assert_true(no_prefix_made("never"));
}

/* TEXT with troff font changes (\fB \fI \fR \fP) and "\-" undone. */
static void untroff(char *text)
{
    char *w = text;
    for (const char *r = text; *r;) {
        if (r[0] == '\\' && r[1] == 'f' && r[2]) {
            r += 3;
        } else if (r[0] == '\\' && r[1] == '-') {
            *w++ = '-';
            r += 2;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* Each command's usage error prints its --help usage line, and the man
** page holds it: three texts, one synopsis. */
static void usage_errors_and_man_page_agree_with_help(void **state)
{
    char man_path[4096];
    snprintf(man_path, sizeof man_path, "%s/../docs/kmharness.1", env("KMH_SCENARIOS"));
    char *man = slurp(man_path, NULL);
    assert_non_null(man);
    untroff(man);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char args[64];
        snprintf(args, sizeof args, "%s --help", commands[i]);
        assert_int_equal(harness_in("never", args), 0);
        char *usage = first_out_line();
        const char *synopsis = usage + strlen("usage: ");
        if (!strstr(man, synopsis))
            fail_msg("docs/kmharness.1 lacks \"%s\"", synopsis);

        snprintf(args, sizeof args, "%s --no-such-option", commands[i]);
        assert_int_equal(harness(NULL, args), 2);
        char *err = slurp("err.txt", NULL);
        if (!strstr(err, usage))
            fail_msg("%s: the usage error does not say \"%s\": %s", commands[i], usage, err);
        free(err);
        free(usage);
    }
    free(man);
    assert_true(no_prefix_made("never"));
}

static const char absent[] =
    "REGEDIT4\r\n"
    "; @expect-before: not-installed\r\n"
    "; @expect-after: not-installed\r\n"
    "\r\n"
    "[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n";

static void report_needs_no_prefix(void **state)
{
    write_file("absent.reg", absent);
    assert_int_equal(harness(NULL, "run --db cli.db absent.reg"), 0);
    assert_int_equal(harness_in("none", "report --db cli.db"), 0);
    char *out = slurp("out.txt", NULL);
    assert_string_equal(last_line(out), "1 passed, 0 failed");
    free(out);
    assert_int_equal(harness_in("none", "report --db missing.db"), 2);
    assert_true(no_prefix_made("none"));
}

static int count(const char *text, const char *part)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, part)); p += strlen(part))
        n++;
    return n;
}

/* "afile" is a file, so nothing can be made below it (whoever runs this,
** root included). */
static void unwritable_database_is_refused_before_the_prefix(void **state)
{
    write_file("absent.reg", absent);
    write_file("afile", "a file, not a folder\n");
    assert_int_equal(harness_in("none2", "run --db afile/results.db absent.reg"), 2);
    char *err = slurp("err.txt", NULL), *out = slurp("out.txt", NULL);
    assert_int_equal(count(err, "afile/results.db"), 1);
    assert_string_equal(out, "");
    free(err);
    free(out);
    assert_true(no_prefix_made("none2"));
}

/* TEXT as REG_SZ data for reghelper: UTF-16LE hex with its NUL. */
static void reg_sz_hex(const char *text, char *hex, size_t n)
{
    uint8_t bytes[1024];
    size_t len = utf16le(text, bytes), used = 0;
    for (size_t i = 0; i < len && used + 3 < n; i++)
        used += (size_t)snprintf(hex + used, n - used, "%02x", bytes[i]);
    snprintf(hex + used, n - used, "0000");
}

#define KMS_KEY "SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"

static void set_image_path(const char *value)
{
    char hex[2048], args[2200];
    reg_sz_hex(value, hex, sizeof hex);
    snprintf(args, sizeof args, "set '" KMS_KEY "' ImagePath 1 %s", hex);
    assert_reghelper("reg", args);
}

/* probe's exit status says which kind of outcome, never the code itself:
** ERROR_FILE_NOT_FOUND (2) must not read as the usage error's 2.  A file
** with a version resource every prefix has: Wine's kernel32.dll. */
static void probe_exit_says_which_kind_of_outcome(void **state)
{
    assert_int_equal(reghelper_build("build"), 0);
    set_image_path("C:\\windows\\system32\\kernel32.dll");
    assert_int_equal(harness("p0", "probe"), 0);
    char *out = slurp("out-p0.txt", NULL);
    assert_non_null(strstr(out, "outcome: 0"));
    free(out);

    set_image_path("C:\\windows\\system32\\kernel32.dll Pr0be-pw");
    assert_int_equal(harness("p2", "probe"), 1);
    out = slurp("out-p2.txt", NULL);
    assert_non_null(strstr(out, "outcome: 2 ERROR_FILE_NOT_FOUND"));
    assert_null(strstr(out, "Pr0be-pw"));
    free(out);

    assert_reghelper("reg", "delete-key '" KMS_KEY "'");
    assert_int_equal(harness("p3", "probe"), 3);
    assert_int_equal(harness("pu", "probe --no-such-option"), 2);
}

int main(void)
{
    if (workdir_make("cli"))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_of_every_command_starts_no_wine),
        cmocka_unit_test(usage_errors_and_man_page_agree_with_help),
        cmocka_unit_test(report_needs_no_prefix),
        cmocka_unit_test(unwritable_database_is_refused_before_the_prefix),
        cmocka_unit_test(probe_exit_says_which_kind_of_outcome),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (!failed)
        workdir_remove();
    return failed;
}
