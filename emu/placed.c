/*
** placed.c: the list of what emu/kmserver.c placed (see placed.h).
**
** The durable list is the registry, like regapply's journal: it outlives a
** killed process.  The memory list holds what this process listed since
** the last placed_drop_all(), so that a run asks the registry nothing
** between its scenarios.
*/
#include <windows.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "placed.h"

#define PLACED_KEY L"Software\\kmharness-placed"

/* The durable list, kept open from the first note until placed_drop_all()
** deletes it: listing a placement is then one request to the server. */
static HKEY durable;

static struct {
    struct placed_entry *v;
    size_t n, cap;
} mem;

static long open_durable(void)
{
    if (durable)
        return ERROR_SUCCESS;
    long rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, PLACED_KEY, 0, NULL, 0,
                              KEY_SET_VALUE | KEY_QUERY_VALUE, NULL, &durable, NULL);
    if (rc != ERROR_SUCCESS)
        durable = NULL;
    return rc;
}

static void close_durable(void)
{
    if (durable)
        RegCloseKey(durable);
    durable = NULL;
}

/* Do the N units at A and the name B match, letters folded? */
static int same_name(const WCHAR *a, size_t n, const WCHAR *b)
{
    return (size_t)lstrlenW(b) == n &&
           CompareStringOrdinal(a, (int)n, b, (int)n, TRUE) == CSTR_EQUAL;
}

struct placed_entry *placed_find(const WCHAR *name, size_t n)
{
    for (size_t i = 0; i < mem.n; i++)
        if (same_name(name, n, mem.v[i].name))
            return &mem.v[i];
    return NULL;
}

/* A new live entry for NAME (or the one already there, made live). */
static long remember(enum placed_kind kind, const WCHAR *name)
{
    size_t len = (size_t)lstrlenW(name);
    struct placed_entry *e = placed_find(name, len);
    if (!e) {
        struct placed_entry *v = grow_for(mem.v, &mem.cap, mem.n, sizeof *v, 16);
        if (!v)
            return ERROR_NOT_ENOUGH_MEMORY;
        mem.v = v;
        e = &mem.v[mem.n];
        memset(e, 0, sizeof *e);
        if (!(e->name = malloc((len + 1) * sizeof *name)))
            return ERROR_NOT_ENOUGH_MEMORY;
        memcpy(e->name, name, (len + 1) * sizeof *name);
        mem.n++;
    }
    e->kind = kind;
    e->known = 0;
    e->live = 1;
    return ERROR_SUCCESS;
}

long placed_note(enum placed_kind kind, const WCHAR *name)
{
    DWORD v = kind;
    long rc = open_durable();
    if (rc == ERROR_SUCCESS)
        rc = RegSetValueExW(durable, name, 0, REG_DWORD, (const BYTE *)&v, sizeof v);
    /* Not remembered when the registry refused: the caller creates
    ** nothing then, and removing an entry removes what lies at its path. */
    return rc ? rc : remember(kind, name);
}

void placed_forget(const WCHAR *name)
{
    if (durable || open_durable() == ERROR_SUCCESS)
        RegDeleteValueW(durable, name);
    struct placed_entry *e = placed_find(name, (size_t)lstrlenW(name));
    if (e) {
        free(e->name);
        *e = mem.v[--mem.n];
    }
}

int placed_is_listed(const WCHAR *name)
{
    return open_durable() == ERROR_SUCCESS &&
           RegQueryValueExW(durable, name, NULL, NULL, NULL, NULL) == ERROR_SUCCESS;
}

void placed_mark_live(const WCHAR *path)
{
    const WCHAR drive[2] = { (WCHAR)(path[0] | 0x20), 0 };
    struct placed_entry *e = placed_find(drive, 1);
    if (e && e->kind == PLACED_DRIVE)
        e->live = 1;
    for (size_t i = 3;; i++)
        if (path[i] == '\\' || !path[i]) {
            if ((e = placed_find(path, i)) != NULL)
                e->live = 1;
            if (!path[i])
                break;
        }
}

void placed_retire(void)
{
    for (size_t i = 0; i < mem.n; i++)
        mem.v[i].live = 0;
}

/* Removal order: files, then folders, deepest first (a folder's own path
** is shorter than anything inside it, so each is empty when its turn
** comes, unless something else was put there), then the drives. */
static int removal_order(const void *a, const void *b)
{
    const struct placed_entry *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    int lx = lstrlenW(x->name), ly = lstrlenW(y->name);
    return lx > ly ? -1 : lx < ly ? 1 : 0;
}

/* Is NAME the first N units of PREFIX, or inside that folder? */
static int is_under(const WCHAR *name, const WCHAR *prefix, size_t n)
{
    return (size_t)lstrlenW(name) >= n &&
           CompareStringOrdinal(name, (int)n, prefix, (int)n, TRUE) == CSTR_EQUAL &&
           (name[n] == 0 || name[n] == '\\');
}

static int copy_entry(struct placed_entry *to, const struct placed_entry *from)
{
    size_t bytes = ((size_t)lstrlenW(from->name) + 1) * sizeof *from->name;
    *to = *from;
    if (!(to->name = malloc(bytes)))
        return -1;
    memcpy(to->name, from->name, bytes);
    return 0;
}

size_t placed_stale(const WCHAR *prefix, size_t n, struct placed_entry **out)
{
    size_t k = 0;
    *out = mem.n ? calloc(mem.n, sizeof **out) : NULL;
    for (size_t i = 0; *out && i < mem.n; i++)
        if (!mem.v[i].live && (!prefix || is_under(mem.v[i].name, prefix, n)) &&
            copy_entry(&(*out)[k], &mem.v[i]) == 0)
            k++;
    qsort(*out, k, sizeof **out, removal_order);
    return k;
}

void placed_free_copies(struct placed_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

/* Every entry of the open durable LIST, read in one pass, in *OUT. */
static size_t read_list(HKEY list, struct placed_entry **out)
{
    DWORD count = 0;
    *out = NULL;
    if (RegQueryInfoKeyW(list, NULL, NULL, NULL, NULL, NULL, NULL, &count, NULL, NULL, NULL,
                         NULL) || !count || !(*out = calloc(count, sizeof **out)))
        return 0;
    WCHAR name[16384];  /* the longest value name the registry allows */
    size_t n = 0;
    for (DWORD i = 0; i < count; i++) {
        DWORD len = ARRAYSIZE(name), type, kind = 0, size = sizeof kind;
        LONG rc = RegEnumValueW(list, i, name, &len, NULL, &type, (BYTE *)&kind, &size);
        if (rc == ERROR_NO_MORE_ITEMS)
            break;
        if (rc != ERROR_SUCCESS || type != REG_DWORD || size != sizeof kind)
            continue;
        struct placed_entry e = { .name = name, .kind = (enum placed_kind)kind };
        if (copy_entry(&(*out)[n], &e) == 0)
            n++;
    }
    return n;
}

size_t placed_read_durable(struct placed_entry **out)
{
    HKEY list;
    *out = NULL;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, PLACED_KEY, 0, KEY_QUERY_VALUE, &list))
        return 0;  /* nothing placed */
    size_t n = read_list(list, out);
    RegCloseKey(list);
    qsort(*out, n, sizeof **out, removal_order);
    return n;
}

long placed_drop_all(void)
{
    close_durable();
    for (size_t i = 0; i < mem.n; i++)
        free(mem.v[i].name);
    free(mem.v);
    memset(&mem, 0, sizeof mem);
    /* The list is a leaf key: one call deletes it (the tree call is for a
    ** list someone gave subkeys). */
    LONG rc = RegDeleteKeyW(HKEY_LOCAL_MACHINE, PLACED_KEY);
    if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND)
        rc = RegDeleteTreeW(HKEY_LOCAL_MACHINE, PLACED_KEY);
    return rc == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : rc;
}
