/*
** redact.c: keep passwords out of the harness's output (see redact.h).
**
** For an ImagePath the rule is structural: the executable path the
** splitter recognised is shown when it is a plausible path, and nothing
** else of the value is: text before it, after it, glued to it or hidden
** after a NUL becomes a marker, and a value without such a path is one
** marker.  So a password nobody declared is hidden too, and a password
** that happens to equal a word of the path costs nothing.  A last check
** searches the result for every known secret outside the path and falls
** back to blunter markers, down to the path alone, when a marker spelled
** one; that check is what makes the guarantee hold for any input.  Free
** text (messages, summaries) has no structure: redact_text_inplace()
** masks every occurrence of every secret.
**
** Buffers that held secret text are wiped before they are freed.  The
** UTF-16 to UTF-8 conversion is a small local one (unpaired surrogates
** become U+FFFD), so this file depends on nothing but libc.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "redact.h"
#include "text.h"

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static void wipe_free(char *p)
{
    if (p) {
        wipe(p, strlen(p));
        free(p);
    }
}

/* A growing NUL-terminated UTF-8 buffer.  After a failed allocation it
** stops growing and remembers the failure (OOM). */
struct buf {
    char *p;
    size_t len, cap;
    int oom;
};

static void buf_grow(struct buf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = malloc(cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    if (b->p) {
        memcpy(p, b->p, b->len + 1);
        wipe(b->p, b->cap);  /* the old copy may hold a secret */
        free(b->p);
    }
    b->p = p;
    b->cap = cap;
}

static void buf_put(struct buf *b, const char *s, size_t n)
{
    if (!b->oom && b->len + n + 1 > b->cap)
        buf_grow(b, b->len + n + 1);
    if (b->oom)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* The finished text, or NULL (and nothing kept) when memory ran out. */
static char *buf_take(struct buf *b)
{
    if (b->oom) {
        if (b->p)
            wipe(b->p, b->cap);
        free(b->p);
        return NULL;
    }
    if (!b->p)
        buf_put(b, "", 0);
    return b->oom ? NULL : b->p;
}

static void put_marker(struct buf *b, size_t chars, const char *what)
{
    char m[80];
    int n = snprintf(m, sizeof m, "<redacted: %zu chars%s>", chars, what);
    buf_put(b, m, (size_t)n);
}

/* ---- UTF-16 ---------------------------------------------------------- */

static int is_high(uint16_t u) { return u >= 0xD800 && u <= 0xDBFF; }
static int is_low(uint16_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

static void put_utf16(struct buf *b, const uint16_t *s, size_t n)
{
    char *text;
    size_t len;
    if (text_utf16_to_utf8_lossy(s, n, &text, &len) != TEXT_OK) {
        b->oom = 1;
        return;
    }
    buf_put(b, text, len);
    wipe_free(text);
}

/* Code points in S[0..N): a valid surrogate pair is one. */
static size_t utf16_chars(const uint16_t *s, size_t n)
{
    size_t chars = n;
    for (size_t i = 0; i + 1 < n; i++)
        if (is_high(s[i]) && is_low(s[i + 1])) {
            chars--;
            i++;
        }
    return chars;
}

/* ---- The structural layer -------------------------------------------- */

static int is_blank(uint16_t c)
{
    return c == ' ' || c == '\t';
}

static int all_blank(const uint16_t *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (!is_blank(s[i]))
            return 0;
    return 1;
}

/* Does SP describe S[0..N) the way split_image_path() would: spans
** inside the string, in order, with only blanks around them? */
static int split_fits(const uint16_t *s, size_t n, const struct split_result *sp)
{
    if (sp->shown_start > n || sp->shown_len > n - sp->shown_start ||
        sp->tail_start > n || sp->tail_len > n - sp->tail_start)
        return 0;
    size_t shown_end = sp->shown_start + sp->shown_len;
    size_t tail_end = sp->tail_start + sp->tail_len;
    return sp->shown_len > 0 && sp->tail_start >= shown_end &&
           all_blank(s, 0, sp->shown_start) &&
           all_blank(s, shown_end, sp->tail_start) &&
           all_blank(s, tail_end, n);
}

static size_t units_before_nul(const uint16_t *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] != 0)
        i++;
    return i;
}

/* ---- The secret layer ------------------------------------------------ */

/* Mark in COVER every byte of TEXT[0..LEN) inside an occurrence of
** SECRET (overlapping occurrences included).  Returns 1 if any. */
static int mark_one(const char *text, size_t len, const char *secret,
                    unsigned char *cover)
{
    size_t m = strlen(secret);
    int any = 0;
    for (size_t i = 0; m > 0 && m <= len && i <= len - m; i++)
        if (memcmp(text + i, secret, m) == 0) {
            memset(cover + i, 1, m);
            any = 1;
        }
    return any;
}

static int mark_secrets(const char *text, size_t len, char *const *secrets,
                        size_t nsecrets, unsigned char *cover)
{
    int any = 0;
    for (size_t k = 0; k < nsecrets; k++)
        if (secrets && secrets[k])
            any |= mark_one(text, len, secrets[k], cover);
    return any;
}

static int contains_secret(const char *text, char *const *secrets,
                           size_t nsecrets)
{
    for (size_t k = 0; k < nsecrets; k++)
        if (secrets && secrets[k] && secrets[k][0] && strstr(text, secrets[k]))
            return 1;
    return 0;
}

static int is_continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* Widen every covered run to whole UTF-8 characters, so masking never
** leaves half a character behind. */
static void cover_whole_chars(const char *text, size_t len, unsigned char *cover)
{
    for (size_t i = 1; i < len; i++)
        if (cover[i - 1] && !cover[i] && is_continuation(text[i]))
            cover[i] = 1;
    for (size_t i = len; i-- > 1;)
        if (cover[i] && !cover[i - 1] && is_continuation(text[i]))
            cover[i - 1] = 1;
}

/* The covered bytes of TEXT[0..LEN) and where they are: a malloc'ed
** COVER array, or NULL when memory ran out. */
static unsigned char *cover_of(const char *text, size_t len,
                               char *const *secrets, size_t nsecrets)
{
    unsigned char *cover = calloc(len + 1, 1);
    if (cover) {
        mark_secrets(text, len, secrets, nsecrets, cover);
        cover_whole_chars(text, len, cover);
    }
    return cover;
}

/* ---- Public ------------------------------------------------------------ */

static int is_drive(const uint16_t *p, size_t n)
{
    uint16_t d = (uint16_t)(p[0] | 0x20);
    return n >= 3 && d >= 'a' && d <= 'z' && p[1] == ':' && (p[2] == '\\' || p[2] == '/');
}

static int starts_with(const uint16_t *p, size_t n, const char *ascii)
{
    size_t i = 0;
    for (; ascii[i]; i++)
        if (i >= n || p[i] != (uint16_t)ascii[i])
            return 0;
    return 1;
}

/* Could P[0..N) be the path of an executable as someone would write it?
** A full path (C:\..., \??\C:\..., \\?\C:\...), a rooted or UNC path, one
** starting with an %ENVIRONMENT% variable, or a relative path without
** blanks; never a second ':' after the drive, a control character or one
** of " < > | * ?.  "pw C:\x.exe" (a password first) and "pwC:\x.exe" are
** not: such a value is redacted whole. */
static int is_plausible_path(const uint16_t *p, size_t n)
{
    size_t i = 0;
    int blanks_ok = 1;
    if (starts_with(p, n, "\\??\\") || starts_with(p, n, "\\\\?\\")) {
        if (!is_drive(p + 4, n - 4))
            return 0;
        i = 7;
    } else if (is_drive(p, n)) {
        i = 3;
    } else if (n && p[0] != '\\' && p[0] != '/' && p[0] != '%') {
        blanks_ok = 0;  /* relative: a blank would be a guess */
    }
    for (; i < n; i++) {
        uint16_t c = p[i];
        if (c < 32 || c == ':' || c == '"' || c == '<' || c == '>' || c == '|' || c == '*' ||
            c == '?' || (is_blank(c) && !blanks_ok))
            return 0;
    }
    return n > 0;
}

/* What redact_image_path() shows of S[0..N): the path in clear (PATH_FROM
** .. PATH_TO; none when PATH_TO is 0), and the text it hides as a marker
** (HIDE_FROM .. HIDE_TO; blanks around it are shown). */
struct layout {
    size_t path_from, path_to;
    size_t hide_from, hide_to;
};

static struct layout layout_of(const uint16_t *s, size_t n, const struct split_result *split)
{
    struct layout l = { 0, 0, 0, 0 };
    if (split && split_fits(s, n, split) &&
        is_plausible_path(s + split->path_start, split->path_len)) {
        l.path_from = split->path_start;
        l.path_to = split->path_start + split->path_len;
        l.hide_from = split->tail_start;
        l.hide_to = split->tail_start + split->tail_len;
        return l;
    }
    l.hide_from = 0;
    while (l.hide_from < n && is_blank(s[l.hide_from]))
        l.hide_from++;
    l.hide_to = n;
    while (l.hide_to > l.hide_from && is_blank(s[l.hide_to - 1]))
        l.hide_to--;
    return l;
}

/* A marker for CHARS hidden characters at bluntness LEVEL (0-2). */
static void put_marker_at(struct buf *b, int level, size_t chars, const char *what)
{
    if (level == 0)
        put_marker(b, chars, what);
    else
        buf_put(b, level == 1 ? "<redacted>" : "***", level == 1 ? 10 : 3);
}

/* The shown text at bluntness LEVEL: 0-2 the whole layout with ever
** blunter markers, 3 the path alone.  Sets PATH_SPAN to the path's bytes. */
static char *compose(const uint16_t *s, size_t n, const struct layout *l, int level,
                     int has_hidden_tail, size_t hidden_units, size_t path_span[2])
{
    struct buf b = {0};
    int full = level < 3;
    size_t after_path = l->path_to ? l->path_to : l->hide_from;
    if (full)
        put_utf16(&b, s, l->path_to ? l->path_from : l->hide_from);
    path_span[0] = b.len;
    if (l->path_to)
        put_utf16(&b, s + l->path_from, l->path_to - l->path_from);
    path_span[1] = b.oom ? 0 : b.len - path_span[0];
    if (full) {
        put_utf16(&b, s + after_path, l->hide_from - after_path);
        if (l->hide_to > l->hide_from)
            put_marker_at(&b, level, utf16_chars(s + l->hide_from, l->hide_to - l->hide_from), "");
        put_utf16(&b, s + l->hide_to, n - l->hide_to);
        if (has_hidden_tail) {
            buf_put(&b, " ", 1);
            put_marker_at(&b, level, hidden_units, " after NUL");
        }
    }
    return buf_take(&b);
}

int redact_leaks(const char *text, const size_t path_span[2], char *const *secrets,
                 size_t nsecrets)
{
    size_t len = strlen(text);
    for (size_t k = 0; k < nsecrets; k++) {
        size_t m = secrets && secrets[k] ? strlen(secrets[k]) : 0;
        for (size_t i = 0; m && m <= len && i <= len - m; i++)
            if (!memcmp(text + i, secrets[k], m) &&
                (i < path_span[0] || i + m > path_span[0] + path_span[1]))
                return 1;
    }
    return 0;
}

char *redact_image_path(const uint16_t *s, size_t n, int has_hidden_tail,
                        size_t hidden_units, const struct split_result *split,
                        char *const *secrets, size_t nsecrets, size_t path_span[2])
{
    static const uint16_t empty[1];
    size_t span_local[2];
    if (!path_span)
        path_span = span_local;
    if (!s) {
        s = empty;
        n = 0;
    }
    n = units_before_nul(s, n);
    struct layout l = layout_of(s, n, split);
    /* Level 3 shows the path alone: every occurrence of a secret in it is
    ** inside the path, so the loop always ends there at the latest. */
    for (int level = 0; level <= 3; level++) {
        char *text = compose(s, n, &l, level, has_hidden_tail, hidden_units, path_span);
        if (!text || level == 3 || !redact_leaks(text, path_span, secrets, nsecrets))
            return text;
        wipe_free(text);
    }
    return NULL;
}

/* Rewrite UTF8 from ORIG (same length, COVER marking it): each covered
** run becomes up to three FILL characters. */
static void mask_into(char *utf8, const char *orig, size_t len,
                      const unsigned char *cover, char fill)
{
    size_t out = 0;
    for (size_t i = 0; i < len;) {
        if (!cover[i]) {
            utf8[out++] = orig[i++];
            continue;
        }
        size_t j = i;
        while (j < len && cover[j])
            j++;
        for (size_t k = 0; k < 3 && k < j - i; k++)
            utf8[out++] = fill;
        i = j;
    }
    utf8[out] = '\0';
}

void redact_text_inplace(char *utf8, char *const *secrets, size_t nsecrets)
{
    if (!utf8 || !contains_secret(utf8, secrets, nsecrets))
        return;
    size_t len = strlen(utf8);
    char *orig = strdup(utf8);
    unsigned char *cover = orig ? cover_of(orig, len, secrets, nsecrets) : NULL;
    int clean = 0;
    for (const char *fill = "*#?"; cover && *fill && !clean; fill++) {
        mask_into(utf8, orig, len, cover, *fill);
        clean = !contains_secret(utf8, secrets, nsecrets);
    }
    if (!clean)
        wipe(utf8, strlen(utf8));  /* nothing safe could be kept */
    free(cover);
    wipe_free(orig);
}
