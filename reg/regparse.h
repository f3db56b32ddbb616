/*
** regparse.h - the .reg grammar, as Windows' Registry Editor reads it.
**
** A scenario's registry content is a genuine .reg file (spec:
** scenario-format.md).  reg_parse() turns its text into the list of
** operations regedit would perform, in file order; harness/regapply.c then
** applies them through the Win32 registry API.  Unlike regedit, which
** silently skips a line it cannot read, reg_parse() refuses the file and
** names the first bad line, so a typo never turns into a scenario that
** quietly tests something else.  Only HKEY_LOCAL_MACHINE is accepted.
** Pure: no Win32 headers.
*/
#ifndef KMH_REGPARSE_H
#define KMH_REGPARSE_H

#include <stddef.h>
#include <stdint.h>
#include "text.h"
#include "regtypes.h"

enum reg_op_kind {
    REG_OP_DELETE_KEY,    /* [-KEY]: delete KEY and everything below it */
    REG_OP_CREATE_KEY,    /* [KEY]: create KEY (and missing parents) */
    REG_OP_SET_VALUE,     /* "name"=data or @=data under the last [KEY] */
    REG_OP_DELETE_VALUE,  /* "name"=- or @=- */
};

struct reg_op {
    enum reg_op_kind kind;
    int line;             /* line of the file where the operation starts */
    char *key;            /* UTF-8 path below HKEY_LOCAL_MACHINE, backslash
                             separated, no trailing backslash; "" = the root */
    char *name;           /* UTF-8 value name; NULL = the default value */
    uint32_t type;        /* SET_VALUE: KMH_REG_* (any 32-bit number) */
    uint8_t *data;        /* SET_VALUE: the bytes RegSetValueEx gets */
    size_t len;
};

struct reg_ops {
    struct reg_op *ops;
    size_t n, cap;
};

/* Parse the UTF-8 text of a .reg file (from text_decode_file(); FILE_WAS_UTF16
** as it reported).  On success returns 0 and fills *OUT (free it with
** reg_ops_free()).  On a bad file returns -1, leaves *OUT empty, and sets ERR
** to the first bad line and a short message that quotes no value content.
**
** Data as regedit stores it: "text" is REG_SZ in UTF-16LE with its NUL;
** dword: is 4 bytes little-endian; hex(1), hex(2) and hex(7) bytes are ANSI
** (Windows-1252) converted to UTF-16LE in a REGEDIT4 file but UTF-16LE bytes
** as they stand in a version 5.00 file, whatever the file's own encoding;
** non-empty string data that does not end in a NUL gets one. */
int reg_parse(const char *utf8, size_t len, int file_was_utf16, struct reg_ops *out,
              struct kmh_error *err);

/* Free the operations and empty *OPS. */
void reg_ops_free(struct reg_ops *ops);

#endif /* KMH_REGPARSE_H */
