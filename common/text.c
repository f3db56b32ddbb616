/*
** text.c - decoding scenario files, UTF-8/UTF-16 conversion, input errors.
**
** See text.h.  Everything here works on explicit lengths and never reads
** past them: the decoders are fed untrusted files (and fuzzers).
*/
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "text.h"

void kmh_error_set(struct kmh_error *err, int line, const char *fmt, ...)
{
    va_list ap;
    err->line = line;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

int text_read_file(const char *path, size_t max, uint8_t **out, size_t *len,
                   struct kmh_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        kmh_error_set(err, 0, "cannot open file: %s", strerror(errno));
        return -1;
    }
    /* Room for one byte past MAX at most: enough to tell a file of
    ** exactly MAX bytes from a larger one without reading the rest. */
    size_t cap = 0, n = 0, got;
    uint8_t *buf = NULL;
    int oom = 0;
    do {
        if (n == cap) {
            size_t want = cap ? 2 * cap : 65536;
            if (want > max + 1)
                want = max + 1;
            if (want == cap)
                break;
            uint8_t *more = realloc(buf, want);
            if (!more) {
                oom = 1;
                break;
            }
            buf = more;
            cap = want;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    int failed = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (!oom && !buf)
        oom = !(buf = malloc(1));  /* an empty file: still a buffer to free */
    if (oom)
        kmh_error_set(err, 0, "out of memory");
    else if (failed)
        kmh_error_set(err, 0, "cannot read file: %s", strerror(failed));
    else if (n > max && max && max % (1u << 20) == 0)
        kmh_error_set(err, 0, "file larger than %zu MiB", max >> 20);
    else if (n > max)
        kmh_error_set(err, 0, "file larger than %zu bytes", max);
    else {
        *out = buf;
        *len = n;
        return 0;
    }
    free(buf);
    return -1;
}

/* Windows-1252 bytes 0x80..0x9F; the rest of the code page is Latin-1. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

uint16_t text_cp1252_char(uint8_t b)
{
    return b >= 0x80 && b <= 0x9F ? cp1252_high[b - 0x80] : b;
}

int text_line_at(const char *s, size_t at)
{
    int line = 1;
    for (size_t i = 0; i < at; i++)
        if (s[i] == '\n' || (s[i] == '\r' && !(i + 1 < at && s[i + 1] == '\n')))
            line++;
    return line;
}

const char *text_skip_blanks(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

void text_lines_init(struct text_lines *it, const char *s, size_t len)
{
    it->p = s;
    it->end = s + len;
    it->line = 0;
}

int text_next_line(struct text_lines *it, const char **start, size_t *len)
{
    const char *q = it->p;
    if (q >= it->end)
        return 0;
    while (q < it->end && *q != '\n' && *q != '\r')
        q++;
    *start = it->p;
    *len = (size_t)(q - it->p);
    if (q < it->end)
        q += (*q == '\r' && q + 1 < it->end && q[1] == '\n') ? 2 : 1;
    it->p = q;
    it->line++;
    return 1;
}

static char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | cp >> 12);
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | cp >> 18);
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* Decode one UTF-8 character at S[*I] (I < LEN), advancing *I.  Returns -1
** for anything that is not the shortest form of a scalar value. */
static int get_utf8(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
    static const uint32_t min_for_len[4] = { 0, 0x80, 0x800, 0x10000 };
    unsigned char c = s[*i];
    int extra = c < 0x80 ? 0 : c >= 0xC0 && c < 0xE0 ? 1 : c >= 0xE0 && c < 0xF0 ? 2
              : c >= 0xF0 && c < 0xF8 ? 3 : -1;
    if (extra < 0 || len - *i <= (size_t)extra)
        return -1;
    uint32_t v = extra ? c & (0x3F >> extra) : c;
    for (int k = 1; k <= extra; k++) {
        if ((s[*i + k] & 0xC0) != 0x80)
            return -1;
        v = v << 6 | (s[*i + k] & 0x3F);
    }
    if (v < min_for_len[extra] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return -1;
    *i += (size_t)extra + 1;
    *cp = v;
    return 0;
}

int text_utf8_valid(const char *s, size_t len, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    uint32_t cp;
    while (i < len) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        if (get_utf8(u, len, &i, &cp)) {
            *bad = i;
            return 0;
        }
    }
    return 1;
}

int text_utf8_to_utf16(const char *s, size_t len, uint16_t **out, size_t *units)
{
    /* every byte gives at most one unit: a 4-byte character gives two */
    if (len >= SIZE_MAX / sizeof **out)
        return TEXT_NOMEM;
    uint16_t *w = malloc((len + 1) * sizeof *w), *o = w;
    if (!w)
        return TEXT_NOMEM;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        if (get_utf8((const unsigned char *)s, len, &i, &cp)) {
            free(w);
            return TEXT_INVALID;
        }
        if (cp >= 0x10000) {
            *o++ = (uint16_t)(0xD800 | (cp - 0x10000) >> 10);
            *o++ = (uint16_t)(0xDC00 | (cp & 0x3FF));
        } else {
            *o++ = (uint16_t)cp;
        }
    }
    *o = 0;
    *out = w;
    *units = (size_t)(o - w);
    return TEXT_OK;
}

/* Convert into BUF (room for 3 bytes a unit); *WRITTEN is set either way,
** so on an unpaired surrogate it tells where the text went wrong. LOSSY
** writes U+FFFD for an unpaired surrogate instead of stopping there. */
static int utf16_into(const uint16_t *s, size_t n, char *buf, size_t *written, int lossy)
{
    char *o = buf;
    int rc = TEXT_OK;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = s[i];
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (s[++i] - 0xDC00);
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            if (!lossy) {
                rc = TEXT_INVALID;
                break;
            }
            cp = 0xFFFD;
        }
        o = put_utf8(o, cp);
    }
    *o = 0;
    *written = (size_t)(o - buf);
    return rc;
}

static int utf16_to_utf8(const uint16_t *s, size_t units, char **out, size_t *len, int lossy)
{
    if (units >= SIZE_MAX / 3)
        return TEXT_NOMEM;
    char *buf = malloc(units * 3 + 1);
    if (!buf)
        return TEXT_NOMEM;
    if (utf16_into(s, units, buf, len, lossy)) {
        free(buf);
        return TEXT_INVALID;
    }
    *out = buf;
    return TEXT_OK;
}

int text_utf16_to_utf8(const uint16_t *s, size_t units, char **out, size_t *len)
{
    return utf16_to_utf8(s, units, out, len, 0);
}

int text_utf16_to_utf8_lossy(const uint16_t *s, size_t units, char **out, size_t *len)
{
    return utf16_to_utf8(s, units, out, len, 1);
}

static int no_memory(struct kmh_error *err)
{
    kmh_error_set(err, 0, "out of memory");
    return -1;
}

/* A NUL can only come from a broken or binary file; regedit would cut the
** line there, so the file is refused instead. */
static int refuse_nul(const char *s, size_t len, struct kmh_error *err)
{
    const char *nul = memchr(s, 0, len);
    if (!nul)
        return 0;
    kmh_error_set(err, text_line_at(s, (size_t)(nul - s)), "NUL character in file");
    return -1;
}

static int decode_utf16le(const uint8_t *b, size_t len, char **utf8, size_t *utf8_len,
                          struct kmh_error *err)
{
    if (len % 2) {
        kmh_error_set(err, 0, "odd number of bytes in UTF-16 file");
        return -1;
    }
    size_t n = len / 2;
    uint16_t *units = malloc(n ? n * sizeof *units : 1);
    char *buf = n < SIZE_MAX / 3 ? malloc(n * 3 + 1) : NULL;
    if (!units || !buf) {
        free(units);
        free(buf);
        return no_memory(err);
    }
    for (size_t i = 0; i < n; i++)
        units[i] = (uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
    size_t written;
    int rc = utf16_into(units, n, buf, &written, 0);
    free(units);
    if (rc) {
        kmh_error_set(err, text_line_at(buf, written), "unpaired surrogate in UTF-16 text");
        free(buf);
        return -1;
    }
    if (refuse_nul(buf, written, err)) {
        free(buf);
        return -1;
    }
    *utf8 = buf;
    *utf8_len = written;
    return 0;
}

static int copy_text(const uint8_t *b, size_t len, char **utf8, size_t *utf8_len,
                     struct kmh_error *err)
{
    char *buf = malloc(len + 1);
    if (!buf)
        return no_memory(err);
    memcpy(buf, b, len);
    buf[len] = 0;
    *utf8 = buf;
    *utf8_len = len;
    return 0;
}

static int decode_cp1252(const uint8_t *b, size_t len, char **utf8, size_t *utf8_len,
                         struct kmh_error *err)
{
    char *buf = len < SIZE_MAX / 3 ? malloc(len * 3 + 1) : NULL, *o = buf;
    if (!buf)
        return no_memory(err);
    for (size_t i = 0; i < len; i++)
        o = put_utf8(o, text_cp1252_char(b[i]));
    *o = 0;
    *utf8 = buf;
    *utf8_len = (size_t)(o - buf);
    return 0;
}

int text_decode_file(const uint8_t *bytes, size_t len, char **utf8, size_t *utf8_len,
                     int *was_utf16, struct kmh_error *err)
{
    size_t bad;
    *utf8 = NULL;
    *utf8_len = 0;
    *was_utf16 = len >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE;
    if (*was_utf16)
        return decode_utf16le(bytes + 2, len - 2, utf8, utf8_len, err);
    if (len >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF) {
        kmh_error_set(err, 0, "UTF-16 big-endian files are not supported");
        return -1;
    }
    if (refuse_nul((const char *)bytes, len, err))
        return -1;
    if (len >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) {
        if (!text_utf8_valid((const char *)bytes + 3, len - 3, &bad)) {
            kmh_error_set(err, text_line_at((const char *)bytes + 3, bad),
                          "invalid UTF-8 in a file with a UTF-8 byte order mark");
            return -1;
        }
        return copy_text(bytes + 3, len - 3, utf8, utf8_len, err);
    }
    if (text_utf8_valid((const char *)bytes, len, &bad))
        return copy_text(bytes, len, utf8, utf8_len, err);
    return decode_cp1252(bytes, len, utf8, utf8_len, err);
}
