/*
** regwrite.c - RegSetValueExW without the implicit terminator, and reads of
** exact bytes; see regwrite.h.
*/
#include <stdlib.h>
#include <string.h>
#include "regwrite.h"

LONG reg_set_exact(HKEY key, const WCHAR *name, DWORD type, const BYTE *data, DWORD len)
{
    /* Two non-zero guard bytes after the data: the unit the API peeks at is
    ** then never NUL, so it stores LEN bytes and reads only our buffer. */
    BYTE *copy = malloc((size_t)len + 2);
    if (!copy)
        return ERROR_OUTOFMEMORY;
    if (len)
        memcpy(copy, data, len);
    copy[len] = copy[len + 1] = 0xFF;
    LONG rc = RegSetValueExW(key, name, 0, type, copy, len);
    free(copy);
    return rc;
}

LONG reg_read_exact(HKEY key, const WCHAR *name, DWORD *type, BYTE **data, DWORD *len)
{
    BYTE buf[1024];
    DWORD size = sizeof buf;
    LONG rc = RegQueryValueExW(key, name, NULL, type, buf, &size);
    *data = NULL;
    while (rc == ERROR_SUCCESS || rc == ERROR_MORE_DATA) {
        BYTE *out = calloc(1, (size_t)size + sizeof(WCHAR));
        DWORD got = size;
        if (!out)
            rc = ERROR_OUTOFMEMORY;
        else if (rc == ERROR_SUCCESS)
            memcpy(out, buf, size);
        else
            rc = RegQueryValueExW(key, name, NULL, type, out, &got);
        if (rc == ERROR_SUCCESS) {
            *data = out;
            *len = got;
            break;
        }
        if (out)
            SecureZeroMemory(out, size);  /* it may hold a password */
        free(out);
        size = got;  /* the value grew between the two calls: again */
    }
    SecureZeroMemory(buf, sizeof buf);
    return rc;
}
