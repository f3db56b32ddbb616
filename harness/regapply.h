/*
** regapply.h - applies a scenario's parsed .reg operations to the running
** Wine prefix through the Win32 registry API, and undoes them afterwards.
**
** Every scenario must start from the same baseline (spec: nothing leaks from
** one scenario into the next), yet a scenario may touch any key under
** HKEY_LOCAL_MACHINE. Rather than snapshotting whole hives, each operation
** records how to undo itself (an undo journal): a value's previous type and
** bytes, a key it had to create, a subtree it deleted (copied aside first).
** regapply_undo() replays the journal backwards.
**
** A key the scenario created needs one entry only: deleting it undoes
** everything done inside it afterwards (values set, subkeys made or
** deleted), so changes inside a created key are not journaled one by one.
** In the usual scenario (the service key is absent at the baseline) the
** whole journal is that one entry.
**
** The journal is durable: it lives in the registry itself, under
** HKLM\Software\kmharness-undo\journal, one numbered subkey per entry,
** written completely before the change it undoes. A run killed in the
** middle of a scenario (wineserver keeps what the process wrote) thus
** leaves a journal behind, and the next run's regapply_recover() undoes
** those changes before its first scenario. One harness process per prefix
** at a time (the launcher's lock) is assumed: the journal is the prefix's,
** not the process's. Why the registry and not a file: an entry and the
** change it undoes go through the same wineserver and are saved together,
** and an old value's bytes (which may hold a scenario's password) land
** nowhere the value itself was not already.
*/
#ifndef KMH_REGAPPLY_H
#define KMH_REGAPPLY_H

#include <stddef.h>
#include <stdint.h>
#include "regparse.h"

/* Zero-initialise; regapply_undo() empties it again. */
struct undo_journal {
    size_t n;                  /* entries written through this handle */
    uint16_t **created;        /* keys (UTF-16, below HKLM) this journal
                                  created, each with a committed entry: a
                                  hash set of created_cap slots (NULL =
                                  free), so a scenario creating thousands
                                  of keys costs linear time */
    size_t ncreated, created_cap;
    size_t copied;             /* keys and values in the subtrees journaled
                                  for deletion, at most REGAPPLY_COPY_CAP */
};

/* The cap on what one scenario's [-KEY] lines may delete of what it did
** not create: the subtrees, each copied into the journal before it goes
** and copied back by the undo, may hold this many keys and values
** together (a key counts one, each of its values one). Measured
** (tests/bench-big.sh, README): copying aside and back costs 0.1-0.25 ms
** per key or value, so the cap keeps a scenario's deletions within a few
** seconds; Wine's HKLM\SOFTWARE\Classes (about 17,600) is over it,
** HKLM\SOFTWARE\Classes\CLSID (about 5,200) under it. Which keys may be
** deleted at all is reg/scenario.c's rule. */
#define REGAPPLY_COPY_CAP 10000
#define REGAPPLY_COPY_CAP_TEXT "10000"
/* regapply_run's error for a deletion past the cap: an application's own
** code (bit 29 set, which Win32 leaves to applications). */
#define REGAPPLY_TOO_BIG 0x20000001L

/* What is wrong, for an error regapply_run refused itself (not the
** registry): a sentence without FILE:LINE; NULL for any other code. */
const char *regapply_refusal(long rc);

/* Apply ops in order, journaling each. On failure returns the Win32 error
** (or REGAPPLY_TOO_BIG) and sets *failed_line to the operation's line; the journal then holds
** what was applied so far, so regapply_undo() still restores the baseline. */
long regapply_run(const struct reg_op *ops, size_t nops, struct undo_journal *j,
                  int *failed_line);

/* One value change that is not a scenario's, journaled like one: value
** NAME of KEY (UTF-16, NUL-terminated, KEY below HKLM) set to TYPE and the
** LEN bytes of DATA, or deleted when DEL is set (a missing key is then left
** alone). Used to hold auto-start settings back while Wine boots
** (harness/cmd_boot.c). Returns a Win32 error code. */
long regapply_change_value(const uint16_t *key, const uint16_t *name, int del, uint32_t type,
                           const void *data, size_t len, struct undo_journal *j);

/* Undo everything journaled, newest first, and empty the journal (entries
** a killed process left are undone too: they are older). J may be used
** again afterwards. */
void regapply_undo(struct undo_journal *j);

/* regapply_undo(), but the journal's key, empty again, stays (open) for the
** next scenario of a run: creating and deleting it cost as much as the
** rest of a usual scenario's journal.  regapply_recover() removes it. */
void regapply_undo_keep(struct undo_journal *j);

/* Undo whatever journal a killed run left in the prefix, and remove the
** journal's key; a no-op when there is none. */
void regapply_recover(void);

#endif
