/*
** cmd_fix.c - `kmharness fix [--dry-run | --rollback | --list-kept |
** --discard ID] [--prefix DIR]`.
**
** The Q235418 workaround as a standalone command on the prefix's registry
** (the same code the runner calls in-process, emu/fix.c). The original
** value is kept in $WINEPREFIX/kmharness-keep (mode 0700) before any write,
** so --rollback can restore it byte for byte.  Kept originals hold the
** password, so --list-kept shows each one redacted like every ImagePath
** the harness shows, and --discard ID removes one for good.
** Exit status: 0 fixed, already clean, rolled back, listed or discarded;
** 1 nothing could be done (the message says why); 2 usage error.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "fix.h"
#include "keep.h"
#include "imagepath.h"
#include "redact.h"
#include "split.h"

static const char usage[] =
    "[--dry-run | --rollback | --list-kept | --discard ID] [--prefix DIR]\n"
    "  --list-kept   list the kept originals (ImagePath redacted), newest first\n"
    "  --discard ID  remove the kept original ID (as --list-kept names it)";

/* A kept value as people may see it: the path, the rest redacted. */
static char *shown_value(uint32_t type, const uint8_t *data, size_t len)
{
    const uint16_t *s;
    size_t n;
    int hidden;
    if (imagepath_decode(type, data, len, &s, &n, &hidden))
        return strdup("(not a string)");
    struct split_result split;
    int have_split = split_image_path(s, n, NULL, NULL, &split) == 0;
    return redact_image_path(s, n, hidden, imagepath_hidden_units(len, n),
                             have_split ? &split : NULL, NULL, 0, NULL);
}

static int list_kept(const char *dir)
{
    char (*names)[256], err[512];
    size_t count;
    if (keep_list(dir, FIX_KEEP_STEM, &names, &count, err, sizeof err)) {
        fprintf(stderr, "kmharness fix: %s\n", err);
        return 1;
    }
    printf("%zu kept original%s in %s\n", count, count == 1 ? "" : "s", dir);
    for (size_t i = 0; i < count; i++) {
        struct keep_record rec;
        char path[4096];
        if (keep_load_named(dir, FIX_KEEP_STEM, names[i], &rec, path, sizeof path, err,
                            sizeof err)) {
            printf("%s  (%s)\n", names[i], err);
            continue;
        }
        char *before = shown_value(rec.old_type, rec.old_data, rec.old_len);
        char *after = shown_value(rec.new_type, rec.new_data, rec.new_len);
        printf("%s  %s\\%s\n  original: %s\n  written:  %s\n", names[i], rec.key, rec.value,
               before ? before : "(unprintable)", after ? after : "(unprintable)");
        free(before);
        free(after);
        keep_record_free(&rec);
    }
    free(names);
    return 0;
}

static int discard_kept(const char *dir, const char *id)
{
    struct keep_record rec;
    char path[4096], err[512];
    int rc = keep_load_named(dir, FIX_KEEP_STEM, id, &rec, path, sizeof path, err, sizeof err);
    keep_record_free(&rec);
    if (rc == 0)
        rc = keep_discard(path, err, sizeof err);
    if (rc) {
        fprintf(stderr, "kmharness fix: %s\n", err);
        return 1;
    }
    printf("discarded %s\n", id);
    return 0;
}

int cmd_fix(int argc, char **argv)
{
    int dry_run = 0, rollback = 0, list = 0;
    const char *discard = NULL;
    for (int i = 1; i < argc; i++) {
        const char *ignored;
        int r;
        if ((r = opt_value(argc, argv, &i, "--prefix", &ignored)) ||
            (r = opt_value(argc, argv, &i, "--discard", &discard))) {
            if (r < 0)
                return usage_error("fix", usage, "missing option value");
            continue;
        }
        if (!strcmp(argv[i], "--dry-run"))
            dry_run = 1;
        else if (!strcmp(argv[i], "--rollback"))
            rollback = 1;
        else if (!strcmp(argv[i], "--list-kept"))
            list = 1;
        else
            return usage_error("fix", usage, "unknown argument");
    }
    if (dry_run + rollback + list + (discard != NULL) > 1)
        return usage_error("fix", usage,
                           "--dry-run, --rollback, --list-kept and --discard exclude each other");

    char dir[4096];
    keep_default_dir(dir, sizeof dir);
    if (list)
        return list_kept(dir);
    if (discard)
        return discard_kept(dir, discard);
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
