/*
** redact.c: keep passwords out of the harness's output (see redact.h).
**
** Two layers.  The structural one knows what an ImagePath looks like: the
** path is shown, whatever the splitter says follows it is replaced by a
** marker, so an unknown password is hidden too.  The secret layer then
** masks every occurrence of every known secret anywhere in the text.  A
** last check searches the result for every secret once more and falls back
** to blunter output when a marker or the joining of neighbouring text
** spelled one; that check is what makes the guarantee hold for any input.
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

/* The text to hide when there is no usable split: everything after the
** first blank that follows the value's first non-blank character. */
static void tail_after_first_blank(const uint16_t *s, size_t n,
                                   size_t *start, size_t *len)
{
    size_t i = 0;
    while (i < n && is_blank(s[i]))
        i++;
    while (i < n && !is_blank(s[i]))
        i++;
    while (i < n && is_blank(s[i]))
        i++;
    size_t end = n;
    while (end > i && is_blank(s[end - 1]))
        end--;
    *start = i;
    *len = end - i;
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

static size_t utf8_chars(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += !is_continuation(s[i]);
    return chars;
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

/* TEXT with each covered run replaced by "<redacted: N chars>". */
static char *replace_secrets(const char *text, char *const *secrets,
                             size_t nsecrets)
{
    size_t len = strlen(text);
    unsigned char *cover = cover_of(text, len, secrets, nsecrets);
    if (!cover)
        return NULL;
    struct buf b = {0};
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && cover[j] == cover[i])
            j++;
        if (cover[i])
            put_marker(&b, utf8_chars(text + i, j - i), "");
        else
            buf_put(&b, text + i, j - i);
        i = j;
    }
    free(cover);
    return buf_take(&b);
}

/* TEXT (owned) if it holds no secret; otherwise the first of ever blunter
** replacements that holds none (the last, "", holds none by definition). */
static char *guarded(char *text, size_t chars, char *const *secrets,
                     size_t nsecrets)
{
    if (!text || !contains_secret(text, secrets, nsecrets))
        return text;
    wipe_free(text);
    char whole[64];
    snprintf(whole, sizeof whole, "<redacted: %zu chars>", chars);
    const char *const fallbacks[] = { whole, "<redacted>", "***", "" };
    size_t i = 0;
    while (contains_secret(fallbacks[i], secrets, nsecrets))
        i++;
    return strdup(fallbacks[i]);
}

/* ---- Public ------------------------------------------------------------ */

char *redact_image_path(const uint16_t *s, size_t n, int has_hidden_tail,
                        size_t hidden_units, const struct split_result *split,
                        char *const *secrets, size_t nsecrets)
{
    static const uint16_t empty[1];
    if (!s) {
        s = empty;
        n = 0;
    }
    n = units_before_nul(s, n);
    size_t tail_start, tail_len;
    if (split && split_fits(s, n, split)) {
        tail_start = split->tail_start;
        tail_len = split->tail_len;
    } else {
        tail_after_first_blank(s, n, &tail_start, &tail_len);
    }

    struct buf b = {0};
    put_utf16(&b, s, tail_start);
    if (tail_len > 0)
        put_marker(&b, utf16_chars(s + tail_start, tail_len), "");
    put_utf16(&b, s + tail_start + tail_len, n - tail_start - tail_len);
    if (has_hidden_tail) {
        buf_put(&b, " ", 1);
        put_marker(&b, hidden_units, " after NUL");
    }
    char *shaped = buf_take(&b);
    if (!shaped)
        return NULL;

    char *masked = replace_secrets(shaped, secrets, nsecrets);
    wipe_free(shaped);
    return guarded(masked, utf16_chars(s, n), secrets, nsecrets);
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
