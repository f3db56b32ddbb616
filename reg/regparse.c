/*
** regparse.c - the .reg grammar, as Windows' Registry Editor reads it.
**
** See regparse.h.  The rules follow what Windows' regedit accepts, as
** recorded by Wine's conformance tests (programs/regedit/tests, which pass
** on Windows); where Wine's own regedit differs, Windows wins:
**
**  - The first line is exactly "REGEDIT4" or "Windows Registry Editor
**    Version 5.00" (leading blanks allowed, nothing after it).
**  - Lines end in CRLF, LF or a bare CR.  Leading blanks are ignored.  Lines
**    starting with ';' or '#' are comments.
**  - [KEY] opens KEY, [-KEY] deletes it; no blank may follow '[' or '[-';
**    the key name ends at the line's last ']'; root names are
**    case-insensitive and written in full; trailing backslashes are dropped.
**  - "name"=DATA or @=DATA, blanks allowed around '='; "name"=- or @=-
**    deletes.  In a quoted name or string, only \\ and \" are escapes.
**    After a string, dword or hex data only blanks and a ';' comment may
**    follow on the line.  An empty name "" is the default value.
**  - dword: takes 1 to 8 hex digits.  hex: and hex(N): take comma-separated
**    bytes of 1 or 2 hex digits (N: 1 to 8 hex digits, any 32-bit type); a
**    trailing comma is allowed.  A backslash after a comma (or right after
**    the prefix) continues the data on the next line, after which blank and
**    ';' comment lines may come before the line that goes on with hex digits.
**
** Where regedit would skip a line (or drop a value), this parser refuses the
** file instead, naming the line.  It also refuses a continuation at the end
** of the file (regedit imports the truncated data), keys outside
** HKEY_LOCAL_MACHINE, lines over 64 KiB and data over 1 MiB.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "grow.h"
#include "regparse.h"

#define MAX_LINE       65536       /* bytes in one line of the file */
#define MAX_DATA       (1u << 20)  /* bytes of one value's data */
#define MAX_KEY_PART   255         /* UTF-16 units in one key name */
#define MAX_VALUE_NAME 16383       /* UTF-16 units in a value name */

struct bytes {
    uint8_t *p;
    size_t len, cap;
};

struct parser {
    struct text_lines lines;
    const char *line, *end;    /* the current line */
    int v5;                    /* "Windows Registry Editor Version 5.00" */
    char *key;                 /* the open key; NULL outside any key */
    struct reg_ops *out;
    struct kmh_error *err;
};

static int fail(struct parser *ps, const char *msg)
{
    kmh_error_set(ps->err, ps->lines.line, "%s", msg);
    return -1;
}

static int no_memory(struct parser *ps)
{
    return fail(ps, "out of memory");
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* After data, a line may hold only blanks and then a ';' comment. */
static int at_data_end(const char *p, const char *end)
{
    p = text_skip_blanks(p, end);
    return p == end || *p == ';';
}

static int starts_with(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) >= n && !memcmp(p, word, n);
}

/* UTF-16 units of a UTF-8 string: what Windows' length limits count. */
static size_t utf16_units(const char *p, const char *end)
{
    size_t n = 0;
    for (; p < end; p++)
        n += ((*p & 0xC0) != 0x80) + ((unsigned char)*p >= 0xF0);
    return n;
}

/* 1 and the next line, 0 at the end of the file, -1 for an overlong line. */
static int next_line(struct parser *ps)
{
    size_t len;
    if (!text_next_line(&ps->lines, &ps->line, &len))
        return 0;
    ps->end = ps->line + len;
    return len > MAX_LINE ? fail(ps, "line longer than 65536 bytes") : 1;
}

static int bytes_add(struct parser *ps, struct bytes *b, const void *src, size_t n)
{
    if (n > MAX_DATA - b->len)
        return fail(ps, "value data larger than 1 MiB");
    if (!n)
        return 0;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p)
            return no_memory(ps);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
    return 0;
}

static void free_op(struct reg_op *op)
{
    free(op->key);
    free(op->name);
    free(op->data);
}

/* Append OP (taking ownership of its strings and data, freed on failure). */
static int add_op(struct parser *ps, struct reg_op *op)
{
    struct reg_ops *o = ps->out;
    struct reg_op *ops = grow_for(o->ops, &o->cap, o->n, sizeof *ops, 16);
    if (!ops) {
        free_op(op);
        return no_memory(ps);
    }
    o->ops = ops;
    o->ops[o->n++] = *op;
    return 0;
}

void reg_ops_free(struct reg_ops *ops)
{
    for (size_t i = 0; i < ops->n; i++)
        free_op(&ops->ops[i]);
    free(ops->ops);
    memset(ops, 0, sizeof *ops);
}

/* ---- text checks and header ------------------------------------------- */

/* text_decode_file() guarantees both; reg_parse() may also be fed raw text. */
static int check_text(const char *s, size_t len, struct kmh_error *err)
{
    size_t bad;
    const char *nul = memchr(s, 0, len);
    if (nul) {
        kmh_error_set(err, text_line_at(s, (size_t)(nul - s)), "NUL character in file");
        return -1;
    }
    if (!text_utf8_valid(s, len, &bad)) {
        kmh_error_set(err, text_line_at(s, bad), "text is not valid UTF-8");
        return -1;
    }
    return 0;
}

static int is_line(const char *p, const char *end, const char *text)
{
    return (size_t)(end - p) == strlen(text) && !memcmp(p, text, (size_t)(end - p));
}

static int parse_header(struct parser *ps, int file_was_utf16)
{
    int r = next_line(ps);
    if (r < 0)
        return -1;
    const char *p = r ? text_skip_blanks(ps->line, ps->end) : NULL;
    ps->v5 = r && is_line(p, ps->end, "Windows Registry Editor Version 5.00");
    if (!ps->v5 && !(r && is_line(p, ps->end, "REGEDIT4"))) {
        kmh_error_set(ps->err, 1, "missing header: first line must be REGEDIT4 or "
                      "Windows Registry Editor Version 5.00");
        return -1;
    }
    if (file_was_utf16 && !ps->v5)
        return fail(ps, "a UTF-16 file needs the header Windows Registry Editor Version 5.00");
    return 0;
}

/* ---- keys --------------------------------------------------------------- */

static int root_is(const char *p, const char *end, const char *root)
{
    return (size_t)(end - p) == strlen(root) && !strncasecmp(p, root, (size_t)(end - p));
}

static int is_other_root(const char *p, const char *end)
{
    static const char *const roots[] = {
        "HKEY_USERS", "HKEY_CLASSES_ROOT", "HKEY_CURRENT_CONFIG",
        "HKEY_CURRENT_USER", "HKEY_DYN_DATA",
    };
    for (size_t i = 0; i < sizeof roots / sizeof *roots; i++)
        if (root_is(p, end, roots[i]))
            return 1;
    return 0;
}

static int check_key_parts(struct parser *ps, const char *p, const char *end)
{
    while (p < end) {
        const char *sep = memchr(p, '\\', (size_t)(end - p));
        const char *part_end = sep ? sep : end;
        if (part_end == p)
            return fail(ps, "empty part in key path");
        if (utf16_units(p, part_end) > MAX_KEY_PART)
            return fail(ps, "key name part longer than 255 characters");
        p = sep ? sep + 1 : end;
    }
    return 0;
}

/* The path below HKEY_LOCAL_MACHINE of the key named in [P, END). */
static int key_path(struct parser *ps, const char *p, const char *end, char **out)
{
    const char *sep = memchr(p, '\\', (size_t)(end - p));
    const char *root_end = sep ? sep : end;
    if (!root_is(p, root_end, "HKEY_LOCAL_MACHINE"))
        return fail(ps, is_other_root(p, root_end)
                        ? "keys outside HKEY_LOCAL_MACHINE are not supported"
                        : "unknown root key (write HKEY_LOCAL_MACHINE in full)");
    const char *rest = sep ? sep + 1 : end;
    while (end > rest && end[-1] == '\\')
        end--;
    if (check_key_parts(ps, rest, end))
        return -1;
    *out = strndup(rest, (size_t)(end - rest));
    return *out ? 0 : no_memory(ps);
}

static const char *last_bracket(const char *p, const char *end)
{
    while (end > p)
        if (*--end == ']')
            return end;
    return NULL;
}

/* A line "[KEY]" or "[-KEY]"; P is just after the '['. */
static int parse_key_line(struct parser *ps, const char *p)
{
    struct reg_op op = { .line = ps->lines.line };
    int del = p < ps->end && *p == '-';
    p += del;
    if (p < ps->end && is_blank(*p))
        return fail(ps, "blank after [ in key line");
    const char *close = last_bracket(p, ps->end);
    if (!close)
        return fail(ps, "missing ] in key line");
    if (!at_data_end(close + 1, ps->end))
        return fail(ps, "unexpected text after ] in key line");
    if (key_path(ps, p, close, &op.key))
        return -1;
    free(ps->key);
    ps->key = NULL;
    if (del && !*op.key) {
        free(op.key);
        return fail(ps, "cannot delete HKEY_LOCAL_MACHINE itself");
    }
    if (!del && !(ps->key = strdup(op.key))) {
        free(op.key);
        return no_memory(ps);
    }
    op.kind = del ? REG_OP_DELETE_KEY : REG_OP_CREATE_KEY;
    return add_op(ps, &op);
}

/* ---- quoted text ---------------------------------------------------------- */

/* The message does not show the escaped character: it is part of a value,
** and values may hold passwords. The hint covers the usual cause, a path
** written with single backslashes. */
static int bad_escape(struct parser *ps, const char *what)
{
    char msg[96];
    snprintf(msg, sizeof msg, "bad escape in %s (only \\\\ and \\\" are allowed)", what);
    return fail(ps, msg);
}

/* Read a quoted text; *PP is just after the opening quote and is left just
** after the closing one.  B receives the text, NUL-terminated. */
static int unquote(struct parser *ps, const char **pp, struct bytes *b, const char *what)
{
    const char *p = *pp, *end = ps->end;
    while (p < end && *p != '"') {
        const char *run = p;
        while (p < end && *p != '"' && *p != '\\')
            p++;
        if (bytes_add(ps, b, run, (size_t)(p - run)))
            return -1;
        if (p == end || *p == '"')
            break;
        if (p + 1 == end)
            p = end;   /* a backslash ending the line escapes nothing */
        else if (p[1] != '\\' && p[1] != '"')
            return bad_escape(ps, what);
        else if (bytes_add(ps, b, p + 1, 1))
            return -1;
        else
            p += 2;
    }
    if (p == end) {
        char msg[64];
        snprintf(msg, sizeof msg, "unterminated %s", what);
        return fail(ps, msg);
    }
    *pp = p + 1;
    return bytes_add(ps, b, "", 1);
}

/* "name": *NAME is left NULL for "", the default value. */
static int parse_value_name(struct parser *ps, const char **pp, char **name)
{
    struct bytes b = { 0 };
    (*pp)++;
    if (unquote(ps, pp, &b, "value name")) {
        free(b.p);
        return -1;
    }
    if (utf16_units((char *)b.p, (char *)b.p + b.len - 1) > MAX_VALUE_NAME) {
        free(b.p);
        return fail(ps, "value name longer than 16383 characters");
    }
    if (b.len == 1)
        free(b.p);
    else
        *name = (char *)b.p;
    return 0;
}

/* ---- value data ----------------------------------------------------------- */

/* B becomes the UTF-16LE form of the LEN bytes of UTF-8 at S, NUL included. */
static int utf16le_data(struct parser *ps, const char *s, size_t len, struct bytes *b)
{
    uint16_t *w;
    size_t units;
    int rc = text_utf8_to_utf16(s, len, &w, &units);
    if (rc == TEXT_NOMEM)
        return no_memory(ps);
    if (rc)
        return fail(ps, "text is not valid UTF-8");
    rc = 0;
    for (size_t i = 0; i <= units && !rc; i++) {
        uint8_t le[2] = { (uint8_t)w[i], (uint8_t)(w[i] >> 8) };
        rc = bytes_add(ps, b, le, 2);
    }
    free(w);
    return rc;
}

static int string_data(struct parser *ps, const char *p, struct bytes *b)
{
    struct bytes text = { 0 };
    int rc = unquote(ps, &p, &text, "string");
    if (!rc && !at_data_end(p, ps->end))
        rc = fail(ps, "unexpected text after value data");
    if (!rc)
        rc = utf16le_data(ps, (char *)text.p, text.len - 1, b);
    free(text.p);
    return rc;
}

static int dword_data(struct parser *ps, const char *p, struct bytes *b)
{
    uint32_t v = 0;
    size_t digits = 0;
    for (p = text_skip_blanks(p, ps->end); p < ps->end && hex_value(*p) >= 0; p++, digits++)
        v = v << 4 | (uint32_t)hex_value(*p);
    if (digits < 1 || digits > 8)
        return fail(ps, "dword: needs 1 to 8 hex digits");
    if (!at_data_end(p, ps->end))
        return fail(ps, "unexpected text after value data");
    uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    return bytes_add(ps, b, le, 4);
}

/* "hex(N):"; *PP is at "hex(" and is left after the colon. */
static int hex_type(struct parser *ps, const char **pp, uint32_t *type)
{
    const char *p = *pp + 4;
    size_t digits = 0;
    for (*type = 0; p < ps->end && hex_value(*p) >= 0; p++, digits++)
        *type = *type << 4 | (uint32_t)hex_value(*p);
    if (digits < 1 || digits > 8 || p == ps->end || *p != ')')
        return fail(ps, "hex(N): N must be 1 to 8 hex digits");
    if (p + 1 == ps->end || p[1] != ':')
        return fail(ps, "missing : after hex(N)");
    *pp = p + 2;
    return 0;
}

static int hex_byte(struct parser *ps, const char **pp, struct bytes *b)
{
    const char *p = *pp;
    unsigned v = 0;
    size_t digits = 0;
    for (; p < ps->end && hex_value(*p) >= 0; p++, digits++)
        v = (v << 4 | (unsigned)hex_value(*p)) & 0xFFF;
    if (!digits)
        return fail(ps, "not a hex digit");
    if (digits > 2)
        return fail(ps, "hex byte needs 1 or 2 digits");
    *pp = p;
    uint8_t byte = (uint8_t)v;
    return bytes_add(ps, b, &byte, 1);
}

/* After a continuation backslash (*PP just after it): the rest of the line
** may only be a comment; blank and ';' lines may follow; then the data goes
** on with hex digits, where *PP is left. */
static int continue_hex(struct parser *ps, const char **pp)
{
    if (!at_data_end(*pp, ps->end))
        return fail(ps, "unexpected text after continuation backslash");
    for (;;) {
        int r = next_line(ps);
        if (r <= 0)
            return r ? -1 : fail(ps, "truncated file: continuation at end of file");
        const char *p = text_skip_blanks(ps->line, ps->end);
        if (p == ps->end || *p == ';')
            continue;
        if (hex_value(*p) < 0)
            return fail(ps, "expected hex data after continuation");
        *pp = p;
        return 0;
    }
}

/* What may follow a byte that has no comma after it. */
static int after_last_byte(struct parser *ps, const char *p)
{
    p = text_skip_blanks(p, ps->end);
    if (p == ps->end || *p == ';')
        return 0;
    if (*p == '\\')
        return fail(ps, "continuation backslash must follow a comma");
    if (hex_value(*p) >= 0)
        return fail(ps, "missing comma between hex bytes");
    return fail(ps, "unexpected text after value data");
}

static int hex_data(struct parser *ps, const char *p, struct bytes *b)
{
    for (;;) {
        p = text_skip_blanks(p, ps->end);
        if (p == ps->end || *p == ';')
            return 0;
        if (*p == '\\') {
            p++;
            if (continue_hex(ps, &p))
                return -1;
            continue;
        }
        if (hex_byte(ps, &p, b))
            return -1;
        if (p == ps->end || *p != ',')
            return after_last_byte(ps, p);
        p++;
    }
}

/* ANSI bytes (Windows-1252) to UTF-16LE, as regedit reads REGEDIT4 files. */
static int ansi_to_utf16le(struct parser *ps, struct bytes *b)
{
    struct bytes w = { 0 };
    for (size_t i = 0; i < b->len; i++) {
        uint16_t c = text_cp1252_char(b->p[i]);
        uint8_t le[2] = { (uint8_t)c, (uint8_t)(c >> 8) };
        if (bytes_add(ps, &w, le, 2)) {
            free(w.p);
            return -1;
        }
    }
    free(b->p);
    *b = w;
    return 0;
}

/* hex(1), hex(2) and hex(7) hold text: regedit ends it with a NUL when it
** has none, and converts REGEDIT4's ANSI bytes.  Version 5.00 bytes are
** UTF-16LE already (an odd count cannot end in a UTF-16 NUL: left as is). */
static int hex_strings(struct parser *ps, uint32_t type, struct bytes *b)
{
    if ((type != KMH_REG_SZ && type != KMH_REG_EXPAND_SZ && type != KMH_REG_MULTI_SZ)
        || !b->len)
        return 0;
    if (ps->v5) {
        int unterminated = b->len % 2 == 0 && (b->p[b->len - 2] || b->p[b->len - 1]);
        return unterminated ? bytes_add(ps, b, "\0", 2) : 0;
    }
    if (b->p[b->len - 1] && bytes_add(ps, b, "", 1))
        return -1;
    return ansi_to_utf16le(ps, b);
}

/* The data after '=' (blanks skipped): fills OP's kind, type and data. */
static int parse_data(struct parser *ps, const char *p, struct reg_op *op)
{
    struct bytes b = { 0 };
    int rc;
    if (p == ps->end)
        return fail(ps, "missing value data");
    op->kind = REG_OP_SET_VALUE;
    if (*p == '-') {
        op->kind = REG_OP_DELETE_VALUE;
        rc = at_data_end(p + 1, ps->end) ? 0 : fail(ps, "unexpected text after value data");
    } else if (*p == '"') {
        op->type = KMH_REG_SZ;
        rc = string_data(ps, p + 1, &b);
    } else if (starts_with(p, ps->end, "dword:")) {
        op->type = KMH_REG_DWORD;
        rc = dword_data(ps, p + 6, &b);
    } else if (starts_with(p, ps->end, "hex:")) {
        op->type = KMH_REG_BINARY;
        rc = hex_data(ps, p + 4, &b);
    } else if (starts_with(p, ps->end, "hex(")) {
        rc = hex_type(ps, &p, &op->type) || hex_data(ps, p, &b) || hex_strings(ps, op->type, &b);
    } else {
        rc = fail(ps, "unknown value type");
    }
    if (rc) {
        free(b.p);
        return -1;
    }
    op->data = b.p;
    op->len = b.len;
    return 0;
}

/* A line "name"=DATA or @=DATA; P is at the '"' or '@'. */
static int parse_value_line(struct parser *ps, const char *p)
{
    struct reg_op op = { .line = ps->lines.line };
    if (!ps->key)
        return fail(ps, "value outside any key");
    if (*p == '@')
        p++;
    else if (parse_value_name(ps, &p, &op.name))
        return -1;
    p = text_skip_blanks(p, ps->end);
    if (p == ps->end || *p != '=') {
        free(op.name);
        return fail(ps, "missing = after value name");
    }
    if (parse_data(ps, text_skip_blanks(p + 1, ps->end), &op)) {
        free(op.name);
        return -1;
    }
    if (!(op.key = strdup(ps->key))) {
        free_op(&op);
        return no_memory(ps);
    }
    return add_op(ps, &op);
}

static int parse_line(struct parser *ps)
{
    const char *p = text_skip_blanks(ps->line, ps->end);
    if (p == ps->end || *p == ';' || *p == '#')
        return 0;
    if (*p == '[')
        return parse_key_line(ps, p + 1);
    if (*p == '@' || *p == '"')
        return parse_value_line(ps, p);
    return fail(ps, "unrecognized line");
}

int reg_parse(const char *utf8, size_t len, int file_was_utf16, struct reg_ops *out,
              struct kmh_error *err)
{
    struct parser ps = { .out = out, .err = err };
    int r, rc;
    memset(out, 0, sizeof *out);
    text_lines_init(&ps.lines, utf8, len);
    rc = check_text(utf8, len, err) || parse_header(&ps, file_was_utf16);
    while (!rc && (r = next_line(&ps)) != 0)
        rc = r < 0 || parse_line(&ps);
    free(ps.key);
    if (rc)
        reg_ops_free(out);
    return rc ? -1 : 0;
}
