/*
** kms_link.h - the harness's end of the pipe of emu/kms_protocol.h: it
** hears the emulated Kmserver.exe (or the decoy) that the service manager
** started, and tells the server whether the password it found is the
** scenario's @password.  Win32 (winelib) code.
**
** Use around a service start:
**     struct kms_link *link;
**     kms_link_open(&link);                 before StartServiceW
**     StartServiceW(...);                   returns before the server asks
**     kms_link_answer(link, password, token, 500, &heard);
**     ...                                   (answer again for the next start)
**     kms_link_close(link);
** A start that runs no program of ours (StartServiceW failed) needs no
** answer.  Nothing here stores, prints or returns a candidate password.
*/
#ifndef KMH_KMS_LINK_H
#define KMH_KMS_LINK_H

#include <stddef.h>
#include <stdint.h>
#include "kms_protocol.h"

struct kms_link;

/* What one hello said, without the candidate itself. */
struct kms_heard {
    uint32_t who;       /* enum kms_who */
    uint32_t source;    /* enum kms_source: where the server found a candidate */
    int accepted;       /* 1: told to run; 0: told to stop with KMS_EXIT_NO_PASSWORD */
};

/* Create the pipe (one instance, this process's only).  0, or the Win32
** error: 231 ERROR_PIPE_BUSY / 5 ERROR_ACCESS_DENIED when another link (of
** this process or another harness on the prefix) holds the name. */
long kms_link_open(struct kms_link **out);

/* Wait up to TIMEOUT_MS for one program to connect and say hello, answer
** it, wait (bounded) until it has read the answer, and make the pipe ready
** for the next start.  The answer: accepted when EXPECTED (UTF-8, the
** scenario's @password) is NULL (the server needs none); else when the
** candidate equals EXPECTED unit for unit, or, for a candidate from the
** floppy, equals TOKEN (the token the harness wrote to A:\Kmspwd.ini; a
** floppy never holds the password itself).  A candidate longer than
** KMS_MAX_PASSWORD is refused.  A decoy is answered "not accepted".
** Returns 0 with *OUT filled; 258 WAIT_TIMEOUT when nobody spoke in time
** (a program that is not ours, or none started); 13 ERROR_INVALID_DATA
** for a message that is not a hello; 232 ERROR_NO_DATA for a program that
** connected and closed before the harness listened (ours wait for the
** answer, so never); 6 ERROR_INVALID_HANDLE for a NULL LINK; else the
** failing call's error.  On any error *OUT is
** zeroed and the pipe is ready for the next start. */
long kms_link_answer(struct kms_link *link, const char *expected, const char *token,
                     uint32_t timeout_ms, struct kms_heard *out);

/* Close the pipe and free LINK (NULL is fine). */
void kms_link_close(struct kms_link *link);

/* Room for a token: the prefix, 32 hex digits, the NUL. */
#define KMS_TOKEN_SIZE (sizeof KMS_TOKEN_PREFIX + 32)

/* A fresh random token for A:\Kmspwd.ini: KMS_TOKEN_PREFIX followed by 32
** hex digits, into OUT (KMS_TOKEN_SIZE bytes).  0 or the Win32 error. */
long kms_make_token(char out[KMS_TOKEN_SIZE]);

#endif /* KMH_KMS_LINK_H */
