/*
** placed.h: the list of what emu/kmserver.c placed in the prefix.
**
** Durable in the registry (HKLM\Software\kmharness-placed, one value per
** file, folder or drive: name = the path or the lower-case drive letter,
** data = its kind), written before the thing is created, so that a process
** killed at any point leaves a list the next one clears.  Mirrored in this
** process's memory with what each file holds and whether the current
** scenario placed it ("live"): between the scenarios of a run, what the
** next scenario places again stays where it is (issue 12: most of a
** scenario's file-system work was removing and re-creating the same
** folders), and only the rest is removed.  Win32 (winelib) code.
*/
#ifndef KMH_PLACED_H
#define KMH_PLACED_H

#include <windows.h>
#include <stddef.h>
#include "kmserver.h"

enum placed_kind {
    PLACED_FILE = 1,
    PLACED_FOLDER = 2,
    PLACED_DRIVE = 3,    /* name: the lower-case drive letter */
};

struct placed_entry {
    WCHAR *name;
    enum placed_kind kind;
    struct kmserver_image holds;  /* PLACED_FILE: what was written */
    int known;                    /* holds is meaningful (not arbitrary bytes) */
    int live;                     /* placed by the current scenario */
};

/* List NAME as KIND (in the registry, then in memory, live), before it is
** created.  Returns 0 or the registry's error. */
long placed_note(enum placed_kind kind, const WCHAR *name);

/* Take NAME off both lists: it is gone, or turned out not to be ours. */
void placed_forget(const WCHAR *name);

/* The entry of this process's list whose name is NAME's first N units,
** letters compared case-blind (the file system and the registry fold
** them); NULL when there is none. */
struct placed_entry *placed_find(const WCHAR *name, size_t n);

/* Is NAME on the durable list (placed by this process or a killed one)? */
int placed_is_listed(const WCHAR *name);

/* The current scenario uses PATH: its entry, every listed folder on its
** way and its drive become live. */
void placed_mark_live(const WCHAR *path);

/* The scenario is over: every entry stops being live (and stays listed). */
void placed_retire(void);

/* The entries that are not live and lie at or under the first N units of
** PREFIX (all of them when PREFIX is NULL), copied into *OUT (malloc'ed),
** in the order they can be removed: files, then folders deepest first,
** then drives.  Returns their count; free with placed_free_copies. */
size_t placed_stale(const WCHAR *prefix, size_t n, struct placed_entry **out);
void placed_free_copies(struct placed_entry *v, size_t n);

/* Every entry of the durable list, this process's or a killed one's, in
** removal order, copied as placed_stale does. */
size_t placed_read_durable(struct placed_entry **out);

/* Delete the durable list and empty the memory one (after a clear).
** Returns 0 or the registry's error. */
long placed_drop_all(void);

#endif /* KMH_PLACED_H */
