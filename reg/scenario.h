/*
** scenario.h - one scenario: a NAME.reg file and its ; @directives.
**
** The fixed contract is /work/shared/spec/scenario-format.md.  A scenario
** file is a genuine .reg file (its registry operations come from
** regparse.c) whose comment lines of the form "; @name: value" say which
** Kmserver.exe files to place, what the probe must report, and which
** passwords were planted.  scenario_load() reads and checks everything up
** front, so the runner only ever sees a complete, valid scenario, or a
** FILE:LINE error to report.  Pure: no Win32 headers.
*/
#ifndef KMH_SCENARIO_H
#define KMH_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include "regparse.h"
#include "text.h"
#include "era.h"
#include "service_state.h"

/* What an @file line puts at its WINPATH. */
enum kmfile_kind {
    KMFILE_PE,              /* a PE image (VERSION or noversion) */
    KMFILE_FOLDER,          /* "folder": a folder named like the file */
    KMFILE_TEXT,            /* "text": a small text file, not an image */
    KMFILE_DECOY,           /* "decoy": a runnable PE that only reports it ran,
                            ** e.g. C:\Program.exe (issue 10); never a Kmserver.exe,
                            ** so it does not replace the default file */
};

/* One emulated Kmserver.exe to place before the run. */
struct kmfile {
    char *winpath;          /* absolute drive path, e.g. C:\Exchsrvr\Bin\Kmserver.exe */
    enum kmfile_kind kind;
    int has_version;        /* KMFILE_PE: 0 for an image with no version resource */
    uint16_t version[4];
    int line;               /* the @file line, for placement errors */
};

struct expectation {
    int set;                /* 0: not checked */
    long code;              /* 0 found, a Win32 error code, or -1 not installed
                               (KMH_NOT_INSTALLED, emu/imagepath.h) */
};

/* An @expect-service-* line: the KM service's state when started. */
struct service_expectation {
    int set;                /* 0: not checked */
    struct service_state state;
    int line;               /* the directive's line */
};

/* The only file an @floppy may hold (KB Q151689: the KM server reads its
** password from Kmspwd.ini on a floppy). */
#define SCENARIO_FLOPPY_FILE "Kmspwd.ini"

struct scenario {
    char *name;             /* the file name without .reg */
    char *summary;          /* NULL when not given */
    struct reg_op *ops;     /* the registry content, in file order */
    size_t nops;
    struct kmfile *files;   /* default: one C:\Exchsrvr\Bin\Kmserver.exe 5.5.2653.9
                            ** (none for an export: see is_export) */
    size_t nfiles;          /* 0 after "@file: none" */
    struct expectation before, after;     /* @expect-before / @expect-after */
    struct expectation before_in[ERA_COUNT], after_in[ERA_COUNT];
                            /* @expect-before-nt4 ...: one era's outcome,
                            ** in place of the plain line's */
    int has_expect_version;
    uint16_t expect_version[4];
    char *expect_image_path;   /* NULL when not checked */
    char **secrets;         /* @secret values, and the @password (once) */
    size_t nsecrets;
    char *password;         /* @password: what the emulated KM server accepts; NULL:
                            ** it needs none.  Also one of SECRETS */
    int floppy;             /* @floppy: an emulated A: holds Kmspwd.ini with the
                            ** password (with no @password: still mapped, the
                            ** server just needs nothing from it) */
    struct service_expectation service_before, service_after, service_restored;
                            /* @expect-service-before / -after / -restored: the
                            ** service started before the fix, after it, and
                            ** after the fix's rollback */
    char *skip_reason;      /* @skip: why Wine cannot reproduce this; NULL: run it */
    int is_export;          /* no directive at all: a server's own regedit
                            ** export.  No file listed: the runner places the
                            ** default Kmserver.exe where ImagePath points, and
                            ** the verdict is "observed" (spec) */
};

/* The version of the default Kmserver.exe: 5.5.2653.9 (spec). */
extern const uint16_t scenario_default_version[4];

/* Read and parse the file at UNIX_PATH; the name is its base name without
** ".reg" (scenario_name_of).  Returns 0, or -1 with ERR set (line 0 when the file as a whole is
** at fault, e.g. unreadable) and *S empty. */
int scenario_load(const char *unix_path, struct scenario *s, struct kmh_error *err);

/* Parse the LEN bytes of a scenario file called NAME.  Returns 0, or -1 with
** ERR set to the first bad line of the file and *S empty. */
int scenario_parse(const char *name, const uint8_t *bytes, size_t len, struct scenario *s,
                   struct kmh_error *err);

/* Is NAME a scenario file's name: ends in ".reg" in any case (regedit does
** not care either), and is more than that? */
int scenario_is_file_name(const char *name);

/* The scenario's NAME for the file at PATH into BUF: the last path
** component without a final ".reg" in any case. */
void scenario_name_of(const char *path, char *buf, size_t n);

/* What the probe must report under ERA, before and after the fix: the
** era's own line when there is one, else the plain one (whose .set may be
** 0: not checked). */
const struct expectation *scenario_expect_before(const struct scenario *s, enum era era);
const struct expectation *scenario_expect_after(const struct scenario *s, enum era era);

/* Free everything *S holds and empty it (safe on an empty scenario). */
void scenario_free(struct scenario *s);

#endif /* KMH_SCENARIO_H */
