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
** Guarantee, whatever the input: no non-empty secret occurs (as bytes) in
** the returned text.  The normal output replaces the secret text with a
** marker; when a marker would itself spell a secret, or text around a
** removed secret joins into another one, a blunter replacement is used,
** down to an empty result.
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
**  - the path as written (with its quotes, and any blanks around it) kept;
**  - the text after the path (SPLIT's tail) replaced by one marker giving
**    its length in characters: "C:\Exchsrvr\Bin\Kmserver.exe <redacted: 11
**    chars>";
**  - without a usable SPLIT (NULL, or one that does not describe S),
**    everything after the first blank is redacted the same way;
**  - HAS_HIDDEN_TAIL adds " <redacted: N chars after NUL>" with N =
**    HIDDEN_UNITS (the value's data hidden after an embedded NUL);
**  - finally every occurrence of each of the NSECRETS UTF-8 SECRETS (NULL
**    or empty entries are skipped) is replaced by "<redacted: N chars>".
** Characters are Unicode code points; unpaired surrogates come out as
** U+FFFD.  Returns NULL only when memory runs out.  The caller frees. */
char *redact_image_path(const uint16_t *s, size_t n, int has_hidden_tail,
                        size_t hidden_units, const struct split_result *split,
                        char *const *secrets, size_t nsecrets);

/* Mask every occurrence of each secret in the NUL-terminated UTF8 in
** place (the text never grows): each run of covered bytes becomes "***"
** (fewer stars for runs shorter than 3 bytes). */
void redact_text_inplace(char *utf8, char *const *secrets, size_t nsecrets);

#endif /* KMH_REDACT_H */
