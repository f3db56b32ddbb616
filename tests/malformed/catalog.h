/*
** catalog.h - helpers for the malformed-input catalog in tests/malformed/.
**
** tests/malformed/ holds malformed scenario files and, in expected.txt, the
** exact error each one must give.  The two tests that use the catalog
** (tests/unit/test_malformed.c, tests/integration/test_malformed.c) include
** this header to read expected.txt (catalog_load) and to write the entries
** that are too big to commit (malformed_generate).
**
** Two entries test the size limits of the .reg parser (reg/regparse.c):
** a line over 64 KiB and a value over 1 MiB (about 3 MiB of hex text).
** Rather than commit megabytes, the tests write both files into their own
** scratch folder; they are listed in expected.txt like the others, and
** plant the catalog's password like the committed files.  Both sit exactly
** one byte past the limit (tests/unit/test_regparse.c checks that a line of
** 65536 bytes and 1 MiB of data are still accepted).
*/
#ifndef KMH_MALFORMED_CATALOG_H
#define KMH_MALFORMED_CATALOG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line of expected.txt: "NAME.reg:LINE: message". */
struct catalog_entry {
    char name[128];     /* NAME.reg */
    char expect[512];   /* the whole line */
};

/* Add the expected.txt line LINE to *OUT; -1 when it is not of the form
** NAME.reg:LINE: message (or memory runs out). */
static int catalog_add(const char *line, struct catalog_entry **out, size_t *n)
{
    const char *colon = strstr(line, ".reg:");
    size_t name_len = colon ? (size_t)(colon - line) + 4 : 0, len = strlen(line);
    if (!name_len || name_len >= sizeof (*out)->name || len >= sizeof (*out)->expect)
        return -1;
    struct catalog_entry *more = realloc(*out, (*n + 1) * sizeof **out);
    if (!more)
        return -1;
    *out = more;
    memcpy(more[*n].name, line, name_len);
    more[*n].name[name_len] = 0;
    memcpy(more[*n].expect, line, len + 1);
    (*n)++;
    return 0;
}

/* Read expected.txt at PATH into a malloc'd array of *N entries; comment
** ('#') and empty lines are skipped.  Returns 0, or -1 when the file cannot
** be read or a line is malformed. */
static int catalog_load(const char *path, struct catalog_entry **out, size_t *n)
{
    char line[1024];
    int rc = 0;
    FILE *f = fopen(path, "r");
    *out = NULL;
    *n = 0;
    if (!f)
        return -1;
    while (!rc && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] && line[0] != '#')
            rc = catalog_add(line, out, n);
    }
    fclose(f);
    return rc;
}

/* ---- the generated entries ------------------------------------------- */

#define MALFORMED_HEAD "REGEDIT4\r\n; @secret: Tr0ub4dor&3\r\n" \
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS]\r\n"
#define MALFORMED_PATH "C:\\\\Exchsrvr\\\\Bin\\\\Kmserver.exe Tr0ub4dor&3 "

/* The file names, as expected.txt lists them. */
static const char *const malformed_generated[] = { "line-too-long.reg", "value-too-big.reg" };

static FILE *malformed_open(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f)
        fputs(MALFORMED_HEAD, f);
    return f;
}

/* Line 4: an ImagePath string whose line is 65537 bytes long. */
static int malformed_write_long_line(const char *dir)
{
    FILE *f = malformed_open(dir, "line-too-long.reg");
    if (!f)
        return -1;
    size_t len = fprintf(f, "\"ImagePath\"=\"%s", MALFORMED_PATH);
    while (len < 65536) {
        fputc('A', f);
        len++;
    }
    fputs("\"\r\n", f);   /* the closing quote is byte 65537 */
    return fclose(f);
}

/* Line 4 opens a hex: value continued over 64 lines of 16384 bytes each
** (exactly 1 MiB, lines 5 to 68); the single byte on line 69 is one too
** many. */
static int malformed_write_big_value(const char *dir)
{
    FILE *f = malformed_open(dir, "value-too-big.reg");
    if (!f)
        return -1;
    fputs("\"Blob\"=hex:\\\r\n", f);
    for (int line = 0; line < 64; line++) {
        for (int i = 0; i < 16384; i++)
            fputs("00,", f);
        fputs("\\\r\n", f);
    }
    fputs("00\r\n", f);
    return fclose(f);
}

/* Is NAME one of the generated entries? */
static int catalog_is_generated(const char *name)
{
    for (size_t i = 0; i < sizeof malformed_generated / sizeof *malformed_generated; i++)
        if (!strcmp(name, malformed_generated[i]))
            return 1;
    return 0;
}

/* Write every generated entry into DIR; 0 on success. */
static int malformed_generate(const char *dir)
{
    return malformed_write_long_line(dir) || malformed_write_big_value(dir) ? -1 : 0;
}

#endif /* KMH_MALFORMED_CATALOG_H */
