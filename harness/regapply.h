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
*/
#ifndef KMH_REGAPPLY_H
#define KMH_REGAPPLY_H

#include <stddef.h>
#include "regparse.h"

struct undo_journal {
    struct undo_entry *entries;
    size_t n, cap;
    unsigned scratch_seq;      /* names the copies of deleted subtrees */
};

/* Apply ops in order, journaling each. On failure returns the Win32 error
** and sets *failed_line to the operation's line; the journal then holds
** what was applied so far, so regapply_undo() still restores the baseline. */
long regapply_run(const struct reg_op *ops, size_t nops, struct undo_journal *j,
                  int *failed_line);

/* Undo everything journaled, newest first, and empty the journal. */
void regapply_undo(struct undo_journal *j);

#endif
