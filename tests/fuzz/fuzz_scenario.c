/*
** fuzz_scenario.c - libFuzzer target for scenario files as a whole
** (reg/scenario.c scenario_parse: the decoder, the .reg grammar and
** the "; @name: value" directives together).
**
** The input is the bytes of one NAME.reg file.  Beyond "no crash, no
** sanitizer report", a parsed scenario must be complete and valid the way
** scenario.h promises the runner (every @file an absolute drive path on a
** line of the file, the name set, the @password among the secrets, every
** expected service state one that reads back as itself), and a refused one must leave the
** scenario empty and give a message.  Built by `make fuzz` / `make check-fuzz`.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "scenario.h"

static int is_drive_path(const char *p)
{
    int letter = (p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z');
    return letter && p[1] == ':' && p[2] == '\\';
}

static void check_scenario(const struct scenario *s)
{
    if (!s->name || strcmp(s->name, "fuzz"))
        abort();
    for (size_t i = 0; i < s->nfiles; i++)
        if (!s->files[i].winpath || !is_drive_path(s->files[i].winpath) || s->files[i].line < 1)
            abort();
    for (size_t i = 0; i < s->nsecrets; i++)
        if (!s->secrets[i] || !s->secrets[i][0])
            abort();
    for (size_t i = 0; i < s->nops; i++)
        if (!s->ops[i].key)
            abort();
    /* issue 10: the password is one of the secrets; every expected service
    ** state writes back as text; "decoy" only beside a decoy file. */
    if (s->password) {
        size_t i = 0;
        while (i < s->nsecrets && strcmp(s->secrets[i], s->password))
            i++;
        if (i == s->nsecrets || !s->password[0])
            abort();
    }
    int has_decoy = 0;
    for (size_t i = 0; i < s->nfiles; i++)
        has_decoy |= s->files[i].kind == KMFILE_DECOY;
    const struct service_expectation *e[] = { &s->service_before, &s->service_after,
                                              &s->service_restored };
    for (size_t i = 0; i < 3; i++) {
        char text[SERVICE_STATE_TEXT_MAX];
        struct service_state back;
        if (!e[i]->set)
            continue;
        if (service_state_format(&e[i]->state, text, sizeof text) ||
            service_state_parse(text, &back) || !service_state_equal(&back, &e[i]->state) ||
            (e[i]->state.kind == SERVICE_STATE_DECOY && !has_decoy) || e[i]->line < 1)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario s;
    struct kmh_error err = { 0 };
    /* An exact-size copy, so ASan sees any read past the end. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (scenario_parse("fuzz", copy, size, &s, &err) == 0) {
        check_scenario(&s);
        scenario_free(&s);
    } else {
        if (!err.msg[0] || err.line < 0 || s.name || s.ops || s.files || s.secrets)
            abort();
    }
    free(copy);
    return 0;
}
