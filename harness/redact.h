/*
** redact.h: keep passwords out of everything the harness writes.
**
** Q235418 is about a KM server password sitting in ImagePath, so every
** ImagePath the harness shows (reports, the database, stdout, JUnit/TAP)
** goes through redact_image_path(), and every other message that might
** carry a secret through redact_text_inplace().  The secrets are the
** scenario's @secret values plus whatever the fix removed from ImagePath
** (struct fix_result in emu/fix.h).
**
** Guarantee, whatever the input: of an ImagePath only the executable path
** is shown, and no non-empty secret occurs (as bytes) anywhere else in the
** returned text; free text holds no secret at all.
**
** Pure: no Win32 headers; builds natively for unit tests and fuzzing.
*/
#ifndef KMH_REDACT_H
#define KMH_REDACT_H

#include <stddef.h>
#include <stdint.h>
#include "split.h"

/* An ImagePath string S[0..N) (UTF-16, the part the probe sees: units from
** the first NUL on are ignored) as malloc'ed UTF-8 for people:
**  - shown in clear: only the executable path SPLIT found (without its
**    quotes), when SPLIT describes S and the path is plausible (a full,
**    rooted, UNC or %VARIABLE% path, or a relative one without blanks; no
**    second ':', no control or wildcard characters), with the quotes and
**    blanks around it as written;
**  - the text after the path (SPLIT's tail) becomes one marker giving its
**    length in characters: "C:\Exchsrvr\Bin\Kmserver.exe <redacted: 11
**    chars>";
**  - without such a path (no SPLIT, one that does not describe S, or an
**    implausible path such as "pw C:\x.exe" or "C:\x.exepw"), the whole
**    value between its outer blanks is one marker;
**  - HAS_HIDDEN_TAIL adds " <redacted: N chars after NUL>" with N =
**    HIDDEN_UNITS (the value's data hidden after an embedded NUL);
**  - the NSECRETS UTF-8 SECRETS (NULL or empty entries skipped) may occur
**    only inside the shown path (a password equal to a path word); where a
**    marker or blank would spell one, blunter markers are used, down to
**    the path alone.
** PATH_SPAN, unless NULL, gets the byte offset and length of the path in
** the result ({offset, 0} when none is shown).  Characters are Unicode
** code points; unpaired surrogates come out as U+FFFD.  Returns NULL only
** when memory runs out.  The caller frees. */
char *redact_image_path(const uint16_t *s, size_t n, int has_hidden_tail,
                        size_t hidden_units, const struct split_result *split,
                        char *const *secrets, size_t nsecrets, size_t path_span[2]);

/* Does any of the NSECRETS SECRETS occur in TEXT other than wholly inside
** the bytes PATH_SPAN names?  The guarantee of redact_image_path(), for
** the tests and fuzzers that check it. */
int redact_leaks(const char *text, const size_t path_span[2], char *const *secrets,
                 size_t nsecrets);

/* Mask every occurrence of each secret in the NUL-terminated UTF8 in
** place (the text never grows): each run of covered bytes becomes "***"
** (fewer stars for runs shorter than 3 bytes). */
void redact_text_inplace(char *utf8, char *const *secrets, size_t nsecrets);

#endif /* KMH_REDACT_H */
