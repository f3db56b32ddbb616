/*
** regwrite.h - store a registry value's bytes exactly as given, and read
** them back.
**
** RegSetValueExW, on Windows as in Wine, "helps" callers of string types
** (REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ): when the last counted UTF-16 unit
** is not NUL but the unit just past the count is, it stores that NUL too.
** So writing an unterminated or odd-length string value from a buffer of
** exactly LEN bytes reads past the buffer, and what is stored depends on
** whatever memory follows. The harness must reproduce field values byte for
** byte (scenarios, the undo journal, rollback), so every such write goes
** through reg_set_exact().
*/
#ifndef KMH_REGWRITE_H
#define KMH_REGWRITE_H

#include <windows.h>

/* RegSetValueExW storing exactly LEN bytes of DATA under NAME in KEY. */
LONG reg_set_exact(HKEY key, const WCHAR *name, DWORD type, const BYTE *data, DWORD len);

/* The value NAME of KEY as stored: *TYPE, *LEN bytes in *DATA (malloc'ed,
** followed by a NUL unit that *LEN does not count, so a string can be used
** as one).  One request to the server for a value of up to 1 KB, two for a
** longer one (asking the size first costs a request every time). */
LONG reg_read_exact(HKEY key, const WCHAR *name, DWORD *type, BYTE **data, DWORD *len);

#endif
