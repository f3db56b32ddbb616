/*
** winpath.h: may the harness place a file at this Windows path?
**
** A scenario's `@file` line names a Windows path where the emulated
** Kmserver.exe goes; emu/kmserver.c creates it and removes it again.  A
** scenario is hostile input, so the path is judged twice before anything is
** created:
**   - here, by its text alone (pure, unit-tested natively): the shape
**     X:\a\b\name, nothing that climbs (".", ".."), no character Windows
**     forbids in a file name, no DOS device name (CON, NUL, COM1, ...: Wine
**     maps COM1 to the host's /dev/ttyS0), nothing inside the harness's own
**     folders on C:;
**   - then by emu/kmserver.c against the prefix on disk: the drive must be
**     one of the prefix's emulated drives, and the folder the path leads
**     through must resolve (symlinks followed) inside them, never to the
**     host (Wine's Z: is the host's /).
**
** Windows' rules for file names (forbidden characters < > : " / \ | ? *
** and controls 1-31; reserved device names with or without an extension)
** are from Microsoft's "Naming Files, Paths, and Namespaces" documentation.
** Pure: no Win32 headers.
*/
#ifndef KMH_WINPATH_H
#define KMH_WINPATH_H

#include <stddef.h>
#include <stdint.h>

/* NULL when PATH[0..N) (UTF-16, '/' already turned into '\') is a
** drive-absolute path the harness may place a file at, as far as its text
** tells; otherwise a short sentence saying why not (it never quotes the
** path). */
const char *winpath_refusal(const uint16_t *path, size_t n);

#endif /* KMH_WINPATH_H */
