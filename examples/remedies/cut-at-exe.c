/*
** cut-at-exe.c - the KB fix as a small Windows program: ImagePath keeps
** everything up to the first ".exe" that a blank or the end follows, and
** its registry type.  Build: x86_64-w64-mingw32-gcc -municode -o
** cut-at-exe.exe cut-at-exe.c -ladvapi32 (tests/integration/test_remedy.c
** does), then: kmharness run --remedy cut-at-exe.exe
*/
#include <windows.h>
#include <wchar.h>

int wmain(void)
{
    HKEY key;
    WCHAR value[4096];
    DWORD type, size = sizeof value - sizeof(WCHAR);
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS",
                      0, KEY_QUERY_VALUE | KEY_SET_VALUE, &key))
        return 0;  /* nothing installed: nothing to do */
    LONG rc = RegQueryValueExW(key, L"ImagePath", NULL, &type, (BYTE *)value, &size);
    if (rc || (type != REG_SZ && type != REG_EXPAND_SZ)) {
        RegCloseKey(key);
        return rc ? 1 : 0;
    }
    value[size / sizeof(WCHAR)] = 0;
    for (WCHAR *p = value; *p; p++) {
        if (_wcsnicmp(p, L".exe", 4) || (p[4] && p[4] != ' ' && p[4] != '\t'))
            continue;
        p[4] = 0;
        rc = RegSetValueExW(key, L"ImagePath", 0, type, (const BYTE *)value,
                            (DWORD)((wcslen(value) + 1) * sizeof(WCHAR)));
        break;
    }
    RegCloseKey(key);
    return rc ? 1 : 0;
}
