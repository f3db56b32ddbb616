/*
** scm_search.h - which executable Windows' service control manager would
** start for a service's (expanded) ImagePath command line.
**
** The service manager hands ImagePath to CreateProcess as the command
** line, with no application name.  Microsoft documents what CreateProcess
** then does (CreateProcess, parameters lpApplicationName and
** lpCommandLine):
**  - the module name is the first white-space-delimited token; a long
**    name with spaces must be quoted to say where it ends;
**  - otherwise the name is ambiguous, and the system tries each blank in
**    turn: "c:\program files\sub dir\program name" is tried as
**    c:\program.exe, c:\program files\sub.exe,
**    c:\program files\sub dir\program.exe,
**    c:\program files\sub dir\program name.exe, in that order;
**  - ".exe" is appended when the name has no extension; a name ending in
**    a period has one (an empty one), so nothing is appended.
** That is the unquoted service path hazard of issue 10: once the fix has
** dropped the quotes of "C:\Program Files\Exchsrvr\Bin\Kmserver.exe", a
** C:\Program.exe is started instead.  Wine 8.0's service manager was
** measured doing the same (tests/wine/test_kmservice.c), but Wine is the
** thing under test: the harness asks this module what Windows would start
** and hands Wine exactly that program (harness/service.c).
**
** Where the documentation says nothing, the choice made here is written
** down as an assumption in scm_search.c and in the unit test table
** (tests/unit/test_scm_search.c): leading blanks, tabs, runs of blanks,
** quotes not at the start, an unterminated quote, an empty value.
**
** Pure: no Win32 headers; UTF-16 code units as the registry holds them.
*/
#ifndef KMH_SCM_SEARCH_H
#define KMH_SCM_SEARCH_H

#include <stddef.h>
#include <stdint.h>

/* One file name the search tries: CMDLINE[start, start + len), without
** quotes, plus ".exe" when add_exe is set. */
struct scm_candidate {
    size_t start, len;
    int add_exe;
};

/* The candidates for the command line CMDLINE of LEN units (it ends at its
** first NUL, if any, as CreateProcess reads a C string), in the order
** Windows tries them.  Stores the first MAX in OUT (OUT may be NULL when
** MAX is 0) and returns how many there are in all: 0 for an empty or
** all-blank command line, 1 for a quoted name. */
size_t scm_candidates(const uint16_t *cmdline, size_t len, struct scm_candidate *out, size_t max);

/* The path candidate C names, NUL-terminated, into BUF of CAP units.
** Returns its length in units (without the NUL); when that is not below
** CAP, BUF holds nothing (an empty string if CAP > 0). */
size_t scm_candidate_path(const uint16_t *cmdline, const struct scm_candidate *c, uint16_t *buf,
                          size_t cap);

/* Does PATH (N units, NUL-terminated) name an existing file, not a folder?
** CreateProcess cannot start a folder, so the search goes on past one. */
typedef int (*scm_is_file_fn)(void *ctx, const uint16_t *path, size_t n);

#define SCM_NONE   (-1)    /* no candidate is a file: the start fails */
#define SCM_NOMEM  (-2)

/* The executable the service manager would start: asks IS_FILE about each
** candidate in turn and stops at the first file.  Returns the candidate's
** index (0 = the first tried) and sets *CHOSEN (unless NULL), or SCM_NONE,
** or SCM_NOMEM. */
int scm_pick(const uint16_t *cmdline, size_t len, scm_is_file_fn is_file, void *ctx,
             struct scm_candidate *chosen);

#endif /* KMH_SCM_SEARCH_H */
