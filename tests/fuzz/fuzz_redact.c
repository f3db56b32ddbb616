/*
** fuzz_redact.c - libFuzzer target for redaction (harness/redact.c):
** redact_image_path() and redact_text_inplace().
**
** The invariant of redact.h, checked on every input, is what keeps
** passwords out of reports and the database: no non-empty secret occurs
** as bytes in the output outside the executable path shown in clear,
** whatever the string, the split or the secrets.
** The output must also be valid UTF-8 (it goes into the database and to
** terminals) and redact_text_inplace() must never grow its text.
**
** Input layout: byte 0 = flags (bits 0-1 number of secrets, bit 2 hidden
** tail, bit 3 pass a split built from the input bytes instead of
** split_image_path()'s, bit 4 pass no split); then for each secret a
** length byte and that many bytes (any bytes, NUL ends it early); with bit
** 3, sizeof(struct split_result) bytes of split; the rest is the ImagePath
** as UTF-16LE (NULs included), in an exact-size heap buffer.
** Built by `make fuzz` / `make check-fuzz`.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "redact.h"
#include "split.h"
#include "text.h"

struct input {
    const uint8_t *p;
    size_t left;
};

/* Take N bytes, or NULL when the input is shorter. */
static const uint8_t *take(struct input *in, size_t n)
{
    if (in->left < n)
        return NULL;
    const uint8_t *p = in->p;
    in->p += n;
    in->left -= n;
    return p;
}

static char *take_secret(struct input *in)
{
    const uint8_t *len = take(in, 1);
    const uint8_t *bytes = len ? take(in, *len) : NULL;
    return bytes ? strndup((const char *)bytes, *len) : NULL;
}

static void assert_clean(const char *text, char *const *secrets, size_t nsecrets)
{
    for (size_t k = 0; k < nsecrets; k++)
        if (secrets[k] && secrets[k][0] && strstr(text, secrets[k]))
            abort();
}

static void check_inplace(const char *shaped, char *const *secrets, size_t nsecrets)
{
    size_t before = strlen(shaped);
    char *text = strdup(shaped);
    if (!text)
        return;
    redact_text_inplace(text, secrets, nsecrets);
    if (strlen(text) > before)
        abort();
    assert_clean(text, secrets, nsecrets);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    const uint8_t *flags = take(&in, 1);
    if (!flags)
        return 0;
    char *secrets[3] = { 0 };
    size_t nsecrets = *flags & 3;
    for (size_t k = 0; k < nsecrets; k++)
        secrets[k] = take_secret(&in);

    struct split_result split, *sp = NULL;
    const uint8_t *raw = (*flags & 8) ? take(&in, sizeof split) : NULL;
    if (raw) {
        memcpy(&split, raw, sizeof split);
        sp = &split;
    }

    size_t n = in.left / 2, seen = 0;
    uint16_t *s = malloc(n ? n * sizeof *s : 1);
    if (!s)
        goto out;
    for (size_t i = 0; i < n; i++)
        s[i] = (uint16_t)(in.p[2 * i] | in.p[2 * i + 1] << 8);
    while (seen < n && s[seen])
        seen++;
    if (!raw && !(*flags & 16) && split_image_path(s, seen, NULL, NULL, &split) == 0)
        sp = &split;

    size_t span[2];
    char *out = redact_image_path(s, n, (*flags & 4) != 0, n - seen, sp, secrets, nsecrets, span);
    size_t bad;
    if (!out || !text_utf8_valid(out, strlen(out), &bad) || span[0] + span[1] > strlen(out))
        abort();
    if (redact_leaks(out, span, secrets, nsecrets))
        abort();
    free(out);

    /* The same text unredacted, as a log line might carry it. */
    char *plain;
    size_t plain_len;
    if (text_utf16_to_utf8(s, seen, &plain, &plain_len) == TEXT_OK) {
        check_inplace(plain, secrets, nsecrets);
        free(plain);
    }
    free(s);
out:
    for (size_t k = 0; k < nsecrets; k++)
        free(secrets[k]);
    return 0;
}
