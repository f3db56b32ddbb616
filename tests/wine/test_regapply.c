/*
** test_regapply.c - the undo journal against the real registry.
**
** A scenario may touch any key under HKLM, and the next one must start from
** the same baseline. These checks apply parsed .reg operations with
** regapply_run() and prove regapply_undo() puts back exactly what was
** there: created keys go, changed values return with their old type and
** bytes, deleted values and deleted subtrees come back.
*/
#include <windows.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "regapply.h"

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

int wmain(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(created_keys_are_deleted, teardown),
        cmocka_unit_test_teardown(changed_and_deleted_values_come_back, teardown),
        cmocka_unit_test_teardown(deleted_subtree_is_restored, teardown),
        cmocka_unit_test_teardown(deleting_what_is_missing_is_a_no_op, teardown),
        cmocka_unit_test_teardown(default_value_is_set_and_undone, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
