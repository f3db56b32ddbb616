/*
** regtypes.h - registry value types, with the numbers Windows gives them.
**
** The one vocabulary of value types shared by the .reg language (reg/),
** the emulated Windows side (emu/) and the harness: it sits below all of
** them so none reaches into another's folder for it.  Pure: no Win32
** headers, so the native builds (sanitizers, fuzzers) use it too.
*/
#ifndef KMH_REGTYPES_H
#define KMH_REGTYPES_H

#include <stdint.h>

/* Registry value types, with the Windows numbers. */
enum {
    KMH_REG_NONE = 0,
    KMH_REG_SZ = 1,
    KMH_REG_EXPAND_SZ = 2,
    KMH_REG_BINARY = 3,
    KMH_REG_DWORD = 4,
    KMH_REG_DWORD_BIG_ENDIAN = 5,
    KMH_REG_LINK = 6,
    KMH_REG_MULTI_SZ = 7,
    KMH_REG_RESOURCE_LIST = 8,
    KMH_REG_FULL_RESOURCE_DESCRIPTOR = 9,
    KMH_REG_RESOURCE_REQUIREMENTS_LIST = 10,
    KMH_REG_QWORD = 11,
};

/* "REG_SZ" for KMH_REG_SZ, and so on; "REG_UNKNOWN" past REG_QWORD. */
const char *reg_type_name(uint32_t type);

#endif /* KMH_REGTYPES_H */
