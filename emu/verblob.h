/*
** verblob.h: the VS_VERSIONINFO resource of the emulated Kmserver.exe.
**
** emu/kmserver.c puts this blob into the RT_VERSION resource of a PE image
** with UpdateResourceW; the real version API (GetFileVersionInfoW,
** VerQueryValueW) then reads it back the way Update.exe would.  The layout
** is the documented one: nested blocks of { WORD wLength; WORD
** wValueLength; WORD wType; WCHAR szKey[]; padding; Value; padding;
** Children }, every block starting on a 32-bit boundary.  Pure: builds and
** is unit tested natively.
*/
#ifndef KMH_VERBLOB_H
#define KMH_VERBLOB_H

#include <stddef.h>
#include <stdint.h>

#define VERBLOB_SIGNATURE    0xFEEF04BDu  /* VS_FIXEDFILEINFO.dwSignature */
#define VERBLOB_STRUC_VER    0x00010000u  /* dwStrucVersion 1.0 */
#define VERBLOB_OS_NT_WIN32  0x00040004u  /* VOS_NT_WINDOWS32 */
#define VERBLOB_FT_APP       0x00000001u  /* VFT_APP */
#define VERBLOB_FLAGS_MASK   0x0000003Fu  /* VS_FFI_FILEFLAGSMASK */
#define VERBLOB_FIXED_SIZE   52u          /* sizeof(VS_FIXEDFILEINFO) */
#define VERBLOB_LANG         0x0409u      /* U.S. English */
#define VERBLOB_CODEPAGE     1200u        /* UTF-16 */
#define VERBLOB_TABLE_KEY    "040904B0"   /* StringTable key: LANG + CODEPAGE */

/* The StringFileInfo entries, in blob order (FileVersion and ProductVersion
** hold the dotted version; the others are fixed texts). */
struct verblob_string {
    const char *key;
    const char *value;  /* NULL: the dotted version "a.b.c.d" */
};
extern const struct verblob_string verblob_strings[];
extern const size_t verblob_nstrings;

/* Build the blob for file and product version VERSION[0].[1].[2].[3].
** Returns a malloc'd blob (free() it) and its size in *LEN, or NULL when
** out of memory. */
uint8_t *verblob_build(const uint16_t version[4], size_t *len);

#endif /* KMH_VERBLOB_H */
