/*
** regwrite.c - RegSetValueExW without the implicit terminator; see regwrite.h.
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
