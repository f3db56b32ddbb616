/*
** support.h - the helpers every end-to-end test in tests/integration/ shares.
**
** Each tests/integration/test_*.c is a native cmocka program, compiled on
** its own by the Makefile, that drives build/kmharness in the test prefix
** and reads what it left behind.  They all need the same few things, and
** this header is the one place for them:
**
**   - the environment the Makefile sets (env);
**   - a scratch folder per test, "workdir" (workdir_make, workdir_remove);
**     file names given to the helpers below are taken relative to it,
**     absolute ones as they are (workdir_path);
**   - running a shell command, the harness or the test-only registry
**     helper reghelper.c in workdir, stdout and stderr captured to files
**     (shell, harness, prefix_made, reghelper_build, reghelper), and
**     failing with what a command wrote on stderr when its exit status is
**     not the expected one (assert_exit_status, assert_reghelper);
**   - reading and writing small files (slurp, last_line, parse_summary,
**     write_bytes, write_file, exists);
**   - the harness's SQLite database, opened read-only (open_db,
**     query_int, query_text);
**   - searching bytes for a password as UTF-8, UTF-16LE and Windows-1252,
**     the forms a password takes in what the harness writes (utf16le, cp1252,
**     has_bytes, has_password, file_has_password, assert_no_password_in,
**     assert_no_password_in_outputs).
**
** The functions are static inline: a test that does not use one gets no
** unused-function warning.  The header includes cmocka (with the headers
** cmocka needs first) and sqlite3 itself; a test includes it after any
** feature macro such as _GNU_SOURCE.  The Makefile's integration rule
** lists this header, so a change here rebuilds every test.
*/
#ifndef KMH_INTEGRATION_SUPPORT_H
#define KMH_INTEGRATION_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* This test's scratch folder, made by workdir_make: /tmp/kmh-NAME-XXXXXX. */
static char workdir[64];

/* ---- environment and scratch folder ------------------------------------ */

/* The environment variable NAME, which the Makefile sets; without it the
** test cannot run at all, so it stops with exit status 2. */
static inline const char *env(const char *name)
{
    const char *v = getenv(name);
    if (!v) {
        fprintf(stderr, "%s is not set (run through make check)\n", name);
        exit(2);
    }
    return v;
}

/* Make workdir, a new folder /tmp/kmh-NAME-XXXXXX; 0, or -1. */
static inline int workdir_make(const char *name)
{
    snprintf(workdir, sizeof workdir, "/tmp/kmh-%s-XXXXXX", name);
    return mkdtemp(workdir) ? 0 : -1;
}

/* Remove workdir and everything in it; 0, or -1. */
static inline int workdir_remove(void)
{
    char cmd[sizeof workdir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The path of NAME into PATH: below workdir, or NAME itself when it is
** absolute (the way openat(2) takes a name). */
static inline void workdir_path(char *path, size_t size, const char *name)
{
    if (name[0] == '/')
        snprintf(path, size, "%s", name);
    else
        snprintf(path, size, "%s/%s", workdir, name);
}

/* ---- running commands ---------------------------------------------------- */

/* Run the shell command CMD in workdir with stdout in out.txt and stderr in
** err.txt, or, unless TAG is NULL, in out-TAG.txt and err-TAG.txt (so that
** the traces of several commands can all be read afterwards).  Returns the
** exit status; 128 + N when the command was killed by signal N, as a shell
** reports it (a SIGKILL is 137). */
static inline int shell(const char *tag, const char *cmd)
{
    char full[16384];
    if (tag)
        snprintf(full, sizeof full, "cd '%s' && %s >out-%s.txt 2>err-%s.txt", workdir, cmd, tag,
                 tag);
    else
        snprintf(full, sizeof full, "cd '%s' && %s >out.txt 2>err.txt", workdir, cmd);
    int rc = system(full);
    if (WIFSIGNALED(rc))
        return 128 + WTERMSIG(rc);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Run build/kmharness (the launcher named by KMHARNESS) with ARGS, a shell
** fragment, through shell(): TAG names the output files. */
static inline int harness(const char *tag, const char *args)
{
    char cmd[12288];
    snprintf(cmd, sizeof cmd, "'%s' %s", env("KMHARNESS"), args);
    return shell(tag, cmd);
}

/* Make sure the test prefix exists as the launcher makes it (a copy of its
** template, marked as the harness's).  A test whose first Wine command is
** reghelper, not the harness, would otherwise have wine create a prefix of
** its own, which the launcher then refuses as not the harness's: the test
** passed only after another test had made the prefix.  Any command makes
** it; probe changes nothing.  0, or -1 with a message on stderr. */
static inline int exists(const char *path);  /* below, with the files */

static inline int prefix_made(void)
{
    char mark[4200];
    snprintf(mark, sizeof mark, "%s/.kmharness-prefix", env("KMHARNESS_PREFIX"));
    if (!exists(mark))
        harness("prefix", "probe");
    if (exists(mark))
        return 0;
    fprintf(stderr, "the launcher did not make the test prefix %s: see %s/err-prefix.txt\n",
            env("KMHARNESS_PREFIX"), workdir);
    return -1;
}

/* Build the test-only winelib helper tests/integration/reghelper.c into
** workdir/reghelper.exe.so (the source tree is KMH_SCENARIOS' parent),
** once the test prefix exists (prefix_made); the compiler's output goes to
** the files TAG names, as in shell(). */
static inline int reghelper_build(const char *tag)
{
    if (prefix_made())
        return -1;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "winegcc -mconsole -municode -o reghelper.exe "
             "'%s/../tests/integration/reghelper.c' -ladvapi32", env("KMH_SCENARIOS"));
    return shell(tag, cmd);
}

/* The helper runs in the launcher's environment (harness/kmharness.sh),
** with wine started directly: the launcher's start-up (0.5 s a call) would
** dominate the tests, and the prefix is set up and idle when they run it.
** With wineboot disabled, as the launcher's `boot hold` runs: when the
** server of the last harness command has gone (it stays 3 s; under load
** the next helper call may come later), the helper starts a new session,
** and a boot there would start, unheld, every auto-start service the
** prefix holds (a test's planted service key among them) while the helper
** works.  The next harness command boots the session the launcher's way. */
#define REGHELPER_ENV \
    "WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml=;winedbg.exe=d;wineboot.exe=d'"

/* Run reghelper (built by reghelper_build) with ARGS in the test prefix;
** TAG names the output files, as in shell(). */
static inline int reghelper(const char *tag, const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "env WINEPREFIX='%s' " REGHELPER_ENV " wine '%s/reghelper.exe.so' %s",
             env("KMHARNESS_PREFIX"), workdir, args);
    return shell(tag, cmd);
}

/* ---- files ----------------------------------------------------------------- */

/* The whole file NAME (see workdir_path), NUL-terminated and malloc'ed, or
** NULL when it cannot be read; its size in *LEN unless LEN is NULL. */
static inline char *slurp(const char *name, size_t *len)
{
    char path[8192];
    workdir_path(path, sizeof path, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n < 0 ? NULL : malloc((size_t)n + 1);
    if (!buf) {
        fclose(f);
        return NULL;
    }
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = 0;
    fclose(f);
    if (len)
        *len = got;
    return buf;
}

/* The last line of TEXT, whose final newlines are cut off in place. */
static inline char *last_line(char *text)
{
    size_t n = strlen(text);
    while (n && text[n - 1] == '\n')
        text[--n] = 0;
    char *nl = strrchr(text, '\n');
    return nl ? nl + 1 : text;
}

/* The counts of the harness's closing "N passed, N failed" line, the last
** line of OUT (see last_line); a test fails when there is no such line. */
static inline void parse_summary(char *out, int *passed, int *failed)
{
    *passed = *failed = -1;
    assert_int_equal(sscanf(last_line(out), "%d passed, %d failed", passed, failed), 2);
}

/* Write LEN bytes of DATA as the file NAME (see workdir_path). */
static inline void write_bytes(const char *name, const void *data, size_t len)
{
    char path[8192];
    workdir_path(path, sizeof path, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Write TEXT as the file NAME (see workdir_path). */
static inline void write_file(const char *name, const char *text)
{
    write_bytes(name, text, strlen(text));
}

/* Is there anything at PATH (a link counts as itself)? */
static inline int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Fail unless RC, the exit status of the command whose output files TAG
** names (as in shell()), is WANT.  The message says what ran (WHAT) and
** carries what it wrote on stderr, or says that it wrote nothing there (a
** Wine process that could not start may end without a word): a CI log
** must show why, since the scratch folder is gone with the CI machine. */
static inline void assert_exit_status(const char *what, const char *tag, int rc, int want)
{
    if (rc == want)
        return;
    char name[128], msg[6144];
    snprintf(name, sizeof name, tag ? "err-%s.txt" : "err.txt", tag);
    char *err = slurp(name, NULL);
    snprintf(msg, sizeof msg, "%s: exit status %d, expected %d; stderr: %s", what, rc, want,
             err && *err ? err : "(nothing)");
    free(err);
    fail_msg("%s", msg);
}


/* reghelper ARGS (TAG as in reghelper()), which must succeed.  The message
** names its subcommand only: ARGS may hold a test password in hex. */
static inline void assert_reghelper(const char *tag, const char *args)
{
    char what[64];
    snprintf(what, sizeof what, "reghelper %.*s", (int)strcspn(args, " "), args);
    assert_exit_status(what, tag, reghelper(tag, args), 0);
}

/* ---- the database ------------------------------------------------------------- */

/* The database NAME (see workdir_path), read-only: the tests only look. */
static inline sqlite3 *open_db(const char *name)
{
    char path[8192];
    sqlite3 *db;
    workdir_path(path, sizeof path, name);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    return db;
}

/* The single integer answered by SQL, with ?1 = ARG unless ARG is NULL:
** -999 for NULL, -998 for no row. */
static inline long long query_int(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    long long v = -998;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -999 : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The single text answered by SQL (?1 = ARG unless NULL), malloc'ed; NULL
** for NULL or no row. */
static inline char *query_text(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

/* ---- passwords ------------------------------------------------------------------ */

/* UTF-8 S as UTF-16LE bytes into OUT (room for 2 * strlen(S) bytes, no
** NUL added); the number of bytes.  Beyond the BMP as surrogate pairs. */
static inline size_t utf16le(const char *s, uint8_t *out)
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

/* Do the M bytes of NEEDLE occur in the N bytes of HAY?  Never for M = 0. */
static inline int has_bytes(const void *hay, size_t n, const void *needle, size_t m)
{
    const uint8_t *h = hay, *s = needle;
    for (size_t i = 0; m && i + m <= n; i++)
        if (h[i] == s[0] && !memcmp(h + i, s, m))
            return 1;
    return 0;
}

/* The UTF-16LE bytes WIDE[0..N) in Windows-1252 into OUT (room for N / 2
** bytes); the number of bytes, or 0 when a character has no cp1252 byte
** (then no such copy can exist). */
static inline size_t cp1252(const uint8_t *wide, size_t n, uint8_t *out)
{
    /* Windows-1252 0x80-0x9F (0 = unassigned), from Microsoft's code page table. */
    static const uint16_t high[32] = {
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    };
    size_t m = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint16_t c = (uint16_t)(wide[i] | wide[i + 1] << 8);
        int b = c < 0x80 || (c >= 0xA0 && c <= 0xFF) ? c : -1;
        for (int k = 0; b < 0 && k < 32; k++)
            if (high[k] && high[k] == c)
                b = 0x80 + k;
        if (b < 0)
            return 0;
        out[m++] = (uint8_t)b;
    }
    return m;
}

/* Does PASSWORD (UTF-8) occur in the N bytes of DATA, as UTF-8, as
** UTF-16LE, or as Windows-1252 (an ANSI program's or file's copy)? */
static inline int has_password(const void *data, size_t n, const char *password)
{
    size_t m = strlen(password);
    uint8_t *wide = malloc(2 * m + 1), *ansi = malloc(m + 1);
    assert_non_null(wide);
    assert_non_null(ansi);
    size_t wide_len = utf16le(password, wide);
    size_t ansi_len = cp1252(wide, wide_len, ansi);
    int found = has_bytes(data, n, password, m) || has_bytes(data, n, wide, wide_len) ||
                has_bytes(data, n, ansi, ansi_len);
    free(wide);
    free(ansi);
    return found;
}

/* Does PASSWORD occur in the file NAME (see workdir_path)?  No for a file
** that is not there. */
static inline int file_has_password(const char *name, const char *password)
{
    size_t n;
    char *data = slurp(name, &n);
    int found = data && has_password(data, n, password);
    free(data);
    return found;
}

/* Fail when any of the N PASSWORDS occurs in the file NAME; a file that is
** not there holds none.  The message names the password by number only. */
static inline void assert_no_password_in(const char *name, const char *const *passwords, size_t n)
{
    size_t len;
    char *data = slurp(name, &len);
    if (!data)
        return;
    for (size_t i = 0; i < n; i++)
        if (has_password(data, len, passwords[i]))
            fail_msg("password #%zu found in %s", i, name);
    free(data);
}

/* assert_no_password_in for all a harness command writes: the database
** DB with its -wal and -journal, out.txt and err.txt. */
static inline void assert_no_password_in_outputs(const char *db, const char *const *passwords,
                                                 size_t n)
{
    static const char *const suffixes[] = { "", "-wal", "-journal" };
    char name[1024];
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        snprintf(name, sizeof name, "%s%s", db, suffixes[i]);
        assert_no_password_in(name, passwords, n);
    }
    assert_no_password_in("out.txt", passwords, n);
    assert_no_password_in("err.txt", passwords, n);
}

#endif /* KMH_INTEGRATION_SUPPORT_H */
