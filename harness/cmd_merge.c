/*
** cmd_merge.c - `kmharness merge [--combine] OUT.db IN.db...`: the shard
** databases of a CI matrix as one (db/merge.c).  A native command: it
** needs no Wine (harness/native_main.c).
**
** Without --combine every input run is copied with its identity, and
** merging a file twice copies nothing the second time; with --combine the
** input runs become one new run, reported as one table and compared with
** --diff or --baseline like any run.
** Exit status: 0 merged; 2 usage error, or an input or the output cannot
** be used (nothing is written then).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "help.h"
#include "merge.h"
#include "store.h"

static int usage(const char *message)
{
    return usage_error("merge", help_synopsis("merge"), message);
}

/* "kmharness merge ..." for the combined run's command_line. */
static void command_line(int argc, char **argv, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "kmharness");
    for (int i = 0; i < argc && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, " %s", argv[i]);
}

int cmd_merge(int argc, char **argv)
{
    int combine = 0, first = 1;
    if (first < argc && !strcmp(argv[first], "--combine")) {
        combine = 1;
        first++;
    }
    for (int i = first; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1] == '-')
            return usage("unknown option");
    if (argc - first < 2)
        return usage("needs an output database and at least one input");

    struct store *out;
    struct merge_result res;
    char err[1024], cmdline[4096];
    if (store_open(argv[first], &out, err, sizeof err)) {
        fprintf(stderr, "kmharness merge: %s\n", err); /* err names the file */
        return 2;
    }
    command_line(argc, argv, cmdline, sizeof cmdline);
    int rc = merge_databases(out, (const char *const *)argv + first + 1, argc - first - 1,
                             combine, cmdline, &res);
    if (rc)
        fprintf(stderr, "kmharness merge: %s\n", store_error(out));
    else if (combine)
        printf("merged %d runs into run %lld of %s\n", res.copied, res.combined_run, argv[first]);
    else
        printf("merged %d runs into %s (%d already there)\n", res.copied, argv[first],
               res.skipped);
    store_close(out);
    return rc ? 2 : 0;
}
