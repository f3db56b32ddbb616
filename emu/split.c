/*
** split.c: the ImagePath splitter (see split.h for the rule, emu/fix.h
** for why it is that rule).
**
** Everything here is index arithmetic over UTF-16 units: no allocation,
** no copying, so the fix and the redaction can point back into the string
** they already hold.
*/
#include <string.h>
#include "split.h"

static int is_blank(uint16_t c)
{
    return c == ' ' || c == '\t';
}

static uint16_t ascii_lower(uint16_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint16_t)(c + ('a' - 'A')) : c;
}

/* Do the AREA_START..END units end in ".exe", in any case? */
static int ends_in_exe(const uint16_t *s, size_t area_start, size_t end)
{
    static const char ext[] = ".exe";
    if (end - area_start < 4)
        return 0;
    for (size_t i = 0; i < 4; i++)
        if (ascii_lower(s[end - 4 + i]) != (uint16_t)ext[i])
            return 0;
    return 1;
}

static size_t skip_blanks(const uint16_t *s, size_t from, size_t end)
{
    while (from < end && is_blank(s[from]))
        from++;
    return from;
}

static size_t drop_blanks(const uint16_t *s, size_t start, size_t end)
{
    while (end > start && is_blank(s[end - 1]))
        end--;
    return end;
}

/* The span [FROM, END) without its leading and trailing blanks. */
static void set_trimmed(const uint16_t *s, size_t from, size_t end,
                        size_t *start, size_t *len)
{
    from = skip_blanks(s, from, end);
    *start = from;
    *len = drop_blanks(s, from, end) - from;
}

/* Does a candidate end at I: ".exe" before it, then dots (which Windows
** drops from a file name), then a blank or END?  Sets *AFTER past the dots. */
static int is_candidate(const uint16_t *s, size_t start, size_t i, size_t end, size_t *after)
{
    if (!ends_in_exe(s, start, i))
        return 0;
    size_t j = i;
    while (j < end && s[j] == '.')
        j++;
    *after = j;
    return j == end || is_blank(s[j]);
}

/* Find the path in the area [START, END): sets *PATH_END (and *AFTER, past
** any trailing dots) and returns the number of candidates, 0 when there is
** none.  Candidates are tried shortest first, so the first one that exists
** is the shortest existing one; *AMBIGUOUS: none existed, several were. */
static int pick_path(const uint16_t *s, size_t start, size_t end, split_exists_fn exists,
                     void *ctx, size_t *path_end, size_t *after, int *ambiguous)
{
    int count = 0;
    size_t past;
    for (size_t i = start + 1; i <= end; i++) {
        if (!is_candidate(s, start, i, end, &past))
            continue;
        if (!count++) {
            *path_end = i;
            *after = past;
        }
        if (exists && exists(ctx, s + start, i - start)) {
            *path_end = i;
            *after = past;
            *ambiguous = 0;
            return count;
        }
    }
    *ambiguous = exists && count > 1;
    return count;
}

/* Index of the first '"' in [FROM, END), or END. */
static size_t find_quote(const uint16_t *s, size_t from, size_t end)
{
    while (from < end && s[from] != '"')
        from++;
    return from;
}

static int split_quoted(const uint16_t *s, size_t begin, size_t end,
                        split_exists_fn exists, void *ctx,
                        struct split_result *out)
{
    size_t quote = find_quote(s, begin + 1, end);
    int closed = quote < end;
    size_t area = skip_blanks(s, begin + 1, quote);
    size_t path_end, after;
    if (!pick_path(s, area, quote, exists, ctx, &path_end, &after, &out->ambiguous))
        return -1;
    out->quoted = 1;
    out->path_start = area;
    out->path_len = path_end - area;
    out->shown_start = begin;
    out->shown_len = path_end - begin + (closed && quote == path_end);
    set_trimmed(s, after, quote, &out->inner_start, &out->inner_len);
    set_trimmed(s, closed ? quote + 1 : end, end,
                &out->args_start, &out->args_len);
    set_trimmed(s, out->shown_start + out->shown_len, end,
                &out->tail_start, &out->tail_len);
    return 0;
}

static int split_unquoted(const uint16_t *s, size_t begin, size_t end,
                          split_exists_fn exists, void *ctx,
                          struct split_result *out)
{
    size_t path_end, after;
    if (!pick_path(s, begin, end, exists, ctx, &path_end, &after, &out->ambiguous))
        return -1;
    out->quoted = 0;
    out->path_start = out->shown_start = begin;
    out->path_len = out->shown_len = path_end - begin;
    out->inner_start = path_end;
    out->inner_len = 0;
    set_trimmed(s, after, end, &out->args_start, &out->args_len);
    set_trimmed(s, path_end, end, &out->tail_start, &out->tail_len);
    return 0;
}

int split_image_path(const uint16_t *s, size_t n, split_exists_fn exists,
                     void *ctx, struct split_result *out)
{
    memset(out, 0, sizeof *out);
    size_t begin = skip_blanks(s, 0, n);
    size_t end = drop_blanks(s, begin, n);
    int rc = (begin < end && s[begin] == '"')
                 ? split_quoted(s, begin, end, exists, ctx, out)
                 : split_unquoted(s, begin, end, exists, ctx, out);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}

static int is_separator(uint16_t c)
{
    return c == '\\' || c == '/';
}

enum split_none split_why_none(const uint16_t *s, size_t n)
{
    size_t begin = skip_blanks(s, 0, n);
    if (begin < n && s[begin] == '"')
        begin++;
    for (size_t i = begin + 4; i < n; i++)
        if (ends_in_exe(s, begin, i) && is_separator(s[i]))
            return SPLIT_EXE_DIR;
    /* The first word, as CreateProcess takes it: up to a blank or quote. */
    size_t end = begin, name = begin;
    while (end < n && !is_blank(s[end]) && s[end] != '"') {
        if (is_separator(s[end]))
            name = end + 1;
        end++;
    }
    for (size_t i = name; i < end; i++)
        if (s[i] == '.')
            return SPLIT_NO_EXE;
    return end > name ? SPLIT_NO_EXTENSION : SPLIT_NO_EXE;
}
