/*
** regtypes.c - names of the registry value types (see regtypes.h).
*/
#include "regtypes.h"

const char *reg_type_name(uint32_t type)
{
    static const char *const names[] = {
        "REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
        "REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST",
        "REG_FULL_RESOURCE_DESCRIPTOR", "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD",
    };
    return type < sizeof names / sizeof names[0] ? names[type] : "REG_UNKNOWN";
}
