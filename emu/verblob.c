/*
** verblob.c: builds the VS_VERSIONINFO blob described in verblob.h.
**
** The blob is written in two passes by the same code: a counting pass
** (no buffer) that sizes it and a writing pass.  Each block's wLength is
** patched when the block is closed; it covers the block up to the end of
** its last child, and padding before a child counts in its parent.
*/
#include <stdio.h>
#include <stdlib.h>
#include "verblob.h"

const struct verblob_string verblob_strings[] = {
    { "CompanyName",      "Microsoft Corporation" },
    { "FileDescription",  "Microsoft Exchange Key Management Server" },
    { "FileVersion",      NULL },
    { "ProductName",      "Microsoft Exchange" },
    { "ProductVersion",   NULL },
    { "OriginalFilename", "Kmserver.exe" },
};
const size_t verblob_nstrings = sizeof verblob_strings / sizeof verblob_strings[0];

enum { TYPE_BINARY = 0, TYPE_TEXT = 1 };

struct writer {
    uint8_t *buf;  /* NULL in the counting pass */
    size_t pos;
};

static void put_u16(struct writer *w, uint16_t v)
{
    if (w->buf) {
        w->buf[w->pos] = (uint8_t)(v & 0xFF);
        w->buf[w->pos + 1] = (uint8_t)(v >> 8);
    }
    w->pos += 2;
}

static void put_u32(struct writer *w, uint32_t v)
{
    put_u16(w, (uint16_t)(v & 0xFFFF));
    put_u16(w, (uint16_t)(v >> 16));
}

/* ASCII text as UTF-16LE with its terminating NUL. */
static void put_text(struct writer *w, const char *s)
{
    for (; *s; s++)
        put_u16(w, (uint16_t)(unsigned char)*s);
    put_u16(w, 0);
}

static void align4(struct writer *w)
{
    while (w->pos % 4)
        put_u16(w, 0);  /* pos is always even, so 16-bit steps suffice */
}

static void patch_u16(struct writer *w, size_t at, uint16_t v)
{
    if (w->buf) {
        w->buf[at] = (uint8_t)(v & 0xFF);
        w->buf[at + 1] = (uint8_t)(v >> 8);
    }
}

/* Open a block: header and key, aligned so the value starts on 32 bits.
** Returns the block's start, for close_block. */
static size_t open_block(struct writer *w, const char *key,
                         uint16_t value_length, uint16_t type)
{
    align4(w);
    size_t start = w->pos;
    put_u16(w, 0);  /* wLength, patched by close_block */
    put_u16(w, value_length);
    put_u16(w, type);
    put_text(w, key);
    align4(w);
    return start;
}

static void close_block(struct writer *w, size_t start)
{
    patch_u16(w, start, (uint16_t)(w->pos - start));
}

static void put_fixed_info(struct writer *w, const uint16_t v[4])
{
    uint32_t ms = ((uint32_t)v[0] << 16) | v[1];
    uint32_t ls = ((uint32_t)v[2] << 16) | v[3];
    put_u32(w, VERBLOB_SIGNATURE);
    put_u32(w, VERBLOB_STRUC_VER);
    put_u32(w, ms);  /* file version */
    put_u32(w, ls);
    put_u32(w, ms);  /* product version */
    put_u32(w, ls);
    put_u32(w, VERBLOB_FLAGS_MASK);
    put_u32(w, 0);   /* dwFileFlags: a release build */
    put_u32(w, VERBLOB_OS_NT_WIN32);
    put_u32(w, VERBLOB_FT_APP);
    put_u32(w, 0);   /* dwFileSubtype */
    put_u32(w, 0);   /* dwFileDateMS */
    put_u32(w, 0);   /* dwFileDateLS */
}

static void put_string_entry(struct writer *w, const char *key, const char *value)
{
    size_t nchars = 0;
    while (value[nchars])
        nchars++;
    /* For text values wValueLength counts WCHARs, terminator included. */
    size_t start = open_block(w, key, (uint16_t)(nchars + 1), TYPE_TEXT);
    put_text(w, value);
    close_block(w, start);
}

static void put_string_file_info(struct writer *w, const char *dotted)
{
    size_t sfi = open_block(w, "StringFileInfo", 0, TYPE_TEXT);
    size_t table = open_block(w, VERBLOB_TABLE_KEY, 0, TYPE_TEXT);
    for (size_t i = 0; i < verblob_nstrings; i++) {
        const char *value = verblob_strings[i].value;
        put_string_entry(w, verblob_strings[i].key, value ? value : dotted);
    }
    close_block(w, table);
    close_block(w, sfi);
}

static void put_var_file_info(struct writer *w)
{
    size_t vfi = open_block(w, "VarFileInfo", 0, TYPE_TEXT);
    size_t var = open_block(w, "Translation", 4, TYPE_BINARY);
    put_u16(w, VERBLOB_LANG);
    put_u16(w, VERBLOB_CODEPAGE);
    close_block(w, var);
    close_block(w, vfi);
}

static void put_version_info(struct writer *w, const uint16_t version[4], const char *dotted)
{
    size_t root = open_block(w, "VS_VERSION_INFO", VERBLOB_FIXED_SIZE, TYPE_BINARY);
    put_fixed_info(w, version);
    put_string_file_info(w, dotted);
    put_var_file_info(w);
    close_block(w, root);
}

uint8_t *verblob_build(const uint16_t version[4], size_t *len)
{
    char dotted[24];  /* "65535.65535.65535.65535" */
    snprintf(dotted, sizeof dotted, "%u.%u.%u.%u",
             version[0], version[1], version[2], version[3]);

    struct writer count = { NULL, 0 };
    put_version_info(&count, version, dotted);

    struct writer out = { calloc(1, count.pos), 0 };
    if (!out.buf)
        return NULL;
    put_version_info(&out, version, dotted);
    *len = out.pos;
    return out.buf;
}
