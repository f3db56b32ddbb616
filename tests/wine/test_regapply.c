/*
** test_regapply.c - the undo journal against the real registry.
**
** A scenario may touch any key under HKLM, and the next one must start from
** the same baseline. These checks apply parsed .reg operations with
** regapply_run() and prove regapply_undo() puts back exactly what was
** there: created keys go, changed values return with their old type and
** bytes, deleted values and deleted subtrees come back. A key the scenario
** created takes one journal entry, whatever is done inside it (also among
** hundreds of created keys); a single change made for the launcher is
** journaled and undone like a scenario's; a vendor's key deleted comes
** back byte for byte; deletions past the cap on what they copy aside
** (REGAPPLY_COPY_CAP, together per scenario) are refused at their line
** before any of them happens; a run
** killed after any operation is undone by regapply_recover() alone; a
** journal left by a killed run is numbered past, and undone after, the
** new one.  Between a run's scenarios regapply_undo_keep() undoes all of
** that too and leaves the journal's key, empty, for the next scenario,
** whose entries are numbered on and as durable as ever.
*/
#include <windows.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "regapply.h"

#define JOURNAL L"Software\\kmharness-undo\\journal"

#define BASE L"SOFTWARE\\kmharness-test-regapply"

static struct reg_op op(enum reg_op_kind kind, const char *key, const char *name,
                        uint32_t type, const void *data, size_t len)
{
    struct reg_op o = { kind, 1, (char *)key, (char *)name, type, (uint8_t *)data, len };
    return o;
}

static int exists(const WCHAR *key)
{
    HKEY k;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &k))
        return 0;
    RegCloseKey(k);
    return 1;
}

static DWORD read_dword(const WCHAR *key, const WCHAR *name, DWORD *type)
{
    DWORD v = 0, len = sizeof v;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, key, name, RRF_RT_ANY, type, &v, &len))
        return 0xdeadbeef;
    return v;
}

static void set_dword(const WCHAR *key, const WCHAR *name, DWORD v)
{
    HKEY k;
    assert_int_equal(RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, 0, KEY_ALL_ACCESS,
                                     NULL, &k, NULL), 0);
    assert_int_equal(RegSetValueExW(k, name, 0, REG_DWORD, (BYTE *)&v, sizeof v), 0);
    RegCloseKey(k);
}

static int teardown(void **state)
{
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, BASE);
    /* A failed test may leave its journal: it must not undo the next one. */
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, L"Software\\kmharness-undo");
    return 0;
}

static void created_keys_are_deleted(void **state)
{
    DWORD one = 1;
    struct reg_op ops[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\a\\b", "v", 4, &one, 4),
        op(REG_OP_CREATE_KEY, "SOFTWARE\\kmharness-test-regapply\\c", NULL, 0, NULL, 0),
    };
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 2, &j, &line), 0);
    assert_true(exists(BASE L"\\a\\b"));
    assert_true(exists(BASE L"\\c"));
    regapply_undo(&j);
    assert_false(exists(BASE));
    assert_int_equal(j.n, 0);
}

static void changed_and_deleted_values_come_back(void **state)
{
    set_dword(BASE, L"keep", 7);
    set_dword(BASE, L"gone", 8);
    static const WCHAR text[] = L"text";
    struct reg_op ops[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply", "keep", 1, text, sizeof text),
        op(REG_OP_DELETE_VALUE, "SOFTWARE\\kmharness-test-regapply", "gone", 0, NULL, 0),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply", "new", 1, text, sizeof text),
    };
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 3, &j, &line), 0);
    DWORD type;
    assert_int_equal(read_dword(BASE, L"gone", &type), 0xdeadbeef);
    regapply_undo(&j);
    assert_int_equal(read_dword(BASE, L"keep", &type), 7);
    assert_int_equal(type, REG_DWORD);
    assert_int_equal(read_dword(BASE, L"gone", &type), 8);
    assert_int_equal(read_dword(BASE, L"new", &type), 0xdeadbeef);
}

static void deleted_subtree_is_restored(void **state)
{
    set_dword(BASE L"\\tree\\leaf", L"x", 42);
    struct reg_op ops[] = {
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply\\tree", NULL, 0, NULL, 0),
    };
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 1, &j, &line), 0);
    assert_false(exists(BASE L"\\tree"));
    regapply_undo(&j);
    DWORD type;
    assert_int_equal(read_dword(BASE L"\\tree\\leaf", L"x", &type), 42);
    assert_false(exists(L"Software\\kmharness-undo\\1"));
}

static void deleting_what_is_missing_is_a_no_op(void **state)
{
    struct reg_op ops[] = {
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply\\none", NULL, 0, NULL, 0),
        op(REG_OP_DELETE_VALUE, "SOFTWARE\\kmharness-test-regapply\\none", "v", 0, NULL, 0),
    };
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 2, &j, &line), 0);
    assert_int_equal(j.n, 0);
    regapply_undo(&j);
}

static void default_value_is_set_and_undone(void **state)
{
    static const WCHAR text[] = L"default";
    struct reg_op ops[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply", NULL, 1, text, sizeof text),
    };
    set_dword(BASE, L"other", 1);
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 1, &j, &line), 0);
    WCHAR buf[32];
    DWORD len = sizeof buf;
    assert_int_equal(RegGetValueW(HKEY_LOCAL_MACHINE, BASE, NULL, RRF_RT_REG_SZ, NULL, buf, &len), 0);
    assert_int_equal(lstrcmpW(buf, text), 0);
    regapply_undo(&j);
    len = sizeof buf;
    assert_int_equal(RegGetValueW(HKEY_LOCAL_MACHINE, BASE, NULL, RRF_RT_REG_SZ, NULL, buf, &len),
                     ERROR_FILE_NOT_FOUND);
}

/* Journal entries now in the registry (what a killed run would leave). */
static DWORD journal_entries(void)
{
    HKEY k;
    DWORD n = 0;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, JOURNAL, 0, KEY_READ, &k))
        return 0;
    RegQueryInfoKeyW(k, NULL, NULL, NULL, &n, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    RegCloseKey(k);
    return n;
}

static DWORD value_count(const WCHAR *key)
{
    HKEY k;
    DWORD n = 0;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &k))
        return 0xdeadbeef;
    RegQueryInfoKeyW(k, NULL, NULL, NULL, NULL, NULL, NULL, &n, NULL, NULL, NULL, NULL);
    RegCloseKey(k);
    return n;
}

/* Values set, subkeys made, values and subkeys deleted inside a created
** key: one entry (the creation) undoes them all. */
static void created_key_takes_one_entry(void **state)
{
    DWORD one = 1;
    static const WCHAR text[] = L"text";
    struct reg_op ops[] = {
        op(REG_OP_CREATE_KEY, "SOFTWARE\\kmharness-test-regapply\\svc", NULL, 0, NULL, 0),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\svc", "a", 4, &one, 4),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\svc", "b", 1, text, sizeof text),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\svc\\sub", "c", 4, &one, 4),
        op(REG_OP_DELETE_VALUE, "SOFTWARE\\kmharness-test-regapply\\svc", "a", 0, NULL, 0),
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply\\svc\\sub", NULL, 0, NULL, 0),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\svc\\sub\\deeper", "d", 4, &one,
           4),
        /* Another spelling of the same key, ASCII case only: still inside. */
        op(REG_OP_SET_VALUE, "software\\KMHARNESS-TEST-REGAPPLY\\SVC", "e", 4, &one, 4),
    };
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 8, &j, &line), 0);
    assert_int_equal(j.n, 1);
    assert_int_equal(journal_entries(), 1);
    assert_int_equal(value_count(BASE L"\\svc"), 2);  /* b and e */
    assert_true(exists(BASE L"\\svc\\sub\\deeper"));
    regapply_undo(&j);
    assert_false(exists(BASE));
    assert_false(exists(L"Software\\kmharness-undo"));
}

/* Values of a key that was there are journaled one by one, even when a
** key this journal created lies below it; a key whose name merely starts
** like a created one is not inside it. */
static void existing_key_values_still_journaled(void **state)
{
    set_dword(BASE, L"old", 5);
    DWORD one = 1;
    struct reg_op ops[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\new", "v", 4, &one, 4),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply", "old", 4, &one, 4),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\newer", "v", 4, &one, 4),
    };
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 3, &j, &line), 0);
    assert_int_equal(j.n, 3);  /* new created, old changed, newer created */
    regapply_undo(&j);
    DWORD type;
    assert_int_equal(read_dword(BASE, L"old", &type), 5);
    assert_int_equal(value_count(BASE), 1);
    assert_false(exists(BASE L"\\new"));
    assert_false(exists(BASE L"\\newer"));
}

/* An existing parent of a created key deleted, then the created key made
** again: the parent comes back as it was, without the created key. */
static void deleted_parent_of_created_key(void **state)
{
    set_dword(BASE, L"keep", 9);
    DWORD one = 1;
    struct reg_op ops[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\new", "v", 4, &one, 4),
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply", NULL, 0, NULL, 0),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\new", "w", 4, &one, 4),
    };
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 3, &j, &line), 0);
    DWORD type;
    assert_true(exists(BASE L"\\new"));
    assert_int_equal(read_dword(BASE, L"keep", &type), 0xdeadbeef);
    assert_int_equal(j.n, 3);  /* new created, BASE copied and deleted, BASE created */
    regapply_undo(&j);
    assert_int_equal(read_dword(BASE, L"keep", &type), 9);
    assert_int_equal(value_count(BASE), 1);
    assert_false(exists(BASE L"\\new"));
}

/* Hundreds of created keys (the set of them grows and is rehashed several
** times): a change inside any of them, in any ASCII case, still needs no
** entry of its own; one next to them does. */
static void many_created_keys_stay_one_entry_each(void **state)
{
    enum { KEYS = 300 };
    static char paths[2 * KEYS][64];
    static struct reg_op ops[2 * KEYS + 1];
    DWORD one = 1;
    set_dword(BASE, L"x", 1);
    for (int i = 0; i < KEYS; i++) {
        snprintf(paths[i], sizeof paths[i], "SOFTWARE\\kmharness-test-regapply\\k%d", i);
        snprintf(paths[KEYS + i], sizeof paths[i], "software\\KMHARNESS-TEST-REGAPPLY\\K%d\\in", i);
        ops[i] = op(REG_OP_CREATE_KEY, paths[i], NULL, 0, NULL, 0);
        ops[KEYS + i] = op(REG_OP_SET_VALUE, paths[KEYS + i], "v", 4, &one, 4);
    }
    ops[2 * KEYS] = op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\k1x", "v", 4, &one, 4);
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 2 * KEYS + 1, &j, &line), 0);
    assert_int_equal(j.n, KEYS + 1);
    assert_int_equal(read_dword(BASE L"\\k299\\in", L"v", NULL), 1);
    regapply_undo(&j);
    assert_false(exists(BASE L"\\k0"));
    assert_false(exists(BASE L"\\k1x"));
    assert_int_equal(value_count(BASE), 1);
}

/* A change that is not a scenario's (the launcher's boot hold) is journaled
** and undone like one: a value set, a value deleted. */
static void single_changes_are_journaled(void **state)
{
    set_dword(BASE, L"Start", 2);
    set_dword(BASE, L"Service", 7);
    DWORD three = 3;
    struct undo_journal j = { 0 };
    assert_int_equal(regapply_change_value(BASE, L"Start", 0, REG_DWORD, &three, sizeof three, &j), 0);
    assert_int_equal(regapply_change_value(BASE, L"Service", 1, 0, NULL, 0, &j), 0);
    assert_int_equal(regapply_change_value(BASE L"\\missing", L"Service", 1, 0, NULL, 0, &j), 0);
    DWORD type;
    assert_int_equal(read_dword(BASE, L"Start", &type), 3);
    assert_int_equal(read_dword(BASE, L"Service", &type), 0xdeadbeef);
    assert_false(exists(BASE L"\\missing"));
    assert_int_equal(j.n, 2);
    regapply_recover();  /* as the launcher's release does: from the registry alone */
    assert_int_equal(read_dword(BASE, L"Start", &type), 2);
    assert_int_equal(read_dword(BASE, L"Service", &type), 7);
    regapply_undo(&j);
}

/* Non-ASCII letters in other case may or may not name the same key: such a
** spelling is journaled on its own, and both spellings are undone. */
static void non_ascii_case_is_journaled(void **state)
{
    set_dword(BASE, L"x", 1);  /* so the created keys are the two below */
    DWORD one = 1;
    struct reg_op ops[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\\xc3\x84", "v", 4, &one, 4),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\\xc3\xa4", "w", 4, &one, 4),
    };
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 2, &j, &line), 0);
    assert_int_equal(j.n, 2);
    regapply_undo(&j);
    assert_int_equal(value_count(BASE), 1);
    assert_false(exists(BASE L"\\\xc4"));
    assert_false(exists(BASE L"\\\xe4"));
}

/* A run killed after any operation: the next process has only the journal
** in the registry (no struct undo_journal), and regapply_recover() alone
** must restore the baseline. */
static void killed_after_any_operation_is_recovered(void **state)
{
    set_dword(BASE, L"keep", 3);
    set_dword(BASE L"\\tree\\leaf", L"x", 42);
    DWORD one = 1;
    static const WCHAR text[] = L"text";
    struct reg_op ops[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\svc", "a", 4, &one, 4),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply", "keep", 1, text, sizeof text),
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply\\tree", NULL, 0, NULL, 0),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\tree\\leaf", "y", 4, &one, 4),
        op(REG_OP_DELETE_VALUE, "SOFTWARE\\kmharness-test-regapply", "keep", 0, NULL, 0),
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply\\svc", NULL, 0, NULL, 0),
    };
    for (size_t k = 1; k <= 6; k++) {
        struct undo_journal j = { 0 };
        int line = 0;
        assert_int_equal(regapply_run(ops, k, &j, &line), 0);
        assert_true(journal_entries() > 0);
        regapply_recover();  /* j is forgotten, as by a killed process */
        DWORD type;
        assert_int_equal(read_dword(BASE, L"keep", &type), 3);
        assert_int_equal(type, REG_DWORD);
        assert_int_equal(read_dword(BASE L"\\tree\\leaf", L"x", &type), 42);
        assert_int_equal(value_count(BASE L"\\tree\\leaf"), 1);
        assert_false(exists(BASE L"\\svc"));
        assert_false(exists(L"Software\\kmharness-undo"));
        regapply_undo(&j);  /* frees its memory; the journal is empty already */
    }
}

/* An entry without its kind was never finished: its change never happened,
** so recovery must leave the key it names alone, and drop the entry. */
static void unfinished_entry_is_skipped(void **state)
{
    set_dword(BASE, L"keep", 4);
    HKEY entry;
    assert_int_equal(RegCreateKeyExW(HKEY_LOCAL_MACHINE, JOURNAL L"\\00000001", 0, NULL, 0,
                                     KEY_ALL_ACCESS, NULL, &entry, NULL), 0);
    static const WCHAR key[] = BASE;
    assert_int_equal(RegSetValueExW(entry, L"key", 0, REG_SZ, (const BYTE *)key, sizeof key), 0);
    RegCloseKey(entry);
    regapply_recover();
    DWORD type;
    assert_int_equal(read_dword(BASE, L"keep", &type), 4);
    assert_false(exists(L"Software\\kmharness-undo"));
}

/* A journal left by a killed run, then a new one on top: the new entries
** come after the old (none overwritten) and are undone first. */
static void leftover_journal_is_numbered_past(void **state)
{
    set_dword(BASE, L"v", 0);
    DWORD one = 1, two = 2;
    struct reg_op first[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply", "v", 4, &one, 4),
    };
    struct reg_op second[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply", "v", 4, &two, 4),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\new", "w", 4, &two, 4),
    };
    struct undo_journal killed = { 0 }, j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(first, 1, &killed, &line), 0);
    assert_int_equal(regapply_run(second, 2, &j, &line), 0);
    assert_int_equal(journal_entries(), 3);
    regapply_undo(&j);
    DWORD type;
    assert_int_equal(read_dword(BASE, L"v", &type), 0);
    assert_false(exists(BASE L"\\new"));
    assert_int_equal(journal_entries(), 0);
    regapply_undo(&killed);  /* frees its memory; the journal is empty */
}

/* ---- deleting what was there: exact restore, and the cap ------------- */

/* An FNV-1a digest of the subtree at KEY: every key's path below KEY, every
** value's name, type and bytes, in the registry's order; *ITEMS counts keys
** and values as the cap does. Two equal digests: the same subtree. */
struct digest {
    uint64_t h;
    size_t items;
};

static void digest_bytes(struct digest *d, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d->h = (d->h ^ ((const BYTE *)p)[i]) * 1099511628211ull;
}

static void digest_key(struct digest *d, HKEY k)
{
    d->items++;
    for (DWORD i = 0;; i++) {
        WCHAR name[256];
        BYTE data[512];
        DWORD nlen = ARRAYSIZE(name), dlen = sizeof data, type;
        if (RegEnumValueW(k, i, name, &nlen, NULL, &type, data, &dlen))
            break;
        digest_bytes(d, name, (nlen + 1) * sizeof *name);
        digest_bytes(d, &type, sizeof type);
        digest_bytes(d, &dlen, sizeof dlen);
        digest_bytes(d, data, dlen);
        d->items++;
    }
    for (DWORD i = 0;; i++) {
        WCHAR name[256];
        DWORD nlen = ARRAYSIZE(name);
        HKEY sub;
        if (RegEnumKeyExW(k, i, name, &nlen, NULL, NULL, NULL, NULL))
            break;
        digest_bytes(d, L"[", 2);
        digest_bytes(d, name, (nlen + 1) * sizeof *name);
        assert_int_equal(RegOpenKeyExW(k, name, 0, KEY_READ, &sub), 0);
        digest_key(d, sub);
        RegCloseKey(sub);
        digest_bytes(d, L"]", 2);
    }
}

static struct digest digest(const WCHAR *key)
{
    struct digest d = { 14695981039346656037ull, 0 };
    HKEY k;
    if (!RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &k)) {
        digest_key(&d, k);
        RegCloseKey(k);
    }
    return d;
}

static void set_raw(const WCHAR *key, const WCHAR *name, DWORD type, const void *data, DWORD len)
{
    HKEY k;
    assert_int_equal(RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, 0, KEY_ALL_ACCESS,
                                     NULL, &k, NULL), 0);
    assert_int_equal(RegSetValueExW(k, name, 0, type, data, len), 0);
    RegCloseKey(k);
}

/* KEY with KEYS subkeys of VALUES values each: 1 + KEYS * (1 + VALUES)
** keys and values, as the cap counts them. */
static void plant_tree(const WCHAR *key, int keys, int values)
{
    HKEY root;
    assert_int_equal(RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, 0, KEY_ALL_ACCESS,
                                     NULL, &root, NULL), 0);
    for (int i = 0; i < keys; i++) {
        WCHAR name[16] = { 'g', (WCHAR)('0' + i / 100), (WCHAR)('0' + i / 10 % 10),
                           (WCHAR)('0' + i % 10), 0 };
        HKEY k;
        assert_int_equal(RegCreateKeyExW(root, name, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &k, NULL),
                         0);
        for (int v = 0; v < values; v++) {
            WCHAR vname[8] = { 'v', (WCHAR)('0' + v / 100), (WCHAR)('0' + v / 10 % 10),
                               (WCHAR)('0' + v % 10), 0 };
            DWORD d = (DWORD)(i * 1000 + v);
            assert_int_equal(RegSetValueExW(k, vname, 0, REG_DWORD, (BYTE *)&d, sizeof d), 0);
        }
        RegCloseKey(k);
    }
    RegCloseKey(root);
}

/* The contract's own example: a vendor's key that was there is deleted
** (values of every shape, nested keys, a default value) and comes back
** byte for byte, in the same order. */
static void vendor_key_delete_is_undone_exactly(void **state)
{
    static const WCHAR path[] = L"%SystemRoot%\\vendor.exe";
    static const WCHAR multi[] = L"a\0b c\0";
    static const BYTE odd[] = { 0x41, 0, 0x42 };  /* odd length, like a field export */
    DWORD one = 1;
    set_raw(BASE L"\\SomeVendor\\Old", L"", REG_SZ, L"default", sizeof L"default");
    set_raw(BASE L"\\SomeVendor\\Old", L"Path", REG_EXPAND_SZ, path, sizeof path);
    set_raw(BASE L"\\SomeVendor\\Old", L"List", REG_MULTI_SZ, multi, sizeof multi);
    set_raw(BASE L"\\SomeVendor\\Old", L"Odd", REG_SZ, odd, sizeof odd);
    set_raw(BASE L"\\SomeVendor\\Old\\Sub\\Deeper", L"n", REG_DWORD, &one, sizeof one);
    set_raw(BASE L"\\SomeVendor\\Old\\Empty", L"none", REG_BINARY, NULL, 0);
    set_raw(BASE L"\\SomeVendor", L"kept", REG_DWORD, &one, sizeof one);
    struct digest before = digest(BASE), old = digest(BASE L"\\SomeVendor\\Old");
    assert_int_equal(old.items, 4 + 4 + 1 + 1);  /* Old, Sub, Deeper, Empty; their values */
    struct reg_op ops[] = {
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply\\SomeVendor\\Old", NULL, 0,
           NULL, 0),
    };
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 1, &j, &line), 0);
    assert_false(exists(BASE L"\\SomeVendor\\Old"));
    assert_true(exists(BASE L"\\SomeVendor"));
    assert_int_equal(j.copied, old.items);
    regapply_undo(&j);
    struct digest after = digest(BASE);
    assert_int_equal(after.items, before.items);
    assert_true(after.h == before.h);
    assert_int_equal(journal_entries(), 0);
}

/* One key past the cap: the deletion is refused at its line before any of
** it happens, the subtree is untouched, and the undo takes back what the
** lines before it did. A subtree of exactly the cap is deleted and comes
** back whole. */
static void delete_past_the_cap_is_refused_at_its_line(void **state)
{
    enum { KEYS = 100, VALUES = REGAPPLY_COPY_CAP / KEYS - 1 };  /* 1 + 100 * 100 items */
    plant_tree(BASE L"\\big", KEYS, VALUES);
    set_dword(BASE, L"before", 5);
    struct digest big = digest(BASE L"\\big");
    assert_int_equal(big.items, REGAPPLY_COPY_CAP + 1);
    DWORD one = 1;
    struct reg_op ops[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply", "before", 4, &one, 4),
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply\\big", NULL, 0, NULL, 0),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply", "after", 4, &one, 4),
    };
    ops[1].line = 7;
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 3, &j, &line), REGAPPLY_TOO_BIG);
    assert_int_equal(line, 7);
    assert_int_equal(j.copied, 0);
    const char *why = regapply_refusal(REGAPPLY_TOO_BIG);
    assert_non_null(why);
    assert_non_null(strstr(why, "10000"));
    assert_null(regapply_refusal(ERROR_ACCESS_DENIED));
    struct digest during = digest(BASE L"\\big");
    assert_true(during.h == big.h);
    assert_int_equal(read_dword(BASE, L"before", NULL), 1);      /* applied ... */
    assert_int_equal(read_dword(BASE, L"after", NULL), 0xdeadbeef);  /* ... then stopped */
    regapply_undo(&j);
    assert_int_equal(read_dword(BASE, L"before", NULL), 5);
    assert_int_equal(journal_entries(), 0);

    /* One value fewer: exactly the cap, deleted and restored whole. */
    assert_int_equal(RegDeleteKeyValueW(HKEY_LOCAL_MACHINE, BASE L"\\big\\g000", L"v000"), 0);
    big = digest(BASE L"\\big");
    assert_int_equal(big.items, REGAPPLY_COPY_CAP);
    assert_int_equal(regapply_run(ops + 1, 1, &j, &line), 0);
    assert_int_equal(j.copied, REGAPPLY_COPY_CAP);
    assert_false(exists(BASE L"\\big"));
    regapply_undo(&j);
    during = digest(BASE L"\\big");
    assert_int_equal(during.items, big.items);
    assert_true(during.h == big.h);
}

/* The cap is on a scenario's deletions together: two subtrees each under
** it, over it together, and the second is refused; what the scenario
** created itself is not copied, so not counted. */
static void deletions_count_together(void **state)
{
    plant_tree(BASE L"\\a", 60, 99);  /* 6,001 */
    plant_tree(BASE L"\\b", 40, 99);  /* 4,001 */
    struct digest a = digest(BASE L"\\a"), b = digest(BASE L"\\b");
    assert_int_equal(a.items + b.items, REGAPPLY_COPY_CAP + 2);
    DWORD one = 1;
    struct reg_op ops[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\made\\x", "v", 4, &one, 4),
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply\\made", NULL, 0, NULL, 0),
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply\\a", NULL, 0, NULL, 0),
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply\\b", NULL, 0, NULL, 0),
    };
    for (int i = 0; i < 4; i++)
        ops[i].line = 10 + i;
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 4, &j, &line), REGAPPLY_TOO_BIG);
    assert_int_equal(line, 13);
    assert_int_equal(j.copied, a.items);
    assert_false(exists(BASE L"\\a"));
    assert_true(digest(BASE L"\\b").h == b.h);
    regapply_undo(&j);
    assert_true(digest(BASE L"\\a").h == a.h);
    assert_true(digest(BASE L"\\b").h == b.h);
    assert_false(exists(BASE L"\\made"));
}

/* The newest entry's number in the journal (0: none). */
static unsigned newest_entry(void)
{
    HKEY k;
    WCHAR name[64];
    unsigned newest = 0;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, JOURNAL, 0, KEY_READ, &k))
        return 0;
    for (DWORD i = 0;; i++) {
        DWORD len = ARRAYSIZE(name);
        if (RegEnumKeyExW(k, i, name, &len, NULL, NULL, NULL, NULL))
            break;
        unsigned v = 0;
        for (const WCHAR *c = name; *c >= '0' && *c <= '9'; c++)
            v = v * 10 + (unsigned)(*c - '0');
        newest = v > newest ? v : newest;
    }
    RegCloseKey(k);
    return newest;
}

/* A created key, a changed value and a deleted subtree (whose entry has
** a subkey of its own), undone the keep way: all back, the journal's key
** there and empty; the next scenario's entries come after, are durable
** (a recovery alone undoes them) and survive the key being removed behind
** the process's back. */
static void undo_keep_leaves_an_empty_journal(void **state)
{
    static const WCHAR text[] = L"text";
    DWORD one = 1, type;
    set_dword(BASE, L"keep", 7);
    set_dword(BASE L"\\tree\\leaf", L"x", 42);
    struct reg_op ops[] = {
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply\\svc", "v", 4, &one, 4),
        op(REG_OP_SET_VALUE, "SOFTWARE\\kmharness-test-regapply", "keep", 1, text, sizeof text),
        op(REG_OP_DELETE_KEY, "SOFTWARE\\kmharness-test-regapply\\tree", NULL, 0, NULL, 0),
    };
    struct undo_journal j = { 0 };
    int line = 0;
    assert_int_equal(regapply_run(ops, 3, &j, &line), 0);
    unsigned first = newest_entry();
    assert_int_equal(journal_entries(), 3);
    regapply_undo_keep(&j);
    assert_false(exists(BASE L"\\svc"));
    assert_int_equal(read_dword(BASE, L"keep", &type), 7);
    assert_int_equal(read_dword(BASE L"\\tree\\leaf", L"x", &type), 42);
    assert_true(exists(JOURNAL));
    assert_int_equal(journal_entries(), 0);

    assert_int_equal(regapply_run(ops, 1, &j, &line), 0);
    assert_true(newest_entry() > first);
    regapply_recover();  /* as the next run would after a kill */
    assert_false(exists(BASE L"\\svc"));
    assert_false(exists(L"Software\\kmharness-undo"));
    regapply_undo(&j);   /* frees its memory; the journal is empty already */

    assert_int_equal(regapply_run(ops, 1, &j, &line), 0);
    regapply_undo_keep(&j);
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, L"Software\\kmharness-undo");
    assert_int_equal(regapply_run(ops, 1, &j, &line), 0);
    assert_int_equal(journal_entries(), 1);
    regapply_undo_keep(&j);
    assert_false(exists(BASE L"\\svc"));
    regapply_recover();
    assert_false(exists(L"Software\\kmharness-undo"));
}

int wmain(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(created_keys_are_deleted, teardown),
        cmocka_unit_test_teardown(changed_and_deleted_values_come_back, teardown),
        cmocka_unit_test_teardown(deleted_subtree_is_restored, teardown),
        cmocka_unit_test_teardown(deleting_what_is_missing_is_a_no_op, teardown),
        cmocka_unit_test_teardown(default_value_is_set_and_undone, teardown),
        cmocka_unit_test_teardown(created_key_takes_one_entry, teardown),
        cmocka_unit_test_teardown(existing_key_values_still_journaled, teardown),
        cmocka_unit_test_teardown(deleted_parent_of_created_key, teardown),
        cmocka_unit_test_teardown(non_ascii_case_is_journaled, teardown),
        cmocka_unit_test_teardown(many_created_keys_stay_one_entry_each, teardown),
        cmocka_unit_test_teardown(single_changes_are_journaled, teardown),
        cmocka_unit_test_teardown(killed_after_any_operation_is_recovered, teardown),
        cmocka_unit_test_teardown(leftover_journal_is_numbered_past, teardown),
        cmocka_unit_test_teardown(unfinished_entry_is_skipped, teardown),
        cmocka_unit_test_teardown(vendor_key_delete_is_undone_exactly, teardown),
        cmocka_unit_test_teardown(delete_past_the_cap_is_refused_at_its_line, teardown),
        cmocka_unit_test_teardown(deletions_count_together, teardown),
        cmocka_unit_test_teardown(undo_keep_leaves_an_empty_journal, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
