/*
** probe.c: the emulated Update.exe version probe (see probe.h for the
** modelling decisions it implements, numbered 1-4 here as there).
**
** Real Win32 calls only: the point of the harness is to let the prefix's
** registry and version APIs decide, not a model of them.
*/
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe.h"
#include "winerror_text.h"

static const WCHAR service_key[] = L"SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS";
static const WCHAR value_name[] = L"ImagePath";

/* Decision 2: read the value's type and bytes as stored.  Returns a Win32
** code; on success R->raw/raw_len/value_type are set. */
static long read_value_raw(HKEY key, struct probe_result *r)
{
    DWORD type = 0, size = 0;
    LONG rc = RegQueryValueExW(key, value_name, NULL, &type, NULL, &size);
    while (rc == ERROR_SUCCESS || rc == ERROR_MORE_DATA) {
        /* One spare byte so an empty value still gets a real buffer. */
        uint8_t *buf = malloc((size_t)size + 1);
        if (!buf)
            return ERROR_NOT_ENOUGH_MEMORY;
        DWORD got = size;
        rc = RegQueryValueExW(key, value_name, NULL, &type, buf, &got);
        if (rc == ERROR_SUCCESS) {
            r->raw = buf;
            r->raw_len = got;
            r->value_type = type;
            r->value_present = 1;
            return ERROR_SUCCESS;
        }
        free(buf);
        if (rc == ERROR_MORE_DATA)  /* the value grew between the calls */
            size = got;
    }
    return rc;
}

/* An error code for a failed version call: its own, but never 0 (decision 4). */
static long version_error(void)
{
    DWORD err = GetLastError();
    return err ? (long)err : ERROR_RESOURCE_DATA_NOT_FOUND;
}

/* Decision 4: the version API on PATH exactly as given. */
static long read_file_version(const WCHAR *path, uint16_t version[4])
{
    DWORD handle = 0;
    SetLastError(0);
    DWORD size = GetFileVersionInfoSizeW(path, &handle);
    if (size == 0)
        return version_error();

    void *info = malloc(size);
    if (!info)
        return ERROR_NOT_ENOUGH_MEMORY;
    long code = ERROR_SUCCESS;
    VS_FIXEDFILEINFO *fixed = NULL;
    UINT fixed_len = 0;
    SetLastError(0);
    if (!GetFileVersionInfoW(path, 0, size, info))
        code = version_error();
    else if (!VerQueryValueW(info, L"\\", (void **)&fixed, &fixed_len)
             || fixed_len < sizeof *fixed)
        code = ERROR_RESOURCE_TYPE_NOT_FOUND;
    else {
        version[0] = HIWORD(fixed->dwFileVersionMS);
        version[1] = LOWORD(fixed->dwFileVersionMS);
        version[2] = HIWORD(fixed->dwFileVersionLS);
        version[3] = LOWORD(fixed->dwFileVersionLS);
    }
    free(info);
    return code;
}

/* Decision 3 then 4: decode the raw value and probe the file it names. */
static long probe_value(const struct probe_result *r, uint16_t version[4])
{
    const uint16_t *str;
    size_t nchars;
    int hidden_tail;
    long code = imagepath_decode(r->value_type, r->raw, r->raw_len, &str, &nchars, &hidden_tail);
    if (code != ERROR_SUCCESS)
        return code;

    /* The version API wants a NUL-terminated string: copy the units. */
    WCHAR *path = malloc((nchars + 1) * sizeof *path);
    if (!path)
        return ERROR_NOT_ENOUGH_MEMORY;
    if (nchars)
        memcpy(path, str, nchars * sizeof *path);
    path[nchars] = 0;
    code = read_file_version(path, version);
    free(path);
    return code;
}

void probe_run(struct probe_result *r)
{
    memset(r, 0, sizeof *r);
    HKEY key;
    LONG rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, service_key, 0, KEY_QUERY_VALUE, &key);
    if (rc == ERROR_FILE_NOT_FOUND) {  /* decision 1 */
        r->code = KMH_NOT_INSTALLED;
        return;
    }
    if (rc != ERROR_SUCCESS) {
        r->code = rc;
        return;
    }
    r->code = read_value_raw(key, r);
    RegCloseKey(key);
    if (r->code == ERROR_SUCCESS)
        r->code = probe_value(r, r->version);
}

void probe_result_free(struct probe_result *r)
{
    free(r->raw);
    memset(r, 0, sizeof *r);
}

char *probe_message(const struct probe_result *r, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    if (r->code == ERROR_SUCCESS)
        snprintf(buf, cap, "Kmserver.exe version %u.%u.%u.%u",
                 r->version[0], r->version[1], r->version[2], r->version[3]);
    else
        snprintf(buf, cap, "%s", winerr_text(r->code));
    return buf;
}
