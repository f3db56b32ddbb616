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
#include "regwrite.h"
#include "winerror_text.h"

static const WCHAR service_key[] = L"SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS";
static const WCHAR value_name[] = L"ImagePath";

/* Decision 2: read the value's type and bytes as stored.  Returns a Win32
** code; on success R->raw/raw_len/value_type are set. */
static long read_value_raw(HKEY key, struct probe_result *r)
{
    DWORD type = 0, len = 0;
    BYTE *data;
    LONG rc = reg_read_exact(key, value_name, &type, &data, &len);
    if (rc == ERROR_SUCCESS) {
        r->raw = data;
        r->raw_len = len;
        r->value_type = type;
        r->value_present = 1;
    }
    return rc;
}

/* An error code for a failed version call: its own, but never 0 (decision 4). */
static long version_error(void)
{
    DWORD err = GetLastError();
    return err ? (long)err : ERROR_RESOURCE_DATA_NOT_FOUND;
}

/* Decision 4: the version API on PATH exactly as given.  *EVENT says which
** call failed, for the era's rules (decision 5). */
static long read_file_version(const WCHAR *path, uint16_t version[4], enum era_event *event)
{
    DWORD handle = 0;
    SetLastError(0);
    DWORD size = GetFileVersionInfoSizeW(path, &handle);
    *event = ERA_SIZE_FAILED;
    if (size == 0)
        return version_error();
    *event = ERA_LATER_FAILED;

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
    if (code == ERROR_SUCCESS)
        *event = ERA_VERSION_READ;
    return code;
}

/* Decision 3 then 4: decode the raw value and probe the file it names. */
static long probe_value(const struct probe_result *r, uint16_t version[4],
                        enum era_event *event, int *empty)
{
    const uint16_t *str;
    size_t nchars;
    int hidden_tail;
    long code = imagepath_decode(r->value_type, r->raw, r->raw_len, &str, &nchars, &hidden_tail);
    *event = code != ERROR_SUCCESS ? ERA_NOT_A_STRING : ERA_OTHER_FAILED;
    *empty = nchars == 0;
    if (code != ERROR_SUCCESS)
        return code;

    /* The version API wants a NUL-terminated string: copy the units. */
    WCHAR *path = malloc((nchars + 1) * sizeof *path);
    if (!path)
        return ERROR_NOT_ENOUGH_MEMORY;
    if (nchars)
        memcpy(path, str, nchars * sizeof *path);
    path[nchars] = 0;
    code = read_file_version(path, version, event);
    free(path);
    return code;
}

/* Decisions 1-4 under Wine: Wine's own code, and what happened. */
static long probe_wine(struct probe_result *r, enum era_event *event, int *empty)
{
    HKEY key;
    LONG rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, service_key, 0, KEY_QUERY_VALUE, &key);
    *empty = 0;
    *event = rc == ERROR_FILE_NOT_FOUND ? ERA_NO_KEY : ERA_OTHER_FAILED;
    if (rc == ERROR_FILE_NOT_FOUND)  /* decision 1 */
        return KMH_NOT_INSTALLED;
    if (rc != ERROR_SUCCESS)
        return rc;
    rc = read_value_raw(key, r);
    RegCloseKey(key);
    if (rc == ERROR_FILE_NOT_FOUND)
        *event = ERA_NO_VALUE;
    if (rc != ERROR_SUCCESS)
        return rc;
    return probe_value(r, r->version, event, empty);
}

void probe_run_as(enum era era, struct probe_result *r)
{
    memset(r, 0, sizeof *r);
    enum era_event event;
    int empty;
    r->wine_code = probe_wine(r, &event, &empty);
    struct era_outcome out = era_map(era, event, empty, r->wine_code);  /* decision 5 */
    r->code = out.code;
    r->assumed = out.assumed;
    r->rule = out.rule;
    if (r->code != ERROR_SUCCESS)
        memset(r->version, 0, sizeof r->version);
}

void probe_run(struct probe_result *r)
{
    probe_run_as(ERA_DEFAULT, r);
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
