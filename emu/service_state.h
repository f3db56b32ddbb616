/*
** service_state.h - what became of the KM service when the harness asked
** Wine's service control manager to start it (issue 10), in the words of
** the scenario format's @expect-service-* directives and of the database's
** service_before / service_after / service_restored columns.
**
** The words are the contract's (/work/shared/spec/scenario-format.md,
** "Additions"): "running", "stopped:N" (the service stopped with
** service-specific exit code N), "not-started:CODE" (StartService failed
** with Win32 error CODE), "decoy" (another executable started instead).
** One text form is used everywhere (directive, database, reports), so a
** state read back from a database compares with an expectation as text.
**
** Pure: no Win32 headers; builds natively for the unit tests.
*/
#ifndef KMH_SERVICE_STATE_H
#define KMH_SERVICE_STATE_H

#include <stddef.h>

enum service_state_kind {
    SERVICE_STATE_RUNNING = 1,   /* reached SERVICE_RUNNING: code is 0 */
    SERVICE_STATE_STOPPED,       /* stopped by itself: code is its service-specific
                                 ** exit code (dwServiceSpecificExitCode) */
    SERVICE_STATE_NOT_STARTED,   /* StartService (or OpenService) failed: code is
                                 ** the Win32 error (1060: no such service) */
    SERVICE_STATE_DECOY,         /* a decoy executable ran instead: code is 0 */
};

struct service_state {
    enum service_state_kind kind;   /* 0: no state (nothing recorded) */
    long code;                      /* see the kinds; 0..4294967295 */
};

/* Longest text service_state_format writes, with its NUL:
** "not-started:4294967295". */
#define SERVICE_STATE_TEXT_MAX 24

/* Read TEXT, a whole NUL-terminated word (no blanks around it): "running",
** "stopped:N" with N a decimal number, "not-started:CODE" with CODE a
** decimal number or a Win32 symbolic name ("ERROR_SERVICE_DOES_NOT_EXIST",
** any case, emu/winerror_text.h), or "decoy".  Numbers are 0..4294967295
** (a DWORD) in at most 10 digits.  The words themselves are lower case,
** as the contract writes them.  Returns 0 and sets *OUT, or -1 (*OUT
** untouched). */
int service_state_parse(const char *text, struct service_state *out);

/* Write STATE's text into BUF (N bytes, SERVICE_STATE_TEXT_MAX is always
** enough): exactly the words service_state_parse reads, numbers in
** decimal.  A state of kind 0 (or an unknown kind) is written as "" and
** returns -1; otherwise returns 0.  Truncated (and NUL-terminated) when N
** is too small, returning -1. */
int service_state_format(const struct service_state *state, char *buf, size_t n);

/* Are A and B the same state (kind, and code where the kind has one)? */
int service_state_equal(const struct service_state *a, const struct service_state *b);

#endif /* KMH_SERVICE_STATE_H */
