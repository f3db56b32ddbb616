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
**
** Why changes inside a created key need no entry of their own: let entry i
** say "key R did not exist; delete it". Undoing replays entries newest
** first, so every entry newer than i is undone before i, and undoing i
** then deletes whatever lies at R, however it got there. Entries newer
** than i about keys inside R only ever changed what lies at R; entries
** outside R neither read nor write inside it, except by copying or
** deleting a whole subtree that holds R, which acts the same whatever R
** holds. So after undoing i the registry is the same with or without
** those entries, and the entries older than i (which put back the state
** from before R was created, when nothing lay at R) see the same registry.
** A run killed at any point is covered too: i is committed before R is
** created, and every change inside R comes after it. "Inside R" is decided
** on the path text, conservatively: R itself, or R followed by a backslash,
** with ASCII letters compared case-blind (the registry folds at least
** those); any other spelling of a key inside R is simply journaled.
*/
#include <windows.h>
#include <winternl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
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

static long set_string(HKEY k, const WCHAR *name, const WCHAR *s)
{
    return RegSetValueExW(k, name, 0, REG_SZ, (const BYTE *)s,
                          (DWORD)((lstrlenW(s) + 1) * sizeof *s));
}

/* Value NAME of K, raw: *DATA malloc'ed (plus a NUL unit, so strings can
** be used as such), *TYPE and *LEN set (emu/regwrite.h). */
static long read_raw(HKEY k, const WCHAR *name, DWORD *type, BYTE **data, DWORD *len)
{
    return reg_read_exact(k, name, type, data, len);
}

/* ---- paths -------------------------------------------------------------- */

static int same_path(const WCHAR *a, const WCHAR *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static WCHAR ascii_upper(WCHAR c)
{
    return c >= 'a' && c <= 'z' ? (WCHAR)(c - 'a' + 'A') : c;
}

/* The keys this journal created, as a hash set: "is KEY inside one of
** them?" (see the file comment) then costs one look-up per level of KEY,
** not one comparison per created key. Paths hash and compare with ASCII
** letters folded, as the registry folds at least those. */

static uint32_t hash_unit(uint32_t h, WCHAR c)
{
    return (h ^ ascii_upper(c)) * 16777619u;  /* FNV-1a */
}

#define HASH_START 2166136261u

/* Are the N units at PATH the NUL-terminated KEY, ASCII letters folded? */
static int same_folded(const WCHAR *path, size_t n, const WCHAR *key)
{
    for (size_t i = 0; i < n; i++)
        if (!key[i] || ascii_upper(path[i]) != ascii_upper(key[i]))
            return 0;
    return key[n] == 0;
}

/* Did this journal create the key named by the N units at PATH (hash H)? */
static int created_has(const struct undo_journal *j, const WCHAR *path, size_t n, uint32_t h)
{
    size_t mask = j->created_cap - 1;
    if (!j->created_cap)
        return 0;
    for (size_t i = h & mask; j->created[i]; i = (i + 1) & mask)
        if (same_folded(path, n, (const WCHAR *)j->created[i]))
            return 1;
    return 0;
}

/* Did this journal create KEY or one of its parents? Then undoing that
** creation undoes any change to KEY: no entry of its own is needed. */
static int within_created(const struct undo_journal *j, const WCHAR *key)
{
    uint32_t h = HASH_START;
    for (size_t i = 0;; i++) {
        if ((key[i] == '\\' || !key[i]) && created_has(j, key, i, h))
            return 1;
        if (!key[i])
            return 0;
        h = hash_unit(h, key[i]);
    }
}

static uint32_t hash_key(const WCHAR *key)
{
    uint32_t h = HASH_START;
    while (*key)
        h = hash_unit(h, *key++);
    return h;
}

/* Put KEY (taken over) into the set, whose CAP slots have room. */
static void created_put(uint16_t **set, size_t cap, uint16_t *key)
{
    size_t i = hash_key((const WCHAR *)key) & (cap - 1);
    while (set[i])
        i = (i + 1) & (cap - 1);
    set[i] = key;
}

/* Keep the set at most half full, so look-ups stay short. */
static long created_make_room(struct undo_journal *j)
{
    if (2 * (j->ncreated + 1) <= j->created_cap)
        return ERROR_SUCCESS;
    size_t cap = j->created_cap ? 2 * j->created_cap : 16;
    uint16_t **set = calloc(cap, sizeof *set);
    if (!set)
        return ERROR_OUTOFMEMORY;
    for (size_t i = 0; i < j->created_cap; i++)
        if (j->created[i])
            created_put(set, cap, j->created[i]);
    free(j->created);
    j->created = set;
    j->created_cap = cap;
    return ERROR_SUCCESS;
}

static long remember_created(struct undo_journal *j, const WCHAR *key)
{
    WCHAR *copy = wide_dup(key);
    if (!copy || created_make_room(j)) {
        free(copy);
        return ERROR_OUTOFMEMORY;
    }
    created_put(j->created, j->created_cap, (uint16_t *)copy);
    j->ncreated++;
    return ERROR_SUCCESS;
}

/* Delete NAME under PARENT with all below it: a key without subkeys (the
** usual case) costs one request to the server, RegDeleteTreeW several. */
static long remove_key(HKEY parent, const WCHAR *name)
{
    long rc = RegDeleteKeyW(parent, name);
    return rc == ERROR_SUCCESS || rc == ERROR_FILE_NOT_FOUND ? rc : RegDeleteTreeW(parent, name);
}

/* ---- the journal in the registry -------------------------------------- */

/* The number an entry's name stands for (a name that is no number: 0). */
static unsigned entry_number(const WCHAR *name)
{
    unsigned v = 0;
    for (const WCHAR *p = name; *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (unsigned)(*p - '0');
    return v;
}

struct entry_name {
    unsigned number;
    WCHAR name[256];           /* a key name has at most 255 units */
};

static int newer_first(const void *a, const void *b)
{
    unsigned x = ((const struct entry_name *)a)->number;
    unsigned y = ((const struct entry_name *)b)->number;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The entries of JOURNAL, newest first, in *OUT (malloc'ed); their count. */
static size_t list_entries(HKEY journal, struct entry_name **out)
{
    DWORD count = 0;
    *out = NULL;
    if (RegQueryInfoKeyW(journal, NULL, NULL, NULL, &count, NULL, NULL, NULL, NULL, NULL,
                         NULL, NULL) || !count || !(*out = calloc(count, sizeof **out)))
        return 0;
    size_t n = 0;
    for (DWORD i = 0; n < count; i++) {
        DWORD len = ARRAYSIZE((*out)[n].name);
        if (RegEnumKeyExW(journal, i, (*out)[n].name, &len, NULL, NULL, NULL, NULL))
            break;
        (*out)[n].number = entry_number((*out)[n].name);
        n++;
    }
    qsort(*out, n, sizeof **out, newer_first);
    return n;
}

/* The journal key, kept open from this process's first entry until the
** journal is removed: the scenarios of a run then neither create nor
** delete it each time (issue 12: that was 12 of a scenario's requests to
** the server).  NEXT, the number of the next entry, is looked up once and
** then counted on: one harness process per prefix writes the journal. */
static struct {
    HKEY key;
    unsigned next;              /* 0: not known yet */
} journal_cache;

static void journal_close(void)
{
    if (journal_cache.key)
        RegCloseKey(journal_cache.key);
    journal_cache.key = NULL;
    journal_cache.next = 0;
}

/* Open (creating it) the journal, once, and learn its next number. */
static long journal_open(void)
{
    if (journal_cache.key)
        return ERROR_SUCCESS;
    long rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, JOURNAL_KEY, 0, NULL, 0, KEY_ALL_ACCESS,
                              NULL, &journal_cache.key, NULL);
    if (rc) {
        journal_cache.key = NULL;
        return rc;
    }
    struct entry_name *entries;
    size_t n = list_entries(journal_cache.key, &entries);
    journal_cache.next = (n ? entries[0].number : 0) + 1;
    free(entries);
    return ERROR_SUCCESS;
}

/* Create entry NAME in the open journal; a journal key deleted behind
** this process's back (by another process's recovery) is opened again. */
static long entry_create(HKEY *entry)
{
    WCHAR name[ENTRY_NAME_LEN];
    char ascii[ENTRY_NAME_LEN];
    long rc = ERROR_KEY_DELETED;
    for (int tries = 0; rc == ERROR_KEY_DELETED && tries < 2; tries++) {
        if (tries)
            journal_close();
        if ((rc = journal_open()))
            return rc;
        snprintf(ascii, sizeof ascii, "%08u", journal_cache.next);
        for (int i = 0; i < ENTRY_NAME_LEN; i++)
            name[i] = (WCHAR)ascii[i];
        rc = RegCreateKeyExW(journal_cache.key, name, 0, NULL, 0, KEY_ALL_ACCESS, NULL, entry,
                             NULL);
    }
    if (!rc)
        journal_cache.next++;  /* even if this entry is never finished: it is not reused */
    return rc;
}

/* Open a new entry after the newest one, its "key" value already set. */
static long entry_begin(const WCHAR *key, HKEY *entry)
{
    long rc = entry_create(entry);
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
    if (!rc)
        rc = entry_commit(entry, UNDO_DELETE_TREE, j);
    return rc ? rc : remember_created(j, key);
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

/* The key the previous operation worked on, kept open for the next one: a
** .reg file names a key once and then sets its values one by one. */
struct current_key {
    WCHAR *path;               /* NULL: none open */
    HKEY k;
};

static void current_close(struct current_key *c)
{
    if (c->path)
        RegCloseKey(c->k);
    free(c->path);
    c->path = NULL;
}

/* Make C the open key PATH (taking ownership of K). */
static long current_set(struct current_key *c, const WCHAR *path, HKEY k)
{
    current_close(c);
    if (!(c->path = wide_dup(path))) {
        RegCloseKey(k);
        return ERROR_OUTOFMEMORY;
    }
    c->k = k;
    return ERROR_SUCCESS;
}

/* Can KEY be opened? (Any failure counts as missing: the opposite mistake,
** a created key left out of the journal, would leak into later scenarios.) */
static int key_exists(const WCHAR *path)
{
    HKEY k;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_READ, &k))
        return 0;
    RegCloseKey(k);
    return 1;
}

/* Journal the topmost missing key on the way to KEY, which could not be
** opened (OPEN_ERROR): its deletion undoes everything created below it,
** unless this journal created it already. Searched upwards: the missing
** part of a path is usually short, the existing part long. */
static long journal_missing(const WCHAR *key, long open_error, struct undo_journal *j)
{
    /* A key that is there but refused KEY_ALL_ACCESS is not ours to delete. */
    if (open_error != ERROR_FILE_NOT_FOUND && key_exists(key))
        return ERROR_SUCCESS;
    WCHAR *path = wide_dup(key);
    if (!path)
        return ERROR_OUTOFMEMORY;
    size_t missing = (size_t)lstrlenW(path);  /* path[0..missing) is missing */
    for (;;) {
        size_t cut = missing;
        while (cut > 0 && path[cut - 1] != '\\')
            cut--;
        if (cut == 0)
            break;  /* a key right below HKLM, which exists */
        path[cut - 1] = 0;
        int parent_exists = key_exists(path);
        path[cut - 1] = '\\';
        if (parent_exists)
            break;
        missing = cut - 1;
    }
    path[missing] = 0;
    long rc = within_created(j, path) ? ERROR_SUCCESS : journal_created_key(path, j);
    free(path);
    return rc;
}

/* Open KEY (in C), creating it and its missing parents when CREATE is set;
** an error when it cannot be opened and CREATE is not set. */
static long open_key(struct current_key *c, const WCHAR *key, int create,
                     struct undo_journal *j)
{
    HKEY k;
    if (c->path && same_path(c->path, key))
        return ERROR_SUCCESS;
    long rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_ALL_ACCESS, &k);
    if (rc && create) {
        rc = journal_missing(key, rc, j);
        if (!rc)
            rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &k,
                                 NULL);
    }
    return rc ? rc : current_set(c, key, k);
}

/* Set value NAME of KEY to TYPE, DATA, LEN, or delete it when DEL is set,
** journaled first. Setting creates KEY when it is missing; deleting from a
** missing key is a no-op, as in regedit. */
static long change_value(const WCHAR *key, const WCHAR *name, int del, DWORD type,
                         const BYTE *data, DWORD len, struct undo_journal *j,
                         struct current_key *c)
{
    long rc = open_key(c, key, !del, j);
    if (rc)
        return del ? ERROR_SUCCESS : rc;
    if (!within_created(j, key) && (rc = journal_value(c->k, key, name, j)))
        return rc;
    if (!del)
        return reg_set_exact(c->k, name, type, data, len);
    rc = RegDeleteValueW(c->k, name);
    return rc == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : rc;
}

static long apply_value(const struct reg_op *op, const WCHAR *key, struct undo_journal *j,
                        struct current_key *c)
{
    WCHAR *name = wide(op->name);
    if (!name)
        return ERROR_OUTOFMEMORY;
    long rc = change_value(key, name, op->kind == REG_OP_DELETE_VALUE, op->type, op->data,
                           (DWORD)op->len, j, c);
    free(name);
    return rc;
}

/* The keys and values of the subtree ROOT (the key itself counts as one),
** but no more than LIMIT + 1: counting stops there, so a hive costs what
** LIMIT keys cost, not what the hive holds. Walked without recursion: a
** chain of nested keys is as deep as it is long. A key that cannot be
** opened is not counted (RegCopyTreeW could not copy it either). */
static size_t count_tree(HKEY root, size_t limit)
{
    struct level {
        HKEY k;
        DWORD next;            /* the next subkey to visit */
    } *stack = NULL;
    size_t depth = 0, cap = 0, n = 0;
    HKEY k = root;
    for (;;) {
        DWORD values = 0;
        if (!RegQueryInfoKeyW(k, NULL, NULL, NULL, NULL, NULL, NULL, &values, NULL, NULL,
                              NULL, NULL))
            n += 1 + values;
        if (n <= limit) {
            struct level *grown = grow_for(stack, &cap, depth, sizeof *stack, 16);
            if (grown)
                stack = grown;
            else
                n = limit + 1;  /* no memory to look further: too big */
        }
        if (n > limit) {
            if (k != root)
                RegCloseKey(k);
            break;
        }
        stack[depth].k = k;
        stack[depth++].next = 0;
        k = NULL;
        while (depth && !k) {
            struct level *top = &stack[depth - 1];
            WCHAR name[256];   /* a key name has at most 255 units */
            DWORD len = ARRAYSIZE(name);
            if (RegEnumKeyExW(top->k, top->next++, name, &len, NULL, NULL, NULL, NULL)) {
                if (top->k != root)
                    RegCloseKey(top->k);
                depth--;
            } else if (RegOpenKeyExW(top->k, name, 0, KEY_READ, &k)) {
                k = NULL;
            }
        }
        if (!k)
            break;
    }
    while (depth--)
        if (stack[depth].k != root)
            RegCloseKey(stack[depth].k);
    free(stack);
    return n;
}

/* Copy the subtree into the journal (unless this journal created it), then
** delete it. What the copies hold is capped per scenario (regapply.h): a
** deletion that would pass the cap is refused before anything of it is
** done, and what came before stays journaled, to be undone. */
static long delete_key(const WCHAR *key, struct undo_journal *j, struct current_key *c)
{
    HKEY src;
    current_close(c);  /* it may be the key deleted, or below it */
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &src))
        return ERROR_SUCCESS; /* regedit: deleting a missing key is a no-op */
    long rc = ERROR_SUCCESS;
    if (!within_created(j, key)) {
        size_t room = REGAPPLY_COPY_CAP - j->copied;  /* never negative: see below */
        size_t n = count_tree(src, room);
        if (n > room)
            rc = REGAPPLY_TOO_BIG;
        else if (!(rc = journal_tree(src, key, j)))
            j->copied += n;
    }
    RegCloseKey(src);
    return rc ? rc : RegDeleteTreeW(HKEY_LOCAL_MACHINE, key);
}

static long apply_one(const struct reg_op *op, struct undo_journal *j, struct current_key *c)
{
    WCHAR *key = wide(op->key);
    long rc;
    if (!key)
        return ERROR_OUTOFMEMORY;
    switch (op->kind) {
    case REG_OP_CREATE_KEY:   rc = open_key(c, key, 1, j); break;
    case REG_OP_DELETE_KEY:   rc = delete_key(key, j, c); break;
    case REG_OP_SET_VALUE:
    case REG_OP_DELETE_VALUE: rc = apply_value(op, key, j, c); break;
    default:                  rc = ERROR_INVALID_PARAMETER; break;
    }
    free(key);
    return rc;
}

long regapply_run(const struct reg_op *ops, size_t nops, struct undo_journal *j,
                  int *failed_line)
{
    struct current_key c = { NULL, NULL };
    long rc = ERROR_SUCCESS;
    for (size_t i = 0; i < nops && !rc; i++)
        if ((rc = apply_one(&ops[i], j, &c)))
            *failed_line = ops[i].line;
    current_close(&c);
    return rc;
}

long regapply_change_value(const uint16_t *key, const uint16_t *name, int del, uint32_t type,
                           const void *data, size_t len, struct undo_journal *j)
{
    struct current_key c = { NULL, NULL };
    long rc = change_value((const WCHAR *)key, (const WCHAR *)name, del, type, data,
                           (DWORD)len, j, &c);
    current_close(&c);
    return rc;
}

const char *regapply_refusal(long rc)
{
    return rc == REGAPPLY_TOO_BIG
               ? "deleting this key would take the scenario past " REGAPPLY_COPY_CAP_TEXT
                 " deleted keys and values, the cap that keeps its undo within seconds"
               : NULL;
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
        remove_key(HKEY_LOCAL_MACHINE, (WCHAR *)key); /* the key itself too */
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

/* Delete the entry NAME of JOURNAL, open as ENTRY (or NULL): through the
** open handle it is one request; an entry with a subkey (a tree copy)
** needs the tree call. */
static long remove_entry(HKEY journal, const WCHAR *name, HKEY entry)
{
    if (entry && NtDeleteKey(entry) == 0)
        return ERROR_SUCCESS;
    return remove_key(journal, name);
}

/* Undo the entries newest first, each deleted once undone, so that a run
** killed meanwhile leaves exactly the entries still to undo.  Returns 0,
** or -1 when one could not be deleted (the older ones stay, not undone). */
static int undo_entries(HKEY journal)
{
    struct entry_name *entries;
    size_t n = list_entries(journal, &entries);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        HKEY entry;
        if (RegOpenKeyExW(journal, entries[i].name, 0, KEY_READ | DELETE, &entry))
            entry = NULL;
        else
            undo_entry(entry);
        long gone = remove_entry(journal, entries[i].name, entry);
        if (entry)
            RegCloseKey(entry);
        if (gone && gone != ERROR_FILE_NOT_FOUND)
            rc = -1;  /* an older entry undone before this one would be wrong */
    }
    free(entries);
    return rc;
}

void regapply_recover(void)
{
    HKEY key;
    journal_close();
    if (!RegOpenKeyExW(HKEY_LOCAL_MACHINE, JOURNAL_KEY, 0, KEY_ALL_ACCESS, &key)) {
        undo_entries(key);
        RegCloseKey(key);
        remove_key(HKEY_LOCAL_MACHINE, JOURNAL_KEY);
    }
    remove_key(HKEY_LOCAL_MACHINE, UNDO_ROOT);
}

static void forget_journal(struct undo_journal *j)
{
    for (size_t i = 0; i < j->created_cap; i++)
        free(j->created[i]);
    free(j->created);
    memset(j, 0, sizeof *j);
}

void regapply_undo(struct undo_journal *j)
{
    regapply_recover();
    forget_journal(j);
}

void regapply_undo_keep(struct undo_journal *j)
{
    /* Without the key open, this process wrote no entry since the last
    ** recovery: there is nothing to undo. */
    if (journal_cache.key && undo_entries(journal_cache.key))
        regapply_recover();  /* what could not be deleted: the whole way */
    forget_journal(j);
}
