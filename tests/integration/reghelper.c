/*
** reghelper.c - a test-only winelib helper: reads and writes raw registry
** values of the Wine prefix it runs in.
**
** The integration tests (test_crash.c, test_canary.c) need registry state
** that no harness command leaves behind (`kmharness run` restores the
** baseline), and byte-exact reads of it, embedded NULs and odd lengths
** included, which `wine reg` cannot give.  They build this file with
** winegcc into their own temporary folder and start it with wine in the
** launcher's environment (the test prefix, WINEDEBUG, WINEDLLOVERRIDES as
** harness/kmharness.sh sets them).  It is not part of the harness.
**
**   reghelper set KEY NAME TYPE HEX   create KEY (below HKLM), set NAME
**   reghelper get KEY NAME            print "TYPE HEX" or "absent"
**   reghelper delete-key KEY          delete KEY and everything below it
**
** TYPE is the registry type number, HEX the data as hex digits ("" for no
** bytes).  Exit status 0, or 1 with a message on stderr.
*/
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what, LONG rc)
{
    fprintf(stderr, "reghelper: %s: error %ld\n", what, (long)rc);
    return 1;
}

static int hex_digit(WCHAR c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* HEX into *DATA (malloc'ed), *LEN bytes; -1 if it is not hex. */
static int parse_hex(const WCHAR *hex, BYTE **data, DWORD *len)
{
    int n = lstrlenW(hex);
    if (n % 2)
        return -1;
    *data = malloc(n / 2 + 1);
    *len = (DWORD)(n / 2);
    for (int i = 0; i < n / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        (*data)[i] = (BYTE)(hi << 4 | lo);
    }
    return 0;
}

/* A decimal number (winelib's WCHAR is not glibc's wchar_t: no wcstoul). */
static DWORD parse_decimal(const WCHAR *s)
{
    DWORD n = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        n = n * 10 + (DWORD)(*s - '0');
    return n;
}

static int set_value(const WCHAR *key, const WCHAR *name, const WCHAR *type, const WCHAR *hex)
{
    BYTE *data = NULL;
    DWORD len = 0;
    if (parse_hex(hex, &data, &len))
        return fail("HEX is not hex digits", ERROR_INVALID_PARAMETER);
    HKEY k;
    LONG rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &k, NULL);
    if (rc)
        return fail("cannot create the key", rc);
    rc = RegSetValueExW(k, name, 0, parse_decimal(type), data, len);
    RegCloseKey(k);
    free(data);
    return rc ? fail("cannot set the value", rc) : 0;
}

static int get_value(const WCHAR *key, const WCHAR *name)
{
    HKEY k = NULL;
    DWORD type = 0, len = 0;
    LONG rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_QUERY_VALUE, &k);
    if (rc == ERROR_SUCCESS)
        rc = RegQueryValueExW(k, name, NULL, &type, NULL, &len);
    BYTE *data = rc == ERROR_SUCCESS ? malloc(len + 1) : NULL;
    if (data)
        rc = RegQueryValueExW(k, name, NULL, &type, data, &len);
    if (rc == ERROR_FILE_NOT_FOUND) {
        printf("absent\n");
        rc = ERROR_SUCCESS;
    } else if (rc == ERROR_SUCCESS) {
        printf("%lu ", (unsigned long)type);
        for (DWORD i = 0; i < len; i++)
            printf("%02x", data[i]);
        printf("\n");
    }
    free(data);
    if (k)
        RegCloseKey(k);
    return rc ? fail("cannot read the value", rc) : 0;
}

int wmain(int argc, WCHAR **argv)
{
    if (argc == 6 && !lstrcmpW(argv[1], L"set"))
        return set_value(argv[2], argv[3], argv[4], argv[5]);
    if (argc == 4 && !lstrcmpW(argv[1], L"get"))
        return get_value(argv[2], argv[3]);
    if (argc == 3 && !lstrcmpW(argv[1], L"delete-key")) {
        LONG rc = RegDeleteTreeW(HKEY_LOCAL_MACHINE, argv[2]);
        if (rc == ERROR_SUCCESS)
            rc = RegDeleteKeyW(HKEY_LOCAL_MACHINE, argv[2]);
        return rc && rc != ERROR_FILE_NOT_FOUND ? fail("cannot delete the key", rc) : 0;
    }
    fprintf(stderr, "usage: reghelper set KEY NAME TYPE HEX | get KEY NAME | delete-key KEY\n");
    return 1;
}
