/*
** cmd_probe.c - `kmharness probe [--prefix DIR]`: what Update.exe would show.
**
** For people debugging by hand: runs only the version probe against the
** prefix's registry as it is now and prints the (redacted) ImagePath and
** the message Update.exe would show, worded as Windows words it, and the
** outcome line with the Win32 code.  The exit status says which kind of
** outcome (help.c): 0 version found, 1 Update.exe would show an error, 3 not
** installed; never the code itself, whose low 8 bits would collide with the
** usage error's 2 (ERROR_FILE_NOT_FOUND) or alias others (1812 as 20).
** Windows 2000's "failed without an error code" is an error shown: 1.
** --windows picks the era profile (emu/era.h); the rule that gave the
** outcome and its source (or assumption) are printed.
*/
#include <stdio.h>
#include <stdlib.h>
#include "builtin.h"
#include "probe.h"
#include "imagepath.h"
#include "split.h"
#include "redact.h"
#include "winerror_text.h"

static const char usage[] = "[--prefix DIR] [--windows nt4|2000|xp]";

static void print_image_path(const struct probe_result *p)
{
    const uint16_t *s;
    size_t n;
    int hidden;
    if (!p->value_present) {
        printf("ImagePath: (no value)\n");
        return;
    }
    if (imagepath_decode(p->value_type, p->raw, p->raw_len, &s, &n, &hidden)) {
        printf("ImagePath: (not a string)\n");
        return;
    }
    /* No scenario here says what the password is: everything after the
    ** executable path is redacted. */
    struct split_result split;
    int have_split = split_image_path(s, n, NULL, NULL, &split) == 0;
    char *text = redact_image_path(s, n, hidden, imagepath_hidden_units(p->raw_len, n), have_split ? &split : NULL,
                                   NULL, 0, NULL);
    printf("ImagePath: %s\n", text ? text : "(unprintable)");
    free(text);
}

int cmd_probe(int argc, char **argv)
{
    const char *windows = NULL;
    enum era era = ERA_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *ignored;
        int r = opt_value(argc, argv, &i, "--prefix", &ignored);
        if (!r)
            r = opt_value(argc, argv, &i, "--windows", &windows);
        if (r < 0)
            return usage_error("probe", usage, "missing option value");
        if (!r)
            return usage_error("probe", usage, "unknown argument");
    }
    if (windows && era_parse(windows, &era))
        return usage_error("probe", usage, "--windows must be nt4, 2000 or xp");
    struct probe_result p;
    probe_run_as(era, &p);
    if (p.code != KMH_NOT_INSTALLED)
        print_image_path(&p);
    char shown[512];
    printf("Update.exe: %s\n", probe_message(&p, shown, sizeof shown));
    printf("outcome: %ld%s%s%s\n", p.code, p.assumed ? "?" : "",
           winerr_name(p.code) ? " " : "", winerr_name(p.code) ? winerr_name(p.code) : "");
    printf("windows: %s (%s)\n", era_name(era), era_title(era));
    if (p.rule)
        printf("rule: %s: %s\n", p.rule->id, p.rule->source);
    long code = p.code;
    probe_result_free(&p);
    return code == 0 ? 0 : code == KMH_NOT_INSTALLED ? 3 : 1;
}
