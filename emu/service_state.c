/*
** service_state.c - the service states of service_state.h, as text.
**
** Parsing is strict (exact lower-case words, no blanks, no sign, no
** leading "+" or hex) because a scenario's expectation is compared with
** what the lifecycle recorded: a loose reading could make a typo pass.
*/
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "service_state.h"
#include "winerror_text.h"

/* A DWORD in decimal: 1 to 10 digits, at most 4294967295. */
static int parse_dword(const char *p, long *out)
{
    unsigned long long x = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        if (++digits > 10)
            return -1;
        else
            x = x * 10 + (unsigned)(*p - '0');
    if (!digits || *p || x > 0xFFFFFFFFull)
        return -1;
    *out = (long)x;
    return 0;
}

/* TEXT starts with PREFIX: where the rest begins, else NULL. */
static const char *after(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(text, prefix, n) ? NULL : text + n;
}

int service_state_parse(const char *text, struct service_state *out)
{
    struct service_state s = { 0 };
    const char *rest;
    if (!strcmp(text, "running"))
        s.kind = SERVICE_STATE_RUNNING;
    else if (!strcmp(text, "decoy"))
        s.kind = SERVICE_STATE_DECOY;
    else if ((rest = after(text, "stopped:"))) {
        s.kind = SERVICE_STATE_STOPPED;
        if (parse_dword(rest, &s.code))
            return -1;
    } else if ((rest = after(text, "not-started:"))) {
        s.kind = SERVICE_STATE_NOT_STARTED;
        /* A symbolic name, like the probe's OUTCOME accepts; only names
        ** of real codes (winerr_from_name also knows the harness's own
        ** negative ones, which are no Win32 error). */
        if (parse_dword(rest, &s.code) &&
            (strncasecmp(rest, "ERROR_", 6) || !winerr_from_name(rest, &s.code) || s.code < 0))
            return -1;
    } else
        return -1;
    *out = s;
    return 0;
}

int service_state_format(const struct service_state *state, char *buf, size_t n)
{
    int w;
    switch (state->kind) {
    case SERVICE_STATE_RUNNING:
        w = snprintf(buf, n, "running");
        break;
    case SERVICE_STATE_DECOY:
        w = snprintf(buf, n, "decoy");
        break;
    case SERVICE_STATE_STOPPED:
        w = snprintf(buf, n, "stopped:%ld", state->code);
        break;
    case SERVICE_STATE_NOT_STARTED:
        w = snprintf(buf, n, "not-started:%ld", state->code);
        break;
    default:
        if (n)
            buf[0] = 0;
        return -1;
    }
    return w >= 0 && (size_t)w < n ? 0 : -1;
}

int service_state_equal(const struct service_state *a, const struct service_state *b)
{
    if (a->kind != b->kind)
        return 0;
    return a->kind == SERVICE_STATE_RUNNING || a->kind == SERVICE_STATE_DECOY || a->code == b->code;
}
