/*
** imagepath.h: how Update.exe reads the MSExchangeKMS ImagePath value.
**
** The probe (emu/probe.c) reads the value raw (type + bytes) from the
** registry; imagepath_decode() turns those bytes into the string that
** Update.exe hands to the version API, exactly as modelled in emu/probe.h
** (decision 3).  Pure: no Win32 headers, so the decode is unit tested
** natively and reused by the built-in checks of the fix.
**
** Splitting the string into "path" and "arguments" is a separate concern,
** kept in emu/split.[ch].
*/
#ifndef KMH_IMAGEPATH_H
#define KMH_IMAGEPATH_H

#include <stddef.h>
#include <stdint.h>

/* Probe outcome for "no MSExchangeKMS service key": the installer skips the
** KM server.  Every other outcome is a Win32 error code (0 = version read). */
#define KMH_NOT_INSTALLED (-1L)

/* The Win32 codes the decode itself can answer. */
#define KMH_ERROR_SUCCESS          0L
#define KMH_ERROR_UNSUPPORTED_TYPE 1630L  /* value is not REG_SZ/REG_EXPAND_SZ */

/* Decode a raw ImagePath value of registry type TYPE (KMH_REG_* numbers).
**
** For REG_SZ and REG_EXPAND_SZ: *STR points into DATA at the string's first
** UTF-16 unit and *NCHARS is its length in units: the units before the first
** NUL, or all of them when there is no NUL; an odd trailing byte is not part
** of any unit.  REG_EXPAND_SZ is not expanded.  *HAS_HIDDEN_TAIL is set when
** DATA holds a non-zero byte that the string does not cover, other than
** as its terminator: text after an embedded NUL, or an odd trailing byte (data
** the probe never sees, where a password may hide).  Returns 0.
**
** Any other type: *STR = NULL, *NCHARS = 0, *HAS_HIDDEN_TAIL = 0, returns
** KMH_ERROR_UNSUPPORTED_TYPE.
**
** DATA must be 2-byte aligned (malloc'd buffers are) unless LEN < 2; it may
** be NULL when LEN is 0.  Nothing is allocated; *STR lives as long as DATA. */
long imagepath_decode(uint32_t type, const uint8_t *data, size_t len,
                      const uint16_t **str, size_t *nchars, int *has_hidden_tail);

/* How many UTF-16 units of a LEN-byte value lie past the string of NCHARS
** units and its terminator; a trailing odd byte counts as one. This is the
** size of what a password hidden after an embedded NUL looks like when it
** is redacted. */
size_t imagepath_hidden_units(size_t len, size_t nchars);

#endif /* KMH_IMAGEPATH_H */
