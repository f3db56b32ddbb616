/*
** fix.h: the Q235418 workaround, automated.
**
** KB Q235418: when the KM server password has been added to the
** MSExchangeKMS service's ImagePath, Update.exe cannot find Kmserver.exe
** ("The system cannot find the file specified") and the service pack
** cannot be applied.  The workaround is to edit ImagePath so that "it
** should contain the full path to Kmserver.exe file only".  fix_apply()
** does that edit; fix_rollback() undoes it.
**
** The rules, and why:
**
**  1. Only HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeKMS, value
**     ImagePath, is touched, and the key is opened, never created: a
**     machine without a KM server must stay one.  No key, no value, or a
**     value that is not REG_SZ/REG_EXPAND_SZ (REG_DWORD, REG_BINARY,
**     REG_MULTI_SZ, ...): nothing changes and the status says why; what the
**     right string would be is not ours to guess.
**
**  2. The fix sees what the probe sees (emu/imagepath.h): the UTF-16 string
**     up to the first NUL.  Blanks (space, tab) around it are trimmed.
**
**  3. The executable path is found by emu/split.h: inside the quotes when
**     the value starts with a double quote (a password may be inside the
**     quotes too), else in the whole string; among the prefixes that end
**     in ".exe" (any case) followed by a blank or the end, the shortest
**     that exists as a file (for REG_EXPAND_SZ after expanding variables),
**     else the shortest.  Shortest, because a password may itself end in
**     ".exe"; existing first, because a folder may be named "x.exe y".
**     Dots after ".exe" count as nothing (Windows drops them from a file
**     name).  No such prefix: nothing changes, and the message says why
**     (split_why_none: no ".exe" at all; a name without extension, to
**     which the service manager would add ".exe"; ".exe" followed by a
**     backslash).  Several prefixes and none an existing file
**     (FIX_AMBIGUOUS): nothing changes, since cutting at the shortest
**     could cut the real path.  The blind spots are listed with their
**     decisions in emu/split.h.  The value is never quoted in any message.
**
**  4. The value written is the path alone, WITHOUT quotes (the KB: the
**     full path to Kmserver.exe only; the version API refuses a quoted
**     name with ERROR_INVALID_NAME), one terminating NUL, and the value's
**     own type (REG_EXPAND_SZ stays REG_EXPAND_SZ: the service manager
**     expands it).  Anything hidden after an embedded NUL goes too: a
**     password hidden there is still a password in the registry.
**
**  5. If those bytes equal the current bytes exactly, nothing is written,
**     so a second run changes nothing.
**
**  6. Everything removed (arguments inside and after the quotes, each
**     NUL-separated piece of hidden data; blanks trimmed) is handed to the
**     caller, which must treat each piece as a secret for redaction;
**     fix_result_free() wipes it.  Messages never contain it.
**
**  7. Before anything is written, the original type and bytes, and what
**     will be written, are saved durably in a private keep file
**     (emu/keep.h).  Then the value is written, read back and compared.
**     fix_rollback() restores the newest kept original byte for byte, but
**     only while the value still holds exactly what the fix wrote: a value
**     changed by someone since is theirs, not ours to overwrite.  A keep
**     file is removed once its rollback succeeded.
**
**  8. Killed at any moment, the fix leaves the old value or the new one,
**     never a third; and whenever the new one is there, the kept original
**     is already on disk, so --rollback restores it.  The steps, in order
**     (each name is the moment right after that step):
**       read               ImagePath read, the new value decided
**       keep-temp-written  kept original written to a private temporary file
**       keep-temp-synced   ... and fsync'ed
**       keep-linked        ... and linked to its keep-file name
**       kept               ... and the keep directory fsync'ed (durable)
**       written            ImagePath written (RegSetValueExW)
**       verified           ImagePath read back and compared
**       rolled-back        (--rollback) original written back, keep file
**                          not yet removed; a second rollback finishes
**     A temporary file left by a kill is removed by the next fix or
**     rollback (emu/keep.h).
**
** TEST-ONLY SWITCH: with the environment variable KMH_TEST_CRASH_AT set
** to one of the step names above, the process dies right after that step
** as if killed (SIGKILL, no cleanup: keep_crash_point() in emu/keep.h).
** It exists for tests/integration/test_crash.c, which kills the fix at
** every step in turn; never set it otherwise.
**
** Win32 (winelib): uses the registry of the Wine prefix the process runs in.
*/
#ifndef KMH_FIX_H
#define KMH_FIX_H

#include <stddef.h>
#include <stdint.h>

/* The name stem of the fix's keep files (emu/keep.h). */
#define FIX_KEEP_STEM "MSExchangeKMS-ImagePath"

enum fix_status {
    FIX_CHANGED,        /* ImagePath rewritten (and verified) */
    FIX_WOULD_CHANGE,   /* dry run: it would have been rewritten */
    FIX_ALREADY_CLEAN,  /* it already holds exactly the path: nothing written */
    FIX_NO_KEY,         /* no MSExchangeKMS service key */
    FIX_NO_VALUE,       /* the key has no ImagePath value */
    FIX_NOT_A_STRING,   /* ImagePath is not REG_SZ / REG_EXPAND_SZ */
    FIX_NO_EXE_PATH,    /* no prefix ending in .exe (the message says why) */
    FIX_FAILED,         /* a registry or keep-file error: see message */
    FIX_AMBIGUOUS       /* several prefixes end in .exe, none is a file */
};

struct fix_options {
    int dry_run;            /* decide and report, write nothing */
    const char *keep_dir;   /* Unix path of the private keep directory;
                            ** required unless dry_run */
};

struct fix_result {
    enum fix_status status;
    char message[256];      /* for people; never holds the value's text */
    uint32_t type;          /* ImagePath's registry type (0 if no value) */
    uint16_t *removed;      /* malloc'ed (or NULL): the removed text as
                            ** pieces, each followed by one NUL unit */
    size_t removed_len;     /* units in REMOVED, the NULs included */
    char keep_file[1024];   /* FIX_CHANGED: the keep file written; else "" */
};

/* Apply the fix to the registry (rules above).  Fills *RES (always; free it
** with fix_result_free).  Returns 0, or -1 when the status is FIX_FAILED. */
int fix_apply(const struct fix_options *opt, struct fix_result *res);

/* Wipe and free RES->removed; safe to call twice. */
void fix_result_free(struct fix_result *res);

/* Restore the original ImagePath from the newest keep file in KEEP_DIR and
** remove that file.  MESSAGE (LEN bytes) says what happened.  Returns 0
** restored; 1 refused with nothing changed (no keep file, or ImagePath was
** changed since the fix); -1 on an error. */
int fix_rollback(const char *keep_dir, char *message, size_t len);

/* "changed", "would-change", "already-clean", "no-key", "no-value",
** "not-a-string", "no-exe-path", "failed", "ambiguous". */
const char *fix_status_name(enum fix_status status);

#endif /* KMH_FIX_H */
