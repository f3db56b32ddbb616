/*
** fix.c: the Q235418 workaround on the registry (rules and reasons in
** fix.h).
**
** The decisions are made by pure code shared with the probe and the
** reports: imagepath_decode() (what the probe sees), split_image_path()
** (where the path ends) and the keep files (keep.c).  This file adds the
** Win32 side: reading and writing the value, the file-existence callback,
** and the order that makes the fix safe: keep, write, read back (with the
** test-only crash points of fix.h between the steps).
**
** Every buffer that held the value (it may hold a password) is wiped
** before it is freed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include "fix.h"
#include "regtypes.h"
#include "regwrite.h"
#include "imagepath.h"
#include "keep.h"
#include "split.h"
#include "winerror_text.h"

#define KEY_PATH_UTF8 "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"
#define VALUE_UTF8 "ImagePath"
static const WCHAR key_path[] = L"SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS";
static const WCHAR value_name[] = L"ImagePath";

static void wipe_free(void *p, size_t n)
{
    if (p)
        SecureZeroMemory(p, n);
    free(p);
}

static void set_status(struct fix_result *res, enum fix_status status,
                       const char *message)
{
    res->status = status;
    snprintf(res->message, sizeof res->message, "%s", message);
}

static void set_failed(struct fix_result *res, const char *what, LONG rc)
{
    res->status = FIX_FAILED;
    snprintf(res->message, sizeof res->message, "%s: %s (error %ld)", what,
             winerr_text(rc), (long)rc);
}

/* ---- Registry ----------------------------------------------------------- */

/* Read ImagePath raw: *DATA malloc'ed (wipe_free it), *LEN bytes. */
static LONG read_value(HKEY key, DWORD *type, BYTE **data, DWORD *len)
{
    return reg_read_exact(key, value_name, type, data, len);
}

/* Does ImagePath now hold exactly TYPE and DATA[0..LEN)? */
static int value_equals(HKEY key, DWORD type, const BYTE *data, size_t len)
{
    DWORD now_type, now_len;
    BYTE *now = NULL;
    if (read_value(key, &now_type, &now, &now_len) != ERROR_SUCCESS)
        return 0;
    int same = now_type == type && now_len == len && memcmp(now, data, len) == 0;
    wipe_free(now, now_len);
    return same;
}

/* ---- The split ----------------------------------------------------------- */

/* split_exists_fn: is the candidate PATH an existing file?  CTX points to
** the value's type; REG_EXPAND_SZ is expanded first, as the service
** manager would. */
static int file_exists(void *ctx, const uint16_t *path, size_t n)
{
    DWORD type = *(const DWORD *)ctx;
    WCHAR *name = malloc((n + 1) * sizeof *name);
    if (!name)
        return 0;
    memcpy(name, path, n * sizeof *name);
    name[n] = 0;
    WCHAR *look = name;
    DWORD need = type == REG_EXPAND_SZ ? ExpandEnvironmentStringsW(name, NULL, 0) : 0;
    WCHAR *expanded = need ? malloc(need * sizeof *expanded) : NULL;
    if (expanded && ExpandEnvironmentStringsW(name, expanded, need) == need)
        look = expanded;
    DWORD attr = GetFileAttributesW(look);
    wipe_free(expanded, need * sizeof *expanded);
    wipe_free(name, (n + 1) * sizeof *name);
    return attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY);
}

static int is_blank(uint16_t c)
{
    return c == ' ' || c == '\t';
}

/* Append S[0..N) without its surrounding blanks, and a NUL, to OUT at *AT
** (OUT is large enough); empty pieces are skipped. */
static void add_piece(uint16_t *out, size_t *at, const uint16_t *s, size_t n)
{
    while (n > 0 && is_blank(s[0]))
        s++, n--;
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    if (n == 0)
        return;
    memcpy(out + *at, s, n * sizeof *s);
    *at += n;
    out[(*at)++] = 0;
}

/* Hand the removed text to the caller (rule 6): the text inside the quotes
** after the path, the arguments, and every NUL-separated piece of data
** after the string.  S[0..N) is the string the probe sees, S[0..NUNITS)
** the whole value (imagepath_decode() points S at the value's start). */
static void collect_removed(const uint16_t *s, size_t n, size_t nunits,
                            const struct split_result *sp, struct fix_result *res)
{
    uint16_t *out = malloc((nunits + 2) * sizeof *out);
    size_t at = 0;
    if (!out)
        return;
    add_piece(out, &at, s + sp->inner_start, sp->inner_len);
    add_piece(out, &at, s + sp->args_start, sp->args_len);
    for (size_t i = n + 1; i < nunits;) {
        size_t j = i;
        while (j < nunits && s[j] != 0)
            j++;
        add_piece(out, &at, s + i, j - i);
        i = j + 1;
    }
    if (at == 0) {
        free(out);
        return;
    }
    res->removed = out;
    res->removed_len = at;
}

/* ---- Writing ------------------------------------------------------------- */

/* Rule 7: keep, write, read back. */
static void write_fixed(HKEY key, DWORD type, const BYTE *old, DWORD old_len,
                        const BYTE *new_data, DWORD new_len, const char *keep_dir,
                        struct fix_result *res)
{
    if (!keep_dir) {
        set_status(res, FIX_FAILED, "no keep directory for the original value; nothing written");
        return;
    }
    keep_crash_point("read");
    struct keep_record rec = {
        .key = KEY_PATH_UTF8, .value = VALUE_UTF8,
        .old_type = type, .old_data = (uint8_t *)old, .old_len = old_len,
        .new_type = type, .new_data = (uint8_t *)new_data, .new_len = new_len,
    };
    char err[200];
    if (keep_save(keep_dir, FIX_KEEP_STEM, &rec, res->keep_file, sizeof res->keep_file,
                  err, sizeof err) != 0) {
        snprintf(res->message, sizeof res->message,
                 "cannot keep the original value, so nothing was written: %s", err);
        res->status = FIX_FAILED;
        res->keep_file[0] = '\0';
        return;
    }
    keep_crash_point("kept");
    LONG rc = RegSetValueExW(key, value_name, 0, type, new_data, new_len);
    if (rc == ERROR_SUCCESS)
        keep_crash_point("written");
    if (rc != ERROR_SUCCESS) {
        keep_discard(res->keep_file, err, sizeof err);
        res->keep_file[0] = '\0';
        set_failed(res, "cannot write ImagePath", rc);
        return;
    }
    if (!value_equals(key, type, new_data, new_len)) {
        set_status(res, FIX_FAILED, "ImagePath did not read back as written; "
                   "the original is kept (undo with --rollback)");
        return;
    }
    keep_crash_point("verified");
    res->status = FIX_CHANGED;
}

/* The message for a change: what goes, never the text itself. */
static void describe(struct fix_result *res, const char *lead,
                     const struct split_result *sp, int hidden)
{
    const char *parts[3];
    size_t nparts = 0;
    if (sp->inner_len || sp->args_len)
        parts[nparts++] = "the arguments after it";
    if (sp->quoted)
        parts[nparts++] = "the quotes around it";
    if (hidden)
        parts[nparts++] = "data hidden after an embedded NUL";
    size_t size = sizeof res->message;
    int at = snprintf(res->message, size, "%s only the executable path", lead);
    for (size_t i = 0; i < nparts; i++)
        at += snprintf(res->message + at, size - (size_t)at, "%s%s",
                       i ? ", " : " (removed: ", parts[i]);
    if (nparts)
        snprintf(res->message + at, size - (size_t)at, ")");
}

/* The message for a value with no candidate path (split.h's blind spots). */
static const char *why_no_path(enum split_none why)
{
    switch (why) {
    case SPLIT_NO_EXTENSION:
        return "ImagePath names a program without .exe: the service manager would add .exe "
               "and pass the rest as arguments (maybe the password), but the version API "
               "finds no such file; nothing changed: write the full path ending in .exe by hand";
    case SPLIT_EXE_DIR:
        return "ImagePath has a backslash or slash right after .exe, which Windows does not "
               "open as a file; nothing changed: edit ImagePath by hand";
    default:
        return "no executable path ending in .exe found in ImagePath; nothing changed";
    }
}

/* Decide and, unless OPT->dry_run, apply the fix to the value already
** read (TYPE, DATA[0..LEN)). */
static void fix_value(HKEY key, const struct fix_options *opt, DWORD type,
                      const BYTE *data, DWORD len, struct fix_result *res)
{
    const uint16_t *s;
    size_t n;
    int hidden;
    if (imagepath_decode(type, data, len, &s, &n, &hidden) != 0) {
        snprintf(res->message, sizeof res->message, "ImagePath is %s, not a string "
                 "value; nothing changed", reg_type_name(type));
        res->status = FIX_NOT_A_STRING;
        return;
    }
    struct split_result sp;
    if (split_image_path(s, n, file_exists, &type, &sp) != 0) {
        set_status(res, FIX_NO_EXE_PATH, why_no_path(split_why_none(s, n)));
        return;
    }
    if (sp.ambiguous) {
        set_status(res, FIX_AMBIGUOUS, "ImagePath holds several paths ending in .exe and none "
                   "of them is an existing file, so where the path ends is a guess; nothing "
                   "changed: restore Kmserver.exe, or edit ImagePath by hand");
        return;
    }
    DWORD new_len = (DWORD)((sp.path_len + 1) * sizeof(uint16_t));
    BYTE *new_data = calloc(1, new_len);
    if (!new_data) {
        set_failed(res, "cannot build the new value", ERROR_OUTOFMEMORY);
        return;
    }
    memcpy(new_data, s + sp.path_start, sp.path_len * sizeof(uint16_t));
    if (new_len == len && memcmp(new_data, data, len) == 0) {
        set_status(res, FIX_ALREADY_CLEAN,
                   "ImagePath already holds only the executable path; nothing written");
    } else {
        collect_removed(s, n, len / 2, &sp, res);
        describe(res, opt->dry_run ? "dry run: ImagePath would hold" : "ImagePath now holds",
                 &sp, hidden);
        if (opt->dry_run)
            res->status = FIX_WOULD_CHANGE;
        else
            write_fixed(key, type, data, len, new_data, new_len, opt->keep_dir, res);
    }
    free(new_data);
}

int fix_apply(const struct fix_options *opt, struct fix_result *res)
{
    memset(res, 0, sizeof *res);
    HKEY key;
    REGSAM access = KEY_QUERY_VALUE | (opt->dry_run ? 0 : KEY_SET_VALUE);
    LONG rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, key_path, 0, access, &key);
    if (rc == ERROR_FILE_NOT_FOUND) {
        set_status(res, FIX_NO_KEY, "the MSExchangeKMS service key does not exist; nothing changed");
        return 0;
    }
    if (rc != ERROR_SUCCESS) {
        set_failed(res, "cannot open the MSExchangeKMS service key", rc);
        return -1;
    }
    DWORD type = 0, len = 0;
    BYTE *data = NULL;
    rc = read_value(key, &type, &data, &len);
    if (rc == ERROR_FILE_NOT_FOUND)
        set_status(res, FIX_NO_VALUE, "the MSExchangeKMS service key has no ImagePath value; "
                   "nothing changed");
    else if (rc != ERROR_SUCCESS)
        set_failed(res, "cannot read ImagePath", rc);
    else {
        res->type = type;
        fix_value(key, opt, type, data, len, res);
    }
    wipe_free(data, len);
    RegCloseKey(key);
    return res->status == FIX_FAILED ? -1 : 0;
}

void fix_result_free(struct fix_result *res)
{
    wipe_free(res->removed, res->removed_len * sizeof *res->removed);
    res->removed = NULL;
    res->removed_len = 0;
}

/* ---- Rollback ------------------------------------------------------------ */

/* Restore REC into the open KEY if the value still holds what the fix
** wrote.  Returns 0, 1 (refused) or -1, with MESSAGE set. */
static int restore(HKEY key, const struct keep_record *rec, char *message, size_t len)
{
    /* A rollback killed between its write and the keep file's removal:
    ** the work is done, only the keep file is left to remove. */
    if (value_equals(key, rec->old_type, rec->old_data, rec->old_len))
        return 0;
    if (!value_equals(key, rec->new_type, rec->new_data, rec->new_len)) {
        snprintf(message, len, "ImagePath was changed since the fix; not rolling back");
        return 1;
    }
    LONG rc = reg_set_exact(key, value_name, rec->old_type, rec->old_data,
                            (DWORD)rec->old_len);
    if (rc != ERROR_SUCCESS) {
        snprintf(message, len, "cannot write ImagePath back: %s (error %ld)",
                 winerr_text(rc), (long)rc);
        return -1;
    }
    keep_crash_point("rolled-back");
    if (!value_equals(key, rec->old_type, rec->old_data, rec->old_len)) {
        snprintf(message, len, "ImagePath did not read back as the kept original");
        return -1;
    }
    return 0;
}

int fix_rollback(const char *keep_dir, char *message, size_t len)
{
    struct keep_record rec;
    char path[1024], err[200];
    int rc = keep_load_newest(keep_dir, FIX_KEEP_STEM, &rec, path, sizeof path, err, sizeof err);
    if (rc != 0) {
        snprintf(message, len, "%s", rc > 0 ? "no kept original ImagePath to roll back" : err);
        return rc;
    }
    HKEY key;
    if (strcmp(rec.key, KEY_PATH_UTF8) != 0 || strcmp(rec.value, VALUE_UTF8) != 0) {
        snprintf(message, len, "the newest keep file is not for the MSExchangeKMS ImagePath; "
                 "not rolling back");
        rc = 1;
    } else if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key_path, 0,
                             KEY_QUERY_VALUE | KEY_SET_VALUE, &key) != ERROR_SUCCESS) {
        snprintf(message, len, "ImagePath was changed since the fix; not rolling back");
        rc = 1;
    } else {
        rc = restore(key, &rec, message, len);
        RegCloseKey(key);
    }
    keep_record_free(&rec);
    if (rc == 0 && keep_discard(path, err, sizeof err) != 0)
        snprintf(message, len, "ImagePath restored, but %s", err);
    else if (rc == 0)
        snprintf(message, len, "ImagePath restored to the value kept before the fix");
    return rc;
}

const char *fix_status_name(enum fix_status status)
{
    static const char *const names[] = {
        [FIX_CHANGED] = "changed",         [FIX_WOULD_CHANGE] = "would-change",
        [FIX_ALREADY_CLEAN] = "already-clean", [FIX_NO_KEY] = "no-key",
        [FIX_NO_VALUE] = "no-value",       [FIX_NOT_A_STRING] = "not-a-string",
        [FIX_NO_EXE_PATH] = "no-exe-path", [FIX_FAILED] = "failed",
        [FIX_AMBIGUOUS] = "ambiguous",
    };
    return (unsigned)status < sizeof names / sizeof *names ? names[status] : "unknown";
}
