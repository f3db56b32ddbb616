/*
** fuzz_regparse.c - libFuzzer target for the .reg grammar and the file
** decoder (common/text.c text_decode_file, reg/regparse.c reg_parse).
**
** The input is a whole scenario file as it would come from disk.  It goes
** through text_decode_file() and, when that accepts it, reg_parse(); the
** raw bytes also go to reg_parse() directly (it must refuse NULs and bad
** UTF-8 on its own, its header says it may be fed raw text).  Beyond "no
** crash, no sanitizer report", the results must keep the promises of the
** headers: an error names a line of the file and carries a message; a
** parsed file gives operations on lines of the file, with keys, and value
** data of at most 1 MiB.  Built by `make fuzz` / `make check-fuzz`.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "regparse.h"
#include "text.h"

#define MAX_DATA (1u << 20)

/* Lines in TEXT the way text_next_line() counts them. */
static int count_lines(const char *text, size_t len)
{
    struct text_lines it;
    const char *line;
    size_t n;
    text_lines_init(&it, text, len);
    while (text_next_line(&it, &line, &n))
        ;
    return it.line;
}

static void check_error(const struct kmh_error *err, int lines)
{
    /* a NUL or bad byte may sit on the line after a final line break */
    if (err->line < 0 || err->line > lines + 1 || !err->msg[0] ||
        !memchr(err->msg, 0, sizeof err->msg))
        abort();
}

static void check_ops(const struct reg_ops *ops, int lines)
{
    for (size_t i = 0; i < ops->n; i++) {
        const struct reg_op *op = &ops->ops[i];
        if (op->line < 2 || op->line > lines || !op->key)
            abort();
        if (op->kind == REG_OP_SET_VALUE && (op->len > MAX_DATA || (op->len && !op->data)))
            abort();
        if (op->kind == REG_OP_SET_VALUE && op->len)
            (void)op->data[op->len - 1];   /* ASan: the data really has LEN bytes */
    }
}

static void parse(const char *text, size_t len, int was_utf16)
{
    struct reg_ops ops;
    struct kmh_error err = { 0 };
    int lines = count_lines(text, len);
    if (reg_parse(text, len, was_utf16, &ops, &err)) {
        check_error(&err, lines);
        if (ops.n || ops.ops)
            abort();   /* a refused file leaves *OUT empty */
        return;
    }
    check_ops(&ops, lines);
    reg_ops_free(&ops);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    size_t len;
    int was_utf16;
    struct kmh_error err = { 0 };
    if (text_decode_file(data, size, &text, &len, &was_utf16, &err) == 0) {
        if (text[len] != 0 || memchr(text, 0, len))
            abort();   /* NUL-terminated UTF-8 without NUL characters */
        parse(text, len, was_utf16);
        free(text);
    } else if (!err.msg[0] || err.line < 0) {
        abort();
    }
    /* Raw bytes in an exact-size copy, so ASan sees any read past the end. */
    char *raw = malloc(size ? size : 1);
    if (!raw)
        return 0;
    memcpy(raw, data, size);
    parse(raw, size, 0);
    free(raw);
    return 0;
}
