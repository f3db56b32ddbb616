/*
** scenario_list.h - which scenario files a `kmharness run` runs, in what
** order, under which names.
**
** `run PATH...` takes each PATH as given: a file is one scenario (whatever
** its name), a folder is every scenario file below it.  A scenario file is
** a regular file whose name ends in ".reg" in any case (regedit does not
** care either).  Folders are walked into, all the way down; names starting
** with "." (editor backups, .git) and symbolic links to folders (loops)
** are skipped.  The files of one folder PATH run in byte order of their
** paths relative to it, so a run's order never depends on the file system.
**
** A scenario's NAME is its file name without ".reg" (the contract's NAME,
** shared/spec/scenario-format.md), whatever folder it is in.  Reports,
** `report --diff` and `run --baseline` match scenarios across runs by that
** name, so two scenarios of one run may not share it: a second file with a
** name already taken is an error naming both files, not a renamed row.
**
** Wrong input is an error, never an empty or a different run: a folder
** PATH with no scenario file below it is refused.  A file PATH that cannot
** be read is kept, so the runner records it as an input error and the rest
** of the run goes on (the contract's exit 2).
**
** Pure: POSIX file functions only, no Win32; unit-tested natively.
*/
#ifndef KMH_SCENARIO_LIST_H
#define KMH_SCENARIO_LIST_H

#include <stddef.h>

struct scenario_file {
    char *path; /* as given, or the folder PATH joined with the path below it */
    char *name; /* NAME: the file name without ".reg" */
};

struct scenario_list {
    struct scenario_file *v;
    size_t n, cap;
};

/* Adds PATH (a file, or every scenario file below a folder).  Returns 0,
** or -1 with "PATH: what is wrong" in err (nothing added). */
int scenario_list_add(struct scenario_list *, const char *path, char *err, size_t errlen);

/* Fails (-1, with both paths in err) when two entries share a NAME, or
** when taken(name, arg) says another scenario of the run (a generated
** one) has it; taken may be NULL. */
int scenario_list_check_names(const struct scenario_list *,
                              int (*taken)(const char *name, void *arg), void *arg,
                              char *err, size_t errlen);

void scenario_list_free(struct scenario_list *);

#endif
