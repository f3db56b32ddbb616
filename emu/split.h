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
**    case) and is followed by a blank or the end of the area;
**  - the path is the shortest candidate that EXISTS reports as a file, or
**    the shortest candidate when none does (or EXISTS is NULL).
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
};

/* Called with a candidate path (PATH[0..N), not NUL-terminated); returns
** non-zero when it names an existing file. */
typedef int (*split_exists_fn)(void *ctx, const uint16_t *path, size_t n);

/* Split S[0..N) by the rule above.  S holds no NUL (it is the string the
** probe sees).  Returns 0 and fills *OUT when there is a candidate; returns
** -1 and zeroes *OUT when no prefix of the area ends in ".exe". */
int split_image_path(const uint16_t *s, size_t n, split_exists_fn exists,
                     void *ctx, struct split_result *out);

#endif /* KMH_SPLIT_H */
