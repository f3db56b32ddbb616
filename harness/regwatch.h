/*
** regwatch.h - what an admin's remediation wrote to the registry outside
** the service key, found and put back (run --remedy).
**
** A scenario's own changes are journaled (harness/regapply.h), but a
** script run under cmd.exe or cscript.exe writes through its own process:
** nothing journals it.  Its writes to the service key are what is tested
** and go with the scenario's undo; a write anywhere else (a Run key, a new
** service, HKCU) is news to its author, and must not leak into the next
** scenario or the prefix.
**
** regwatch_open() reads HKEY_LOCAL_MACHINE and HKEY_CURRENT_USER once, all
** but the service key and the harness's own keys, into memory (about 9,000
** keys and 0.5 s in a fresh prefix).  Before each run of the remediation,
** regwatch_arm() asks the registry for change notifications on every key
** on the way to the service key (for its own values and subkey names) and
** on every subtree beside that way, about 30 requests.  Afterwards,
** regwatch_settle() reads again only the watched keys that fired, compares
** them with the snapshot, puts back every difference (new keys and values
** deleted, changed and deleted ones rewritten byte for byte), and names
** what it found.  Keys the scenario itself writes (its .reg operations) are
** the scenario's, journaled and undone with it: they are left alone.
** Win32 code.
*/
#ifndef KMH_REGWATCH_H
#define KMH_REGWATCH_H

#include <stddef.h>
#include "regparse.h"

struct regwatch;

/* Snapshot the registry; NULL when memory runs out. */
struct regwatch *regwatch_open(void);

/* Ask for change notifications, before the remediation runs. */
void regwatch_arm(struct regwatch *w);

/* After it ran: put back whatever changed outside the service key and
** outside the keys OPS write, and return how many keys differed; FOUND
** (N bytes) gets their paths ("HKLM\Software\...\Run, ..."), or "". */
int regwatch_settle(struct regwatch *w, const struct reg_op *ops, size_t nops, char *found,
                    size_t n);

void regwatch_close(struct regwatch *w);

#endif
