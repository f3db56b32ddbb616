/*
** era.h: the Windows of Exchange 5.5's time, as profiles of the version API.
**
** Exchange Server 5.5 service packs ran on Windows NT 4.0 and Windows 2000.
** Wine implements the version API of Windows XP and later.  The probe
** (emu/probe.c) asks the real API under Wine, then this table turns Wine's
** answer into what the chosen Windows would have reported to Update.exe:
** the error code Update.exe would then show, and on what that rests.
**
** Every rule names its source (a Wine conformance test that runs on real
** Windows, a Microsoft document, the KB) or says "assumption: ...".  An
** outcome that rests on an assumption is marked as such wherever it is
** shown ("?" in the tables), never as a fact.
**
** The profiles:
**   xp    Windows XP (what Wine implements; the default, see era.c)
**   2000  Windows 2000: a failed GetFileVersionInfoSize sets the last error
**         to 0, so Update.exe has no error code to show
**   nt4   Windows NT 4.0: a failed GetFileVersionInfoSize leaves the last
**         error as it was, so Update.exe shows an older error: the KB's
**
** Pure: no Win32 headers; builds natively for the unit tests.
*/
#ifndef KMH_ERA_H
#define KMH_ERA_H

#include <stddef.h>

/* ERA_XP is 0, so a zeroed structure gets the default profile. */
enum era {
    ERA_XP,
    ERA_2000,
    ERA_NT4,
    ERA_COUNT
};

/* The profile used when none is asked for (era.c says why). */
#define ERA_DEFAULT ERA_XP

/* Probe outcome for "the version API failed and left the last error at 0":
** Windows 2000's answer.  Update.exe would then show error 0's text, "The
** operation completed successfully."  Negative, like KMH_NOT_INSTALLED, so
** that 0 only ever means "a version was read". */
#define KMH_NO_ERROR_CODE (-2L)

/* What Wine's API did, as the probe saw it. */
enum era_event {
    ERA_VERSION_READ,      /* a version was read: WINE_CODE is 0 */
    ERA_SIZE_FAILED,       /* GetFileVersionInfoSizeW failed with WINE_CODE */
    ERA_LATER_FAILED,      /* GetFileVersionInfoW / VerQueryValueW failed */
    ERA_NOT_A_STRING,      /* ImagePath is neither REG_SZ nor REG_EXPAND_SZ */
    ERA_NO_VALUE,          /* the service key has no ImagePath */
    ERA_NO_KEY,            /* no MSExchangeKMS service key */
    ERA_OTHER_FAILED       /* another registry (or memory) error: WINE_CODE */
};

/* One row of the table (era.c).  CODE is what the era reports; ERA_SAME
** means "what Wine gave", ERA_LEFTOVER "the error Update.exe held before
** the call" (NT4).  ASSUMED: the outcome rests on an assumption. */
#define ERA_SAME     (-1000L)
#define ERA_LEFTOVER (-1001L)

struct era_rule {
    const char *id;        /* stable name, e.g. "nt4.size-failed.not-found" */
    unsigned eras;         /* bit (1u << enum era) per profile it covers */
    enum era_event event;
    int empty_path;        /* 1: only for an empty path, 0: any path */
    long wine_code;        /* ERA_SAME: any code */
    long code;             /* the era's outcome, ERA_SAME or ERA_LEFTOVER */
    int assumed;
    const char *source;    /* the source, or "assumption: ..." */
};

/* What the era reports. */
struct era_outcome {
    long code;                  /* 0, a Win32 code, KMH_NO_ERROR_CODE, -1 */
    int assumed;                /* rests on an assumption */
    const struct era_rule *rule;
};

/* The error Update.exe held before it called the version API, on NT4: 2
** (see the nt4 rules in era.c for why). */
#define ERA_NT4_LEFTOVER 2L

/* Map what Wine did (EVENT, WINE_CODE, whether the path was empty) to what
** ERA reports.  Every input matches a rule (the table ends in catch-alls). */
struct era_outcome era_map(enum era era, enum era_event event, int empty_path,
                           long wine_code);

/* "nt4", "2000", "xp"; "unknown" out of range. */
const char *era_name(enum era era);

/* "Windows NT 4.0", "Windows 2000", "Windows XP". */
const char *era_title(enum era era);

/* Parse "nt4", "2000" or "xp" (case-insensitive).  Returns 0 and sets
** *ERA, or -1. */
int era_parse(const char *name, enum era *era);

/* The whole table, for documentation and tests. */
const struct era_rule *era_rules(size_t *count);

#endif /* KMH_ERA_H */
