/*
** fuzz_split.c - libFuzzer target for the ImagePath splitter
** (emu/split.c split_image_path).
**
** Input: byte 0 chooses the simulated file system (bit 7 clear: no EXISTS
** callback; otherwise a candidate "exists" when its length in units is
** congruent to the low 3 bits modulo 8, a rule that depends only on the
** candidate); the rest is the string as UTF-16LE, cut at its first NUL as
** the probe would see it, in an exact-size heap buffer.
**
** Invariants from split.h: every span lies inside the string; the path is
** a prefix of its area ending in ".exe" (followed, after any dots, by a
** blank or the area's end); AMBIGUOUS only with an EXISTS callback; the
** shown path covers the path; the tail starts after the shown
** path and ends at the last non-blank; and cutting the value to its path
** (what the fix writes) splits to the same path again with no tail.
** Built by `make fuzz` / `make check-fuzz`.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "split.h"

static int exists_by_length(void *ctx, const uint16_t *path, size_t n)
{
    return (n & 7) == *(const unsigned *)ctx;
}

static void check_span(size_t start, size_t len, size_t n)
{
    if (start > n || len > n - start)
        abort();
}

static int lower(uint16_t c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static void check_path(const uint16_t *s, size_t n, const struct split_result *r)
{
    check_span(r->path_start, r->path_len, n);
    check_span(r->shown_start, r->shown_len, n);
    check_span(r->inner_start, r->inner_len, n);
    check_span(r->args_start, r->args_len, n);
    check_span(r->tail_start, r->tail_len, n);
    const uint16_t *end = s + r->path_start + r->path_len;
    if (r->path_len < 4 || end[-4] != '.' || lower(end[-3]) != 'e' || lower(end[-2]) != 'x' ||
        lower(end[-1]) != 'e')
        abort();
    if (r->shown_start > r->path_start ||
        r->shown_start + r->shown_len < r->path_start + r->path_len)
        abort();
    if (r->tail_start < r->shown_start + r->shown_len)
        abort();
    size_t last = n;
    while (last > 0 && (s[last - 1] == ' ' || s[last - 1] == '\t'))
        last--;
    if (r->tail_len && r->tail_start + r->tail_len != last)
        abort();
    if (r->quoted != (s[r->shown_start] == '"'))
        abort();
}

static void check_idempotent(const uint16_t *s, const struct split_result *r,
                             split_exists_fn fn, unsigned *mod)
{
    uint16_t *path = malloc(r->path_len * sizeof *path);
    struct split_result again;
    if (!path)
        return;
    memcpy(path, s + r->path_start, r->path_len * sizeof *path);
    if (split_image_path(path, r->path_len, fn, mod, &again) || again.path_start ||
        again.path_len != r->path_len || again.tail_len || again.quoted)
        abort();
    free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mod = data[0] & 7;
    split_exists_fn fn = (data[0] & 0x80) ? exists_by_length : NULL;
    size_t n = (size - 1) / 2;
    uint16_t *s = malloc(n ? n * sizeof *s : 1);
    if (!s)
        return 0;
    size_t len = 0;
    while (len < n && (s[len] = (uint16_t)(data[1 + 2 * len] | data[2 + 2 * len] << 8)))
        len++;
    uint16_t *exact = realloc(s, len ? len * sizeof *s : 1);
    if (exact)
        s = exact;
    struct split_result r;
    if (split_image_path(s, len, fn, &mod, &r) == 0) {
        check_path(s, len, &r);
        if (r.ambiguous && !fn)
            abort();
        check_idempotent(s, &r, fn, &mod);
    } else {
        static const struct split_result zero;
        if (memcmp(&r, &zero, sizeof r))
            abort();
        enum split_none why = split_why_none(s, len);
        if (why != SPLIT_NO_EXE && why != SPLIT_NO_EXTENSION && why != SPLIT_EXE_DIR)
            abort();
    }
    free(s);
    return 0;
}
