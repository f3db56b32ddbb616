/*
** remedy.h - an admin's own remediation, run inside the prefix.
**
** `kmharness run --remedy FILE` runs FILE in each scenario where the
** built-in fix would run (harness/runner.c), by the Wine component a
** Windows admin would use (harness/remedy_rules.h): a .reg file is
** imported through the harness's parser and the registry API, journaled
** like the scenario itself (the differential test holds that parser equal
** to regedit, and a journal is what lets the import be undone); .cmd/.bat
** run under Wine's cmd.exe, .vbs/.js under cscript.exe, .exe as is.
**
** The file is copied once into the prefix (C:\kmharness-remedy\, a folder
** no scenario may touch), hashed (SHA-256, recorded with the run), and each
** execution is a process in a job object: standard input, output and error
** are NUL (a script's output may echo the password: it never reaches the
** terminal or the database), and at the time limit the whole job, the
** script's children included, is ended.  Containment of what the script
** can reach is the launcher's: a run with --remedy runs the whole Wine
** session in a sandbox where only the prefix is writable.  Win32 code.
*/
#ifndef KMH_REMEDY_H
#define KMH_REMEDY_H

#include <stddef.h>
#include "regparse.h"
#include "regapply.h"
#include "remedy_rules.h"

struct remedy {
    enum remedy_kind kind;
    char name[256];          /* the file's base name */
    char sha256[65];         /* lower-case hex */
    unsigned timeout_s;      /* --remedy-timeout, default 30 */
    unsigned short winpath[300]; /* its copy in the prefix (WCHAR) */
    struct reg_ops ops;      /* REMEDY_REG: the parsed import */
};

/* Load the remediation at UNIX_PATH: check its kind, read and hash it,
** copy it into the prefix (or parse it, for .reg).  Returns 0, or -1 with
** ERR (N bytes) saying why ("FILE:LINE: ..." for a bad .reg file). */
int remedy_load(const char *unix_path, unsigned timeout_s, struct remedy *rm, char *err,
                size_t n);

/* Run the remediation once against the registry as it is now; a .reg
** import is journaled in J (so the scenario's undo takes it back).  Sets
** *END and *CODE (the exit status, exception code or Win32 error). */
void remedy_run(const struct remedy *rm, struct undo_journal *j, enum remedy_end *end,
                unsigned long *code);

/* Run the remediation's interpreter (cmd.exe, cscript.exe) once on an
** empty script of its kind: its first start in a prefix registers type
** libraries and the like, Wine's doing and not the script's, which must be
** in the registry before harness/regwatch.c takes its snapshot.  Nothing
** for .reg and .exe remediations. */
void remedy_warm_up(const struct remedy *rm);

/* Remove the prefix's copy and free what REMEDY_LOAD took. */
void remedy_unload(struct remedy *rm);

#endif
