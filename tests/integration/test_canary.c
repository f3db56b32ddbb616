/*
** test_canary.c - no password leaks out of the harness (issue 4, item 2).
**
** A native cmocka program. It plants distinctive passwords ("canaries") in
** scenarios of every shape the KB's mistake and its exports take (appended,
** quoted, inside the quotes, after an embedded NUL, in another value and
** another key, in a UTF-16 file, non-ASCII, with spaces, a quote or ".exe"
** in it, without any @secret, in a file that does not even parse) and in
** the test prefix's registry for the standalone commands, then runs every
** command (run, report, probe, fix --dry-run, fix). Afterwards it searches
** every byte the harness wrote, as UTF-8 and as UTF-16LE: the database and
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
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KMS_KEY "SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"
#define KMS_SECTION "[HKEY_LOCAL_MACHINE\\" KMS_KEY "]\r\n"
#define EXE "C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe"   /* as a .reg string holds it */
#define V5 "Windows Registry Editor Version 5.00\r\n"

static char workdir[] = "/tmp/kmh-canary-XXXXXX";
static char keep_root[4096];
static struct timespec started;

/* Every password planted below. */
static const char *const canaries[] = {
    "CanAppend-7Qx", "CanQuoted-8Rw", "CanInside-9Sv", "CanHidden-1Tu", "CanNoExe-2Ts",
    "CanOtherVal-3Rs", "CanOtherKey-4Qr", "\xc3\x9cn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9-\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87-5Pq",
    "P\xc3\xa4ssw\xc3\xb6rd-\xe2\x82\xac-6Np", "can spaced 7Mo", "CanTrick-8Ln.exe",
    "Can\"Quote-9Km", "CanNoSecret-0Jh", "CanExpand-1Ig", "CanBroken-2Hf",
    "CanFixCmd-3Ge", "CanFixHid-4Fd",
};
#define NCANARIES (sizeof canaries / sizeof *canaries)

static const char *env(const char *name)
{
    const char *v = getenv(name);
    if (!v) {
        fprintf(stderr, "%s is not set (run through make check)\n", name);
        exit(2);
    }
    return v;
}

/* Run CMD in workdir with stdout in out-TAG.txt and stderr in err-TAG.txt. */
static int shell(const char *tag, const char *cmd)
{
    char full[8192];
    snprintf(full, sizeof full, "cd '%s' && %s >out-%s.txt 2>err-%s.txt", workdir, cmd, tag,
             tag);
    int rc = system(full);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int harness(const char *tag, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s", env("KMHARNESS"), args);
    return shell(tag, cmd);
}

/* The helper runs in the launcher's environment (harness/kmharness.sh),
** with wine started directly: the launcher's start-up (0.5 s a call) would
** dominate these tests, and the prefix is set up and idle here. */
#define HELPER_ENV "WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml=;winedbg.exe=d'"

static int reghelper(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "env WINEPREFIX='%s' " HELPER_ENV " wine '%s/reghelper.exe.so' %s",
             env("KMHARNESS_PREFIX"), workdir, args);
    return shell("reghelper", cmd);
}

/* ---- text shapes ------------------------------------------------------ */

/* UTF-8 S as UTF-16LE bytes into OUT (room for 4 * strlen(S)); the length. */
static size_t utf16le(const char *s, uint8_t *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p) {
        uint32_t c;
        int extra = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc0 ? 1 : 0;
        c = extra ? *p & (0x3f >> extra) : *p;
        p++;
        while (extra-- > 0 && *p)
            c = c << 6 | (*p++ & 0x3f);
        if (c >= 0x10000) {
            c -= 0x10000;
            uint16_t hi = 0xd800 | (c >> 10), lo = 0xdc00 | (c & 0x3ff);
            out[n++] = hi & 0xff, out[n++] = hi >> 8, out[n++] = lo & 0xff, out[n++] = lo >> 8;
        } else {
            out[n++] = c & 0xff, out[n++] = c >> 8;
        }
    }
    return n;
}

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

static void write_bytes(const char *name, const void *data, size_t len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/canary/%s", workdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void write_text(const char *name, const char *text)
{
    write_bytes(name, text, strlen(text));
}

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

    write_text("c01-appended.reg", "REGEDIT4\r\n; @secret: CanAppend-7Qx\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " CanAppend-7Qx\"\r\n");
    write_text("c02-quoted.reg", "REGEDIT4\r\n; @secret: CanQuoted-8Rw\r\n" KMS_SECTION
               "\"ImagePath\"=\"\\\"" EXE "\\\" CanQuoted-8Rw\"\r\n");
    write_text("c03-inside-quotes.reg", "REGEDIT4\r\n; @secret: CanInside-9Sv\r\n" KMS_SECTION
               "\"ImagePath\"=\"\\\"" EXE " CanInside-9Sv\\\"\"\r\n");

    /* After an embedded NUL: the probe never sees it; no @secret either,
    ** so only the fix's removed text protects it. */
    char *hex = hex_pair("C:\\Exchsrvr\\Bin\\Kmserver.exe", "CanHidden-1Tu");
    snprintf(text, sizeof text, V5 "\r\n" KMS_SECTION "\"ImagePath\"=hex(1):%s\r\n", hex);
    write_text("c04-hidden.reg", text);
    free(hex);
    /* The same with no .exe to find: the fix cannot act, the tail stays,
    ** and the built-in check no-hidden-tail must say so. */
    hex = hex_pair("C:\\Exchsrvr\\Bin\\Kmserver", "CanNoExe-2Ts");
    snprintf(text, sizeof text, V5 "; @secret: CanNoExe-2Ts\r\n\r\n" KMS_SECTION
             "\"ImagePath\"=hex(1):%s\r\n", hex);
    write_text("c05-hidden-no-exe.reg", text);
    free(hex);

    write_text("c06-other-values.reg",
               "REGEDIT4\r\n; @secret: CanOtherVal-3Rs\r\n; @secret: CanOtherKey-4Qr\r\n"
               "[HKEY_LOCAL_MACHINE\\Software\\kmh-canary]\r\n\"Note\"=\"CanOtherKey-4Qr\"\r\n"
               KMS_SECTION "\"ImagePath\"=\"" EXE "\"\r\n\"Description\"=\"CanOtherVal-3Rs\"\r\n");
    snprintf(text, sizeof text, V5 "; @secret: %s\r\n\r\n" KMS_SECTION
             "\"ImagePath\"=\"" EXE " %s\"\r\n", canaries[7], canaries[7]);
    write_utf16("c07-utf16.reg", text);
    snprintf(text, sizeof text, "REGEDIT4\r\n; @secret: %s\r\n" KMS_SECTION
             "\"ImagePath\"=\"" EXE " %s\"\r\n", canaries[8], canaries[8]);
    write_text("c08-utf8.reg", text);
    write_text("c09-spaces.reg", "REGEDIT4\r\n; @secret: can spaced 7Mo\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " can spaced 7Mo\"\r\n");
    write_text("c10-dot-exe.reg", "REGEDIT4\r\n; @secret: CanTrick-8Ln.exe\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " CanTrick-8Ln.exe\"\r\n");
    write_text("c11-quote-in-password.reg", "REGEDIT4\r\n; @secret: Can\"Quote-9Km\r\n"
               KMS_SECTION "\"ImagePath\"=\"" EXE " Can\\\"Quote-9Km\"\r\n");
    write_text("c12-no-secret.reg", "REGEDIT4\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " CanNoSecret-0Jh\"\r\n");
    hex = hex_pair("%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe CanExpand-1Ig", NULL);
    snprintf(text, sizeof text, V5 "; @secret: CanExpand-1Ig\r\n\r\n" KMS_SECTION
             "\"ImagePath\"=hex(2):%s\r\n", hex);
    write_text("c13-expand.reg", text);
    free(hex);
    /* Unterminated string: an input error whose message must not quote it. */
    write_text("c14-broken.reg", "REGEDIT4\r\n; @secret: CanBroken-2Hf\r\n" KMS_SECTION
               "\"ImagePath\"=\"" EXE " CanBroken-2Hf\r\n");
}

/* ---- searching ------------------------------------------------------------ */

static int has_bytes(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t i = 0; m && i + m <= n; i++)
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, m))
            return 1;
    return 0;
}

static size_t hits;          /* passwords found where none may be */
static size_t searched;      /* files searched */
static size_t kept_seen;     /* kept originals seen (modes checked) */

/* Report each canary in DATA[0..N) (UTF-8 or UTF-16LE) found in WHERE. */
static void search(const char *where, const uint8_t *data, size_t n)
{
    for (size_t i = 0; i < NCANARIES; i++) {
        uint8_t wide[512];
        size_t m = utf16le(canaries[i], wide);
        if (has_bytes(data, n, (const uint8_t *)canaries[i], strlen(canaries[i])) ||
            has_bytes(data, n, wide, m)) {
            fprintf(stderr, "canary #%zu found in %s\n", i, where);
            hits++;
        }
    }
}

static void search_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;  /* gone meanwhile (a -journal) */
    size_t cap = 1 << 20, n = 0, got;
    uint8_t *buf = malloc(cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0)
        if ((n += got) == cap)
            buf = realloc(buf, cap *= 2);
    fclose(f);
    search(path, buf, n);
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
    run_rc = harness("run", "run --db canary.db canary");
    report_rc = harness("report", "report --db canary.db");

    char args[4096];
    char *hex = plain_hex_pair("C:\\Exchsrvr\\Bin\\Kmserver.exe CanFixCmd-3Ge", "CanFixHid-4Fd");
    snprintf(args, sizeof args, "set '" KMS_KEY "' ImagePath 1 %s", hex);
    free(hex);
    assert_int_equal(reghelper(args), 0);
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
    reghelper("delete-key '" KMS_KEY "'");
    return 0;
}

static void every_command_ran(void **state)
{
    assert_int_equal(run_rc, 2);      /* c14 is an input error */
    assert_int_equal(report_rc, 0);
    assert_int_equal(probe_rc, 3);    /* ERROR_PATH_NOT_FOUND: no C:\Exchsrvr here */
    assert_int_equal(dry_rc, 0);
    assert_int_equal(fix_rc, 0);
    char path[4200], line[4096];
    snprintf(path, sizeof path, "%s/err-run.txt", workdir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int reported = 0;
    while (fgets(line, sizeof line, f))
        reported |= strstr(line, "c14-broken.reg:") != NULL;
    fclose(f);
    assert_true(reported);
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

static long long query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -998;
    sqlite3_finalize(st);
    return v;
}

/* The check's ok (1/0) for SCENARIO, -998 when it did not run. */
static long long check_ok(sqlite3 *db, const char *scenario, const char *check)
{
    char sql[512];
    snprintf(sql, sizeof sql, "select c.ok from check_result c join scenario_result s "
             "using (run_id, seq) where s.scenario = '%s' and c.name = '%s'", scenario, check);
    return query_int(db, sql);
}

static void hidden_password_removed_and_hidden_tail_flagged(void **state)
{
    char path[4200];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/canary.db", workdir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(query_int(db, "select count(*) from outcome"), 14);
    /* The fix took the hidden password out of the registry... */
    assert_int_equal(check_ok(db, "c04-hidden", "no-hidden-tail"), 1);
    assert_int_equal(check_ok(db, "c04-hidden", "secrets-removed"), 1);
    /* ... and where it could not act, the checks say the tail is still there. */
    assert_int_equal(check_ok(db, "c05-hidden-no-exe", "no-hidden-tail"), 0);
    assert_int_equal(check_ok(db, "c05-hidden-no-exe", "secrets-removed"), 0);
    /* A password in another value is left there by the fix, and flagged. */
    assert_int_equal(check_ok(db, "c06-other-values", "secrets-removed"), 0);
    assert_int_equal(query_int(db, "select count(*) from outcome where verdict = 'error' "
                                   "and scenario = 'c14-broken'"), 1);
    sqlite3_close(db);
}

static int build_reghelper(void)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "winegcc -mconsole -municode -o reghelper.exe "
             "'%s/../tests/integration/reghelper.c' -ladvapi32", env("KMH_SCENARIOS"));
    return shell("build", cmd);
}

int main(void)
{
    if (!mkdtemp(workdir))
        return 2;
    snprintf(keep_root, sizeof keep_root, "%s/kmharness-keep", env("KMHARNESS_PREFIX"));
    if (build_reghelper() != 0) {
        fprintf(stderr, "cannot build reghelper: see %s/err-build.txt\n", workdir);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_command_ran),
        cmocka_unit_test(no_password_in_anything_written),
        cmocka_unit_test(hidden_password_removed_and_hidden_tail_flagged),
    };
    int failed = cmocka_run_group_tests(tests, run_everything, restore_prefix);
    if (!failed) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
        system(cmd);
    }
    return failed;
}
