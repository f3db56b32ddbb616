/*
** regapply.c - .reg operations applied through the real registry API, with
** a durable undo journal so each scenario leaves HKLM as it found it, even
** when the run is killed half-way.
**
** See regapply.h. All keys are under HKEY_LOCAL_MACHINE (the parser refuses
** any other root). Journal entry N is the key JOURNAL_KEY\NNNNNNNN with
**   "key"   REG_SZ     the path below HKLM the entry is about
**   "name"  REG_SZ     RESTORE_VALUE: the value's name ("" = default)
**   "data"  any type   RESTORE_VALUE: the old value, its own type and bytes
**                      (absent: there was no value, undo deletes it)
**   tree    subkey     RESTORE_TREE: the copy of the deleted subtree
**   "kind"  REG_DWORD  written last: an entry without it was never
**                      finished, so its change never happened; it is skipped
*/
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "regapply.h"
#include "regwrite.h"

#define UNDO_ROOT L"Software\\kmharness-undo"
#define JOURNAL_KEY UNDO_ROOT L"\\journal"
#define ENTRY_NAME_LEN 16

enum undo_kind {
    UNDO_DELETE_TREE = 1,    /* the key did not exist: delete what was created */
    UNDO_RESTORE_VALUE = 2,  /* put the value back as it was (or delete it) */
    UNDO_RESTORE_TREE = 3,   /* a deleted subtree: copy it back from the entry */
};

static WCHAR *wide(const char *utf8)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, utf8 ? utf8 : "", -1, NULL, 0);
    WCHAR *w = malloc(sizeof(WCHAR) * (n > 0 ? n : 1));
    if (w && (n <= 0 || !MultiByteToWideChar(CP_UTF8, 0, utf8 ? utf8 : "", -1, w, n)))
        w[0] = 0;
    return w;
}

static WCHAR *wide_dup(const WCHAR *s)
{
    size_t n = lstrlenW(s) + 1;
    WCHAR *d = malloc(n * sizeof *d);
    if (d)
        memcpy(d, s, n * sizeof *d);
    return d;
}

static int key_exists(const WCHAR *path)
{
    HKEY k;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_READ, &k))
        return 0;
    RegCloseKey(k);
    return 1;
}

static long set_string(HKEY k, const WCHAR *name, const WCHAR *s)
{
    return RegSetValueExW(k, name, 0, REG_SZ, (const BYTE *)s,
                          (DWORD)((lstrlenW(s) + 1) * sizeof *s));
}

/* Value NAME of K, raw: *DATA malloc'ed (plus a NUL unit, so strings can
** be used as such), *TYPE and *LEN set. */
static long read_raw(HKEY k, const WCHAR *name, DWORD *type, BYTE **data, DWORD *len)
{
    DWORD size = 0;
    long rc = RegQueryValueExW(k, name, NULL, type, NULL, &size);
    if (rc)
        return rc;
    *data = calloc(1, size + sizeof(WCHAR));
    if (!*data)
        return ERROR_OUTOFMEMORY;
    *len = size;
    rc = RegQueryValueExW(k, name, NULL, type, *data, len);
    if (rc) {
        free(*data);
        *data = NULL;
    }
    return rc;
}

/* ---- the journal in the registry -------------------------------------- */

/* Find the newest entry of JOURNAL (highest number; a subkey that is no
** number counts as 0): its name in NAME, its number in *NUMBER. Returns 0
** when the journal has no entry. */
static int newest_entry(HKEY journal, WCHAR name[ENTRY_NAME_LEN], unsigned *number)
{
    int found = 0;
    WCHAR sub[256];
    *number = 0;
    for (DWORD i = 0;; i++) {
        DWORD n = ARRAYSIZE(sub);
        if (RegEnumKeyExW(journal, i, sub, &n, NULL, NULL, NULL, NULL))
            break;
        unsigned v = 0;
        for (const WCHAR *p = sub; *p >= '0' && *p <= '9'; p++)
            v = v * 10 + (unsigned)(*p - '0');
        if (!found || v >= *number) {
            *number = v;
            lstrcpynW(name, sub, ENTRY_NAME_LEN);
            found = 1;
        }
    }
    return found;
}

/* Open a new entry after the newest one, its "key" value already set. */
static long entry_begin(const WCHAR *key, HKEY *entry)
{
    HKEY journal;
    long rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, JOURNAL_KEY, 0, NULL, 0, KEY_ALL_ACCESS,
                              NULL, &journal, NULL);
    if (rc)
        return rc;
    WCHAR name[ENTRY_NAME_LEN];
    char ascii[ENTRY_NAME_LEN];
    unsigned newest;
    newest_entry(journal, name, &newest);
    snprintf(ascii, sizeof ascii, "%08u", newest + 1);
    for (int i = 0; i < ENTRY_NAME_LEN; i++)
        name[i] = (WCHAR)ascii[i];
    rc = RegCreateKeyExW(journal, name, 0, NULL, 0, KEY_ALL_ACCESS, NULL, entry, NULL);
    RegCloseKey(journal);
    if (!rc && (rc = set_string(*entry, L"key", key)))
        RegCloseKey(*entry);
    return rc;
}

/* Finish ENTRY: its kind goes last, making it count. */
static long entry_commit(HKEY entry, enum undo_kind kind, struct undo_journal *j)
{
    DWORD k = kind;
    long rc = RegSetValueExW(entry, L"kind", 0, REG_DWORD, (const BYTE *)&k, sizeof k);
    RegCloseKey(entry);
    if (!rc)
        j->n++;
    return rc;
}

static long journal_created_key(const WCHAR *key, struct undo_journal *j)
{
    HKEY entry;
    long rc = entry_begin(key, &entry);
    return rc ? rc : entry_commit(entry, UNDO_DELETE_TREE, j);
}

/* Journal the current state of value NAME in K (present or not). */
static long journal_value(HKEY k, const WCHAR *key, const WCHAR *name, struct undo_journal *j)
{
    HKEY entry;
    long rc = entry_begin(key, &entry);
    if (rc)
        return rc;
    DWORD type, len;
    BYTE *data = NULL;
    rc = set_string(entry, L"name", name);
    long read = rc ? rc : read_raw(k, name, &type, &data, &len);
    if (read == ERROR_SUCCESS)
        rc = reg_set_exact(entry, L"data", type, data, len);
    else if (read != ERROR_FILE_NOT_FOUND)
        rc = read;
    free(data);
    if (rc) {
        RegCloseKey(entry);
        return rc;
    }
    return entry_commit(entry, UNDO_RESTORE_VALUE, j);
}

/* Journal the subtree SRC (at KEY) with a copy of it. */
static long journal_tree(HKEY src, const WCHAR *key, struct undo_journal *j)
{
    HKEY entry, copy;
    long rc = entry_begin(key, &entry);
    if (rc)
        return rc;
    rc = RegCreateKeyExW(entry, L"tree", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &copy, NULL);
    if (!rc) {
        rc = RegCopyTreeW(src, NULL, copy);
        RegCloseKey(copy);
    }
    if (rc) {
        RegCloseKey(entry);
        return rc;
    }
    return entry_commit(entry, UNDO_RESTORE_TREE, j);
}

/* ---- applying ----------------------------------------------------------- */

/* Create KEY (and its missing parents); journal the topmost key that did not
** exist, whose deletion undoes everything created below it. */
static long create_key(const WCHAR *key, struct undo_journal *j, HKEY *out)
{
    WCHAR *prefix = wide_dup(key);
    if (!prefix)
        return ERROR_OUTOFMEMORY;
    long rc = ERROR_SUCCESS;
    for (WCHAR *p = prefix;; p++) {
        if (*p != '\\' && *p != 0)
            continue;
        WCHAR saved = *p;
        *p = 0;
        int exists = key_exists(prefix);
        if (!exists)
            rc = journal_created_key(prefix, j);
        *p = saved;
        if (rc || !exists || !saved)
            break;
    }
    free(prefix);
    return rc ? rc : RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, 0, KEY_ALL_ACCESS,
                                     NULL, out, NULL);
}

static long set_value(const struct reg_op *op, const WCHAR *key, struct undo_journal *j)
{
    HKEY k;
    long rc = create_key(key, j, &k);
    if (rc)
        return rc;
    WCHAR *name = wide(op->name);
    rc = name ? journal_value(k, key, name, j) : ERROR_OUTOFMEMORY;
    if (!rc)
        rc = reg_set_exact(k, name, op->type, op->data, (DWORD)op->len);
    free(name);
    RegCloseKey(k);
    return rc;
}

static long delete_value(const struct reg_op *op, const WCHAR *key, struct undo_journal *j)
{
    HKEY k;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_ALL_ACCESS, &k))
        return ERROR_SUCCESS; /* regedit: deleting from a missing key is a no-op */
    WCHAR *name = wide(op->name);
    long rc = name ? journal_value(k, key, name, j) : ERROR_OUTOFMEMORY;
    if (!rc) {
        rc = RegDeleteValueW(k, name);
        if (rc == ERROR_FILE_NOT_FOUND)
            rc = ERROR_SUCCESS;
    }
    free(name);
    RegCloseKey(k);
    return rc;
}

/* Copy the subtree into the journal, then delete it. */
static long delete_key(const WCHAR *key, struct undo_journal *j)
{
    HKEY src;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &src))
        return ERROR_SUCCESS; /* regedit: deleting a missing key is a no-op */
    long rc = journal_tree(src, key, j);
    RegCloseKey(src);
    return rc ? rc : RegDeleteTreeW(HKEY_LOCAL_MACHINE, key);
}

static long apply_one(const struct reg_op *op, struct undo_journal *j)
{
    WCHAR *key = wide(op->key);
    HKEY k;
    long rc;
    if (!key)
        return ERROR_OUTOFMEMORY;
    switch (op->kind) {
    case REG_OP_CREATE_KEY:
        rc = create_key(key, j, &k);
        if (!rc)
            RegCloseKey(k);
        break;
    case REG_OP_DELETE_KEY:   rc = delete_key(key, j); break;
    case REG_OP_SET_VALUE:    rc = set_value(op, key, j); break;
    case REG_OP_DELETE_VALUE: rc = delete_value(op, key, j); break;
    default:                  rc = ERROR_INVALID_PARAMETER; break;
    }
    free(key);
    return rc;
}

long regapply_run(const struct reg_op *ops, size_t nops, struct undo_journal *j,
                  int *failed_line)
{
    for (size_t i = 0; i < nops; i++) {
        long rc = apply_one(&ops[i], j);
        if (rc) {
            *failed_line = ops[i].line;
            return rc;
        }
    }
    return ERROR_SUCCESS;
}

/* ---- undoing ------------------------------------------------------------ */

static void restore_value(HKEY entry, const WCHAR *key)
{
    HKEY k;
    DWORD type, len;
    BYTE *name = NULL, *data = NULL;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_ALL_ACCESS, &k))
        return;
    if (!read_raw(entry, L"name", &type, &name, &len)) {
        if (!read_raw(entry, L"data", &type, &data, &len))
            reg_set_exact(k, (WCHAR *)name, type, data, len);
        else
            RegDeleteValueW(k, (WCHAR *)name);
    }
    free(name);
    free(data);
    RegCloseKey(k);
}

static void restore_tree(HKEY entry, const WCHAR *key)
{
    HKEY k, copy;
    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &k, NULL))
        return;
    if (!RegOpenKeyExW(entry, L"tree", 0, KEY_READ, &copy)) {
        RegCopyTreeW(copy, NULL, k);
        RegCloseKey(copy);
    }
    RegCloseKey(k);
}

/* Undo one finished entry (an unfinished one has no "kind": skipped). */
static void undo_entry(HKEY entry)
{
    DWORD kind = 0, type, len;
    BYTE *kind_data = NULL, *key = NULL;
    if (!read_raw(entry, L"kind", &type, &kind_data, &len) && type == REG_DWORD &&
        len == sizeof kind)
        memcpy(&kind, kind_data, sizeof kind);
    free(kind_data);
    if (!kind || read_raw(entry, L"key", &type, &key, &len))
        return;
    switch (kind) {
    case UNDO_DELETE_TREE:
        RegDeleteTreeW(HKEY_LOCAL_MACHINE, (WCHAR *)key); /* the key itself too */
        break;
    case UNDO_RESTORE_VALUE:
        restore_value(entry, (WCHAR *)key);
        break;
    case UNDO_RESTORE_TREE:
        restore_tree(entry, (WCHAR *)key);
        break;
    }
    free(key);
}

void regapply_recover(void)
{
    HKEY journal, entry;
    WCHAR name[ENTRY_NAME_LEN];
    unsigned number;
    if (!RegOpenKeyExW(HKEY_LOCAL_MACHINE, JOURNAL_KEY, 0, KEY_ALL_ACCESS, &journal)) {
        while (newest_entry(journal, name, &number)) {
            if (!RegOpenKeyExW(journal, name, 0, KEY_READ, &entry)) {
                undo_entry(entry);
                RegCloseKey(entry);
            }
            if (RegDeleteTreeW(journal, name))
                break;  /* cannot make progress: leave the rest */
        }
        RegCloseKey(journal);
    }
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, UNDO_ROOT);
}

void regapply_undo(struct undo_journal *j)
{
    regapply_recover();
    j->n = 0;
}
