/*
** regwatch.c - the registry outside the service key, watched and put back
** around each run of an admin's remediation (see regwatch.h).
*/
#include <windows.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "regwatch.h"
#include "regwrite.h"
#include "text.h"

#define MAX_DEPTH 64

struct rvalue {
    WCHAR name[256];
    DWORD type;
    BYTE *data;
    DWORD len;
};

/* One key: ROOT\PATH ("" is the root itself) and its values. */
struct rkey {
    HKEY root;
    WCHAR *path;
    struct rvalue *v;
    size_t nv;
};

struct keys {
    struct rkey *k;
    size_t n, cap;
};

struct watch {
    HKEY root;
    WCHAR path[128];
    int subtree;
    HKEY key;
    HANDLE event;
};

struct regwatch {
    struct keys snap;
    struct watch w[64];
    size_t nw;
};

/* The keys that lead to the service key, from HKLM down. */
static const WCHAR *const way[] = {
    L"", L"SYSTEM", L"SYSTEM\\CurrentControlSet", L"SYSTEM\\CurrentControlSet\\Services",
};
#define SERVICE_KEY_PATH L"SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"

/* ---- paths ------------------------------------------------------------ */

static WCHAR *join(const WCHAR *path, const WCHAR *name)
{
    size_t n = (size_t)lstrlenW(path), m = (size_t)lstrlenW(name);
    WCHAR *j = malloc((n + m + 2) * sizeof *j);
    if (!j)
        return NULL;
    memcpy(j, path, n * sizeof *j);
    if (n)
        j[n++] = '\\';
    memcpy(j + n, name, (m + 1) * sizeof *j);
    return j;
}

/* Is PATH the key ANCESTOR or below it (any case)? */
static int is_within(const WCHAR *path, const WCHAR *ancestor)
{
    int n = lstrlenW(ancestor);
    if (n == 0)
        return 1;
    if (lstrlenW(path) < n || CompareStringOrdinal(path, n, ancestor, n, TRUE) != CSTR_EQUAL)
        return 0;
    return path[n] == 0 || path[n] == '\\';
}

/* Keys Wine itself writes when a program that uses windows starts (cscript
** does; measured in this prefix: the device map, device classes, video and
** hardware profile keys, the service manager's counter, and HKCU's
** temporary system parameters).  On Windows, HKLM\Hardware is rebuilt at
** every boot too.  Not watched: they are Wine's doing, not the script's. */
static const struct {
    int user;  /* HKCU, else HKLM */
    const WCHAR *path;
} wines_own[] = {
    { 0, L"Hardware" },
    { 0, L"SYSTEM\\CurrentControlSet\\Control\\DeviceClasses" },
    { 0, L"SYSTEM\\CurrentControlSet\\Control\\Video" },
    { 0, L"SYSTEM\\CurrentControlSet\\Control\\Class" },
    { 0, L"SYSTEM\\CurrentControlSet\\Control\\ServiceCurrent" },
    { 0, L"SYSTEM\\CurrentControlSet\\Hardware Profiles\\Current" },
    { 1, L"Software\\Wine\\Temporary System Parameters" },
};

/* Not watched: the service key (under any control set: it is what is
** tested), the harness's own keys, and Wine's own (above). */
static int is_excluded(HKEY root, const WCHAR *path)
{
    for (size_t i = 0; i < ARRAYSIZE(wines_own); i++)
        if ((root == HKEY_CURRENT_USER) == wines_own[i].user && is_within(path, wines_own[i].path))
            return 1;
    if (root != HKEY_LOCAL_MACHINE)
        return 0;
    static const WCHAR own[] = L"Software\\kmharness";
    if (lstrlenW(path) >= lstrlenW(own) &&
        CompareStringOrdinal(path, lstrlenW(own), own, lstrlenW(own), TRUE) == CSTR_EQUAL)
        return 1;
    if (is_within(path, SERVICE_KEY_PATH))
        return 1;
    const WCHAR *set = path + 7;  /* "SYSTEM\<set>\Services\MSExchangeKMS" */
    if (lstrlenW(path) < 7 || CompareStringOrdinal(path, 7, L"SYSTEM\\", 7, TRUE) != CSTR_EQUAL)
        return 0;
    const WCHAR *rest = set;
    while (*rest && *rest != '\\')
        rest++;
    return is_within(rest[0] ? rest + 1 : rest, L"Services\\MSExchangeKMS");
}

/* ---- reading ---------------------------------------------------------- */

static void free_key(struct rkey *k)
{
    for (size_t i = 0; i < k->nv; i++)
        free(k->v[i].data);
    free(k->v);
    free(k->path);
}

static void free_keys(struct keys *ks)
{
    for (size_t i = 0; i < ks->n; i++)
        free_key(&ks->k[i]);
    free(ks->k);
    memset(ks, 0, sizeof *ks);
}

static int push_key(struct keys *ks, struct rkey *k)
{
    struct rkey *grown = grow_for(ks->k, &ks->cap, ks->n, sizeof *grown, 1024);
    if (!grown)
        return -1;
    ks->k = grown;
    ks->k[ks->n++] = *k;
    return 0;
}

/* The values of the open key H into K. */
static void read_values(HKEY h, struct rkey *k)
{
    DWORD count = 0, max_data = 0;
    RegQueryInfoKeyW(h, NULL, NULL, NULL, NULL, NULL, NULL, &count, NULL, &max_data, NULL, NULL);
    k->v = count ? calloc(count, sizeof *k->v) : NULL;
    for (DWORD i = 0; k->v && i < count; i++) {
        struct rvalue *v = &k->v[k->nv];
        DWORD nlen = ARRAYSIZE(v->name);
        v->len = max_data;
        v->data = malloc(max_data ? max_data : 1);
        if (v->data && RegEnumValueW(h, i, v->name, &nlen, NULL, &v->type, v->data, &v->len) == 0)
            k->nv++;
        else
            free(v->data);
    }
}

/* ROOT\PATH and, when DEEP, everything below it, into KS. */
static void walk(HKEY root, const WCHAR *path, int deep, int depth, struct keys *ks)
{
    HKEY h;
    if (depth > MAX_DEPTH || is_excluded(root, path) ||
        RegOpenKeyExW(root, path, 0, KEY_READ, &h) != ERROR_SUCCESS)
        return;
    struct rkey k = { .root = root, .path = join(path, L"") };
    if (k.path)
        k.path[lstrlenW(path)] = 0;
    read_values(h, &k);
    if (!k.path || push_key(ks, &k)) {
        free_key(&k);
        RegCloseKey(h);
        return;
    }
    WCHAR name[256];
    for (DWORD i = 0; deep; i++) {
        DWORD nlen = ARRAYSIZE(name);
        if (RegEnumKeyExW(h, i, name, &nlen, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
            break;
        WCHAR *child = join(path, name);
        if (child)
            walk(root, child, 1, depth + 1, ks);
        free(child);
    }
    RegCloseKey(h);
}

/* ---- comparing and putting back ------------------------------------- */

static const struct rvalue *find_value(const struct rkey *k, const WCHAR *name)
{
    for (size_t i = 0; i < k->nv; i++)
        if (!lstrcmpiW(k->v[i].name, name))
            return &k->v[i];
    return NULL;
}

/* Keys in order of root, then path compared without case (ordinal, as the
** registry compares names): sorted once, found by binary search. */
static int key_order(const void *a, const void *b)
{
    const struct rkey *x = a, *y = b;
    if (x->root != y->root)
        return (uintptr_t)x->root < (uintptr_t)y->root ? -1 : 1;
    return CompareStringOrdinal(x->path, -1, y->path, -1, TRUE) - CSTR_EQUAL;
}

static void sort_keys(struct keys *ks)
{
    qsort(ks->k, ks->n, sizeof *ks->k, key_order);
}

static const struct rkey *find_key(const struct keys *ks, HKEY root, const WCHAR *path)
{
    struct rkey probe = { .root = root, .path = (WCHAR *)path };
    return bsearch(&probe, ks->k, ks->n, sizeof *ks->k, key_order);
}

/* Make the values of ROOT\WANT->path those of WANT (CUR: what is there,
** or NULL for a key to create).  Returns 1 when anything differed. */
static int put_back_values(const struct rkey *want, const struct rkey *cur)
{
    int changed = !cur;
    HKEY h;
    if (RegCreateKeyExW(want->root, want->path, 0, NULL, 0, KEY_READ | KEY_WRITE, NULL, &h,
                        NULL) != ERROR_SUCCESS)
        return 1;
    for (size_t i = 0; cur && i < cur->nv; i++)
        if (!find_value(want, cur->v[i].name)) {
            RegDeleteValueW(h, cur->v[i].name);
            changed = 1;
        }
    for (size_t i = 0; i < want->nv; i++) {
        const struct rvalue *v = &want->v[i], *now = cur ? find_value(cur, v->name) : NULL;
        if (now && now->type == v->type && now->len == v->len && !memcmp(now->data, v->data, v->len))
            continue;
        reg_set_exact(h, v->name, v->type, v->data, v->len);
        changed = 1;
    }
    RegCloseKey(h);
    return changed;
}

/* Does the scenario write ROOT\PATH, a key above it, or one below it? */
static int is_scenarios(HKEY root, const WCHAR *path, WCHAR *const *op_keys, size_t nops)
{
    for (size_t i = 0; root == HKEY_LOCAL_MACHINE && i < nops; i++)
        if (op_keys[i] && (is_within(path, op_keys[i]) || is_within(op_keys[i], path)))
            return 1;
    return 0;
}

struct finding {
    char *text;
    size_t n;
    int count;
};

static void note(struct finding *f, HKEY root, const WCHAR *path)
{
    char *utf8 = NULL;
    size_t len;
    f->count++;
    if (text_utf16_to_utf8((const uint16_t *)path, (size_t)lstrlenW(path), &utf8, &len) == TEXT_OK) {
        size_t used = strlen(f->text);
        snprintf(f->text + used, f->n - used, "%s%s%s%s", used ? ", " : "",
                 root == HKEY_LOCAL_MACHINE ? "HKLM" : "HKCU", *utf8 ? "\\" : "", utf8);
    }
    free(utf8);
}

/* Compare the keys of CUR with the snapshot's under ROOT\TOP (TOP alone
** unless DEEP) and put every difference back. */
static void settle_subtree(struct regwatch *w, HKEY root, const WCHAR *top, int deep,
                           WCHAR *const *op_keys, size_t nops, struct finding *f)
{
    struct keys cur = { 0 };
    walk(root, top, deep, 0, &cur);
    sort_keys(&cur);
    for (size_t i = 0; i < cur.n; i++) {  /* keys that are new: deleted */
        const struct rkey *k = &cur.k[i];
        if (!find_key(&w->snap, root, k->path) && !is_scenarios(root, k->path, op_keys, nops) &&
            RegDeleteTreeW(root, k->path) == ERROR_SUCCESS)
            note(f, root, k->path);
    }
    for (size_t i = 0; i < w->snap.n; i++) {  /* changed or gone: rewritten */
        const struct rkey *want = &w->snap.k[i];
        if (want->root != root || !is_within(want->path, top) ||
            (!deep && lstrcmpiW(want->path, top)) || is_scenarios(root, want->path, op_keys, nops))
            continue;
        if (put_back_values(want, find_key(&cur, root, want->path)))
            note(f, root, want->path);
    }
    free_keys(&cur);
}

/* A key on the way to the service key: its own values, and subkeys that
** appeared or vanished beside the way (those on the way are watched on
** their own). */
static void settle_way_key(struct regwatch *w, const struct watch *wt, WCHAR *const *op_keys,
                           size_t nops, struct finding *f)
{
    settle_subtree(w, wt->root, wt->path, 0, op_keys, nops, f);
    HKEY h;
    if (RegOpenKeyExW(wt->root, wt->path, 0, KEY_READ, &h) != ERROR_SUCCESS)
        return;
    WCHAR name[256];
    for (DWORD i = 0;; i++) {
        DWORD nlen = ARRAYSIZE(name);
        if (RegEnumKeyExW(h, i, name, &nlen, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
            break;
        WCHAR *child = join(wt->path, name);
        if (child && !is_excluded(wt->root, child) && !find_key(&w->snap, wt->root, child) &&
            !is_scenarios(wt->root, child, op_keys, nops) &&
            RegDeleteTreeW(wt->root, child) == ERROR_SUCCESS) {
            note(f, wt->root, child);
            i--;  /* the next key moved into this index */
        }
        free(child);
    }
    RegCloseKey(h);
}

/* ---- public ------------------------------------------------------------- */

static void add_watch(struct regwatch *w, HKEY root, const WCHAR *path, int subtree)
{
    if (w->nw == ARRAYSIZE(w->w) || lstrlenW(path) >= (int)ARRAYSIZE(w->w[0].path))
        return;
    struct watch *wt = &w->w[w->nw++];
    wt->root = root;
    lstrcpyW(wt->path, path);
    wt->subtree = subtree;
}

/* The watches: each key on the way (not deep), each subtree beside it
** (deep), and all of HKCU. */
static void plan_watches(struct regwatch *w)
{
    for (size_t i = 0; i < ARRAYSIZE(way); i++) {
        add_watch(w, HKEY_LOCAL_MACHINE, way[i], 0);
        HKEY h;
        if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, way[i], 0, KEY_READ, &h) != ERROR_SUCCESS)
            continue;
        WCHAR name[256];
        for (DWORD k = 0;; k++) {
            DWORD nlen = ARRAYSIZE(name);
            if (RegEnumKeyExW(h, k, name, &nlen, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
                break;
            WCHAR *child = join(way[i], name);
            int on_way = child && ((i + 1 < ARRAYSIZE(way) && !lstrcmpiW(child, way[i + 1])) ||
                                   is_excluded(HKEY_LOCAL_MACHINE, child));
            if (child && !on_way)
                add_watch(w, HKEY_LOCAL_MACHINE, child, 1);
            free(child);
        }
        RegCloseKey(h);
    }
    add_watch(w, HKEY_CURRENT_USER, L"", 1);
}

struct regwatch *regwatch_open(void)
{
    struct regwatch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    walk(HKEY_LOCAL_MACHINE, L"", 1, 0, &w->snap);
    walk(HKEY_CURRENT_USER, L"", 1, 0, &w->snap);
    sort_keys(&w->snap);
    plan_watches(w);
    return w;
}

static void disarm(struct regwatch *w)
{
    for (size_t i = 0; i < w->nw; i++) {
        if (w->w[i].key)
            RegCloseKey(w->w[i].key);
        if (w->w[i].event)
            CloseHandle(w->w[i].event);
        w->w[i].key = NULL;
        w->w[i].event = NULL;
    }
}

void regwatch_arm(struct regwatch *w)
{
    disarm(w);
    for (size_t i = 0; i < w->nw; i++) {
        struct watch *wt = &w->w[i];
        if (RegOpenKeyExW(wt->root, wt->path, 0, KEY_NOTIFY, &wt->key) != ERROR_SUCCESS) {
            wt->key = NULL;
            continue;
        }
        wt->event = CreateEventW(NULL, TRUE, FALSE, NULL);
        if (!wt->event || RegNotifyChangeKeyValue(wt->key, wt->subtree,
                                                  REG_NOTIFY_CHANGE_NAME |
                                                  REG_NOTIFY_CHANGE_LAST_SET,
                                                  wt->event, TRUE) != ERROR_SUCCESS) {
            /* Unwatchable: checked every time instead. */
            if (wt->event)
                SetEvent(wt->event);
        }
    }
}

int regwatch_settle(struct regwatch *w, const struct reg_op *ops, size_t nops, char *found,
                    size_t n)
{
    WCHAR **op_keys = calloc(nops + 1, sizeof *op_keys);
    for (size_t i = 0; op_keys && i < nops; i++) {
        size_t len;
        if (text_utf8_to_utf16(ops[i].key, strlen(ops[i].key), (uint16_t **)&op_keys[i],
                               &len) != TEXT_OK)
            op_keys[i] = NULL;
    }
    struct finding f = { found, n, 0 };
    found[0] = 0;
    for (size_t i = 0; i < w->nw; i++) {
        const struct watch *wt = &w->w[i];
        if (!wt->event || WaitForSingleObject(wt->event, 0) != WAIT_OBJECT_0)
            continue;
        if (wt->subtree)
            settle_subtree(w, wt->root, wt->path, 1, op_keys, op_keys ? nops : 0, &f);
        else
            settle_way_key(w, wt, op_keys, op_keys ? nops : 0, &f);
    }
    for (size_t i = 0; op_keys && i < nops; i++)
        free(op_keys[i]);
    free(op_keys);
    disarm(w);
    return f.count;
}

void regwatch_close(struct regwatch *w)
{
    if (!w)
        return;
    disarm(w);
    free_keys(&w->snap);
    free(w);
}
