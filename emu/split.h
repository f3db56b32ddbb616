/*
** split.h: find the executable path in an ImagePath string.
**
** Q235418: the KM server password was appended to ImagePath, so the value
** no longer names Kmserver.exe and Update.exe's version check fails.  The
** fix (emu/fix.c) must cut the value back to the executable path; the
** reports (harness/redact.c) must show the path but never what follows it.
** Both use this one splitter, so they agree on where the path ends.
**
** The rule (the reasons are in emu/fix.h):
**  - leading and trailing blanks (space, tab) are not part of anything;
**  - a value that begins with a double quote: the candidate area is the
**    text inside the quotes (to the closing quote, or to the end when the
**    quote is never closed), blanks after the opening quote skipped; what
**    follows the closing quote is arguments;
**  - otherwise the whole string is the candidate area;
**  - a candidate is every prefix of the area that ends in ".exe" (any
**    case) and is followed by a blank or the end of the area, or by dots
**    and then a blank or the end: Windows drops trailing dots from a
**    file name ("c:/test." opens c:\test: Wine's dlls/ntdll/tests/path.c,
**    which runs on Windows), so "Kmserver.exe.  pw" starts Kmserver.exe;
**    the dots are part of neither the path nor the arguments;
**  - the path is the shortest candidate that EXISTS reports as a file, or
**    the shortest candidate when none does (or EXISTS is NULL); when
**    EXISTS found none and there are several candidates, AMBIGUOUS is set:
**    "C:\Tools.exe Dir\Kmserver.exe pw" with Kmserver.exe missing may mean
**    either, and the service manager (which tries each blank in turn,
**    skipping folders) would start neither.
**
** The fix's blind spots, decided against how the service manager parses
** the same value (CreateProcess: split at the first blank, add ".exe" to a
** name without one, skip folders, retry at the next blank), each a row of
** tests/unit/test_split.c:
**  - "Kmserver secret": no ".exe" (split_why_none: SPLIT_NO_EXTENSION);
**    the service manager would run Kmserver.exe with "secret", the version
**    API finds nothing.  The fix refuses and says so: appending ".exe"
**    would be writing a path the value never held;
**  - "Kmserver.exe\ secret": ".exe" then a backslash (SPLIT_EXE_DIR): no
**    Windows opens that as a file, the service never started; refused;
**  - "Kmserver.exe.  pw": handled, by the dots rule above;
**  - "C:\Tools.exe Dir\Kmserver.exe pw" with Kmserver.exe missing:
**    AMBIGUOUS, refused; with it present, the existing file wins.
**
** Pure: works on UTF-16 code units, never touches files itself (the
** caller's EXISTS callback does), builds natively for the unit tests.
*/
#ifndef KMH_SPLIT_H
#define KMH_SPLIT_H

#include <stddef.h>
#include <stdint.h>

/* Every span is START (a unit index into the split string) and LEN (units).
** An empty span has LEN 0 and START where it would have been. */
struct split_result {
    size_t path_start, path_len;   /* the executable path, without quotes */
    int quoted;                    /* the value began with a double quote */
    size_t shown_start, shown_len; /* the path as written: with its opening
                                   ** quote, and its closing quote when that
                                   ** directly follows the path */
    size_t inner_start, inner_len; /* inside the quotes after the path,
                                   ** blanks trimmed (empty if unquoted) */
    size_t args_start, args_len;   /* after the closing quote (quoted) or
                                   ** after the path (unquoted), trimmed */
    size_t tail_start, tail_len;   /* everything after the shown path,
                                   ** blanks trimmed: all the fix removes
                                   ** from the string (covers inner, any
                                   ** closing quote after it, and args) */
    int ambiguous;                 /* EXISTS found no candidate, and there
                                   ** were several: the path is a guess */
};

/* Called with a candidate path (PATH[0..N), not NUL-terminated); returns
** non-zero when it names an existing file. */
typedef int (*split_exists_fn)(void *ctx, const uint16_t *path, size_t n);

/* Split S[0..N) by the rule above.  S holds no NUL (it is the string the
** probe sees).  Returns 0 and fills *OUT when there is a candidate; returns
** -1 and zeroes *OUT when no prefix of the area ends in ".exe". */
int split_image_path(const uint16_t *s, size_t n, split_exists_fn exists,
                     void *ctx, struct split_result *out);

/* Why split_image_path found no candidate in S[0..N). */
enum split_none {
    SPLIT_NO_EXE,        /* nothing ends in ".exe" */
    SPLIT_NO_EXTENSION,  /* the first word's file name has no extension:
                         ** the service manager would add ".exe" to it */
    SPLIT_EXE_DIR        /* ".exe" is followed by a backslash or slash */
};

/* For a string where split_image_path returned -1: which of the reasons
** above applies (the first that does, in the order listed from the
** bottom up: EXE_DIR, NO_EXTENSION, else NO_EXE). */
enum split_none split_why_none(const uint16_t *s, size_t n);

#endif /* KMH_SPLIT_H */
