/*
** regapply.c - .reg operations applied through the real registry API, with
** an undo journal so each scenario leaves HKLM as it found it.
**
** See regapply.h. All keys are under HKEY_LOCAL_MACHINE (the parser refuses
** any other root). Copies of deleted subtrees are kept under SCRATCH_KEY
** until the undo puts them back.
*/
#include <windows.h>
#include <stdlib.h>
#include <string.h>
#include "regapply.h"

#define SCRATCH_KEY L"Software\\kmharness-undo"

enum undo_kind {
    UNDO_DELETE_TREE,    /* the key did not exist: delete what was created */
    UNDO_RESTORE_VALUE,  /* put the value back as it was (or delete it) */
    UNDO_RESTORE_TREE,   /* a deleted subtree: copy it back from scratch */
};

struct undo_entry {
    enum undo_kind kind;
    WCHAR *key;          /* path below HKLM */
    WCHAR *name;         /* value name ("" = default), RESTORE_VALUE only */
    int existed;         /* RESTORE_VALUE: the value existed before */
    DWORD type;
    BYTE *data;
    DWORD len;
    WCHAR *scratch;      /* RESTORE_TREE: where the copy is */
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

static struct undo_entry *journal_add(struct undo_journal *j, enum undo_kind kind,
                                      const WCHAR *key)
{
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 16;
        struct undo_entry *e = realloc(j->entries, cap * sizeof *e);
        if (!e)
            return NULL;
        j->entries = e;
        j->cap = cap;
    }
    struct undo_entry *e = &j->entries[j->n++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->key = wide_dup(key);
    return e;
}

/* Create KEY (and its missing parents); journal the topmost key that did not
** exist, whose deletion undoes everything created below it. */
static long create_key(const WCHAR *key, struct undo_journal *j, HKEY *out)
{
    WCHAR *prefix = wide_dup(key);
    if (!prefix)
        return ERROR_OUTOFMEMORY;
    for (WCHAR *p = prefix;; p++) {
        if (*p != '\\' && *p != 0)
            continue;
        WCHAR saved = *p;
        *p = 0;
        int exists = key_exists(prefix);
        if (!exists && !journal_add(j, UNDO_DELETE_TREE, prefix)) {
            free(prefix);
            return ERROR_OUTOFMEMORY;
        }
        *p = saved;
        if (!exists || !saved)
            break;
    }
    free(prefix);
    return RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, 0, KEY_ALL_ACCESS,
                           NULL, out, NULL);
}

/* Journal the current state of value NAME in K (present or not). */
static long journal_value(HKEY k, const WCHAR *key, const WCHAR *name,
                          struct undo_journal *j)
{
    struct undo_entry *e = journal_add(j, UNDO_RESTORE_VALUE, key);
    if (!e || !(e->name = wide_dup(name)))
        return ERROR_OUTOFMEMORY;
    DWORD len = 0;
    long rc = RegQueryValueExW(k, name, NULL, &e->type, NULL, &len);
    if (rc == ERROR_FILE_NOT_FOUND)
        return ERROR_SUCCESS;
    if (rc)
        return rc;
    e->data = malloc(len ? len : 1);
    if (!e->data)
        return ERROR_OUTOFMEMORY;
    e->len = len;
    rc = RegQueryValueExW(k, name, NULL, &e->type, e->data, &e->len);
    e->existed = rc == ERROR_SUCCESS;
    return rc;
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
        rc = RegSetValueExW(k, name, 0, op->type, op->data, (DWORD)op->len);
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

/* Copy the subtree aside under SCRATCH_KEY, then delete it. */
static long delete_key(const WCHAR *key, struct undo_journal *j)
{
    HKEY src, dst;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &src))
        return ERROR_SUCCESS; /* regedit: deleting a missing key is a no-op */
    WCHAR scratch[64];
    wsprintfW(scratch, L"%s\\%u", SCRATCH_KEY, ++j->scratch_seq);
    long rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, scratch, 0, NULL, 0, KEY_ALL_ACCESS,
                              NULL, &dst, NULL);
    if (!rc) {
        rc = RegCopyTreeW(src, NULL, dst);
        RegCloseKey(dst);
    }
    RegCloseKey(src);
    struct undo_entry *e = rc ? NULL : journal_add(j, UNDO_RESTORE_TREE, key);
    if (!rc && (!e || !(e->scratch = wide_dup(scratch))))
        rc = ERROR_OUTOFMEMORY;
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

static void undo_one(struct undo_entry *e)
{
    HKEY k, src;
    switch (e->kind) {
    case UNDO_DELETE_TREE:
        RegDeleteTreeW(HKEY_LOCAL_MACHINE, e->key); /* the key itself too */
        break;
    case UNDO_RESTORE_VALUE:
        if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, e->key, 0, KEY_ALL_ACCESS, &k))
            break;
        if (e->existed)
            RegSetValueExW(k, e->name, 0, e->type, e->data, e->len);
        else
            RegDeleteValueW(k, e->name);
        RegCloseKey(k);
        break;
    case UNDO_RESTORE_TREE:
        if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, e->key, 0, NULL, 0, KEY_ALL_ACCESS,
                            NULL, &k, NULL))
            break;
        if (!RegOpenKeyExW(HKEY_LOCAL_MACHINE, e->scratch, 0, KEY_READ, &src)) {
            RegCopyTreeW(src, NULL, k);
            RegCloseKey(src);
        }
        RegCloseKey(k);
        RegDeleteTreeW(HKEY_LOCAL_MACHINE, e->scratch);
        break;
    }
}

void regapply_undo(struct undo_journal *j)
{
    while (j->n) {
        struct undo_entry *e = &j->entries[--j->n];
        undo_one(e);
        free(e->key);
        free(e->name);
        free(e->data);
        free(e->scratch);
    }
    free(j->entries);
    memset(j, 0, sizeof *j);
}
