/*
** text.h - text encodings and input errors, shared by the whole project.
**
** A scenario file arrives as bytes in whatever encoding Registry Editor
** accepts (UTF-16LE with a BOM, UTF-8, or ANSI for old REGEDIT4 files).
** text_decode_file() turns it into UTF-8, the one text form the parsers
** (regparse.c, scenario.c), the database and the reports work with.  The
** Win32 side needs UTF-16, hence the two converters.  Pure: no Win32
** headers; UTF-16 code units are uint16_t.
**
** Every parser reports a bad input as a struct kmh_error: the 1-based line
** of the file (0 = the file as a whole) and a short lower-case message that
** never quotes a value's content (a password may be in it).  The caller
** formats it as FILE:LINE: MESSAGE.
*/
#ifndef KMH_TEXT_H
#define KMH_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct kmh_error {
    int line;          /* 1-based line of the file; 0 = the whole file */
    char msg[200];
};

/* Fill ERR with LINE and the printf-style message. */
void kmh_error_set(struct kmh_error *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Decode a whole scenario file into NUL-terminated UTF-8 (*UTF8, *UTF8_LEN
** without the NUL; free() it).  UTF-16LE with BOM FF FE is converted; a UTF-8
** BOM is skipped; valid UTF-8 is kept; anything else is read as Windows-1252.
** *WAS_UTF16 tells whether the file was UTF-16.  Line breaks are kept, so
** line numbers of the text are those of the file.  Returns 0, or -1 with ERR
** set (odd UTF-16 length, unpaired surrogate, NUL character, ...). */
int text_decode_file(const uint8_t *bytes, size_t len, char **utf8, size_t *utf8_len,
                     int *was_utf16, struct kmh_error *err);

/* Read the whole file at the host path PATH into *OUT (malloc'ed, never
** NULL on success; *LEN bytes).  A file of more than MAX bytes is refused,
** read no further than that: "file larger than N MiB" (or "N bytes" when
** MAX is not a whole, non-zero number of MiB).  Returns 0, or -1 with ERR set, line
** 0 ("cannot open file: ...", "cannot read file: ...", "out of memory"). */
int text_read_file(const char *path, size_t max, uint8_t **out, size_t *len,
                   struct kmh_error *err);

/* Results of the converters below. */
enum { TEXT_OK = 0, TEXT_INVALID = -1, TEXT_NOMEM = -2 };

/* Convert LEN bytes of UTF-8 into a malloc'd UTF-16 string of *UNITS code
** units plus a terminating 0 unit.  TEXT_INVALID for malformed UTF-8
** (overlong forms, surrogates, beyond U+10FFFF, truncated sequences). */
int text_utf8_to_utf16(const char *s, size_t len, uint16_t **out, size_t *units);

/* Convert UNITS code units of UTF-16 into malloc'd NUL-terminated UTF-8 of
** *LEN bytes.  TEXT_INVALID for an unpaired surrogate. */
int text_utf16_to_utf8(const uint16_t *s, size_t units, char **out, size_t *len);

/* The same, but an unpaired surrogate becomes U+FFFD instead of an error:
** for text that must be shown whatever it holds. Returns TEXT_OK or
** TEXT_NOMEM. */
int text_utf16_to_utf8_lossy(const uint16_t *s, size_t units, char **out, size_t *len);

/* Return 1 when LEN bytes at S are valid UTF-8; otherwise 0 with *BAD_AT
** set to the offset of the first bad byte. */
int text_utf8_valid(const char *s, size_t len, size_t *bad_at);

/* The Unicode character Windows-1252 byte B stands for (as Windows'
** MultiByteToWideChar maps it: the five unassigned bytes map to U+0081,
** U+008D, U+008F, U+0090 and U+009D). */
uint16_t text_cp1252_char(uint8_t b);

/* The 1-based line number of offset AT in S: line breaks are LF, CRLF and a
** bare CR (Registry Editor accepts all three). */
int text_line_at(const char *s, size_t at);

/* P moved past spaces and tabs, never beyond END. */
const char *text_skip_blanks(const char *p, const char *end);

/* Iterating over the lines of a text; see text_next_line(). */
struct text_lines {
    const char *p, *end;
    int line;          /* number of the line last returned */
};

void text_lines_init(struct text_lines *it, const char *s, size_t len);

/* Return 1 and the next line (*START, *LEN, without its line break; not
** NUL-terminated), or 0 after the last line.  A text ending in a line break
** has no empty line after it. */
int text_next_line(struct text_lines *it, const char **start, size_t *len);

#endif /* KMH_TEXT_H */
