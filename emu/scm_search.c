/*
** scm_search.c - CreateProcess's search for the module named by a command
** line without application name (scm_search.h), as the service control
** manager uses it for ImagePath.
**
** Sourced: Microsoft's CreateProcess documentation (the four-step example
** for "c:\program files\sub dir\program name"; ".exe" appended to a name
** without extension, not to one ending in a period; a quoted name says
** where the name ends).  The documentation also says ".exe" is not
** appended when the name contains a path, which its own example (every
** candidate there has a path, and gets ".exe") contradicts; the example is
** what the unquoted service path hazard is known for, so it is followed.
**
** Assumptions (no source says; each is a row of tests/unit/test_scm_search.c):
**  - leading blanks are skipped, as "the first white-space-delimited
**    token" suggests;
**  - a tab is white space like a space;
**  - a run of blanks ends one candidate, not one per blank;
**  - a quote only counts as the first character of the name; elsewhere it
**    is part of the name (not a valid file-name character, so such a
**    candidate is simply not found);
**  - an unterminated quote runs to the end of the line; text right after
**    the closing quote is an argument; an empty quoted name ("") names
**    nothing;
**  - the search ends at the first candidate that is a file: folders are
**    passed over (CreateProcess cannot run one), as the README's table of
**    the fix's blind spots already assumes for C:\Tools.exe Dir\....
*/
#include <stdlib.h>
#include <string.h>
#include "scm_search.h"

static int is_blank(uint16_t c)
{
    return c == ' ' || c == '\t';
}

/* CreateProcess reads a C string: nothing after the first NUL counts. */
static size_t c_length(const uint16_t *s, size_t len)
{
    size_t n = 0;
    while (n < len && s[n])
        n++;
    return n;
}

/* Has the last component of S[0, N) an extension, i.e. a period (even a
** final one: "name." has an empty extension, and gets no ".exe")? */
static int has_extension(const uint16_t *s, size_t n)
{
    while (n && s[n - 1] != '\\' && s[n - 1] != '/')
        if (s[--n] == '.')
            return 1;
    return 0;
}

static void emit(const uint16_t *cmdline, size_t start, size_t len, struct scm_candidate *out,
                 size_t max, size_t *count)
{
    if (*count < max) {
        out[*count].start = start;
        out[*count].len = len;
        out[*count].add_exe = !has_extension(cmdline + start, len);
    }
    (*count)++;
}

size_t scm_candidates(const uint16_t *cmdline, size_t len, struct scm_candidate *out, size_t max)
{
    size_t count = 0, i = 0;
    len = c_length(cmdline, len);
    while (i < len && is_blank(cmdline[i]))
        i++;
    if (i == len)
        return 0;
    if (cmdline[i] == '"') {
        size_t end = i + 1;
        while (end < len && cmdline[end] != '"')
            end++;
        if (end > i + 1)
            emit(cmdline, i + 1, end - (i + 1), out, max, &count);
        return count;
    }
    /* Unquoted: the name up to each run of blanks, then the whole line. */
    for (size_t j = i + 1; j <= len; j++)
        if (j == len ? !is_blank(cmdline[j - 1]) : is_blank(cmdline[j]) && !is_blank(cmdline[j - 1]))
            emit(cmdline, i, j - i, out, max, &count);
    return count;
}

size_t scm_candidate_path(const uint16_t *cmdline, const struct scm_candidate *c, uint16_t *buf,
                          size_t cap)
{
    static const uint16_t exe[] = { '.', 'e', 'x', 'e' };
    size_t n = c->len + (c->add_exe ? 4 : 0);
    if (n >= cap) {
        if (cap)
            buf[0] = 0;
        return n;
    }
    memcpy(buf, cmdline + c->start, c->len * sizeof *buf);
    if (c->add_exe)
        memcpy(buf + c->len, exe, sizeof exe);
    buf[n] = 0;
    return n;
}

int scm_pick(const uint16_t *cmdline, size_t len, scm_is_file_fn is_file, void *ctx,
             struct scm_candidate *chosen)
{
    len = c_length(cmdline, len);
    size_t n = scm_candidates(cmdline, len, NULL, 0);
    if (!n)
        return SCM_NONE;
    struct scm_candidate *all = malloc(n * sizeof *all);
    uint16_t *path = malloc((len + 5) * sizeof *path);   /* the longest: all + ".exe" + NUL */
    int found = all && path ? SCM_NONE : SCM_NOMEM;
    if (all && path) {
        scm_candidates(cmdline, len, all, n);
        for (size_t i = 0; i < n && found == SCM_NONE; i++) {
            size_t plen = scm_candidate_path(cmdline, &all[i], path, len + 5);
            if (is_file(ctx, path, plen)) {
                found = (int)i;   /* at most one candidate per unit of a registry value */
                if (chosen)
                    *chosen = all[i];
            }
        }
    }
    free(all);
    free(path);
    return found;
}
