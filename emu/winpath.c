/*
** winpath.c: the text rules for where a file may be placed (see winpath.h).
**
** One pass over the components of "X:\a\b\name"; each rule says why in
** the words a scenario author needs to mend the @file line.
*/
#include "winpath.h"

static uint16_t ascii_upper(uint16_t c)
{
    return (c >= 'a' && c <= 'z') ? (uint16_t)(c - ('a' - 'A')) : c;
}

/* Does C[0..N) equal the ASCII WORD, in any case? */
static int equals_word(const uint16_t *c, size_t n, const char *word)
{
    size_t i = 0;
    for (; i < n && word[i]; i++)
        if (ascii_upper(c[i]) != (uint16_t)(unsigned char)word[i])
            return 0;
    return i == n && !word[i];
}

/* Windows forbids these in a file name (controls 1-31 too). */
static int is_forbidden(uint16_t c)
{
    return c < 32 || c == '<' || c == '>' || c == ':' || c == '"' || c == '/' ||
           c == '|' || c == '?' || c == '*';
}

/* Is the component C[0..N) a DOS device name?  The device is the part
** before the first dot, trailing blanks ignored ("NUL.txt", "com1 .x"). */
static int is_device(const uint16_t *c, size_t n)
{
    static const char *const plain[] = { "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                                         "CLOCK$" };
    size_t base = 0;
    while (base < n && c[base] != '.')
        base++;
    while (base > 0 && c[base - 1] == ' ')
        base--;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (equals_word(c, base, plain[i]))
            return 1;
    /* COM0-COM9 and LPT0-LPT9, also with the superscript digits 1-3. */
    if (base == 4 && (equals_word(c, 3, "COM") || equals_word(c, 3, "LPT")))
        return (c[3] >= '0' && c[3] <= '9') || c[3] == 0xB9 || c[3] == 0xB2 || c[3] == 0xB3;
    return 0;
}

/* Names the harness keeps for itself on C: (emu/kmserver.c's cache). */
static int is_harness_folder(const uint16_t *c, size_t n)
{
    static const char stem[] = "KMHARNESS";
    return n >= sizeof stem - 1 && equals_word(c, sizeof stem - 1, stem);
}

static const char *component_refusal(const uint16_t *c, size_t n, int first)
{
    if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
        return "the path has an empty, '.' or '..' part";
    for (size_t i = 0; i < n; i++)
        if (is_forbidden(c[i]))
            return "the path holds a character Windows forbids in file names";
    if (is_device(c, n))
        return "the path names a DOS device (CON, NUL, COM1, LPT1, ...)";
    if (first && is_harness_folder(c, n))
        return "the path is inside the harness's own folders (C:\\kmharness*)";
    return 0;
}

const char *winpath_refusal(const uint16_t *path, size_t n)
{
    uint16_t d = ascii_upper(n ? path[0] : 0);
    if (n < 4 || d < 'A' || d > 'Z' || path[1] != ':' || path[2] != '\\')
        return "the path is not a full path with a drive letter (X:\\folder\\file)";
    size_t start = 3;
    for (size_t i = 3; i <= n; i++) {
        if (i < n && path[i] != '\\')
            continue;
        const char *why = component_refusal(path + start, i - start, start == 3);
        if (why)
            return why;
        start = i + 1;
    }
    return 0;
}
