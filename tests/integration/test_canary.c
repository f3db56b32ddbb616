/*
** test_canary.c - no password leaks out of the harness (issue 4, item 2).
**
** A native cmocka program. It plants distinctive passwords ("canaries") in
** scenarios of every shape the KB's mistake and its exports take (appended,
** quoted, inside the quotes, after an embedded NUL, in another value and
** another key, in a UTF-16 file, non-ASCII, with spaces, a quote or ".exe"
** in it, without any @secret, glued to ".exe", before the path, named in
** the @summary, in a directive-free UTF-16 export of the full key, in a
** file that does not even parse) and in
** the test prefix's registry for the standalone commands, then runs every
** command (run, report, probe, fix --dry-run, fix). Afterwards it searches
** every byte the harness wrote, as UTF-8, UTF-16LE and Windows-1252: the
** database and
** its -wal/-journal, each command's stdout and stderr, and every file under
** the prefix written since the test began (the Wine log, the registry
** hives once wineserver has saved them, the emulated files), and every
** such file's name. Zero hits allowed; the only files that may hold a
** password are the fix's kept originals, which must be mode 0600 in
** folders of mode 0700. The fix's removal of a password hidden after an
** embedded NUL, and the built-in check no-hidden-tail firing when such a
** tail stays, are checked through the database.
**
** Environment (set by the Makefile): KMHARNESS, KMHARNESS_PREFIX,
** KMH_SCENARIOS (its parent is the source tree, for reghelper.c).
*/
#define _GNU_SOURCE  /* nftw's FTW_PHYS */
#include <ftw.h>
#include <time.h>
#include "support.h"

#define KMS_KEY "SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"
#define KMS_SECTION "[HKEY_LOCAL_MACHINE\\" KMS_KEY "]\r\n"
#define EXE "C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe"   /* as a .reg string holds it */
#define V5 "Windows Registry Editor Version 5.00\r\n"

static char keep_root[4096];
static struct timespec started;

/* Every password planted below. */
static const char *const canaries[] = {
    "CanAppend-7Qx", "CanQuoted-8Rw", "CanInside-9Sv", "CanHidden-1Tu", "CanNoExe-2Ts",
    "CanOtherVal-3Rs", "CanOtherKey-4Qr", "\xc3\x9cn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9-\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87-5Pq",
    "P\xc3\xa4ssw\xc3\xb6rd-\xe2\x82\xac-6Np", "can spaced 7Mo", "CanTrick-8Ln.exe",
    "Can\"Quote-9Km", "CanNoSecret-0Jh", "CanExpand-1Ig", "CanBroken-2Hf",
    "CanFixCmd-3Ge", "CanFixHid-4Fd", "CanGlued-5Ec", "CanFirst-6Db", "CanSummary-7Cb",
    "CanExport-8Ba", "CanExportHex-9Az",
};
#define NCANARIES (sizeof canaries / sizeof *canaries)

/* ---- text shapes ------------------------------------------------------ */

/* The .reg hex list ("43,00,...") of the UTF-16LE string A and, unless
** NULL, B, each followed by a NUL unit (malloc'ed). */
static char *hex_pair(const char *a, const char *b)
{
    uint8_t bytes[1024];
    size_t n = utf16le(a, bytes);
    bytes[n++] = 0, bytes[n++] = 0;
    if (b) {
        n += utf16le(b, bytes + n);
        bytes[n++] = 0, bytes[n++] = 0;
    }
    char *hex = malloc(3 * n + 1);
    for (size_t i = 0; i < n; i++)
        sprintf(hex + 3 * i, "%02x,", bytes[i]);
    hex[3 * n - 1] = 0;
    return hex;
}

/* Plain hex of A's UTF-16LE bytes, NUL, B's, NUL (for reghelper). */
static char *plain_hex_pair(const char *a, const char *b)
{
    char *h = hex_pair(a, b), *o = h;
    for (char *i = h; *i; i++)
        if (*i != ',')
            *o++ = *i;
    *o = 0;
    return h;
}

/* ---- planting ----------------------------------------------------------- */

/* TEXT as a UTF-16LE file with a BOM, the way regedit exports. */
static void write_utf16(const char *name, const char *text)
{
    uint8_t *buf = malloc(4 * strlen(text) + 2);
    buf[0] = 0xff, buf[1] = 0xfe;
    size_t n = utf16le(text, buf + 2);
    write_bytes(name, buf, n + 2);
    free(buf);
}

static void plant_scenarios(void)
{
    char path[4200], text[8192];
    snprintf(path, sizeof path, "%s/canary", workdir);
    assert_int_equal(mkdir(path, 0700), 0);

    /* c01 and c02 also hand their password to the emulated KM server
    ** (run --service): through the command line and the floppy. */
    write_file("canary/c01-appended.reg", "REGEDIT4\r\n; @secret: CanAppend-7Qx\r\n"
               "; @password: CanAppend-7Qx\r\n; @expect-service-before: running\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " CanAppend-7Qx\"\r\n");
    write_file("canary/c02-quoted.reg", "REGEDIT4\r\n; @secret: CanQuoted-8Rw\r\n"
               "; @password: CanQuoted-8Rw\r\n; @floppy: kmspwd.ini\r\n"
               "; @expect-service-after: running\r\n" KMS_SECTION
               "\"ImagePath\"=\"\\\"" EXE "\\\" CanQuoted-8Rw\"\r\n");
    write_file("canary/c03-inside-quotes.reg",
               "REGEDIT4\r\n; @secret: CanInside-9Sv\r\n" KMS_SECTION
               "\"ImagePath\"=\"\\\"" EXE " CanInside-9Sv\\\"\"\r\n");

    /* After an embedded NUL: the probe never sees it; no @secret either,
    ** so only the fix's removed text protects it. */
    char *hex = hex_pair("C:\\Exchsrvr\\Bin\\Kmserver.exe", "CanHidden-1Tu");
    snprintf(text, sizeof text, V5 "\r\n" KMS_SECTION "\"ImagePath\"=hex(1):%s\r\n", hex);
    write_file("canary/c04-hidden.reg", text);
    free(hex);
    /* The same with no .exe to find: the fix cannot act, the tail stays,
    ** and the built-in check no-hidden-tail must say so. */
    hex = hex_pair("C:\\Exchsrvr\\Bin\\Kmserver", "CanNoExe-2Ts");
    snprintf(text, sizeof text, V5 "; @secret: CanNoExe-2Ts\r\n\r\n" KMS_SECTION
             "\"ImagePath\"=hex(1):%s\r\n", hex);
    write_file("canary/c05-hidden-no-exe.reg", text);
    free(hex);

    write_file("canary/c06-other-values.reg",
               "REGEDIT4\r\n; @secret: CanOtherVal-3Rs\r\n; @secret: CanOtherKey-4Qr\r\n"
               "[HKEY_LOCAL_MACHINE\\Software\\kmh-canary]\r\n\"Note\"=\"CanOtherKey-4Qr\"\r\n"
               KMS_SECTION "\"ImagePath\"=\"" EXE "\"\r\n\"Description\"=\"CanOtherVal-3Rs\"\r\n");
    snprintf(text, sizeof text, V5 "; @secret: %s\r\n\r\n" KMS_SECTION
             "\"ImagePath\"=\"" EXE " %s\"\r\n", canaries[7], canaries[7]);
    write_utf16("canary/c07-utf16.reg", text);
    snprintf(text, sizeof text, "REGEDIT4\r\n; @secret: %s\r\n" KMS_SECTION
             "\"ImagePath\"=\"" EXE " %s\"\r\n", canaries[8], canaries[8]);
    write_file("canary/c08-utf8.reg", text);
    write_file("canary/c09-spaces.reg", "REGEDIT4\r\n; @secret: can spaced 7Mo\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " can spaced 7Mo\"\r\n");
    write_file("canary/c10-dot-exe.reg", "REGEDIT4\r\n; @secret: CanTrick-8Ln.exe\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " CanTrick-8Ln.exe\"\r\n");
    write_file("canary/c11-quote-in-password.reg", "REGEDIT4\r\n; @secret: Can\"Quote-9Km\r\n"
               KMS_SECTION "\"ImagePath\"=\"" EXE " Can\\\"Quote-9Km\"\r\n");
    write_file("canary/c12-no-secret.reg", "REGEDIT4\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " CanNoSecret-0Jh\"\r\n");
    hex = hex_pair("%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe CanExpand-1Ig", NULL);
    snprintf(text, sizeof text, V5 "; @secret: CanExpand-1Ig\r\n\r\n" KMS_SECTION
             "\"ImagePath\"=hex(2):%s\r\n", hex);
    write_file("canary/c13-expand.reg", text);
    free(hex);
    /* Shapes a splitter cannot cut, with no @secret: glued to ".exe", and
    ** the password first.  Only the rule "show nothing but the path" hides
    ** them. */
    write_file("canary/c15-glued.reg", "REGEDIT4\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE "CanGlued-5Ec\"\r\n");
    write_file("canary/c16-first.reg", "REGEDIT4\r\n" KMS_SECTION
               "\"ImagePath\"=\"CanFirst-6Db " EXE "\"\r\n");
    /* The author's summary names the password. */
    write_file("canary/c17-summary.reg",
               "REGEDIT4\r\n; @summary: the password CanSummary-7Cb is appended\r\n"
               "; @secret: CanSummary-7Cb\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " CanSummary-7Cb\"\r\n");
    /* A password equal to a word of the path: the path is shown, the
    ** password is not (checked through the database below). */
    write_file("canary/c18-path-word.reg", "REGEDIT4\r\n; @secret: Bin\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " Bin\"\r\n");
    /* A server's own export, as regedit writes it: UTF-16, no directive,
    ** the full key, the password in ImagePath (hex(2)) and in a hex(2)
    ** value after a NUL. */
    hex = hex_pair("%SystemRoot%\\..\\Exchsrvr\\Bin\\Kmserver.exe CanExport-8Ba", NULL);
    char *hidden = hex_pair("C:\\Exchsrvr\\Bin\\Kmserver.exe", "CanExportHex-9Az");
    snprintf(text, sizeof text, V5 "\r\n" KMS_SECTION "\"Type\"=dword:00000010\r\n"
             "\"Start\"=dword:00000003\r\n\"ErrorControl\"=dword:00000001\r\n"
             "\"ImagePath\"=hex(2):%s\r\n\"DisplayName\"=\"Microsoft Exchange Key Management\"\r\n"
             "\"ObjectName\"=\"LocalSystem\"\r\n\r\n"
             "[HKEY_LOCAL_MACHINE\\" KMS_KEY "\\Parameters]\r\n\"Backup\"=hex(2):%s\r\n",
             hex, hidden);
    write_utf16("canary/c19-export.reg", text);
    free(hex);
    free(hidden);
    /* Unterminated string: an input error whose message must not quote it. */
    write_file("canary/c14-broken.reg", "REGEDIT4\r\n; @secret: CanBroken-2Hf\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " CanBroken-2Hf\r\n");
}

/* ---- searching ------------------------------------------------------------ */

static size_t hits;          /* passwords found where none may be */
static size_t searched;      /* files searched */
static size_t kept_seen;     /* kept originals seen (modes checked) */

/* Report each canary in DATA[0..N) (UTF-8 or UTF-16LE) found in WHERE. */
static void search(const char *where, const uint8_t *data, size_t n)
{
    for (size_t i = 0; i < NCANARIES; i++) {
        if (has_password(data, n, canaries[i])) {
            fprintf(stderr, "canary #%zu found in %s\n", i, where);
            hits++;
        }
    }
}

static void search_file(const char *path)
{
    size_t n;
    char *buf = slurp(path, &n);
    if (!buf)
        return;  /* gone meanwhile (a -journal) */
    search(path, (const uint8_t *)buf, n);
    searched++;
    free(buf);
}

static int is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == 0);
}

static int written_since_start(const struct stat *st)
{
    return st->st_mtim.tv_sec > started.tv_sec ||
           (st->st_mtim.tv_sec == started.tv_sec && st->st_mtim.tv_nsec >= started.tv_nsec);
}

/* A kept original: private, in a private folder; its content may hold a
** password, its name may not. */
static void check_kept(const char *path, const struct stat *st)
{
    char dir[4200];
    struct stat dst;
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    if ((st->st_mode & 0777) != 0600 || stat(dir, &dst) != 0 || (dst.st_mode & 0777) != 0700) {
        fprintf(stderr, "kept original %s: mode %o in folder of mode %o\n", path,
                st->st_mode & 0777, dst.st_mode & 0777);
        hits++;
    }
    kept_seen++;
}

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    search(path, (const uint8_t *)path, strlen(path));  /* names too */
    if (flag != FTW_F || !S_ISREG(st->st_mode) || !written_since_start(st))
        return 0;
    if (is_under(path, keep_root))
        check_kept(path, st);
    else
        search_file(path);
    return 0;
}

static int visit_workdir(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    char sources[4200];
    snprintf(sources, sizeof sources, "%s/canary", workdir);
    if (is_under(path, sources) || strstr(path, "reghelper.exe"))
        return 0;  /* the planted scenarios, and the helper itself */
    search(path, (const uint8_t *)path, strlen(path));
    if (flag == FTW_F && S_ISREG(st->st_mode))
        search_file(path);
    return 0;
}

/* ---- the run ----------------------------------------------------------------- */

static int run_rc, report_rc, probe_rc, dry_rc, fix_rc;

/* Everything happens once, in this set-up; the tests below read the traces. */
static int run_everything(void **state)
{
    clock_gettime(CLOCK_REALTIME, &started);
    started.tv_sec -= 2;  /* file times come from a coarser clock */
    plant_scenarios();
    /* --service: the KM server's starts, the service manager's registry
    ** writes and Wine's log are searched too. */
    run_rc = harness("run", "run --service --db canary.db canary");
    report_rc = harness("report", "report --db canary.db");

    char args[4096];
    char *hex = plain_hex_pair("C:\\Exchsrvr\\Bin\\Kmserver.exe CanFixCmd-3Ge", "CanFixHid-4Fd");
    snprintf(args, sizeof args, "set '" KMS_KEY "' ImagePath 1 %s", hex);
    free(hex);
    assert_reghelper("reghelper", args);
    probe_rc = harness("probe", "probe");
    dry_rc = harness("dry", "fix --dry-run");
    fix_rc = harness("fix", "fix");

    /* Make wineserver save the registry hives so they can be searched;
    ** under the launcher's lock, so no harness process is cut off. */
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "flock '%s/.kmharness.lock' env WINEPREFIX='%s' wineserver -k",
             env("KMHARNESS_PREFIX"), env("KMHARNESS_PREFIX"));
    shell("flush", cmd);
    return 0;
}

static int restore_prefix(void **state)
{
    harness("rollback", "fix --rollback");
    reghelper("reghelper", "delete-key '" KMS_KEY "'");
    return 0;
}

static void every_command_ran(void **state)
{
    assert_exit_status("run", "run", run_rc, 2);  /* c14 is an input error */
    assert_exit_status("report", "report", report_rc, 0);
    assert_exit_status("probe", "probe", probe_rc, 1);  /* ERROR_PATH_NOT_FOUND: no C:\Exchsrvr here */
    assert_exit_status("fix --dry-run", "dry", dry_rc, 0);
    assert_exit_status("fix", "fix", fix_rc, 0);
    char *err = slurp("err-run.txt", NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, "c14-broken.reg:"));
    free(err);
}

static void no_password_in_anything_written(void **state)
{
    hits = searched = kept_seen = 0;
    assert_int_equal(nftw(workdir, visit_workdir, 16, FTW_PHYS), 0);
    size_t own = searched;
    assert_int_equal(nftw(env("KMHARNESS_PREFIX"), visit, 16, FTW_PHYS), 0);
    fprintf(stderr, "searched %zu output files and %zu prefix files; %zu kept originals\n",
            own, searched - own, kept_seen);
    assert_true(own >= 12);                /* the database and the outputs */
    assert_true(searched - own >= 2);      /* at least the Wine log and system.reg */
    assert_true(kept_seen >= 1);           /* the fix command's kept original */
    assert_int_equal(hits, 0);
}

/* The check's ok (1/0) for SCENARIO, -998 when it did not run. */
static long long check_ok(sqlite3 *db, const char *scenario, const char *check)
{
    char sql[512];
    snprintf(sql, sizeof sql, "select c.ok from check_result c join scenario_result s "
             "using (run_id, seq) where s.scenario = '%s' and c.name = '%s'", scenario, check);
    return query_int(db, sql, NULL);
}

static void hidden_password_removed_and_hidden_tail_flagged(void **state)
{
    sqlite3 *db = open_db("canary.db");
    assert_int_equal(query_int(db, "select count(*) from outcome", NULL), 19);
    /* The fix took the hidden password out of the registry... */
    assert_int_equal(check_ok(db, "c04-hidden", "no-hidden-tail"), 1);
    assert_int_equal(check_ok(db, "c04-hidden", "secrets-removed"), 1);
    /* ... and where it could not act, the checks say the tail is still there. */
    assert_int_equal(check_ok(db, "c05-hidden-no-exe", "no-hidden-tail"), 0);
    assert_int_equal(check_ok(db, "c05-hidden-no-exe", "secrets-removed"), 0);
    /* A password in another value is left there by the fix, and flagged. */
    assert_int_equal(check_ok(db, "c06-other-values", "secrets-removed"), 0);
    assert_int_equal(query_int(db, "select count(*) from outcome where verdict = 'error' "
                                   "and scenario = 'c14-broken'", NULL), 1);
    /* The emulated KM server really got the passwords it was searched for:
    ** from the command line (c01), and from the floppy after the fix (c02). */
    assert_int_equal(check_ok(db, "c01-appended", "expect-service-before"), 1);
    assert_int_equal(check_ok(db, "c02-quoted", "expect-service-after"), 1);
    sqlite3_close(db);
}

/* A password equal to a path word ("Bin"): the path is shown whole, the
** appended copy is not, and the fix that keeps the path passes. */
static void path_word_password_shows_the_path(void **state)
{
    sqlite3 *db = open_db("canary.db");
    char *before = query_text(db, "select image_path_before from outcome "
                                  "where scenario = 'c18-path-word'", NULL);
    assert_string_equal(before, "C:\\Exchsrvr\\Bin\\Kmserver.exe <redacted: 3 chars>");
    free(before);
    assert_int_equal(check_ok(db, "c18-path-word", "secrets-removed"), 1);
    assert_int_equal(query_int(db, "select count(*) from outcome where scenario = "
                                   "'c18-path-word' and verdict = 'pass'", NULL), 1);
    /* Values with no path to show are one marker. */
    char *glued = query_text(db, "select image_path_before from outcome "
                                 "where scenario = 'c15-glued'", NULL);
    assert_string_equal(glued, "<redacted: 40 chars>");
    free(glued);
    sqlite3_close(db);
}

int main(void)
{
    if (workdir_make("canary"))
        return 2;
    snprintf(keep_root, sizeof keep_root, "%s/kmharness-keep", env("KMHARNESS_PREFIX"));
    if (reghelper_build("build") != 0) {
        fprintf(stderr, "cannot build reghelper: see %s/err-build.txt\n", workdir);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_command_ran),
        cmocka_unit_test(no_password_in_anything_written),
        cmocka_unit_test(hidden_password_removed_and_hidden_tail_flagged),
        cmocka_unit_test(path_word_password_shows_the_path),
    };
    int failed = cmocka_run_group_tests(tests, run_everything, restore_prefix);
    if (!failed)
        workdir_remove();
    return failed;
}
