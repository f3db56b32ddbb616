/*
** cmd_fix.c - `kmharness fix [--dry-run | --rollback] [--prefix DIR]`.
**
** The Q235418 workaround as a standalone command on the prefix's registry
** (the same code the runner calls in-process, emu/fix.c). The original
** value is kept in $WINEPREFIX/kmharness-keep (mode 0700) before any write,
** so --rollback can restore it byte for byte.
** Exit status: 0 fixed, already clean or rolled back; 1 nothing could be
** done (the message says why); 2 usage error.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "fix.h"
#include "keep.h"

static const char usage[] = "[--dry-run | --rollback] [--prefix DIR]";

int cmd_fix(int argc, char **argv)
{
    int dry_run = 0, rollback = 0;
    for (int i = 1; i < argc; i++) {
        const char *ignored;
        int r = opt_value(argc, argv, &i, "--prefix", &ignored);
        if (r < 0)
            return usage_error("fix", usage, "missing option value");
        if (r)
            continue;
        if (!strcmp(argv[i], "--dry-run"))
            dry_run = 1;
        else if (!strcmp(argv[i], "--rollback"))
            rollback = 1;
        else
            return usage_error("fix", usage, "unknown argument");
    }
    if (dry_run && rollback)
        return usage_error("fix", usage, "--dry-run and --rollback exclude each other");

    char dir[4096];
    keep_default_dir(dir, sizeof dir);
    if (rollback) {
        char message[512];
        int rc = fix_rollback(dir, message, sizeof message);
        printf("%s\n", message);
        return rc ? 1 : 0;
    }
    struct fix_options opt = { .dry_run = dry_run, .keep_dir = dir };
    struct fix_result res;
    int rc = fix_apply(&opt, &res);
    printf("%s: %s\n", fix_status_name(res.status), res.message);
    if (res.status == FIX_CHANGED && res.keep_file[0])
        printf("original kept in %s (undo with: kmharness fix --rollback)\n", res.keep_file);
    int ok = res.status == FIX_CHANGED || res.status == FIX_WOULD_CHANGE ||
             res.status == FIX_ALREADY_CLEAN;
    fix_result_free(&res);
    return rc == 0 && ok ? 0 : 1;
}
