/*
** imagepath.c: decode of the raw ImagePath value (see imagepath.h and the
** modelling decisions in emu/probe.h).
**
** Kept free of Win32 so that the exact rule "what the probe sees of the
** value" is shared by the probe and the fix's built-in checks, and is unit
** tested natively under the sanitizers.
*/
#include <assert.h>
#include "imagepath.h"
#include "regtypes.h"

static int is_string_type(uint32_t type)
{
    return type == KMH_REG_SZ || type == KMH_REG_EXPAND_SZ;
}

/* Any non-zero byte in DATA[FROM..LEN)? */
static int any_nonzero_byte(const uint8_t *data, size_t from, size_t len)
{
    for (size_t i = from; i < len; i++)
        if (data[i] != 0)
            return 1;
    return 0;
}

long imagepath_decode(uint32_t type, const uint8_t *data, size_t len,
                      const uint16_t **str, size_t *nchars, int *has_hidden_tail)
{
    *str = NULL;
    *nchars = 0;
    *has_hidden_tail = 0;
    if (!is_string_type(type))
        return KMH_ERROR_UNSUPPORTED_TYPE;

    size_t units = len / 2;  /* an odd trailing byte belongs to no unit */
    assert(units == 0 || ((uintptr_t)data & 1) == 0);
    const uint16_t *u = (const uint16_t *)(const void *)data;
    size_t n = 0;
    while (n < units && u[n] != 0)
        n++;

    *str = u;
    *nchars = n;
    /* Skip the terminating NUL (if any); what follows is unseen by the probe. */
    size_t seen_bytes = (n < units ? n + 1 : n) * 2;
    *has_hidden_tail = any_nonzero_byte(data, seen_bytes, len);
    return KMH_ERROR_SUCCESS;
}

size_t imagepath_hidden_units(size_t len, size_t nchars)
{
    size_t seen = (nchars + 1) * 2;
    return len > seen ? (len - seen + 1) / 2 : 0;
}
